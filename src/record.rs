//! How nodes and edges are laid out in storage.
//!
//! Every record value starts with a format version byte and a CRC-32 of the
//! rest, so a flipped bit is reported as corruption instead of being read as
//! data. Node records are keyed by the node id; edge records by the edge id as
//! a big-endian `u64` (so scans return edges in creation order).
//!
//! ```text
//! node:  [version][crc32 le][label][properties]
//! edge:  [version][crc32 le][label][source][target][created_at_ms zigzag varint][properties]
//! ```
//! Strings are a LEB128 length then UTF-8 bytes; properties use [`crate::value::codec`].

use alloc::vec::Vec;

use crate::error::{Error, Result};
use crate::index::RecordKind;
use crate::value::{codec, Value};

/// Version byte of the record layout written by this build.
pub(crate) const RECORD_VERSION: u8 = 1;
/// Meta key holding the storage format version.
pub(crate) const META_FORMAT: &[u8] = b"format";
/// Meta key holding the next edge id to assign.
pub(crate) const META_NEXT_EDGE: &[u8] = b"next_edge_id";
/// Storage format version written by this build.
pub(crate) const FORMAT_VERSION: u8 = 1;

/// The fixed part of a node record.
pub(crate) struct NodeHeader<'a> {
    pub label: &'a str,
    /// Offset of the encoded properties in the record.
    pub props_at: usize,
}

/// The fixed part of an edge record.
pub(crate) struct EdgeHeader<'a> {
    pub label: &'a str,
    pub source: &'a str,
    pub target: &'a str,
    pub created_at_ms: i64,
    pub props_at: usize,
}

pub(crate) fn encode_node(label: &str, properties: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + label.len());
    out.push(RECORD_VERSION);
    out.extend_from_slice(&[0; 4]);
    put_str(&mut out, label);
    codec::encode(properties, &mut out);
    seal(&mut out);
    out
}

pub(crate) fn encode_edge(
    label: &str,
    source: &str,
    target: &str,
    created_at_ms: i64,
    properties: &Value,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(24 + label.len() + source.len() + target.len());
    out.push(RECORD_VERSION);
    out.extend_from_slice(&[0; 4]);
    put_str(&mut out, label);
    put_str(&mut out, source);
    put_str(&mut out, target);
    put_varint(&mut out, zigzag(created_at_ms));
    codec::encode(properties, &mut out);
    seal(&mut out);
    out
}

fn seal(out: &mut [u8]) {
    let crc = crc32fast::hash(&out[5..]);
    out[1..5].copy_from_slice(&crc.to_le_bytes());
}

/// Checks version and checksum; returns a reader over the body.
fn open<'a, 'w>(what: &'w dyn core::fmt::Display, bytes: &'a [u8]) -> Result<Reader<'a, 'w>> {
    let Some((&version, rest)) = bytes.split_first() else {
        return Err(Error::corrupt(alloc::format!("{what}: empty record")));
    };
    if version != RECORD_VERSION {
        return Err(Error::corrupt(alloc::format!(
            "{what}: record version {version} is not supported (this build reads version {RECORD_VERSION})"
        )));
    }
    if rest.len() < 4 {
        return Err(Error::corrupt(alloc::format!(
            "{what}: record truncated to {} bytes",
            bytes.len()
        )));
    }
    let stored = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
    let actual = crc32fast::hash(&rest[4..]);
    if stored != actual {
        return Err(Error::corrupt(alloc::format!(
            "{what}: checksum mismatch (stored {stored:08x}, computed {actual:08x})"
        )));
    }
    Ok(Reader {
        bytes,
        pos: 5,
        what,
    })
}

pub(crate) fn node_header<'a>(id: &str, bytes: &'a [u8]) -> Result<NodeHeader<'a>> {
    let what = alloc::format!("node '{id}'");
    let mut r = open(&what, bytes)?;
    let label = r.str()?;
    Ok(NodeHeader {
        label,
        props_at: r.pos,
    })
}

