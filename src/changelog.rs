//! The change log: one entry per commit, written in the commit's own storage
//! batch, so an entry exists exactly when its commit does.
//!
//! Entries live in the `log` keyspace under their sequence number (big-endian
//! `u64`, so a scan returns them in commit order) and hold the commit's
//! storage changes, which replay it exactly:
//!
//! ```text
//! entry:  [version 1][crc32 le of the rest][commit time ms i64 le][op count varint]
//!         ops: [0 = put | 1 = delete][keyspace tag][key length varint][key]
//!              ([value length varint][value], puts only)
//! meta "changelog:seq"     -> a sequence number (u64 le) + its commit time (i64 le)
//! meta "changelog:backup"  -> last sequence number a backup covers (u64 le)
//! meta "changelog:gap"     -> present: commits were made with the log off since the last full backup
//! ```
//! The last sequence number is the newest entry's, or `changelog:seq` when
//! the log is empty (backups and restores write it); finding the newest entry
//! at open takes a few seeks, so a commit writes one record more than without
//! the log, not two. With the log off
//! ([`GraphOptions::change_log`](crate::GraphOptions::change_log)) commits take
//! no sequence number, and the first one marks the gap, which incremental
//! backups refuse to paper over until a full backup is taken.
//! Entries a backup covers are deleted once that backup is written: the log
//! holds the changes since the last backup, and grows without bound only if
//! no backup is ever taken.

use alloc::format;
use alloc::vec::Vec;
use core::ops::ControlFlow;

use knowledge_graph_storage::{Keyspace, Storage, WriteBatch, WriteOp};

use crate::error::{Error, Result};
use crate::graph::Graph;

/// Meta keys of the change log start with this (snapshots leave them out).
pub(crate) const META_PREFIX: &[u8] = b"changelog:";
/// Meta key: the last sequence number given and its commit time.
pub(crate) const META_SEQ: &[u8] = b"changelog:seq";
/// Meta key: the last sequence number a backup covers.
pub(crate) const META_BACKUP: &[u8] = b"changelog:backup";
/// Meta key: present when commits were made with the log off since the last full backup.
pub(crate) const META_GAP: &[u8] = b"changelog:gap";

const ENTRY_VERSION: u8 = 1;

/// One commit as the change log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Change {
    /// The commit's sequence number (1 for a graph's first commit).
    pub sequence: u64,
    /// When it was committed: milliseconds since the Unix epoch, from
    /// [`GraphOptions::clock`](crate::GraphOptions::clock).
    pub commit_time_ms: i64,
    /// Its storage changes, in the order they were applied.
    pub batch: WriteBatch,
}

/// The commits made since the last backup, oldest first, as
/// [`Graph::get_changes_since_last_backup`](crate::Graph::get_changes_since_last_backup)
/// returns them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    pub(crate) base: u64,
    pub(crate) changes: Vec<Change>,
}

impl ChangeSet {
    /// True when nothing was committed since the last backup.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Number of commits.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// The commits, in sequence order.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The sequence number the last backup covered: the first change is this + 1.
    pub fn base_sequence(&self) -> u64 {
        self.base
    }

    /// The sequence number of the newest change (the base when empty).
    pub fn last_sequence(&self) -> u64 {
        self.changes.last().map_or(self.base, |c| c.sequence)
    }
}

