//! `toGraphology()` / `fromGraphology()`: graphology's serialized format, so
//! sigma.js and graphology users can render and analyse a graph directly.
//!
//! ```text
//! { attributes: {}, options: { type: 'directed', multi: true, allowSelfLoops: true },
//!   nodes: [{ key, attributes: { label, ...properties } }],
//!   edges: [{ key, source, target, attributes: { label, ...properties } }] }
//! ```
//! Our label travels in the attribute named by `labelKey` (default `"label"`).
//! Edge keys are our edge ids as strings; on import, edges get new ids and
//! undirected edges become directed ones from `source` to `target`.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::convert::{from_js, js_error, options_from_js, to_js, JsProps};
use super::JsKnowledgeGraph;
use crate::value::{Map, Value};
use crate::{block_on, Graph};
use knowledge_graph_indexeddb::SnapshotStorage;

use crate::graphology::{
    split, GraphIn, DEFAULT_EDGE_LABEL, DEFAULT_LABEL_KEY, DEFAULT_NODE_LABEL,
};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GraphologyOptions {
    #[serde(default)]
    label_key: Option<String>,
}

fn label_key(options: JsValue) -> Result<String, JsError> {
    let options: GraphologyOptions = options_from_js(options, "graphology options", &["labelKey"])?;
    Ok(options
        .label_key
        .unwrap_or_else(|| DEFAULT_LABEL_KEY.to_string()))
}

/// `{ [labelKey]: label, ...properties }`.
struct Attributes<'a> {
    label_key: &'a str,
    label: &'a str,
    properties: &'a Value,
}

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let empty = Map::new();
        let props = match self.properties {
            Value::Map(map) => map,
            _ => &empty,
        };
        let mut out = s.serialize_map(Some(props.len() + 1))?;
        out.serialize_entry(self.label_key, self.label)?;
        for (key, value) in props {
            out.serialize_entry(key, &JsProps(value))?;
        }
        out.end()
    }
}

fn check_collision(
    label_key: &str,
    properties: &Value,
    what: &dyn Fn() -> String,
) -> Result<(), JsError> {
    if properties.get(label_key).is_some() {
        return Err(JsError::new(&alloc::format!(
            "{} has a property named '{label_key}', which would clash with its label in graphology attributes; pass {{ labelKey: '...' }} with another name",
            what()
        )));
    }
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GraphOptionsOut {
    #[serde(rename = "type")]
    kind: &'static str,
    multi: bool,
    allow_self_loops: bool,
}

#[derive(Serialize)]
struct NodeOut<'a> {
    key: &'a str,
    attributes: Attributes<'a>,
}

#[derive(Serialize)]
struct EdgeOut<'a> {
    key: String,
    source: &'a str,
    target: &'a str,
    attributes: Attributes<'a>,
}

#[derive(Serialize)]
struct GraphOut<'a> {
    attributes: Map,
    options: GraphOptionsOut,
    nodes: Vec<NodeOut<'a>>,
    edges: Vec<EdgeOut<'a>>,
}

#[wasm_bindgen(js_class = KnowledgeGraph)]
impl JsKnowledgeGraph {
    /// The graph in graphology's serialized format (`Graph.from(obj)` or
    /// `graph.import(obj)` in graphology). Our label goes into the attribute
    /// `options.labelKey` (default `"label"`); throws if a property already
    /// uses that name.
    #[wasm_bindgen(js_name = toGraphology, unchecked_return_type = "GraphologySerialized")]
    pub fn to_graphology(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GraphologyOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsError> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let key = label_key(options)?;
        let graph = self.graph()?;
        let nodes = block_on(graph.get_nodes(None, None)).map_err(js_error)?;
        let edges = block_on(graph.get_edges(None, None, None)).map_err(js_error)?;
        for node in &nodes {
            check_collision(&key, &node.properties, &|| {
                alloc::format!("node '{}'", node.id)
            })?;
        }
        for edge in &edges {
            check_collision(&key, &edge.properties, &|| {
                alloc::format!("edge {}", edge.id)
            })?;
        }
        to_js(&GraphOut {
            attributes: Map::new(),
            options: GraphOptionsOut {
                kind: "directed",
                multi: true,
                allow_self_loops: true,
            },
            nodes: nodes
                .iter()
                .map(|n| NodeOut {
                    key: &n.id,
                    attributes: Attributes {
                        label_key: &key,
                        label: &n.label,
                        properties: &n.properties,
                    },
                })
                .collect(),
            edges: edges
                .iter()
                .map(|e| EdgeOut {
                    key: alloc::format!("{}", e.id.0),
                    source: &e.source,
                    target: &e.target,
                    attributes: Attributes {
                        label_key: &key,
                        label: &e.label,
                        properties: &e.properties,
                    },
                })
                .collect(),
        })
    }

    /// An in-memory graph from graphology's serialized format (`graph.export()`).
    /// The attribute `options.labelKey` (default `"label"`) becomes the label
    /// (`"node"` / `"edge"` when absent); the other attributes become properties.
    #[wasm_bindgen(js_name = fromGraphology)]
    pub fn from_graphology(
        #[wasm_bindgen(unchecked_param_type = "GraphologySerialized")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "GraphologyOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsKnowledgeGraph, JsError> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let key = label_key(options)?;
        let data: GraphIn = from_js(data, "graphology data")?;
        let graph = Graph::new(SnapshotStorage::new());
        let mut batch = graph.batch();
        for (index, node) in data.nodes.into_iter().enumerate() {
            let id = node.key.into_string();
            let (label, properties) = split(node.attributes, &key, DEFAULT_NODE_LABEL)
                .map_err(|e| JsError::new(&alloc::format!("nodes[{index}]: {e}")))?;
            batch
                .add_node(&label, &id, &Value::Map(properties))
                .map_err(js_error)?;
        }
        for (index, edge) in data.edges.into_iter().enumerate() {
            let (label, properties) = split(edge.attributes, &key, DEFAULT_EDGE_LABEL)
                .map_err(|e| JsError::new(&alloc::format!("edges[{index}]: {e}")))?;
            let properties = (!properties.is_empty()).then_some(Value::Map(properties));
            batch
                .add_edge(
                    &label,
                    &edge.source.into_string(),
                    &edge.target.into_string(),
                    properties,
                )
                .map_err(js_error)?;
        }
        block_on(batch.commit()).map_err(js_error)?;
        Ok(JsKnowledgeGraph::wrap(graph, None))
    }
}
