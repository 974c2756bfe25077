//! [`MemoryStorage`]: a [`Storage`] backend that keeps every keyspace in a
//! `BTreeMap` behind one lock. Nothing survives the process; use it for tests,
//! caches and browser graphs that persist through snapshots instead.
#![no_std]
#![deny(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::alloc_instead_of_core
)]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

pub use knowledge_graph_storage::{
    IoStats, Keyspace, Storage, StorageError, Visitor, WriteBatch, WriteOp,
};
use spin::RwLock;

type Tree = BTreeMap<Vec<u8>, Vec<u8>>;

/// A volatile, thread-safe [`Storage`] held entirely in memory.
#[derive(Default)]
pub struct MemoryStorage {
    trees: RwLock<[Tree; Keyspace::ALL.len()]>,
    stats: Counters,
}

#[derive(Default)]
struct Counters {
    reads: AtomicU64,
    scans: AtomicU64,
    batches: AtomicU64,
    writes: AtomicU64,
    bytes_written: AtomicU64,
    flushes: AtomicU64,
}

impl MemoryStorage {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries in `keyspace`.
    pub fn len(&self, keyspace: Keyspace) -> usize {
        self.trees.read()[keyspace as usize].len()
    }

    /// True when no keyspace holds anything.
    pub fn is_empty(&self) -> bool {
        self.trees.read().iter().all(BTreeMap::is_empty)
    }
}

impl core::fmt::Debug for MemoryStorage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let trees = self.trees.read();
        let mut s = f.debug_struct("MemoryStorage");
        for ks in Keyspace::ALL {
            s.field(ks.name(), &trees[ks as usize].len());
        }
        s.finish()
    }
}

impl Storage for MemoryStorage {
    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.stats.reads.fetch_add(1, Ordering::Relaxed);
        Ok(self.trees.read()[keyspace as usize].get(key).cloned())
    }

    fn scan_prefix(
        &self,
        keyspace: Keyspace,
        prefix: &[u8],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StorageError> {
        self.stats.scans.fetch_add(1, Ordering::Relaxed);
        let trees = self.trees.read();
        for (key, value) in trees[keyspace as usize].range(prefix.to_vec()..) {
            if !key.starts_with(prefix) || visit(key, value).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn scan_from(
        &self,
        keyspace: Keyspace,
        start: &[u8],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StorageError> {
        self.stats.scans.fetch_add(1, Ordering::Relaxed);
        let trees = self.trees.read();
        for (key, value) in trees[keyspace as usize].range(start.to_vec()..) {
            if visit(key, value).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn apply(&self, batch: WriteBatch) -> Result<(), StorageError> {
        let (writes, bytes) = (batch.len() as u64, batch.put_bytes());
        let mut trees = self.trees.write();
        for op in batch.into_ops() {
            match op {
                WriteOp::Put {
                    keyspace,
                    key,
                    value,
                } => {
                    trees[keyspace as usize].insert(key, value);
                }
                WriteOp::Delete { keyspace, key } => {
                    trees[keyspace as usize].remove(&key);
                }
            }
        }
        drop(trees);
        self.stats.batches.fetch_add(1, Ordering::Relaxed);
        self.stats.writes.fetch_add(writes, Ordering::Relaxed);
        self.stats.bytes_written.fetch_add(bytes, Ordering::Relaxed);
        Ok(())
    }

    fn flush(&self) -> Result<(), StorageError> {
        self.stats.flushes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn size_on_disk(&self) -> Result<u64, StorageError> {
        Ok(0)
    }

    fn io_stats(&self) -> IoStats {
        let s = &self.stats;
        IoStats {
            reads: s.reads.load(Ordering::Relaxed),
            scans: s.scans.load(Ordering::Relaxed),
            batches: s.batches.load(Ordering::Relaxed),
            writes: s.writes.load(Ordering::Relaxed),
            bytes_written: s.bytes_written.load(Ordering::Relaxed),
            flushes: s.flushes.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::MemoryStorage;

    knowledge_graph_storage::conformance_tests!(#[test], MemoryStorage::new);

    #[test]
    fn should_never_show_half_a_batch() {
        knowledge_graph_storage::conformance::should_never_show_half_a_batch(&MemoryStorage::new());
    }
}
