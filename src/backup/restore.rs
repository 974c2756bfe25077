//! Restoring backups into new sled databases, and replaying incremental
//! backups: point-in-time recovery.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use knowledge_graph_sled::SledStorage;
use knowledge_graph_storage::{Keyspace, Storage, WriteBatch};

use super::format::{io, BackupKind, Manifest};
use super::source::{self, Source};
use super::{read_backup, to_millis};
use crate::changelog::{self, Change};
use crate::error::{Error, Result};
use crate::graph::Graph;

/// What a restore wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestoreInfo {
    /// The last commit (sequence number) the restored database holds.
    pub sequence: u64,
    /// Its commit time in milliseconds since the Unix epoch (0 when unknown).
    pub commit_time_ms: i64,
    /// Snapshot records written (0 when only incrementals were applied).
    pub records: u64,
    /// Changes replayed from incremental backups.
    pub changes_applied: u64,
}

/// How [`Graph::restore_with`] restores.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestoreOptions {
    /// Replay only the commits made at or before this time (`None`: all).
    pub until: Option<SystemTime>,
    /// Threads writing the snapshot's records into sled while one reads
    /// them (0 or 1: the reading thread writes them itself).
    ///
    /// More than one pays when the program's allocator scales across
    /// threads: `maya-cli` (mimalloc) restores a 1.1M-record backup in
    /// 2.2–2.8 s with two writers against 3.5 s with one. Under glibc's
    /// malloc, two measured anywhere from 8% faster to 1.6x slower than one
    /// (`bench_backup`), hence one by default.
    pub writers: usize,
}

impl RestoreOptions {
    /// Sets [`until`](Self::until).
    #[must_use]
    pub fn until(mut self, until: Option<SystemTime>) -> Self {
        self.until = until;
        self
    }

    /// Sets [`writers`](Self::writers).
    #[must_use]
    pub fn writers(mut self, writers: usize) -> Self {
        self.writers = writers;
        self
    }
}

impl Graph<SledStorage> {
    /// Restores a full backup (a directory or its `.tar.gz`) into a new sled
    /// database at `target`, which must not exist or be an empty directory.
    ///
    /// The database is built beside `target` and renamed into place when
    /// complete: a failed restore leaves nothing at `target`.
    ///
    /// # Errors
    /// [`Error::Backup`] naming the damaged, truncated or missing file, or a
    /// `target` that already holds something; [`Error::Io`]; storage errors.
    pub async fn restore(
        backup: impl AsRef<Path>,
        target: impl AsRef<Path>,
    ) -> Result<RestoreInfo> {
        restore(
            backup.as_ref(),
            &[],
            target.as_ref(),
            &RestoreOptions::default(),
        )
    }

    /// Point-in-time recovery: restores the full backup `base`, then replays
    /// the changes of `incrementals` (in any order; each directory or
    /// `.tar.gz`) in sequence order, stopping before the first commit made
    /// after `until` (`None`: replay everything). The result is exactly the
    /// graph as it was after the last replayed commit.
    ///
    /// # Errors
    /// As [`restore`](Self::restore); [`Error::Backup`] when the backups do
    /// not chain (naming the missing sequence numbers) or an incremental is
    /// damaged. Everything is checked before `target` appears.
    pub async fn restore_until<P: AsRef<Path>>(
        base: impl AsRef<Path>,
        incrementals: &[P],
        target: impl AsRef<Path>,
        until: Option<SystemTime>,
    ) -> Result<RestoreInfo> {
        let options = RestoreOptions {
            until,
            ..RestoreOptions::default()
        };
        Self::restore_with(base, incrementals, target, &options).await
    }

    /// [`restore_until`](Self::restore_until) with every option.
    ///
    /// # Errors
    /// As [`restore_until`](Self::restore_until).
    pub async fn restore_with<P: AsRef<Path>>(
        base: impl AsRef<Path>,
        incrementals: &[P],
        target: impl AsRef<Path>,
        options: &RestoreOptions,
    ) -> Result<RestoreInfo> {
        let incrementals: Vec<&Path> = incrementals.iter().map(AsRef::as_ref).collect();
        restore(base.as_ref(), &incrementals, target.as_ref(), options)
    }

    /// Replays an incremental backup onto the (closed) sled database at
    /// `target`, which must hold exactly the commits before it: restored from
    /// its base, or from the incrementals before it. Commits already there are
    /// skipped, so applying one twice does nothing; each replayed commit is
    /// applied atomically.
    ///
    /// # Errors
    /// [`Error::Backup`] when the backup is damaged or does not follow what
    /// `target` holds; [`Error::Io`]; storage errors (a database in use by
    /// another process is [`StorageError::Locked`](crate::StorageError)).
    pub async fn apply_incremental(
        backup: impl AsRef<Path>,
        target: impl AsRef<Path>,
    ) -> Result<RestoreInfo> {
        apply_incremental(backup.as_ref(), target.as_ref(), None)
    }

