// worker_threads: the web build initialised from bytes inside a worker, and
// snapshots passed between the worker and the main thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { KnowledgeGraph } from 'maya-knowledge-graph';

function run(workerData) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.mjs', import.meta.url), { workerData });
    worker.once('message', (m) => { resolve(m); worker.terminate(); });
    worker.once('error', reject);
  });
}

test('a graph built in a worker comes back as a snapshot', async () => {
  const result = await run({ count: 100 });
  assert.equal(result.nodes, 100);
  assert.equal(result.edges, 99);
  assert.equal(result.hops, 3);
  const graph = KnowledgeGraph.fromSnapshot(result.snapshot);
  assert.equal(graph.countNodes(), 100);
  assert.deepEqual(graph.getNode('w42').properties, { i: 42 });
});

test('a snapshot from the main thread loads in workers running in parallel', async () => {
  const main = new KnowledgeGraph();
  main.addNode('user', 'seed', {});
  const snapshot = main.toSnapshot();
  const results = await Promise.all([run({ count: 10, snapshot }), run({ count: 20, snapshot })]);
  assert.deepEqual(results.map((r) => r.nodes), [11, 21]);
});
