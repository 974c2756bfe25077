// Node lookups answered in JS: a lookup that crosses into WebAssembly pays
// for passing the id and building the record, far more than a Map lookup.
// Records are frozen, so one object can be handed out again while the graph
// is unchanged (its revision() stays the same); any commit drops them all.

/**
 * How many records each graph keeps. When that many are kept, they are all
 * dropped: deleting the oldest one by one leaves holes at the front of the
 * Map that every next deletion walks past (three times slower in total).
 */
const KEPT = 10000;

/** On each graph: { revision, byId: Map<id, record> }. */
const KEPT_RECORDS = Symbol('kept node records');

export function cacheNodeLookups(KnowledgeGraph) {
  const lookUp = KnowledgeGraph.prototype.getNode;
  KnowledgeGraph.prototype.getNode = function getNode(id) {
    const revision = this.revision(); // NaN once closed: then nothing kept matches
    let kept = this[KEPT_RECORDS];
    if (kept === undefined || kept.revision !== revision) {
      kept = { revision, byId: new Map() };
      this[KEPT_RECORDS] = kept;
    }
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
}
