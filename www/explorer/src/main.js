// The page: wires the sidebar and details panel to the graph worker and the
// sigma view. All graph work happens in the worker (src/worker.js); this thread
// renders and handles input.

import { WorkerClient } from './rpc.js';
import { GraphView } from './view.js';
import { $, download, fillDl, fillLabelFilter, fillList, fillSelect, formatValue, showMessage } from './panels.js';

const LAST = 'maya-explorer:last-graph';
const EXPAND_LIMIT = 200; // neighbours added by one Expand
const client = new WorkerClient(new Worker('worker.js', { type: 'module' }));
const view = new GraphView($('graph-container'), { onClickNode: (id) => selectNode(id), onClickStage: () => selectNode(null) });
let summary = null; // the open graph: { name, nodes, edges, nodeLabels, edgeLabels, indexes }
let selected = null;
const timings = {};

client.onBusyChange = (busy) => {
  $('busy').hidden = busy === 0;
  document.body.dataset.busy = String(busy);
};

/**
 * Runs an action, showing its error (if any) in the message line. When the
 * outermost action ends, `body[data-done]` counts up (tests wait on it).
 */
let depth = 0;
let done = 0;
async function run(action) {
  depth++;
  try {
    return await action();
  } catch (error) {
    showMessage(error.message, true);
    return undefined;
  } finally {
    if (--depth === 0) {
      hideProgress();
      document.body.dataset.done = String(++done);
    }
  }
}

function progress({ phase, done, total }) {
  $('progress').hidden = false;
  $('progress').dataset.updates = String(Number($('progress').dataset.updates ?? 0) + 1);
  $('progress').value = total ? done / total : 0;
  $('progress-text').textContent = `${phase}${total > 1 ? ` ${Math.round((100 * done) / total)}%` : ''}`;
}

function hideProgress() {
  $('progress').hidden = true;
  $('progress-text').textContent = '';
}

function recordTiming(key, ms) {
  timings[key] = ms;
  fillDl($('timings'), Object.entries(timings));
}

function updateViewCounts() {
  const { nodes, edges } = view.counts();
  const counts = $('view-counts');
  counts.textContent = `${nodes} nodes, ${edges} edges shown`;
  counts.dataset.nodes = String(nodes);
  counts.dataset.edges = String(edges);
  $('graph-container').dataset.highlighted = String(view.highlighted.size);
  $('graph-container').dataset.path = String(view.pathNodes.size);
}

const visibleIds = () => view.graph.nodes();

// --- graphs: open, list, delete, import, sample, generate -------------------

async function refreshGraphList(names) {
  names ??= await client.call('list');
  fillSelect($('graph-list'), names);
  if (summary) $('graph-list').value = summary.name;
  $('graph-list').dataset.count = String(names.length);
}

function showSummary(s) {
  summary = s;
  $('graph-name').textContent = s ? s.name : 'no graph open';
  $('graph-counts').textContent = s ? `${s.nodes} nodes, ${s.edges} edges` : '';
  $('graph-counts').dataset.nodes = s ? String(s.nodes) : '';
  $('graph-counts').dataset.edges = s ? String(s.edges) : '';
  view.setHiddenLabels([], []); // the filters start anew with every graph
  fillLabelFilter($('node-labels'), s?.nodeLabels ?? {}, (l) => view.colourOf(l), (hidden) => {
    view.setHiddenLabels(hidden, view.hiddenEdgeLabels);
    updateViewCounts();
  });
  fillLabelFilter($('edge-labels'), s?.edgeLabels ?? {}, null, (hidden) => {
    view.setHiddenLabels(view.hiddenNodeLabels, hidden);
    updateViewCounts();
  });
  fillSelect($('query-label'), Object.keys(s?.nodeLabels ?? {}));
  showIndexes(s?.indexes ?? []);
}

function showIndexes(indexes) {
  const nodeIndexes = indexes.filter((i) => i.kind === 'node').map((i) => `${i.label}.${i.property}`);
  $('index-list').textContent = nodeIndexes.length ? `Indexes: ${nodeIndexes.join(', ')}` : 'No indexes.';
  $('index-list').dataset.count = String(nodeIndexes.length);
}

