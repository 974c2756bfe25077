//! The portable snapshot format: one byte string holding a whole graph.
//!
//! The same bytes serve native backups, browser persistence and
//! `toSnapshot()`/`fromSnapshot()` in workers, so a snapshot written by a
//! sled-backed graph loads in the browser and the other way round.
//!
//! ```text
//! magic        8 bytes  "MAYAKGS\0"
//! version      u16 le   1
//! flags        u16 le   0 (reserved)
//! entry count  u64 le
//! entries      [keyspace tag u8][key length varint][key][value length varint][value] ...
//! checksum     u32 le   CRC-32 of every byte before it
//! ```
//! Entries are the storage records themselves (each with its own version and
//! checksum, see the record layout), in keyspace then key order, so the same
//! graph always gives the same bytes.
//!
//! A snapshot holds the graph, not its history: the change log (keyspace
//! `log`) and its counters in the meta keyspace are left out, so a snapshot
//! of a graph is the same whether or not its change log is on.

use alloc::format;
use alloc::vec::Vec;
use core::ops::ControlFlow;

use knowledge_graph_storage::{Keyspace, Storage, WriteBatch};

use crate::error::{Error, Result};

pub(crate) const MAGIC: &[u8; 8] = b"MAYAKGS\0";
/// Snapshot format version written by this build.
pub const SNAPSHOT_VERSION: u16 = 1;
pub(crate) const HEADER_LEN: usize = 8 + 2 + 2 + 8;

/// The keyspaces a snapshot holds, in the order it holds them.
pub(crate) const KEYSPACES: [Keyspace; 4] = [
    Keyspace::Meta,
    Keyspace::Nodes,
    Keyspace::Edges,
    Keyspace::Index,
];

/// True for the records a snapshot carries (see the module docs).
pub(crate) fn portable(keyspace: Keyspace, key: &[u8]) -> bool {
    match keyspace {
        Keyspace::Meta => !key.starts_with(crate::changelog::META_PREFIX),
        Keyspace::Nodes | Keyspace::Edges | Keyspace::Index => true,
        _ => false,
    }
}

/// The header of a snapshot holding `count` entries.
pub(crate) fn header(count: u64) -> [u8; HEADER_LEN] {
    let mut out = [0u8; HEADER_LEN];
    out[..8].copy_from_slice(MAGIC);
    out[8..10].copy_from_slice(&SNAPSHOT_VERSION.to_le_bytes());
    out[12..20].copy_from_slice(&count.to_le_bytes());
    out
}

/// Appends one entry in the snapshot's layout.
pub(crate) fn encode_entry(out: &mut Vec<u8>, keyspace: Keyspace, key: &[u8], value: &[u8]) {
    out.push(keyspace.tag());
    put_varint(out, key.len() as u64);
    out.extend_from_slice(key);
    put_varint(out, value.len() as u64);
    out.extend_from_slice(value);
}

/// Receives each record of a snapshot: keyspace, key, value.
pub(crate) type RecordVisitor<'a> = dyn FnMut(Keyspace, &[u8], &[u8]) -> ControlFlow<()> + 'a;

/// Visits every record a snapshot of `storage` holds, in snapshot order.
pub(crate) fn scan<S: Storage + ?Sized>(storage: &S, visit: &mut RecordVisitor<'_>) -> Result<()> {
    for keyspace in KEYSPACES {
        let mut stop = false;
        storage.scan_prefix(keyspace, b"", &mut |key, value| {
            if !portable(keyspace, key) {
                return ControlFlow::Continue(());
            }
            let flow = visit(keyspace, key, value);
            stop = flow.is_break();
            flow
        })?;
        if stop {
            break;
        }
    }
    Ok(())
}

/// What [`verify`] found in a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SnapshotInfo {
    /// The format version it was written with.
    pub version: u16,
    /// Records it holds, all keyspaces together.
    pub entries: u64,
    /// Node records.
    pub nodes: u64,
    /// Edge records.
    pub edges: u64,
}

/// Writes every record of `storage` as a snapshot.
pub(crate) fn write<S: Storage + ?Sized>(storage: &S) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(1 << 16);
    out.extend_from_slice(&header(0));
    let mut count = 0u64;
    scan(storage, &mut |keyspace, key, value| {
        encode_entry(&mut out, keyspace, key, value);
        count += 1;
        ControlFlow::Continue(())
    })?;
    out[12..20].copy_from_slice(&count.to_le_bytes());
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// Checks a snapshot's header, checksum and structure without loading it.
///
/// # Errors
/// [`Error::Corrupt`] saying what is wrong and at which byte.
pub fn verify(bytes: &[u8]) -> Result<SnapshotInfo> {
    let mut info = SnapshotInfo {
        version: 0,
        entries: 0,
        nodes: 0,
        edges: 0,
    };
    read(bytes, |keyspace, _, _| {
        info.entries += 1;
        match keyspace {
            Keyspace::Nodes => info.nodes += 1,
            Keyspace::Edges => info.edges += 1,
            _ => {}
        }
    })
    .map(|version| SnapshotInfo { version, ..info })
}