impl<S: Storage> Graph<S> {
    /// The commits made since the last backup (full or incremental), oldest
    /// first, for [`backup_incremental`](Graph::backup_incremental).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the change log is off or has a gap
    /// (commits made while it was off): take a full backup then;
    /// [`Error::Corrupt`] for a damaged entry; storage errors.
    pub async fn get_changes_since_last_backup(&self) -> Result<ChangeSet> {
        self.check()?;
        if self.inner().options.change_log != Some(true) {
            return Err(Error::invalid(
                "the change log is off (GraphOptions::change_log; in-memory storage keeps none unless asked): take a full backup instead",
            ));
        }
        loop {
            // A commit boundary: entries up to `last` are stored and never
            // change, so they are read without holding up writers.
            let topo = self.inner().topology.read();
            if topo.log_gap {
                return Err(Error::invalid(
                    "commits were made with the change log off since the last full backup: take a full backup instead",
                ));
            }
            let (base, last) = (topo.backup_seq, topo.log_seq);
            drop(topo);
            let mut changes = Vec::new();
            let read = for_each_change(&self.inner().storage, base, last, &mut |change| {
                changes.push(change);
            });
            match read {
                Ok(()) => return Ok(ChangeSet { base, changes }),
                // A backup that finished meanwhile pruned what it covers:
                // the changes since that one are wanted now.
                Err(_) if self.inner().topology.read().backup_seq != base => continue,
                Err(err) => return Err(err),
            }
        }
    }

    /// Where the change log stands, as the spec's `BackupManager` records it.
    ///
    /// Keys: `"sequence"`, the last commit's sequence number (0 before the
    /// first commit); `"commit_time_ms"`, that commit's time in milliseconds
    /// since the Unix epoch (0 if unknown); `"backup_sequence"`, the last
    /// sequence number a backup covers; `"pending_changes"`, the commits
    /// since then.
    ///
    /// # Errors
    /// [`Error::Unavailable`] only.
    #[cfg(feature = "std")]
    pub async fn get_latest_timestamps(
        &self,
    ) -> Result<std::collections::HashMap<alloc::string::String, u64>> {
        self.check()?;
        let topo = self.inner().topology.read();
        let mut out = std::collections::HashMap::new();
        out.insert("sequence".into(), topo.log_seq);
        out.insert("commit_time_ms".into(), topo.log_time_ms.max(0) as u64);
        out.insert("backup_sequence".into(), topo.backup_seq);
        out.insert(
            "pending_changes".into(),
            topo.log_seq.saturating_sub(topo.backup_seq),
        );
        Ok(out)
    }

    /// The last sequence number given to a commit, and the last one a backup covers.
    pub fn change_log_position(&self) -> (u64, u64) {
        let topo = self.inner().topology.read();
        (topo.log_seq, topo.backup_seq)
    }

