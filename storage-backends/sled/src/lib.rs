//! [`SledStorage`]: the native, persistent [`Storage`] backend, built on sled.
//!
//! All keyspaces live in one sled tree, each key prefixed by its keyspace tag,
//! so that one atomic write covers every keyspace. Edge records and
//! change-log entries are stored sixteen to a sled key (see `pages`).
//!
//! Durability depends on the [mode](SledBuilder::mode):
//!
//! | mode | commit returns after | lost by a crash |
//! |---|---|---|
//! | `high_safety` | the batch is fsynced | nothing acknowledged |
//! | `high_throughput` (default) | the batch is in the write-behind buffer | at most the last ~0.5 s of commits, whole transactions only |
//! | `low_space` | sled applied the batch | at most the last ~0.5 s of commits, whole transactions only |
//!
//! In `high_throughput` mode commits are grouped: each commit lands in a
//! write-behind buffer that a background thread writes to sled as one group,
//! all or nothing, every few milliseconds, and sled fsyncs every 500 ms. In
//! the other modes each commit is written through as its own group, small
//! ones journalled rather than written with sled's `apply_batch`, which costs
//! a `high_safety` commit a second sync (see `journal`).
#![cfg(not(target_arch = "wasm32"))]

mod journal;
mod marker;
mod overlay;
mod pages;
mod scan;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub use knowledge_graph_storage::{
    IoStats, Keyspace, Storage, StorageConfig, StorageError, Visitor, WriteBatch, WriteOp,
};

use marker::Marker;
use overlay::WriteBehind;
use pages::{Changes, Found, PageWrites};

/// How sled trades durability, speed and space (see the crate docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// Group commits in a write-behind buffer; fsync every 500 ms.
    #[default]
    HighThroughput,
    /// sled's space-saving mode; fsync every 500 ms.
    LowSpace,
    /// fsync before every commit is acknowledged.
    HighSafety,
}

impl Mode {
    /// The names [`SledBuilder::mode`] accepts.
    pub const NAMES: [&'static str; 3] = ["high_throughput", "low_space", "high_safety"];

    /// Parses a mode name.
    ///
    /// # Errors
    /// [`StorageError::InvalidConfig`] naming the valid modes.
    pub fn parse(name: &str) -> Result<Mode, StorageError> {
        match name {
            "high_throughput" => Ok(Mode::HighThroughput),
            "low_space" => Ok(Mode::LowSpace),
            "high_safety" => Ok(Mode::HighSafety),
            other => Err(StorageError::InvalidConfig {
                detail: format!(
                    "unknown mode '{other}': expected one of \"high_throughput\", \"low_space\", \"high_safety\""
                ),
            }),
        }
    }
}

/// Options for opening a [`SledStorage`]; see [`SledStorage::builder`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SledBuilder {
    path: Option<PathBuf>,
    temporary: bool,
    cache_capacity: Option<usize>,
    compression: bool,
    mode: Option<String>,
    repair_on_open: bool,
    timeout: Option<Duration>,
    flush_every: Option<Duration>,
}

impl SledBuilder {
    /// Directory of the database (created if missing).
    pub fn path(mut self, path: impl AsRef<Path>) -> Self {
        self.path = Some(path.as_ref().to_path_buf());
        self
    }

    /// Decoded records the graph keeps in its LRU cache.
    pub fn cache_capacity(mut self, items: usize) -> Self {
        self.cache_capacity = Some(items);
        self
    }

    /// Compress stored pages with zstd.
    pub fn compression(mut self, on: bool) -> Self {
        self.compression = on;
        self
    }

    /// `"high_throughput"` (default), `"low_space"` or `"high_safety"`;
    /// anything else makes [`open`](Self::open) fail naming the valid modes.
    pub fn mode(mut self, mode: &str) -> Self {
        self.mode = Some(mode.to_string());
        self
    }

    /// When a stored record fails its checksum at open, drop it and open the
    /// rest instead of refusing to open.
    pub fn repair_on_open(mut self, on: bool) -> Self {
        self.repair_on_open = on;
        self
    }

    /// How long a writer waits for the write lock before failing.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How often sled fsyncs in the non-`high_safety` modes (default 500 ms).
    pub fn flush_every(mut self, interval: Duration) -> Self {
        self.flush_every = Some(interval);
        self
    }

    /// A database in a fresh temporary directory, deleted when dropped.
    pub fn temporary(mut self, on: bool) -> Self {
        self.temporary = on;
        self
    }

