// Runs in a worker_threads Worker: the web build, initialised from bytes
// (as in a Web Worker or an edge runtime without fetch of the .wasm).
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync, KnowledgeGraph } from 'maya-knowledge-graph/web';

const require = createRequire(import.meta.url);
initSync({ module: readFileSync(require.resolve('maya-knowledge-graph/knowledge_graph_bg.wasm')) });

const graph = workerData.snapshot ? KnowledgeGraph.fromSnapshot(workerData.snapshot) : new KnowledgeGraph();
for (let i = 0; i < workerData.count; i++) graph.addNode('user', `w${i}`, { i });
for (let i = 1; i < workerData.count; i++) graph.addEdge('next', `w${i - 1}`, `w${i}`);
parentPort.postMessage({
  nodes: graph.countNodes(),
  edges: graph.countEdges(),
  hops: graph.kHopCount('w0', 3),
  snapshot: graph.toSnapshot(),
});
