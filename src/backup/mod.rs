//! Backups to files: hot full backups, incremental backups made of the
//! change log, restore (from a backup directory or its `.tar.gz`),
//! point-in-time recovery and verification without restoring.
//!
//! ```text
//! full backup directory            incremental backup directory
//!   graph.mayakgs  the snapshot      changes.mayakgc  the commits since the previous backup
//!   MANIFEST       what it holds     MANIFEST         what it holds
//! ```
//! `graph.mayakgs` is the portable [snapshot format](crate::snapshot) (it
//! loads with [`Graph::from_snapshot`] too, in the browser as well).
//! `changes.mayakgc` is `"MAYAKGC\0"`, version `u16` 1, flags `u16`, change
//! count `u64`, base sequence `u64`, then per change its sequence `u64` and
//! its change-log entry (length varint + bytes, each with its own CRC), and a
//! CRC-32 of everything before it. `MANIFEST` is `key=value` text, its last
//! line a CRC-32 of the lines before; it names the data file's length and
//! CRC-32 and the change-log sequence numbers covered. All integers are
//! little-endian.
//!
//! Files are written under temporary names, fsynced and renamed, the
//! manifest last: a directory without a `MANIFEST` is an unfinished backup.
//! Once a backup is written, the change-log entries it covers are deleted
//! and the next incremental backup starts after it.
//!
//! ```no_run
//! # async fn demo() -> knowledge_graph::Result<()> {
//! use knowledge_graph::{backup, Graph, SledStorage};
//! let graph = Graph::new(SledStorage::open("data/graph")?);
//! graph.backup("backups/full").await?;
//! // ... commits ...
//! let changes = graph.get_changes_since_last_backup().await?;
//! graph.backup_incremental("backups/inc-1", &changes).await?;
//! backup::verify_backup("backups/full")?;
//! Graph::restore_until("backups/full", &["backups/inc-1"], "data/restored", None).await?;
//! // Two writer threads: faster where the allocator scales across threads (mimalloc).
//! let options = backup::RestoreOptions::default().writers(2);
//! Graph::restore_with("backups/full", &["backups/inc-1"], "data/copy", &options).await?;
//! # Ok(()) }
//! ```

mod format;
mod restore;
mod source;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::ops::ControlFlow;
use core::time::Duration;
use std::fs::{self, File};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use hashbrown::HashSet;
use knowledge_graph_storage::{Keyspace, Storage, WriteBatch, WriteOp};

use crate::changelog::{self, Change, ChangeSet};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::record;
use crate::snapshot::RecordVisitor;

pub use format::BackupKind;
use format::{io, EntrySink, Manifest, SnapshotStats, CHANGES, MANIFEST, SNAPSHOT};
use restore::{check_lineage, gap, load_incremental};
pub use restore::{RestoreInfo, RestoreOptions};
use source::Source;

/// What a backup holds, from its verified MANIFEST.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BackupInfo {
    /// Full or incremental.
    pub kind: BackupKind,
    /// When it was taken, in milliseconds since the Unix epoch (the graph's clock).
    pub created_at_ms: i64,
    /// The last commit (change-log sequence number) it covers.
    pub sequence: u64,
    /// Incremental: its first change is `base_sequence + 1`. Full: equals `sequence`.
    pub base_sequence: u64,
    /// Incremental: commit time of its first change. Full: of commit `sequence`.
    pub first_commit_ms: i64,
    /// Commit time of commit `sequence` (0 when unknown).
    pub last_commit_ms: i64,
    /// Node records (full backups only).
    pub nodes: u64,
    /// Edge records (full backups only).
    pub edges: u64,
    /// Full: snapshot records of every kind. Incremental: changes (commits).
    pub records: u64,
    /// Size of the data file in bytes.
    pub bytes: u64,
    /// Identifies the database the backup was taken from (a restored
    /// database keeps its origin's): incrementals only chain onto backups
    /// of the same lineage. `None` in backups written before lineages.
    pub lineage: Option<u64>,
}

impl BackupInfo {
    /// [`created_at_ms`](Self::created_at_ms) as a `SystemTime`.
    pub fn created_at(&self) -> SystemTime {
        from_millis(self.created_at_ms)
    }
}

/// The database's lineage, recorded in its backups (8 bytes, little-endian).
/// Under the change log's meta prefix, so snapshots leave it out.
pub(crate) const META_LINEAGE: &[u8] = b"changelog:lineage";

/// Reads a [`META_LINEAGE`] value; `None` when it is damaged.
pub(crate) fn parse_lineage(value: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(value.try_into().ok()?))
}