/** After a graph was opened, imported or generated: header, filters, first view. */
async function afterOpen(s) {
  showSummary(s);
  localStorage.setItem(LAST, s.name);
  view.clear();
  selectNode(null);
  $('algo-result').textContent = '';
  $('algo-top').replaceChildren();
  $('query-results').replaceChildren();
  $('query-plan').textContent = '';
  $('query-count').textContent = '';
  $('stats').replaceChildren();
  await showOverview();
  await refreshGraphList();
}

async function showOverview() {
  view.clear({ keepScores: true });
  view.add(await client.call('overview', { limit: 200 }));
  view.layout();
  updateViewCounts();
}

async function openGraph(name) {
  const start = performance.now();
  let s;
  try {
    s = await client.call('open', { name });
  } catch (error) {
    // The worker closed the previous graph before trying this one.
    showSummary(null);
    view.clear();
    selectNode(null);
    updateViewCounts();
    throw error;
  }
  await afterOpen(s);
  recordTiming('open', Math.round(performance.now() - start));
  showMessage(`Opened '${s.name}': ${s.nodes} nodes, ${s.edges} edges.`);
}

$('open-graph').addEventListener('click', () => run(async () => {
  const name = $('graph-list').value;
  if (name) await openGraph(name);
}));

$('delete-graph').addEventListener('click', () => run(async () => {
  const name = $('graph-list').value;
  if (!name || !confirm(`Delete the saved graph '${name}'? This cannot be undone.`)) return;
  const names = await client.call('delete', { name });
  if (summary?.name === name) {
    showSummary(null);
    view.clear();
    selectNode(null);
    updateViewCounts();
    localStorage.removeItem(LAST);
  }
  await refreshGraphList(names);
  showMessage(`Deleted '${name}'.`);
}));

$('load-sample').addEventListener('click', () => run(async () => {
  const start = performance.now();
  const s = await client.call('loadSample', { url: new URL('sample.jsonl', location.href).href });
  await afterOpen(s);
  recordTiming('load sample', Math.round(performance.now() - start));
  showMessage(`Loaded the sample as '${s.name}': ${s.nodes} nodes, ${s.edges} edges.`);
}));

$('generate').addEventListener('click', () => run(async () => {
  const start = performance.now();
  const nodes = Math.max(10, Math.min(1_000_000, Number($('generate-nodes').value) || 10_000));
  const edges = Math.max(0, Math.min(5_000_000, Number($('generate-edges').value) || 0));
  const s = await client.call('generate', { nodes, edges }, { onProgress: progress });
  recordTiming('generate + store (worker)', s.ms);
  await afterOpen(s);
  recordTiming('generate (total)', Math.round(performance.now() - start));
  showMessage(`Generated '${s.name}': ${s.nodes} nodes, ${s.edges} edges.`);
}));

$('import-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    const files = [...$('file-input').files];
    if (files.length === 0) throw new Error('pick one or more files to import first');
    const mode = $('import-mode').value;
    const start = performance.now();
    const s = await client.call('import', { files, mode, name: $('import-name').value.trim() }, { onProgress: progress });
    await afterOpen(s);
    recordTiming('import', Math.round(performance.now() - start));
    const into = mode === 'merge' ? `merged into '${s.name}'` : `as '${s.name}'`;
    showMessage(`Imported ${s.imported.nodes} nodes and ${s.imported.edges} edges from ${files.map((f) => f.name).join(', ')} ${into}.`);
    $('file-input').value = '';
  });
});

// --- search and details ------------------------------------------------------

let searchTimer = null;
$('search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => run(async () => {
    if (!summary) return;
    const { total, hits } = await client.call('search', { text: $('search').value });
    $('search-count').textContent = $('search').value.trim() ? `${total} match${total === 1 ? '' : 'es'}` : '';
    $('search-count').dataset.total = String(total);
    fillList($('search-results'), hits.map((h) => ({ id: h.id, text: `${h.name || h.id} · ${h.label} · ${h.id}` })), showNode);
  }), 150);
});

// Enter shows the first match.
$('search').addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || !summary) return;
  clearTimeout(searchTimer);
  run(async () => {
    const { hits } = await client.call('search', { text: $('search').value, limit: 1 });
    if (hits.length) await showNode(hits[0].id);
  });
});

