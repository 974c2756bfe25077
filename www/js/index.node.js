// The package's CommonJS entry for Node: the wasm-bindgen build, with node
// lookups and walks answered in JS (lookup.js).
require('./lookup.js').answerLookupsInJs(require('./knowledge_graph.js').KnowledgeGraph);

module.exports = require('./knowledge_graph.js');
