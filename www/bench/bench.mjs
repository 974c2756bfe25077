// Benchmarks the npm package in Node on a generated social graph and compares
// graphology on the same operations, in the same run:
//
//   cd www && npm install && bash build.sh && node bench/bench.mjs [--users 100000] [--edges-per-user 13]
//
// Prints a markdown table (medians of 3 runs for the rate rows) and the size
// of the .wasm file, raw and gzipped.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Graph from 'graphology';
import { Worker } from 'node:worker_threads';
import { generate } from './social.mjs';
import metrics from 'graphology-library/metrics.js';

const require = createRequire(import.meta.url);
const pkgDir = fileURLToPath(new URL('../pkg/node/', import.meta.url));
const { KnowledgeGraph } = require(`${pkgDir}index.js`);

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg('users', 100_000);
const PER_USER = arg('edges-per-user', 13);
const time = (f, what) => { if (what) console.error(`  ${what} ...`); return time0(f); };
const time0 = (f) => { const t = performance.now(); const out = f(); return [performance.now() - t, out]; };
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const rate = (ops, f) => median([0, 1, 2].map(() => { const [ms] = time(f); return ops / (ms / 1000); }));
const fmt = (n) => n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);

console.error(`generating ${USERS} users, ${USERS * PER_USER} edges ...`);
const data = generate(USERS, PER_USER);
const ids = Array.from({ length: 1000 }, (_, i) => `u${(i * 7919) % USERS}`);
const starts = Array.from({ length: 1024 }, (_, i) => `u${(i * 104_729) % USERS}`);
const rows = [];

// ---- maya-knowledge-graph (wasm) ----
console.error('maya: bulk load ...');
const kg = new KnowledgeGraph();
const [kgLoadMs] = time(() => {
  kg.addNodes(data.nodes);
  for (let i = 0; i < data.edges.length; i += 100_000) kg.addEdges(data.edges.slice(i, i + 100_000));
});
const LOOKUPS = 200_000;
// Each lookup reads a property of what it found, as a caller would (and so
// that the engine cannot drop the lookup as dead code).
let ages = 0;
const kgLookup = rate(LOOKUPS, () => { for (let i = 0; i < LOOKUPS; i++) ages += kg.getNode(ids[i % ids.length]).properties.age; });
const WALKS = 100_000;
const kgWalk = rate(WALKS, () => { for (let i = 0; i < WALKS; i++) kg.randomWalk(starts[i & 1023], 10, i); });
const kgWalks = rate(WALKS, () => { for (let i = 0; i < WALKS; i += starts.length) kg.randomWalks(starts, 10, i); });
// As node indices, the form the native random_walk benchmark takes (NodeIndex in, NodeIndex out).
const startIndices = starts.map((id) => kg.nodeIndex(id));
let walked = 0;
const kgWalkIndices = rate(WALKS, () => { for (let i = 0; i < WALKS; i++) walked += kg.randomWalkIndices(startIndices[i & 1023], 10, i).length; });
const TWO_HOP = 2_000;
let kgHops = 0;
const kgTwoHop = rate(TWO_HOP, () => { kgHops = 0; for (let i = 0; i < TWO_HOP; i++) kgHops += kg.kHopCount(starts[i & 1023], 2); });
const kgQuery = rate(10, () => { for (let i = 0; i < 10; i++) kg.queryNodes('user', 'age = $1 AND city = $2', [30 + i, 'Oslo']); });
const [kgRankMs, kgRank] = time(() => kg.pageRank(), 'maya pagerank');
const [kgLouvainMs, kgLouvain] = time(() => kg.louvain(), 'maya louvain');
kg.createIndex('user', 'age');
const kgIndexed = rate(1000, () => { for (let i = 0; i < 1000; i++) kg.queryNodes('user', 'age = $1 AND city = $2', [18 + (i % 73), 'Oslo']); });

