//! The storage layer under MAYA Knowledge Graph.
//!
//! A backend stores opaque bytes in a handful of ordered keyspaces and applies
//! [`WriteBatch`]es atomically. All encoding lives in the graph core, so
//! backends stay small and uniform: [`MemoryStorage`], `SledStorage` and the
//! browser snapshot store all implement the same five methods, and all of them
//! run the same [`conformance`] suite.
//!
//! [`MemoryStorage`]: https://docs.rs/knowledge-graph-memory
#![no_std]
#![deny(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::alloc_instead_of_core
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod conformance;
mod error;

use alloc::vec::Vec;
use core::ops::ControlFlow;

pub use error::StorageError;

/// The separate ordered key spaces a graph stores its records in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
#[repr(u8)]
pub enum Keyspace {
    /// Format version, counters and index definitions.
    Meta = 0,
    /// Node records, keyed by node id.
    Nodes = 1,
    /// Edge records, keyed by big-endian edge id.
    Edges = 2,
    /// Secondary index entries.
    Index = 3,
    /// The change log: one entry per commit, keyed by big-endian sequence
    /// number (what incremental backups are made of). Not part of snapshots.
    Log = 4,
}

impl Keyspace {
    /// Every keyspace, in order.
    pub const ALL: [Keyspace; 5] = [Self::Meta, Self::Nodes, Self::Edges, Self::Index, Self::Log];

    /// The keyspace's one-byte tag, stable across versions.
    pub fn tag(self) -> u8 {
        self as u8
    }

    /// The keyspace for a tag written by [`Keyspace::tag`].
    pub fn from_tag(tag: u8) -> Option<Keyspace> {
        Self::ALL.into_iter().find(|ks| ks.tag() == tag)
    }

    /// A short lowercase name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Meta => "meta",
            Self::Nodes => "nodes",
            Self::Edges => "edges",
            Self::Index => "index",
            Self::Log => "log",
        }
    }
}

/// One change in a [`WriteBatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOp {
    /// Set `key` to `value`.
    Put {
        /// Target keyspace.
        keyspace: Keyspace,
        /// Key bytes.
        key: Vec<u8>,
        /// Value bytes.
        value: Vec<u8>,
    },
    /// Remove `key` (no error if absent).
    Delete {
        /// Target keyspace.
        keyspace: Keyspace,
        /// Key bytes.
        key: Vec<u8>,
    },
}

/// A set of changes applied all together or not at all, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteBatch {
    ops: Vec<WriteOp>,
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues `key = value` in `keyspace`.
    pub fn put(&mut self, keyspace: Keyspace, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.push(WriteOp::Put {
            keyspace,
            key: key.into(),
            value: value.into(),
        });
    }

    /// Queues the removal of `key` from `keyspace`.
    pub fn delete(&mut self, keyspace: Keyspace, key: impl Into<Vec<u8>>) {
        self.ops.push(WriteOp::Delete {
            keyspace,
            key: key.into(),
        });
    }

    /// Appends every change of `other` after this batch's changes.
    pub fn extend(&mut self, other: WriteBatch) {
        self.ops.extend(other.ops);
    }

    /// The queued changes, in order.
    pub fn ops(&self) -> &[WriteOp] {
        &self.ops
    }

    /// Consumes the batch, yielding its changes in order.
    pub fn into_ops(self) -> Vec<WriteOp> {
        self.ops
    }

    /// Number of queued changes.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Bytes of the keys and values the batch puts (what backends count as
    /// written; deletes count none).
    pub fn put_bytes(&self) -> u64 {
        self.ops
            .iter()
            .map(|op| match op {
                WriteOp::Put { key, value, .. } => (key.len() + value.len()) as u64,
                WriteOp::Delete { .. } => 0,
            })
            .sum()
    }
}

/// The visitor [`Storage::scan_prefix`] calls with each key and value.
pub type Visitor<'a> = dyn FnMut(&[u8], &[u8]) -> ControlFlow<()> + 'a;