/// Checks a snapshot and turns it into one storage batch.
pub(crate) fn to_batch(bytes: &[u8]) -> Result<WriteBatch> {
    let mut batch = WriteBatch::new();
    read(bytes, |keyspace, key, value| {
        batch.put(keyspace, key, value)
    })?;
    Ok(batch)
}

fn corrupt(detail: alloc::string::String) -> Error {
    Error::corrupt(format!("snapshot {detail}"))
}

/// Validates everything, then calls `visit` for every entry; returns the version.
fn read(bytes: &[u8], mut visit: impl FnMut(Keyspace, &[u8], &[u8])) -> Result<u16> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(corrupt(format!(
            "is not a MAYA snapshot (it does not start with {MAGIC:?})"
        )));
    }
    if bytes.len() < HEADER_LEN + 4 {
        return Err(corrupt(format!(
            "is truncated: {} bytes is shorter than the header",
            bytes.len()
        )));
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version != SNAPSHOT_VERSION {
        return Err(corrupt(format!(
            "has format version {version}; this build reads version {SNAPSHOT_VERSION}"
        )));
    }
    let (body, trailer) = bytes.split_at(bytes.len() - 4);
    let stored = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let actual = crc32fast::hash(body);
    if stored != actual {
        return Err(corrupt(format!(
            "checksum mismatch (stored {stored:08x}, computed {actual:08x}): the data is damaged or truncated"
        )));
    }
    let mut count_bytes = [0u8; 8];
    count_bytes.copy_from_slice(&body[12..20]);
    let expected = u64::from_le_bytes(count_bytes);
    let mut pos = HEADER_LEN;
    let mut seen = 0u64;
    while pos < body.len() {
        let tag = body[pos];
        let keyspace = Keyspace::from_tag(tag)
            .filter(|ks| KEYSPACES.contains(ks))
            .ok_or_else(|| corrupt(format!("has unknown keyspace tag {tag} at byte {pos}")))?;
        pos += 1;
        let key = take(body, &mut pos)?;
        let value = take(body, &mut pos)?;
        visit(keyspace, key, value);
        seen += 1;
    }
    if seen != expected {
        return Err(corrupt(format!(
            "holds {seen} entries but its header says {expected}"
        )));
    }
    Ok(version)
}

fn take<'a>(body: &'a [u8], pos: &mut usize) -> Result<&'a [u8]> {
    let start = *pos;
    let mut len = 0u64;
    let mut shift = 0;
    loop {
        let byte = *body
            .get(*pos)
            .ok_or_else(|| corrupt(format!("is truncated at byte {start}")))?;
        *pos += 1;
        if shift >= 64 {
            return Err(corrupt(format!("has an overlong length at byte {start}")));
        }
        len |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            break;
        }
    }
    let end = usize::try_from(len)
        .ok()
        .and_then(|len| pos.checked_add(len))
        .filter(|&end| end <= body.len())
        .ok_or_else(|| corrupt(format!("entry at byte {start} runs past the end")))?;
    let slice = &body[*pos..end];
    *pos = end;
    Ok(slice)
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use knowledge_graph_memory::MemoryStorage;

    fn sample() -> Vec<u8> {
        let storage = MemoryStorage::new();
        let mut batch = WriteBatch::new();
        batch.put(Keyspace::Nodes, &b"a"[..], &b"1"[..]);
        batch.put(Keyspace::Edges, 7u64.to_be_bytes(), alloc::vec![0u8; 300]);
        batch.put(Keyspace::Meta, &b"format"[..], &[1u8][..]);
        storage.apply(batch).unwrap();
        write(&storage).unwrap()
    }

    #[test]
    fn keyspaces_are_held_in_keyspace_order() {
        // Backups merge replayed writes into a snapshot by (keyspace, key).
        assert!(KEYSPACES.is_sorted());
    }

    #[test]
    fn round_trips_and_counts() {
        let bytes = sample();
        let info = verify(&bytes).unwrap();
        assert_eq!((info.entries, info.nodes, info.edges), (3, 1, 1));
        assert_eq!(to_batch(&bytes).unwrap().len(), 3);
    }

    #[test]
    fn every_truncation_and_flip_is_rejected() {
        let bytes = sample();
        for len in 0..bytes.len() {
            assert!(
                verify(&bytes[..len]).is_err(),
                "truncation to {len} accepted"
            );
        }
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x01;
            assert!(verify(&damaged).is_err(), "flip at {i} accepted");
        }
    }

    #[test]
    fn messages_say_what_is_wrong() {
        let err = verify(b"PK\x03\x04 not a snapshot")
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a MAYA snapshot"), "{err}");
        let mut bytes = sample();
        let n = bytes.len();
        bytes[n - 10] ^= 0xff;
        let err = verify(&bytes).unwrap_err().to_string();
        assert!(err.contains("checksum mismatch"), "{err}");
    }
}
