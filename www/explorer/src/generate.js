// A deterministic, plausible knowledge graph of any size: people, organisations,
// places, topics and papers in communities (most edges stay inside one), with
// typed properties and several edge labels. The build script writes the sample
// from it (`scripts/make-sample.mjs`); the worker uses it for the 10K/50K graph.
//
// Entry point: `generateKnowledgeGraph({ nodes, edges, seed })` -> `{ nodes, edges }`
// (inputs for `addNodes` / `addEdges`).

/** mulberry32: a small seeded PRNG, so the same seed gives the same graph. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ada', 'Alan', 'Grace', 'Linus', 'Barbara', 'Edsger', 'Donald', 'Margaret', 'Ken', 'Dennis', 'Frances', 'John', 'Radia', 'Tim', 'Vint', 'Katherine', 'Claude', 'Hedy', 'Niklaus', 'Sophie', 'Leslie', 'Shafi', 'Tony', 'Marie', 'Yukihiro', 'Guido', 'Anita', 'Bjarne', 'Jean', 'Karen', 'Ole', 'Rosalind', 'Ivan', 'Adele', 'Hal', 'Lynn', 'Mary', 'Robin', 'Fernando', 'Amara'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Liskov', 'Dijkstra', 'Knuth', 'Hamilton', 'Thompson', 'Ritchie', 'Allen', 'McCarthy', 'Perlman', 'Berners-Lee', 'Cerf', 'Johnson', 'Shannon', 'Lamarr', 'Wirth', 'Wilson', 'Lamport', 'Goldwasser', 'Hoare', 'Curie', 'Matsumoto', 'van Rossum', 'Borg', 'Stroustrup', 'Sammet', 'Jones', 'Dahl', 'Franklin', 'Sutherland', 'Goldberg', 'Abelson', 'Conway', 'Shaw', 'Milner', 'Corbato', 'Okafor'];
const PLACES = [['Oslo', 'Norway', 709000], ['Bergen', 'Norway', 286000], ['Stockholm', 'Sweden', 984000], ['Copenhagen', 'Denmark', 660000], ['Helsinki', 'Finland', 664000], ['Berlin', 'Germany', 3645000], ['Munich', 'Germany', 1488000], ['Paris', 'France', 2161000], ['Lyon', 'France', 522000], ['Madrid', 'Spain', 3305000], ['Lisbon', 'Portugal', 545000], ['Rome', 'Italy', 2873000], ['Milan', 'Italy', 1352000], ['Vienna', 'Austria', 1911000], ['Zurich', 'Switzerland', 421000], ['Amsterdam', 'Netherlands', 872000], ['Brussels', 'Belgium', 185000], ['London', 'United Kingdom', 8982000], ['Edinburgh', 'United Kingdom', 527000], ['Dublin', 'Ireland', 554000], ['Warsaw', 'Poland', 1790000], ['Prague', 'Czechia', 1309000], ['Tallinn', 'Estonia', 437000], ['New York', 'United States', 8336000], ['Boston', 'United States', 675000], ['San Francisco', 'United States', 815000], ['Seattle', 'United States', 737000], ['Toronto', 'Canada', 2794000], ['Montreal', 'Canada', 1762000], ['Mexico City', 'Mexico', 9209000], ['Sao Paulo', 'Brazil', 12330000], ['Buenos Aires', 'Argentina', 3075000], ['Lagos', 'Nigeria', 15388000], ['Nairobi', 'Kenya', 4397000], ['Cape Town', 'South Africa', 4618000], ['Cairo', 'Egypt', 9540000], ['Tel Aviv', 'Israel', 460000], ['Bangalore', 'India', 8443000], ['Mumbai', 'India', 12442000], ['Singapore', 'Singapore', 5454000], ['Tokyo', 'Japan', 13960000], ['Kyoto', 'Japan', 1464000], ['Seoul', 'South Korea', 9776000], ['Shanghai', 'China', 24870000], ['Sydney', 'Australia', 5312000], ['Melbourne', 'Australia', 5078000], ['Auckland', 'New Zealand', 1657000]];
const TOPICS = [['Graph databases', 'Computer science'], ['Query optimisation', 'Computer science'], ['Distributed systems', 'Computer science'], ['Compilers', 'Computer science'], ['Type theory', 'Computer science'], ['Machine learning', 'Computer science'], ['Cryptography', 'Computer science'], ['Computer networks', 'Computer science'], ['Operating systems', 'Computer science'], ['Human-computer interaction', 'Computer science'], ['Information retrieval', 'Computer science'], ['Knowledge representation', 'Computer science'], ['Linear algebra', 'Mathematics'], ['Graph theory', 'Mathematics'], ['Probability', 'Mathematics'], ['Topology', 'Mathematics'], ['Number theory', 'Mathematics'], ['Optimisation', 'Mathematics'], ['Genomics', 'Biology'], ['Neuroscience', 'Biology'], ['Ecology', 'Biology'], ['Epidemiology', 'Medicine'], ['Immunology', 'Medicine'], ['Climate science', 'Earth science'], ['Oceanography', 'Earth science'], ['Renewable energy', 'Engineering'], ['Robotics', 'Engineering'], ['Materials science', 'Engineering'], ['Quantum computing', 'Physics'], ['Astrophysics', 'Physics'], ['Economics of innovation', 'Economics'], ['Behavioural economics', 'Economics'], ['Linguistics', 'Humanities'], ['Digital humanities', 'Humanities'], ['Ethics of AI', 'Philosophy'], ['Logic', 'Philosophy']];
const ORG_A = ['Northern', 'Open', 'Blue', 'Quantum', 'Bright', 'Deep', 'Polar', 'Green', 'Silver', 'Crimson', 'Agile', 'Lucid', 'Vast', 'Clear', 'Nimble'];
const ORG_B = ['Graph', 'Data', 'Systems', 'Labs', 'Networks', 'Analytics', 'Robotics', 'Energy', 'Health', 'Logic', 'Signal', 'Compute', 'Atlas', 'Bridge', 'Harbor'];
const ORG_KIND = [['University', 'Education'], ['Institute', 'Research'], ['Inc', 'Software'], ['GmbH', 'Engineering'], ['AS', 'Software'], ['Foundation', 'Non-profit'], ['Ltd', 'Consulting'], ['Hospital', 'Healthcare']];
const PAPER_A = ['Scalable', 'Incremental', 'Robust', 'Efficient', 'Provable', 'Adaptive', 'Learned', 'Verified', 'Parallel', 'Streaming'];
const PAPER_B = ['Indexing', 'Traversal', 'Inference', 'Reasoning', 'Compression', 'Partitioning', 'Scheduling', 'Sampling', 'Embedding', 'Replication'];
const ROLES = ['engineer', 'researcher', 'manager', 'student', 'professor', 'designer', 'analyst', 'founder'];

/** Share of nodes per label, and the edges a node of each label starts (label -> [edge label, target label, weight]). */
const MIX = { Person: 0.62, Organization: 0.12, Place: 0.06, Topic: 0.06, Paper: 0.14 };
const OUT = {
  Person: [['KNOWS', 'Person', 0.5], ['WORKS_AT', 'Organization', 0.15], ['LIVES_IN', 'Place', 0.08], ['INTERESTED_IN', 'Topic', 0.15], ['AUTHORED', 'Paper', 0.12]],
  Organization: [['LOCATED_IN', 'Place', 0.4], ['FOCUSES_ON', 'Topic', 0.3], ['PARTNERS_WITH', 'Organization', 0.3]],
  Place: [['NEAR', 'Place', 1]],
  Topic: [['RELATED_TO', 'Topic', 1]],
  Paper: [['ABOUT', 'Topic', 0.5], ['CITES', 'Paper', 0.5]],
};

