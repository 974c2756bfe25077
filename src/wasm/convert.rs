//! Between JS values and the core's types: properties, records, errors.
//!
//! Properties come in through serde-wasm-bindgen (plain objects, arrays,
//! numbers, strings, booleans, `null`, `Uint8Array`, `BigInt`; bulk inputs
//! as one JSON string when JSON holds them exactly) and go out as
//! plain objects: integers as numbers while they are safe integers, as
//! `BigInt` beyond ±2^53; bytes as `Uint8Array`.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::model::{Edge, EdgeId, Node};
use crate::value::Value;

/// Plain objects for maps, `null` for unit, numbers for safe integers.
const SERIALIZER: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::new()
    .serialize_maps_as_objects(true)
    .serialize_missing_as_null(true);

/// Largest integer a JS number holds exactly.
const MAX_SAFE: i64 = (1 << 53) - 1;

/// Any displayable error as a JS `Error` with its message.
pub(crate) fn js_error(err: impl core::fmt::Display) -> JsError {
    JsError::new(&err.to_string())
}

/// Serializes `value` to JS with [`SERIALIZER`].
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value.serialize(&SERIALIZER).map_err(js_error)
}

/// Deserializes a JS value, naming `what` in the error.
pub(crate) fn from_js<T: for<'de> Deserialize<'de>>(
    value: JsValue,
    what: &str,
) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| JsError::new(&alloc::format!("invalid {what}: {e}")))
}

/// Properties from JS: a plain object (or `undefined`/`null` for none).
pub(crate) fn properties_from_js(
    value: JsValue,
    owner: &dyn Fn() -> String,
) -> Result<Value, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Map(Default::default()));
    }
    let value: Value = serde_wasm_bindgen::from_value(value)
        .map_err(|e| JsError::new(&alloc::format!("invalid properties of {}: {e}", owner())))?;
    check_properties(value, owner)
}

pub(crate) fn check_properties(value: Value, owner: &dyn Fn() -> String) -> Result<Value, JsError> {
    match value {
        Value::Map(_) => Ok(value),
        Value::Null => Ok(Value::Map(Default::default())),
        other => Err(JsError::new(&alloc::format!(
            "properties of {} must be a plain object, not {}",
            owner(),
            kind(&other)
        ))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) | Value::Float(_) => "a number",
        Value::String(_) => "a string",
        Value::Bytes(_) => "bytes",
        Value::List(_) => "an array",
        Value::Map(_) => "an object",
    }
}

/// A [`Value`] as JS wants it (see the module docs).
pub(crate) struct JsProps<'a>(pub &'a Value);

impl Serialize for JsProps<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            // Records always have an object of properties.
            Value::Null => s.serialize_map(Some(0))?.end(),
            other => JsValueOut(other).serialize(s),
        }
    }
}

struct JsValueOut<'a>(&'a Value);

impl Serialize for JsValueOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Int(i) if !(-MAX_SAFE..=MAX_SAFE).contains(i) => {
                s.serialize_i128(i128::from(*i))
            }
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&JsValueOut(item))?;
                }
                seq.end()
            }
            Value::Map(map) => {
                let mut out = s.serialize_map(Some(map.len()))?;
                for (key, value) in map {
                    out.serialize_entry(key, &JsValueOut(value))?;
                }
                out.end()
            }
            other => other.serialize(s),
        }
    }
}

/// A node as JS sees it: `{ id, label, properties }`.
pub(crate) struct NodeOut<'a>(pub &'a Node);

impl Serialize for NodeOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("NodeRecord", 3)?;
        out.serialize_field("id", &self.0.id)?;
        out.serialize_field("label", &self.0.label)?;
        out.serialize_field("properties", &JsProps(&self.0.properties))?;
        out.end()
    }
}

/// An edge as JS sees it: `{ id, label, source, target, properties, createdAt }`.
pub(crate) struct EdgeOut<'a>(pub &'a Edge);

impl Serialize for EdgeOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("EdgeRecord", 6)?;
        out.serialize_field("id", &(self.0.id.0 as f64))?;
        out.serialize_field("label", &self.0.label)?;
        out.serialize_field("source", &self.0.source)?;
        out.serialize_field("target", &self.0.target)?;
        out.serialize_field("properties", &JsProps(&self.0.properties))?;
        out.serialize_field("createdAt", &(self.0.created_at_ms as f64))?;
        out.end()
    }
}

/// Serializes a list of records.
pub(crate) struct Many<'a, T, F>(pub &'a [T], pub F);

