// The package's ES module entry: the wasm-bindgen build, with node lookups
// and walks answered in JS (lookup.js).
import { KnowledgeGraph } from './knowledge_graph.js';
import { answerLookupsInJs } from './lookup.js';

answerLookupsInJs(KnowledgeGraph);

export * from './knowledge_graph.js';
export { default } from './knowledge_graph.js';
