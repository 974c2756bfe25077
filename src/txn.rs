//! Batches and transactions: queued operations applied all together or not
//! at all.
//!
//! A [`Batch`] only queues; its [`commit`](Batch::commit) takes the write
//! lock for the moment it applies. A [`Transaction`] holds the write lock from
//! [`Graph::begin`] until it commits, rolls back or is dropped, so no other
//! writer can slip in between what it read and what it writes.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::ops::{Deref, DerefMut};

use knowledge_graph_storage::Storage;
use serde::Serialize;

use crate::error::Result;
use crate::graph::{Graph, WriteTicket};
use crate::index::RecordKind;
use crate::model::EdgeId;
use crate::value::{to_value, Value};

/// One queued change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    AddNode {
        label: String,
        id: String,
        properties: Value,
    },
    UpdateNode {
        id: String,
        properties: Value,
    },
    RemoveNode {
        id: String,
    },
    AddEdge {
        label: String,
        source: String,
        target: String,
        properties: Value,
        /// The creation time to record; `None` stamps the commit's time.
        created_at_ms: Option<i64>,
    },
    RemoveEdge {
        id: EdgeId,
    },
    CreateIndex {
        kind: RecordKind,
        label: String,
        path: Vec<String>,
    },
    DropIndex {
        kind: RecordKind,
        label: String,
        path: Vec<String>,
    },
}

/// The operations a batch or transaction has queued; reached through
/// [`Batch`] and [`Transaction`].
#[derive(Debug, Default)]
pub struct OpQueue {
    pub(crate) ops: Vec<Op>,
}

impl OpQueue {
    /// Queues a new node with properties from any serde type.
    ///
    /// # Errors
    /// [`Error::Value`](crate::Error::Value) when `properties` cannot be converted.
    pub fn add_node<T: Serialize + ?Sized>(
        &mut self,
        label: &str,
        id: &str,
        properties: &T,
    ) -> Result<()> {
        let properties = to_value(properties)?;
        self.ops.push(Op::AddNode {
            label: label.to_string(),
            id: id.to_string(),
            properties,
        });
        Ok(())
    }

    /// Queues replacing a node's properties.
    ///
    /// # Errors
    /// [`Error::Value`](crate::Error::Value) when `properties` cannot be converted.
    pub fn update_node<T: Serialize + ?Sized>(&mut self, id: &str, properties: &T) -> Result<()> {
        let properties = to_value(properties)?;
        self.ops.push(Op::UpdateNode {
            id: id.to_string(),
            properties,
        });
        Ok(())
    }

    /// Queues removing a node and every edge touching it.
    pub fn remove_node(&mut self, id: &str) {
        self.ops.push(Op::RemoveNode { id: id.to_string() });
    }

    /// Queues a new edge; `properties` may be `None`.
    ///
    /// # Errors
    /// Kept for symmetry with [`add_node`](Self::add_node); queuing an edge cannot fail.
    pub fn add_edge(
        &mut self,
        label: &str,
        source: &str,
        target: &str,
        properties: Option<Value>,
    ) -> Result<()> {
        self.ops.push(Op::AddEdge {
            label: label.to_string(),
            source: source.to_string(),
            target: target.to_string(),
            properties: properties.unwrap_or(Value::Null),
            created_at_ms: None,
        });
        Ok(())
    }

    /// Queues a new edge with a given creation time (milliseconds since the
    /// Unix epoch) instead of the commit's, for copying edges from elsewhere
    /// (imports) with their history.
    pub fn add_edge_created_at(
        &mut self,
        label: &str,
        source: &str,
        target: &str,
        properties: Option<Value>,
        created_at_ms: i64,
    ) {
        self.ops.push(Op::AddEdge {
            label: label.to_string(),
            source: source.to_string(),
            target: target.to_string(),
            properties: properties.unwrap_or(Value::Null),
            created_at_ms: Some(created_at_ms),
        });
    }