    /// Visits `keyspace` in key order until `visit` breaks, in chunks each
    /// read while writers wait at the gate; writers go on between chunks.
    /// (sled's iterators yield to its writers, so under a stream of commits
    /// a plain scan of a large keyspace would crawl.)
    #[cfg(all(feature = "sled", not(target_arch = "wasm32")))]
    pub(crate) fn scan_between_commits(
        &self,
        keyspace: Keyspace,
        visit: &mut knowledge_graph_storage::Visitor<'_>,
    ) -> Result<()> {
        const CHUNK: usize = 4096;
        let mut from = Vec::new();
        loop {
            let ticket = self.write_ticket()?;
            let (mut taken, mut stopped, mut next) = (0, false, None);
            self.inner()
                .storage
                .scan_from(keyspace, &from, &mut |key, value| {
                    if taken == CHUNK {
                        next = Some(key.to_vec());
                        return ControlFlow::Break(());
                    }
                    taken += 1;
                    stopped = visit(key, value).is_break();
                    if stopped {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })?;
            drop(ticket);
            match next {
                Some(key) if !stopped => from = key,
                _ => return Ok(()),
            }
        }
    }

    /// Records that a backup covers every commit up to `sequence` and deletes
    /// the log entries it covers. Not itself logged.
    #[cfg(all(feature = "sled", not(target_arch = "wasm32")))]
    pub(crate) fn mark_backed_up(&self, sequence: u64, full: bool) -> Result<()> {
        let ticket = self.write_ticket()?;
        let inner = self.inner();
        let mut topo = inner.topology.write();
        let sequence = sequence.max(topo.backup_seq);
        let mut batch = WriteBatch::new();
        batch.put(Keyspace::Meta, META_BACKUP, sequence.to_le_bytes());
        // The position must outlive the entries that showed it.
        batch.put(
            Keyspace::Meta,
            META_SEQ,
            seq_value(topo.log_seq, topo.log_time_ms),
        );
        if full {
            batch.delete(Keyspace::Meta, META_GAP);
        }
        inner.storage.apply(batch)?;
        topo.backup_seq = sequence;
        topo.log_gap &= !full;
        drop(topo);
        drop(ticket);
        // Nothing reads the covered entries any more (the next incremental
        // backup starts after `sequence`) and no commit writes them, so they
        // go with writers held up only while each chunk is read; entries a
        // crash leaves behind go with the next backup.
        const ROUND: usize = 10_000;
        loop {
            let mut batch = WriteBatch::new();
            self.scan_between_commits(Keyspace::Log, &mut |key, _| match sequence_of(key) {
                Ok(seq) if seq > sequence => ControlFlow::Break(()),
                _ => {
                    batch.delete(Keyspace::Log, key.to_vec());
                    if batch.len() < ROUND {
                        ControlFlow::Continue(())
                    } else {
                        ControlFlow::Break(())
                    }
                }
            })?;
            let last_round = batch.len() < ROUND;
            inner.storage.apply(batch)?;
            if last_round {
                break;
            }
        }
        inner.storage.flush()?;
        Ok(())
    }
}

/// Calls `visit` with each logged commit `base + 1 ..= last`, oldest first.
/// `last` is a sequence number read from the topology: every commit up to
/// it is stored.
///
/// # Errors
/// [`Error::Corrupt`] for a damaged entry or a commit missing from the log.
pub(crate) fn for_each_change<S: Storage + ?Sized>(
    storage: &S,
    base: u64,
    last: u64,
    visit: &mut dyn FnMut(Change),
) -> Result<()> {
    let mut expected = base.saturating_add(1);
    let mut failure = None;
    let lacks = |expected: u64, found: u64| {
        Error::corrupt(format!(
            "the change log lacks commits {expected}..={}",
            found - 1
        ))
    };
    storage.scan_from(Keyspace::Log, &key(expected), &mut |key, value| {
        match sequence_of(key).and_then(|seq| decode(seq, value)) {
            Ok(change) if change.sequence > last => return ControlFlow::Break(()),
            Ok(change) if change.sequence != expected => {
                failure = Some(lacks(expected, change.sequence));
            }
            Ok(change) => {
                expected += 1;
                visit(change);
                return ControlFlow::Continue(());
            }
            Err(err) => failure = Some(err),
        }
        ControlFlow::Break(())
    })?;
    if let Some(err) = failure {
        return Err(err);
    }
    if expected <= last {
        return Err(lacks(expected, last + 1));
    }
    Ok(())
}

/// The sequence number and commit time of the newest log entry after
/// `after`, found with a few seeks instead of a scan of the log.
pub(crate) fn last_entry<S: Storage + ?Sized>(
    storage: &S,
    after: u64,
) -> Result<Option<(u64, i64)>> {
    let first_from = |from: u64| -> Result<Option<(u64, i64)>> {
        let mut found = None;
        storage.scan_from(Keyspace::Log, &key(from), &mut |key, value| {
            if let Ok(seq) = sequence_of(key) {
                let time = value
                    .get(5..13)
                    .and_then(|b| b.try_into().ok())
                    .map_or(0, i64::from_le_bytes);
                found = Some((seq, time));
            }
            ControlFlow::Break(())
        })?;
        Ok(found)
    };
    let Some(mut best) = first_from(after.saturating_add(1))? else {
        return Ok(None);
    };
    // Gallop past the newest entry, then bisect: entries >= x exist for
    // every x up to the newest one.
    let mut step = 1u64;
    let mut beyond = loop {
        let probe = best.0.saturating_add(step);
        if probe == best.0 {
            return Ok(Some(best));
        }
        match first_from(probe)? {
            Some(found) => {
                best = found;
                step = step.saturating_mul(2);
            }
            None => break probe,
        }
    };
    while beyond - best.0 > 1 {
        let middle = best.0 + (beyond - best.0) / 2;
        match first_from(middle)? {
            Some(found) => best = found,
            None => beyond = middle,
        }
    }
    Ok(Some(best))
}

/// The meta value of [`META_SEQ`] (written by backups and restores).
#[cfg(all(feature = "sled", not(target_arch = "wasm32")))]
pub(crate) fn seq_value(sequence: u64, time_ms: i64) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&sequence.to_le_bytes());
    out[8..].copy_from_slice(&time_ms.to_le_bytes());
    out
}

