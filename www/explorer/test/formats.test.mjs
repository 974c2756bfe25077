// Unit tests of the import/export formats (pure JS): node --test test/formats.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  Batch, FormatError, checkReferences, createCsvParser, createJsonLinesParser, formatOf,
  parseCsv, parseGraphologyJson, parseJsonLines, toJsonLines,
} from '../src/formats.js';
import { generateKnowledgeGraph } from '../src/generate.js';

const fixture = (name) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

/** Asserts that `fn` throws a FormatError for `file` at `line` whose message matches `pattern`. */
function assertFormatError(fn, file, line, pattern) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof FormatError, `expected a FormatError, got ${e}`);
    assert.equal(e.file, file);
    assert.equal(e.line, line);
    assert.ok(e.message.startsWith(line ? `${file}:${line}: ` : `${file}: `), e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

test('formatOf tells formats by extension', () => {
  assert.equal(formatOf('a.jsonl'), 'jsonl');
  assert.equal(formatOf('A.NDJSON'), 'jsonl');
  assert.equal(formatOf('x/y.csv'), 'csv');
  assert.equal(formatOf('g.json'), 'graphology');
  assert.equal(formatOf('g.mayakgs'), 'snapshot');
  assert.equal(formatOf('g.kgs'), 'snapshot');
  assertFormatError(() => formatOf('g.txt'), 'g.txt', 0, /unknown file type/);
});

test('JSON Lines: nodes and edges in any order, blank lines, optional fields', () => {
  const batch = parseJsonLines(fixture('people.jsonl'), 'people.jsonl');
  assert.equal(batch.nodes.length, 4);
  assert.equal(batch.edges.length, 3);
  assert.deepEqual(batch.nodes[0], { label: 'Person', id: 'alice', properties: { name: 'Alice', age: 36 } });
  assert.deepEqual(batch.nodes[3], { label: 'Place', id: 'oslo', properties: {} });
  assert.deepEqual(batch.edges[0], { label: 'KNOWS', source: 'alice', target: 'bob', properties: { since: 2019 }, createdAt: 1700000000000 });
  assert.equal(batch.edgeAt[0], 'people.jsonl:1');
  checkReferences(batch); // edges before their nodes are fine
});

test('JSON Lines: chunks split anywhere give the same batch, CRLF too', () => {
  const text = fixture('people.jsonl').replace(/\n/g, '\r\n');
  for (const size of [1, 7, 64]) {
    const parser = createJsonLinesParser('p.jsonl');
    for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
    const batch = parser.finish();
    assert.equal(batch.nodes.length, 4);
    assert.equal(batch.edges.length, 3);
    assert.equal(batch.nodeAt.get('oslo'), 'p.jsonl:6');
  }
});

test('JSON Lines: each malformed line is reported with file and line', () => {
  const cases = [
    ['{"type":"node","id":"a","label":"L"}\n{"type":"node" "id":"b"}', 2, /invalid JSON/],
    ['[1,2]', 1, /expected an object/],
    ['{"type":"vertex","id":"a","label":"L"}', 1, /"type" must be "node" or "edge"/],
    ['{"type":"node","label":"L"}', 1, /"id" must be a non-empty string/],
    ['{"type":"node","id":"a"}', 1, /"label" must be a non-empty string/],
    ['{"type":"node","id":7,"label":"L"}', 1, /"id" must be a non-empty string/],
    ['{"type":"node","id":"a","label":"L","properties":[1]}', 1, /"properties" must be an object/],
    ['{"type":"edge","source":"a","label":"L"}', 1, /"target" must be a non-empty string/],
    ['{"type":"edge","source":"a","target":"b","label":"L","id":"x"}', 1, /"id" must be a number/],
    ['{"type":"edge","source":"a","target":"b","label":"L","timestamp":"now"}', 1, /"timestamp" must be a number/],
    ['\n\n{"type":"node","id":"a","label":"L"}\n{"type":"node","id":"a","label":"M"}', 4, /node 'a' is already defined at f.jsonl:3/],
  ];
  for (const [text, line, pattern] of cases) assertFormatError(() => parseJsonLines(text, 'f.jsonl'), 'f.jsonl', line, pattern);
  assertFormatError(() => parseJsonLines(fixture('bad.jsonl'), 'bad.jsonl'), 'bad.jsonl', 3, /invalid JSON/);
});

test('references: an edge to a missing node names its line; merging may use stored nodes', () => {
  const batch = parseJsonLines('{"type":"node","id":"a","label":"L"}\n{"type":"edge","source":"a","target":"b","label":"E"}', 'f.jsonl');
  assertFormatError(() => checkReferences(batch), 'f.jsonl', 2, /edge target 'b' is not a node/);
  checkReferences(batch, (id) => id === 'b');
  assertFormatError(() => checkReferences(batch, (id) => id === 'a' || id === 'b'), 'f.jsonl', 1, /node 'a' already exists in the current graph/);
});

test('CSV: node files with typed columns, quotes, arrays, empty cells; label from :LABEL or the file name', () => {
  const people = parseCsv(fixture('Person.csv'), 'Person.csv');
  assert.deepEqual(people.nodes, [
    { label: 'Person', id: 'carol', properties: { name: 'Carol', age: 29, score: 4.5, active: true, tags: ['graphs', 'rust'] } },
    { label: 'Person', id: 'dave', properties: { name: 'Dave "D" Jones', age: 52, active: false } },
    { label: 'Person', id: 'erin', properties: { name: 'Erin, PhD', score: 3, active: true, tags: ['a', 'b', 'c'] } },
  ]);
  const companies = parseCsv(fixture('Company.csv'), 'dir/Company.csv');
  assert.deepEqual(companies.nodes, [{ label: 'Company', id: 'initech', properties: { name: 'Initech', founded: 1999, meta: { size: 'large' } } }]);
});

test('CSV: edge files told by header; several files together', () => {
  const edges = parseCsv(fixture('edges.csv'), 'edges.csv');
  assert.deepEqual(edges.edges, [
    { label: 'KNOWS', source: 'carol', target: 'dave', properties: { weight: 0.5 } },
    { label: 'KNOWS', source: 'dave', target: 'erin', properties: {} },
    { label: 'WORKS_AT', source: 'erin', target: 'initech', properties: { weight: 1 } },
  ]);
  const all = new Batch();
  for (const name of ['edges.csv', 'Person.csv', 'Company.csv']) all.merge(parseCsv(fixture(name), name));
  checkReferences(all);
  assert.equal(all.nodes.length, 4);
  assert.equal(all.edges.length, 3);
  const noType = parseCsv(':START_ID,:END_ID\na,b\n', 'FOLLOWS.csv');
  assert.equal(noType.edges[0].label, 'FOLLOWS');
});

test('CSV: quoted newlines and chunk boundaries inside quotes', () => {
  const text = 'id:ID,:LABEL,bio\r\nq,Person,"line one\nline ""two"""\r\nr,Person,plain\r\n';
  for (const size of [1, 2, 3, 5, 100]) {
    const parser = createCsvParser('q.csv');
    for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
    const batch = parser.finish();
    assert.deepEqual(batch.nodes[0].properties, { bio: 'line one\nline "two"' });
    assert.equal(batch.nodeAt.get('r'), 'q.csv:4', `chunk size ${size}`);
  }
});

test('CSV: each malformed case names file and line', () => {
  const cases = [
    ['name,age\nx,1', 1, /neither an :ID column/],
    ['id:ID,age:integer\nx,1', 1, /unknown type 'integer'/],
    ['id:ID,age:int\nx,1,2', 2, /expected 2 fields as in the header, found 3/],
    ['id:ID,age:int\nx,1\ny,old', 3, /column 'age': 'old' is not an integer/],
    ['id:ID,s:float\nx,abc', 2, /'abc' is not a number/],
    ['id:ID,b:boolean\nx,yes', 2, /'yes' is not a boolean/],
    ['id:ID,j:json\nx,{oops}', 2, /invalid JSON/],
    ['id:ID,n:int[]\nx,1;two', 2, /'two' is not an integer/],
    ['id:ID,name\nx,"open', 2, /quoted field is not closed/],
    ['id:ID,name\nx,ab"c', 2, /quote inside an unquoted field/],
    ['id:ID,name\nx,"ab"c', 2, /text after a closing quote/],
    ['id:ID,name\n,nobody', 2, /empty :ID/],
    ['id:ID,:LABEL\nx,', 2, /empty :LABEL/],
    ['id:ID,:LABEL\nx,A;B', 2, /one label/],
    [':START_ID,:END_ID,:TYPE\na,,KNOWS', 2, /empty :END_ID/],
    ['id:ID\nx\nx', 3, /node 'x' is already defined at f.csv:2/],
    ['', 1, /empty/],
  ];
  for (const [text, line, pattern] of cases) assertFormatError(() => parseCsv(text, 'f.csv'), 'f.csv', line, pattern);
  assertFormatError(() => parseCsv(fixture('bad.csv'), 'bad.csv'), 'bad.csv', 3, /'thirty' is not an integer/);
});

test('CSV: the same node in two files is reported', () => {
  const all = new Batch();
  all.merge(parseCsv('id:ID\nx', 'a.csv'));
  assertFormatError(() => all.merge(parseCsv('id:ID\ny\nx', 'b.csv')), 'b.csv', 3, /node 'x' is already defined at a.csv:2/);
});

test('graphology JSON: good file, syntax error with its line, wrong shape', () => {
  const data = parseGraphologyJson(fixture('graph.json'), 'graph.json');
  assert.equal(data.nodes.length, 3);
  assert.equal(data.edges.length, 2);
  assertFormatError(() => parseGraphologyJson('{\n"nodes": [\n  {"key": 1},,\n]}', 'g.json'), 'g.json', 3, /invalid JSON/);
  assertFormatError(() => parseGraphologyJson('{"edges": []}', 'g.json'), 'g.json', 0, /"nodes" array/);
});

test('JSON Lines export reads back the same', () => {
  const nodes = [{ id: 'a', label: 'P', properties: { big: 2n ** 70n, small: 5n, bytes: new Uint8Array([1, 2]) } }, { id: 'b', label: 'P', properties: {} }];
  const edges = [{ id: 3, label: 'E', source: 'a', target: 'b', properties: { w: 1.5 }, createdAt: 1700000000000 }];
  const text = toJsonLines(nodes, edges);
  assert.match(text, /"timestamp":1700000000000/);
  const batch = parseJsonLines(text, 'out.jsonl');
  assert.deepEqual(batch.nodes[0].properties, { big: (2n ** 70n).toString(), small: 5, bytes: [1, 2] });
  assert.deepEqual(batch.edges, [{ label: 'E', source: 'a', target: 'b', properties: { w: 1.5 }, createdAt: 1700000000000 }]);
});

test('the generator is deterministic and consistent', () => {
  const a = generateKnowledgeGraph({ nodes: 500, edges: 2000, seed: 5 });
  const b = generateKnowledgeGraph({ nodes: 500, edges: 2000, seed: 5 });
  assert.deepEqual(a, b);
  assert.equal(a.nodes.length, 500);
  assert.equal(a.edges.length, 2000);
  const batch = new Batch();
  a.nodes.forEach((n, i) => batch.addNode(n, 'gen', i + 1));
  a.edges.forEach((e, i) => batch.addEdge(e, 'gen', i + 1));
  checkReferences(batch);
  assert.ok(new Set(a.edges.map((e) => e.label)).size >= 8);
});

test('jsonErrorOffset points at the first bad character', async () => {
  const { jsonErrorOffset } = await import('../src/json-error.js');
  const cases = [
    ['{"a": 1,}', 8],
    ['[1, 2', 5],
    ['{"a" 1}', 5],
    ['{"a": tru}', 6],
    ['{"a": "x\ny"}', 8],
    ['[1] 2', 4],
    ['{"a": [1, {"b": -}]}', 16],
  ];
  for (const [text, offset] of cases) assert.equal(jsonErrorOffset(text), offset, text);
});
