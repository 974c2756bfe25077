//! [`Graph`]: the public API over a [`Storage`] backend.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::ControlFlow;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use core::time::Duration;

use knowledge_graph_storage::{Keyspace, Storage, WriteBatch};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::cache::{RecordCache, RecordKey};
use crate::error::{Error, Result};
use crate::metrics::GraphMetrics;
use crate::model::{Edge, EdgeId, Node};
use crate::record;
use crate::sync::{RwLock, RwLockReadGuard, WriterGate};
use crate::topology::{EdgeSlot, NodeIndex, Topology, Undo};
use crate::txn::{Batch, Op, Transaction};
use crate::value::{from_value, to_value, Value};

/// Settings of a [`Graph`] that do not belong to its storage.
#[derive(Debug, Clone, Copy)]
pub struct GraphOptions {
    /// Decoded records kept in the LRU cache (the storage's `cache_capacity` wins when set).
    pub cache_capacity: usize,
    /// How long a writer waits for the write lock (the storage's `timeout` wins when set).
    pub timeout: Duration,
    /// Milliseconds since the Unix epoch, stamped on new edges.
    pub clock: fn() -> i64,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            cache_capacity: 100_000,
            timeout: Duration::from_secs(5),
            clock: crate::clock::now_millis,
        }
    }
}

/// Counters shared by the graph and its outstanding write tickets.
#[derive(Default)]
pub(crate) struct Counters {
    pub active_transactions: AtomicUsize,
    pub commits: AtomicU64,
    pub rollbacks: AtomicU64,
    pub repaired_records: AtomicU64,
}

struct Gate {
    gate: WriterGate,
    counters: Counters,
}

/// Proof that the holder has the write lock; released on drop.
pub(crate) struct WriteTicket {
    gate: Arc<Gate>,
}

impl Drop for WriteTicket {
    fn drop(&mut self) {
        self.gate
            .counters
            .active_transactions
            .fetch_sub(1, Ordering::Relaxed);
        self.gate.gate.release();
    }
}

struct Inner<S> {
    storage: S,
    topology: RwLock<Topology>,
    cache: RecordCache,
    gate: Arc<Gate>,
    options: GraphOptions,
    /// Set when loading failed in [`Graph::new`]; every call then reports it.
    unavailable: Option<String>,
}

/// A property graph persisted in a [`Storage`] backend.
///
/// Cheap to clone (clones share one graph), `Send` and `Sync`. Every method
/// returns a `Result`; the `async` methods do their work synchronously and
/// never wait on an executor, so any runtime (or [`block_on`](crate::block_on)) drives them.
pub struct Graph<S: Storage> {
    inner: Arc<Inner<S>>,
}

impl<S: Storage> Clone for Graph<S> {
    fn clone(&self) -> Self {
        Graph {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S: Storage> core::fmt::Debug for Graph<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let topo = self.inner.topology.read();
        f.debug_struct("Graph")
            .field("nodes", &topo.node_count())
            .field("edges", &topo.edge_count)
            .finish_non_exhaustive()
    }
}

impl<S: Storage> Graph<S> {
    /// Opens a graph over `storage`, loading what it already holds.
    ///
    /// This never fails: if the stored data cannot be loaded, the graph
    /// answers every call with [`Error::Unavailable`] saying why. Use
    /// [`Graph::open`] to get the error at once.
    pub fn new(storage: S) -> Self {
        match Self::with_options(storage, GraphOptions::default()) {
            Ok(graph) => graph,
            Err((storage, err)) => Self::build(
                storage,
                Topology::default(),
                GraphOptions::default(),
                Some(err.to_string()),
            ),
        }
    }

    /// Opens a graph over `storage`, failing if what it holds cannot be loaded.
    ///
    /// # Errors
    /// [`Error::Corrupt`] naming the first bad record (unless the storage was
    /// opened with `repair_on_open`), or a storage error.
    pub fn open(storage: S) -> Result<Self> {
        Self::with_options(storage, GraphOptions::default()).map_err(|(_, err)| err)
    }

