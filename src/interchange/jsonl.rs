//! JSON Lines: one object per line, blank lines ignored.
//!
//! ```text
//! {"type":"node","id":"alice","label":"Person","properties":{"age":30}}
//! {"type":"edge","source":"alice","target":"bob","label":"KNOWS","properties":{"since":2020},"id":12,"timestamp":1700000000000}
//! ```
//! `properties` is optional everywhere. An edge's `timestamp` (its creation
//! time, milliseconds since the Unix epoch) is kept when given, else the
//! import's time is; its `id` is informational (new edges get new ids).
// This module exists only with `std`; it uses std paths throughout.
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::borrow::Cow;
use std::fmt;
use std::format;
use std::io::{BufRead, BufReader, Read, Write};
use std::string::{String, ToString};

use knowledge_graph_storage::Storage;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::{for_each_record, InterchangeError, Pending, ProgressFn};
use crate::value::Value;
use crate::Graph;

/// A node id or edge id: a string or a number.
enum Id<'a> {
    Text(Cow<'a, str>),
    Number(String),
}

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl<'de> Visitor<'de> for IdVisitor {
            type Value = Id<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Id<'de>, E> {
                Ok(Id::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id<'de>, E> {
                Ok(Id::Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Id<'de>, E> {
                Ok(Id::Text(Cow::Owned(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id<'de>, E> {
                Ok(Id::Number(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id<'de>, E> {
                Ok(Id::Number(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Id<'de>, E> {
                Ok(Id::Number(v.to_string()))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

impl Id<'_> {
    fn as_str(&self) -> &str {
        match self {
            Id::Text(text) => text,
            Id::Number(n) => n,
        }
    }
}

/// One line, flat (no buffering of an internally tagged enum: this is the
/// bulk-import path).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    id: Option<Id<'a>>,
    #[serde(borrow)]
    label: Option<Cow<'a, str>>,
    #[serde(borrow)]
    source: Option<Id<'a>>,
    #[serde(borrow)]
    target: Option<Id<'a>>,
    properties: Option<Value>,
    timestamp: Option<i64>,
}

pub(crate) fn read<S: Storage>(
    pending: &mut Pending<'_, S>,
    file: u32,
    reader: impl Read,
) -> Result<(), InterchangeError> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut buf = String::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        line_no += 1;
        let origin = Pending::<S>::at_line(file, line_no);
        let n = reader.read_line(&mut buf).map_err(|e| {
            let detail = if e.kind() == std::io::ErrorKind::InvalidData {
                "the line is not valid UTF-8".to_string()
            } else {
                e.to_string()
            };
            pending.error(origin, detail)
        })?;
        if n == 0 {
            return Ok(());
        }
        let text = buf.trim();
        if text.is_empty() {
            continue;
        }
        let line: Line<'_> = serde_json::from_str(text).map_err(|e| {
            let column = Some(e.column().to_string()).filter(|_| e.column() > 0);
            InterchangeError::input(
                pending.location(origin, column),
                format!("malformed JSON: {}", strip_position(&e)),
            )
        })?;
        let kind = line.kind.as_deref().unwrap_or("");
        let label = line.label.as_deref().unwrap_or("");
        let properties = line.properties.unwrap_or(Value::Null);
        match kind {
            "node" => {
                let id = line
                    .id
                    .ok_or_else(|| pending.error(origin, "node has no \"id\""))?;
                if line.source.is_some() || line.target.is_some() {
                    return Err(pending.error(origin, "a node has no \"source\" or \"target\""));
                }
                let properties = match properties {
                    Value::Null => Value::Map(Default::default()),
                    other => other,
                };
                pending.node(origin, label, id.as_str(), properties)?;
            }
            "edge" => {
                let source = line
                    .source
                    .ok_or_else(|| pending.error(origin, "edge has no \"source\""))?;
                let target = line
                    .target
                    .ok_or_else(|| pending.error(origin, "edge has no \"target\""))?;
                pending.edge(
                    origin,
                    label,
                    source.as_str(),
                    target.as_str(),
                    properties,
                    line.timestamp,
                )?;
            }
            "" => {
                return Err(pending.error(origin, "missing \"type\": expected \"node\" or \"edge\""))
            }
            other => {
                return Err(pending.error(
                    origin,
                    format!("unknown \"type\" '{other}': expected \"node\" or \"edge\""),
                ))
            }
        }
    }
}

/// serde_json's message without its own " at line 1 column 5" suffix (the
/// line is ours, the column goes in the location).
fn strip_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[derive(Serialize)]
struct NodeOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<&'a Value>,
}

#[derive(Serialize)]
struct EdgeOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    source: &'a str,
    target: &'a str,
    label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<&'a Value>,
    id: u64,
    timestamp: i64,
}

pub(crate) fn write<S: Storage>(
    graph: &Graph<S>,
    name: &str,
    out: &mut impl Write,
    progress: &mut ProgressFn<'_>,
) -> Result<(u64, u64), InterchangeError> {
    let io = |e: std::io::Error| InterchangeError::io(name, e);
    let json = |e: serde_json::Error| InterchangeError::io(name, std::io::Error::other(e));
    let mut out = std::cell::RefCell::new(out);
    let result = for_each_record(
        graph,
        progress,
        |node| {
            let mut out = out.borrow_mut();
            serde_json::to_writer(
                &mut **out,
                &NodeOut {
                    kind: "node",
                    id: &node.id,
                    label: &node.label,
                    properties: (*node.properties != Value::Null).then_some(&*node.properties),
                },
            )
            .map_err(json)?;
            out.write_all(b"\n").map_err(io)
        },
        |edge| {
            let mut out = out.borrow_mut();
            serde_json::to_writer(
                &mut **out,
                &EdgeOut {
                    kind: "edge",
                    source: &edge.source,
                    target: &edge.target,
                    label: &edge.label,
                    properties: (*edge.properties != Value::Null).then_some(&*edge.properties),
                    id: edge.id.0,
                    timestamp: edge.created_at_ms,
                },
            )
            .map_err(json)?;
            out.write_all(b"\n").map_err(io)
        },
    );
    let _ = out.get_mut();
    result
}
