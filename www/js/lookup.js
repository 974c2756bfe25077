// Lookups answered in JS: crossing into WebAssembly with a string, or back
// with one, costs far more than a Map or Array lookup. What is kept here is
// valid while the graph is unchanged (its revision() stays the same); any
// commit drops it all.
//   - getNode: records are frozen, so one object can be handed out again.
//   - randomWalk(s): walks cross as node slots (numbers), both ways; the
//     slots of start ids and the ids of slots are kept. A single walk comes
//     back in a buffer in WebAssembly memory, so that crossing allocates
//     nothing.

/**
 * How many records each graph keeps. When that many are kept, they are all
 * dropped: deleting the oldest one by one leaves holes at the front of the
 * Map that every next deletion walks past (three times slower in total).
 */
const KEPT = 10000;

/**
 * Ids are kept for slots below this (an Array by slot); the ids of higher
 * slots, in graphs of more nodes, cross every time.
 */
const KEPT_SLOTS = 1 << 20;

/**
 * On each graph: { revision, byId: Map<id, record>, slotOfId: Map<id, slot>,
 * idOfSlot: Array<id> }.
 */
const KEPT_RECORDS = Symbol('kept node records');

/** On each graph: { memory, at, entries, view } for randomWalkInto. */
const WALK_BUFFER = Symbol('walk buffer');

/** What `graph` keeps for its current revision. */
function keptBy(graph) {
  const revision = graph.revision(); // NaN once closed: then nothing kept matches
  let kept = graph[KEPT_RECORDS];
  if (kept === undefined || kept.revision !== revision) {
    kept = { revision, byId: new Map(), slotOfId: new Map(), idOfSlot: [] };
    graph[KEPT_RECORDS] = kept;
  }
  return kept;
}

/** The slot of the node `id`, or -1. */
function slotOf(graph, kept, id) {
  let slot = kept.slotOfId.get(id);
  if (slot === undefined) {
    slot = graph.slotOf(id);
    if (kept.slotOfId.size >= KEPT) kept.slotOfId.clear();
    kept.slotOfId.set(id, slot);
  }
  return slot;
}

/** The walk buffer's current view (made again once memory has grown). */
function walkBuffer(graph) {
  let buffer = graph[WALK_BUFFER];
  if (buffer === undefined) {
    const [memory, at, entries] = graph.walkBuffer();
    buffer = { memory, at, entries, view: new Uint32Array(0) };
    graph[WALK_BUFFER] = buffer;
  }
  // Growing memory detaches the old view's ArrayBuffer: its length drops to 0.
  if (buffer.view.length === 0) buffer.view = new Uint32Array(buffer.memory.buffer, buffer.at, buffer.entries);
  return buffer.view;
}

/**
 * Walks from the node in `slot` into the walk buffer and returns the walk's
 * length: 0 where the export has no answer (no such slot, a closed graph, a
 * walk too long for the buffer), and the original method should answer.
 */
function walkInto(graph, slot, hops, seed) {
  walkBuffer(graph); // made by the first walk
  const valid = Number.isInteger(slot) && slot >= 0 && slot <= 0xffffffff;
  return valid ? graph.randomWalkInto(slot, hops, seed) : 0;
}

/**
 * The ids of the nodes in `slots[from..to]`. The slots are all read first:
 * asking WebAssembly for an id may grow its memory, which detaches a view.
 */
function idsOfSlots(graph, kept, slots, from, to) {
  const ids = new Array(to - from);
  for (let i = from; i < to; i++) ids[i - from] = slots[i];
  const idOfSlot = kept.idOfSlot;
  for (let i = 0; i < ids.length; i++) {
    const slot = ids[i];
    let id = idOfSlot[slot];
    if (id === undefined) {
      id = graph.slotId(slot);
      if (slot < KEPT_SLOTS) {
        while (idOfSlot.length <= slot) idOfSlot.push(undefined);
        idOfSlot[slot] = id;
      }
    }
    ids[i] = id;
  }
  return ids;
}

export function answerLookupsInJs(KnowledgeGraph) {
  const proto = KnowledgeGraph.prototype;

  const lookUp = proto.getNode;
  proto.getNode = function getNode(id) {
    const kept = keptBy(this);
    let record = kept.byId.get(id);
    if (record === undefined) {
      record = lookUp.call(this, id);
      if (record !== undefined) {
        if (kept.byId.size >= KEPT) kept.byId.clear();
        kept.byId.set(id, record);
      }
    }
    return record;
  };

  // The slot versions return nothing where the originals throw (or, for
  // randomWalks, return no walks; for randomWalk, where the walk would not
  // fit the buffer): the originals then answer.
  const walk = proto.randomWalk;
  proto.randomWalk = function randomWalk(start, hops, seed) {
    const kept = keptBy(this);
    const length = walkInto(this, slotOf(this, kept, start), hops, seed);
    if (length === 0) return walk.call(this, start, hops, seed);
    // The view is taken after the walk, which may have grown memory.
    return idsOfSlots(this, kept, walkBuffer(this), 0, length);
  };

  const walkIndices = proto.randomWalkIndices;
  proto.randomWalkIndices = function randomWalkIndices(start, hops, seed) {
    const length = walkInto(this, start, hops, seed);
    if (length === 0) return walkIndices.call(this, start, hops, seed);
    return walkBuffer(this).slice(0, length);
  };

  const walks = proto.randomWalks;
  proto.randomWalks = function randomWalks(starts, hops, seed) {
    if (!Array.isArray(starts)) return walks.call(this, starts, hops, seed);
    const kept = keptBy(this);
    const from = new Uint32Array(starts.length);
    for (let i = 0; i < starts.length; i++) {
      const slot = typeof starts[i] === 'string' ? slotOf(this, kept, starts[i]) : -1;
      if (slot < 0) return walks.call(this, starts, hops, seed);
      from[i] = slot;
    }
    const slots = this.randomWalksSlots(from, hops, seed);
    if (slots.length === 0) return walks.call(this, starts, hops, seed);
    const paths = [];
    for (let at = 0; at < slots.length; at += 1 + slots[at]) {
      paths.push(idsOfSlots(this, kept, slots, at + 1, at + 1 + slots[at]));
    }
    return paths;
  };
}