    /// [`apply_incremental`](Self::apply_incremental), replaying only the
    /// commits made at or before `until`.
    ///
    /// # Errors
    /// As [`apply_incremental`](Self::apply_incremental).
    pub async fn apply_incremental_until(
        backup: impl AsRef<Path>,
        target: impl AsRef<Path>,
        until: SystemTime,
    ) -> Result<RestoreInfo> {
        apply_incremental(backup.as_ref(), target.as_ref(), Some(to_millis(until)))
    }
}

/// An incremental backup read, verified and ready to replay.
pub(crate) struct Incremental {
    pub path: String,
    pub manifest: Manifest,
    pub changes: Vec<Change>,
}

pub(crate) fn load_incremental(path: &Path) -> Result<Incremental> {
    let source = Source::open(path)?;
    let loaded = read_backup(&source, None)?;
    let shown = path.display().to_string();
    if loaded.manifest.kind != BackupKind::Incremental {
        return Err(Error::Backup {
            path: shown,
            detail: "is a full backup, not an incremental one".into(),
        });
    }
    Ok(Incremental {
        path: shown,
        manifest: loaded.manifest,
        changes: loaded.changes,
    })
}

fn restore(
    base: &Path,
    incrementals: &[&Path],
    target: &Path,
    options: &RestoreOptions,
) -> Result<RestoreInfo> {
    let mut incrementals = incrementals
        .iter()
        .map(|p| load_incremental(p))
        .collect::<Result<Vec<_>>>()?;
    incrementals.sort_by_key(|inc| (inc.manifest.base_sequence, inc.manifest.sequence));
    for pair in incrementals.windows(2) {
        let (before, after) = (&pair[0].manifest, &pair[1].manifest);
        if after.base_sequence > before.sequence {
            return Err(gap(&pair[1], before.sequence));
        }
    }
    let shown = target.display().to_string();
    match fs::read_dir(target) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::Backup {
                    path: shown,
                    detail: "already exists and is not empty: restore into a new directory (remove the old database first)".into(),
                });
            }
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(io("read the directory", &shown, err)),
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .map_err(|err| io("create the directory", &parent.display().to_string(), err))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Backup {
            path: shown.clone(),
            detail: "is not a directory name".into(),
        })?;
    // Unique, so that two restores never share one; a restore that crashed
    // leaves its directory behind (never at `target`) for the user to remove.
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let building = parent.join(alloc::format!(
        ".{name}.restoring-{}-{stamp}",
        std::process::id()
    ));
    let result = build(base, &incrementals, &building, options);
    let info = match result {
        Ok(info) => info,
        Err(err) => {
            let _ = fs::remove_dir_all(&building);
            return Err(err);
        }
    };
    if target.exists() {
        // An empty directory: rename replaces it.
        let _ = fs::remove_dir(target);
    }
    fs::rename(&building, target)
        .map_err(|err| io("rename", &building.display().to_string(), err))?;
    source::sync_dir(&parent)?;
    Ok(info)
}

/// Restores `base` and replays `incrementals` into a new database at `dir`.
fn build(
    base: &Path,
    incrementals: &[Incremental],
    dir: &Path,
    options: &RestoreOptions,
) -> Result<RestoreInfo> {
    let storage = open_for_restore(dir)?;
    let source = Source::open(base)?;
    let loaded = write_records(&storage, &source, options.writers)?;
    if loaded.manifest.kind != BackupKind::Full {
        return Err(Error::Backup {
            path: base.display().to_string(),
            detail: "is an incremental backup: restore its full base backup, with this one among the incrementals".into(),
        });
    }
    let mut position = (loaded.manifest.sequence, loaded.manifest.last_commit_ms);
    let mut meta = WriteBatch::new();
    put_position(&mut meta, position);
    let lineage = loaded.manifest.lineage;
    if let Some(id) = lineage {
        // The restored database continues its origin's history.
        meta.put(Keyspace::Meta, super::META_LINEAGE, id.to_le_bytes());
    }
    storage.apply(meta)?;
    let until_ms = options.until.map(to_millis);
    let applied = replay(&storage, incrementals, lineage, &mut position, until_ms)?;
    storage.flush()?;
    Ok(RestoreInfo {
        sequence: position.0,
        commit_time_ms: position.1,
        records: loaded.manifest.records,
        changes_applied: applied,
    })
}

/// Streams the snapshot of `source` into `storage`, from this thread or
/// handing its batches in turn to `writers` threads. Nothing reads the new
/// database before it is complete and renamed in, so the batches need not be
/// atomic: written record by record, a restore takes half as long.
fn write_records(storage: &SledStorage, source: &Source, writers: usize) -> Result<super::Loaded> {
    if writers <= 1 {
        return read_batches(source, &mut |batch| Ok(storage.apply_unbatched(batch)?));
    }
    std::thread::scope(|scope| {
        let (queues, threads): (Vec<_>, Vec<_>) = (0..writers)
            .map(|_| {
                let (queue, batches) = std::sync::mpsc::sync_channel::<WriteBatch>(4);
                let thread = scope.spawn(move || -> Result<()> {
                    for batch in batches {
                        storage.apply_unbatched(batch)?;
                    }
                    Ok(())
                });
                (queue, thread)
            })
            .unzip();
        let mut next = 0;
        let read = read_batches(source, &mut |batch| {
            let sent = queues[next % writers].send(batch);
            next += 1;
            // A writer stops early only on an error, which joining it reports.
            sent.map_err(|_| Error::Backup {
                path: source.member(super::format::SNAPSHOT),
                detail: "a restore writer stopped".into(),
            })
        });
        drop(queues);
        // A writer's error explains a failed hand-over, so it comes first.
        for thread in threads {
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        }
        read
    })
}

