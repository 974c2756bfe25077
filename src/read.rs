//! [`GraphRead`]: a read-locked view of the graph, and how full records are
//! assembled from the topology and the property cache.

use alloc::string::String;
use alloc::sync::Arc;

use knowledge_graph_storage::{Keyspace, Storage};

use crate::cache::RecordKey;
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::index::RecordKind;
use crate::model::{Edge, EdgeId, Node};
use crate::record;
use crate::sync::RwLockReadGuard;
use crate::topology::{NodeIndex, Topology};
use crate::value::Value;

/// A read-locked view of the graph for fast, index-based traversal.
///
/// Node indices are valid for the life of the view. Writers wait while a view
/// is alive.
pub struct GraphRead<'g, S: Storage> {
    graph: &'g Graph<S>,
    pub(crate) topo: RwLockReadGuard<'g, Topology>,
}

impl<'g, S: Storage> GraphRead<'g, S> {
    pub(crate) fn graph(&self) -> &'g Graph<S> {
        self.graph
    }

    pub(crate) fn new(graph: &'g Graph<S>) -> Self {
        GraphRead {
            graph,
            topo: graph.inner().topology.read(),
        }
    }

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
            .map(|a| EdgeId(u64::from(a.edge)))
    }

    /// Ids of the edges entering `index`, oldest first.
    pub fn in_edges(&self, index: NodeIndex) -> impl ExactSizeIterator<Item = EdgeId> + '_ {
        self.topo
            .node_slot(index.0)
            .inc
            .iter()
            .map(|a| EdgeId(u64::from(a.edge)))
    }

    /// Targets of the edges leaving `index` (with repeats for parallel edges).
    pub fn out_neighbors(&self, index: NodeIndex) -> impl ExactSizeIterator<Item = NodeIndex> + '_ {
        self.topo
            .node_slot(index.0)
            .out
            .iter()
            .map(|a| NodeIndex(a.node))
    }

    /// Sources of the edges entering `index` (with repeats for parallel edges).
    pub fn in_neighbors(&self, index: NodeIndex) -> impl ExactSizeIterator<Item = NodeIndex> + '_ {
        self.topo
            .node_slot(index.0)
            .inc
            .iter()
            .map(|a| NodeIndex(a.node))
    }

    /// The `n`-th outgoing neighbour of `index`, oldest edge first.
    pub fn out_neighbor(&self, index: NodeIndex, n: usize) -> Option<NodeIndex> {
        Some(NodeIndex(self.topo.node_slot(index.0).out.get(n)?.node))
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

    /// The properties of the node in `slot`, through the cache.
    pub(crate) fn node_properties(&self, slot: u32) -> Result<Arc<Value>> {
        let cache = &self.graph.inner().cache;
        cache.get_or_load(RecordKey::node(slot), || self.load_node(slot))
    }

    /// The stored properties of the node in `slot`.
    fn load_node(&self, slot: u32) -> Result<Value> {
        let node = self.topo.node_slot(slot);
        let key = node.id.as_bytes();
        let storage = &self.graph.inner().storage;
        let bytes = storage.get(Keyspace::Nodes, key)?.ok_or_else(|| {
            Error::corrupt(alloc::format!("node '{}' has no stored record", node.id))
        })?;
        record::decode_properties(RecordKind::Node, key, &bytes)
    }

    /// The properties of edge `id`, through the cache.
    pub(crate) fn edge_properties(&self, id: u32) -> Result<Arc<Value>> {
        let cache = &self.graph.inner().cache;
        cache.get_or_load(RecordKey::edge(u64::from(id)), || self.load_edge(id))
    }

    /// The stored properties of edge `id`.
    fn load_edge(&self, id: u32) -> Result<Value> {
        let key = record::edge_key(u64::from(id));
        let storage = &self.graph.inner().storage;
        let bytes = storage
            .get(Keyspace::Edges, &key)?
            .ok_or_else(|| Error::corrupt(alloc::format!("edge #{id} has no stored record")))?;
        record::decode_properties(RecordKind::Edge, &key, &bytes)
    }

    /// The properties of the node in `slot`, without filling the cache (for bulk reads).
    pub(crate) fn node_properties_uncached(&self, slot: u32) -> Result<Arc<Value>> {
        match self.graph.inner().cache.peek(RecordKey::node(slot)) {
            Some(cached) => Ok(cached),
            None => Ok(Arc::new(self.load_node(slot)?)),
        }
    }

    /// The properties of edge `id`, without filling the cache (for bulk reads).
    pub(crate) fn edge_properties_uncached(&self, id: u32) -> Result<Arc<Value>> {
        match self
            .graph
            .inner()
            .cache
            .peek(RecordKey::edge(u64::from(id)))
        {
            Some(cached) => Ok(cached),
            None => Ok(Arc::new(self.load_edge(id)?)),
        }
    }

    pub(crate) fn node_at(&self, slot: u32) -> Result<Node> {
        Ok(self.node_with(slot, self.node_properties(slot)?))
    }

    pub(crate) fn node_with(&self, slot: u32, properties: Arc<Value>) -> Node {
        let node = self.topo.node_slot(slot);
        // `String::from(&str)` copies; `to_string()` on an `Arc<str>` goes
        // through `Display` and cost 8% of a node lookup.
        Node {
            id: String::from(&*node.id),
            label: String::from(&**self.topo.label(node.label)),
            properties,
        }
    }

    pub(crate) fn edge_at(&self, id: u32) -> Result<Edge> {
        Ok(self.edge_with(id, self.edge_properties(id)?))
    }

    pub(crate) fn edge_with(&self, id: u32, properties: Arc<Value>) -> Edge {
        let slot = self.topo.edges[id as usize];
        Edge {
            id: EdgeId(u64::from(id)),
            label: String::from(&**self.topo.label(slot.label)),
            source: String::from(&*self.topo.node_slot(slot.source).id),
            target: String::from(&*self.topo.node_slot(slot.target).id),
            properties,
            created_at_ms: slot.created_at_ms,
        }
    }
}
