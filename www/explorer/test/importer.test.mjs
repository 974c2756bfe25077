// The file reader of the worker, run in Node against the package's Node build:
// chunked reading (multi-byte characters split across chunks), several files at
// once, graphology and snapshots through the core, errors naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFiles } from '../src/importer.js';
import { FormatError } from '../src/formats.js';

const require = createRequire(import.meta.url);
const { KnowledgeGraph } = require('../../pkg/node/index.js');
const fixture = (name) => new File([readFileSync(new URL(`fixtures/${name}`, import.meta.url))], name);

test('JSON Lines read in tiny chunks keeps multi-byte characters whole and reports progress', async () => {
  const text = '{"type":"node","id":"zoë","label":"Person","properties":{"city":"東京"}}\n{"type":"node","id":"b","label":"Person"}\n{"type":"edge","source":"zoë","target":"b","label":"KNOWS"}\n';
  const steps = [];
  const batch = await readFiles([new File([text], 'u.jsonl')], { KnowledgeGraph, chunkBytes: 3, progress: (p) => steps.push(p) });
  assert.deepEqual(batch.nodes[0], { label: 'Person', id: 'zoë', properties: { city: '東京' } });
  assert.equal(batch.edges.length, 1);
  assert.ok(steps.length > 10);
  assert.equal(steps.at(-1).phase, 'checking references');
});

test('CSV files picked together, then a merge that leans on stored nodes', async () => {
  const batch = await readFiles(['edges.csv', 'Person.csv', 'Company.csv'].map(fixture), { KnowledgeGraph, chunkBytes: 16 });
  assert.equal(batch.nodes.length, 4);
  assert.equal(batch.edges.length, 3);
  const extra = new File([':START_ID,:END_ID,:TYPE\ncarol,stored,KNOWS\n'], 'more.csv');
  await assert.rejects(readFiles([extra], { KnowledgeGraph }), /more\.csv:2: edge source 'carol' is not a node/);
  const merged = await readFiles([extra], { KnowledgeGraph, hasExisting: (id) => id === 'carol' || id === 'stored' });
  assert.equal(merged.edges.length, 1);
});

test('graphology JSON and snapshots go through the core', async () => {
  const fromGraphology = await readFiles([fixture('graph.json')], { KnowledgeGraph });
  assert.equal(fromGraphology.nodes.length, 3);
  assert.deepEqual(fromGraphology.nodes.find((n) => n.id === 'z'), { label: 'Paper', id: 'z', properties: { title: 'On graph databases' } });
  const graph = new KnowledgeGraph();
  graph.addNodes([{ label: 'P', id: 'a', properties: { n: 1 } }, { label: 'P', id: 'b' }]);
  graph.addEdges([{ label: 'E', source: 'a', target: 'b' }]);
  const snapshot = new File([graph.toSnapshot()], 'g.mayakgs');
  const fromSnapshot = await readFiles([snapshot], { KnowledgeGraph });
  assert.equal(fromSnapshot.nodes.length, 2);
  assert.deepEqual(fromSnapshot.edges, [{ label: 'E', source: 'a', target: 'b', properties: {} }]);
  graph.free();
});

test('bad files: the file is named, nothing is returned', async () => {
  const cases = [
    [new File(['not a snapshot'], 'x.kgs'), /^x\.kgs: not a valid snapshot: /],
    [new File(['{"nodes": [{"key": "a"}], "edges": [{"source": "a", "target": "nope"}]}'], 'g.json'), /^g\.json: not a graph this explorer can read: /],
    [new File([new Uint8Array([0x7b, 0xff, 0xfe, 0x0a])], 'bin.jsonl'), /^bin\.jsonl: the file is not UTF-8 text/],
    [fixture('bad.jsonl'), /^bad\.jsonl:3: invalid JSON/],
    [new File(['x'], 'notes.txt'), /^notes\.txt: unknown file type/],
  ];
  for (const [file, pattern] of cases) {
    await assert.rejects(readFiles([file], { KnowledgeGraph }), (e) => e instanceof FormatError && pattern.test(e.message));
  }
});