    /// Opens the database.
    ///
    /// # Errors
    /// [`StorageError::InvalidConfig`] for an unknown mode or a missing path,
    /// [`StorageError::Locked`] when another process has it open,
    /// [`StorageError::Corrupt`] when sled cannot read its files,
    /// [`StorageError::Backend`] for I/O errors.
    pub fn open(self) -> Result<SledStorage, StorageError> {
        let mode = self
            .mode
            .as_deref()
            .map_or(Ok(Mode::default()), Mode::parse)?;
        let flush_ms = self
            .flush_every
            .unwrap_or(Duration::from_millis(500))
            .as_millis()
            .max(1);
        let mut config = sled::Config::new()
            .use_compression(self.compression)
            .mode(match mode {
                Mode::LowSpace => sled::Mode::LowSpace,
                _ => sled::Mode::HighThroughput,
            })
            .flush_every_ms(match mode {
                Mode::HighSafety => None,
                _ => Some(flush_ms as u64),
            });
        let display_path;
        if self.temporary {
            config = config.temporary(true);
            display_path = String::from("(temporary)");
        } else {
            let path = self
                .path
                .clone()
                .ok_or_else(|| StorageError::InvalidConfig {
                    detail: "no path given: call .path(\"data/graph\") or use SledStorage::temp()"
                        .into(),
                })?;
            display_path = path.display().to_string();
            config = config.path(path);
        }
        let db = open_sled(&config, &display_path)?;
        let marker = match (&self.path, self.temporary) {
            (Some(dir), false) => Some(Marker::open(&db, dir, &display_path, self.repair_on_open)?),
            _ => None,
        };
        let tree: sled::Tree = (*db).clone();
        journal::recover(&tree)?;
        pages::migrate(&tree)?;
        let counters = Arc::new(Counters::default());
        let write_behind = WriteBehind::start(tree.clone(), mode == Mode::HighThroughput);
        Ok(SledStorage {
            db,
            tree,
            mode,
            path: display_path,
            write_behind,
            marker,
            counters,
            pages: parking_lot::Mutex::new(()),
            flushing: parking_lot::Mutex::new(()),
            config: StorageConfig {
                cache_capacity: self.cache_capacity,
                timeout: self.timeout,
                repair_on_open: self.repair_on_open,
                sync_on_commit: mode == Mode::HighSafety,
                change_log: true,
            },
        })
    }
}

/// sled can panic on some damaged files instead of returning an error; both
/// end here as [`StorageError::Corrupt`].
fn open_sled(config: &sled::Config, path: &str) -> Result<sled::Db, StorageError> {
    // A lock can be held for an instant by a child process that this process
    // is forking (it inherits the descriptor until it execs); only a lock
    // that outlasts a short grace period belongs to another process.
    let mut result = open_sled_once(config, path);
    for _ in 0..20 {
        if !matches!(result, Err(StorageError::Locked { .. })) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        result = open_sled_once(config, path);
    }
    result
}

fn open_sled_once(config: &sled::Config, path: &str) -> Result<sled::Db, StorageError> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| config.open()));
    match result {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(err)) => Err(map_open_error(err, path)),
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unreadable files".into());
            Err(StorageError::corrupt(format!(
                "sled database '{path}' cannot be read: {why}"
            )))
        }
    }
}

fn map_open_error(err: sled::Error, path: &str) -> StorageError {
    match err {
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            StorageError::Locked {
                path: path.to_string(),
            }
        }
        sled::Error::Corruption { at, .. } => StorageError::corrupt(format!(
            "sled database '{path}' is corrupt at {}",
            at.map_or_else(|| "an unknown offset".to_string(), |at| format!("{at:?}"))
        )),
        sled::Error::Unsupported(what) => StorageError::InvalidConfig {
            detail: format!("sled database '{path}' cannot be opened with these options: {what}"),
        },
        other => StorageError::backend(other),
    }
}

pub(crate) fn map_error(err: sled::Error) -> StorageError {
    match err {
        sled::Error::Corruption { at, .. } => {
            StorageError::corrupt(format!("sled reported corruption at {at:?}"))
        }
        other => StorageError::backend(other),
    }
}

#[derive(Default)]
pub(crate) struct Counters {
    reads: AtomicU64,
    scans: AtomicU64,
    batches: AtomicU64,
    writes: AtomicU64,
    bytes_written: AtomicU64,
    flushes: AtomicU64,
    /// `batches` as it was when the last successful flush began.
    durable: AtomicU64,
}

/// A persistent [`Storage`] in a sled database directory.
pub struct SledStorage {
    db: sled::Db,
    tree: sled::Tree,
    mode: Mode,
    path: String,
    /// Buffers commits (`high_throughput`) or writes them through, and
    /// serves readers what it has not written yet.
    write_behind: WriteBehind,
    marker: Option<Marker>,
    counters: Arc<Counters>,
    /// Held from reading the pages a batch changes until their new versions
    /// are written, so that concurrent batches do not overwrite each other's
    /// changes to a page.
    pages: parking_lot::Mutex<()>,
    /// Held by the flush in progress (see `flush`).
    flushing: parking_lot::Mutex<()>,
    config: StorageConfig,
}

