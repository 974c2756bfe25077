// The package's API as a Node user sees it (ESM import of the node build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Graph from 'graphology';
import { KnowledgeGraph } from 'maya-knowledge-graph';

function sample() {
  const g = new KnowledgeGraph();
  g.addNode('user', 'alice', { name: 'Alice', age: 36, tags: ['a', 'b'], address: { city: 'Oslo' } });
  g.addNode('user', 'bob', { name: 'Bob', age: 25 });
  g.addNode('post', 'p1', { title: 'Hello' });
  g.addEdge('follows', 'alice', 'bob', { since: 2020 });
  g.addEdge('wrote', 'bob', 'p1');
  return g;
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

test('nodes round-trip with plain-object properties', () => {
  const g = sample();
  const alice = g.getNode('alice');
  assert.deepEqual(alice, {
    id: 'alice',
    label: 'user',
    properties: { address: { city: 'Oslo' }, age: 36, name: 'Alice', tags: ['a', 'b'] },
  });
  assert.ok(isPlainObject(alice));
  assert.ok(isPlainObject(alice.properties));
  assert.ok(isPlainObject(alice.properties.address));
  assert.equal(typeof alice.properties.age, 'number');
  assert.equal(g.getNode('nobody'), undefined);
  assert.equal(g.hasNode('alice'), true);
  g.updateNode('alice', { name: 'Alice B.' });
  assert.deepEqual(g.getNode('alice').properties, { name: 'Alice B.' });
  g.free();
});

test('getNode hands back one frozen record until the graph changes', () => {
  const g = sample();
  const first = g.getNode('alice');
  assert.equal(g.getNode('alice'), first, 'a repeated lookup returns the same object');
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.properties));
  assert.ok(Object.isFrozen(first.properties.address) && Object.isFrozen(first.properties.tags));
  assert.throws(() => { first.properties.name = 'Mallory'; }, TypeError);
  assert.throws(() => { first.properties.tags.push('c'); }, TypeError);
  assert.equal(g.getNode('alice').properties.name, 'Alice');
  // Any commit, even one that does not touch the node, gives fresh objects.
  g.addEdge('follows', 'bob', 'alice');
  const second = g.getNode('alice');
  assert.notEqual(second, first);
  assert.deepEqual(second, first);
  g.updateNode('alice', { name: 'Alice B.' });
  assert.deepEqual(g.getNode('alice').properties, { name: 'Alice B.' });
  assert.equal(first.properties.name, 'Alice', 'a record already returned keeps its values');
  g.removeNode('alice');
  assert.equal(g.getNode('alice'), undefined);
  // A failed transaction changes nothing, so the record stays the same.
  const bob = g.getNode('bob');
  assert.throws(() => g.transaction([{ op: 'updateNode', id: 'bob', properties: {} }, { op: 'removeNode', id: 'nobody' }]));
  assert.equal(g.getNode('bob'), bob);
  // Byte arrays cannot be frozen; the rest of their record is.
  g.addNode('thing', 't', { bytes: new Uint8Array([1, 2]) });
  const t = g.getNode('t');
  assert.ok(Object.isFrozen(t.properties) && t.properties.bytes instanceof Uint8Array);
  g.free();
});

test('revision() moves with commits; kept records are per graph and bounded', async () => {
  const g = sample();
  const other = sample();
  const before = g.revision();
  assert.equal(typeof before, 'number');
  assert.throws(() => g.addEdge('follows', 'alice', 'nobody'));
  assert.equal(g.revision(), before, 'a failed write commits nothing');
  g.addNode('user', 'carol');
  assert.ok(g.revision() > before);
  // Each graph hands out its own records.
  assert.notEqual(g.getNode('alice'), other.getNode('alice'));
  other.updateNode('alice', { name: 'Other' });
  assert.equal(g.getNode('alice').properties.name, 'Alice');
  assert.equal(other.getNode('alice').properties.name, 'Other');
  // More distinct ids than are kept: every answer still right, records
  // dropped when the set filled up made again, the latest still kept.
  g.addNodes(Array.from({ length: 10050 }, (_, i) => ({ label: 'n', id: `n${i}`, properties: { i } })));
  const oldest = g.getNode('n0');
  for (let i = 0; i < 10050; i++) assert.equal(g.getNode(`n${i}`).properties.i, i);
  const again = g.getNode('n0');
  assert.deepEqual(again, oldest);
  assert.notEqual(again, oldest, 'evicted, then made again');
  assert.equal(g.getNode('n10049'), g.getNode('n10049'));
  assert.equal(g.getNode('ghost'), undefined);
  g.free();
  assert.throws(() => g.getNode('alice'), 'a freed graph throws instead of answering from kept records');
  await other.close();
  assert.ok(Number.isNaN(other.revision()), 'a closed graph has no revision');
  assert.throws(() => other.getNode('alice'), { message: /closed/ });
});