/// Read and write counters a backend keeps about itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IoStats {
    /// Point reads served.
    pub reads: u64,
    /// Prefix scans started.
    pub scans: u64,
    /// Batches applied.
    pub batches: u64,
    /// Individual puts and deletes applied.
    pub writes: u64,
    /// Bytes written (keys plus values of puts).
    pub bytes_written: u64,
    /// Explicit or periodic flushes to durable media.
    pub flushes: u64,
}

/// A byte-level, ordered, transactional key-value store.
///
/// Implementations must be safe to share between threads; every method takes
/// `&self`. The trait is object safe.
pub trait Storage: Send + Sync {
    /// Reads the value stored under `key`.
    ///
    /// # Errors
    /// Backend I/O or corruption errors.
    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;

    /// Calls `visit` for every entry whose key starts with `prefix`, in
    /// ascending key order, until it returns [`ControlFlow::Break`].
    ///
    /// # Errors
    /// Backend I/O or corruption errors.
    fn scan_prefix(
        &self,
        keyspace: Keyspace,
        prefix: &[u8],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StorageError>;

    /// Calls `visit` for every entry whose key is `>= start`, in ascending
    /// key order, until it returns [`ControlFlow::Break`] (range scans).
    ///
    /// The default walks the whole keyspace; backends override it to seek.
    ///
    /// # Errors
    /// Backend I/O or corruption errors.
    fn scan_from(
        &self,
        keyspace: Keyspace,
        start: &[u8],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StorageError> {
        self.scan_prefix(keyspace, b"", &mut |key, value| {
            if key < start {
                ControlFlow::Continue(())
            } else {
                visit(key, value)
            }
        })
    }

    /// Applies every change in `batch` atomically: after a crash, either all
    /// of them are visible or none are.
    ///
    /// # Errors
    /// Backend I/O errors; nothing of the batch is applied then.
    fn apply(&self, batch: WriteBatch) -> Result<(), StorageError>;

    /// Makes every applied batch durable.
    ///
    /// # Errors
    /// Backend I/O errors.
    fn flush(&self) -> Result<(), StorageError>;

    /// Bytes the store occupies on durable media (0 for memory-only stores).
    ///
    /// # Errors
    /// Backend I/O errors.
    fn size_on_disk(&self) -> Result<u64, StorageError>;

    /// Read and write counters since the store was opened.
    fn io_stats(&self) -> IoStats {
        IoStats::default()
    }

    /// Settings the backend was opened with that the graph layer acts on.
    fn config(&self) -> StorageConfig {
        StorageConfig::default()
    }
}

/// Settings a backend carries for the graph above it (the spec puts them on
/// the storage builder).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StorageConfig {
    /// Decoded records the graph keeps in its LRU cache; `None` for its default.
    pub cache_capacity: Option<usize>,
    /// How long a writer waits for the write lock; `None` for the graph's default.
    pub timeout: Option<core::time::Duration>,
    /// Drop records that fail their checksum when loading, instead of refusing to open.
    pub repair_on_open: bool,
    /// Flush after every commit, so an acknowledged commit survives a crash.
    pub sync_on_commit: bool,
    /// Keep a change log (incremental backups, point-in-time recovery)
    /// unless the graph's options say otherwise: true for stores whose
    /// files outlive the process.
    pub change_log: bool,
}

impl<S: Storage + ?Sized> Storage for alloc::sync::Arc<S> {
    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        (**self).get(keyspace, key)
    }
    fn scan_prefix(
        &self,
        keyspace: Keyspace,
        prefix: &[u8],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StorageError> {
        (**self).scan_prefix(keyspace, prefix, visit)
    }
    fn scan_from(
        &self,
        keyspace: Keyspace,
        start: &[u8],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StorageError> {
        (**self).scan_from(keyspace, start, visit)
    }
    fn apply(&self, batch: WriteBatch) -> Result<(), StorageError> {
        (**self).apply(batch)
    }
    fn flush(&self) -> Result<(), StorageError> {
        (**self).flush()
    }
    fn size_on_disk(&self) -> Result<u64, StorageError> {
        (**self).size_on_disk()
    }
    fn io_stats(&self) -> IoStats {
        (**self).io_stats()
    }
    fn config(&self) -> StorageConfig {
        (**self).config()
    }
}
