// Reads picked files (File/Blob objects) into one validated `Batch`, in chunks,
// reporting progress. Runs in the worker; nothing here touches a stored graph, so
// a bad file leaves the current graph as it was.
//
// Entry point: `await readFiles(files, { KnowledgeGraph, progress })`.

import { Batch, FormatError, checkReferences, createCsvParser, createJsonLinesParser, formatOf, parseGraphologyJson } from './formats.js';

const CHUNK_BYTES = 1 << 20;

/** Feeds a file's text to `parser.push` chunk by chunk; `onBytes(done)` after each. */
async function streamText(file, parser, onBytes, chunkBytes) {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let done = 0;
  for (let start = 0; start < file.size; start += chunkBytes) {
    const bytes = new Uint8Array(await file.slice(start, start + chunkBytes).arrayBuffer());
    let text;
    try {
      text = decoder.decode(bytes, { stream: start + chunkBytes < file.size });
    } catch {
      throw new FormatError(file.name, 0, 'the file is not UTF-8 text');
    }
    parser.push(text);
    done += bytes.length;
    onBytes(done);
  }
  return parser.finish();
}

/** The records of a graph the core read (graphology JSON, snapshot), as a `Batch`. */
function batchOfGraph(graph, file) {
  const batch = new Batch();
  try {
    for (const node of graph.getNodes()) batch.addNode({ label: node.label, id: node.id, properties: node.properties }, file, 0);
    for (const edge of graph.getEdges()) batch.addEdge({ label: edge.label, source: edge.source, target: edge.target, properties: edge.properties }, file, 0);
  } finally {
    graph.free();
  }
  return batch;
}

/**
 * Parses and validates every file; throws a `FormatError` naming the file (and
 * line) at the first problem. `hasExisting(id)` tells which node ids the target
 * graph already holds (merge), so edges may point at them.
 */
export async function readFiles(files, { KnowledgeGraph, progress = () => {}, hasExisting = () => false, chunkBytes = CHUNK_BYTES }) {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  let before = 0;
  const all = new Batch();
  for (const file of files) {
    const format = formatOf(file.name);
    const report = (done) => progress({ phase: `reading ${file.name}`, done: before + done, total });
    let batch;
    if (format === 'jsonl') {
      batch = await streamText(file, createJsonLinesParser(file.name), report, chunkBytes);
    } else if (format === 'csv') {
      batch = await streamText(file, createCsvParser(file.name), report, chunkBytes);
    } else if (format === 'graphology') {
      const data = parseGraphologyJson(await file.text(), file.name);
      report(file.size);
      let graph;
      try {
        graph = KnowledgeGraph.fromGraphology(data);
      } catch (e) {
        throw new FormatError(file.name, 0, `not a graph this explorer can read: ${e.message}`);
      }
      batch = batchOfGraph(graph, file.name);
    } else {
      const bytes = new Uint8Array(await file.arrayBuffer());
      report(file.size);
      let graph;
      try {
        graph = KnowledgeGraph.fromSnapshot(bytes);
      } catch (e) {
        throw new FormatError(file.name, 0, `not a valid snapshot: ${e.message}`);
      }
      batch = batchOfGraph(graph, file.name);
    }
    all.merge(batch);
    before += file.size;
  }
  progress({ phase: 'checking references', done: total, total });
  checkReferences(all, hasExisting);
  return all;
}
