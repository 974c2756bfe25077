// The benchmark's social graph: deterministic, users with properties and
// `follows` edges skewed towards low ids (popular users).
const CITIES = ['Paris', 'Berlin', 'Lagos', 'Tokyo', 'Lima', 'Oslo', 'Cairo', 'Delhi', 'Quito', 'Seoul'];

// xorshift32: the same graph on every run.
let state = 42;
const rand = (n) => {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state % n;
};

export function generate(USERS, PER_USER) {
  state = 42;
  const nodes = new Array(USERS);
  for (let i = 0; i < USERS; i++) {
    nodes[i] = { label: 'user', id: `u${i}`, properties: { name: `user ${i}`, age: 18 + rand(73), city: CITIES[rand(CITIES.length)] } };
  }
  const edges = new Array(USERS * PER_USER);
  let k = 0;
  for (let i = 0; i < USERS; i++) {
    for (let j = 0; j < PER_USER; j++) {
      // Skewed towards low ids, like real follower graphs.
      let t = rand(2) === 0 ? rand(USERS) : rand(1 + rand(USERS));
      if (t === i) t = (t + 1) % USERS;
      edges[k++] = { label: 'follows', source: `u${i}`, target: `u${t}`, properties: { weight: (1 + rand(1000)) / 1000, since: 1_600_000_000 + rand(100_000_000) } };
    }
  }
  return { nodes, edges };
}

// A repeatable Math.random stand-in for graphology's Louvain.
const seededRandom = (seed) => () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 2 ** 32; };
