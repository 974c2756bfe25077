//! The in-memory graph structure: interned ids and labels, edge slots and
//! per-node adjacency lists. Properties are not held here (they live in
//! storage behind the record cache), so traversals never touch storage.
//!
//! Node slots are reused after removal; edge slots are the edge ids
//! themselves and are never reused, so an [`EdgeId`](crate::EdgeId) stays
//! valid for the life of the database.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Bound;

use hashbrown::HashMap;

use crate::columns::Columns;
use crate::index::{entry_record_id, IndexDef, RecordKind};
use crate::record;

/// Dense index of a live node inside one graph (not stable across removals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeIndex(pub u32);

/// Dense index of a label.
pub(crate) type LabelId = u32;

/// The id of a node slot that is free.
const FREE: LabelId = LabelId::MAX;
/// The source of an edge slot that is empty (never used or removed).
const NO_NODE: u32 = u32::MAX;

/// One adjacency entry: the edge, and the node at its other end (kept here
/// so a walk does not have to load the edge to find where it leads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Adj {
    pub edge: u32,
    pub node: u32,
}

pub(crate) struct NodeSlot {
    pub id: Arc<str>,
    pub label: LabelId,
    /// Outgoing edge ids, in insertion order.
    pub out: Vec<Adj>,
    /// Incoming edge ids, in insertion order.
    pub inc: Vec<Adj>,
}

impl NodeSlot {
    /// False for a slot freed by a removed node.
    pub fn is_live(&self) -> bool {
        self.label != FREE
    }
}

#[derive(Clone, Copy)]
pub(crate) struct EdgeSlot {
    pub source: u32,
    pub target: u32,
    pub label: LabelId,
    pub created_at_ms: i64,
}

impl EdgeSlot {
    const EMPTY: EdgeSlot = EdgeSlot {
        source: NO_NODE,
        target: NO_NODE,
        label: 0,
        created_at_ms: 0,
    };

    pub fn is_live(&self) -> bool {
        self.source != NO_NODE
    }
}

/// A change to one secondary-index entry, applied to the topology once the
/// commit that makes it is stored.
pub(crate) enum IndexChange {
    /// The entry now exists and points at this node slot or edge id.
    Put(Vec<u8>, u32),
    Delete(Vec<u8>),
}

/// What [`Topology::undo`] needs to reverse one change.
pub(crate) enum Undo {
    NodeAdded(u32),
    NodeRemoved {
        slot: u32,
        id: Arc<str>,
        label: LabelId,
    },
    EdgeAdded(u32),
    EdgeRemoved {
        edge: u32,
        slot: EdgeSlot,
        out_pos: usize,
        in_pos: usize,
    },
    NextEdge(u64),
    IndexAdded,
    IndexRemoved {
        position: usize,
        def: IndexDef,
    },
}

/// A node id as the id map holds it: up to [`IdKey::INLINE`] bytes in the
/// map's own bucket, so a lookup compares it without a trip to the heap (a
/// cache miss on every lookup of a large graph); longer ids share the node
/// slot's `Arc`.
enum IdKey {
    Inline { len: u8, bytes: [u8; IdKey::INLINE] },
    Shared(Arc<str>),
}

impl IdKey {
    const INLINE: usize = 22;

    fn new(id: Arc<str>) -> Self {
        let mut bytes = [0; Self::INLINE];
        match bytes.get_mut(..id.len()) {
            Some(prefix) => {
                prefix.copy_from_slice(id.as_bytes());
                IdKey::Inline {
                    len: id.len() as u8,
                    bytes,
                }
            }
            None => IdKey::Shared(id),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            IdKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            IdKey::Shared(id) => id.as_bytes(),
        }
    }
}

