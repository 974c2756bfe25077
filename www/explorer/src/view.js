// Rendering: the visible part of the graph as a graphology graph drawn by sigma
// (WebGL), laid out by ForceAtlas2 in its own worker. Knows nothing of the
// KnowledgeGraph: it is handed node and edge records and display state
// (highlights, path, PageRank sizes, communities, label filters).
//
// Entry point: `const view = new GraphView(container, { onClickNode })`.

import Graph from 'graphology';
import Sigma from 'sigma';
import FA2Layout from 'graphology-layout-forceatlas2/worker';
import forceAtlas2 from 'graphology-layout-forceatlas2';

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const DIM = '#e4e4e4';
const PATH = '#d62728';
const HIGHLIGHT = '#111111';

/** A stable colour for each node label, in order of first sight. */
class LabelColours {
  constructor() {
    this.map = new Map();
  }
  get(label) {
    if (!this.map.has(label)) this.map.set(label, PALETTE[this.map.size % PALETTE.length]);
    return this.map.get(label);
  }
}

/** A distinct colour per community (golden-angle hues), as hex: sigma's WebGL programs parse hex and rgb, not hsl. */
function communityColour(c) {
  const h = (c * 137.508) % 360;
  const [s, l] = [0.62, 0.52];
  const k = (n) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return `#${[f(0), f(8), f(4)].map((x) => Math.round(x * 255).toString(16).padStart(2, '0')).join('')}`;
}
const displayName = (node) => String(node.properties?.name ?? node.properties?.title ?? node.id);

export class GraphView {
  constructor(container, { onClickNode = () => {}, onClickStage = () => {} } = {}) {
    this.graph = new Graph({ multi: true, type: 'directed', allowSelfLoops: true });
    this.labelColours = new LabelColours();
    this.selected = null;
    this.highlighted = new Set();
    this.pathNodes = new Set();
    this.pathEdges = new Set();
    this.hiddenNodeLabels = new Set();
    this.hiddenEdgeLabels = new Set();
    this.ranks = null; // id -> size
    this.communities = null; // id -> community
    this.layoutTimer = null;
    this.sigma = new Sigma(this.graph, container, {
      defaultEdgeType: 'arrow',
      renderEdgeLabels: false,
      labelRenderedSizeThreshold: 5,
      zIndex: true,
      nodeReducer: (id, attrs) => this.reduceNode(id, attrs),
      edgeReducer: (id, attrs) => this.reduceEdge(id, attrs),
    });
    this.sigma.on('clickNode', ({ node }) => onClickNode(node));
    this.sigma.on('clickStage', () => onClickStage());
  }

  colourOf(label) {
    return this.labelColours.get(label);
  }

  reduceNode(id, attrs) {
    const out = { ...attrs };
    if (this.hiddenNodeLabels.has(attrs.kgLabel)) return { ...out, hidden: true };
    if (this.communities && this.communities.has(id)) out.color = communityColour(this.communities.get(id));
    if (this.ranks && this.ranks.has(id)) out.size = this.ranks.get(id);
    const marked = this.highlighted.size > 0 || this.pathNodes.size > 0;
    if (this.pathNodes.has(id)) {
      out.color = PATH;
      out.zIndex = 2;
      out.forceLabel = true;
    } else if (this.highlighted.has(id)) {
      out.size = (out.size ?? 5) * 1.4;
      out.zIndex = 1;
      out.forceLabel = this.highlighted.size <= 25;
    } else if (marked) {
      out.color = DIM;
      out.label = '';
      out.zIndex = 0;
    }
    if (id === this.selected) {
      out.highlighted = true;
      out.forceLabel = true;
      out.zIndex = 3;
    }
    return out;
  }

  reduceEdge(id, attrs) {
    const out = { ...attrs };
    if (this.hiddenEdgeLabels.has(attrs.kgLabel)) return { ...out, hidden: true };
    const [s, t] = this.graph.extremities(id);
    if (this.hiddenNodeLabels.has(this.graph.getNodeAttribute(s, 'kgLabel')) || this.hiddenNodeLabels.has(this.graph.getNodeAttribute(t, 'kgLabel'))) {
      return { ...out, hidden: true };
    }
    if (this.pathEdges.has(id)) return { ...out, color: PATH, size: 3, zIndex: 2 };
    if (this.selected && (s === this.selected || t === this.selected)) return { ...out, color: '#555', size: 1.5, zIndex: 1 };
    if (this.highlighted.size > 0 || this.pathNodes.size > 0) out.color = '#eeeeee';
    return out;
  }