impl std::fmt::Debug for SledStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledStorage")
            .field("path", &self.path)
            .field("mode", &self.mode)
            .finish()
    }
}

fn full_key(keyspace: Keyspace, key: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(key.len() + 1);
    full.push(keyspace.tag());
    full.extend_from_slice(key);
    full
}

impl SledStorage {
    /// Opens (or creates) the database at `path` with default options.
    ///
    /// # Errors
    /// See [`SledBuilder::open`].
    pub fn open(path: impl AsRef<Path>) -> Result<SledStorage, StorageError> {
        Self::builder().path(path).open()
    }

    /// A builder for the spec's options.
    pub fn builder() -> SledBuilder {
        SledBuilder::default()
    }

    /// A database in a temporary directory that is removed on drop.
    ///
    /// # Errors
    /// I/O errors creating it.
    pub fn temp() -> Result<SledStorage, StorageError> {
        Self::builder().temporary(true).open()
    }

    /// The durability mode it was opened with.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Where it lives on disk.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Rewrites every record so that space held by overwritten and deleted
    /// data is reclaimed, then flushes. Safe while the database is in use.
    ///
    /// # Errors
    /// Backend I/O errors.
    pub fn compact(&self) -> Result<(), StorageError> {
        self.write_behind.drain()?;
        // sled reclaims the segments of rewritten pages as it goes.
        for entry in self.tree.iter() {
            let (key, value) = entry.map_err(map_error)?;
            self.tree
                .compare_and_swap(&key, Some(&value), Some(&value))
                .map_err(map_error)?
                .ok();
        }
        self.db.flush().map_err(map_error)?;
        Ok(())
    }

    /// Calls `read` with the value under a sled key, from the write-behind
    /// buffer (read in place, under its lock) or sled.
    fn stored<R>(
        &self,
        key: &[u8],
        read: impl FnOnce(Option<&[u8]>) -> R,
    ) -> Result<R, StorageError> {
        match self.write_behind.read(key, read) {
            Ok(found) => Ok(found),
            Err(read) => Ok(read(self.tree.get(key).map_err(map_error)?.as_deref())),
        }
    }

    /// Writes `batch` one entry at a time, **not atomically**: for building a
    /// database nothing reads yet (a restore builds a new directory and
    /// renames it in when complete, and takes half as long this way as with
    /// batches of 1,000; `bench_backup`). In `high_throughput` mode this is
    /// [`Storage::apply`].
    ///
    /// # Errors
    /// As [`Storage::apply`]; entries before a failing one stay written.
    pub fn apply_unbatched(&self, batch: WriteBatch) -> Result<(), StorageError> {
        if self.mode == Mode::HighThroughput {
            return self.apply(batch);
        }
        let (writes, bytes) = (batch.len(), batch.put_bytes());
        let (changes, page_writes) = self.changes(batch);
        let write = |changes: &Changes| {
            journal::apply(
                &self.tree,
                changes.iter().map(|(k, v)| (&k[..], v.as_deref())),
            )
        };
        write(&changes)?;
        if !page_writes.is_empty() {
            let _pages = self.pages.lock();
            write(&self.rewrite_pages(page_writes)?)?;
        }
        self.count(writes, bytes);
        Ok(())
    }

    /// A batch's writes under their own sled keys (`None` deletes), with the
    /// marker's write counter, and apart from them its writes to pages.
    fn changes(&self, batch: WriteBatch) -> (Changes, PageWrites) {
        let mut changes = Changes::with_capacity(batch.len() + 1);
        let mut page_writes = PageWrites::new();
        for op in batch.into_ops() {
            let (keyspace, key, value) = match op {
                WriteOp::Put {
                    keyspace,
                    key,
                    value,
                } => (keyspace, key, Some(value)),
                WriteOp::Delete { keyspace, key } => (keyspace, key, None),
            };
            if pages::paged(keyspace, &key) {
                let (page, slot) = pages::locate(keyspace, &key);
                page_writes.entry(page).or_default().push((slot, value));
            } else {
                changes.push((full_key(keyspace, &key), value));
            }
        }
        if let Some(marker) = &self.marker {
            changes.push(marker.next_write());
        }
        (changes, page_writes)
    }

    /// The pages `page_writes` change, as they are after them (`None` when
    /// left empty), and the writes of their values stored under their own
    /// keys. The caller holds `self.pages` until it has written them.
    fn rewrite_pages(&self, page_writes: PageWrites) -> Result<Changes, StorageError> {
        let mut changes = Changes::new();
        for (page, writes) in page_writes {
            let (bytes, own) =
                self.stored(&page, |current| pages::rewrite(&page, current, writes))??;
            changes.push((page.to_vec(), bytes));
            changes.extend(own);
        }
        Ok(changes)
    }