    /// [`Graph::open`] with explicit options.
    ///
    /// # Errors
    /// As [`Graph::open`]; the storage is handed back with the error.
    pub fn with_options(
        storage: S,
        mut options: GraphOptions,
    ) -> core::result::Result<Self, (S, Error)> {
        let config = storage.config();
        if let Some(capacity) = config.cache_capacity {
            options.cache_capacity = capacity;
        }
        if let Some(timeout) = config.timeout {
            options.timeout = timeout;
        }
        match load(&storage, config.repair_on_open) {
            Ok((topology, repaired)) => {
                let graph = Self::build(storage, topology, options, None);
                graph
                    .inner
                    .gate
                    .counters
                    .repaired_records
                    .store(repaired, Ordering::Relaxed);
                Ok(graph)
            }
            Err(err) => Err((storage, err)),
        }
    }

    fn build(
        storage: S,
        topology: Topology,
        options: GraphOptions,
        unavailable: Option<String>,
    ) -> Self {
        Graph {
            inner: Arc::new(Inner {
                storage,
                topology: RwLock::new(topology),
                cache: RecordCache::new(options.cache_capacity),
                gate: Arc::new(Gate {
                    gate: WriterGate::new(),
                    counters: Counters::default(),
                }),
                options,
                unavailable,
            }),
        }
    }

    /// The storage backend (for backend-specific calls such as `compact`).
    pub fn storage(&self) -> &S {
        &self.inner.storage
    }

    fn check(&self) -> Result<()> {
        match &self.inner.unavailable {
            Some(detail) => Err(Error::Unavailable {
                detail: detail.clone(),
            }),
            None => Ok(()),
        }
    }

    // ----- writes -------------------------------------------------------------

    /// Adds a node with properties from any serde type.
    ///
    /// # Errors
    /// [`Error::NodeExists`] when the id is taken, [`Error::InvalidArgument`]
    /// for an empty id or label, [`Error::Value`] when the properties cannot be
    /// converted, [`Error::LockTimeout`], storage errors.
    pub async fn add_node<T: Serialize + ?Sized>(
        &self,
        label: &str,
        id: &str,
        properties: &T,
    ) -> Result<()> {
        let properties = to_value(properties)?;
        self.commit_one(Op::AddNode {
            label: label.to_string(),
            id: id.to_string(),
            properties,
        })
        .map(drop)
    }

    /// Replaces a node's properties.
    ///
    /// # Errors
    /// [`Error::NodeNotFound`], [`Error::Value`], [`Error::LockTimeout`], storage errors.
    pub async fn update_node<T: Serialize + ?Sized>(&self, id: &str, properties: &T) -> Result<()> {
        let properties = to_value(properties)?;
        self.commit_one(Op::UpdateNode {
            id: id.to_string(),
            properties,
        })
        .map(drop)
    }

    /// Removes a node and, in the same transaction, every edge touching it.
    ///
    /// # Errors
    /// [`Error::NodeNotFound`], [`Error::LockTimeout`], storage errors.
    pub async fn remove_node(&self, id: &str) -> Result<()> {
        self.commit_one(Op::RemoveNode { id: id.to_string() })
            .map(drop)
    }

    /// Adds a directed edge from `source` to `target`.
    ///
    /// # Returns
    /// The new edge's id.
    ///
    /// # Errors
    /// [`Error::MissingEndpoint`] when either node does not exist,
    /// [`Error::InvalidArgument`] for an empty label, [`Error::LockTimeout`],
    /// storage errors.
    pub async fn add_edge(
        &self,
        label: &str,
        source: &str,
        target: &str,
        properties: Option<Value>,
    ) -> Result<EdgeId> {
        let op = Op::AddEdge {
            label: label.to_string(),
            source: source.to_string(),
            target: target.to_string(),
            properties: properties.unwrap_or(Value::Null),
        };
        let ids = self.commit_one(op)?;
        ids.first()
            .copied()
            .ok_or_else(|| Error::corrupt("edge insert returned no id"))
    }

    /// [`add_edge`](Self::add_edge) with properties from any serde type.
    ///
    /// # Errors
    /// As [`add_edge`](Self::add_edge), plus [`Error::Value`].
    pub async fn add_edge_with<T: Serialize + ?Sized>(
        &self,
        label: &str,
        source: &str,
        target: &str,
        properties: &T,
    ) -> Result<EdgeId> {
        self.add_edge(label, source, target, Some(to_value(properties)?))
            .await
    }

    /// Removes an edge.
    ///
    /// # Errors
    /// [`Error::EdgeNotFound`], [`Error::LockTimeout`], storage errors.
    pub async fn remove_edge(&self, id: EdgeId) -> Result<()> {
        self.commit_one(Op::RemoveEdge { id }).map(drop)
    }

