//! How a commit is applied: every operation changes the in-memory topology
//! (recording how to undo it) and queues its storage writes, including the
//! secondary-index entries it affects; the storage batch is then applied as
//! one. Also how the topology is rebuilt from storage at open.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::ControlFlow;

use knowledge_graph_storage::{Keyspace, Storage, WriteBatch};

use crate::cache::RecordKey;
use crate::error::{Error, Result};
use crate::index::{IndexDef, RecordKind};
use crate::model::EdgeId;
use crate::record;
use crate::topology::{EdgeSlot, IndexChange, LabelId, Topology, Undo};
use crate::txn::Op;
use crate::value::{codec, Value};

/// What a commit reads from the stored state while it is being planned.
pub(crate) trait Stored {
    /// The committed properties of a record: node slot or edge id, and its storage key.
    fn properties(&self, kind: RecordKind, at: u64, key: &[u8]) -> Result<Value>;
    /// Every key in `keyspace` starting with `prefix`.
    fn keys_with_prefix(&self, keyspace: Keyspace, prefix: &[u8]) -> Result<Vec<Vec<u8>>>;
}

/// The changes of one commit, built while applying it in memory.
#[derive(Default)]
pub(crate) struct Plan {
    pub undo: Vec<Undo>,
    pub batch: WriteBatch,
    /// Cache entries to replace (or drop) once the commit is durable.
    pub cache: Vec<(RecordKey, Option<Value>)>,
    pub added_edges: Vec<EdgeId>,
    /// The batch's index-entry writes, for the topology's copy of the entries.
    pub index_changes: Vec<IndexChange>,
    /// New properties of the nodes (by slot) of labels with property
    /// columns; `None` for removed nodes.
    pub column_changes: Vec<(u32, LabelId, Option<Value>)>,
    pub next_edge_changed: bool,
    /// Properties written earlier in this commit, for index upkeep of later operations.
    pending: BTreeMap<(RecordKind, Vec<u8>), Value>,
}