  /** Adds records (already present ones are kept); new nodes start near `anchor`. Returns how many nodes were new. */
  add({ nodes = [], edges = [] }, anchor = null) {
    let origin = { x: 0, y: 0 };
    if (anchor && this.graph.hasNode(anchor)) origin = this.graph.getNodeAttributes(anchor);
    const spread = Math.max(10, Math.sqrt(this.graph.order + nodes.length) * 3);
    let added = 0;
    nodes.forEach((node, i) => {
      if (this.graph.hasNode(node.id)) return;
      const angle = (2 * Math.PI * i) / Math.max(1, nodes.length) + Math.random() * 0.3;
      const radius = anchor ? 4 + Math.random() * 6 : Math.random() * spread;
      this.graph.addNode(node.id, {
        x: origin.x + Math.cos(angle) * radius,
        y: origin.y + Math.sin(angle) * radius,
        size: 5,
        label: displayName(node),
        kgLabel: node.label,
        color: this.colourOf(node.label),
      });
      added++;
    });
    for (const edge of edges) {
      const key = String(edge.id);
      if (this.graph.hasEdge(key) || !this.graph.hasNode(edge.source) || !this.graph.hasNode(edge.target)) continue;
      this.graph.addDirectedEdgeWithKey(key, edge.source, edge.target, { kgLabel: edge.label, size: 1, color: '#b8b8b8' });
    }
    this.resize();
    return added;
  }

  /** Removes the neighbours of `id` that hang on it alone (collapse); returns how many went. */
  collapse(id) {
    if (!this.graph.hasNode(id)) return 0;
    const lone = this.graph.neighbors(id).filter((n) => this.graph.neighbors(n).every((m) => m === id));
    for (const n of lone) this.graph.dropNode(n);
    this.resize();
    return lone.length;
  }

  /** Empties the view; `keepScores` keeps PageRank sizes and communities (same graph, new view). */
  clear({ keepScores = false } = {}) {
    this.stopLayout();
    this.graph.clear();
    this.selected = null;
    this.highlighted = new Set();
    this.pathNodes = new Set();
    this.pathEdges = new Set();
    if (!keepScores) {
      this.ranks = null;
      this.communities = null;
    }
    this.refresh();
  }

  /** Node sizes from PageRank scores (kept for nodes shown later); `null`: sizes by degree again. */
  setRanks(ranks) {
    if (!ranks) {
      this.ranks = null;
      this.refresh();
      return;
    }
    const max = Math.max(...Object.values(ranks), 1e-12);
    this.ranks = new Map(Object.entries(ranks).map(([id, r]) => [id, 3 + 22 * Math.sqrt(r / max)]));
    this.refresh();
  }

  setCommunities(community) {
    this.communities = community ? new Map(Object.entries(community)) : null;
    this.refresh();
  }

  setHighlighted(ids) {
    this.highlighted = new Set(ids);
    this.refresh();
  }

  setPath(nodeIds, edgeIds) {
    this.pathNodes = new Set(nodeIds);
    this.pathEdges = new Set(edgeIds.map(String));
    this.refresh();
  }

  select(id) {
    this.selected = id;
    this.refresh();
  }

  setHiddenLabels(nodeLabels, edgeLabels) {
    this.hiddenNodeLabels = new Set(nodeLabels);
    this.hiddenEdgeLabels = new Set(edgeLabels);
    this.refresh();
  }

  /** Sizes by degree in the view, unless PageRank set them. */
  resize() {
    for (const id of this.graph.nodes()) this.graph.setNodeAttribute(id, 'size', 4 + Math.min(12, Math.sqrt(this.graph.degree(id)) * 1.5));
  }

  refresh() {
    this.sigma.refresh();
  }

  counts() {
    let nodes = 0;
    let edges = 0;
    this.graph.forEachNode((id, a) => {
      if (!this.hiddenNodeLabels.has(a.kgLabel)) nodes++;
    });
    this.graph.forEachEdge((id, a, s, t, sa, ta) => {
      if (!this.hiddenEdgeLabels.has(a.kgLabel) && !this.hiddenNodeLabels.has(sa.kgLabel) && !this.hiddenNodeLabels.has(ta.kgLabel)) edges++;
    });
    return { nodes, edges, total: this.graph.order };
  }

  /** Lays out for `ms` milliseconds: a few synchronous rounds for a quick start, then ForceAtlas2 in its worker. */
  layout(ms = 1500) {
    this.stopLayout();
    if (this.graph.order === 0) return;
    const settings = forceAtlas2.inferSettings(this.graph);
    if (this.graph.order <= 300) forceAtlas2.assign(this.graph, { iterations: 30, settings, getEdgeWeight: null });
    this.fa2 = new FA2Layout(this.graph, { settings: { ...settings, slowDown: 5 }, getEdgeWeight: null });
    this.fa2.start();
    this.layoutTimer = setTimeout(() => this.stopLayout(), ms);
  }

  stopLayout() {
    clearTimeout(this.layoutTimer);
    if (this.fa2) {
      this.fa2.kill();
      this.fa2 = null;
    }
  }

  /** Moves the camera to a node. */
  focus(id) {
    const data = this.sigma.getNodeDisplayData(id);
    if (data) this.sigma.getCamera().animate({ x: data.x, y: data.y, ratio: 0.5 }, { duration: 400 });
  }

  resetCamera() {
    this.sigma.getCamera().animatedReset({ duration: 300 });
  }
}