    /// A batch: queue operations, then [`commit`](Batch::commit) them all or none.
    pub fn batch(&self) -> Batch<'_, S> {
        Batch::new(self)
    }

    /// Starts a transaction that holds the write lock until it commits, rolls
    /// back or is dropped.
    ///
    /// # Errors
    /// [`Error::LockTimeout`] when another transaction keeps the lock for the
    /// whole configured timeout.
    pub async fn begin(&self) -> Result<Transaction<S>> {
        Ok(Transaction::new(self.clone(), self.write_ticket()?))
    }

    /// Runs `work` in a transaction: commits what it queued if it returns
    /// `Ok`, rolls everything back if it returns `Err`.
    ///
    /// # Errors
    /// The closure's error, or [`Transaction::commit`]'s.
    pub async fn transaction<R>(
        &self,
        work: impl FnOnce(&mut Transaction<S>) -> Result<R>,
    ) -> Result<R> {
        let mut tx = Transaction::new(self.clone(), self.write_ticket()?);
        match work(&mut tx) {
            Ok(value) => tx.commit_now().map(|_| value),
            Err(err) => {
                tx.rollback();
                Err(err)
            }
        }
    }

    pub(crate) fn write_ticket(&self) -> Result<WriteTicket> {
        self.check()?;
        let timeout = self.inner.options.timeout;
        if !self.inner.gate.gate.acquire(timeout) {
            return Err(Error::LockTimeout { waited: timeout });
        }
        self.inner
            .gate
            .counters
            .active_transactions
            .fetch_add(1, Ordering::Relaxed);
        Ok(WriteTicket {
            gate: Arc::clone(&self.inner.gate),
        })
    }

    pub(crate) fn note_rollback(&self) {
        self.inner
            .gate
            .counters
            .rollbacks
            .fetch_add(1, Ordering::Relaxed);
    }

    fn commit_one(&self, op: Op) -> Result<Vec<EdgeId>> {
        let ticket = self.write_ticket()?;
        self.apply_ops(&ticket, alloc::vec![op])
    }

    /// Applies `ops` atomically: in memory with an undo log, then as one
    /// storage batch; any failure undoes everything.
    pub(crate) fn apply_ops(&self, ticket: &WriteTicket, ops: Vec<Op>) -> Result<Vec<EdgeId>> {
        let inner = &*self.inner;
        let now = (inner.options.clock)();
        let count = ops.len();
        let mut plan = Plan::default();
        let mut topo = inner.topology.write();
        for (index, op) in ops.into_iter().enumerate() {
            if let Err(err) = plan.apply(&mut topo, op, now) {
                topo.undo(plan.undo);
                drop(topo);
                self.note_rollback();
                return Err(if count == 1 {
                    err
                } else {
                    Error::Rejected {
                        index,
                        of: count,
                        source: Box::new(err),
                    }
                });
            }
        }
        if plan.next_edge_changed {
            plan.batch.put(
                Keyspace::Meta,
                record::META_NEXT_EDGE,
                topo.next_edge.to_le_bytes(),
            );
        }
        if !plan.batch.is_empty() {
            if let Err(err) = inner.storage.apply(core::mem::take(&mut plan.batch)) {
                topo.undo(plan.undo);
                drop(topo);
                self.note_rollback();
                return Err(err.into());
            }
        }
        // Still under the write lock, so no reader can cache a stale record.
        for (key, value) in plan.cache {
            inner.cache.set(key, value);
        }
        drop(topo);
        inner.gate.counters.commits.fetch_add(1, Ordering::Relaxed);
        if inner.storage.config().sync_on_commit {
            inner.storage.flush()?;
        }
        let _ = ticket;
        Ok(plan.added_edges)
    }

    /// The whole graph in the portable [snapshot format](crate::snapshot).
    ///
    /// Writers wait while it is taken, so the snapshot is one consistent
    /// state even while other threads keep writing.
    ///
    /// # Errors
    /// Storage errors.
    pub fn to_snapshot(&self) -> Result<Vec<u8>> {
        self.check()?;
        let _consistent = self.inner.topology.read();
        crate::snapshot::write(&self.inner.storage)
    }