/** Shows a node (adding it to the view if needed) and selects it. */
async function showNode(id) {
  await run(async () => {
    if (!view.graph.hasNode(id)) {
      view.add(await client.call('subgraph', { ids: [id], visible: visibleIds() }));
      view.layout(800);
      updateViewCounts();
    }
    await selectNode(id);
    view.focus(id);
  });
}

async function selectNode(id) {
  selected = id;
  view.select(id);
  $('details').hidden = !id;
  if (!id) return;
  await run(async () => {
    const info = await client.call('node', { id });
    if (selected !== id) return;
    const { node } = info;
    $('details-title').textContent = String(node.properties.name ?? node.properties.title ?? node.id);
    $('details-label').textContent = `${node.label} · id ${node.id}`;
    fillDl($('details-properties'), Object.entries(node.properties));
    $('details-degree').textContent = `${info.out} outgoing, ${info.in} incoming edges`;
    const labels = [...new Set([...Object.keys(info.outLabels), ...Object.keys(info.inLabels)])].sort();
    fillSelect($('expand-label'), labels, 'any label');
  });
}

$('expand').addEventListener('click', () => run(async () => {
  if (!selected) return;
  const label = $('expand-label').value || null;
  const result = await client.call('expand', { id: selected, direction: $('expand-direction').value, label, limit: EXPAND_LIMIT, visible: visibleIds() });
  const added = view.add(result, selected);
  view.layout();
  updateViewCounts();
  showMessage(`${added} new neighbours shown (${Math.min(result.total, EXPAND_LIMIT)} of ${result.total}${label ? ` over ${label}` : ''}).`);
}));

$('collapse').addEventListener('click', () => {
  if (!selected) return;
  const removed = view.collapse(selected);
  updateViewCounts();
  showMessage(`${removed} neighbours hidden.`);
});

$('focus').addEventListener('click', () => run(async () => {
  if (!selected) return;
  const k = Math.max(1, Math.min(5, Number($('focus-k').value) || 2));
  const result = await client.call('neighbourhood', { id: selected, k, direction: $('expand-direction').value });
  const keep = selected;
  view.clear({ keepScores: true });
  view.add(result);
  view.layout();
  view.select(keep);
  selected = keep;
  updateViewCounts();
  recordTiming('kHop', result.ms);
  showMessage(`Showing ${result.nodes.length} of ${result.total} nodes within ${k} hops of '${keep}'.`);
}));

$('path-from-here').addEventListener('click', () => selected && ($('path-from').value = selected));
$('path-to-here').addEventListener('click', () => selected && ($('path-to').value = selected));

// --- query -------------------------------------------------------------------

$('query-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    const text = $('query-params').value.trim();
    let params;
    if (text) {
      try {
        params = JSON.parse(text);
      } catch (e) {
        throw new Error(`the parameters are not JSON (e.g. [30, "Oslo"] or {"age": 30}): ${e.message}`);
      }
    }
    const label = $('query-label').value;
    const result = await client.call('query', { label, expr: $('query-expr').value, params });
    recordTiming('query', result.ms);
    $('query-plan').textContent = result.plan.text;
    $('query-count').textContent = `${result.total} match${result.total === 1 ? '' : 'es'}${result.total > result.nodes.length ? ` (first ${result.nodes.length} listed)` : ''}, ${result.ms} ms`;
    $('query-count').dataset.total = String(result.total);
    fillList($('query-results'), result.nodes.map((n) => ({ id: n.id, text: `${n.properties.name ?? n.properties.title ?? n.id} · ${n.id}` })), showNode);
    const shown = result.nodes.slice(0, 100).map((n) => n.id);
    view.add(await client.call('subgraph', { ids: shown, visible: visibleIds() }));
    view.setPath([], []);
    view.setHighlighted(result.nodes.map((n) => n.id));
    view.layout();
    view.resetCamera();
    updateViewCounts();
  });
});

$('create-index').addEventListener('click', () => run(async () => {
  const label = $('query-label').value;
  const property = $('index-property').value.trim();
  showIndexes(await client.call('createIndex', { label, property }));
  showMessage(`Indexed ${label}.${property}: queries on it now seek instead of scanning.`);
}));

// --- algorithms ----------------------------------------------------------------