test('walks cross as node slots; the ids kept for them follow every commit', async () => {
  const g = new KnowledgeGraph();
  g.addNodes(['a', 'b', 'c'].map((id) => ({ label: 'user', id })));
  g.addEdge('follows', 'a', 'b');
  for (let i = 0; i < 100; i++) assert.deepEqual(g.randomWalk('a', 3, i), ['a', 'b']);
  assert.deepEqual(g.randomWalks(['b', 'a', 'b'], 3, 1), [['b'], ['a', 'b'], ['b']]);
  // A node made after b is gone takes b's slot: no walk may still call it b,
  // nor start from it.
  g.removeNode('b');
  assert.throws(() => g.randomWalks(['a', 'b'], 3), { message: /node 'b' not found/ });
  g.addNode('user', 'z');
  g.addEdge('follows', 'a', 'z');
  assert.deepEqual(g.randomWalk('a', 3, 1), ['a', 'z']);
  assert.deepEqual(g.randomWalks(['a', 'c', 'z'], 2, 1), [['a', 'z'], ['c'], ['z']]);
  assert.deepEqual(g.randomWalk('c', 0), ['c']);
  assert.deepEqual(g.randomWalks([], 3), []);
  // Where the slot versions have no answer, the originals throw.
  assert.throws(() => g.randomWalk('ghost', 3), { message: /node 'ghost' not found/ });
  assert.throws(() => g.randomWalks(['a', 'ghost'], 3), { message: /node 'ghost' not found/ });
  assert.throws(() => g.randomWalks(['a', 7], 3), { message: /starts\[1\]/ });
  // A string is not taken for an array of its characters.
  assert.throws(() => g.randomWalks('ac', 3), { message: /starts must be an array/ });
  assert.throws(() => g.getNodesByIds('ac'), { message: /ids must be an array/ });
  await g.close();
  assert.throws(() => g.randomWalk('a', 3), { message: /closed/ });
  assert.throws(() => g.randomWalks(['a'], 3), { message: /closed/ });
});

test('walks as node indices are the walks of the same ids', async () => {
  const g = new KnowledgeGraph();
  g.addNodes(['a', 'b', 'c', 'd'].map((id) => ({ label: 'user', id })));
  for (const [s, t] of [['a', 'b'], ['a', 'c'], ['b', 'c'], ['c', 'a'], ['c', 'd']]) g.addEdge('follows', s, t);
  const index = (id) => g.nodeIndex(id);
  assert.deepEqual(['a', 'b', 'c', 'd'].map(index).sort(), [0, 1, 2, 3]);
  for (const id of ['a', 'b', 'c', 'd']) assert.equal(g.nodeIdAt(g.nodeIndex(id)), id);
  let differ = 0;
  for (let seed = 0; seed < 50; seed++) {
    const walk = g.randomWalkIndices(index('a'), 8, seed);
    assert.ok(walk instanceof Uint32Array);
    assert.deepEqual(Array.from(walk, (i) => g.nodeIdAt(i)), g.randomWalk('a', 8, seed));
    if (walk.join() !== g.randomWalkIndices(index('a'), 8, seed + 1).join()) differ++;
  }
  assert.ok(differ > 0, 'the seed picks the walk');
  assert.deepEqual(Array.from(g.randomWalkIndices(index('d'), 5, 1)), [index('d')]);
  assert.equal(g.nodeIndex('ghost'), undefined);
  assert.equal(g.nodeIdAt(99), undefined);
  // Where the buffered walk has no answer, the original throws.
  assert.throws(() => g.randomWalkIndices(99, 3), { message: /no node has index 99/ });
  assert.throws(() => g.randomWalkIndices(-1, 3));
  // A removed node's index names nothing until a new node takes it.
  const b = index('b');
  g.removeNode('b');
  assert.equal(g.nodeIdAt(b), undefined);
  assert.throws(() => g.randomWalkIndices(b, 3), { message: new RegExp(`no node has index ${b}`) });
  g.addNode('user', 'z');
  assert.equal(g.nodeIndex('z'), b);
  assert.deepEqual(Array.from(g.randomWalkIndices(b, 3, 1)), [b]);
  await g.close();
  assert.throws(() => g.randomWalkIndices(0, 3), { message: /closed/ });
  assert.throws(() => g.nodeIndex('a'), { message: /closed/ });
});