    /// Loads a snapshot into `storage`, which must be empty, and opens it.
    ///
    /// # Errors
    /// [`Error::Corrupt`] for damaged or truncated bytes (nothing is written
    /// then), [`Error::InvalidArgument`] when `storage` already holds a graph,
    /// storage errors.
    pub fn from_snapshot(bytes: &[u8], storage: S) -> Result<Self> {
        let batch = crate::snapshot::to_batch(bytes)?;
        let mut occupied = false;
        for keyspace in [Keyspace::Nodes, Keyspace::Edges] {
            storage.scan_prefix(keyspace, b"", &mut |_, _| {
                occupied = true;
                ControlFlow::Break(())
            })?;
        }
        if occupied {
            return Err(Error::invalid(
                "cannot load a snapshot into storage that already holds a graph",
            ));
        }
        storage.apply(batch)?;
        storage.flush()?;
        Self::open(storage)
    }

    /// Makes every commit so far durable.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn flush(&self) -> Result<()> {
        Ok(self.inner.storage.flush()?)
    }

    // ----- reads --------------------------------------------------------------

    /// A consistent read view for index-based traversal (see [`GraphRead`]).
    ///
    /// Writers wait while a view is alive: keep it short, and never hold it
    /// across an `.await` or a write on the same thread.
    pub fn read(&self) -> GraphRead<'_, S> {
        GraphRead {
            graph: self,
            topo: self.inner.topology.read(),
        }
    }

    /// The node with this id, or `None`.
    ///
    /// # Errors
    /// Storage or corruption errors.
    pub async fn get_node(&self, id: &str) -> Result<Option<Node>> {
        self.check()?;
        let view = self.read();
        match view.topo.node(id) {
            Some(slot) => view.node_at(slot).map(Some),
            None => Ok(None),
        }
    }

    /// The node's properties converted to `T`, or `None` when there is no such node.
    ///
    /// # Errors
    /// [`Error::Value`] when they do not fit `T`; storage errors.
    pub async fn get_node_as<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>> {
        match self.get_node(id).await? {
            Some(node) => Ok(Some(from_value(node.properties)?)),
            None => Ok(None),
        }
    }

    /// True when a node has this id.
    ///
    /// # Errors
    /// [`Error::Unavailable`] only.
    pub async fn contains_node(&self, id: &str) -> Result<bool> {
        self.check()?;
        Ok(self.inner.topology.read().node(id).is_some())
    }

    /// The edge with this id, or `None`.
    ///
    /// # Errors
    /// Storage or corruption errors.
    pub async fn get_edge(&self, id: EdgeId) -> Result<Option<Edge>> {
        self.check()?;
        let view = self.read();
        match view.topo.edge(id.0) {
            Some(_) => view.edge_at(id.0 as u32).map(Some),
            None => Ok(None),
        }
    }

    /// Edges leaving `id`, optionally only those with `label`, oldest first.
    ///
    /// # Errors
    /// [`Error::NodeNotFound`]; storage errors.
    pub async fn get_node_edges(&self, id: &str, label: Option<&str>) -> Result<Vec<Edge>> {
        self.edges_of(id, label, true)
    }

    /// Edges entering `id`, optionally only those with `label`, oldest first.
    ///
    /// # Errors
    /// [`Error::NodeNotFound`]; storage errors.
    pub async fn get_edges_to(&self, id: &str, label: Option<&str>) -> Result<Vec<Edge>> {
        self.edges_of(id, label, false)
    }

    fn edges_of(&self, id: &str, label: Option<&str>, outgoing: bool) -> Result<Vec<Edge>> {
        self.check()?;
        let view = self.read();
        let slot = view
            .topo
            .node(id)
            .ok_or_else(|| Error::NodeNotFound { id: id.to_string() })?;
        let node = view.topo.node_slot(slot);
        let list = if outgoing { &node.out } else { &node.inc };
        let Some(label) = label_filter(&view.topo, label) else {
            return Ok(Vec::new());
        };
        list.iter()
            .filter(|&&e| label.is_none_or(|l| view.topo.edges[e as usize].label == l))
            .map(|&e| view.edge_at(e))
            .collect()
    }

    /// Nodes, optionally only those with `label`, at most `limit` of them.
    ///
    /// # Errors
    /// Storage or corruption errors.
    pub async fn get_nodes(&self, label: Option<&str>, limit: Option<usize>) -> Result<Vec<Node>> {
        self.check()?;
        let view = self.read();
        let Some(label) = label_filter(&view.topo, label) else {
            return Ok(Vec::new());
        };
        view.topo
            .live_nodes()
            .filter(|&slot| label.is_none_or(|l| view.topo.node_slot(slot).label == l))
            .take(limit.unwrap_or(usize::MAX))
            .map(|slot| view.node_at(slot))
            .collect()
    }

    /// Edges in id (creation) order, optionally filtered by label, source and target.
    ///
    /// # Errors
    /// Storage or corruption errors.
    pub async fn get_edges(
        &self,
        label: Option<&str>,
        source: Option<&str>,
        target: Option<&str>,
    ) -> Result<Vec<Edge>> {
        self.check()?;
        let view = self.read();
        let topo = &view.topo;
        let Some(label) = label_filter(topo, label) else {
            return Ok(Vec::new());
        };
        let endpoint = |id: Option<&str>| match id {
            None => Some(None),
            Some(id) => topo.node(id).map(Some),
        };
        let (Some(source), Some(target)) = (endpoint(source), endpoint(target)) else {
            return Ok(Vec::new());
        };
        let wanted = |e: &EdgeSlot| {
            e.is_live()
                && label.is_none_or(|l| e.label == l)
                && source.is_none_or(|s| e.source == s)
                && target.is_none_or(|t| e.target == t)
        };
        let candidates: Box<dyn Iterator<Item = u32> + '_> = match (source, target) {
            (Some(s), _) => Box::new(topo.node_slot(s).out.iter().copied()),
            (None, Some(t)) => Box::new(topo.node_slot(t).inc.iter().copied()),
            (None, None) => Box::new(0..topo.edges.len() as u32),
        };
        let mut ids: Vec<u32> = candidates
            .filter(|&e| wanted(&topo.edges[e as usize]))
            .collect();
        ids.sort_unstable();
        ids.into_iter().map(|e| view.edge_at(e)).collect()
    }

    /// The nodes with these ids, in the order given; ids with no node are skipped.
    ///
    /// # Errors
    /// Storage or corruption errors.
    pub async fn get_nodes_by_ids<I: AsRef<str>>(&self, ids: &[I]) -> Result<Vec<Node>> {
        self.check()?;
        let view = self.read();
        ids.iter()
            .filter_map(|id| view.topo.node(id.as_ref()))
            .map(|slot| view.node_at(slot))
            .collect()
    }

    /// Number of nodes.
    ///
    /// # Errors
    /// [`Error::Unavailable`] only.
    pub async fn count_nodes(&self) -> Result<usize> {
        self.check()?;
        Ok(self.inner.topology.read().node_count())
    }

    /// Number of edges.
    ///
    /// # Errors
    /// [`Error::Unavailable`] only.
    pub async fn count_edges(&self) -> Result<usize> {
        self.check()?;
        Ok(self.inner.topology.read().edge_count)
    }

    /// Node labels in use, with how many nodes carry each.
    pub fn labels(&self) -> Vec<(String, usize)> {
        let topo = self.inner.topology.read();
        topo.labels()
            .filter(|(_, n)| *n > 0)
            .map(|(l, n)| (l.to_string(), n))
            .collect()
    }

    /// A snapshot of the graph's counters.
    pub fn metrics(&self) -> GraphMetrics {
        let inner = &*self.inner;
        let topo = inner.topology.read();
        let counters = &inner.gate.counters;
        GraphMetrics {
            node_count: topo.node_count(),
            edge_count: topo.edge_count,
            cache_hits: inner.cache.hits(),
            cache_misses: inner.cache.misses(),
            cached_records: inner.cache.len(),
            io: inner.storage.io_stats(),
            active_transactions: counters.active_transactions.load(Ordering::Relaxed),
            commits: counters.commits.load(Ordering::Relaxed),
            rollbacks: counters.rollbacks.load(Ordering::Relaxed),
            repaired_records: counters.repaired_records.load(Ordering::Relaxed),
            disk_usage_bytes: inner.storage.size_on_disk().unwrap_or(0),
            topology_bytes: topo.heap_bytes() as u64,
        }
    }
}

