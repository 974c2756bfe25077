// A snapshot written by native Rust from a sled-backed graph
// (tests/snapshot_fixture.rs) loads here and answers as it does natively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KnowledgeGraph } from 'maya-knowledge-graph';

const bytes = readFileSync(new URL('./fixtures/social.kgs', import.meta.url));

test('the native snapshot loads and answers as natively', () => {
  const graph = KnowledgeGraph.fromSnapshot(bytes);
  assert.equal(graph.countNodes(), 7);
  assert.equal(graph.countEdges(), 10);
  assert.equal(graph.getNode('u1').properties.name, 'Alice');
  const p1 = graph.getNode('p1').properties;
  assert.equal(p1.views, 2n ** 60n);
  assert.equal(p1.score, 1.5);
  assert.deepEqual(p1.tags, ['intro', 'rust']);
  assert.deepEqual([...p1.thumb], [0, 1, 254, 255]);
  assert.deepEqual(graph.edgesFrom('u1').map((e) => e.target), ['u2', 'u3', 'p1']);
  assert.deepEqual(graph.queryNodes('user', 'age > 30').map((n) => n.id).sort(), ['u1', 'u3', 'u5']);
  assert.equal(graph.explain('user', 'age > 30').usesIndex, true);
  assert.equal(graph.kHopCount('u1', 2), 5);
  assert.equal(graph.edgesFrom('u1', 'follows')[0].createdAt, 1_700_000_000_000);
  // And it writes the same bytes back.
  assert.deepEqual(graph.toSnapshot(), new Uint8Array(bytes));
});

test('algorithms on the native snapshot', () => {
  const graph = KnowledgeGraph.fromSnapshot(bytes);
  assert.deepEqual(graph.shortestPath('u4', 'p2'), { nodes: ['u4', 'u5', 'u1', 'u2', 'p2'], cost: 4 });
  assert.equal(graph.components({ edgeLabels: ['follows'], nodeLabels: ['user'], strong: true }).count, 1);
});