impl Plan {
    /// Applies one operation; on `Err` the caller undoes the whole plan.
    pub fn apply(
        &mut self,
        topo: &mut Topology,
        op: Op,
        now: i64,
        stored: &dyn Stored,
    ) -> Result<()> {
        match op {
            Op::AddNode {
                label,
                id,
                properties,
            } => {
                non_empty("node id", &id)?;
                non_empty("node label", &label)?;
                storable(&properties)?;
                if topo.node(&id).is_some() {
                    return Err(Error::NodeExists { id });
                }
                let label_id = topo.intern_label(&label);
                let slot = topo.add_node(&id, label_id, &mut self.undo);
                let at = (RecordKind::Node, u64::from(slot), id.as_bytes());
                self.index(topo, &label, at, None, Some(&properties));
                self.column_change(topo, slot, label_id, Some(&properties));
                self.batch.put(
                    Keyspace::Nodes,
                    id.as_bytes(),
                    record::encode_node(&label, &properties),
                );
                self.remember(topo, RecordKind::Node, &label, id.into_bytes(), properties);
            }
            Op::UpdateNode { id, properties } => {
                storable(&properties)?;
                let slot = topo
                    .node(&id)
                    .ok_or_else(|| Error::NodeNotFound { id: id.clone() })?;
                let label_id = topo.node_slot(slot).label;
                let label = String::from(&**topo.label(label_id));
                let at = (RecordKind::Node, u64::from(slot), id.as_bytes());
                self.reindex(topo, &label, at, Some(&properties), stored)?;
                self.column_change(topo, slot, label_id, Some(&properties));
                self.batch.put(
                    Keyspace::Nodes,
                    id.as_bytes(),
                    record::encode_node(&label, &properties),
                );
                self.cache
                    .push((RecordKey::node(slot), Some(properties.clone())));
                self.remember(topo, RecordKind::Node, &label, id.into_bytes(), properties);
            }
            Op::RemoveNode { id } => {
                let slot = topo
                    .node(&id)
                    .ok_or_else(|| Error::NodeNotFound { id: id.clone() })?;
                while let Some(edge) = topo.node_slot(slot).out.last().map(|a| a.edge) {
                    self.remove_edge(topo, edge, stored)?;
                }
                while let Some(edge) = topo.node_slot(slot).inc.last().map(|a| a.edge) {
                    self.remove_edge(topo, edge, stored)?;
                }
                let label_id = topo.node_slot(slot).label;
                let label = String::from(&**topo.label(label_id));
                let at = (RecordKind::Node, u64::from(slot), id.as_bytes());
                self.reindex(topo, &label, at, None, stored)?;
                self.column_change(topo, slot, label_id, None);
                topo.remove_node(slot, &mut self.undo);
                self.batch.delete(Keyspace::Nodes, id.into_bytes());
                self.cache.push((RecordKey::node(slot), None));
            }
            Op::AddEdge {
                label,
                source,
                target,
                properties,
                created_at_ms,
            } => {
                non_empty("edge label", &label)?;
                storable(&properties)?;
                let missing = |role, id: &String| Error::MissingEndpoint {
                    label: label.clone(),
                    role,
                    id: id.clone(),
                };
                let s = topo
                    .node(&source)
                    .ok_or_else(|| missing("source", &source))?;
                let t = topo
                    .node(&target)
                    .ok_or_else(|| missing("target", &target))?;
                let label_id = topo.intern_label(&label);
                let created = created_at_ms.unwrap_or(now);
                let id = topo.add_edge(s, t, label_id, created, &mut self.undo);
                self.next_edge_changed = true;
                let key = record::edge_key(id);
                let at = (RecordKind::Edge, id, &key[..]);
                self.index(topo, &label, at, None, Some(&properties));
                let bytes = record::encode_edge(&label, &source, &target, created, &properties);
                self.batch.put(Keyspace::Edges, key, bytes);
                self.remember(topo, RecordKind::Edge, &label, key.to_vec(), properties);
                self.added_edges.push(EdgeId(id));
            }
            Op::RemoveEdge { id } => {
                topo.edge(id.0).ok_or(Error::EdgeNotFound { id })?;
                self.remove_edge(topo, id.0 as u32, stored)?;
            }
            Op::CreateIndex { kind, label, path } => {
                non_empty("index label", &label)?;
                if topo
                    .indexes
                    .iter()
                    .any(|d| d.covers(kind, &label) && d.path == path)
                {
                    return Ok(());
                }
                let def = IndexDef {
                    id: topo.next_index_id,
                    kind,
                    label,
                    path,
                };
                // Index what is already there, in this same commit.
                let records: Vec<(u64, Vec<u8>)> = match (kind, topo.label_id(&def.label)) {
                    (_, None) => Vec::new(),
                    (RecordKind::Node, Some(l)) => topo
                        .nodes_labelled(l)
                        .map(|n| (u64::from(n), topo.node_slot(n).id.as_bytes().to_vec()))
                        .collect(),
                    (RecordKind::Edge, Some(l)) => topo
                        .edges_labelled(l)
                        .map(|e| (u64::from(e), record::edge_key(u64::from(e)).to_vec()))
                        .collect(),
                };
                for (at, key) in records {
                    let properties = self.old(kind, at, &key, stored)?;
                    if let Some(value) = def.value_of(&properties) {
                        self.put_entry(def.entry_key(value, &key), at);
                    }
                }
                self.batch
                    .put(Keyspace::Meta, def.meta_key(), def.meta_value());
                topo.add_index(def, &mut self.undo);
            }
            Op::DropIndex { kind, label, path } => {
                let Some(position) = topo
                    .indexes
                    .iter()
                    .position(|d| d.covers(kind, &label) && d.path == path)
                else {
                    return Err(Error::invalid(alloc::format!(
                        "there is no {} index on '{label}.{}'",
                        if kind == RecordKind::Node {
                            "node"
                        } else {
                            "edge"
                        },
                        path.join(".")
                    )));
                };
                let def = topo.indexes[position].clone();
                for key in stored.keys_with_prefix(Keyspace::Index, &def.prefix())? {
                    self.delete_entry(key);
                }
                self.batch.delete(Keyspace::Meta, def.meta_key());
                topo.remove_index(position, &mut self.undo);
            }
        }
        Ok(())
    }

