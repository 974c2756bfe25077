//! Helpers shared by the integration tests.
#![allow(dead_code)]

use knowledge_graph::{block_on, Graph, Storage, Value};

/// A map value from key/value pairs.
pub fn props(pairs: &[(&str, Value)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// Sorted (label, source, target) triples of every edge.
pub fn edge_triples<S: Storage>(graph: &Graph<S>) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = block_on(graph.get_edges(None, None, None))
        .unwrap()
        .into_iter()
        .map(|e| (e.label, e.source, e.target))
        .collect();
    out.sort();
    out
}

/// Sorted (id, label, properties-as-text) of every node.
pub fn node_rows<S: Storage>(graph: &Graph<S>) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = block_on(graph.get_nodes(None, None))
        .unwrap()
        .into_iter()
        .map(|n| (n.id, n.label, format!("{:?}", n.properties)))
        .collect();
    out.sort();
    out
}