test('a walk is read through a view of WebAssembly memory that outlives its growth', () => {
  const g = new KnowledgeGraph();
  g.addNodes([{ label: 'user', id: 'x' }, { label: 'user', id: 'y' }]);
  g.addEdge('follows', 'x', 'y');
  g.addEdge('follows', 'y', 'x');
  assert.deepEqual(g.randomWalk('x', 3, 1), ['x', 'y', 'x', 'y']);
  const [memory] = g.walkBuffer();
  const before = memory.buffer.byteLength;
  g.addNodes(Array.from({ length: 40000 }, (_, i) => ({ label: 'filler', id: `f${i}`, properties: { text: 'x'.repeat(300) } })));
  assert.ok(memory.buffer.byteLength > before, 'memory grew, detaching the first view');
  assert.deepEqual(g.randomWalk('y', 3, 1), ['y', 'x', 'y', 'x']);
  // Longer than the buffer holds: the original answers.
  const long = g.randomWalk('x', 5000, 1);
  assert.equal(long.length, 5001);
  assert.ok(long.every((id, i) => id === (i % 2 ? 'y' : 'x')));
  g.free();
});

test('floats, bytes, nulls and big integers keep their types', () => {
  const g = new KnowledgeGraph();
  g.addNode('thing', 't', { ratio: 0.5, bytes: new Uint8Array([1, 2, 3]), big: 2n ** 60n, none: null, ok: true });
  const { properties } = g.getNode('t');
  assert.equal(properties.ratio, 0.5);
  assert.ok(properties.bytes instanceof Uint8Array);
  assert.deepEqual([...properties.bytes], [1, 2, 3]);
  assert.equal(typeof properties.big, 'bigint');
  assert.equal(properties.big, 2n ** 60n);
  assert.equal(properties.none, null);
  assert.equal(properties.ok, true);
});

test('edges: ids, records, both directions, filters', () => {
  const g = sample();
  const [follows] = g.edgesFrom('alice');
  assert.equal(typeof follows.id, 'number');
  assert.equal(typeof follows.createdAt, 'number');
  assert.ok(Math.abs(follows.createdAt - Date.now()) < 60_000);
  assert.deepEqual({ ...follows, createdAt: 0 }, {
    id: follows.id, label: 'follows', source: 'alice', target: 'bob', properties: { since: 2020 }, createdAt: 0,
  });
  assert.deepEqual(g.getEdge(follows.id), follows);
  assert.equal(g.getEdge(12345), undefined);
  assert.equal(g.edgesTo('bob', 'follows').length, 1);
  assert.equal(g.edgesTo('bob', 'nope').length, 0);
  assert.deepEqual(g.getEdges('wrote')[0].properties, {});
  assert.equal(g.getEdges(undefined, 'alice', 'bob').length, 1);
  assert.equal(g.getNodes('user', 1).length, 1);
  assert.deepEqual(g.getNodes().map((n) => n.id).sort(), ['alice', 'bob', 'p1']);
  assert.deepEqual(g.getNodesByIds(['p1', 'ghost', 'bob']).map((n) => n.id), ['p1', 'bob']);
  assert.deepEqual(g.labels(), { post: 1, user: 2 });
  assert.deepEqual(g.edgeLabels(), { follows: 1, wrote: 1 });
  const [old] = g.addEdges([{ label: 'wrote', source: 'bob', target: 'p1', createdAt: 1_600_000_000_000 }]);
  assert.equal(g.getEdge(old).createdAt, 1_600_000_000_000);
  assert.throws(() => g.addEdges([{ label: 'x', source: 'bob', target: 'p1', createdAt: 1.5 }]), { message: /createdAt/ });
  g.removeEdge(old);
  g.removeEdge(follows.id);
  assert.equal(g.countEdges(), 1);
  assert.deepEqual(g.edgeLabels(), { wrote: 1 });
  g.removeNode('bob');
  assert.equal(g.countNodes(), 2);
  assert.equal(g.countEdges(), 0);
});

test('errors are Error instances carrying the Rust message', () => {
  const g = sample();
  assert.throws(() => g.addNode('user', 'alice', {}), { name: 'Error', message: "node 'alice' already exists" });
  assert.throws(() => g.addEdge('follows', 'alice', 'ghost'), { message: /target node 'ghost' not found/ });
  assert.throws(() => g.removeNode('ghost'), { message: "node 'ghost' not found" });
  assert.throws(() => g.addNode('user', 'x', 5), { message: /must be a plain object/ });
  assert.throws(() => g.addNode('', 'x', {}), { message: /must not be empty/ });
  assert.throws(() => g.removeEdge(-1), { message: /non-negative integer/ });
  assert.throws(() => g.queryNodes('user', 'age >'), { message: /column/ });
  assert.throws(() => KnowledgeGraph.fromSnapshot(new Uint8Array([1, 2, 3])), { message: /is not a MAYA snapshot/ });
  assert.throws(() => g.save(), { message: /in memory only/ });
});