/// `Some(None)`: no filter; `Some(Some(id))`: filter by a known label;
/// `None`: the label is unknown, so nothing matches.
fn label_filter(topo: &Topology, label: Option<&str>) -> Option<Option<u32>> {
    match label {
        None => Some(None),
        Some(name) => topo.label_id(name).map(Some),
    }
}

/// The changes of one commit, built while applying it in memory.
#[derive(Default)]
struct Plan {
    undo: Vec<Undo>,
    batch: WriteBatch,
    cache: Vec<(RecordKey, Option<Value>)>,
    added_edges: Vec<EdgeId>,
    next_edge_changed: bool,
}

impl Plan {
    fn apply(&mut self, topo: &mut Topology, op: Op, now: i64) -> Result<()> {
        match op {
            Op::AddNode {
                label,
                id,
                properties,
            } => {
                non_empty("node id", &id)?;
                non_empty("node label", &label)?;
                if topo.node(&id).is_some() {
                    return Err(Error::NodeExists { id });
                }
                let label_id = topo.intern_label(&label);
                topo.add_node(&id, label_id, &mut self.undo);
                self.batch.put(
                    Keyspace::Nodes,
                    id.into_bytes(),
                    record::encode_node(&label, &properties),
                );
            }
            Op::UpdateNode { id, properties } => {
                let slot = topo
                    .node(&id)
                    .ok_or_else(|| Error::NodeNotFound { id: id.clone() })?;
                let label = topo.label(topo.node_slot(slot).label).clone();
                self.batch.put(
                    Keyspace::Nodes,
                    id.into_bytes(),
                    record::encode_node(&label, &properties),
                );
                self.cache.push((RecordKey::node(slot), Some(properties)));
            }
            Op::RemoveNode { id } => {
                let slot = topo
                    .node(&id)
                    .ok_or_else(|| Error::NodeNotFound { id: id.clone() })?;
                while let Some(&edge) = topo.node_slot(slot).out.last() {
                    self.remove_edge(topo, edge);
                }
                while let Some(&edge) = topo.node_slot(slot).inc.last() {
                    self.remove_edge(topo, edge);
                }
                topo.remove_node(slot, &mut self.undo);
                self.batch.delete(Keyspace::Nodes, id.into_bytes());
                self.cache.push((RecordKey::node(slot), None));
            }
            Op::AddEdge {
                label,
                source,
                target,
                properties,
            } => {
                non_empty("edge label", &label)?;
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
                let id = topo.add_edge(s, t, label_id, now, &mut self.undo);
                self.next_edge_changed = true;
                let bytes = record::encode_edge(&label, &source, &target, now, &properties);
                self.batch.put(Keyspace::Edges, record::edge_key(id), bytes);
                self.added_edges.push(EdgeId(id));
            }
            Op::RemoveEdge { id } => {
                topo.edge(id.0).ok_or(Error::EdgeNotFound { id })?;
                self.remove_edge(topo, id.0 as u32);
            }
        }
        Ok(())
    }

