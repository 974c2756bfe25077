// CommonJS users: require() gives the node build.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { KnowledgeGraph } = require('maya-knowledge-graph');

test('require() loads the package synchronously', () => {
  const g = new KnowledgeGraph();
  g.addNode('user', 'a', { n: 1 });
  assert.equal(g.countNodes(), 1);
  assert.deepEqual(g.getNode('a').properties, { n: 1 });
  assert.equal(g.getNode('a'), g.getNode('a'), 'the entry module keeps records it handed out');
});