    fn remove_edge(&mut self, topo: &mut Topology, edge: u32, stored: &dyn Stored) -> Result<()> {
        let key = record::edge_key(u64::from(edge));
        let label = String::from(&**topo.label(topo.edges[edge as usize].label));
        self.reindex(
            topo,
            &label,
            (RecordKind::Edge, u64::from(edge), &key),
            None,
            stored,
        )?;
        topo.remove_edge(edge, &mut self.undo);
        self.batch.delete(Keyspace::Edges, key.to_vec());
        self.cache.push((RecordKey::edge(u64::from(edge)), None));
        Ok(())
    }

    /// Moves a stored record's index entries to `new` properties (`None`:
    /// the record goes away); `at` is its kind, slot or edge id and key.
    fn reindex(
        &mut self,
        topo: &Topology,
        label: &str,
        at: (RecordKind, u64, &[u8]),
        new: Option<&Value>,
        stored: &dyn Stored,
    ) -> Result<()> {
        let (kind, slot, key) = at;
        if has_index(topo, kind, label) {
            let old = self.old(kind, slot, key, stored)?;
            self.index(topo, label, at, Some(&old), new);
        }
        Ok(())
    }

    /// The properties a record has at this point of the commit.
    fn old(&self, kind: RecordKind, at: u64, key: &[u8], stored: &dyn Stored) -> Result<Value> {
        match self.pending.get(&(kind, key.to_vec())) {
            Some(value) => Ok(value.clone()),
            None => stored.properties(kind, at, key),
        }
    }

    fn remember(
        &mut self,
        topo: &Topology,
        kind: RecordKind,
        label: &str,
        key: Vec<u8>,
        properties: Value,
    ) {
        if has_index(topo, kind, label) {
            self.pending.insert((kind, key), properties);
        }
    }

    /// Queues the index changes of a record going from `old` to `new`
    /// properties; `at` is its kind, slot or edge id and key.
    fn index(
        &mut self,
        topo: &Topology,
        label: &str,
        at: (RecordKind, u64, &[u8]),
        old: Option<&Value>,
        new: Option<&Value>,
    ) {
        let (kind, record, key) = at;
        for def in topo.indexes.iter().filter(|d| d.covers(kind, label)) {
            let before = old.and_then(|p| def.value_of(p));
            let after = new.and_then(|p| def.value_of(p));
            if before == after {
                continue;
            }
            if let Some(value) = before {
                self.delete_entry(def.entry_key(value, key));
            }
            if let Some(value) = after {
                self.put_entry(def.entry_key(value, key), record);
            }
        }
    }

    /// Notes a node's new properties for the property columns of its label.
    fn column_change(
        &mut self,
        topo: &mut Topology,
        slot: u32,
        label: LabelId,
        properties: Option<&Value>,
    ) {
        if topo.columns.get_mut().covers(label) {
            self.column_changes.push((slot, label, properties.cloned()));
        }
    }

    /// Writes an index entry pointing at a node slot or edge id.
    fn put_entry(&mut self, key: Vec<u8>, record: u64) {
        self.batch.put(Keyspace::Index, key.clone(), Vec::new());
        self.index_changes
            .push(IndexChange::Put(key, record as u32));
    }

    fn delete_entry(&mut self, key: Vec<u8>) {
        self.batch.delete(Keyspace::Index, key.clone());
        self.index_changes.push(IndexChange::Delete(key));
    }
}

fn has_index(topo: &Topology, kind: RecordKind, label: &str) -> bool {
    topo.indexes.iter().any(|d| d.covers(kind, label))
}

fn non_empty(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(alloc::format!("{what} must not be empty")));
    }
    Ok(())
}

/// Properties nested deeper than the codec reads back are refused up front.
fn storable(properties: &Value) -> Result<()> {
    if codec::nesting_depth(properties) > codec::MAX_DEPTH {
        return Err(Error::invalid(alloc::format!(
            "properties are nested deeper than {} levels",
            codec::MAX_DEPTH
        )));
    }
    Ok(())
}

