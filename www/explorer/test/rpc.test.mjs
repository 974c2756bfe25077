// The page/worker protocol over a MessageChannel (the same message events as a Worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { WorkerClient, serve, transferable } from '../src/rpc.js';

function pair(handlers) {
  const { port1, port2 } = new MessageChannel();
  serve(port2, handlers);
  const client = new WorkerClient(port1);
  return { client, close: () => (port1.close(), port2.close()) };
}

test('answers, progress, errors, transfers and order', async () => {
  const order = [];
  const { client, close } = pair({
    add: ({ a, b }) => a + b,
    slow: async ({ id }, progress) => {
      progress({ phase: 'half', done: 1, total: 2 });
      await new Promise((r) => setTimeout(r, 20));
      order.push(id);
      return id;
    },
    fast: ({ id }) => (order.push(id), id),
    fail: () => {
      throw new Error("node 'x' does not exist");
    },
    bytes: () => {
      const b = new Uint8Array([1, 2, 3]);
      return transferable({ b }, [b.buffer]);
    },
  });
  const busy = [];
  client.onBusyChange = (n) => busy.push(n);
  assert.equal(await client.call('add', { a: 2, b: 3 }), 5);
  const seen = [];
  const slow = client.call('slow', { id: 'slow' }, { onProgress: (p) => seen.push(p.phase) });
  const fast = client.call('fast', { id: 'fast' });
  assert.deepEqual(await Promise.all([slow, fast]), ['slow', 'fast']);
  assert.deepEqual(order, ['slow', 'fast'], 'one request at a time, in arrival order');
  assert.deepEqual(seen, ['half']);
  await assert.rejects(client.call('fail'), /node 'x' does not exist/);
  await assert.rejects(client.call('nope'), /unknown request 'nope'/);
  assert.deepEqual([...(await client.call('bytes')).b], [1, 2, 3]);
  assert.equal(busy.at(-1), 0);
  close();
});