/// Reads a [`META_SEQ`] value; `None` when it is damaged.
pub(crate) fn parse_seq(value: &[u8]) -> Option<(u64, i64)> {
    let sequence = u64::from_le_bytes(value.get(..8)?.try_into().ok()?);
    let time = match value.get(8..16) {
        Some(bytes) => i64::from_le_bytes(bytes.try_into().ok()?),
        None => 0,
    };
    Some((sequence, time))
}

/// Reads a [`META_BACKUP`] value.
pub(crate) fn parse_u64(value: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(value.get(..8)?.try_into().ok()?))
}

/// The log key of a sequence number.
pub(crate) fn key(sequence: u64) -> [u8; 8] {
    sequence.to_be_bytes()
}

/// The sequence number of a log key.
pub(crate) fn sequence_of(key: &[u8]) -> Result<u64> {
    <[u8; 8]>::try_from(key)
        .map(u64::from_be_bytes)
        .map_err(|_| {
            Error::corrupt(format!(
                "a change-log key has {} bytes instead of 8",
                key.len()
            ))
        })
}

/// Encodes a commit's changes as a log entry.
pub(crate) fn encode(time_ms: i64, batch: &WriteBatch) -> Vec<u8> {
    let mut size = 1 + 4 + 8 + 5;
    for op in batch.ops() {
        size += match op {
            WriteOp::Put { key, value, .. } => 12 + key.len() + value.len(),
            WriteOp::Delete { key, .. } => 7 + key.len(),
        };
    }
    let mut out = Vec::with_capacity(size);
    out.push(ENTRY_VERSION);
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&time_ms.to_le_bytes());
    put_varint(&mut out, batch.len() as u64);
    for op in batch.ops() {
        match op {
            WriteOp::Put {
                keyspace,
                key,
                value,
            } => {
                out.push(0);
                out.push(keyspace.tag());
                put_bytes(&mut out, key);
                put_bytes(&mut out, value);
            }
            WriteOp::Delete { keyspace, key } => {
                out.push(1);
                out.push(keyspace.tag());
                put_bytes(&mut out, key);
            }
        }
    }
    let crc = crc32fast::hash(&out[5..]);
    out[1..5].copy_from_slice(&crc.to_le_bytes());
    out
}

