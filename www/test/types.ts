// Compiled with `tsc --strict --noEmit` against the installed package by
// test/run.sh: the shipped .d.ts must describe the API precisely enough for
// this to type-check (and the @ts-expect-error lines must fail to).
import init, { initSync, KnowledgeGraph as WebGraph } from 'maya-knowledge-graph/web';
import { KnowledgeGraph, type NodeRecord, type EdgeRecord, type Metrics, type PropertyValue } from 'maya-knowledge-graph';

const graph: KnowledgeGraph = new KnowledgeGraph();
graph.addNode('user', 'alice', { name: 'Alice', age: 36, tags: ['a'], nested: { ok: true }, big: 1n, bytes: new Uint8Array(1) });
graph.addNode('user', 'bob');
const id: number = graph.addEdge('follows', 'alice', 'bob', { since: 2020 });
const node: NodeRecord | undefined = graph.getNode('alice');
const revision: number = graph.revision();
const label: string | undefined = node?.label;
const age: PropertyValue | undefined = node?.properties.age;
const edge: EdgeRecord | undefined = graph.getEdge(id);
const created: number | undefined = edge?.createdAt;
const out: EdgeRecord[] = graph.edgesFrom('alice', 'follows');
const ids: number[] = graph.addEdges([{ label: 'f', source: 'alice', target: 'bob' }]);
const added: number[] = graph.transaction([
  { op: 'addNode', label: 'user', id: 'carol' },
  { op: 'removeEdge', id: 0 },
]);
const metrics: Metrics = graph.metrics();
const rate: number = metrics.cacheHitRate;
const held: number = metrics.indexEntries + metrics.queryColumns;
const snapshot: Uint8Array = graph.toSnapshot();
const copy: KnowledgeGraph = KnowledgeGraph.fromSnapshot(snapshot);
const found: NodeRecord[] = copy.queryNodes('user', 'age > $1', [30], { limit: 10 });
const plan: boolean = copy.explain('user', 'age > 30').usesIndex;
const visits: string[] = copy.traverse('alice', { maxDepth: 2, direction: 'both' }).map((v) => v.node.id);
const ranks: { [id: string]: number } = copy.pageRank({ damping: 0.85 }).ranks;
const communities: number = copy.louvain({ seed: 1 }).count;
const path: string[] | undefined = copy.shortestPath('alice', 'bob')?.nodes;
const walks: string[][] = copy.randomWalks(['alice', 'bob'], 5, 1);
const start: number | undefined = copy.nodeIndex('alice');
const indices: Uint32Array = copy.randomWalkIndices(start ?? 0, 5, 1);
const named: (string | undefined)[] = Array.from(indices, (i) => copy.nodeIdAt(i));
const exported = copy.toGraphology({ labelKey: 'kind' });
const keys: (string | number)[] = exported.nodes.map((n) => n.key);
const back: KnowledgeGraph = KnowledgeGraph.fromGraphology(exported);

async function browser(bytes: Uint8Array): Promise<number> {
  await init({ module_or_path: bytes });
  initSync({ module: bytes });
  return new WebGraph().countNodes();
}

async function persisted(): Promise<void> {
  const stored: KnowledgeGraph = await KnowledgeGraph.open('notes', { autosave: 500 });
  await stored.save();
  const pending: boolean = stored.hasUnsavedChanges;
  await stored.close();
  await KnowledgeGraph.deleteDatabase('notes');
  void pending;
}

// @ts-expect-error properties must be an object
graph.addNode('user', 'x', 5);
// @ts-expect-error direction is 'out' | 'in' | 'both'
graph.kHop('alice', 2, 'sideways');
// @ts-expect-error an operation needs its fields
graph.transaction([{ op: 'addEdge', label: 'f' }]);

void [label, age, created, out, ids, added, rate, held, found, plan, visits, ranks, communities, path, walks, keys, back, persisted, browser];
