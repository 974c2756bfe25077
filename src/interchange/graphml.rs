//! GraphML: `<key>` declarations with `attr.type`, `<node id>`,
//! `<edge source target>` and `<data key>` values.
//!
//! ```text
//! <key id="label" for="node" attr.name="label" attr.type="string"/>
//! <key id="n0" for="node" attr.name="age" attr.type="long"/>
//! <key id="n1" for="node" attr.name="tags" attr.type="string" maya.type="json"/>
//! <node id="alice"><data key="label">Person</data><data key="n0">30</data></node>
//! ```
//! Our label is the data of the key named `label` (default `node` / `edge`).
//! Types: `boolean`, `int`, `long`, `float`, `double`, `string`; values that
//! GraphML has no type for (lists, maps, null, mixed types) are written as
//! JSON text in a `string` key marked `maya.type="json"`, which other tools
//! read as a plain string. Undirected edges become directed ones.
// This module exists only with `std`; it uses std paths throughout.
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::collections::{BTreeMap, HashMap};
use std::format;
use std::io::{Read, Write};
use std::string::{String, ToString};
use std::vec::Vec;

use knowledge_graph_storage::Storage;
use quick_xml::events::{BytesStart, Event};

use super::{
    edge_properties, node_properties, properties_map, Format, InterchangeError, Pending, Progress,
    ProgressFn,
};
use crate::value::{Map, Value};
use crate::{block_on, Graph};

const LABEL: &str = "label";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Int,
    Float,
    String,
    Json,
}

impl Kind {
    fn parse(attr_type: &str, json: bool) -> Option<Kind> {
        Some(match attr_type {
            "boolean" => Kind::Bool,
            "int" | "long" => Kind::Int,
            "float" | "double" => Kind::Float,
            "string" if json => Kind::Json,
            "string" => Kind::String,
            _ => return None,
        })
    }

    fn value(self, text: &str) -> Result<Value, String> {
        match self {
            Kind::Bool => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => Err(format!("'{text}' is not a boolean")),
            },
            Kind::Int => text
                .trim()
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| format!("'{text}' is not an integer")),
            Kind::Float => text
                .trim()
                .parse::<f64>()
                .map(Value::Float)
                .map_err(|_| format!("'{text}' is not a number")),
            Kind::String => Ok(Value::String(text.to_string())),
            Kind::Json => {
                serde_json::from_str::<Value>(text).map_err(|e| format!("invalid JSON: {e}"))
            }
        }
    }
}

struct KeyDef {
    name: String,
    kind: Kind,
}

/// The record being read: a node (id) or an edge (source, target).
enum Current {
    Node { id: String },
    Edge { source: String, target: String },
}

struct Open {
    current: Current,
    origin: super::Origin,
    label: Option<String>,
    properties: Map,
}

/// Tracks the line of a byte offset, moving forward only.
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> u64 {
        let pos = pos.min(self.text.len());
        if pos > self.pos {
            self.line += self.text[self.pos..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.pos = pos;
        }
        self.line
    }
}