impl<'a, T, F, O> Serialize for Many<'a, T, F>
where
    F: Fn(&'a T) -> O,
    O: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&(self.1)(item))?;
        }
        seq.end()
    }
}

/// `JSON.parse` of text we wrote; the serde path when that fails.
fn parse_or(
    text: &str,
    fallback: impl FnOnce() -> Result<JsValue, JsError>,
) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(text).or_else(|_| fallback())
}

pub(crate) fn node_to_js(node: &Node) -> Result<JsValue, JsError> {
    let mut text = String::with_capacity(128);
    if super::json::node(&mut text, node) {
        return parse_or(&text, || to_js(&NodeOut(node)));
    }
    to_js(&NodeOut(node))
}

pub(crate) fn edge_to_js(edge: &Edge) -> Result<JsValue, JsError> {
    let mut text = String::with_capacity(160);
    if super::json::edge(&mut text, edge) {
        return parse_or(&text, || to_js(&EdgeOut(edge)));
    }
    to_js(&EdgeOut(edge))
}

pub(crate) fn nodes_to_js(nodes: &[Node]) -> Result<JsValue, JsError> {
    let mut text = String::with_capacity(64 + nodes.len() * 96);
    if super::json::many(&mut text, nodes, super::json::node) {
        return parse_or(&text, || to_js(&Many(nodes, NodeOut)));
    }
    to_js(&Many(nodes, NodeOut))
}

pub(crate) fn edges_to_js(edges: &[Edge]) -> Result<JsValue, JsError> {
    let mut text = String::with_capacity(64 + edges.len() * 128);
    if super::json::many(&mut text, edges, super::json::edge) {
        return parse_or(&text, || to_js(&Many(edges, EdgeOut)));
    }
    to_js(&Many(edges, EdgeOut))
}

/// An edge id from JS: a non-negative safe integer.
pub(crate) fn edge_id(id: f64) -> Result<EdgeId, JsError> {
    if id.fract() == 0.0 && (0.0..=MAX_SAFE as f64).contains(&id) {
        Ok(EdgeId(id as u64))
    } else {
        Err(JsError::new(&alloc::format!(
            "edge id must be a non-negative integer, not {id}"
        )))
    }
}

pub(crate) fn edge_ids_to_js(ids: &[EdgeId]) -> JsValue {
    let out = js_sys::Array::new_with_length(ids.len() as u32);
    for (i, id) in ids.iter().enumerate() {
        out.set(i as u32, JsValue::from_f64(id.0 as f64));
    }
    out.into()
}

/// JS arrays of ids, one per list: one string across the boundary, split
/// on the JS side (ids by NUL, lists by U+0001), rather than a crossing per
/// id; unless an id holds a separator. Node ids are never empty, so an empty
/// segment is an empty list.
pub(crate) fn id_lists_to_js<'a, L>(lists: &[L]) -> js_sys::Array
where
    L: Clone + Iterator<Item = &'a str>,
{
    if lists.is_empty() {
        return js_sys::Array::new();
    }
    let separated = lists
        .iter()
        .all(|ids| ids.clone().all(|id| !id.contains(['\0', '\u{1}'])));
    if !separated {
        return lists
            .iter()
            .map(|ids| {
                ids.clone()
                    .map(JsValue::from_str)
                    .collect::<js_sys::Array>()
            })
            .collect();
    }
    let mut text = String::new();
    for (l, ids) in lists.iter().enumerate() {
        if l > 0 {
            text.push('\u{1}');
        }
        for (i, id) in ids.clone().enumerate() {
            if i > 0 {
                text.push('\0');
            }
            text.push_str(id);
        }
    }
    split_id_lists(&text).unchecked_into()
}

/// A JS array of ids (see [`id_lists_to_js`]).
pub(crate) fn ids_to_js<'a>(ids: impl Clone + Iterator<Item = &'a str>) -> JsValue {
    id_lists_to_js(&[ids]).get(0)
}

/// A node for `addNodes` and `transaction`.
#[derive(Deserialize)]
pub(crate) struct NodeInput {
    pub label: String,
    pub id: String,
    #[serde(default)]
    pub properties: Value,
}

/// An edge for `addEdges` and `transaction`.
#[derive(Deserialize)]
pub(crate) struct EdgeInput {
    pub label: String,
    pub source: String,
    pub target: String,
    #[serde(default)]
    pub properties: Value,
    /// The creation time to record (ms since the Unix epoch), else now.
    #[serde(default, rename = "createdAt")]
    pub created_at: Option<f64>,
}