/// SplitMix64's finaliser: spreads the bits of `x` over the whole word.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Counts a backup's outcome in the process's [telemetry](crate::telemetry)
/// (`maya_backup_success_total`, `maya_backup_failed_total`).
fn reported(result: Result<BackupInfo>) -> Result<BackupInfo> {
    crate::telemetry::record_backup(result.is_ok());
    result
}

/// Reads a recovery time for [`Graph::restore_until`]: RFC 3339
/// (`2026-11-28T02:00:00Z`, `2026-11-28T03:00:00.5+01:00`) or whole
/// seconds since the Unix epoch; `None` for anything else.
pub fn parse_time(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return UNIX_EPOCH.checked_add(Duration::from_secs(seconds));
    }
    let nanos = crate::query::parse_rfc3339(text)?;
    let after = u64::try_from(nanos).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_nanos(after))
}

/// Checks a backup (directory or `.tar.gz`) without restoring it: the
/// manifest's checksum; the data file's length, checksum and structure
/// against the manifest; for a full backup every record's checksum and
/// encoding and every edge's endpoints; for an incremental one every change
/// and that they follow one another.
///
/// # Errors
/// [`Error::Backup`] naming the file and what is wrong with it (damaged,
/// truncated, missing, not matching the manifest); [`Error::Io`].
pub fn verify_backup(path: impl AsRef<Path>) -> Result<BackupInfo> {
    let source = Source::open(path.as_ref())?;
    let member = source.member(SNAPSHOT);
    let mut nodes: HashSet<Vec<u8>> = HashSet::new();
    let mut check = |keyspace: Keyspace, key: &[u8], value: &[u8]| -> Result<()> {
        check_record(&mut nodes, keyspace, key, value).map_err(|err| Error::Backup {
            path: member.clone(),
            detail: err.to_string(),
        })
    };
    let loaded = read_backup(&source, Some(&mut check))?;
    Ok(loaded.manifest.info)
}

/// Checks a full backup and incremental backups meant to follow it (given
/// in any order) without restoring anything: each one as
/// [`verify_backup`] does, and that together they leave no commit out.
///
/// # Returns
/// What each holds: the base first, then the incrementals in sequence order.
///
/// # Errors
/// As [`verify_backup`]; [`Error::Backup`] when `base` is not a full backup
/// or a backup is missing from the chain (naming the missing commits).
pub fn verify_chain<P: AsRef<Path>>(
    base: impl AsRef<Path>,
    incrementals: &[P],
) -> Result<Vec<BackupInfo>> {
    let base_info = verify_backup(base.as_ref())?;
    if base_info.kind != BackupKind::Full {
        return Err(Error::Backup {
            path: base.as_ref().display().to_string(),
            detail: "is an incremental backup, not a full one".into(),
        });
    }
    let mut loaded = incrementals
        .iter()
        .map(|p| load_incremental(p.as_ref()))
        .collect::<Result<Vec<_>>>()?;
    loaded.sort_by_key(|inc| (inc.manifest.base_sequence, inc.manifest.sequence));
    let mut reached = base_info.sequence;
    let mut infos = alloc::vec![base_info];
    for inc in &loaded {
        check_lineage(inc, infos[0].lineage)?;
        if inc.manifest.base_sequence > reached {
            return Err(gap(inc, reached));
        }
        reached = reached.max(inc.manifest.sequence);
        infos.push(inc.manifest.info.clone());
    }
    Ok(infos)
}

