//! graphology's serialized JSON, with the conventions of the wasm binding's
//! `toGraphology()`/`fromGraphology()` (`src/wasm/graphology.rs`):
//!
//! ```text
//! { "attributes": {}, "options": { "type": "directed", "multi": true, "allowSelfLoops": true },
//!   "nodes": [{ "key": "alice", "attributes": { "label": "Person", ...properties } }],
//!   "edges": [{ "key": "12", "source": "alice", "target": "bob", "attributes": { "label": "KNOWS", ... } }] }
//! ```
//! Our label is the `label` attribute (default `node` / `edge` when absent);
//! edge keys are informational; undirected edges become directed ones.
// This module exists only with `std`; it uses std paths throughout.
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::format;
use std::io::{Read, Write};
use std::string::{String, ToString};

use knowledge_graph_storage::Storage;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::{
    edge_properties, for_each_record, node_properties, properties_map, Format, InterchangeError,
    Pending, ProgressFn,
};
use crate::value::Map;
use crate::Graph;

use crate::graphology::{
    split, GraphIn, DEFAULT_EDGE_LABEL, DEFAULT_LABEL_KEY as LABEL_KEY, DEFAULT_NODE_LABEL,
};

pub(crate) fn read<S: Storage>(
    pending: &mut Pending<'_, S>,
    file: u32,
    reader: impl Read,
) -> Result<(), InterchangeError> {
    let graph: GraphIn = serde_json::from_reader(reader).map_err(|e| {
        let mut at = pending.location(Pending::<S>::at_line(file, e.line() as u64), None);
        if e.column() > 0 {
            at.column = Some(e.column().to_string());
        }
        let text = e.to_string();
        let text = text
            .rfind(" at line ")
            .map_or(text.as_str(), |i| &text[..i]);
        InterchangeError::input(at, format!("malformed graphology JSON: {text}"))
    })?;
    for (index, node) in graph.nodes.into_iter().enumerate() {
        let origin = Pending::<S>::at_item(file, "nodes", index as u64);
        let (label, map) = split(node.attributes, LABEL_KEY, DEFAULT_NODE_LABEL)
            .map_err(|d| pending.error(origin, d))?;
        pending.node(
            origin,
            &label,
            &node.key.into_string(),
            node_properties(map),
        )?;
    }
    for (index, edge) in graph.edges.into_iter().enumerate() {
        let origin = Pending::<S>::at_item(file, "edges", index as u64);
        let (label, map) = split(edge.attributes, LABEL_KEY, DEFAULT_EDGE_LABEL)
            .map_err(|d| pending.error(origin, d))?;
        pending.edge(
            origin,
            &label,
            &edge.source.into_string(),
            &edge.target.into_string(),
            edge_properties(map),
            None,
        )?;
    }
    Ok(())
}

/// `{ label, ...properties }`.
struct Attributes<'a> {
    label: &'a str,
    properties: &'a Map,
}

impl Serialize for Attributes<'_> {
    fn serialize<Ser: Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        let mut out = s.serialize_map(Some(self.properties.len() + 1))?;
        out.serialize_entry(LABEL_KEY, self.label)?;
        for (key, value) in self.properties {
            out.serialize_entry(key, value)?;
        }
        out.end()
    }
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

fn collision(map: &Map, what: &dyn Fn() -> String) -> Result<(), InterchangeError> {
    if map.contains_key(LABEL_KEY) {
        return Err(InterchangeError::invalid(format!(
            "{} has a property named '{LABEL_KEY}', which would clash with its label in graphology attributes",
            what()
        )));
    }
    Ok(())
}

pub(crate) fn write<S: Storage>(
    graph: &Graph<S>,
    name: &str,
    out: &mut impl Write,
    progress: &mut ProgressFn<'_>,
) -> Result<(u64, u64), InterchangeError> {
    let io = |e: std::io::Error| InterchangeError::io(name, e);
    let json = |e: serde_json::Error| InterchangeError::io(name, std::io::Error::other(e));
    out.write_all(
        br#"{"attributes":{},"options":{"type":"directed","multi":true,"allowSelfLoops":true},"nodes":["#,
    )
    .map_err(io)?;
    let out = std::cell::RefCell::new(out);
    let mut first_node = true;
    let mut first_edge = true;
    let counts = for_each_record(
        graph,
        progress,
        |node| {
            let what = || format!("node '{}'", node.id);
            let map = properties_map(&node.properties, &what, Format::Graphology)?;
            collision(&map, &what)?;
            let mut out = out.borrow_mut();
            if !first_node {
                out.write_all(b",").map_err(io)?;
            }
            first_node = false;
            serde_json::to_writer(
                &mut **out,
                &NodeOut {
                    key: &node.id,
                    attributes: Attributes {
                        label: &node.label,
                        properties: &map,
                    },
                },
            )
            .map_err(json)
        },
        |edge| {
            let what = || format!("edge {}", edge.id);
            let map = properties_map(&edge.properties, &what, Format::Graphology)?;
            collision(&map, &what)?;
            let mut out = out.borrow_mut();
            out.write_all(if first_edge { b"],\"edges\":[" } else { b"," })
                .map_err(io)?;
            first_edge = false;
            serde_json::to_writer(
                &mut **out,
                &EdgeOut {
                    key: edge.id.0.to_string(),
                    source: &edge.source,
                    target: &edge.target,
                    attributes: Attributes {
                        label: &edge.label,
                        properties: &map,
                    },
                },
            )
            .map_err(json)
        },
    )?;
    let out = out.into_inner();
    if first_edge {
        out.write_all(b"],\"edges\":[").map_err(io)?;
    }
    out.write_all(b"]}\n").map_err(io)?;
    Ok(counts)
}
