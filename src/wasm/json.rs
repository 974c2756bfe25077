//! The fast path for records going out to JS: one JSON string across the
//! boundary and `JSON.parse` on the other side, instead of one boundary
//! crossing per key and value. Used whenever a record is JSON-safe (no bytes,
//! no integer beyond ±2^53, no NaN or infinity); otherwise the serde path
//! in [`super::convert`] builds the objects.

use alloc::string::String;
use core::fmt::Write;

use crate::model::{Edge, Node};
use crate::value::Value;

const MAX_SAFE: i64 = (1 << 53) - 1;

pub(crate) fn string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            // JSON.parse accepts them, but they end lines in JS source: escape anyway.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `value` as JSON; false when it has no exact JSON form.
fn value(out: &mut String, value: &Value) -> bool {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) if (-MAX_SAFE..=MAX_SAFE).contains(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) if f.is_finite() => {
            // Shortest representation that reads back as the same f64.
            let _ = write!(out, "{f:?}");
        }
        Value::String(s) => string(out, s),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !self::value(out, item) {
                    return false;
                }
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, key);
                out.push(':');
                if !self::value(out, item) {
                    return false;
                }
            }
            out.push('}');
        }
        Value::Int(_) | Value::Float(_) | Value::Bytes(_) => return false,
    }
    true
}

fn properties(out: &mut String, props: &Value) -> bool {
    match props {
        Value::Null => {
            out.push_str("{}");
            true
        }
        other => value(out, other),
    }
}

/// Appends a node record; false when it is not JSON-safe.
pub(crate) fn node(out: &mut String, node: &Node) -> bool {
    out.push_str("{\"id\":");
    string(out, &node.id);
    out.push_str(",\"label\":");
    string(out, &node.label);
    out.push_str(",\"properties\":");
    let ok = properties(out, &node.properties);
    out.push('}');
    ok
}

/// Appends an edge record; false when it is not JSON-safe.
pub(crate) fn edge(out: &mut String, edge: &Edge) -> bool {
    let _ = write!(out, "{{\"id\":{},\"label\":", edge.id.0);
    string(out, &edge.label);
    out.push_str(",\"source\":");
    string(out, &edge.source);
    out.push_str(",\"target\":");
    string(out, &edge.target);
    out.push_str(",\"properties\":");
    let ok = properties(out, &edge.properties);
    let _ = write!(out, ",\"createdAt\":{}}}", edge.created_at_ms);
    ok && edge.id.0 <= MAX_SAFE as u64 && (-MAX_SAFE..=MAX_SAFE).contains(&edge.created_at_ms)
}

/// Appends records as a JSON array; false when one is not JSON-safe.
pub(crate) fn many<T>(out: &mut String, items: &[T], one: fn(&mut String, &T) -> bool) -> bool {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if !one(out, item) {
            return false;
        }
    }
    out.push(']');
    true
}