    /// Counts a batch of `writes` changes putting `bytes` bytes.
    fn count(&self, writes: usize, bytes: u64) {
        self.counters.batches.fetch_add(1, Ordering::SeqCst);
        self.counters
            .writes
            .fetch_add(writes as u64, Ordering::Relaxed);
        self.counters
            .bytes_written
            .fetch_add(bytes, Ordering::Relaxed);
    }

    /// Verifies sled's own checksums of every stored page.
    ///
    /// # Errors
    /// [`StorageError::Corrupt`] naming the first failure.
    pub fn verify_checksums(&self) -> Result<(), StorageError> {
        self.db
            .checksum()
            .map(|_| ())
            .map_err(|err| StorageError::corrupt(format!("checksum verification failed: {err}")))
    }
}

impl Storage for SledStorage {
    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.counters.reads.fetch_add(1, Ordering::Relaxed);
        if pages::paged(keyspace, key) {
            let (page, slot) = pages::locate(keyspace, key);
            // `None` when the value is under a key of its own.
            let in_page = self.stored(&page, |bytes| -> Result<_, StorageError> {
                let Some(bytes) = bytes else {
                    return Ok(Some(None));
                };
                Ok(match pages::value(&page, bytes, slot)? {
                    Found::Absent => Some(None),
                    Found::Here(value) => Some(Some(value.to_vec())),
                    Found::Elsewhere => None,
                })
            })??;
            if let Some(value) = in_page {
                return Ok(value);
            }
        }
        self.stored(&full_key(keyspace, key), |value| value.map(<[u8]>::to_vec))
    }

    fn scan_prefix(
        &self,
        keyspace: Keyspace,
        prefix: &[u8],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StorageError> {
        self.scan(keyspace, prefix, prefix, visit)
    }

    fn scan_from(
        &self,
        keyspace: Keyspace,
        start: &[u8],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StorageError> {
        self.scan(keyspace, start, b"", visit)
    }

    fn apply(&self, batch: WriteBatch) -> Result<(), StorageError> {
        let (writes, bytes) = (batch.len(), batch.put_bytes());
        let (mut changes, page_writes) = self.changes(batch);
        let _pages = (!page_writes.is_empty()).then(|| self.pages.lock());
        if self.mode == Mode::HighThroughput {
            self.write_behind.apply(changes, page_writes)?;
        } else {
            changes.extend(self.rewrite_pages(page_writes)?);
            self.write_behind.write_through(changes)?;
        }
        self.count(writes, bytes);
        Ok(())
    }

    fn flush(&self) -> Result<(), StorageError> {
        // Group commit: writers that applied their batches while another
        // flush ran wait for it, then one flush makes all of them durable.
        let applied = self.counters.batches.load(Ordering::SeqCst);
        let _one_at_a_time = self.flushing.lock();
        if self.counters.durable.load(Ordering::SeqCst) >= applied {
            return Ok(());
        }
        let applied = self.counters.batches.load(Ordering::SeqCst);
        let written = self.marker.as_ref().map(Marker::writes);
        self.write_behind.drain()?;
        self.db.flush().map_err(map_error)?;
        self.counters.durable.store(applied, Ordering::SeqCst);
        self.counters.flushes.fetch_add(1, Ordering::Relaxed);
        if let (Some(marker), Some(written)) = (&self.marker, written) {
            marker.flushed(written, false)?;
        }
        Ok(())
    }

    fn size_on_disk(&self) -> Result<u64, StorageError> {
        self.db.size_on_disk().map_err(map_error)
    }

    fn io_stats(&self) -> IoStats {
        let c = &self.counters;
        IoStats {
            reads: c.reads.load(Ordering::Relaxed),
            scans: c.scans.load(Ordering::Relaxed),
            batches: c.batches.load(Ordering::Relaxed),
            writes: c.writes.load(Ordering::Relaxed),
            bytes_written: c.bytes_written.load(Ordering::Relaxed),
            flushes: c.flushes.load(Ordering::Relaxed),
        }
    }

    fn config(&self) -> StorageConfig {
        self.config
    }
}

impl Drop for SledStorage {
    fn drop(&mut self) {
        // Stop the write-behind thread and write out what it holds; a failure
        // here cannot be reported, and sled recovers to its last flush.
        let written = self.marker.as_ref().map(Marker::writes);
        let _ = self.write_behind.stop();
        if self.db.flush().is_ok() {
            if let (Some(marker), Some(written)) = (&self.marker, written) {
                let _ = marker.flushed(written, true);
            }
        }
    }
}
