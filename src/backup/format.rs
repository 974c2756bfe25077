//! The files of a backup: the MANIFEST, the streamed snapshot and the
//! changes file of an incremental backup.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::io::{Read, Seek, SeekFrom, Write};

use core::ops::ControlFlow;

use knowledge_graph_storage::Keyspace;

use super::BackupInfo;
use crate::changelog::{self, Change};
use crate::error::{Error, Result};
use crate::snapshot::{self, RecordVisitor};

/// Receives the records of a snapshot as they are read.
pub(crate) type EntrySink<'a> = &'a mut dyn FnMut(Keyspace, &[u8], &[u8]) -> Result<()>;

/// File name of the manifest.
pub(crate) const MANIFEST: &str = "MANIFEST";
/// File name of a full backup's snapshot.
pub(crate) const SNAPSHOT: &str = "graph.mayakgs";
/// File name of an incremental backup's changes.
pub(crate) const CHANGES: &str = "changes.mayakgc";

const MANIFEST_HEADER: &str = "MAYA-KG-BACKUP 1";
const CHANGES_MAGIC: &[u8; 8] = b"MAYAKGC\0";
const CHANGES_VERSION: u16 = 1;
const CHANGES_HEADER_LEN: usize = 8 + 2 + 2 + 8 + 8;

/// Whether a backup holds a whole graph or the commits since an earlier backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BackupKind {
    /// A snapshot of the whole graph.
    Full,
    /// The change-log entries since the previous backup.
    Incremental,
}

/// What a backup's MANIFEST says: what it holds, and its data file's checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub info: BackupInfo,
    pub file_crc32: u32,
}

impl core::ops::Deref for Manifest {
    type Target = BackupInfo;

    fn deref(&self) -> &BackupInfo {
        &self.info
    }
}

impl Manifest {
    pub fn file(&self) -> &'static str {
        match self.kind {
            BackupKind::Full => SNAPSHOT,
            BackupKind::Incremental => CHANGES,
        }
    }

    pub fn to_text(&self) -> String {
        let kind = match self.kind {
            BackupKind::Full => "full",
            BackupKind::Incremental => "incremental",
        };
        let mut text = format!(
            "{MANIFEST_HEADER}\nkind={kind}\ncreated_at_ms={}\nsequence={}\nbase_sequence={}\n\
             first_commit_ms={}\nlast_commit_ms={}\nnodes={}\nedges={}\nrecords={}\n\
             file={}\nfile_bytes={}\nfile_crc32={:08x}\n{}",
            self.created_at_ms,
            self.sequence,
            self.base_sequence,
            self.first_commit_ms,
            self.last_commit_ms,
            self.nodes,
            self.edges,
            self.records,
            self.file(),
            self.bytes,
            self.file_crc32,
            self.lineage
                .map_or(String::new(), |id| format!("lineage={id:016x}\n")),
        );
        let crc = crc32fast::hash(text.as_bytes());
        text.push_str(&format!("manifest_crc32={crc:08x}\n"));
        text
    }

    /// Parses a manifest; the error says what is wrong (the caller adds the path).
    pub fn parse(bytes: &[u8]) -> core::result::Result<Manifest, String> {
        let text = core::str::from_utf8(bytes).map_err(|_| "is not utf-8 text".to_string())?;
        if !text.starts_with(MANIFEST_HEADER) {
            return Err(format!("does not start with '{MANIFEST_HEADER}'"));
        }
        let Some(at) = text.rfind("manifest_crc32=") else {
            return Err("has no manifest_crc32 line: it is truncated".into());
        };
        let Some(stored) = text[at + "manifest_crc32=".len()..].strip_suffix('\n') else {
            return Err("is truncated: its last line is incomplete".into());
        };
        let actual = crc32fast::hash(&bytes[..at]);
        if u32::from_str_radix(stored, 16).ok() != Some(actual) {
            return Err(format!(
                "checksum mismatch (stored {stored:?}, computed {actual:08x}): it is damaged or truncated"
            ));
        }
        let mut fields = alloc::collections::BTreeMap::new();
        for line in text[..at].lines().skip(1) {
            let Some((key, value)) = line.split_once('=') else {
                return Err(format!("has a malformed line {line:?}"));
            };
            fields.insert(key, value);
        }
        let get = |key: &str| {
            fields
                .get(key)
                .copied()
                .ok_or_else(|| format!("lacks the field '{key}'"))
        };
        let num = |key: &str| -> core::result::Result<u64, String> {
            get(key)?
                .parse()
                .map_err(|_| format!("field '{key}' is not a number"))
        };
        let int = |key: &str| -> core::result::Result<i64, String> {
            get(key)?
                .parse()
                .map_err(|_| format!("field '{key}' is not a number"))
        };
        let kind = match get("kind")? {
            "full" => BackupKind::Full,
            "incremental" => BackupKind::Incremental,
            other => return Err(format!("has unknown kind '{other}'")),
        };
        let manifest = Manifest {
            info: BackupInfo {
                kind,
                created_at_ms: int("created_at_ms")?,
                sequence: num("sequence")?,
                base_sequence: num("base_sequence")?,
                first_commit_ms: int("first_commit_ms")?,
                last_commit_ms: int("last_commit_ms")?,
                nodes: num("nodes")?,
                edges: num("edges")?,
                records: num("records")?,
                bytes: num("file_bytes")?,
                lineage: match fields.get("lineage") {
                    None => None,
                    Some(hex) => Some(
                        u64::from_str_radix(hex, 16)
                            .map_err(|_| "field 'lineage' is not hexadecimal".to_string())?,
                    ),
                },
            },
            file_crc32: u32::from_str_radix(get("file_crc32")?, 16)
                .map_err(|_| "field 'file_crc32' is not hexadecimal".to_string())?,
        };
        if get("file")? != manifest.file() {
            return Err(format!(
                "names data file '{}' where a {} backup has '{}'",
                get("file")?,
                kind_name(kind),
                manifest.file()
            ));
        }
        Ok(manifest)
    }
}