test('bulk adds and transactions are atomic', () => {
  const g = new KnowledgeGraph();
  g.addNodes([{ label: 'u', id: '1' }, { label: 'u', id: '2', properties: { n: 2 } }]);
  const ids = g.addEdges([{ label: 'f', source: '1', target: '2' }, { label: 'f', source: '2', target: '1', properties: { w: 1 } }]);
  assert.deepEqual(ids, [0, 1]);
  assert.throws(() => g.addNodes([{ label: 'u', id: '3' }, { label: 'u', id: '1' }]), { message: /operation 2 of 2 failed, nothing was applied/ });
  assert.equal(g.countNodes(), 2);
  const added = g.transaction([
    { op: 'addNode', label: 'u', id: '3', properties: { n: 3 } },
    { op: 'addEdge', label: 'f', source: '3', target: '1' },
    { op: 'updateNode', id: '1', properties: { n: 1 } },
    { op: 'removeEdge', id: 0 },
  ]);
  assert.deepEqual(added, [2]);
  assert.deepEqual(g.getNode('1').properties, { n: 1 });
  assert.throws(() => g.transaction([{ op: 'removeNode', id: '3' }, { op: 'removeNode', id: 'ghost' }]), { message: /ghost/ });
  assert.equal(g.countNodes(), 3);
  assert.throws(() => g.transaction([{ op: 'explode' }]), { message: /operations\[0\]/ });
});

test('metrics is a plain object of numbers', () => {
  const g = sample();
  g.getNode('alice');
  const m = g.metrics();
  assert.ok(isPlainObject(m));
  assert.equal(m.nodeCount, 3);
  assert.equal(m.edgeCount, 2);
  for (const key of ['cacheHits', 'cacheMisses', 'cacheHitRate', 'commits', 'rollbacks', 'topologyBytes']) {
    assert.equal(typeof m[key], 'number', key);
  }
  assert.equal(m.unsavedChanges, false);
  assert.equal(m.indexEntries, 0);
  g.createIndex('user', 'age');
  assert.equal(g.metrics().indexEntries, 2);
  assert.equal(g.metrics().queryColumns, 0);
});

test('snapshots round-trip and damaged ones are rejected', () => {
  const g = sample();
  const bytes = g.toSnapshot();
  assert.ok(bytes instanceof Uint8Array);
  const copy = KnowledgeGraph.fromSnapshot(bytes);
  assert.deepEqual(copy.getNodes(), g.getNodes());
  assert.deepEqual(copy.getEdges(), g.getEdges());
  const info = KnowledgeGraph.verifySnapshot(bytes);
  assert.equal(info.version, 1);
  assert.equal(info.nodes, 3);
  assert.equal(info.edges, 2);
  assert.throws(() => KnowledgeGraph.fromSnapshot(bytes.subarray(0, bytes.length - 5)), { message: /snapshot/ });
  const flipped = bytes.slice();
  flipped[30] ^= 0x40;
  assert.throws(() => KnowledgeGraph.fromSnapshot(flipped), { message: /checksum mismatch/ });
});

test('graphology interop both ways', () => {
  const kg = sample();
  const g = Graph.from(kg.toGraphology());
  assert.equal(g.type, 'directed');
  assert.equal(g.order, 3);
  assert.equal(g.size, 2);
  assert.equal(g.getNodeAttribute('alice', 'label'), 'user');
  assert.equal(g.getNodeAttribute('alice', 'name'), 'Alice');
  assert.deepEqual(g.outNeighbors('alice'), ['bob']);
  g.addNode('carol', { label: 'user', name: 'Carol' });
  g.addEdge('carol', 'alice', { label: 'follows', since: 2024 });
  const back = KnowledgeGraph.fromGraphology(g.export());
  assert.equal(back.countNodes(), 4);
  assert.deepEqual(back.getNode('carol'), { id: 'carol', label: 'user', properties: { name: 'Carol' } });
  assert.deepEqual(back.edgesFrom('carol').map((e) => [e.label, e.target, e.properties]), [['follows', 'alice', { since: 2024 }]]);
  const clash = new KnowledgeGraph();
  clash.addNode('tag', 't', { label: 'Rust' });
  assert.throws(() => clash.toGraphology(), { message: /labelKey/ });
  assert.equal(clash.toGraphology({ labelKey: 'kind' }).nodes[0].attributes.kind, 'tag');
});