/// One operation of `transaction(ops)`.
#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", deny_unknown_fields)]
pub(crate) enum OpInput {
    AddNode {
        label: String,
        id: String,
        #[serde(default)]
        properties: Value,
    },
    UpdateNode {
        id: String,
        #[serde(default)]
        properties: Value,
    },
    RemoveNode {
        id: String,
    },
    AddEdge {
        label: String,
        source: String,
        target: String,
        #[serde(default)]
        properties: Value,
    },
    RemoveEdge {
        id: f64,
    },
}

#[wasm_bindgen(inline_js = r#"
const objectPrototype = Object.prototype;
export function plainJson(value) {
  let plain = true;
  const replacer = function (key, v) {
    if (this[key] !== v) {
      plain = false; // a toJSON() method changed it (Date, ...)
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) plain = false;
    } else if (typeof v === 'object') {
      if (v !== null && !Array.isArray(v)) {
        const proto = Object.getPrototypeOf(v);
        if (proto !== objectPrototype && proto !== null) plain = false;
      }
    } else if (typeof v !== 'string' && typeof v !== 'boolean') {
      plain = false; // undefined, bigint, function, symbol
    }
    return plain ? v : undefined;
  };
  try {
    const text = JSON.stringify(value, replacer);
    return plain ? text : undefined;
  } catch {
    return undefined;
  }
}
export function deepFreeze(value) {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
    } else {
      for (const key in value) deepFreeze(value[key]);
    }
  }
  return value;
}
export function splitIdLists(text) {
  return text.split('\x01').map((list) => (list === '' ? [] : list.split('\0')));
}
"#)]
extern "C" {
    /// `JSON.stringify(value)` when JSON holds `value` exactly (plain
    /// objects and arrays, finite numbers, strings, booleans, `null`),
    /// else `undefined`.
    #[wasm_bindgen(js_name = plainJson)]
    fn plain_json(value: &JsValue) -> Option<String>;

    /// Freezes an object and everything in it (byte arrays cannot be frozen).
    #[wasm_bindgen(js_name = deepFreeze)]
    pub(crate) fn freeze(value: JsValue) -> JsValue;

    #[wasm_bindgen(js_name = splitIdLists)]
    fn split_id_lists(text: &str) -> JsValue;
}

/// Returns `Vec<T>` of a JS array, with each element's position in errors.
///
/// Plain data crosses as one JSON string: far cheaper than reading each
/// field across the boundary (and the garbage that leaves for the JS
/// collector). Anything else, or JSON that does not fit `T`, takes the
/// field-by-field path, which also words the errors.
pub(crate) fn array_from_js<T: for<'de> Deserialize<'de>>(
    value: JsValue,
    what: &str,
) -> Result<Vec<T>, JsError> {
    if !js_sys::Array::is_array(&value) {
        return Err(JsError::new(&alloc::format!("{what} must be an array")));
    }
    let array: js_sys::Array = value.unchecked_into();
    reserve_memory(array.length() as usize);
    if let Some(items) = plain_json(&array).and_then(|text| serde_json::from_str(&text).ok()) {
        return Ok(items);
    }
    let mut out = Vec::with_capacity(array.length() as usize);
    for (index, item) in array.iter().enumerate() {
        out.push(
            serde_wasm_bindgen::from_value(item)
                .map_err(|e| JsError::new(&alloc::format!("invalid {what}[{index}]: {e}")))?,
        );
    }
    Ok(out)
}

/// Deserializes an options object, rejecting keys it does not know (a
/// misspelt option would otherwise be silently ignored).
pub(crate) fn options_from_js<T: for<'de> Deserialize<'de> + Default>(
    value: JsValue,
    what: &str,
    known: &[&str],
) -> Result<T, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(JsError::new(&alloc::format!("{what} must be an object")));
    }
    let object: &js_sys::Object = value.unchecked_ref();
    for key in js_sys::Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(JsError::new(&alloc::format!(
                "invalid {what}: unknown option '{key}' (expected one of: {})",
                known.join(", ")
            )));
        }
    }
    from_js(value, what)
}

/// Grows WebAssembly memory at once by about what reading and storing
/// `records` takes (the reading is transient), instead of in the
/// allocator's small steps: each growth counts as more external memory for
/// the JS engine, and many small ones set off a full collection of the JS
/// heap again and again (a bulk load of 1.3M edges took twice as long).
fn reserve_memory(records: usize) {
    const PER_RECORD: usize = 1024;
    const MOST: usize = 256 << 20;
    // Allocated and freed at once: the allocator keeps it for what follows.
    drop(core::hint::black_box(Vec::<u8>::with_capacity(
        records.saturating_mul(PER_RECORD).min(MOST),
    )));
}
