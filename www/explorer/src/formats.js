// Import and export formats, shared with the Rust CLI so files move between them:
// JSON Lines (one node or edge object a line), Neo4j-admin-style CSV (one file per
// label), graphology JSON and snapshots. Pure JS, no DOM and no wasm: the worker
// feeds it text chunk by chunk, the unit tests feed it strings.
//
// Entry points: `createJsonLinesParser(file)` / `createCsvParser(file)` (push text
// chunks, then `finish()`), `parseJsonLines(text, file)` / `parseCsv(text, file)`,
// `checkReferences(batch, hasExisting)`, `formatOf(fileName)`, `toJsonLines(...)`.

import { jsonErrorOffset } from './json-error.js';

/** A problem in an imported file; the message names the file and (when known) the line. */
export class FormatError extends Error {
  constructor(file, line, message) {
    super(line ? `${file}:${line}: ${message}` : `${file}: ${message}`);
    this.name = 'FormatError';
    this.file = file;
    this.line = line;
  }
}

/** Which parser a file name calls for: 'jsonl', 'csv', 'graphology' or 'snapshot'. */
export function formatOf(fileName) {
  const lower = fileName.toLowerCase();
  if (/\.(jsonl|ndjson)$/.test(lower)) return 'jsonl';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.json')) return 'graphology';
  if (/\.(mayakgs|kgs)$/.test(lower)) return 'snapshot';
  throw new FormatError(fileName, 0, 'unknown file type: expected .jsonl, .ndjson, .csv, .json (graphology), .mayakgs or .kgs');
}

/** The records parsed from one or more files: inputs for `addNodes`/`addEdges`, each with where it came from. */
export class Batch {
  constructor() {
    this.nodes = []; // { label, id, properties }
    this.edges = []; // { label, source, target, properties }
    this.nodeAt = new Map(); // id -> "file:line"
    this.edgeAt = []; // "file:line" of edges[i]
  }

  addNode(node, file, line) {
    const seen = this.nodeAt.get(node.id);
    if (seen) throw new FormatError(file, line, `node '${node.id}' is already defined at ${seen}`);
    this.nodeAt.set(node.id, line ? `${file}:${line}` : file);
    this.nodes.push(node);
  }

  addEdge(edge, file, line) {
    this.edgeAt.push(line ? `${file}:${line}` : file);
    this.edges.push(edge);
  }

  /** Appends another batch (records of several files imported together). */
  merge(other) {
    for (const node of other.nodes) {
      const at = other.nodeAt.get(node.id);
      const seen = this.nodeAt.get(node.id);
      if (seen) throw locatedError(at, `node '${node.id}' is already defined at ${seen}`);
      this.nodeAt.set(node.id, at);
      this.nodes.push(node);
    }
    this.edges.push(...other.edges);
    this.edgeAt.push(...other.edgeAt);
  }
}

/**
 * Checks that every edge's endpoints exist, in the batch or (when merging) in the
 * graph already stored, and that no node of the batch is stored already.
 * `hasExisting(id)` answers for the stored graph (`() => false` for a new graph).
 */
export function checkReferences(batch, hasExisting = () => false) {
  for (const node of batch.nodes) {
    if (hasExisting(node.id)) throw locatedError(batch.nodeAt.get(node.id), `node '${node.id}' already exists in the current graph`);
  }
  batch.edges.forEach((edge, i) => {
    for (const end of ['source', 'target']) {
      const id = edge[end];
      if (!batch.nodeAt.has(id) && !hasExisting(id)) {
        throw locatedError(batch.edgeAt[i], `edge ${end} '${id}' is not a node of the file(s) or the graph`);
      }
    }
  });
}

function locatedError(at, message) {
  const match = /^(.*):(\d+)$/.exec(at);
  return match ? new FormatError(match[1], Number(match[2]), message) : new FormatError(at, 0, message);
}

/** Splits pushed text chunks into lines, numbering them from 1. */
class LineSplitter {
  constructor(onLine) {
    this.onLine = onLine;
    this.rest = '';
    this.line = 0;
  }

  push(chunk) {
    const text = this.rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      this.onLine(stripCr(text.slice(start, nl)), ++this.line);
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  finish() {
    if (this.rest !== '') this.onLine(stripCr(this.rest), ++this.line);
    this.rest = '';
  }
}

const stripCr = (line) => (line.endsWith('\r') ? line.slice(0, -1) : line);
const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A streaming JSON Lines parser: `push(chunk)` any number of times, then `finish()` returns a `Batch`. */
export function createJsonLinesParser(file) {
  const batch = new Batch();
  const splitter = new LineSplitter((text, line) => {
    if (text.trim() === '') return;
    let value;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new FormatError(file, line, `invalid JSON: ${e.message}`);
    }
    if (!isPlainObject(value)) throw new FormatError(file, line, 'expected an object with "type": "node" or "edge"');
    const fail = (message) => {
      throw new FormatError(file, line, message);
    };
    const properties = value.properties ?? {};
    if (!isPlainObject(properties)) fail('"properties" must be an object');
    const text_ = (key) => {
      const v = value[key];
      if (typeof v !== 'string' || v === '') fail(`"${key}" must be a non-empty string`);
      return v;
    };
    if (value.type === 'node') {
      batch.addNode({ label: text_('label'), id: text_('id'), properties }, file, line);
    } else if (value.type === 'edge') {
      if (value.id !== undefined && typeof value.id !== 'number') fail('"id" must be a number');
      if (value.timestamp !== undefined && typeof value.timestamp !== 'number') fail('"timestamp" must be a number');
      const edge = { label: text_('label'), source: text_('source'), target: text_('target'), properties };
      if (value.timestamp !== undefined) edge.createdAt = value.timestamp;
      batch.addEdge(edge, file, line);
    } else {
      fail(`"type" must be "node" or "edge", found ${JSON.stringify(value.type)}`);
    }
  });
  return {
    push: (chunk) => splitter.push(chunk),
    finish: () => {
      splitter.finish();
      return batch;
    },
  };
}