    fn remove_edge(&mut self, topo: &mut Topology, edge: u32) {
        topo.remove_edge(edge, &mut self.undo);
        self.batch
            .delete(Keyspace::Edges, record::edge_key(u64::from(edge)).to_vec());
        self.cache.push((RecordKey::edge(u64::from(edge)), None));
    }
}

fn non_empty(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(alloc::format!("{what} must not be empty")));
    }
    Ok(())
}

/// Rebuilds the topology from storage. With `repair`, records that fail to
/// decode (and edges whose endpoints are gone) are deleted instead of failing
/// the load; the count of dropped records is returned.
fn load<S: Storage>(storage: &S, repair: bool) -> Result<(Topology, u64)> {
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
        }
        ControlFlow::Continue(())
    })?;
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
    let repaired = damaged.len() as u64;
    if !damaged.is_empty() {
        storage.apply(damaged)?;
        storage.flush()?;
    }
    Ok((topo, repaired))
}

/// A read-locked view of the graph for fast, index-based traversal.
///
/// Node indices are valid for the life of the view. Writers wait while a view
/// is alive.
pub struct GraphRead<'g, S: Storage> {
    graph: &'g Graph<S>,
    topo: RwLockReadGuard<'g, Topology>,
}

impl<S: Storage> GraphRead<'_, S> {
    /// The index of the node with this id.
    pub fn node_index(&self, id: &str) -> Option<NodeIndex> {
        self.topo.node(id).map(NodeIndex)
    }

    /// The id of the node at `index`.
    pub fn node_id(&self, index: NodeIndex) -> &str {
        &self.topo.node_slot(index.0).id
    }

    /// The label of the node at `index`.
    pub fn node_label(&self, index: NodeIndex) -> &str {
        self.topo.label(self.topo.node_slot(index.0).label)
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.topo.node_count()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.topo.edge_count
    }

    /// Ids of the edges leaving `index`, oldest first.
    pub fn out_edges(&self, index: NodeIndex) -> impl ExactSizeIterator<Item = EdgeId> + '_ {
        self.topo
            .node_slot(index.0)
            .out
            .iter()
            .map(|&e| EdgeId(u64::from(e)))
    }

    /// Ids of the edges entering `index`, oldest first.
    pub fn in_edges(&self, index: NodeIndex) -> impl ExactSizeIterator<Item = EdgeId> + '_ {
        self.topo
            .node_slot(index.0)
            .inc
            .iter()
            .map(|&e| EdgeId(u64::from(e)))
    }

    /// Targets of the edges leaving `index` (with repeats for parallel edges).
    pub fn out_neighbors(&self, index: NodeIndex) -> impl ExactSizeIterator<Item = NodeIndex> + '_ {
        let topo = &*self.topo;
        topo.node_slot(index.0)
            .out
            .iter()
            .map(move |&e| NodeIndex(topo.edges[e as usize].target))
    }

    /// Sources of the edges entering `index` (with repeats for parallel edges).
    pub fn in_neighbors(&self, index: NodeIndex) -> impl ExactSizeIterator<Item = NodeIndex> + '_ {
        let topo = &*self.topo;
        topo.node_slot(index.0)
            .inc
            .iter()
            .map(move |&e| NodeIndex(topo.edges[e as usize].source))
    }

    /// The `n`-th outgoing neighbour of `index`, oldest edge first.
    pub fn out_neighbor(&self, index: NodeIndex, n: usize) -> Option<NodeIndex> {
        let e = *self.topo.node_slot(index.0).out.get(n)?;
        Some(NodeIndex(self.topo.edges[e as usize].target))
    }

    /// Source, target and label of a live edge.
    pub fn edge_endpoints(&self, id: EdgeId) -> Option<(NodeIndex, NodeIndex, &str)> {
        let e = self.topo.edge(id.0)?;
        Some((
            NodeIndex(e.source),
            NodeIndex(e.target),
            self.topo.label(e.label),
        ))
    }

    /// Every live node index.
    pub fn nodes(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.topo.live_nodes().map(NodeIndex)
    }

    /// The full node at `index` (reads its properties through the cache).
    ///
    /// # Errors
    /// Storage or corruption errors.
    pub fn node(&self, index: NodeIndex) -> Result<Node> {
        self.node_at(index.0)
    }

    /// The full edge (reads its properties through the cache).
    ///
    /// # Errors
    /// [`Error::EdgeNotFound`]; storage or corruption errors.
    pub fn edge(&self, id: EdgeId) -> Result<Edge> {
        self.topo.edge(id.0).ok_or(Error::EdgeNotFound { id })?;
        self.edge_at(id.0 as u32)
    }

    fn node_at(&self, slot: u32) -> Result<Node> {
        let inner = &*self.graph.inner;
        let node = self.topo.node_slot(slot);
        let properties = inner.cache.get_or_load(RecordKey::node(slot), || {
            let bytes = inner
                .storage
                .get(Keyspace::Nodes, node.id.as_bytes())?
                .ok_or_else(|| {
                    Error::corrupt(alloc::format!("node '{}' has no stored record", node.id))
                })?;
            let header = record::node_header(&node.id, &bytes)?;
            record::properties(
                &alloc::format!("node '{}'", node.id),
                &bytes,
                header.props_at,
            )
        })?;
        Ok(Node {
            id: node.id.to_string(),
            label: self.topo.label(node.label).to_string(),
            properties: Value::clone(&properties),
        })
    }

    fn edge_at(&self, id: u32) -> Result<Edge> {
        let inner = &*self.graph.inner;
        let slot = self.topo.edges[id as usize];
        let id64 = u64::from(id);
        let properties = inner.cache.get_or_load(RecordKey::edge(id64), || {
            let bytes = inner
                .storage
                .get(Keyspace::Edges, &record::edge_key(id64))?
                .ok_or_else(|| Error::corrupt(alloc::format!("edge #{id} has no stored record")))?;
            let header = record::edge_header(id64, &bytes)?;
            record::properties(&alloc::format!("edge #{id}"), &bytes, header.props_at)
        })?;
        Ok(Edge {
            id: EdgeId(id64),
            label: self.topo.label(slot.label).to_string(),
            source: self.topo.node_slot(slot.source).id.to_string(),
            target: self.topo.node_slot(slot.target).id.to_string(),
            properties: Value::clone(&properties),
            created_at_ms: slot.created_at_ms,
        })
    }
}