/// Rebuilds the topology from storage. With `repair`, records that fail to
/// decode (and edges whose endpoints are gone) are deleted instead of failing
/// the load; the count of dropped records is returned.
pub(crate) fn load<S: Storage>(storage: &S, repair: bool) -> Result<(Topology, u64)> {
    let mut topo = Topology::default();
    let mut undo = Vec::new();
    let mut damaged = WriteBatch::new();
    let mut failure: Option<Error> = None;

    let mut format = None;
    storage.scan_prefix(Keyspace::Meta, b"", &mut |key, value| {
        if key == record::META_FORMAT {
            format = value.first().copied();
        } else if key == record::META_NEXT_EDGE {
            if let Ok(bytes) = <[u8; 8]>::try_from(value) {
                topo.next_edge = u64::from_le_bytes(bytes);
            }
        } else if key == crate::changelog::META_SEQ {
            if let Some((seq, time)) = crate::changelog::parse_seq(value) {
                topo.log_seq = seq;
                topo.log_time_ms = time;
            }
        } else if key == crate::changelog::META_BACKUP {
            if let Some(seq) = crate::changelog::parse_u64(value) {
                topo.backup_seq = seq;
            }
        } else if key == crate::changelog::META_GAP {
            topo.log_gap = true;
        } else if let Some(def) = IndexDef::from_meta(key, value) {
            match def {
                Ok(def) => topo.load_index(def),
                Err(err) => {
                    failure = Some(err);
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    })?;
    if let Some(err) = failure.take() {
        return Err(err);
    }
    topo.log_seq = topo.log_seq.max(topo.backup_seq);
    if let Some((seq, time)) = crate::changelog::last_entry(storage, topo.log_seq)? {
        topo.log_seq = seq;
        topo.log_time_ms = time;
    }
    match format {
        Some(record::FORMAT_VERSION) => {}
        Some(other) => {
            return Err(Error::corrupt(alloc::format!(
                "storage format version {other} is not supported (this build reads version {})",
                record::FORMAT_VERSION
            )))
        }
        None => {
            let mut batch = WriteBatch::new();
            batch.put(
                Keyspace::Meta,
                record::META_FORMAT,
                [record::FORMAT_VERSION],
            );
            storage.apply(batch)?;
        }
    }

    let mut visit_error =
        |err: Error, key: &[u8], keyspace: Keyspace, failure: &mut Option<Error>| {
            if repair {
                damaged.delete(keyspace, key.to_vec());
                ControlFlow::Continue(())
            } else {
                *failure = Some(err);
                ControlFlow::Break(())
            }
        };

    storage.scan_prefix(Keyspace::Nodes, b"", &mut |key, value| {
        let header =
            record::node_id_from_key(key).and_then(|id| Ok((id, record::node_header(id, value)?)));
        match header {
            Ok((id, header)) => {
                let label = topo.intern_label(header.label);
                topo.add_node(id, label, &mut undo);
                undo.clear();
                ControlFlow::Continue(())
            }
            Err(err) => visit_error(err, key, Keyspace::Nodes, &mut failure),
        }
    })?;
    if let Some(err) = failure.take() {
        return Err(err);
    }

    storage.scan_prefix(Keyspace::Edges, b"", &mut |key, value| {
        let parsed = record::edge_id_from_key(key).and_then(|id| {
            let h = record::edge_header(id, value)?;
            let endpoint = |node: &str| {
                topo.node(node).ok_or_else(|| {
                    Error::corrupt(alloc::format!(
                        "edge #{id} '{}' names missing node '{node}'",
                        h.label
                    ))
                })
            };
            let slot = EdgeSlot {
                source: endpoint(h.source)?,
                target: endpoint(h.target)?,
                label: 0,
                created_at_ms: h.created_at_ms,
            };
            Ok((id, h.label, slot))
        });
        match parsed {
            Ok((id, label, mut slot)) => {
                slot.label = topo.intern_label(label);
                topo.insert_edge(id, slot);
                ControlFlow::Continue(())
            }
            Err(err) => visit_error(err, key, Keyspace::Edges, &mut failure),
        }
    })?;
    if let Some(err) = failure {
        return Err(err);
    }

    // Entries whose record is missing are left out (integrity checks report them).
    let mut entries = Vec::new();
    storage.scan_prefix(Keyspace::Index, b"", &mut |key, _| {
        if let Some(record) = topo.index_entry_target(key) {
            entries.push((Box::from(key), record));
        }
        ControlFlow::Continue(())
    })?;
    topo.load_index_entries(entries);
    let repaired = damaged.len() as u64;
    if !damaged.is_empty() {
        storage.apply(damaged)?;
        storage.flush()?;
    }
    Ok((topo, repaired))
}
