//! Secondary indexes on one property of the nodes (or edges) of one label.
//!
//! Definitions live in the meta keyspace and in the topology; entries live in
//! the index keyspace and are written in the same storage batch as the records
//! they index, so an index is never out of step with the data, across
//! rollbacks, crashes and reopen.
//!
//! ```text
//! definition: meta  "index:" + id (u32 be)  ->  codec([kind, label, [path...]])
//! entry:      index kind tag, id (u32 be), value key, record id, record id length (u16 be)  ->  ""
//! ```
//! The value key is [`codec::encode_key`], whose byte order is the values'
//! order and in which no key is a prefix of another, so one prefix scan finds
//! every record with an equal value and one range scan every record in a range.
//! Null and missing values are not indexed.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::error::{Error, Result};
use crate::query::{lookup_path, KeyClass, KeyRange};
use crate::value::{codec, Value};

/// Whether an index covers nodes or edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKind {
    /// Node properties.
    Node,
    /// Edge properties.
    Edge,
}

impl RecordKind {
    pub(crate) fn tag(self) -> u8 {
        match self {
            RecordKind::Node => b'n',
            RecordKind::Edge => b'e',
        }
    }

    fn name(self) -> &'static str {
        match self {
            RecordKind::Node => "node",
            RecordKind::Edge => "edge",
        }
    }
}

/// A secondary index as [`Graph::indexes`](crate::Graph::indexes) lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexInfo {
    /// Nodes or edges.
    pub kind: RecordKind,
    /// The label whose records it covers.
    pub label: String,
    /// The property path, segments joined with `.`.
    pub property: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexDef {
    pub id: u32,
    pub kind: RecordKind,
    pub label: String,
    pub path: Vec<String>,
}

const META_PREFIX: &[u8] = b"index:";

impl IndexInfo {
    /// `label.property`.
    pub fn qualified(&self) -> String {
        alloc::format!("{}.{}", self.label, self.property)
    }
}

impl IndexDef {
    pub fn info(&self) -> IndexInfo {
        IndexInfo {
            kind: self.kind,
            label: self.label.clone(),
            property: self.path.join("."),
        }
    }

    pub fn covers(&self, kind: RecordKind, label: &str) -> bool {
        self.kind == kind && self.label == label
    }

    pub fn meta_key(&self) -> Vec<u8> {
        let mut key = META_PREFIX.to_vec();
        key.extend_from_slice(&self.id.to_be_bytes());
        key
    }

    pub fn meta_value(&self) -> Vec<u8> {
        let path = self.path.iter().map(|s| Value::String(s.clone())).collect();
        codec::encoded(&Value::List(vec![
            Value::String(self.kind.name().to_string()),
            Value::String(self.label.clone()),
            Value::List(path),
        ]))
    }

    /// Reads a definition written by [`meta_value`](Self::meta_value).
    pub fn from_meta(key: &[u8], value: &[u8]) -> Option<Result<IndexDef>> {
        let id_bytes = key.strip_prefix(META_PREFIX)?;
        let bad = || Error::corrupt("an index definition in the meta keyspace is damaged");
        let parse = || {
            let id = u32::from_be_bytes(<[u8; 4]>::try_from(id_bytes).map_err(|_| bad())?);
            let Ok(Value::List(parts)) = codec::decode(value) else {
                return Err(bad());
            };
            let [Value::String(kind), Value::String(label), Value::List(path)] = parts.as_slice()
            else {
                return Err(bad());
            };
            let kind = match kind.as_str() {
                "node" => RecordKind::Node,
                "edge" => RecordKind::Edge,
                _ => return Err(bad()),
            };
            let path = path
                .iter()
                .map(|s| s.as_str().map(str::to_string).ok_or_else(bad))
                .collect::<Result<Vec<_>>>()?;
            Ok(IndexDef {
                id,
                kind,
                label: label.clone(),
                path,
            })
        };
        Some(parse())
    }

    /// Prefix of every entry of this index.
    pub fn prefix(&self) -> Vec<u8> {
        let mut prefix = vec![self.kind.tag()];
        prefix.extend_from_slice(&self.id.to_be_bytes());
        prefix
    }

    /// The indexed value of a record's properties, if it has one.
    pub fn value_of<'a>(&self, properties: &'a Value) -> Option<&'a Value> {
        let Value::Map(map) = properties else {
            return None;
        };
        let path: Vec<&str> = self.path.iter().map(String::as_str).collect();
        lookup_path(map, &path).filter(|v| !v.is_null())
    }

    pub fn entry_key(&self, value: &Value, record_id: &[u8]) -> Vec<u8> {
        let mut key = self.prefix();
        codec::encode_key(value, &mut key);
        key.extend_from_slice(record_id);
        key.extend_from_slice(&(record_id.len() as u16).to_be_bytes());
        key
    }

    /// Prefix of the entries whose value equals `value`.
    pub fn value_prefix(&self, value: &Value) -> Vec<u8> {
        let mut key = self.prefix();
        codec::encode_key(value, &mut key);
        key
    }

    /// Where a range scan starts, the prefix of its value class and the
    /// upper value's prefix: the scan covers the entries `>= start` that
    /// start with the class prefix and are at most the upper value.
    pub fn range_bounds(&self, range: &KeyRange) -> (Vec<u8>, Vec<u8>, Option<Vec<u8>>) {
        let class_tag = match range.class {
            KeyClass::Bool => 0x20,
            KeyClass::Number => 0x30,
            KeyClass::String => 0x40,
            KeyClass::Bytes => 0x50,
        };
        let mut class_prefix = self.prefix();
        class_prefix.push(class_tag);
        // Bounds are taken inclusively; the residual filter settles exclusive ones.
        let start = match &range.lower {
            Some(bound) => self.value_prefix(&bound.value),
            None => class_prefix.clone(),
        };
        let upper = range
            .upper
            .as_ref()
            .map(|bound| self.value_prefix(&bound.value));
        (start, class_prefix, upper)
    }
}

/// The record id an index entry points at.
pub(crate) fn entry_record_id(key: &[u8]) -> Option<&[u8]> {
    let (rest, len) = key.split_at_checked(key.len().checked_sub(2)?)?;
    let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
    rest.get(rest.len().checked_sub(len)?..)
}

/// The first key after every key starting with `prefix` (`None`: there is none).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&b| b != 0xff)?;
    let mut end = prefix[..=last].to_vec();
    end[last] += 1;
    Some(end)
}

pub(crate) fn property_path(property: &str) -> Result<Vec<String>> {
    if property.is_empty() || property.split('.').any(str::is_empty) {
        return Err(Error::invalid(alloc::format!(
            "index property '{property}' must be a name or a dotted path like 'address.city'"
        )));
    }
    Ok(property.split('.').map(str::to_string).collect())
}
