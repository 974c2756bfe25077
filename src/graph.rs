//! [`Graph`]: the public API over a [`Storage`] backend.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::ControlFlow;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use core::time::Duration;

use knowledge_graph_storage::{Keyspace, Storage};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::cache::{RecordCache, RecordKey};
use crate::commit::{load, Plan, Stored};
use crate::error::{Error, Result};
use crate::index::{IndexDef, IndexInfo, RecordKind};
use crate::metrics::GraphMetrics;
use crate::model::{Edge, EdgeId, Node};
pub use crate::read::GraphRead;
use crate::record;
use crate::sync::{Mutex, RwLock, WriterGate};
use crate::telemetry::ReadOp;
use crate::topology::{EdgeSlot, Topology};
use crate::txn::{Batch, Op, Transaction};
use crate::value::{to_value, Value};

/// Settings of a [`Graph`] that do not belong to its storage.
#[derive(Debug, Clone, Copy)]
pub struct GraphOptions {
    /// Decoded records kept in the record cache (CLOCK, an approximation of
    /// LRU; the storage's `cache_capacity` wins when set).
    pub cache_capacity: usize,
    /// How long a writer waits for the write lock (the storage's `timeout` wins when set).
    pub timeout: Duration,
    /// Milliseconds since the Unix epoch, stamped on new edges and on
    /// change-log entries.
    pub clock: fn() -> i64,
    /// Keep a change log: every commit also stores its changes, which
    /// incremental backups and point-in-time recovery are made of. Entries
    /// are deleted once a backup covers them. `None` (the default) lets the
    /// storage decide ([`StorageConfig::change_log`]): on for sled, off for
    /// in-memory storage and the browser's snapshot store, where the log
    /// would only grow in memory.
    ///
    /// Cost: one more stored record per commit, as large as the commit's
    /// changes. On sled that halves the rate of single-operation commits
    /// and doubles the bytes a bulk import writes (see `examples/bench_backup.rs`).
    ///
    /// [`StorageConfig::change_log`]: knowledge_graph_storage::StorageConfig::change_log
    pub change_log: Option<bool>,
    /// Property columns kept for node queries (0: none). A column holds one
    /// property of every node of one label, in memory, so a query filter
    /// reads one array entry per candidate instead of the candidate's whole
    /// record. One is built when queries without it have examined as many
    /// candidates as the label has nodes; the least recently used goes when
    /// there would be more. Each costs about 32 bytes per node slot, plus
    /// the property's own heap data (text, lists). Labels of more than 2^20
    /// nodes get none: building one holds writers back while it reads
    /// every node of the label.
    pub query_columns: usize,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            cache_capacity: 100_000,
            timeout: Duration::from_secs(5),
            clock: crate::clock::now_millis,
            change_log: None,
            query_columns: 8,
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

pub(crate) struct Inner<S> {
    pub storage: S,
    pub topology: RwLock<Topology>,
    pub cache: RecordCache,
    gate: Arc<Gate>,
    pub options: GraphOptions,
    /// Flush after every commit (the storage's `high_safety`).
    sync_on_commit: bool,
    /// Scratch marks for k-hop walks, reused across calls.
    pub marks: Mutex<Vec<crate::traverse::Marks>>,
    /// Scratch space for shortest paths, reused across calls.
    pub paths: Mutex<Vec<crate::algo::ShortestPaths>>,
    /// Algorithm views of recent subgraphs, valid until the next commit.
    pub views: Mutex<crate::analytics::ViewCache>,
    /// The compact out-lists walks and k-hop counts read, valid until the
    /// next commit.
    pub out_lists: Mutex<crate::derived::Derived<crate::out_lists::OutAdjacency>>,
    /// The index entries in sorted arrays, for seeks and ranges, valid until
    /// the next commit.
    pub index_array: Mutex<crate::derived::Derived<crate::index_array::IndexArray>>,
    /// Set when loading failed in [`Graph::new`]; every call then reports it.
    unavailable: Option<String>,
    /// Held by a backup being written: one at a time, so none prunes the
    /// change-log entries another still has to read.
    #[cfg(all(feature = "sled", not(target_arch = "wasm32")))]
    pub backups: Mutex<()>,
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
        options.change_log.get_or_insert(config.change_log);
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
        mut topology: Topology,
        options: GraphOptions,
        unavailable: Option<String>,
    ) -> Self {
        let sync_on_commit = storage.config().sync_on_commit;
        topology
            .columns
            .get_mut()
            .set_capacity(options.query_columns);
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
                sync_on_commit,
                marks: Mutex::new(Vec::new()),
                paths: Mutex::new(Vec::new()),
                views: Mutex::new(crate::analytics::ViewCache::default()),
                out_lists: Mutex::new(crate::derived::Derived::default()),
                index_array: Mutex::new(crate::derived::Derived::default()),
                unavailable,
                #[cfg(all(feature = "sled", not(target_arch = "wasm32")))]
                backups: Mutex::new(()),
            }),
        }
    }

    pub(crate) fn inner(&self) -> &Inner<S> {
        &self.inner
    }

    /// The storage backend (for backend-specific calls such as `compact`).
    pub fn storage(&self) -> &S {
        &self.inner.storage
    }

    pub(crate) fn check(&self) -> Result<()> {
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
            created_at_ms: None,
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
        self.apply_ops(ticket, alloc::vec![op])
    }

    /// Applies `ops` atomically: in memory with an undo log, then as one
    /// storage batch; any failure undoes everything.
    pub(crate) fn apply_ops(&self, ticket: WriteTicket, ops: Vec<Op>) -> Result<Vec<EdgeId>> {
        let inner = &*self.inner;
        let timer = crate::telemetry::write(&ops);
        // Only new edges carry a timestamp; skip the clock otherwise.
        let change_log = inner.options.change_log == Some(true);
        let stamps = change_log || ops.iter().any(|op| matches!(op, Op::AddEdge { .. }));
        let now = if stamps { (inner.options.clock)() } else { 0 };
        let count = ops.len();
        let mut plan = Plan::default();
        let mut topo = inner.topology.write();
        let stored = StoredView(inner);
        for (index, op) in ops.into_iter().enumerate() {
            if let Err(err) = plan.apply(&mut topo, op, now, &stored) {
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
        let logged = !plan.batch.is_empty();
        let sequence = topo.log_seq + 1;
        let mut gap = false;
        if logged {
            // The log entry commits with the changes it describes.
            if change_log {
                let entry = crate::changelog::encode(now, &plan.batch);
                plan.batch
                    .put(Keyspace::Log, crate::changelog::key(sequence), entry);
            } else if !topo.log_gap {
                plan.batch
                    .put(Keyspace::Meta, crate::changelog::META_GAP, []);
                gap = true;
            }
            if let Err(err) = inner.storage.apply(core::mem::take(&mut plan.batch)) {
                topo.undo(plan.undo);
                drop(topo);
                self.note_rollback();
                return Err(err.into());
            }
            topo.apply_index_changes(plan.index_changes);
            topo.columns.get_mut().update(plan.column_changes);
            if change_log {
                topo.log_seq = sequence;
                topo.log_time_ms = now;
            }
            topo.log_gap |= gap;
        }
        topo.generation += 1;
        // Still under the write lock, so no reader can cache a stale record.
        for (key, value) in plan.cache {
            inner.cache.set(key, value);
        }
        drop(topo);
        inner.gate.counters.commits.fetch_add(1, Ordering::Relaxed);
        timer.committed();
        // The commit is applied and visible; a flush error here means only that
        // its durability is unknown, so it is reported but not undone. The
        // flush runs outside the topology lock (readers are not held up) and
        // after the ticket is given up: the next writer commits meanwhile, and
        // one flush can make several writers' commits durable (group commit).
        drop(ticket);
        if inner.sync_on_commit {
            inner.storage.flush()?;
        }
        Ok(plan.added_edges)
    }

    /// Creates a secondary index on `property` (a name or dotted path) of the
    /// nodes labelled `label`, indexing the nodes already there in the same
    /// transaction. Creating an index that exists does nothing.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty label or malformed path,
    /// [`Error::LockTimeout`], storage errors.
    pub async fn create_index(&self, label: &str, property: &str) -> Result<()> {
        self.index_op(RecordKind::Node, label, property, true)
    }

    /// [`create_index`](Self::create_index) for the edges labelled `label`.
    ///
    /// # Errors
    /// As [`create_index`](Self::create_index).
    pub async fn create_edge_index(&self, label: &str, property: &str) -> Result<()> {
        self.index_op(RecordKind::Edge, label, property, true)
    }

    /// Drops the node index on `label.property`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when there is no such index; storage errors.
    pub async fn drop_index(&self, label: &str, property: &str) -> Result<()> {
        self.index_op(RecordKind::Node, label, property, false)
    }

    /// Drops the edge index on `label.property`.
    ///
    /// # Errors
    /// As [`drop_index`](Self::drop_index).
    pub async fn drop_edge_index(&self, label: &str, property: &str) -> Result<()> {
        self.index_op(RecordKind::Edge, label, property, false)
    }

    fn index_op(&self, kind: RecordKind, label: &str, property: &str, create: bool) -> Result<()> {
        let path = crate::index::property_path(property)?;
        let label = label.to_string();
        let op = if create {
            Op::CreateIndex { kind, label, path }
        } else {
            Op::DropIndex { kind, label, path }
        };
        self.commit_one(op).map(drop)
    }

    /// Every secondary index, in creation order.
    pub fn indexes(&self) -> Vec<IndexInfo> {
        self.inner
            .topology
            .read()
            .indexes
            .iter()
            .map(IndexDef::info)
            .collect()
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
        GraphRead::new(self)
    }

    /// The node with this id, or `None`.
    ///
    /// # Errors
    /// Storage or corruption errors.
    pub async fn get_node(&self, id: &str) -> Result<Option<Node>> {
        let _timer = crate::telemetry::read(ReadOp::GetNode);
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
            Some(node) => Ok(Some(node.properties_as()?)),
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
        let _timer = crate::telemetry::read(ReadOp::GetEdge);
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
        let _timer = crate::telemetry::read(ReadOp::Neighbors);
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
            .map(|a| a.edge)
            .filter(|&e| label.is_none_or(|l| view.topo.edges[e as usize].label == l))
            .map(|e| view.edge_at(e))
            .collect()
    }

    /// Nodes, optionally only those with `label`, at most `limit` of them.
    ///
    /// # Errors
    /// Storage or corruption errors.
    pub async fn get_nodes(&self, label: Option<&str>, limit: Option<usize>) -> Result<Vec<Node>> {
        let _timer = crate::telemetry::read(ReadOp::GetNode);
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
        let _timer = crate::telemetry::read(ReadOp::GetEdge);
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
            (Some(s), _) => Box::new(topo.node_slot(s).out.iter().map(|a| a.edge)),
            (None, Some(t)) => Box::new(topo.node_slot(t).inc.iter().map(|a| a.edge)),
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
        let _timer = crate::telemetry::read(ReadOp::GetNode);
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

    /// Edge labels in use, with how many edges carry each (one pass over the
    /// in-memory edge table; storage is not read).
    pub fn edge_labels(&self) -> Vec<(String, usize)> {
        let topo = self.inner.topology.read();
        let mut counts: Vec<usize> = Vec::new();
        for slot in topo.edges.iter().filter(|e| e.is_live()) {
            let label = slot.label as usize;
            if counts.len() <= label {
                counts.resize(label + 1, 0);
            }
            counts[label] += 1;
        }
        counts
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .map(|(label, n)| (topo.label(label as crate::topology::LabelId).to_string(), n))
            .collect()
    }

    /// A snapshot of the graph's counters.
    ///
    /// # Complexity
    /// O(n): `topology_bytes` walks every node. [`scrape_metrics`](Self::scrape_metrics)
    /// is the O(1) variant for frequent polling.
    pub fn metrics(&self) -> GraphMetrics {
        let mut metrics = self.scrape_metrics();
        metrics.topology_bytes = self.inner.topology.read().heap_bytes() as u64;
        metrics
    }

    /// [`metrics`](Self::metrics) without `topology_bytes` (left at 0), in
    /// O(1): what a `/metrics` scrape reads.
    pub fn scrape_metrics(&self) -> GraphMetrics {
        let inner = &*self.inner;
        let topo = inner.topology.read();
        let counters = &inner.gate.counters;
        let query_columns = topo.columns.lock().len();
        GraphMetrics {
            node_count: topo.node_count(),
            edge_count: topo.edge_count,
            cache_hits: inner.cache.hits(),
            cache_misses: inner.cache.misses(),
            cached_records: inner.cache.len(),
            index_entries: topo.index_entry_count(),
            query_columns,
            io: inner.storage.io_stats(),
            active_transactions: counters.active_transactions.load(Ordering::Relaxed),
            commits: counters.commits.load(Ordering::Relaxed),
            rollbacks: counters.rollbacks.load(Ordering::Relaxed),
            repaired_records: counters.repaired_records.load(Ordering::Relaxed),
            disk_usage_bytes: inner.storage.size_on_disk().unwrap_or(0),
            topology_bytes: 0,
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

/// The committed state a commit reads while it is planned.
struct StoredView<'a, S>(&'a Inner<S>);

impl<S: Storage> Stored for StoredView<'_, S> {
    fn properties(&self, kind: RecordKind, at: u64, key: &[u8]) -> Result<Value> {
        let (cache_key, keyspace) = match kind {
            RecordKind::Node => (RecordKey::node(at as u32), Keyspace::Nodes),
            RecordKind::Edge => (RecordKey::edge(at), Keyspace::Edges),
        };
        if let Some(cached) = self.0.cache.peek(cache_key) {
            return Ok(Value::clone(&cached));
        }
        let bytes = self.0.storage.get(keyspace, key)?;
        let bytes = bytes.ok_or_else(|| {
            Error::corrupt(alloc::format!("a {} record is missing", keyspace.name()))
        })?;
        record::decode_properties(kind, key, &bytes)
    }

    fn keys_with_prefix(&self, keyspace: Keyspace, prefix: &[u8]) -> Result<Vec<Vec<u8>>> {
        let mut keys = Vec::new();
        self.0
            .storage
            .scan_prefix(keyspace, prefix, &mut |key, _| {
                keys.push(key.to_vec());
                ControlFlow::Continue(())
            })?;
        Ok(keys)
    }
}