fn check_record(
    nodes: &mut HashSet<Vec<u8>>,
    keyspace: Keyspace,
    key: &[u8],
    value: &[u8],
) -> Result<()> {
    match keyspace {
        Keyspace::Nodes => {
            let id = record::node_id_from_key(key)?;
            let header = record::node_header(id, value)?;
            record::properties(&alloc::format!("node '{id}'"), value, header.props_at)?;
            nodes.insert(key.to_vec());
        }
        Keyspace::Edges => {
            let id = record::edge_id_from_key(key)?;
            let h = record::edge_header(id, value)?;
            record::properties(&alloc::format!("edge #{id}"), value, h.props_at)?;
            for (role, node) in [("source", h.source), ("target", h.target)] {
                if !nodes.contains(node.as_bytes()) {
                    return Err(Error::corrupt(alloc::format!(
                        "edge #{id} names missing {role} node '{node}'"
                    )));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// A backup read and checked against its manifest.
pub(crate) struct Loaded {
    pub manifest: Manifest,
    /// Incremental backups: their changes.
    pub changes: Vec<Change>,
}

/// Reads a backup's files, streaming a full backup's records to `records`
/// (if given) and holding an incremental backup's changes in memory.
pub(crate) fn read_backup(source: &Source, mut records: Option<EntrySink<'_>>) -> Result<Loaded> {
    let mut manifest = None;
    let mut snapshot = None;
    let mut changes = None;
    let found = source.visit(&[MANIFEST, SNAPSHOT, CHANGES], &mut |name, reader| {
        let member = source.member(name);
        let bad = |detail: String| Error::Backup {
            path: member.clone(),
            detail,
        };
        match name {
            MANIFEST => {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut std::io::Read::take(reader, 1 << 16), &mut bytes)
                    .map_err(|err| io("read", &member, err))?;
                manifest = Some(Manifest::parse(&bytes).map_err(bad)?);
            }
            SNAPSHOT => {
                let mut ignore = |_: Keyspace, _: &[u8], _: &[u8]| Ok(());
                let visit: EntrySink<'_> = match records.as_mut() {
                    Some(visit) => *visit,
                    None => &mut ignore,
                };
                snapshot = Some(format::read_snapshot(reader, &member, visit)?);
            }
            _ => {
                let mut bytes = Vec::new();
                reader
                    .read_to_end(&mut bytes)
                    .map_err(|err| io("read", &member, err))?;
                let decoded = format::decode_changes(&bytes).map_err(bad)?;
                changes = Some((decoded, bytes.len() as u64, crc32fast::hash(&bytes)));
            }
        }
        Ok(())
    })?;
    let shown = source.path().display().to_string();
    let Some(manifest) = manifest else {
        return Err(Error::Backup {
            path: shown,
            detail: "has no MANIFEST: the backup is unfinished, or this is not a backup".into(),
        });
    };
    let file = manifest.file();
    if !found.contains(&file) {
        return Err(Error::Backup {
            path: shown,
            detail: alloc::format!("is missing {file}, which its MANIFEST names"),
        });
    }
    let member = source.member(file);
    let mismatch = |what: &str, manifest_says: String, file_has: String| Error::Backup {
        path: member.clone(),
        detail: alloc::format!(
            "does not match the MANIFEST: {what} is {file_has}, the MANIFEST says {manifest_says}"
        ),
    };
    let mut checks: Vec<(&str, u64, u64)> = Vec::new();
    let mut held = Vec::new();
    match (manifest.kind, snapshot, changes) {
        (BackupKind::Full, Some(stats), _) => {
            checks.extend([
                ("the length in bytes", manifest.bytes, stats.bytes),
                (
                    "the checksum",
                    u64::from(manifest.file_crc32),
                    u64::from(stats.crc32),
                ),
                ("the record count", manifest.records, stats.records),
                ("the node count", manifest.nodes, stats.nodes),
                ("the edge count", manifest.edges, stats.edges),
            ]);
        }
        (BackupKind::Incremental, _, Some(((base, list), bytes, crc))) => {
            checks.extend([
                ("the length in bytes", manifest.bytes, bytes),
                (
                    "the checksum",
                    u64::from(manifest.file_crc32),
                    u64::from(crc),
                ),
                ("the change count", manifest.records, list.len() as u64),
                ("the base sequence", manifest.base_sequence, base),
                (
                    "the last sequence",
                    manifest.sequence,
                    list.last().map_or(base, |c| c.sequence),
                ),
            ]);
            held = list;
        }
        _ => unreachable!("the manifest's data file was found and read"),
    }
    for (what, says, has) in checks {
        if says != has {
            return Err(mismatch(what, says.to_string(), has.to_string()));
        }
    }
    Ok(Loaded {
        manifest,
        changes: held,
    })
}

impl<S: Storage> Graph<S> {
    /// Writes a full backup of the graph into directory `path` (created if
    /// missing; refused if it holds anything), while other threads keep
    /// reading and writing: the records are streamed to the file in chunks
    /// (writers wait only while one is read; readers never wait), then the
    /// commits made meanwhile are replayed from the change log over that
    /// copy (a second pass over the file), so the backup holds exactly the
    /// state after its last commit. Without a change log
    /// (`GraphOptions::change_log`), writers wait while all the records
    /// stream instead. Covered change-log entries are then deleted.
    ///
    /// # Errors
    /// [`Error::Backup`] when `path` is not empty; [`Error::Io`]; storage errors.
    /// Nothing named `MANIFEST` is written unless the backup is complete.
    ///
    /// # Complexity
    /// One pass over the stored records (two when commits were made during
    /// it); memory independent of the graph size, plus the records those
    /// commits wrote.
    pub async fn backup(&self, path: impl AsRef<Path>) -> Result<BackupInfo> {
        reported(self.write_full_backup(path.as_ref()))
    }

    /// This database's lineage (see [`BackupInfo::lineage`]), made up and
    /// stored on first use.
    fn lineage(&self) -> Result<u64> {
        let storage = &self.inner().storage;
        if let Some(id) = storage
            .get(Keyspace::Meta, META_LINEAGE)?
            .as_deref()
            .and_then(parse_lineage)
        {
            return Ok(id);
        }
        // Unique enough to tell databases apart: the time, the process and
        // this graph's address, mixed.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let here = core::ptr::from_ref(self.inner()) as usize as u64;
        let id = mix(nanos ^ (u64::from(std::process::id()) << 32) ^ here);
        let mut batch = WriteBatch::new();
        batch.put(Keyspace::Meta, META_LINEAGE, id.to_le_bytes());
        storage.apply(batch)?;
        Ok(id)
    }

    fn write_full_backup(&self, dir: &Path) -> Result<BackupInfo> {
        self.check()?;
        let inner = self.inner();
        let _one_at_a_time = inner.backups.lock();
        let lineage = self.lineage()?;
        source::prepare_empty_dir(dir)?;
        // Without a change log to catch up from, writers wait while the
        // records stream (readers never do).
        let ticket = match inner.options.change_log {
            Some(true) => None,
            _ => Some(self.write_ticket()?),
        };
        let start = inner.topology.read().log_seq;
        let tmp = dir.join(alloc::format!("{SNAPSHOT}.tmp"));
        let mut stats = stream_snapshot(&tmp, &mut |visit| {
            self.copy_records(ticket.is_none(), visit)
        })?;
        let topo = inner.topology.read();
        let (end, commit_ms) = (topo.log_seq, topo.log_time_ms);
        drop(topo);
        drop(ticket);
        if end != start {
            // The commits made while the records were read are in the change
            // log: replayed over that copy, they give the state at `end`.
            let mut redo = Redo::new();
            stats = changelog::for_each_change(&inner.storage, start, end, &mut |change| {
                add_redo(&mut redo, &change);
            })
            .and_then(|()| {
                let done = dir.join(alloc::format!("{SNAPSHOT}.redo"));
                let stats = stream_snapshot(&done, &mut |visit| replay(&tmp, &redo, visit))?;
                fs::rename(&done, &tmp)
                    .map_err(|err| io("rename", &done.display().to_string(), err))?;
                Ok(stats)
            })
            .inspect_err(|_| {
                let _ = fs::remove_file(&tmp);
            })?;
        }
        source::publish(dir, SNAPSHOT)?;
        let manifest = Manifest {
            info: BackupInfo {
                kind: BackupKind::Full,
                created_at_ms: (inner.options.clock)(),
                sequence: end,
                base_sequence: end,
                first_commit_ms: commit_ms,
                last_commit_ms: commit_ms,
                nodes: stats.nodes,
                edges: stats.edges,
                records: stats.records,
                bytes: stats.bytes,
                lineage: Some(lineage),
            },
            file_crc32: stats.crc32,
        };
        source::write_file(dir, MANIFEST, manifest.to_text().as_bytes())?;
        self.mark_backed_up(end, true)?;
        Ok(manifest.info)
    }

    /// Visits the records a snapshot holds, in snapshot order; with `pause`,
    /// letting writers go on between chunks.
    fn copy_records(&self, pause: bool, visit: &mut RecordVisitor<'_>) -> Result<()> {
        if !pause {
            return crate::snapshot::scan(&self.inner().storage, visit);
        }
        for keyspace in crate::snapshot::KEYSPACES {
            let mut stopped = false;
            self.scan_between_commits(keyspace, &mut |key, value| {
                if crate::snapshot::portable(keyspace, key) {
                    stopped = visit(keyspace, key, value).is_break();
                }
                if stopped {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })?;
            if stopped {
                break;
            }
        }
        Ok(())
    }

    /// Writes `changes` (from
    /// [`get_changes_since_last_backup`](Self::get_changes_since_last_backup))
    /// as an incremental backup into directory `path` (created if missing;
    /// refused if it holds anything), then deletes the change-log entries it
    /// covers.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `changes` is not from this graph;
    /// [`Error::Backup`] when `path` is not empty; [`Error::Io`]; storage errors.
    pub async fn backup_incremental(
        &self,
        path: impl AsRef<Path>,
        changes: &ChangeSet,
    ) -> Result<BackupInfo> {
        reported(self.write_incremental_backup(path.as_ref(), changes))
    }

    fn write_incremental_backup(&self, dir: &Path, changes: &ChangeSet) -> Result<BackupInfo> {
        self.check()?;
        let _one_at_a_time = self.inner().backups.lock();
        let lineage = self.lineage()?;
        let (last, _) = self.change_log_position();
        if changes.last_sequence() > last {
            return Err(Error::invalid(alloc::format!(
                "the change set reaches commit #{} but this graph's last commit is #{last}",
                changes.last_sequence()
            )));
        }
        source::prepare_empty_dir(dir)?;
        let entries: Vec<Vec<u8>> = changes
            .changes
            .iter()
            .map(|c| changelog::encode(c.commit_time_ms, &c.batch))
            .collect();
        let bytes = format::encode_changes(changes.base, &changes.changes, &entries);
        source::write_file(dir, CHANGES, &bytes)?;
        let time = |c: Option<&Change>| c.map_or(0, |c| c.commit_time_ms);
        let manifest = Manifest {
            info: BackupInfo {
                kind: BackupKind::Incremental,
                created_at_ms: (self.inner().options.clock)(),
                sequence: changes.last_sequence(),
                base_sequence: changes.base,
                first_commit_ms: time(changes.changes.first()),
                last_commit_ms: time(changes.changes.last()),
                nodes: 0,
                edges: 0,
                records: changes.len() as u64,
                bytes: bytes.len() as u64,
                lineage: Some(lineage),
            },
            file_crc32: crc32fast::hash(&bytes),
        };
        source::write_file(dir, MANIFEST, manifest.to_text().as_bytes())?;
        self.mark_backed_up(changes.last_sequence(), false)?;
        Ok(manifest.info)
    }
}

/// Streams a snapshot of the records `records` visits into the file at
/// `path`, fsynced; the file is removed again when anything fails.
fn stream_snapshot(
    path: &Path,
    records: &mut dyn FnMut(&mut RecordVisitor<'_>) -> Result<()>,
) -> Result<SnapshotStats> {
    let shown = path.display().to_string();
    let mut file = File::create(path).map_err(|err| io("create", &shown, err))?;
    let stats = format::write_snapshot(records, &mut file)
        .and_then(|stats| stats.map_err(|err| io("write", &shown, err)))
        .and_then(|stats| {
            file.sync_all().map_err(|err| io("write", &shown, err))?;
            Ok(stats)
        });
    drop(file);
    if stats.is_err() {
        let _ = fs::remove_file(path);
    }
    stats
}

/// The last write to each record a snapshot holds (`None`: deleted), in
/// snapshot order: keyspace, then key.
type Redo = BTreeMap<(Keyspace, Vec<u8>), Option<Vec<u8>>>;

/// Adds the writes of `change` (made after those already in `redo`).
fn add_redo(redo: &mut Redo, change: &Change) {
    for op in change.batch.ops() {
        let (keyspace, key, value) = match op {
            WriteOp::Put {
                keyspace,
                key,
                value,
            } => (*keyspace, key, Some(value.clone())),
            WriteOp::Delete { keyspace, key } => (*keyspace, key, None),
        };
        if crate::snapshot::portable(keyspace, key) {
            redo.insert((keyspace, key.clone()), value);
        }
    }
}

/// Visits the records of the snapshot file at `path` with `redo` applied,
/// in snapshot order.
fn replay(path: &Path, redo: &Redo, visit: &mut RecordVisitor<'_>) -> Result<()> {
    let shown = path.display().to_string();
    let mut file = File::open(path).map_err(|err| io("open", &shown, err))?;
    let mut pending = redo.iter().peekable();
    let mut pass = |keyspace: Keyspace, key: &[u8], value: Option<&[u8]>| match value {
        Some(value) if visit(keyspace, key, value).is_break() => {
            // The writer failed and says why itself.
            Err(Error::invalid("the snapshot writer stopped"))
        }
        _ => Ok(()),
    };
    format::read_snapshot(&mut file, &shown, &mut |keyspace, key, value| {
        while let Some(((k, written), v)) =
            pending.next_if(|((k, written), _)| (*k, written.as_slice()) < (keyspace, key))
        {
            pass(*k, written, v.as_deref())?;
        }
        match pending.next_if(|((k, written), _)| *k == keyspace && written == key) {
            Some((_, replaced)) => pass(keyspace, key, replaced.as_deref()),
            None => pass(keyspace, key, Some(value)),
        }
    })?;
    for ((k, written), v) in pending {
        pass(*k, written, v.as_deref())?;
    }
    Ok(())
}

pub(crate) fn to_millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

fn from_millis(ms: i64) -> SystemTime {
    let magnitude = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        UNIX_EPOCH + magnitude
    } else {
        UNIX_EPOCH - magnitude
    }
}
