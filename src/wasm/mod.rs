//! The WebAssembly binding: the `KnowledgeGraph` class of the npm package
//! `maya-knowledge-graph` (see `www/README.md`).
//!
//! A thin, typed layer: each method converts its arguments, calls the
//! [`Graph`] API (whose futures never pend, so [`block_on`] drives them), and
//! converts the answer to plain JS objects. In-memory operations are
//! synchronous; opening, saving and closing an IndexedDB-backed graph return
//! Promises. Errors are thrown as JS `Error`s carrying the Rust message.
//!
//! ```js
//! import init, { KnowledgeGraph } from 'maya-knowledge-graph';
//! await init();
//! const graph = await KnowledgeGraph.open('notes', { autosave: 1000 });
//! graph.addNode('user', 'alice', { name: 'Alice' });
//! await graph.save();
//! ```

mod algo;
mod convert;
mod graphology;
mod json;
mod persist;
mod query;
mod types;

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

use knowledge_graph_indexeddb::SnapshotStorage;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{block_on, Graph};
use convert::{
    array_from_js, edge_id, edge_ids_to_js, edges_to_js, js_error, nodes_to_js, properties_from_js,
    to_js, EdgeInput, NodeInput, OpInput,
};
use persist::Persistence;

/// The graph type behind every JS `KnowledgeGraph`: memory, counted so a
/// persisted graph knows when it has unsaved changes.
pub type JsGraph = Graph<SnapshotStorage>;

/// A property graph in WebAssembly (the JS class `KnowledgeGraph`).
///
/// Call `free()` (or `close()` for a persisted graph) when done with it: the
/// memory lives in the WebAssembly heap, which the JS garbage collector
/// cannot see into.
#[wasm_bindgen(js_name = KnowledgeGraph)]
pub struct JsKnowledgeGraph {
    graph: JsGraph,
    persistence: Option<Rc<Persistence>>,
    closed: Cell<bool>,
    /// Where `randomWalkInto` writes a walk's slots: allocated once, at its
    /// full size, so the JS view of it stays valid until memory grows.
    walk_buffer: core::cell::RefCell<Vec<u32>>,
    /// The path `randomWalkInto` walks into, reused.
    walk_path: core::cell::RefCell<Vec<crate::NodeIndex>>,
}

impl JsKnowledgeGraph {
    fn wrap(graph: JsGraph, persistence: Option<Rc<Persistence>>) -> Self {
        JsKnowledgeGraph {
            graph,
            persistence,
            closed: Cell::new(false),
            walk_buffer: core::cell::RefCell::new(Vec::new()),
            walk_path: core::cell::RefCell::new(Vec::new()),
        }
    }

    /// The graph, unless it was closed.
    fn graph(&self) -> Result<&JsGraph, JsError> {
        if self.closed.get() {
            return Err(JsError::new("the graph is closed"));
        }
        Ok(&self.graph)
    }

    /// Runs a write, then schedules an autosave when one is configured.
    fn write<T>(&self, work: impl FnOnce(&JsGraph) -> crate::Result<T>) -> Result<T, JsError> {
        let out = work(self.graph()?).map_err(js_error)?;
        if let Some(persistence) = &self.persistence {
            persistence.touched(&self.graph);
        }
        Ok(out)
    }

    /// The Rust graph behind this object (for Rust code sharing the module).
    pub fn inner(&self) -> &JsGraph {
        &self.graph
    }
}