/// Reads the backup at `source`, handing its snapshot's records to `sink`
/// in batches of 1,000.
fn read_batches(
    source: &Source,
    sink: &mut dyn FnMut(WriteBatch) -> Result<()>,
) -> Result<super::Loaded> {
    const BATCH: usize = 1_000;
    let mut batch = WriteBatch::new();
    let mut write = |keyspace: Keyspace, key: &[u8], value: &[u8]| -> Result<()> {
        batch.put(keyspace, key, value);
        if batch.len() >= BATCH {
            sink(core::mem::take(&mut batch))?;
        }
        Ok(())
    };
    let loaded = read_backup(source, Some(&mut write))?;
    sink(batch)?;
    Ok(loaded)
}

fn apply_incremental(backup: &Path, target: &Path, until_ms: Option<i64>) -> Result<RestoreInfo> {
    let incremental = load_incremental(backup)?;
    let holds_files = fs::read_dir(target)
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if !holds_files {
        return Err(Error::Backup {
            path: target.display().to_string(),
            detail: "holds no database: restore the full base backup there first".into(),
        });
    }
    let storage = open_for_restore(target)?;
    let mut position = match storage.get(Keyspace::Meta, changelog::META_SEQ)? {
        Some(value) => changelog::parse_seq(&value).unwrap_or((0, 0)),
        None => (0, 0),
    };
    if let Some(newest) = changelog::last_entry(&storage, position.0)? {
        position = newest;
    }
    let lineage = storage
        .get(Keyspace::Meta, super::META_LINEAGE)?
        .as_deref()
        .and_then(super::parse_lineage);
    let applied = replay(
        &storage,
        core::slice::from_ref(&incremental),
        lineage,
        &mut position,
        until_ms,
    )?;
    storage.flush()?;
    Ok(RestoreInfo {
        sequence: position.0,
        commit_time_ms: position.1,
        records: 0,
        changes_applied: applied,
    })
}

/// A sled database written batch by batch (no write-behind buffer), flushed by the caller.
fn open_for_restore(dir: &Path) -> Result<SledStorage> {
    Ok(SledStorage::builder()
        .path(dir)
        .mode("high_safety")
        .open()?)
}

/// Replays the changes after `position` in order, each commit atomically
/// with the sequence counter; stops before the first commit after `until_ms`.
fn replay(
    storage: &SledStorage,
    incrementals: &[Incremental],
    lineage: Option<u64>,
    position: &mut (u64, i64),
    until_ms: Option<i64>,
) -> Result<u64> {
    let mut applied = 0;
    for inc in incrementals {
        check_lineage(inc, lineage)?;
        if inc.manifest.sequence <= position.0 {
            continue;
        }
        if inc.manifest.base_sequence > position.0 {
            return Err(gap(inc, position.0));
        }
        for change in &inc.changes {
            if change.sequence <= position.0 {
                continue;
            }
            if until_ms.is_some_and(|until| change.commit_time_ms > until) {
                return Ok(applied);
            }
            let mut batch = change.batch.clone();
            let at = (change.sequence, change.commit_time_ms);
            put_position(&mut batch, at);
            storage.apply(batch)?;
            *position = at;
            applied += 1;
        }
    }
    Ok(applied)
}

/// The restored database's change log starts after `position`, which the
/// backups it came from cover.
fn put_position(batch: &mut WriteBatch, (sequence, time): (u64, i64)) {
    batch.put(
        Keyspace::Meta,
        changelog::META_SEQ,
        changelog::seq_value(sequence, time),
    );
    batch.put(
        Keyspace::Meta,
        changelog::META_BACKUP,
        sequence.to_le_bytes(),
    );
}

/// Refuses an incremental backup taken from another database than the one
/// it would be applied to (unknown lineages, from older backups, pass).
pub(crate) fn check_lineage(inc: &Incremental, lineage: Option<u64>) -> Result<()> {
    match (lineage, inc.manifest.lineage) {
        (Some(expected), Some(found)) if expected != found => Err(Error::Backup {
            path: inc.path.clone(),
            detail: alloc::format!(
                "was taken from another database (lineage {found:016x}; the backups before it, or the database it would be applied to, are of lineage {expected:016x})"
            ),
        }),
        _ => Ok(()),
    }
}

pub(crate) fn gap(inc: &Incremental, reached: u64) -> Error {
    Error::Backup {
        path: inc.path.clone(),
        detail: alloc::format!(
            "does not follow on: it holds commits {}..={} but the backups before it end at commit {reached}; the incremental backup with commits {}..={} is missing",
            inc.manifest.base_sequence + 1,
            inc.manifest.sequence,
            reached + 1,
            inc.manifest.base_sequence
        ),
    }
}