const slug = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * Generates a graph with exactly `nodes` nodes and (as near as duplicates allow,
 * normally exactly) `edges` edges.
 */
export function generateKnowledgeGraph({ nodes: nodeCount = 1500, edges: edgeCount = 6000, seed = 1, communitySize = 60 } = {}) {
  const rand = random(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const communities = Math.max(1, Math.round(nodeCount / communitySize));
  const labels = Object.keys(MIX);
  const counts = labels.map((l) => Math.max(1, Math.floor(MIX[l] * nodeCount)));
  counts[0] += nodeCount - counts.reduce((a, b) => a + b, 0); // the rest are people

  const nodes = [];
  const byLabel = {}; // label -> ids
  const byCommunity = {}; // label -> community -> ids
  const community = new Map();
  const used = new Set();
  const uniqueId = (base) => {
    let id = slug(base);
    for (let n = 2; used.has(id); n++) id = `${slug(base)}-${n}`;
    used.add(id);
    return id;
  };
  labels.forEach((label, li) => {
    byLabel[label] = [];
    byCommunity[label] = Array.from({ length: communities }, () => []);
    for (let i = 0; i < counts[li]; i++) {
      let name;
      let properties;
      if (label === 'Person') {
        name = `${pick(FIRST)} ${pick(LAST)}`;
        properties = { name, age: int(19, 78), email: `${slug(name)}${i}@example.org`, score: Math.round(rand() * 1000) / 10, active: rand() < 0.8, joined: int(2005, 2025) };
      } else if (label === 'Organization') {
        const [kind, industry] = pick(ORG_KIND);
        name = `${pick(ORG_A)} ${pick(ORG_B)} ${kind}`;
        properties = { name, industry, founded: int(1890, 2023), employees: int(5, 20000) };
      } else if (label === 'Place') {
        const [city, country, population] = i < PLACES.length ? PLACES[i] : [`${pick(PLACES)[0]} district ${i}`, pick(PLACES)[1], int(5000, 200000)];
        name = city;
        properties = { name, country, population };
      } else if (label === 'Topic') {
        const [topic, field] = i < TOPICS.length ? TOPICS[i] : [`${pick(TOPICS)[0]} ${Math.floor(i / TOPICS.length) + 1}`, pick(TOPICS)[1]];
        name = topic;
        properties = { name, field };
      } else {
        name = `${pick(PAPER_A)} ${pick(PAPER_B)} for ${pick(TOPICS)[0]}`;
        properties = { title: name, year: int(1995, 2025), citations: Math.floor(rand() ** 3 * 900) };
      }
      const id = uniqueId(name);
      const c = Math.floor(rand() * communities);
      community.set(id, c);
      byLabel[label].push(id);
      byCommunity[label][c].push(id);
      nodes.push({ label, id, properties });
    }
  });

  const labelOf = new Map(nodes.map((n) => [n.id, n.label]));
  const edges = [];
  const seen = new Set();
  // Popular nodes get more edges: a skewed pick from a list.
  const skewed = (list) => list[Math.floor(rand() ** 1.6 * list.length)];
  const chooseOut = (label) => {
    let r = rand();
    for (const option of OUT[label]) if ((r -= option[2]) <= 0) return option;
    return OUT[label][OUT[label].length - 1];
  };
  let attempts = 0;
  while (edges.length < edgeCount && attempts < edgeCount * 20) {
    attempts++;
    const source = nodes[Math.floor(rand() * nodes.length)].id;
    const [label, targetLabel] = chooseOut(labelOf.get(source));
    const local = byCommunity[targetLabel][community.get(source)];
    const target = rand() < 0.85 && local.length > 0 ? skewed(local) : skewed(byLabel[targetLabel]);
    const key = `${source}\u0000${label}\u0000${target}`;
    if (target === source || seen.has(key)) continue;
    seen.add(key);
    const properties = {};
    if (label === 'KNOWS') Object.assign(properties, { since: int(1990, 2025), weight: Math.round(rand() * 100) / 100 });
    else if (label === 'WORKS_AT') Object.assign(properties, { role: pick(ROLES), since: int(2000, 2025) });
    else if (label === 'AUTHORED') properties.position = int(1, 6);
    else if (label === 'NEAR') properties.km = int(5, 900);
    edges.push({ label, source, target, properties });
  }
  return { nodes, edges };
}
