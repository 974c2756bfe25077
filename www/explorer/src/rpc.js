// The protocol between the page and the graph worker: numbered requests
// `{ id, type, payload }`, answered by `{ id, ok: true, result }` or
// `{ id, ok: false, error }`, with any number of `{ id, progress }` messages
// before the answer (import of a large file).
//
// Page side: `const client = new WorkerClient(worker); await client.call('open', { name })`.
// Worker side: `serve(self, { open: async (payload, progress) => ... })`.

/** Calls into a worker; one promise per request. */
export class WorkerClient {
  constructor(worker) {
    this.worker = worker;
    this.next = 1;
    this.pending = new Map();
    this.busy = 0;
    this.onBusyChange = () => {};
    worker.addEventListener('message', (event) => this.receive(event.data));
    worker.addEventListener('error', (event) => {
      const error = new Error(`the graph worker failed: ${event.message ?? 'unknown error'}`);
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    });
  }

  /** Sends a request; `onProgress({ done, total, phase })` sees progress messages. */
  call(type, payload = {}, { onProgress, transfer = [] } = {}) {
    const id = this.next++;
    this.busy++;
    this.onBusyChange(this.busy, type);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, type });
      this.worker.postMessage({ id, type, payload }, transfer);
    });
  }

  receive(message) {
    const request = this.pending.get(message.id);
    if (!request) return;
    if (message.progress) {
      request.onProgress?.(message.progress);
      return;
    }
    this.pending.delete(message.id);
    this.busy--;
    this.onBusyChange(this.busy, request.type);
    if (message.ok) request.resolve(message.result);
    else request.reject(Object.assign(new Error(message.error), { name: message.name ?? 'Error' }));
  }
}

/** A handler may return `transferable(result, [buffers])` to move buffers instead of copying them. */
export const transferable = (result, transfer) => ({ [TRANSFER]: true, result, transfer });
const TRANSFER = Symbol('transfer');

/** Answers requests with `handlers[type](payload, progress)`, one at a time in arrival order. */
export function serve(scope, handlers) {
  let queue = Promise.resolve();
  scope.addEventListener('message', (event) => {
    const { id, type, payload } = event.data;
    queue = queue.then(async () => {
      const progress = (p) => scope.postMessage({ id, progress: p });
      try {
        const handler = handlers[type];
        if (!handler) throw new Error(`unknown request '${type}'`);
        const value = await handler(payload, progress);
        if (value && value[TRANSFER]) scope.postMessage({ id, ok: true, result: value.result }, value.transfer);
        else scope.postMessage({ id, ok: true, result: value });
      } catch (error) {
        scope.postMessage({ id, ok: false, error: error?.message ?? String(error), name: error?.name });
      }
    });
  });
}