/** Parses a whole JSON Lines text. */
export function parseJsonLines(text, file) {
  const parser = createJsonLinesParser(file);
  parser.push(text);
  return parser.finish();
}

/**
 * A streaming CSV (RFC 4180) record reader: quoted fields may hold commas, quotes
 * ("") and newlines. Calls `onRow(fields, line)` with the line the record starts on.
 */
class CsvReader {
  constructor(file, onRow) {
    this.file = file;
    this.onRow = onRow;
    this.fields = [];
    this.field = '';
    this.quoted = false; // inside quotes
    this.wasQuoted = false; // the current field was quoted (so text after the quote is an error)
    this.line = 1;
    this.rowLine = 1;
    this.pendingCr = false;
  }

  push(chunk) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.quoted) {
        if (c === '"') {
          if (chunk[i + 1] === '"') {
            this.field += '"';
            i++;
          } else if (i + 1 === chunk.length) {
            // The next chunk decides between "" and a closing quote.
            this.maybeClosing = true;
            this.quoted = false;
          } else {
            this.quoted = false;
          }
        } else {
          if (c === '\n') this.line++;
          this.field += c;
        }
        continue;
      }
      if (this.maybeClosing) {
        this.maybeClosing = false;
        if (c === '"') {
          this.field += '"';
          this.quoted = true;
          continue;
        }
      }
      if (c === ',') {
        this.endField();
      } else if (c === '\n') {
        this.endField();
        this.endRow();
        this.line++;
        this.rowLine = this.line;
      } else if (c === '\r') {
        // dropped; \r\n ends a line at the \n
      } else if (c === '"') {
        if (this.field !== '' || this.wasQuoted) throw new FormatError(this.file, this.line, 'a quote inside an unquoted field');
        this.quoted = true;
        this.wasQuoted = true;
      } else {
        if (this.wasQuoted) throw new FormatError(this.file, this.line, 'text after a closing quote');
        this.field += c;
      }
    }
  }

  endField() {
    this.fields.push({ text: this.field, quoted: this.wasQuoted });
    this.field = '';
    this.wasQuoted = false;
  }

  endRow() {
    const fields = this.fields;
    this.fields = [];
    if (fields.length === 1 && fields[0].text === '' && !fields[0].quoted) return; // blank line
    this.onRow(fields, this.rowLine);
  }

  finish() {
    if (this.quoted) throw new FormatError(this.file, this.rowLine, 'a quoted field is not closed');
    this.maybeClosing = false;
    if (this.field !== '' || this.wasQuoted || this.fields.length > 0) {
      this.endField();
      this.endRow();
    }
  }
}

const CSV_TYPES = new Set(['int', 'long', 'float', 'double', 'boolean', 'string', 'json', 'short', 'byte']);

/** Reads a header cell `name:type`, `:ID`, `name:ID(space)`, `:LABEL`, `:START_ID(space)`, `:END_ID`, `:TYPE`, `name:int[]`. */
function headerColumn(cell, file) {
  const colon = cell.lastIndexOf(':');
  const name = colon === -1 ? cell : cell.slice(0, colon);
  let type = colon === -1 ? 'string' : cell.slice(colon + 1);
  const role = /^(ID|START_ID|END_ID)(\(.*\))?$/.exec(type);
  if (role) return { role: role[1], name };
  if (type === 'LABEL' || type === 'TYPE' || type === 'IGNORE') return { role: type, name };
  const array = type.endsWith('[]');
  if (array) type = type.slice(0, -2);
  type = type.toLowerCase();
  if (!CSV_TYPES.has(type)) throw new FormatError(file, 1, `unknown type '${type}' in header column '${cell}'`);
  if (name === '') throw new FormatError(file, 1, `header column '${cell}' has no property name`);
  return { role: 'property', name, type, array };
}

function convertCell(text, type, fail) {
  switch (type) {
    case 'int':
    case 'long':
    case 'short':
    case 'byte': {
      if (!/^[+-]?\d+$/.test(text.trim())) fail(`'${text}' is not an integer`);
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text.trim());
    }
    case 'float':
    case 'double': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) fail(`'${text}' is not a number`);
      return n;
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t !== 'true' && t !== 'false') fail(`'${text}' is not a boolean (true or false)`);
      return t === 'true';
    }
    case 'json':
      try {
        return JSON.parse(text);
      } catch (e) {
        return fail(`invalid JSON '${text}': ${e.message}`);
      }
    default:
      return text;
  }
}

