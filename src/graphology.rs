//! What graphology's serialized format looks like on the way in, shared by
//! the JS binding's `fromGraphology()` (`src/wasm/graphology.rs`) and the
//! `graphology` import format (`src/interchange/graphology.rs`).
//!
//! ```text
//! { attributes: {}, options: { type: 'directed', multi: true, allowSelfLoops: true },
//!   nodes: [{ key, attributes: { label, ...properties } }],
//!   edges: [{ key, source, target, attributes: { label, ...properties } }] }
//! ```
//! Our label travels in one attribute (`label` unless the caller names
//! another); nodes and edges without it are labelled `node` and `edge`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::Deserialize;

use crate::value::{Map, Value};

/// The attribute holding our label unless the caller names another.
pub(crate) const DEFAULT_LABEL_KEY: &str = "label";
/// The label of a node without a label attribute.
pub(crate) const DEFAULT_NODE_LABEL: &str = "node";
/// The label of an edge without a label attribute.
pub(crate) const DEFAULT_EDGE_LABEL: &str = "edge";

/// A graphology key: a string, or a number (graphology turns it into a string).
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Key {
    Text(String),
    Number(f64),
}

impl Key {
    /// The key as graphology spells it (`1`, not `1.0`).
    pub(crate) fn into_string(self) -> String {
        match self {
            Key::Text(text) => text,
            Key::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => format!("{}", n as i64),
            Key::Number(n) => format!("{n}"),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct NodeIn {
    pub key: Key,
    #[serde(default)]
    pub attributes: Value,
}

#[derive(Deserialize)]
pub(crate) struct EdgeIn {
    pub source: Key,
    pub target: Key,
    #[serde(default)]
    pub attributes: Value,
}

#[derive(Deserialize)]
pub(crate) struct GraphIn {
    #[serde(default)]
    pub nodes: Vec<NodeIn>,
    #[serde(default)]
    pub edges: Vec<EdgeIn>,
}

/// Splits our label (the attribute `label_key`, else `default`) out of a
/// record's graphology attributes; the rest are its properties.
///
/// # Errors
/// What is wrong, for the caller to place: attributes that are not an
/// object, or a label attribute that is not a string.
pub(crate) fn split(
    attributes: Value,
    label_key: &str,
    default: &str,
) -> Result<(String, Map), String> {
    let mut map = match attributes {
        Value::Map(map) => map,
        Value::Null => Map::new(),
        _ => return Err("\"attributes\" must be an object".to_string()),
    };
    let label = match map.remove(label_key) {
        None | Some(Value::Null) => default.to_string(),
        Some(Value::String(label)) => label,
        Some(other) => {
            return Err(format!(
                "attribute '{label_key}' must be a string (it becomes the label), not {other}"
            ))
        }
    };
    Ok((label, map))
}