test('queries, indexes, traversal, paths and k-hop', () => {
  const g = sample();
  g.createIndex('user', 'age');
  assert.deepEqual(g.indexes(), [{ kind: 'node', label: 'user', property: 'age' }]);
  assert.deepEqual(g.queryNodes('user', 'age > $1', [30]).map((n) => n.id), ['alice']);
  assert.deepEqual(g.queryNodes('user', 'name = $who', { who: 'Bob' }).map((n) => n.id), ['bob']);
  assert.equal(g.queryNodes('user', 'age > 0', undefined, { limit: 1 }).length, 1);
  const plan = g.explain('user', 'age > 30');
  assert.equal(plan.usesIndex, true);
  assert.equal(plan.steps[0].kind, 'indexRange');
  assert.equal(typeof plan.text, 'string');
  assert.equal(g.explain('user', 'age = $age', { age: 36 }).steps[0].kind, 'indexSeek');
  assert.equal(g.explainEdges('follows', 'since = $1', [2020]).usesIndex, false);
  // The scan by name above paid for a column of `name`: the next builds it.
  assert.deepEqual(g.queryNodes('user', 'name = $1', ['Bob']).map((n) => n.id), ['bob']);
  assert.deepEqual(g.explain('user', 'name = $1', ['Bob']).steps.at(-1), { kind: 'propertyColumns', properties: ['name'] });
  assert.equal(g.metrics().queryColumns, 1);
  assert.equal(g.queryEdges('follows', 'since = 2020').length, 1);
  const visits = g.traverse('alice', { maxDepth: 2 });
  assert.deepEqual(visits.map((v) => [v.node.id, v.depth]), [['alice', 0], ['bob', 1], ['p1', 2]]);
  assert.equal(visits[0].via, null);
  assert.equal(visits[1].via.label, 'follows');
  assert.deepEqual(g.findPaths('alice', 'p1').map((p) => p.nodes), [['alice', 'bob', 'p1']]);
  assert.deepEqual(g.kHop('alice', 2), ['bob', 'p1']);
  assert.equal(g.kHopCount('p1', 2, 'in'), 2);
  assert.deepEqual(g.randomWalks(['alice', 'p1'], 5, 3), [['alice', 'bob', 'p1'], ['p1']]);
  assert.deepEqual(g.randomWalks(['alice'], 5, 3)[0], g.randomWalk('alice', 5, 3));
  assert.throws(() => g.traverse('alice', { maxDepht: 1 }), { message: /unknown option 'maxDepht'/ });
});

test('persistence needs IndexedDB, which Node lacks: a clear rejection', async () => {
  await assert.rejects(KnowledgeGraph.open('notes'), { message: /indexeddb is not available/ });
});

test('a closed graph throws', async () => {
  const g = sample();
  await g.close();
  assert.throws(() => g.countNodes(), { message: /closed/ });
});

test('graph algorithms return plain objects keyed by node id', () => {
  const g = sample();
  g.addEdge('follows', 'bob', 'alice');
  assert.deepEqual(g.shortestPath('alice', 'p1'), { nodes: ['alice', 'bob', 'p1'], cost: 2 });
  assert.equal(g.shortestPath('p1', 'alice'), null);
  const { ranks, iterations, converged } = g.pageRank({ damping: 0.85 });
  assert.ok(isPlainObject(ranks));
  assert.deepEqual(Object.keys(ranks).sort(), ['alice', 'bob', 'p1']);
  assert.ok(Math.abs(Object.values(ranks).reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assert.equal(typeof iterations, 'number');
  assert.equal(converged, true);
  const communities = g.louvain({ seed: 1 });
  assert.equal(typeof communities.modularity, 'number');
  assert.equal(Object.keys(communities.community).length, 3);
  assert.equal(g.components().count, 1);
  assert.equal(g.components({ strong: true }).count, 2);
  assert.deepEqual(g.degrees({ direction: 'out' }), { alice: 1, bob: 2, p1: 0 });
  assert.deepEqual(g.bfsDistances('alice'), { alice: 0, bob: 1, p1: 2 });
  assert.equal(g.graphStats().nodes, 3);
  assert.deepEqual(g.kCore({ nodeLabels: ['user'] }), { alice: 1, bob: 1 });
  assert.throws(() => g.pageRank({ dampin: 0.9 }), { message: /unknown option 'dampin'/ });
});
