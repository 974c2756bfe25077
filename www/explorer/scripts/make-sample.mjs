// Writes the bundled sample knowledge graph as JSON Lines (the CLI's format).
// Usage: node scripts/make-sample.mjs OUT.jsonl [nodes] [edges]
import { writeFileSync } from 'node:fs';
import { generateKnowledgeGraph } from '../src/generate.js';
import { nodeLine, edgeLine } from '../src/formats.js';

const [out, nodes = '1500', edges = '6000'] = process.argv.slice(2);
const graph = generateKnowledgeGraph({ nodes: Number(nodes), edges: Number(edges), seed: 7 });
const lines = [...graph.nodes.map(nodeLine), ...graph.edges.map((e) => edgeLine({ ...e, createdAt: undefined }))];
writeFileSync(out, lines.join('\n') + '\n');
console.log(`${out}: ${graph.nodes.length} nodes, ${graph.edges.length} edges`);