// Hashed and compared as the id's bytes, so the map is searched by `&[u8]`.
impl core::hash::Hash for IdKey {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialEq for IdKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for IdKey {}

impl core::borrow::Borrow<[u8]> for IdKey {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

#[derive(Default)]
pub(crate) struct Topology {
    pub nodes: Vec<NodeSlot>,
    free_nodes: Vec<u32>,
    ids: HashMap<IdKey, u32>,
    pub edges: Vec<EdgeSlot>,
    pub edge_count: usize,
    /// The id the next added edge gets (== `edges.len()` unless ids were skipped).
    pub next_edge: u64,
    labels: Vec<Arc<str>>,
    label_ids: HashMap<Arc<str>, LabelId>,
    /// Live nodes per label id.
    pub nodes_per_label: Vec<usize>,
    /// Secondary index definitions, in creation order.
    pub indexes: Vec<IndexDef>,
    /// The id the next created index gets.
    pub next_index_id: u32,
    /// Every secondary-index entry (the index keyspace's keys, see `index`)
    /// with the node slot or edge id it points at, so a query reads an index
    /// without touching storage or looking ids up.
    index_entries: BTreeMap<Box<[u8]>, u32>,
    /// Property columns of node labels, built by queries (hence the lock:
    /// readers add them), kept up to date by commits.
    pub columns: crate::sync::Mutex<Columns>,
    /// Commits applied since the graph was opened (caches key on it).
    pub generation: u64,
    /// The change log's last sequence number and its commit time (see `changelog`).
    pub log_seq: u64,
    pub log_time_ms: i64,
    /// The last sequence number a backup covers.
    pub backup_seq: u64,
    /// Commits were made with the change log off since the last full backup.
    pub log_gap: bool,
}

impl Topology {
    pub fn node_count(&self) -> usize {
        self.ids.len()
    }

    pub fn node(&self, id: &str) -> Option<u32> {
        self.ids.get(id.as_bytes()).copied()
    }

    pub fn node_slot(&self, slot: u32) -> &NodeSlot {
        &self.nodes[slot as usize]
    }

    pub fn live_nodes(&self) -> impl Iterator<Item = u32> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_live())
            .map(|(i, _)| i as u32)
    }

