// The graph worker (a module Web Worker): owns the wasm module and the open
// KnowledgeGraph (persisted in IndexedDB), parses imports, runs queries and
// algorithms. The page only renders what it answers. Requests: see `handlers`.

import init, { KnowledgeGraph } from 'maya-knowledge-graph';
import { serve, transferable } from './rpc.js';
import { readFiles } from './importer.js';
import { generateKnowledgeGraph } from './generate.js';
import { toJson, toJsonLines } from './formats.js';

const PREFIX = 'maya-knowledge-graph:';

let graph = null; // the open KnowledgeGraph
let current = null; // its name
let cache = null; // per-graph derived data (search text, edge label counts), dropped on change

const ready = init({ module_or_path: new URL('./knowledge_graph_bg.wasm', self.location.href) });

const timed = (fn) => {
  const start = performance.now();
  const value = fn();
  return [value, Math.round((performance.now() - start) * 10) / 10];
};

function need() {
  if (!graph) throw new Error('no graph is open: load the sample, import a file or pick a saved graph');
  return graph;
}

/** Saved graphs: the IndexedDB databases the package created. */
async function listGraphs() {
  const dbs = await indexedDB.databases();
  return dbs
    .map((db) => db.name)
    .filter((n) => n?.startsWith(PREFIX))
    .map((n) => n.slice(PREFIX.length))
    .sort();
}

async function uniqueName(base) {
  const taken = new Set(await listGraphs());
  const clean = (base || 'graph').trim().replace(/\s+/g, '-') || 'graph';
  if (!taken.has(clean)) return clean;
  for (let n = 2; ; n++) if (!taken.has(`${clean}-${n}`)) return `${clean}-${n}`;
}

async function closeCurrent() {
  if (graph) {
    const closing = graph;
    graph = null;
    current = null;
    cache = null;
    await closing.close();
    closing.free();
  }
}

function derived() {
  if (!cache) {
    const g = need();
    const nodes = g.getNodes();
    const search = nodes.map((n) => ({
      id: n.id,
      label: n.label,
      idText: n.id.toLowerCase(),
      text: Object.values(n.properties)
        .filter((v) => typeof v === 'string' || typeof v === 'number')
        .join(' ')
        .toLowerCase(),
      name: n.properties.name ?? n.properties.title ?? '',
    }));
    cache = { search, edgeLabels: g.edgeLabels() };
  }
  return cache;
}

function summary() {
  const g = need();
  return { name: current, nodes: g.countNodes(), edges: g.countEdges(), nodeLabels: g.labels(), edgeLabels: derived().edgeLabels, indexes: g.indexes() };
}

/** Node records for `ids`, with every edge among `ids` and between `ids` and `visible`. */
function withEdges(ids, visible = []) {
  const g = need();
  const fresh = new Set(ids);
  const shown = new Set(visible);
  const edges = new Map();
  for (const id of fresh) {
    for (const e of g.edgesFrom(id)) if (fresh.has(e.target) || shown.has(e.target)) edges.set(e.id, e);
    for (const e of g.edgesTo(id)) if (shown.has(e.source)) edges.set(e.id, e);
  }
  return { nodes: g.getNodesByIds([...fresh]), edges: [...edges.values()].map(slimEdge) };
}

const slimEdge = (e) => ({ id: e.id, label: e.label, source: e.source, target: e.target, properties: e.properties });

/** Opens `name` in IndexedDB and writes the batch into it; removes it again if that fails. */
async function createGraph(name, batch, progress) {
  const g = await KnowledgeGraph.open(name);
  try {
    progress({ phase: `storing ${batch.nodes.length} nodes`, done: 0, total: 1 });
    g.addNodes(batch.nodes);
    progress({ phase: `storing ${batch.edges.length} edges`, done: 0.5, total: 1 });
    g.addEdges(batch.edges);
    progress({ phase: 'saving', done: 0.9, total: 1 });
    await g.save();
  } catch (e) {
    await g.close().catch(() => {});
    g.free();
    await KnowledgeGraph.deleteDatabase(name).catch(() => {});
    throw e;
  }
  await closeCurrent();
  graph = g;
  current = name;
  return summary();
}

