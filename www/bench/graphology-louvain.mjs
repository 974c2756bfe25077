// graphology's Louvain on the benchmark graph, in a worker so that bench.mjs
// can give up on it after a time limit.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import Graph from 'graphology';
import louvain from 'graphology-library/communities-louvain.js';
import { generate } from './social.mjs';

const data = generate(workerData.users, workerData.perUser);
const g = new Graph({ type: 'directed', multi: false, allowSelfLoops: true });
for (const n of data.nodes) g.addNode(n.id, { label: n.label, ...n.properties });
for (const e of data.edges) g.mergeEdge(e.source, e.target, { label: e.label, ...e.properties });
// A repeatable stand-in for Math.random.
let seed = 7;
const rng = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 2 ** 32; };
const start = performance.now();
const result = louvain.detailed(g, { getEdgeWeight: null, rng });
parentPort.postMessage({ ms: performance.now() - start, modularity: result.modularity, count: result.count });