    /// Queues removing an edge.
    pub fn remove_edge(&mut self, id: EdgeId) {
        self.ops.push(Op::RemoveEdge { id });
    }

    /// Number of queued operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// Operations queued for one atomic commit; see [`Graph::batch`].
///
/// ```
/// # use knowledge_graph::{Graph, MemoryStorage};
/// # knowledge_graph::block_on(async {
/// let graph = Graph::new(MemoryStorage::new());
/// let mut batch = graph.batch();
/// batch.add_node("user", "1", &serde_json_free::User { name: "Alice" })?;
/// batch.add_node("user", "2", &serde_json_free::User { name: "Bob" })?;
/// batch.add_edge("follows", "1", "2", None)?;
/// batch.commit().await?;
/// assert_eq!(graph.count_edges().await?, 1);
/// # Ok::<(), knowledge_graph::Error>(())
/// # }).unwrap();
/// # mod serde_json_free { #[derive(serde::Serialize)] pub struct User { pub name: &'static str } }
/// ```
#[must_use = "a batch does nothing until it is committed"]
pub struct Batch<'g, S: Storage> {
    graph: &'g Graph<S>,
    queue: OpQueue,
}

impl<'g, S: Storage> Batch<'g, S> {
    pub(crate) fn new(graph: &'g Graph<S>) -> Self {
        Batch {
            graph,
            queue: OpQueue::default(),
        }
    }

    /// Applies every queued operation, or none of them.
    ///
    /// # Returns
    /// The ids of the edges it added, in queue order.
    ///
    /// # Errors
    /// [`Error::Rejected`](crate::Error::Rejected) naming the first operation
    /// that failed, [`Error::LockTimeout`](crate::Error::LockTimeout), or a
    /// storage error; the graph is then exactly as before.
    pub async fn commit(self) -> Result<Vec<EdgeId>> {
        let ticket = self.graph.write_ticket()?;
        self.graph.apply_ops(ticket, self.queue.ops)
    }
}

impl<S: Storage> Deref for Batch<'_, S> {
    type Target = OpQueue;
    fn deref(&self) -> &OpQueue {
        &self.queue
    }
}

impl<S: Storage> DerefMut for Batch<'_, S> {
    fn deref_mut(&mut self) -> &mut OpQueue {
        &mut self.queue
    }
}

/// A transaction holding the write lock; see [`Graph::begin`] and
/// [`Graph::transaction`].
///
/// Reads through the graph during a transaction see the last committed state,
/// not the transaction's queued changes. Dropping it without committing rolls
/// it back.
#[must_use = "a transaction does nothing until it is committed"]
pub struct Transaction<S: Storage> {
    graph: Graph<S>,
    ticket: WriteTicket,
    queue: OpQueue,
}

impl<S: Storage> Transaction<S> {
    pub(crate) fn new(graph: Graph<S>, ticket: WriteTicket) -> Self {
        Transaction {
            graph,
            ticket,
            queue: OpQueue::default(),
        }
    }

    /// Applies every queued operation, or none of them, and releases the lock.
    ///
    /// # Errors
    /// As [`Batch::commit`].
    pub async fn commit(self) -> Result<Vec<EdgeId>> {
        let Transaction {
            graph,
            ticket,
            queue,
        } = self;
        graph.apply_ops(ticket, queue.ops)
    }

    /// Discards every queued operation and releases the lock.
    pub fn rollback(self) {
        self.graph.note_rollback();
    }

    pub(crate) fn commit_now(self) -> Result<Vec<EdgeId>> {
        let Transaction {
            graph,
            ticket,
            queue,
        } = self;
        graph.apply_ops(ticket, queue.ops)
    }
}

impl<S: Storage> Deref for Transaction<S> {
    type Target = OpQueue;
    fn deref(&self) -> &OpQueue {
        &self.queue
    }
}

impl<S: Storage> DerefMut for Transaction<S> {
    fn deref_mut(&mut self) -> &mut OpQueue {
        &mut self.queue
    }
}