const handlers = {
  async init() {
    await ready;
    return { graphs: await listGraphs() };
  },

  list: listGraphs,

  async open({ name }) {
    await ready;
    if (current === name) return summary();
    await closeCurrent();
    const start = performance.now();
    graph = await KnowledgeGraph.open(name);
    current = name;
    return { ...summary(), ms: Math.round(performance.now() - start) };
  },

  async close() {
    await closeCurrent();
    return null;
  },

  async delete({ name }) {
    if (current === name) await closeCurrent();
    await KnowledgeGraph.deleteDatabase(name);
    return listGraphs();
  },

  /** Imports files: into a new saved graph (`mode: 'new'`) or into the open one (`'merge'`, all or nothing). */
  async import({ files, mode, name }, progress) {
    await ready;
    const start = performance.now();
    const merging = mode === 'merge';
    if (merging) need();
    const batch = await readFiles(files, { KnowledgeGraph, progress, hasExisting: merging ? (id) => graph.hasNode(id) : undefined });
    let result;
    if (merging) {
      const ops = [
        ...batch.nodes.map((n) => ({ op: 'addNode', ...n })),
        ...batch.edges.map((e) => ({ op: 'addEdge', ...e })),
      ];
      progress({ phase: `storing ${ops.length} records`, done: 0.5, total: 1 });
      graph.transaction(ops);
      cache = null;
      await graph.save();
      result = summary();
    } else {
      const base = name || files[0]?.name.replace(/\.[^.]*$/, '') || 'import';
      result = await createGraph(await uniqueName(base), batch, progress);
    }
    return { ...result, imported: { nodes: batch.nodes.length, edges: batch.edges.length }, ms: Math.round(performance.now() - start) };
  },

  /** The bundled sample, fetched by the worker (same origin). */
  async loadSample({ url }) {
    await ready;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the sample could not be loaded: ${response.status} ${response.statusText}`);
    const blob = await response.blob();
    return handlers.import({ files: [new File([blob], 'sample.jsonl')], mode: 'new', name: 'sample' }, () => {});
  },

  /** A synthetic knowledge graph of `nodes` nodes and `edges` edges, as a new saved graph. */
  async generate({ nodes, edges, seed = 3 }, progress) {
    await ready;
    const start = performance.now();
    progress({ phase: 'generating', done: 0, total: 1 });
    const batch = generateKnowledgeGraph({ nodes, edges, seed });
    const size = nodes >= 1000 ? `${Math.round(nodes / 1000)}k` : String(nodes);
    const result = await createGraph(await uniqueName(`synthetic-${size}`), batch, progress);
    return { ...result, ms: Math.round(performance.now() - start) };
  },

  summary,

  /**
   * The first view of a graph: all of it when small, else its best-connected
   * nodes, each with some of its neighbours (so the view shows structure, not
   * a scatter of hubs), `limit` nodes in all.
   */
  overview({ limit = 200, hubs = 25 }) {
    const g = need();
    if (g.countNodes() <= limit) return withEdges(g.getNodes().map((n) => n.id));
    const degrees = g.degrees({ direction: 'both' });
    const top = Object.keys(degrees)
      .sort((a, b) => degrees[b] - degrees[a])
      .slice(0, hubs);
    const ids = new Set(top);
    const perHub = Math.max(1, Math.floor((limit - top.length) / top.length));
    for (const hub of top) {
      let taken = 0;
      for (const id of g.neighbors(hub, 'both')) {
        if (taken >= perHub || ids.size >= limit) break;
        if (!ids.has(id)) {
          ids.add(id);
          taken++;
        }
      }
    }
    return withEdges([...ids]);
  },

  /** Nodes whose id (first) or a string/number property contains `text`. */
  search({ text, limit = 30 }) {
    const q = text.trim().toLowerCase();
    if (!q) return { total: 0, hits: [] };
    const { search } = derived();
    const exact = [];
    const byId = [];
    const byProperty = [];
    for (const entry of search) {
      if (entry.idText === q) exact.push(entry);
      else if (entry.idText.includes(q)) byId.push(entry);
      else if (entry.text.includes(q)) byProperty.push(entry);
    }
    const all = [...exact, ...byId, ...byProperty];
    return { total: all.length, hits: all.slice(0, limit).map(({ id, label, name }) => ({ id, label, name })) };
  },

  /** One node's record, degrees and edge labels (for the details panel). */
  node({ id }) {
    const g = need();
    const node = g.getNode(id);
    if (!node) throw new Error(`node '${id}' does not exist`);
    const count = (edges) => edges.reduce((acc, e) => ((acc[e.label] = (acc[e.label] ?? 0) + 1), acc), {});
    const out = g.edgesFrom(id);
    const incoming = g.edgesTo(id);
    return { node, out: out.length, in: incoming.length, outLabels: count(out), inLabels: count(incoming) };
  },

  /** A node's neighbours (`direction`, optionally only over edges labelled `label`), at most `limit`. */
  expand({ id, direction = 'both', label = null, limit = 200, visible = [] }) {
    const g = need();
    const neighbours = new Set();
    if (direction !== 'in') for (const e of g.edgesFrom(id, label)) neighbours.add(e.target);
    if (direction !== 'out') for (const e of g.edgesTo(id, label)) neighbours.add(e.source);
    const all = [...neighbours];
    const ids = all.slice(0, limit);
    const result = withEdges([id, ...ids], visible);
    if (label) result.edges = result.edges.filter((e) => e.label === label || !(e.source === id || e.target === id));
    return { ...result, total: all.length };
  },

  /** Everything within `k` hops of `id`, at most `limit` nodes. */
  neighbourhood({ id, k = 2, direction = 'both', limit = 1500 }) {
    const g = need();
    const [all, ms] = timed(() => g.kHop(id, k, direction));
    const reached = [id, ...all.filter((n) => n !== id)];
    return { ...withEdges(reached.slice(0, limit)), total: reached.length, ms };
  },

  /** Nodes and edges for ids the page wants to show (query results, a path). */
  subgraph({ ids, visible = [] }) {
    return withEdges(ids, visible);
  },

  /** A property query with its plan. */
  query({ label, expr, params, limit = 200 }) {
    const g = need();
    const [matches, ms] = timed(() => g.queryNodes(label, expr, params));
    const plan = g.explain(label, expr, params);
    return { plan, total: matches.length, ms, nodes: matches.slice(0, limit) };
  },

  /** A secondary index on a node property (queries use it; saved with the graph). */
  async createIndex({ label, property }) {
    const g = need();
    if (!property) throw new Error('name the property to index');
    g.createIndex(label, property);
    await g.save();
    return g.indexes();
  },

  pageRank() {
    const g = need();
    const [result, ms] = timed(() => g.pageRank());
    const top = Object.entries(result.ranks)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10);
    return { ...result, top, ms };
  },

  louvain() {
    const g = need();
    const [result, ms] = timed(() => g.louvain());
    return { ...result, ms };
  },

  /** The shortest path (hop count) and an edge for each step. */
  path({ from, to, direction = 'both' }) {
    const g = need();
    for (const id of [from, to]) if (!g.hasNode(id)) throw new Error(`node '${id}' does not exist`);
    const [path, ms] = timed(() => g.shortestPath(from, to, { direction }));
    if (!path) return { found: false, ms };
    const edges = [];
    for (let i = 1; i < path.nodes.length; i++) {
      const [a, b] = [path.nodes[i - 1], path.nodes[i]];
      const step = g.edgesFrom(a).find((e) => e.target === b) ?? g.edgesFrom(b).find((e) => e.target === a);
      if (step) edges.push(slimEdge(step));
    }
    return { found: true, ms, cost: path.cost, nodes: g.getNodesByIds(path.nodes), pathIds: path.nodes, edges };
  },

  stats() {
    const g = need();
    const [graphStats, ms] = timed(() => g.graphStats());
    return { ...summary(), metrics: g.metrics(), graphStats, ms, indexes: g.indexes() };
  },

  /** The whole graph as a snapshot (bytes), JSON Lines or graphology JSON (text). */
  export({ format }) {
    const g = need();
    if (format === 'snapshot') {
      const bytes = g.toSnapshot();
      return transferable({ name: `${current}.mayakgs`, bytes, type: 'application/octet-stream' }, [bytes.buffer]);
    }
    if (format === 'jsonl') return { name: `${current}.jsonl`, text: toJsonLines(g.getNodes(), g.getEdges()), type: 'application/x-ndjson' };
    if (format === 'graphology') return { name: `${current}.json`, text: toJson(g.toGraphology()), type: 'application/json' };
    throw new Error(`unknown export format '${format}'`);
  },
};

serve(self, handlers);
