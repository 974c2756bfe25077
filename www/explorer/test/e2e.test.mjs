// End-to-end tests of the explorer in headless Chromium (playwright-core driving
// /usr/bin/chromium). Needs the page served: EXPLORER_URL=http://127.0.0.1:PORT/
// (test/run.sh builds, serves and sets it). The tests run in order and share one
// browser profile (IndexedDB survives reloads). Assertions read the DOM; each
// test also leaves a screenshot in test/artifacts/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const URL_ = process.env.EXPLORER_URL;
if (!URL_) throw new Error('set EXPLORER_URL (test/run.sh does)');
const here = fileURLToPath(new URL('.', import.meta.url));
const artifacts = join(here, 'artifacts');
const fixtures = join(here, 'fixtures');
mkdirSync(artifacts, { recursive: true });

let context;
let page;
let profile;
let downloads;
const figures = {};
const foreign = [];

before(async () => {
  profile = mkdtempSync(join(tmpdir(), 'explorer-profile-'));
  downloads = mkdtempSync(join(tmpdir(), 'explorer-downloads-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  // Everything the page loads must come from the static server (no network at run time).
  context.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(URL_) && !/^(blob|data):/.test(url)) foreign.push(url);
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('dialog', (d) => d.accept());
  await page.goto(URL_);
  await page.waitForSelector('body[data-ready=true]');
});

after(async () => {
  writeFileSync(join(artifacts, 'figures.json'), JSON.stringify(figures, null, 2) + '\n');
  console.log('figures (ms):', JSON.stringify(figures));
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(downloads, { recursive: true, force: true });
});

const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`) });
const text = (selector) => page.textContent(selector);
const data = (selector, key) => page.$eval(selector, (el, k) => el.dataset[k], key);
const graphCounts = async () => ({ nodes: Number(await data('#graph-counts', 'nodes')), edges: Number(await data('#graph-counts', 'edges')) });
const viewCounts = async () => ({ nodes: Number(await data('#view-counts', 'nodes')), edges: Number(await data('#view-counts', 'edges')) });
const timing = (key) => page.$eval(`#timings dd[data-key="${key}"]`, (el) => Number(el.textContent));
const savedGraphs = () => page.$$eval('#graph-list option', (os) => os.map((o) => o.value));

/** Does `fn` (clicks, typing) and waits until the page's action it starts has finished. */
async function act(fn, timeout = 60_000) {
  const before_ = Number((await data('body', 'done')) ?? 0);
  await fn();
  await page.waitForFunction((n) => Number(document.body.dataset.done) > n, before_, { timeout });
}

async function importFiles(names, { mode = 'new', name = '' } = {}) {
  await page.setInputFiles('#file-input', names.map((n) => (n.startsWith('/') ? n : join(fixtures, n))));
  await page.selectOption('#import-mode', mode);
  await page.fill('#import-name', name);
  await act(() => page.click('#import'));
}

/** Opens the sidebar section holding `selector` (sections are <details>). */
const openSection = (selector) => page.$eval(`details:has(${selector})`, (d) => (d.open = true));

async function openSaved(name) {
  await page.selectOption('#graph-list', name);
  await act(() => page.click('#open-graph'));
  assert.equal(await text('#graph-name'), name);
}

test('loads the bundled sample', async () => {
  await act(() => page.click('#load-sample'));
  assert.equal(await text('#graph-name'), 'sample');
  assert.deepEqual(await graphCounts(), { nodes: 1500, edges: 6000 });
  const shown = await viewCounts();
  assert.ok(shown.nodes >= 100 && shown.edges > 0, JSON.stringify(shown));
  assert.ok((await page.$$('#node-labels input')).length === 5);
  assert.ok((await page.$$('#edge-labels input')).length >= 8);
  figures['load sample'] = await timing('load sample');
  await page.waitForTimeout(1600); // let the layout settle for the screenshot
  await shot('01-sample');
});

test('searches by property and by id, and shows a node', async () => {
  await act(() => page.fill('#search', 'helsinki'));
  assert.ok(Number(await data('#search-count', 'total')) >= 1);
  await act(() => page.click('#search-results li >> nth=0'));
  assert.equal(await page.isHidden('#details'), false);
  assert.equal(await text('#details-title'), 'Helsinki');
  assert.match(await text('#details-label'), /^Place · id helsinki$/);
  assert.match(await text('#details-properties'), /country\s*Finland/);
  // Wait for the typed search to finish first: `act` returns on the next
  // finished action, which could otherwise be the search, not the Enter.
  await act(() => page.fill('#search', 'oslo'));
  await act(() => page.press('#search', 'Enter'));
  assert.equal(await text('#details-title'), 'Oslo');
  await act(() => page.fill('#search', 'ada-hopper'));
  assert.match(await text('#search-results li >> nth=0'), /ada-hopper$/);
  await shot('02-search');
});

test('expands, collapses and focuses on a neighbourhood', async () => {
  await act(() => page.click('#search-results li >> nth=0')); // ada-hopper
  assert.match(await text('#details-label'), /id ada-hopper/);
  const before_ = await viewCounts();
  await page.selectOption('#expand-direction', 'both');
  await act(() => page.click('#expand'));
  const expanded = await viewCounts();
  assert.ok(expanded.nodes > before_.nodes, `${JSON.stringify(before_)} -> ${JSON.stringify(expanded)}`);
  assert.match(await text('#message'), /new neighbours shown/);
  // only outgoing KNOWS edges
  const options = await page.$$eval('#expand-label option', (os) => os.map((o) => o.value));
  assert.ok(options.includes('KNOWS'), options.join());
  await page.click('#collapse');
  const collapsed = await viewCounts();
  assert.ok(collapsed.nodes < expanded.nodes, `${JSON.stringify(expanded)} -> ${JSON.stringify(collapsed)}`);
  await page.fill('#focus-k', '2');
  await act(() => page.click('#focus'));
  assert.match(await text('#message'), /within 2 hops of 'ada-hopper'/);
  assert.ok((await viewCounts()).nodes > 1);
  await page.waitForTimeout(800);
  await shot('03-expand-focus');
});

test('filters by node and edge label', async () => {
  const all = await viewCounts();
  await page.uncheck('#node-labels input[data-label="Person"]');
  const noPeople = await viewCounts();
  assert.ok(noPeople.nodes < all.nodes);
  await page.uncheck('#edge-labels input[data-label="KNOWS"]');
  assert.ok((await viewCounts()).edges <= noPeople.edges);
  await shot('04-filter');
  await page.check('#node-labels input[data-label="Person"]');
  await page.check('#edge-labels input[data-label="KNOWS"]');
  assert.deepEqual(await viewCounts(), all);
});

test('runs a property query with its plan and highlights the results', async () => {
  await page.selectOption('#query-label', 'Person');
  await page.fill('#query-expr', 'age > $1 AND active = true');
  await page.fill('#query-params', '[70]');
  await act(() => page.click('#query-run'));
  const total = Number(await data('#query-count', 'total'));
  assert.ok(total > 0 && total < 930, String(total));
  assert.match(await text('#query-plan'), /label scan 'Person'/);
  assert.match(await text('#query-plan'), /filter/);
  assert.equal(await page.$$eval('#query-results li', (li) => li.length), Math.min(total, 200));
  assert.equal(Number(await data('#graph-container', 'highlighted')), total);
  figures.query = await timing('query');
  await page.waitForTimeout(800);
  await shot('05-query');
  // with an index on age the plan seeks a range instead of scanning the label
  await page.fill('#index-property', 'age');
  await act(() => page.click('#create-index'));
  assert.match(await text('#index-list'), /Indexes: Person\.age/);
  await act(() => page.click('#query-run'));
  assert.match(await text('#query-plan'), /index range Person\.age/);
  assert.equal(Number(await data('#query-count', 'total')), total);
  // named parameters, and a syntax error shown in the page
  await page.fill('#query-expr', 'age > $min');
  await page.fill('#query-params', '{"min": 75}');
  await act(() => page.click('#query-run'));
  assert.ok(Number(await data('#query-count', 'total')) > 0);
  await page.fill('#query-expr', 'age >> 3');
  await act(() => page.click('#query-run'));
  assert.match(await text('#message'), /query error at column/);
});

test('runs PageRank and Louvain', async () => {
  await act(() => page.click('#run-pagerank'));
  assert.match(await text('#algo-result'), /PageRank: converged after \d+ iterations/);
  assert.equal(await page.$$eval('#algo-top li', (li) => li.length), 10);
  await act(() => page.click('#run-louvain'));
  assert.match(await text('#algo-result'), /Louvain: \d+ communities, modularity 0\.\d+/);
  assert.ok(Number(await data('#algo-result', 'communities')) > 1);
  figures['sample pageRank'] = await timing('pageRank');
  figures['sample louvain'] = await timing('louvain');
  await shot('06-algorithms');
});

test('finds and highlights a shortest path', async () => {
  await page.click('#clear-marks');
  await page.fill('#path-from', 'ada-hopper');
  await page.fill('#path-to', 'helsinki');
  await act(() => page.click('#run-path'));
  const hops = Number(await data('#algo-result', 'pathLength'));
  assert.ok(hops >= 1, await text('#algo-result'));
  assert.match(await text('#algo-result'), /^Path \(\d+ hops\): ada-hopper → .* → helsinki$|^Path \(1 hops\): ada-hopper → helsinki$/);
  assert.equal(Number(await data('#graph-container', 'path')), hops + 1);
  await page.fill('#path-to', 'no-such-node');
  await act(() => page.click('#run-path'));
  assert.match(await text('#message'), /node 'no-such-node' does not exist/);
  await page.waitForTimeout(800);
  await shot('07-path');
});

test('computes statistics', async () => {
  await openSection('#show-stats');
  await act(() => page.click('#show-stats'));
  assert.equal(await text('#stats dd[data-key="nodes"]'), '1500');
  assert.equal(await text('#stats dd[data-key="edges"]'), '6000');
  assert.equal(await text('#stats dd[data-key="node label Person"]'), '930');
  assert.ok(Number(await text('#stats dd[data-key="average degree"]')) > 0);
  await shot('08-stats');
});

test('a reload restores the last opened graph from IndexedDB', async () => {
  await page.reload();
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForFunction(() => document.querySelector('#graph-name').textContent === 'sample');
  assert.deepEqual(await graphCounts(), { nodes: 1500, edges: 6000 });
  assert.ok((await viewCounts()).nodes > 0);
  assert.match(await text('#index-list'), /Person\.age/, 'the index was saved with the graph');
  await shot('09-reload');
});

test('a second tab cannot open the graph this tab holds, and says so', async () => {
  const second = await context.newPage();
  try {
    await second.goto(URL_);
    await second.waitForSelector('body[data-ready=true]');
    assert.match(await second.textContent('#message'), /graph 'sample' is already open in another tab or worker/);
    assert.equal(await second.textContent('#graph-name'), 'no graph open');
    await second.screenshot({ path: join(artifacts, '09b-second-tab.png') });
  } finally {
    await second.close();
  }
  assert.deepEqual(await graphCounts(), { nodes: 1500, edges: 6000 });
});

test('imports JSON Lines, CSV (several files) and graphology JSON as new graphs', async () => {
  await importFiles(['people.jsonl']);
  assert.equal(await text('#graph-name'), 'people');
  assert.deepEqual(await graphCounts(), { nodes: 4, edges: 3 });
  assert.match(await text('#message'), /Imported 4 nodes and 3 edges from people.jsonl as 'people'/);
  await importFiles(['Person.csv', 'Company.csv', 'edges.csv'], { name: 'csv-import' });
  assert.equal(await text('#graph-name'), 'csv-import');
  assert.deepEqual(await graphCounts(), { nodes: 4, edges: 3 });
  await act(() => page.fill('#search', 'erin'));
  await act(() => page.click('#search-results li >> nth=0'));
  assert.match(await text('#details-properties'), /tags\s*\["a","b","c"\]/);
  await importFiles(['graph.json']);
  assert.equal(await text('#graph-name'), 'graph');
  assert.deepEqual(await graphCounts(), { nodes: 3, edges: 2 });
  assert.deepEqual(await savedGraphs(), ['csv-import', 'graph', 'people', 'sample']);
  // merge: the CSV graph's nodes into the JSON Lines one, an edge to a stored node
  await openSaved('people');
  const extra = join(downloads, 'extra.jsonl');
  writeFileSync(extra, '{"type":"node","id":"zoe","label":"Person"}\n{"type":"edge","source":"zoe","target":"alice","label":"KNOWS"}\n');
  await importFiles([extra], { mode: 'merge' });
  assert.deepEqual(await graphCounts(), { nodes: 5, edges: 4 });
  assert.equal(await text('#graph-name'), 'people');
  await shot('10-import');
});

test('switches between and deletes saved graphs', async () => {
  await openSaved('sample');
  assert.deepEqual(await graphCounts(), { nodes: 1500, edges: 6000 });
  await openSaved('graph');
  assert.deepEqual(await graphCounts(), { nodes: 3, edges: 2 });
  await page.selectOption('#graph-list', 'graph');
  await act(() => page.click('#delete-graph'));
  assert.deepEqual(await savedGraphs(), ['csv-import', 'people', 'sample']);
  assert.equal(await text('#graph-name'), 'no graph open');
  await page.reload();
  await page.waitForSelector('body[data-ready=true]');
  assert.deepEqual(await savedGraphs(), ['csv-import', 'people', 'sample']);
  await shot('11-delete');
});

test('exports snapshot, JSON Lines and graphology; each imports back with the same counts', async () => {
  await openSaved('sample');
  await openSection('#export-jsonl');
  for (const [button, file] of [['#export-snapshot', 'sample.mayakgs'], ['#export-jsonl', 'sample.jsonl'], ['#export-graphology', 'sample.json']]) {
    await openSaved('sample');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    assert.equal(download.suggestedFilename(), file);
    const path = join(downloads, file);
    await download.saveAs(path);
    await importFiles([path], { name: `re-${file.replace('.', '-')}` });
    assert.equal(await text('#graph-name'), `re-${file.replace('.', '-')}`);
    assert.deepEqual(await graphCounts(), { nodes: 1500, edges: 6000 }, file);
  }
  await shot('12-export');
});

test('a malformed file gives a clear message and changes nothing stored', async () => {
  await openSaved('people');
  const listBefore = await savedGraphs();
  const counts = await graphCounts();
  await importFiles(['bad.jsonl']);
  assert.match(await text('#message'), /^bad\.jsonl:3: invalid JSON/);
  assert.equal(await page.$eval('#message', (m) => m.classList.contains('error')), true);
  await importFiles(['Person.csv', 'bad.csv'], { mode: 'merge' });
  assert.match(await text('#message'), /^bad\.csv:3: column 'age': 'thirty' is not an integer/);
  const dangling = join(downloads, 'dangling.jsonl');
  writeFileSync(dangling, '{"type":"node","id":"q","label":"P"}\n{"type":"edge","source":"q","target":"nobody","label":"E"}\n');
  await importFiles([dangling], { mode: 'merge' });
  assert.match(await text('#message'), /^dangling\.jsonl:2: edge target 'nobody' is not a node/);
  await importFiles(['people.jsonl'], { mode: 'merge' });
  assert.match(await text('#message'), /^people\.jsonl:2: node 'alice' already exists in the current graph/);
  assert.equal(await text('#graph-name'), 'people');
  assert.deepEqual(await graphCounts(), counts);
  assert.deepEqual(await savedGraphs(), listBefore);
  await shot('13-malformed');
  await page.reload();
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForFunction(() => document.querySelector('#graph-name').textContent === 'people');
  assert.deepEqual(await graphCounts(), counts);
});

test('10K nodes / 50K edges: loads, and the page stays responsive while the worker computes', async () => {
  await act(() => page.click('#generate'), 180_000);
  assert.deepEqual(await graphCounts(), { nodes: 10_000, edges: 50_000 });
  figures['load 10K/50K (generate, store, first view)'] = await timing('generate (total)');
  figures['generate + store 10K/50K in the worker'] = await timing('generate + store (worker)');
  // Let the first view's layout settle (its animation frames are main-thread work, and
  // WebGL is software-rendered in headless Chromium), then measure the worker runs.
  await page.waitForTimeout(2000);
  // A heartbeat on the main thread: the longest gap between its ticks while the worker works.
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
    window.__gaps = [];
    let last = performance.now();
    window.__heartbeat = setInterval(() => {
      const now = performance.now();
      window.__gaps.push(now - last);
      last = now;
    }, 10);
  });
  await openSection('#show-stats');
  // Queue statistics (exact diameter: seconds at this size), PageRank and Louvain in the
  // worker, then use the page meanwhile: hide a node label (filters and re-renders the view).
  const doneBefore = Number(await data('body', 'done'));
  await page.click('#show-stats');
  await page.click('#run-pagerank');
  await page.click('#run-louvain');
  await page.waitForFunction(() => Number(document.body.dataset.busy) >= 1);
  // Five times: hide people, wait for the next frame, show them again; the median counts.
  const answer = await page.evaluate(async () => {
    const box = document.querySelector('#node-labels input[data-label="Person"]');
    const times = [];
    let hidden;
    let shown;
    let workerBusy = true;
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      box.click();
      hidden = Number(document.querySelector('#view-counts').dataset.nodes);
      await new Promise((resolve) => requestAnimationFrame(() => resolve()));
      times.push(performance.now() - start);
      workerBusy &&= Number(document.body.dataset.busy) >= 1;
      box.click();
      shown = Number(document.querySelector('#view-counts').dataset.nodes);
    }
    times.sort((a, b) => a - b);
    return { ms: times[2], max: times[4], workerBusy, hidden, shown };
  });
  await page.waitForFunction((n) => Number(document.body.dataset.done) > n, doneBefore, { timeout: 120_000 });
  assert.equal(await text('#stats dd[data-key="nodes"]'), '10000');
  assert.ok(answer.hidden < answer.shown, JSON.stringify(answer));
  await openSection('#search');
  await act(() => page.fill('#search', 'lovelace'));
  const { maxGap, longestTask } = await page.evaluate(() => {
    clearInterval(window.__heartbeat);
    return { maxGap: Math.max(...window.__gaps), longestTask: Math.max(0, ...window.__longTasks) };
  });
  figures['10K graphStats'] = await timing('graphStats');
  figures['10K pageRank'] = await timing('pageRank');
  figures['10K louvain'] = await timing('louvain');
  figures['UI answer while the worker is busy (median of 5; max)'] = `${Math.round(answer.ms)}; ${Math.round(answer.max)}`;
  figures['longest main-thread timer gap during the runs'] = Math.round(maxGap);
  figures['longest main-thread task during the runs'] = Math.round(longestTask);
  assert.ok(answer.workerBusy, 'the interaction was measured while the worker was busy');
  assert.ok(answer.ms < 500, `the page answered in ${answer.ms} ms (median)`);
  // Long tasks here are sigma's frames (software WebGL in headless Chromium, on 2 cores
  // shared with the busy worker): tens of ms, more under load. The statistics alone keep
  // the worker busy for over 2 s, so a bound below that shows they did not run here.
  assert.ok(longestTask < 1500, `a main-thread task took ${longestTask} ms`);
  assert.ok(maxGap < 2000, `the main thread's timers stalled for ${maxGap} ms`);
  assert.ok(Number(await data('#search-count', 'total')) > 0);
  assert.ok(Number(await data('#algo-result', 'communities')) > 1);
  await page.waitForTimeout(1000);
  await shot('14-large');
  // The same graph as a file: export JSON Lines, import it (parsed in chunks in the worker).
  await openSection('#export-jsonl');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-jsonl')]);
  const path = join(downloads, 'large.jsonl');
  await download.saveAs(path);
  const updatesBefore = Number((await data('#progress', 'updates')) ?? 0);
  await importFiles([path], { name: 'large-reimported' });
  assert.ok(Number(await data('#progress', 'updates')) - updatesBefore >= 5, 'the import reported progress chunk by chunk');
  assert.deepEqual(await graphCounts(), { nodes: 10_000, edges: 50_000 });
  figures['import 10K/50K JSON Lines file (parse, check, store, first view)'] = await timing('import');
  await page.reload();
  await page.waitForSelector('body[data-ready=true]');
  assert.equal(await text('#graph-name'), 'large-reimported');
  assert.deepEqual(await graphCounts(), { nodes: 10_000, edges: 50_000 });
  figures['reopen 10K/50K from IndexedDB after a reload (open, first view)'] = await timing('open');
});

test('nothing was fetched from anywhere but the page\'s own server', () => {
  assert.deepEqual(foreign, []);
});