pub(crate) fn edge_header(id: u64, bytes: &[u8]) -> Result<EdgeHeader<'_>> {
    let what = alloc::format!("edge #{id}");
    let mut r = open(&what, bytes)?;
    let label = r.str()?;
    let source = r.str()?;
    let target = r.str()?;
    let created_at_ms = unzigzag(r.varint()?);
    Ok(EdgeHeader {
        label,
        source,
        target,
        created_at_ms,
        props_at: r.pos,
    })
}

/// Decodes the properties that start at `at` (from a header's `props_at`).
pub(crate) fn properties(what: &dyn core::fmt::Display, bytes: &[u8], at: usize) -> Result<Value> {
    codec::decode(&bytes[at..]).map_err(|err| Error::corrupt(alloc::format!("{what}: {err}")))
}

/// The properties of a stored node or edge record, given its storage key.
pub(crate) fn decode_properties(kind: RecordKind, key: &[u8], bytes: &[u8]) -> Result<Value> {
    match kind {
        RecordKind::Node => {
            let id = node_id_from_key(key)?;
            let header = node_header(id, bytes)?;
            properties(&alloc::format!("node '{id}'"), bytes, header.props_at)
        }
        RecordKind::Edge => {
            let id = edge_id_from_key(key)?;
            let header = edge_header(id, bytes)?;
            properties(&alloc::format!("edge #{id}"), bytes, header.props_at)
        }
    }
}

/// Node ids are stored as their UTF-8 bytes.
pub(crate) fn node_id_from_key(key: &[u8]) -> Result<&str> {
    core::str::from_utf8(key).map_err(|_| Error::corrupt("a node key is not valid utf-8"))
}

pub(crate) fn edge_key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

pub(crate) fn edge_id_from_key(key: &[u8]) -> Result<u64> {
    <[u8; 8]>::try_from(key)
        .map(u64::from_be_bytes)
        .map_err(|_| {
            Error::corrupt(alloc::format!(
                "an edge key has {} bytes instead of 8",
                key.len()
            ))
        })
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

struct Reader<'a, 'w> {
    bytes: &'a [u8],
    pos: usize,
    what: &'w dyn core::fmt::Display,
}

impl<'a> Reader<'a, '_> {
    fn truncated(&self) -> Error {
        Error::corrupt(alloc::format!(
            "{}: record truncated at byte {}",
            self.what,
            self.pos
        ))
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.pos).ok_or_else(|| self.truncated())?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Error::corrupt(alloc::format!(
            "{}: overlong varint at byte {}",
            self.what,
            self.pos
        )))
    }

    fn str(&mut self) -> Result<&'a str> {
        let len = usize::try_from(self.varint()?).map_err(|_| self.truncated())?;
        let end = self
            .pos
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| self.truncated())?;
        let s = core::str::from_utf8(&self.bytes[self.pos..end]).map_err(|_| {
            Error::corrupt(alloc::format!(
                "{}: invalid utf-8 at byte {}",
                self.what,
                self.pos
            ))
        })?;
        self.pos = end;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Map;

    #[test]
    fn node_records_round_trip_and_detect_flips() {
        let mut props = Map::new();
        props.insert("name".into(), Value::String("Alice".into()));
        let props = Value::Map(props);
        let bytes = encode_node("user", &props);
        let header = node_header("u1", &bytes).unwrap();
        assert_eq!(header.label, "user");
        assert_eq!(properties(&"u1", &bytes, header.props_at).unwrap(), props);
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x10;
            assert!(
                node_header("u1", &flipped).is_err(),
                "flip at byte {i} went unnoticed"
            );
        }
        for len in 0..bytes.len() {
            assert!(node_header("u1", &bytes[..len]).is_err());
        }
    }

    #[test]
    fn edge_records_round_trip() {
        let bytes = encode_edge("follows", "a", "b", -5, &Value::Null);
        let h = edge_header(7, &bytes).unwrap();
        assert_eq!(
            (h.label, h.source, h.target, h.created_at_ms),
            ("follows", "a", "b", -5)
        );
        assert_eq!(properties(&"e", &bytes, h.props_at).unwrap(), Value::Null);
        let err = alloc::string::ToString::to_string(
            &edge_header(7, &bytes[..bytes.len() - 2]).err().unwrap(),
        );
        assert!(err.contains("edge #7"), "{err}");
    }
}