    /// The live nodes labelled `label`, by slot.
    pub fn nodes_labelled(&self, label: LabelId) -> impl Iterator<Item = u32> + '_ {
        self.live_nodes()
            .filter(move |&n| self.node_slot(n).label == label)
    }

    /// The live edges labelled `label`, by id.
    pub fn edges_labelled(&self, label: LabelId) -> impl Iterator<Item = u32> + '_ {
        (0..self.edges.len() as u32).filter(move |&e| {
            self.edge(u64::from(e))
                .is_some_and(|slot| slot.label == label)
        })
    }

    pub fn edge(&self, id: u64) -> Option<&EdgeSlot> {
        self.edges
            .get(usize::try_from(id).ok()?)
            .filter(|e| e.is_live())
    }

    pub fn label(&self, label: LabelId) -> &Arc<str> {
        &self.labels[label as usize]
    }

    pub fn label_id(&self, name: &str) -> Option<LabelId> {
        self.label_ids.get(name).copied()
    }

    pub fn labels(&self) -> impl Iterator<Item = (&str, usize)> {
        self.labels
            .iter()
            .zip(&self.nodes_per_label)
            .map(|(l, n)| (&**l, *n))
    }

    /// The label's id, interning it on first use (labels are never removed).
    pub fn intern_label(&mut self, name: &str) -> LabelId {
        if let Some(&id) = self.label_ids.get(name) {
            return id;
        }
        let id = self.labels.len() as LabelId;
        let name: Arc<str> = Arc::from(name);
        self.labels.push(Arc::clone(&name));
        self.label_ids.insert(name, id);
        self.nodes_per_label.push(0);
        id
    }

    /// Adds a node the caller has checked is new.
    pub fn add_node(&mut self, id: &str, label: LabelId, undo: &mut Vec<Undo>) -> u32 {
        let id: Arc<str> = Arc::from(id);
        let slot = match self.free_nodes.pop() {
            Some(slot) => {
                let node = &mut self.nodes[slot as usize];
                node.id = Arc::clone(&id);
                node.label = label;
                slot
            }
            None => {
                self.nodes.push(NodeSlot {
                    id: Arc::clone(&id),
                    label,
                    out: Vec::new(),
                    inc: Vec::new(),
                });
                (self.nodes.len() - 1) as u32
            }
        };
        self.ids.insert(IdKey::new(id), slot);
        self.nodes_per_label[label as usize] += 1;
        undo.push(Undo::NodeAdded(slot));
        slot
    }

    /// Removes a node whose edges are already gone.
    pub fn remove_node(&mut self, slot: u32, undo: &mut Vec<Undo>) {
        let node = &self.nodes[slot as usize];
        debug_assert!(node.out.is_empty() && node.inc.is_empty());
        let (id, label) = self.free_node(slot);
        undo.push(Undo::NodeRemoved { slot, id, label });
    }

    /// Empties `slot` (its id leaves the id map, the slot joins the free
    /// list) and returns the id and label it held.
    fn free_node(&mut self, slot: u32) -> (Arc<str>, LabelId) {
        let node = &mut self.nodes[slot as usize];
        let label = core::mem::replace(&mut node.label, FREE);
        let id = core::mem::replace(&mut node.id, Arc::from(""));
        self.ids.remove(id.as_bytes());
        self.nodes_per_label[label as usize] -= 1;
        self.free_nodes.push(slot);
        (id, label)
    }

    /// Adds an edge between live nodes under the next edge id.
    pub fn add_edge(
        &mut self,
        source: u32,
        target: u32,
        label: LabelId,
        created_at_ms: i64,
        undo: &mut Vec<Undo>,
    ) -> u64 {
        let id = self.next_edge;
        undo.push(Undo::NextEdge(id));
        self.next_edge += 1;
        self.insert_edge(
            id,
            EdgeSlot {
                source,
                target,
                label,
                created_at_ms,
            },
        );
        undo.push(Undo::EdgeAdded(id as u32));
        id
    }

    /// Places a live edge at `id` (also used when loading).
    pub fn insert_edge(&mut self, id: u64, slot: EdgeSlot) {
        let index = id as usize;
        if self.edges.len() <= index {
            self.edges.resize(index + 1, EdgeSlot::EMPTY);
        }
        self.edges[index] = slot;
        let edge = id as u32;
        self.nodes[slot.source as usize].out.push(Adj {
            edge,
            node: slot.target,
        });
        self.nodes[slot.target as usize].inc.push(Adj {
            edge,
            node: slot.source,
        });
        self.edge_count += 1;
        self.next_edge = self.next_edge.max(id + 1);
    }

    pub fn remove_edge(&mut self, id: u32, undo: &mut Vec<Undo>) {
        let slot = core::mem::replace(&mut self.edges[id as usize], EdgeSlot::EMPTY);
        let out = &mut self.nodes[slot.source as usize].out;
        let out_pos = out
            .iter()
            .position(|a| a.edge == id)
            .expect("edge listed at its source");
        out.remove(out_pos);
        let inc = &mut self.nodes[slot.target as usize].inc;
        let in_pos = inc
            .iter()
            .position(|a| a.edge == id)
            .expect("edge listed at its target");
        inc.remove(in_pos);
        self.edge_count -= 1;
        undo.push(Undo::EdgeRemoved {
            edge: id,
            slot,
            out_pos,
            in_pos,
        });
    }

    /// Registers an index found in storage at open.
    pub fn load_index(&mut self, def: IndexDef) {
        self.next_index_id = self.next_index_id.max(def.id + 1);
        self.indexes.push(def);
    }

    pub fn add_index(&mut self, def: IndexDef, undo: &mut Vec<Undo>) {
        self.next_index_id = def.id + 1;
        self.indexes.push(def);
        undo.push(Undo::IndexAdded);
    }

    pub fn remove_index(&mut self, position: usize, undo: &mut Vec<Undo>) {
        let def = self.indexes.remove(position);
        undo.push(Undo::IndexRemoved { position, def });
    }

    /// Applies a committed batch's index-entry changes, in order.
    pub fn apply_index_changes(&mut self, changes: Vec<IndexChange>) {
        let changed = changes.len();
        for change in changes {
            match change {
                IndexChange::Put(key, record) => {
                    self.index_entries.insert(key.into_boxed_slice(), record);
                }
                IndexChange::Delete(key) => {
                    self.index_entries.remove(key.as_slice());
                }
            }
        }
        // Entries inserted one by one leave the tree's nodes wherever the
        // allocator had room, and a range scan then misses on every node. A
        // commit that wrote most of the entries (an index created on a
        // loaded graph) rebuilds the tree from its sorted entries, node
        // after node: a third faster to scan, and amortised O(1) per change.
        if changed >= 1024 && changed * 2 >= self.index_entries.len() {
            self.index_entries = core::mem::take(&mut self.index_entries)
                .into_iter()
                .collect();
        }
    }

    pub fn index_entry_count(&self) -> usize {
        self.index_entries.len()
    }

    /// Replaces the index entries with `entries` (at open).
    pub fn load_index_entries(&mut self, entries: Vec<(Box<[u8]>, u32)>) {
        self.index_entries = entries.into_iter().collect();
    }

    /// The records of the index entries from `start` on and, with `end`,
    /// before it, in key order.
    pub fn index_records<'a>(
        &'a self,
        start: &'a [u8],
        end: Option<&'a [u8]>,
    ) -> impl Iterator<Item = u32> + 'a {
        let end = end.map_or(Bound::Unbounded, Bound::Excluded);
        self.index_entries
            .range::<[u8], _>((Bound::Included(start), end))
            .map(|(_, &record)| record)
    }

    /// Every index entry held, in key order, with its node slot or edge id.
    pub fn index_entries(&self) -> impl Iterator<Item = (&[u8], u32)> {
        self.index_entries
            .iter()
            .map(|(key, &record)| (&**key, record))
    }

    /// The live node slot or edge id an index entry names.
    pub fn index_entry_target(&self, key: &[u8]) -> Option<u32> {
        let id = entry_record_id(key)?;
        match key.first() {
            Some(&tag) if tag == RecordKind::Node.tag() => {
                self.node(core::str::from_utf8(id).ok()?)
            }
            Some(&tag) if tag == RecordKind::Edge.tag() => record::edge_id_from_key(id)
                .ok()
                .filter(|&e| self.edge(e).is_some())
                .map(|e| e as u32),
            _ => None,
        }
    }

    /// Reverses `log` (newest change first), restoring the exact prior state.
    pub fn undo(&mut self, log: Vec<Undo>) {
        for entry in log.into_iter().rev() {
            match entry {
                Undo::NodeAdded(slot) => {
                    self.free_node(slot);
                }
                Undo::NodeRemoved { slot, id, label } => {
                    let popped = self.free_nodes.pop();
                    debug_assert_eq!(popped, Some(slot));
                    let node = &mut self.nodes[slot as usize];
                    node.id = Arc::clone(&id);
                    node.label = label;
                    self.ids.insert(IdKey::new(id), slot);
                    self.nodes_per_label[label as usize] += 1;
                }
                Undo::EdgeAdded(id) => {
                    let slot = core::mem::replace(&mut self.edges[id as usize], EdgeSlot::EMPTY);
                    self.nodes[slot.source as usize].out.pop();
                    self.nodes[slot.target as usize].inc.pop();
                    self.edge_count -= 1;
                }
                Undo::EdgeRemoved {
                    edge,
                    slot,
                    out_pos,
                    in_pos,
                } => {
                    self.edges[edge as usize] = slot;
                    self.nodes[slot.source as usize].out.insert(
                        out_pos,
                        Adj {
                            edge,
                            node: slot.target,
                        },
                    );
                    self.nodes[slot.target as usize].inc.insert(
                        in_pos,
                        Adj {
                            edge,
                            node: slot.source,
                        },
                    );
                    self.edge_count += 1;
                }
                Undo::NextEdge(id) => {
                    self.next_edge = id;
                    self.edges.truncate(id as usize);
                }
                Undo::IndexAdded => {
                    if let Some(def) = self.indexes.pop() {
                        self.next_index_id = def.id;
                    }
                }
                Undo::IndexRemoved { position, def } => self.indexes.insert(position, def),
            }
        }
    }

    /// Bytes held by the topology (ids, labels, slots, adjacency), for metrics
    /// and the memory-per-edge figure.
    pub fn heap_bytes(&self) -> usize {
        let node_slots = self.nodes.capacity() * core::mem::size_of::<NodeSlot>();
        let adjacency: usize = self
            .nodes
            .iter()
            .map(|n| {
                (n.out.capacity() + n.inc.capacity()) * core::mem::size_of::<Adj>() + n.id.len()
            })
            .sum();
        let id_map = self.ids.capacity() * (core::mem::size_of::<(IdKey, u32)>() + 1);
        let edges = self.edges.capacity() * core::mem::size_of::<EdgeSlot>();
        node_slots + adjacency + id_map + edges
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    /// A commit that writes most of the entries has the tree rebuilt; the
    /// entries, their order and later changes come out the same either way.
    #[test]
    fn index_entries_are_the_same_whether_rebuilt_or_not() {
        let key = |i: u32| alloc::format!("k{:05}", i * 7 % 5000).into_bytes();
        let mut topo = Topology::default();
        let mut expected = BTreeMap::new();
        for round in 0..3u32 {
            // 3,000 puts (rebuilt), then 100 puts and deletes (not rebuilt).
            let n = if round == 0 { 3000 } else { 100 };
            let changes: Vec<IndexChange> = (0..n)
                .map(|i| {
                    let k = key(i + round * 1000);
                    if i % 3 == 0 && round > 0 {
                        expected.remove(&k);
                        IndexChange::Delete(k)
                    } else {
                        expected.insert(k.clone(), i);
                        IndexChange::Put(k, i)
                    }
                })
                .collect();
            topo.apply_index_changes(changes);
            let held: Vec<(Vec<u8>, u32)> =
                topo.index_entries().map(|(k, r)| (k.to_vec(), r)).collect();
            let wanted: Vec<(Vec<u8>, u32)> =
                expected.iter().map(|(k, &r)| (k.clone(), r)).collect();
            assert_eq!(held, wanted, "round {round}");
            let in_range = expected.range(b"k01".to_vec()..b"k02".to_vec());
            assert!(topo
                .index_records(b"k01", Some(b"k02"))
                .eq(in_range.map(|(_, &r)| r)));
        }
    }

    /// Ids of every length around the inline limit, ASCII and not, are
    /// found, removed and restored by undo alike.
    #[test]
    fn ids_inline_or_shared_are_found_removed_and_restored() {
        let mut topo = Topology::default();
        let label = topo.intern_label("thing");
        // "x" * n: every byte length up to twice the limit; "é" * n: two
        // bytes per character, across the limit too.
        let mut ids: Vec<String> = (0..=2 * IdKey::INLINE).map(|n| "x".repeat(n)).collect();
        ids.extend((1..=IdKey::INLINE).map(|n| "é".repeat(n)));
        let mut undo = Vec::new();
        let slots: Vec<u32> = ids
            .iter()
            .map(|id| topo.add_node(id, label, &mut undo))
            .collect();
        for (id, &slot) in ids.iter().zip(&slots) {
            assert_eq!(topo.node(id), Some(slot), "id of {} bytes", id.len());
            assert_eq!(&*topo.node_slot(slot).id, id.as_str());
        }
        assert_eq!(topo.node("missing"), None);
        assert_eq!(topo.node(&"x".repeat(2 * IdKey::INLINE + 1)), None);

        let mut removals = Vec::new();
        for &slot in &slots {
            topo.remove_node(slot, &mut removals);
        }
        assert!(ids.iter().all(|id| topo.node(id).is_none()));
        topo.undo(removals);
        for (id, &slot) in ids.iter().zip(&slots) {
            assert_eq!(
                topo.node(id),
                Some(slot),
                "restored: id of {} bytes",
                id.len()
            );
        }
        topo.undo(undo);
        assert_eq!(topo.node_count(), 0);
    }
}