/** The base name of a file without its extension: the label of a CSV file without a :LABEL/:TYPE column. */
const baseLabel = (file) => file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');

/**
 * A streaming Neo4j-admin-import CSV parser for one file: a node file (header with
 * an `:ID` column) or an edge file (`:START_ID` and `:END_ID`), told apart by the
 * header. Without a `:LABEL`/`:TYPE` column, the label is the file's base name.
 */
export function createCsvParser(file) {
  const batch = new Batch();
  let columns = null;
  let kind = null;
  const reader = new CsvReader(file, (fields, line) => {
    if (!columns) {
      columns = fields.map((f) => headerColumn(f.text.trim(), file));
      const roles = new Set(columns.map((c) => c.role));
      if (roles.has('START_ID') && roles.has('END_ID')) kind = 'edge';
      else if (roles.has('ID')) kind = 'node';
      else throw new FormatError(file, line, 'the header has neither an :ID column (node file) nor :START_ID and :END_ID columns (edge file)');
      return;
    }
    const fail = (message) => {
      throw new FormatError(file, line, message);
    };
    if (fields.length !== columns.length) fail(`expected ${columns.length} fields as in the header, found ${fields.length}`);
    const record = { properties: {} };
    columns.forEach((col, i) => {
      const text = fields[i].text;
      switch (col.role) {
        case 'ID':
          record.id = text;
          break;
        case 'START_ID':
          record.source = text;
          break;
        case 'END_ID':
          record.target = text;
          break;
        case 'LABEL':
        case 'TYPE':
          record.label = text;
          break;
        case 'IGNORE':
          break;
        default: {
          if (text === '' && !fields[i].quoted) return; // empty cell: property absent
          const inColumn = (message) => fail(`column '${col.name}': ${message}`);
          record.properties[col.name] = col.array
            ? text.split(';').map((part) => convertCell(part, col.type, inColumn))
            : convertCell(text, col.type, inColumn);
        }
      }
    });
    if (record.label === undefined || record.label === '') {
      if (columns.some((c) => c.role === 'LABEL' || c.role === 'TYPE')) fail(`empty ${kind === 'node' ? ':LABEL' : ':TYPE'}`);
      record.label = baseLabel(file);
    }
    if (kind === 'node') {
      if (!record.id) fail('empty :ID');
      if (record.label.includes(';')) fail(`a node has one label, found '${record.label}'`);
      batch.addNode({ label: record.label, id: record.id, properties: record.properties }, file, line);
    } else {
      if (!record.source) fail('empty :START_ID');
      if (!record.target) fail('empty :END_ID');
      batch.addEdge({ label: record.label, source: record.source, target: record.target, properties: record.properties }, file, line);
    }
  });
  return {
    push: (chunk) => reader.push(chunk),
    finish: () => {
      reader.finish();
      if (!columns) throw new FormatError(file, 1, 'the file is empty: expected a header line');
      return batch;
    },
    get kind() {
      return kind;
    },
  };
}

/** Parses a whole CSV text. */
export function parseCsv(text, file) {
  const parser = createCsvParser(file);
  parser.push(text);
  return parser.finish();
}

/** Parses graphology JSON text, reporting a syntax error's line; the shape is checked by `fromGraphology`. */
export function parseGraphologyJson(text, file) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const at = jsonErrorOffset(text);
    throw new FormatError(file, text.slice(0, at).split('\n').length, `invalid JSON: ${e.message}`);
  }
  if (!isPlainObject(value) || !Array.isArray(value.nodes)) throw new FormatError(file, 0, 'not graphology JSON: expected an object with a "nodes" array');
  if (value.edges !== undefined && !Array.isArray(value.edges)) throw new FormatError(file, 0, 'not graphology JSON: "edges" must be an array');
  value.edges ??= [];
  return value;
}

/** Property values as JSON: a BigInt becomes a number when safe (else a string), bytes an array. */
function jsonReplacer(_key, value) {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Array.from(value);
  return value;
}

/** One JSON Lines line for a node record. */
export const nodeLine = (n) => JSON.stringify({ type: 'node', id: n.id, label: n.label, properties: n.properties }, jsonReplacer);

/** One JSON Lines line for an edge record (with its id and creation time). */
export const edgeLine = (e) =>
  JSON.stringify({ type: 'edge', source: e.source, target: e.target, label: e.label, properties: e.properties, id: e.id, timestamp: e.createdAt }, jsonReplacer);

/** Nodes, then edges, one a line. */
export function toJsonLines(nodes, edges) {
  const lines = [];
  for (const n of nodes) lines.push(nodeLine(n));
  for (const e of edges) lines.push(edgeLine(e));
  return lines.join('\n') + '\n';
}

/** JSON text of a value that may hold BigInts or bytes. */
export const toJson = (value) => JSON.stringify(value, jsonReplacer);