$('run-pagerank').addEventListener('click', () => run(async () => {
  const result = await client.call('pageRank');
  recordTiming('pageRank', result.ms);
  view.setHighlighted([]);
  view.setPath([], []);
  view.setRanks(result.ranks);
  updateViewCounts();
  $('algo-result').textContent = `PageRank: ${result.converged ? 'converged' : 'stopped'} after ${result.iterations} iterations, ${result.ms} ms. Node size = rank.`;
  fillList($('algo-top'), result.top.map(([id, r]) => ({ id, text: `${id} · ${formatValue(r)}` })), showNode);
}));

$('run-louvain').addEventListener('click', () => run(async () => {
  const result = await client.call('louvain');
  recordTiming('louvain', result.ms);
  view.setHighlighted([]);
  view.setPath([], []);
  view.setCommunities(result.community);
  updateViewCounts();
  $('algo-result').textContent = `Louvain: ${result.count} communities, modularity ${formatValue(result.modularity)}, ${result.ms} ms. Colour = community.`;
  $('algo-result').dataset.communities = String(result.count);
  $('algo-top').replaceChildren();
}));

$('path-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    const [from, to] = [$('path-from').value.trim(), $('path-to').value.trim()];
    const result = await client.call('path', { from, to, direction: 'both' });
    recordTiming('shortestPath', result.ms);
    if (!result.found) {
      view.setPath([], []);
      $('algo-result').textContent = `No path between '${from}' and '${to}'.`;
      $('algo-result').dataset.pathLength = '';
      return;
    }
    view.add({ nodes: result.nodes, edges: result.edges });
    view.add(await client.call('subgraph', { ids: result.pathIds, visible: visibleIds() }));
    view.setHighlighted([]);
    view.setPath(result.pathIds, result.edges.map((e) => e.id));
    view.layout();
    view.resetCamera();
    updateViewCounts();
    $('algo-result').textContent = `Path (${result.pathIds.length - 1} hops): ${result.pathIds.join(' → ')}`;
    $('algo-result').dataset.pathLength = String(result.pathIds.length - 1);
  });
});

$('clear-marks').addEventListener('click', () => {
  view.setHighlighted([]);
  view.setPath([], []);
  view.setCommunities(null);
  view.setRanks(null);
  $('algo-result').textContent = '';
  $('algo-top').replaceChildren();
  updateViewCounts();
});

$('show-stats').addEventListener('click', () => run(async () => {
  const s = await client.call('stats');
  recordTiming('graphStats', s.ms);
  const { metrics: m, graphStats: g } = s;
  fillDl($('stats'), [
    ['nodes', s.nodes],
    ['edges', s.edges],
    ['average degree', g.avgDegree],
    ['density', g.density],
    [g.diameterExact ? 'diameter' : 'diameter (at least)', g.diameter],
    ...Object.entries(s.nodeLabels).map(([l, n]) => [`node label ${l}`, n]),
    ...Object.entries(s.edgeLabels).map(([l, n]) => [`edge label ${l}`, n]),
    ['indexes', s.indexes.map((i) => `${i.label}.${i.property}`).join(', ') || 'none'],
    ['cache hit rate', m.cacheHitRate],
    ['cached records', m.cachedRecords],
    ['index entries', m.indexEntries],
    ['property columns', m.queryColumns],
    ['topology bytes', m.topologyBytes],
    ['commits', m.commits],
    ['unsaved changes', m.unsavedChanges],
  ]);
}));

// --- export ----------------------------------------------------------------------

for (const format of ['snapshot', 'jsonl', 'graphology']) {
  $(`export-${format}`).addEventListener('click', () => run(async () => {
    const file = await client.call('export', { format });
    download(file.name, file.bytes ?? file.text, file.type);
    showMessage(`Exported ${file.name}.`);
  }));
}

// --- toolbar and start -------------------------------------------------------------

$('show-overview').addEventListener('click', () => run(() => summary && showOverview()));
$('relayout').addEventListener('click', () => view.layout());
$('reset-camera').addEventListener('click', () => view.resetCamera());

async function start() {
  const { graphs } = await client.call('init');
  await refreshGraphList(graphs);
  const last = localStorage.getItem(LAST);
  if (last && graphs.includes(last)) await openGraph(last);
  else showMessage(graphs.length ? 'Pick a saved graph, load the sample or import a file.' : 'No saved graphs yet: load the sample, generate a large graph or import a file.');
}

run(start).finally(() => {
  document.body.dataset.ready = 'true';
});
