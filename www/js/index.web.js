// The package's ES module entry: the wasm-bindgen build, with node lookups
// answered in JS (lookup.js).
import { KnowledgeGraph } from './knowledge_graph.js';
import { cacheNodeLookups } from './lookup.js';

cacheNodeLookups(KnowledgeGraph);

export * from './knowledge_graph.js';
export { default } from './knowledge_graph.js';