#[wasm_bindgen(js_class = KnowledgeGraph)]
impl JsKnowledgeGraph {
    /// An empty in-memory graph. Use `KnowledgeGraph.open(name)` for one
    /// persisted in IndexedDB.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> JsKnowledgeGraph {
        Self::wrap(Graph::new(SnapshotStorage::new()), None)
    }

    /// Adds a node; throws if the id is taken.
    #[wasm_bindgen(js_name = addNode)]
    pub fn add_node(
        &self,
        label: &str,
        id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "Properties")] properties: Option<JsValue>,
    ) -> Result<(), JsError> {
        let properties = properties.unwrap_or(JsValue::UNDEFINED);
        let properties = properties_from_js(properties, &|| alloc::format!("node '{id}'"))?;
        self.write(|g| block_on(g.add_node(label, id, &properties)))
    }

    /// The node with this id, or `undefined`. The record is frozen; the
    /// package's entry module keeps the records it handed out and returns
    /// the same object again until `revision()` changes.
    #[wasm_bindgen(js_name = getNode, unchecked_return_type = "NodeRecord | undefined")]
    pub fn get_node(&self, id: &str) -> Result<JsValue, JsError> {
        match block_on(self.graph()?.get_node(id)).map_err(js_error)? {
            Some(node) => Ok(convert::freeze(convert::node_to_js(&node)?)),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// A number that changes with every committed change: while it stays
    /// the same, so does the graph's content. `NaN` (equal to nothing) once
    /// the graph is closed. It does not throw, so a JS caller pays for no
    /// error return: `getNode` asks for it on every lookup.
    pub fn revision(&self) -> f64 {
        if self.closed.get() {
            return f64::NAN;
        }
        self.graph.inner().topology.read().generation as f64
    }

    /// True when a node has this id.
    #[wasm_bindgen(js_name = hasNode)]
    pub fn has_node(&self, id: &str) -> Result<bool, JsError> {
        block_on(self.graph()?.contains_node(id)).map_err(js_error)
    }

    /// Replaces a node's properties; throws if there is no such node.
    #[wasm_bindgen(js_name = updateNode)]
    pub fn update_node(
        &self,
        id: &str,
        #[wasm_bindgen(unchecked_param_type = "Properties")] properties: JsValue,
    ) -> Result<(), JsError> {
        let properties = properties_from_js(properties, &|| alloc::format!("node '{id}'"))?;
        self.write(|g| block_on(g.update_node(id, &properties)))
    }

    /// Removes a node and every edge touching it; throws if there is no such node.
    #[wasm_bindgen(js_name = removeNode)]
    pub fn remove_node(&self, id: &str) -> Result<(), JsError> {
        self.write(|g| block_on(g.remove_node(id)))
    }

    /// Adds a directed edge and returns its id; throws if an endpoint is missing.
    #[wasm_bindgen(js_name = addEdge)]
    pub fn add_edge(
        &self,
        label: &str,
        source: &str,
        target: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "Properties")] properties: Option<JsValue>,
    ) -> Result<f64, JsError> {
        let properties = properties.unwrap_or(JsValue::UNDEFINED);
        let properties = if properties.is_undefined() || properties.is_null() {
            None
        } else {
            Some(properties_from_js(properties, &|| {
                alloc::format!("edge '{label}' from '{source}' to '{target}'")
            })?)
        };
        self.write(|g| block_on(g.add_edge(label, source, target, properties)))
            .map(|id| id.0 as f64)
    }

    /// The edge with this id, or `undefined`.
    #[wasm_bindgen(js_name = getEdge, unchecked_return_type = "EdgeRecord | undefined")]
    pub fn get_edge(&self, id: f64) -> Result<JsValue, JsError> {
        match block_on(self.graph()?.get_edge(edge_id(id)?)).map_err(js_error)? {
            Some(edge) => convert::edge_to_js(&edge),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Removes an edge; throws if there is no such edge.
    #[wasm_bindgen(js_name = removeEdge)]
    pub fn remove_edge(&self, id: f64) -> Result<(), JsError> {
        let id = edge_id(id)?;
        self.write(|g| block_on(g.remove_edge(id)))
    }

    /// Edges leaving node `id` (optionally only those labelled `label`), oldest first.
    #[wasm_bindgen(js_name = edgesFrom, unchecked_return_type = "EdgeRecord[]")]
    pub fn edges_from(&self, id: &str, label: Option<String>) -> Result<JsValue, JsError> {
        let edges =
            block_on(self.graph()?.get_node_edges(id, label.as_deref())).map_err(js_error)?;
        edges_to_js(&edges)
    }

    /// Edges entering node `id` (optionally only those labelled `label`), oldest first.
    #[wasm_bindgen(js_name = edgesTo, unchecked_return_type = "EdgeRecord[]")]
    pub fn edges_to(&self, id: &str, label: Option<String>) -> Result<JsValue, JsError> {
        let edges = block_on(self.graph()?.get_edges_to(id, label.as_deref())).map_err(js_error)?;
        edges_to_js(&edges)
    }

    /// Nodes, optionally only those labelled `label`, at most `limit` of them.
    #[wasm_bindgen(js_name = getNodes, unchecked_return_type = "NodeRecord[]")]
    pub fn get_nodes(&self, label: Option<String>, limit: Option<u32>) -> Result<JsValue, JsError> {
        let nodes = block_on(
            self.graph()?
                .get_nodes(label.as_deref(), limit.map(|l| l as usize)),
        )
        .map_err(js_error)?;
        nodes_to_js(&nodes)
    }

    /// The nodes with these ids, in the order given; unknown ids are skipped.
    #[wasm_bindgen(js_name = getNodesByIds, unchecked_return_type = "NodeRecord[]")]
    pub fn get_nodes_by_ids(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] ids: JsValue,
    ) -> Result<JsValue, JsError> {
        let ids: Vec<String> = array_from_js(ids, "ids")?;
        let nodes = block_on(self.graph()?.get_nodes_by_ids(&ids)).map_err(js_error)?;
        nodes_to_js(&nodes)
    }

    /// Edges in id order, optionally filtered by label, source and target.
    #[wasm_bindgen(js_name = getEdges, unchecked_return_type = "EdgeRecord[]")]
    pub fn get_edges(
        &self,
        label: Option<String>,
        source: Option<String>,
        target: Option<String>,
    ) -> Result<JsValue, JsError> {
        let edges = block_on(self.graph()?.get_edges(
            label.as_deref(),
            source.as_deref(),
            target.as_deref(),
        ))
        .map_err(js_error)?;
        edges_to_js(&edges)
    }

    /// Number of nodes.
    #[wasm_bindgen(js_name = countNodes)]
    pub fn count_nodes(&self) -> Result<u32, JsError> {
        block_on(self.graph()?.count_nodes())
            .map(|n| n as u32)
            .map_err(js_error)
    }

    /// Number of edges.
    #[wasm_bindgen(js_name = countEdges)]
    pub fn count_edges(&self) -> Result<u32, JsError> {
        block_on(self.graph()?.count_edges())
            .map(|n| n as u32)
            .map_err(js_error)
    }

    /// Node labels in use, with how many nodes carry each.
    #[wasm_bindgen(unchecked_return_type = "Record<string, number>")]
    pub fn labels(&self) -> Result<JsValue, JsError> {
        let labels: alloc::collections::BTreeMap<String, usize> =
            self.graph()?.labels().into_iter().collect();
        to_js(&labels)
    }

    /// Edge labels in use, with how many edges carry each.
    #[wasm_bindgen(js_name = edgeLabels, unchecked_return_type = "Record<string, number>")]
    pub fn edge_labels(&self) -> Result<JsValue, JsError> {
        let labels: alloc::collections::BTreeMap<String, usize> =
            self.graph()?.edge_labels().into_iter().collect();
        to_js(&labels)
    }

    /// Adds every node of `nodes` in one atomic batch: all or none.
    #[wasm_bindgen(js_name = addNodes)]
    pub fn add_nodes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeInput[]")] nodes: JsValue,
    ) -> Result<(), JsError> {
        let nodes: Vec<NodeInput> = array_from_js(nodes, "nodes")?;
        let graph = self.graph()?;
        let mut batch = graph.batch();
        for node in nodes {
            let properties = convert::check_properties(node.properties, &|| {
                alloc::format!("node '{}'", node.id)
            })?;
            batch
                .add_node(&node.label, &node.id, &properties)
                .map_err(js_error)?;
        }
        self.write(|_| block_on(batch.commit())).map(drop)
    }

    /// Adds every edge of `edges` in one atomic batch and returns their ids.
    #[wasm_bindgen(js_name = addEdges, unchecked_return_type = "number[]")]
    pub fn add_edges(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EdgeInput[]")] edges: JsValue,
    ) -> Result<JsValue, JsError> {
        let edges: Vec<EdgeInput> = array_from_js(edges, "edges")?;
        let graph = self.graph()?;
        let mut batch = graph.batch();
        for (at, edge) in edges.into_iter().enumerate() {
            let properties = optional_properties(edge.properties, &edge.label)?;
            match edge.created_at {
                None => batch
                    .add_edge(&edge.label, &edge.source, &edge.target, properties)
                    .map_err(js_error)?,
                Some(ms) if ms.is_finite() && ms.fract() == 0.0 && ms.abs() < 9.0e15 => batch
                    .add_edge_created_at(
                        &edge.label,
                        &edge.source,
                        &edge.target,
                        properties,
                        ms as i64,
                    ),
                Some(ms) => {
                    return Err(JsError::new(&alloc::format!(
                        "edges[{at}].createdAt must be whole milliseconds since the Unix epoch, not {ms}"
                    )))
                }
            }
        }
        let ids = self.write(|_| block_on(batch.commit()))?;
        Ok(edge_ids_to_js(&ids))
    }

    /// Applies `ops` in one transaction, all or none, and returns the ids of
    /// the edges it added. Throws naming the first operation that failed.
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn transaction(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Operation[]")] ops: JsValue,
    ) -> Result<JsValue, JsError> {
        let ops: Vec<OpInput> = array_from_js(ops, "operations")?;
        let graph = self.graph()?;
        let mut batch = graph.batch();
        for op in ops {
            match op {
                OpInput::AddNode {
                    label,
                    id,
                    properties,
                } => {
                    let properties =
                        convert::check_properties(properties, &|| alloc::format!("node '{id}'"))?;
                    batch.add_node(&label, &id, &properties)
                }
                OpInput::UpdateNode { id, properties } => {
                    let properties =
                        convert::check_properties(properties, &|| alloc::format!("node '{id}'"))?;
                    batch.update_node(&id, &properties)
                }
                OpInput::RemoveNode { id } => {
                    batch.remove_node(&id);
                    Ok(())
                }
                OpInput::AddEdge {
                    label,
                    source,
                    target,
                    properties,
                } => {
                    let properties = optional_properties(properties, &label)?;
                    batch.add_edge(&label, &source, &target, properties)
                }
                OpInput::RemoveEdge { id } => {
                    batch.remove_edge(edge_id(id)?);
                    Ok(())
                }
            }
            .map_err(js_error)?;
        }
        let ids = self.write(|_| block_on(batch.commit()))?;
        Ok(edge_ids_to_js(&ids))
    }

    /// The graph's counters as a plain object.
    #[wasm_bindgen(unchecked_return_type = "Metrics")]
    pub fn metrics(&self) -> Result<JsValue, JsError> {
        let m = self.graph()?.metrics();
        to_js(&MetricsOut {
            node_count: m.node_count as f64,
            edge_count: m.edge_count as f64,
            cache_hits: m.cache_hits as f64,
            cache_misses: m.cache_misses as f64,
            cache_hit_rate: m.cache_hit_rate(),
            cached_records: m.cached_records as f64,
            index_entries: m.index_entries as f64,
            query_columns: m.query_columns as f64,
            active_transactions: m.active_transactions as f64,
            commits: m.commits as f64,
            rollbacks: m.rollbacks as f64,
            topology_bytes: m.topology_bytes as f64,
            unsaved_changes: self.has_unsaved_changes(),
        })
    }

    /// The whole graph in the portable snapshot format (the same bytes a
    /// native backup holds).
    #[wasm_bindgen(js_name = toSnapshot)]
    pub fn to_snapshot(&self) -> Result<Vec<u8>, JsError> {
        self.graph()?.to_snapshot().map_err(js_error)
    }

    /// An in-memory graph loaded from snapshot bytes (from `toSnapshot()`,
    /// a native backup, or a file). Throws for damaged or truncated bytes.
    #[wasm_bindgen(js_name = fromSnapshot)]
    pub fn from_snapshot(bytes: &[u8]) -> Result<JsKnowledgeGraph, JsError> {
        let graph = Graph::from_snapshot(bytes, SnapshotStorage::new()).map_err(js_error)?;
        Ok(Self::wrap(graph, None))
    }

    /// Checks snapshot bytes without loading them; throws saying what is wrong.
    #[wasm_bindgen(js_name = verifySnapshot, unchecked_return_type = "SnapshotInfo")]
    pub fn verify_snapshot(bytes: &[u8]) -> Result<JsValue, JsError> {
        let info = crate::snapshot::verify(bytes).map_err(js_error)?;
        to_js(&SnapshotInfoOut {
            version: info.version,
            entries: info.entries as f64,
            nodes: info.nodes as f64,
            edges: info.edges as f64,
        })
    }
}

/// Edge properties: `None` when absent, else they must be an object.
fn optional_properties(value: crate::Value, label: &str) -> Result<Option<crate::Value>, JsError> {
    match value {
        crate::Value::Null => Ok(None),
        other => convert::check_properties(other, &|| alloc::format!("edge '{label}'")).map(Some),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MetricsOut {
    node_count: f64,
    edge_count: f64,
    cache_hits: f64,
    cache_misses: f64,
    cache_hit_rate: f64,
    cached_records: f64,
    index_entries: f64,
    query_columns: f64,
    active_transactions: f64,
    commits: f64,
    rollbacks: f64,
    topology_bytes: f64,
    unsaved_changes: bool,
}

#[derive(Serialize)]
struct SnapshotInfoOut {
    version: u16,
    entries: f64,
    nodes: f64,
    edges: f64,
}