pub(crate) fn kind_name(kind: BackupKind) -> &'static str {
    match kind {
        BackupKind::Full => "full",
        BackupKind::Incremental => "incremental",
    }
}

/// What a snapshot file held, as written or as read back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SnapshotStats {
    pub records: u64,
    pub nodes: u64,
    pub edges: u64,
    pub bytes: u64,
    pub crc32: u32,
}

/// Streams the records `records` visits (in snapshot order) into `file`
/// (which must be empty) in the [snapshot format](crate::snapshot), without
/// holding them in memory. `records` is told to stop (`Break`) when writing
/// fails; its own error is returned only when writing did not.
pub(crate) fn write_snapshot<F: Write + Seek>(
    records: &mut dyn FnMut(&mut RecordVisitor<'_>) -> Result<()>,
    file: &mut F,
) -> Result<core::result::Result<SnapshotStats, std::io::Error>> {
    const CHUNK: usize = 1 << 20;
    let mut out = std::io::BufWriter::with_capacity(CHUNK, &mut *file);
    let mut stats = SnapshotStats::default();
    let mut failure = out.write_all(&snapshot::header(0)).err();
    let mut body = crc32fast::Hasher::new();
    let mut chunk = Vec::with_capacity(CHUNK + 4096);
    let mut body_len = 0u64;
    let mut emit = |chunk: &mut Vec<u8>, out: &mut std::io::BufWriter<&mut F>| {
        body.update(chunk);
        body_len += chunk.len() as u64;
        let result = out.write_all(chunk);
        chunk.clear();
        result.err()
    };
    let mut scanned = Ok(());
    if failure.is_none() {
        scanned = records(&mut |keyspace, key, value| {
            if failure.is_some() {
                return ControlFlow::Break(());
            }
            snapshot::encode_entry(&mut chunk, keyspace, key, value);
            stats.records += 1;
            match keyspace {
                Keyspace::Nodes => stats.nodes += 1,
                Keyspace::Edges => stats.edges += 1,
                _ => {}
            }
            if chunk.len() >= CHUNK {
                failure = emit(&mut chunk, &mut out);
                if failure.is_some() {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        });
    }
    if failure.is_none() {
        scanned?;
        failure = emit(&mut chunk, &mut out);
    }
    if let Some(err) = failure {
        return Ok(Err(err));
    }
    // The header's count is known only now: checksum header and body apart
    // and combine them, then patch the count in place.
    let header = snapshot::header(stats.records);
    let mut crc = crc32fast::Hasher::new();
    crc.update(&header);
    crc.combine(&body);
    stats.crc32 = crc.finalize();
    stats.bytes = header.len() as u64 + body_len + 4;
    let finished = out
        .write_all(&stats.crc32.to_le_bytes())
        .and_then(|()| out.flush());
    drop(out);
    let result = finished.and_then(|()| {
        file.seek(SeekFrom::Start(12))?;
        file.write_all(&header[12..20])?;
        file.flush()
    });
    Ok(result.map(|()| stats))
}

/// A reader that checksums what passes through it, up to `limit` bytes.
struct Hashing<R> {
    inner: R,
    hasher: crc32fast::Hasher,
    read: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// Reads a snapshot from `reader`, checking its structure and checksum, and
/// calls `visit` for every entry (before the checksum at the end is known:
/// callers undo what they did when this fails). Errors name `name`.
pub(crate) fn read_snapshot(
    reader: &mut dyn Read,
    name: &str,
    visit: EntrySink<'_>,
) -> Result<SnapshotStats> {
    let bad = |detail: String| Error::Backup {
        path: name.to_string(),
        detail,
    };
    let mut r = Hashing {
        inner: std::io::BufReader::with_capacity(1 << 20, reader),
        hasher: crc32fast::Hasher::new(),
        read: 0,
    };
    let mut header = [0u8; snapshot::HEADER_LEN];
    read_full(&mut r, &mut header, name)?
        .then_some(())
        .ok_or_else(|| bad("is truncated: it ends inside the snapshot header".into()))?;
    if &header[..8] != snapshot::MAGIC {
        return Err(bad(
            "is not a MAYA snapshot (it does not start with \"MAYAKGS\\0\")".into(),
        ));
    }
    let version = u16::from_le_bytes([header[8], header[9]]);
    if version != snapshot::SNAPSHOT_VERSION {
        return Err(bad(format!(
            "has snapshot format version {version}; this build reads version {}",
            snapshot::SNAPSHOT_VERSION
        )));
    }
    let count = u64::from_le_bytes(header[12..20].try_into().unwrap_or_default());
    let mut stats = SnapshotStats::default();
    let mut key = Vec::new();
    let mut value = Vec::new();
    while stats.records < count {
        let at = r.read;
        let truncated = || {
            bad(format!(
                "is truncated: it ends after {} of {count} entries (byte {at})",
                stats.records
            ))
        };
        let mut tag = [0u8; 1];
        if !read_full(&mut r, &mut tag, name)? {
            return Err(truncated());
        }
        let keyspace = Keyspace::from_tag(tag[0])
            .filter(|ks| snapshot::KEYSPACES.contains(ks))
            .ok_or_else(|| {
                bad(format!(
                    "has unknown keyspace tag {} at byte {at}: it is damaged",
                    tag[0]
                ))
            })?;
        if !read_bytes(&mut r, &mut key, name)? || !read_bytes(&mut r, &mut value, name)? {
            return Err(truncated());
        }
        visit(keyspace, &key, &value)?;
        stats.records += 1;
        match keyspace {
            Keyspace::Nodes => stats.nodes += 1,
            Keyspace::Edges => stats.edges += 1,
            _ => {}
        }
    }
    let actual = r.hasher.clone().finalize();
    let mut trailer = [0u8; 4];
    if !read_full(&mut r, &mut trailer, name)? {
        return Err(bad("is truncated: it ends before its checksum".to_string()));
    }
    let stored = u32::from_le_bytes(trailer);
    if stored != actual {
        return Err(bad(format!(
            "checksum mismatch (stored {stored:08x}, computed {actual:08x}): the data is damaged"
        )));
    }
    let mut extra = [0u8; 1];
    if read_full(&mut r, &mut extra, name)? {
        return Err(bad(format!(
            "has data after its checksum at byte {}: it is damaged",
            r.read - 1
        )));
    }
    stats.bytes = r.read;
    stats.crc32 = stored;
    Ok(stats)
}

/// `read_exact`, but `Ok(false)` at end of input instead of an error.
fn read_full(r: &mut dyn Read, buf: &mut [u8], name: &str) -> Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => return Ok(false),
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(io("read", name, err)),
        }
    }
    Ok(true)
}

/// Reads a varint length and that many bytes into `buf`; `Ok(false)` when
/// the input ends first. Never allocates more than the input holds.
fn read_bytes(r: &mut dyn Read, buf: &mut Vec<u8>, name: &str) -> Result<bool> {
    let mut len = 0u64;
    let mut shift = 0;
    loop {
        let mut byte = [0u8; 1];
        if !read_full(r, &mut byte, name)? || shift >= 64 {
            return Ok(false);
        }
        len |= u64::from(byte[0] & 0x7f) << shift;
        shift += 7;
        if byte[0] & 0x80 == 0 {
            break;
        }
    }
    buf.clear();
    let got = r
        .take(len)
        .read_to_end(buf)
        .map_err(|err| io("read", name, err))?;
    Ok(got as u64 == len)
}

pub(crate) fn io(operation: &'static str, path: &str, source: std::io::Error) -> Error {
    Error::Io {
        operation,
        path: path.to_string(),
        source,
    }
}

/// The bytes of an incremental backup's changes file.
pub(crate) fn encode_changes(base: u64, changes: &[Change], entries: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        CHANGES_HEADER_LEN + 4 + entries.iter().map(|e| e.len() + 16).sum::<usize>(),
    );
    out.extend_from_slice(CHANGES_MAGIC);
    out.extend_from_slice(&CHANGES_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(changes.len() as u64).to_le_bytes());
    out.extend_from_slice(&base.to_le_bytes());
    for (change, entry) in changes.iter().zip(entries) {
        out.extend_from_slice(&change.sequence.to_le_bytes());
        snapshot::put_varint(&mut out, entry.len() as u64);
        out.extend_from_slice(entry);
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Parses a changes file: its base sequence and its changes, which must
/// follow one another from base + 1. Errors say what is wrong (the caller
/// adds the path).
pub(crate) fn decode_changes(bytes: &[u8]) -> core::result::Result<(u64, Vec<Change>), String> {
    if bytes.len() < 8 || &bytes[..8] != CHANGES_MAGIC {
        return Err("is not a MAYA changes file (it does not start with \"MAYAKGC\\0\")".into());
    }
    if bytes.len() < CHANGES_HEADER_LEN + 4 {
        return Err(format!(
            "is truncated: {} bytes is shorter than the header",
            bytes.len()
        ));
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version != CHANGES_VERSION {
        return Err(format!(
            "has format version {version}; this build reads version {CHANGES_VERSION}"
        ));
    }
    let (body, trailer) = bytes.split_at(bytes.len() - 4);
    let stored = u32::from_le_bytes(trailer.try_into().unwrap_or_default());
    let actual = crc32fast::hash(body);
    if stored != actual {
        return Err(format!(
            "checksum mismatch (stored {stored:08x}, computed {actual:08x}): the data is damaged or truncated"
        ));
    }
    let count = u64::from_le_bytes(body[12..20].try_into().unwrap_or_default());
    let base = u64::from_le_bytes(body[20..28].try_into().unwrap_or_default());
    let mut pos = CHANGES_HEADER_LEN;
    let mut changes = Vec::new();
    while pos < body.len() {
        let at = pos;
        let sequence = body
            .get(pos..pos + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
            .ok_or_else(|| format!("entry at byte {at} is truncated"))?;
        pos += 8;
        let entry =
            take(body, &mut pos).ok_or_else(|| format!("entry at byte {at} is truncated"))?;
        let expected = base + 1 + changes.len() as u64;
        if sequence != expected {
            return Err(format!(
                "holds change #{sequence} where #{expected} should follow"
            ));
        }
        let change = changelog::decode(sequence, entry).map_err(|err| err.to_string())?;
        changes.push(change);
    }
    if changes.len() as u64 != count {
        return Err(format!(
            "holds {} changes but its header says {count}",
            changes.len()
        ));
    }
    Ok((base, changes))
}

fn take<'a>(body: &'a [u8], pos: &mut usize) -> Option<&'a [u8]> {
    let mut len = 0u64;
    let mut shift = 0;
    loop {
        let byte = *body.get(*pos)?;
        *pos += 1;
        if shift >= 64 {
            return None;
        }
        len |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            break;
        }
    }
    let end = pos.checked_add(usize::try_from(len).ok()?)?;
    let slice = body.get(*pos..end)?;
    *pos = end;
    Some(slice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use knowledge_graph_storage::Storage;

    fn manifest() -> Manifest {
        Manifest {
            info: BackupInfo {
                kind: BackupKind::Full,
                created_at_ms: 1_700_000_000_123,
                sequence: 42,
                base_sequence: 42,
                first_commit_ms: 5,
                last_commit_ms: 6,
                nodes: 3,
                edges: 2,
                records: 9,
                bytes: 1234,
                lineage: Some(0x0123_4567_89ab_cdef),
            },
            file_crc32: 0xdead_beef,
        }
    }

    #[test]
    fn manifests_round_trip_and_reject_damage() {
        let text = manifest().to_text();
        assert_eq!(Manifest::parse(text.as_bytes()).unwrap(), manifest());
        for len in 0..text.len() {
            assert!(Manifest::parse(&text.as_bytes()[..len]).is_err(), "{len}");
        }
        for i in 0..text.len() {
            let mut damaged = text.clone().into_bytes();
            damaged[i] ^= 0x01;
            assert!(Manifest::parse(&damaged).is_err(), "flip at {i}");
        }
    }

    #[test]
    fn changes_files_round_trip_and_reject_damage() {
        let mut batch = knowledge_graph_storage::WriteBatch::new();
        batch.put(Keyspace::Nodes, &b"a"[..], &b"x"[..]);
        let changes: Vec<Change> = (0..3)
            .map(|i| Change {
                sequence: 11 + i,
                commit_time_ms: 100 + i as i64,
                batch: batch.clone(),
            })
            .collect();
        let entries: Vec<Vec<u8>> = changes
            .iter()
            .map(|c| changelog::encode(c.commit_time_ms, &c.batch))
            .collect();
        let bytes = encode_changes(10, &changes, &entries);
        assert_eq!(decode_changes(&bytes).unwrap(), (10, changes));
        for len in 0..bytes.len() {
            assert!(decode_changes(&bytes[..len]).is_err());
        }
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x20;
            assert!(decode_changes(&damaged).is_err(), "flip at {i}");
        }
    }

    proptest::proptest! {
        /// Decoders return errors, never panic, on arbitrary bytes.
        #[test]
        fn decoders_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = Manifest::parse(&bytes);
            let _ = decode_changes(&bytes);
            let _ = changelog::decode(1, &bytes);
            let _ = read_snapshot(&mut &bytes[..], "x", &mut |_, _, _| Ok(()));
            let mut with_magic = snapshot::header(3).to_vec();
            with_magic.extend_from_slice(&bytes);
            let _ = read_snapshot(&mut &with_magic[..], "x", &mut |_, _, _| Ok(()));
            let mut changes = CHANGES_MAGIC.to_vec();
            changes.extend_from_slice(&[1, 0, 0, 0]);
            changes.extend_from_slice(&bytes);
            let _ = decode_changes(&changes);
            // With valid checksums, so the structure behind them is parsed too.
            let mut sealed = changes.clone();
            sealed.resize(CHANGES_HEADER_LEN.max(sealed.len()), 0);
            let crc = crc32fast::hash(&sealed);
            sealed.extend_from_slice(&crc.to_le_bytes());
            let _ = decode_changes(&sealed);
            let mut entry = std::vec![1u8, 0, 0, 0, 0];
            entry.extend_from_slice(&bytes);
            let crc = crc32fast::hash(&entry[5..]);
            entry[1..5].copy_from_slice(&crc.to_le_bytes());
            let _ = changelog::decode(1, &entry);
        }
    }

    #[test]
    fn streamed_snapshots_equal_in_memory_ones() {
        let storage = knowledge_graph_memory::MemoryStorage::new();
        let mut batch = knowledge_graph_storage::WriteBatch::new();
        for i in 0..5000u32 {
            batch.put(Keyspace::Nodes, i.to_be_bytes(), std::vec![7u8; 300]);
        }
        batch.put(Keyspace::Log, 1u64.to_be_bytes(), &b"not in snapshots"[..]);
        storage.apply(batch).unwrap();
        let mut file = std::io::Cursor::new(Vec::new());
        let stats = write_snapshot(&mut |visit| snapshot::scan(&storage, visit), &mut file)
            .unwrap()
            .unwrap();
        let bytes = file.into_inner();
        assert_eq!(bytes, snapshot::write(&storage).unwrap());
        assert_eq!(stats.bytes, bytes.len() as u64);
        let mut n = 0;
        let read = read_snapshot(&mut &bytes[..], "x", &mut |_, _, _| {
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!((read, n), (stats, 5000));
        for len in [0, 5, 20, 21, 1000, bytes.len() - 4, bytes.len() - 1] {
            assert!(read_snapshot(&mut &bytes[..len], "x", &mut |_, _, _| Ok(())).is_err());
        }
        for i in [0, 9, 12, 19, 20, 500, bytes.len() - 2] {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x40;
            assert!(read_snapshot(&mut &damaged[..], "x", &mut |_, _, _| Ok(())).is_err());
        }
    }
}