fn attribute(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, String> {
    for attr in e.attributes() {
        let attr = attr.map_err(|err| format!("malformed attribute: {err}"))?;
        if attr.key.as_ref() == name.as_bytes() {
            let value = attr
                .unescape_value()
                .map_err(|err| format!("malformed attribute '{name}': {err}"))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

pub(crate) fn read<S: Storage>(
    pending: &mut Pending<'_, S>,
    file: u32,
    mut reader: impl Read,
) -> Result<(), InterchangeError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| pending.error(Pending::<S>::at_line(file, 1), e.to_string()))?;
    let mut xml = quick_xml::Reader::from_reader(&bytes[..]);
    xml.config_mut().trim_text(false);
    let mut lines = Lines {
        text: &bytes,
        pos: 0,
        line: 1,
    };
    let mut keys: HashMap<String, KeyDef> = HashMap::new();
    let mut open: Option<Open> = None;
    // The key of the `<data>` being read, and its text so far.
    let mut data: Option<(String, String)> = None;
    let mut saw_graphml = false;
    let mut buf = Vec::new();
    loop {
        let start = xml.buffer_position() as usize;
        let event = xml.read_event_into(&mut buf);
        let line = lines.at(start);
        let origin = Pending::<S>::at_line(file, line);
        let fail = |pending: &Pending<'_, S>, detail: String| pending.error(origin, detail);
        let event = match event {
            Ok(event) => event,
            Err(err) => {
                let line = lines.at(xml.error_position() as usize);
                return Err(pending.error(
                    Pending::<S>::at_line(file, line),
                    format!("malformed XML: {err}"),
                ));
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let tag = e.local_name();
                match tag.as_ref() {
                    b"graphml" => saw_graphml = true,
                    b"key" => {
                        let get = |name| attribute(e, name).map_err(|d| fail(pending, d));
                        let id =
                            get("id")?.ok_or_else(|| fail(pending, "<key> has no id".into()))?;
                        let name = get("attr.name")?.unwrap_or_else(|| id.clone());
                        let attr_type = get("attr.type")?.unwrap_or_else(|| "string".into());
                        let json = get("maya.type")?.as_deref() == Some("json");
                        let kind = Kind::parse(&attr_type, json).ok_or_else(|| {
                            fail(
                                pending,
                                format!("<key id=\"{id}\"> has unknown attr.type '{attr_type}': expected boolean, int, long, float, double or string"),
                            )
                        })?;
                        keys.insert(id, KeyDef { name, kind });
                    }
                    b"node" | b"edge" => {
                        if open.is_some() {
                            return Err(fail(
                                pending,
                                "nested <node> or <edge> elements are not supported".into(),
                            ));
                        }
                        let get = |name| attribute(e, name).map_err(|d| fail(pending, d));
                        let current = if tag.as_ref() == b"node" {
                            let id = get("id")?
                                .ok_or_else(|| fail(pending, "<node> has no id".into()))?;
                            Current::Node { id }
                        } else {
                            let source = get("source")?
                                .ok_or_else(|| fail(pending, "<edge> has no source".into()))?;
                            let target = get("target")?
                                .ok_or_else(|| fail(pending, "<edge> has no target".into()))?;
                            Current::Edge { source, target }
                        };
                        let record = Open {
                            current,
                            origin,
                            label: None,
                            properties: Map::new(),
                        };
                        if empty {
                            finish(pending, record)?;
                        } else {
                            open = Some(record);
                        }
                    }
                    b"data" => {
                        let key = attribute(e, "key")
                            .map_err(|d| fail(pending, d))?
                            .ok_or_else(|| fail(pending, "<data> has no key".into()))?;
                        if empty {
                            store(pending, &keys, open.as_mut(), origin, key, String::new())?;
                        } else {
                            data = Some((key, String::new()));
                        }
                    }
                    b"hyperedge" | b"port" => {
                        return Err(fail(
                            pending,
                            format!(
                                "<{}> is not supported",
                                String::from_utf8_lossy(tag.as_ref())
                            ),
                        ))
                    }
                    _ => {}
                }
            }
            Event::Text(ref t) => {
                if let Some((_, text)) = data.as_mut() {
                    let part = t
                        .unescape()
                        .map_err(|err| fail(pending, format!("malformed text: {err}")))?;
                    text.push_str(&part);
                }
            }
            Event::CData(ref c) => {
                if let Some((_, text)) = data.as_mut() {
                    let part = std::str::from_utf8(c)
                        .map_err(|_| fail(pending, "CDATA is not valid UTF-8".into()))?;
                    text.push_str(part);
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                b"data" => {
                    if let Some((key, text)) = data.take() {
                        store(pending, &keys, open.as_mut(), origin, key, text)?;
                    }
                }
                b"node" | b"edge" => {
                    if let Some(record) = open.take() {
                        finish(pending, record)?;
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_graphml {
        return Err(pending.error(
            Pending::<S>::at_line(file, 1),
            "not a GraphML document (no <graphml> element)",
        ));
    }
    Ok(())
}

/// Stores one `<data>` value on the open record (graph-level data is ignored).
fn store<S: Storage>(
    pending: &Pending<'_, S>,
    keys: &HashMap<String, KeyDef>,
    open: Option<&mut Open>,
    origin: super::Origin,
    key: String,
    text: String,
) -> Result<(), InterchangeError> {
    let Some(record) = open else {
        return Ok(());
    };
    let Some(def) = keys.get(&key) else {
        return Err(pending.error(
            origin,
            format!("<data key=\"{key}\"> names no declared <key>"),
        ));
    };
    if def.name == LABEL {
        record.label = Some(text);
        return Ok(());
    }
    let value = def.kind.value(&text).map_err(|detail| {
        InterchangeError::input(pending.location(origin, Some(format!("key {key}"))), detail)
    })?;
    record.properties.insert(def.name.clone(), value);
    Ok(())
}

fn finish<S: Storage>(pending: &mut Pending<'_, S>, record: Open) -> Result<(), InterchangeError> {
    match record.current {
        Current::Node { id } => pending.node(
            record.origin,
            record.label.as_deref().unwrap_or("node"),
            &id,
            node_properties(record.properties),
        ),
        Current::Edge { source, target } => pending.edge(
            record.origin,
            record.label.as_deref().unwrap_or("edge"),
            &source,
            &target,
            edge_properties(record.properties),
            None,
        ),
    }
}

// ----- export ---------------------------------------------------------------------

fn kind_of(value: &Value) -> Kind {
    match value {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Json,
    }
}

fn type_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Bool => "boolean",
        Kind::Int => "long",
        Kind::Float => "double",
        Kind::String | Kind::Json => "string",
    }
}

/// Property name -> (key id, kind), in name order.
fn declare<'a>(
    maps: impl Iterator<Item = &'a Map>,
    prefix: &str,
) -> BTreeMap<String, (String, Kind)> {
    let mut kinds: BTreeMap<String, Kind> = BTreeMap::new();
    for map in maps {
        for (name, value) in map {
            let kind = kind_of(value);
            kinds
                .entry(name.clone())
                .and_modify(|k| {
                    if *k != kind {
                        *k = Kind::Json;
                    }
                })
                .or_insert(kind);
        }
    }
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, (name, kind))| (name, (format!("{prefix}{i}"), kind)))
        .collect()
}

fn text(value: &Value, kind: Kind) -> Result<String, InterchangeError> {
    Ok(match (kind, value) {
        (Kind::Bool, Value::Bool(b)) => b.to_string(),
        (Kind::Int, Value::Int(i)) => i.to_string(),
        (Kind::Float, Value::Float(f)) => format!("{f:?}"),
        (Kind::String, Value::String(s)) => s.clone(),
        (_, other) => serde_json::to_string(other)
            .map_err(|e| InterchangeError::invalid(format!("cannot write {other}: {e}")))?,
    })
}

fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

pub(crate) fn write<S: Storage>(
    graph: &Graph<S>,
    name: &str,
    out: &mut impl Write,
    progress: &mut ProgressFn<'_>,
) -> Result<(u64, u64), InterchangeError> {
    let io = |e: std::io::Error| InterchangeError::io(name, e);
    let nodes = block_on(graph.get_nodes(None, None))?;
    let edges = block_on(graph.get_edges(None, None, None))?;
    let node_maps = nodes
        .iter()
        .map(|n| {
            let what = || format!("node '{}'", n.id);
            let map = properties_map(&n.properties, &what, Format::GraphMl)?;
            check_label(&map, &what)?;
            Ok(map)
        })
        .collect::<Result<Vec<_>, InterchangeError>>()?;
    let edge_maps = edges
        .iter()
        .map(|e| {
            let what = || format!("edge {}", e.id);
            let map = properties_map(&e.properties, &what, Format::GraphMl)?;
            check_label(&map, &what)?;
            Ok(map)
        })
        .collect::<Result<Vec<_>, InterchangeError>>()?;
    let node_keys = declare(node_maps.iter().map(|m| &**m), "n");
    let edge_keys = declare(edge_maps.iter().map(|m| &**m), "e");
    let mut doc = String::with_capacity(1 << 16);
    doc.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    doc.push_str("  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n");
    doc.push_str(
        "  <key id=\"edge_label\" for=\"edge\" attr.name=\"label\" attr.type=\"string\"/>\n",
    );
    for (keys, domain) in [(&node_keys, "node"), (&edge_keys, "edge")] {
        for (prop, (id, kind)) in keys {
            doc.push_str(&format!(
                "  <key id=\"{id}\" for=\"{domain}\" attr.name=\"{}\" attr.type=\"{}\"{}/>\n",
                escape(prop),
                type_name(*kind),
                if *kind == Kind::Json {
                    " maya.type=\"json\""
                } else {
                    ""
                }
            ));
        }
    }
    doc.push_str("  <graph edgedefault=\"directed\">\n");
    out.write_all(doc.as_bytes()).map_err(io)?;
    let total = (nodes.len() + edges.len()) as u64;
    let mut done = 0;
    for (node, map) in nodes.iter().zip(&node_maps) {
        doc.clear();
        doc.push_str(&format!(
            "    <node id=\"{}\"><data key=\"label\">{}</data>",
            escape(&node.id),
            escape(&node.label)
        ));
        data(&mut doc, map, &node_keys)?;
        doc.push_str("</node>\n");
        out.write_all(doc.as_bytes()).map_err(io)?;
        done += 1;
    }
    for (edge, map) in edges.iter().zip(&edge_maps) {
        doc.clear();
        doc.push_str(&format!(
            "    <edge id=\"e{}\" source=\"{}\" target=\"{}\"><data key=\"edge_label\">{}</data>",
            edge.id.0,
            escape(&edge.source),
            escape(&edge.target),
            escape(&edge.label)
        ));
        data(&mut doc, map, &edge_keys)?;
        doc.push_str("</edge>\n");
        out.write_all(doc.as_bytes()).map_err(io)?;
        done += 1;
    }
    out.write_all(b"  </graph>\n</graphml>\n").map_err(io)?;
    progress(Progress::Exporting { done, total });
    Ok((nodes.len() as u64, edges.len() as u64))
}

fn check_label(map: &Map, what: &dyn Fn() -> String) -> Result<(), InterchangeError> {
    if map.contains_key(LABEL) {
        return Err(InterchangeError::invalid(format!(
            "{} has a property named '{LABEL}', which would clash with its label in GraphML",
            what()
        )));
    }
    Ok(())
}

fn data(
    doc: &mut String,
    map: &Map,
    keys: &BTreeMap<String, (String, Kind)>,
) -> Result<(), InterchangeError> {
    for (name, value) in map {
        if let Some((id, kind)) = keys.get(name) {
            doc.push_str(&format!(
                "<data key=\"{id}\">{}</data>",
                escape(&text(value, *kind)?)
            ));
        }
    }
    Ok(())
}