// ---- graphology ----
console.error('graphology: bulk load ...');
// graphology's PageRank and Louvain refuse multigraphs: a simple directed
// graph, where a repeated (source, target) pair merges into one edge.
const g = new Graph({ type: 'directed', multi: false, allowSelfLoops: true });
const [gLoadMs] = time(() => {
  for (const n of data.nodes) g.addNode(n.id, { label: n.label, ...n.properties });
  for (const e of data.edges) g.mergeEdge(e.source, e.target, { label: e.label, ...e.properties });
});
console.error('  graphology reads ...');
const gLookup = rate(LOOKUPS, () => { for (let i = 0; i < LOOKUPS; i++) ages += g.getNodeAttributes(ids[i % ids.length]).age; });
let seed = 1;
const gWalk = rate(WALKS, () => {
  for (let i = 0; i < WALKS; i++) {
    let at = starts[i & 1023];
    const path = [at];
    for (let h = 0; h < 10; h++) {
      const out = g.outNeighbors(at);
      if (out.length === 0) break;
      seed = (seed * 1103515245 + 12345) >>> 0;
      at = out[seed % out.length];
      path.push(at);
    }
  }
});
let gHops = 0;
const gTwoHop = rate(TWO_HOP, () => {
  gHops = 0;
  for (let i = 0; i < TWO_HOP; i++) {
    const start = starts[i & 1023];
    const seen = new Set([start]);
    let frontier = [start];
    for (let d = 0; d < 2; d++) {
      const next = [];
      for (const n of frontier) g.forEachOutNeighbor(n, (m) => { if (!seen.has(m)) { seen.add(m); next.push(m); } });
      frontier = next;
    }
    gHops += seen.size - 1;
  }
});
const gQuery = rate(10, () => {
  for (let i = 0; i < 10; i++) g.filterNodes((_, a) => a.label === 'user' && a.age === 30 + i && a.city === 'Oslo');
});
const [gRankMs] = time(() => metrics.centrality.pagerank(g, { getEdgeWeight: null }), 'graphology pagerank');
// graphology's Louvain has been seen to run for many minutes on this graph:
// it runs in a worker (on the same generated graph) with a time limit.
const LOUVAIN_LIMIT_S = arg('louvain-limit', 180);
console.error('  graphology louvain (worker) ...');
const gLouvainResult = await new Promise((resolve) => {
  const worker = new Worker(new URL('./graphology-louvain.mjs', import.meta.url), { workerData: { users: USERS, perUser: PER_USER }, resourceLimits: { maxOldGenerationSizeMb: 8192 } });
  const timer = setTimeout(() => { worker.terminate(); resolve(null); }, LOUVAIN_LIMIT_S * 1000);
  worker.once('message', (m) => { clearTimeout(timer); worker.terminate(); resolve(m); });
  worker.once('error', (e) => { clearTimeout(timer); console.error(e); resolve(null); });
});
if (gHops !== kgHops) console.error(`warning: 2-hop totals differ (maya ${kgHops}, graphology ${gHops})`);

rows.push(['bulk load (s)', (kgLoadMs / 1000).toFixed(2), (gLoadMs / 1000).toFixed(2)]);
rows.push(['node lookup (/s)', fmt(kgLookup), fmt(gLookup)]);
rows.push(['10-hop random walk (/s)', fmt(kgWalk), fmt(gWalk)]);
rows.push([`the same, ${starts.length} walks per randomWalks call (/s)`, fmt(kgWalks), `${fmt(gWalk)} (no batch API)`]);
rows.push(['the same as node indices (randomWalkIndices, /s)', fmt(kgWalkIndices), `${fmt(gWalk)} (no index API)`]);
rows.push(['2-hop count (/s)', fmt(kgTwoHop), fmt(gTwoHop)]);
rows.push([`PageRank (s; ${kgRank.iterations} iterations)`, (kgRankMs / 1000).toFixed(2), (gRankMs / 1000).toFixed(2)]);
rows.push([
  `Louvain (s; modularity maya ${kgLouvain.modularity.toFixed(3)}, graphology ${gLouvainResult ? gLouvainResult.modularity.toFixed(3) : '-'})`,
  (kgLouvainMs / 1000).toFixed(2),
  gLouvainResult ? (gLouvainResult.ms / 1000).toFixed(2) : `did not finish in ${LOUVAIN_LIMIT_S} s`,
]);
rows.push(['property query age = ? AND city = ? (/s), no index', fmt(kgQuery), fmt(gQuery)]);
rows.push(['same query, index on age (/s)', fmt(kgIndexed), `${fmt(gQuery)} (no indexes)`]);

const wasm = readFileSync(new URL('../pkg/node/knowledge_graph_bg.wasm', import.meta.url));
console.log(`\n${USERS.toLocaleString('en-US')} users, ${(USERS * PER_USER).toLocaleString('en-US')} edges; Node ${process.version}\n`);
console.log('| operation | maya-knowledge-graph (wasm) | graphology |');
console.log('|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\nknowledge_graph_bg.wasm: ${(wasm.length / 1024).toFixed(0)} KiB raw, ${(gzipSync(wasm, { level: 9 }).length / 1024).toFixed(0)} KiB gzipped`);
console.log(`graphology holds ${g.size.toLocaleString('en-US')} edges (repeated pairs merged; its PageRank and Louvain refuse multigraphs).`);
console.log('Node lookup: each reads one property of the result. maya returns a frozen record object, kept in JS until the graph changes (the first lookup of a node builds it in WebAssembly); graphology returns its stored attributes object.');