/// Decodes the log entry of commit `sequence`, checking its checksum.
///
/// # Errors
/// [`Error::Corrupt`] naming the entry and what is wrong with it.
pub(crate) fn decode(sequence: u64, bytes: &[u8]) -> Result<Change> {
    let bad = |what: &str| Error::corrupt(format!("change-log entry #{sequence}: {what}"));
    let (&version, rest) = bytes.split_first().ok_or_else(|| bad("empty entry"))?;
    if version != ENTRY_VERSION {
        return Err(bad(&format!(
            "entry version {version} is not supported (this build reads version {ENTRY_VERSION})"
        )));
    }
    if rest.len() < 4 + 8 {
        return Err(bad(&format!("truncated to {} bytes", bytes.len())));
    }
    let stored = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
    let actual = crc32fast::hash(&rest[4..]);
    if stored != actual {
        return Err(bad(&format!(
            "checksum mismatch (stored {stored:08x}, computed {actual:08x})"
        )));
    }
    let body = &rest[4..];
    let mut time = [0u8; 8];
    time.copy_from_slice(&body[..8]);
    let mut pos = 8;
    let count = varint(body, &mut pos).ok_or_else(|| bad("truncated operation count"))?;
    let mut batch = WriteBatch::new();
    for index in 0..count {
        let truncated = || bad(&format!("operation {index} is truncated"));
        let kind = *body.get(pos).ok_or_else(truncated)?;
        let tag = *body.get(pos + 1).ok_or_else(truncated)?;
        pos += 2;
        let keyspace = Keyspace::from_tag(tag)
            .filter(|ks| *ks != Keyspace::Log)
            .ok_or_else(|| bad(&format!("operation {index} names keyspace tag {tag}")))?;
        let key = bytes_at(body, &mut pos).ok_or_else(truncated)?;
        match kind {
            0 => {
                let value = bytes_at(body, &mut pos).ok_or_else(truncated)?;
                batch.put(keyspace, key, value);
            }
            1 => batch.delete(keyspace, key),
            other => return Err(bad(&format!("operation {index} has unknown kind {other}"))),
        }
    }
    if pos != body.len() {
        return Err(bad(&format!(
            "{} bytes follow the last operation",
            body.len() - pos
        )));
    }
    Ok(Change {
        sequence,
        commit_time_ms: i64::from_le_bytes(time),
        batch,
    })
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn varint(body: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *body.get(*pos)?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn bytes_at<'a>(body: &'a [u8], pos: &mut usize) -> Option<&'a [u8]> {
    let len = usize::try_from(varint(body, pos)?).ok()?;
    let end = pos.checked_add(len).filter(|&end| end <= body.len())?;
    let slice = &body[*pos..end];
    *pos = end;
    Some(slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> WriteBatch {
        let mut batch = WriteBatch::new();
        batch.put(Keyspace::Nodes, &b"a"[..], &b"record"[..]);
        batch.delete(Keyspace::Index, &b"old"[..]);
        batch.put(Keyspace::Meta, &b"next"[..], alloc::vec![0u8; 200]);
        batch
    }

    #[test]
    fn entries_round_trip() {
        let bytes = encode(-12, &sample());
        let change = decode(7, &bytes).unwrap();
        assert_eq!(change.sequence, 7);
        assert_eq!(change.commit_time_ms, -12);
        assert_eq!(change.batch, sample());
    }

    #[test]
    fn the_newest_entry_is_found_by_seeking() {
        use knowledge_graph_memory::MemoryStorage;
        for (first, last) in [
            (1u64, 1u64),
            (1, 2),
            (5, 1000),
            (40, 41),
            (1, 4097),
            (300, 777),
        ] {
            let storage = MemoryStorage::new();
            let mut batch = WriteBatch::new();
            for seq in first..=last {
                batch.put(Keyspace::Log, key(seq), encode(seq as i64 * 10, &sample()));
            }
            storage.apply(batch).unwrap();
            assert_eq!(
                last_entry(&storage, 0).unwrap(),
                Some((last, last as i64 * 10)),
                "{first}..={last}"
            );
            assert_eq!(last_entry(&storage, last).unwrap(), None);
        }
        assert_eq!(last_entry(&MemoryStorage::new(), 0).unwrap(), None);
    }

    #[test]
    fn every_flip_and_truncation_is_rejected() {
        let bytes = encode(1_700_000_000_000, &sample());
        for len in 0..bytes.len() {
            assert!(decode(1, &bytes[..len]).is_err(), "truncation to {len}");
        }
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x04;
            let err = decode(3, &damaged).unwrap_err();
            assert!(
                alloc::string::ToString::to_string(&err).contains("entry #3"),
                "{err}"
            );
        }
    }
}
