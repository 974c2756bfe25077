//! [`SnapshotStorage`]: the in-memory store under a browser graph.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use knowledge_graph_memory::MemoryStorage;
use knowledge_graph_storage::{
    IoStats, Keyspace, Storage, StorageConfig, StorageError, Visitor, WriteBatch,
};

/// A [`MemoryStorage`] that counts the batches applied to it, so the layer
/// that persists it as a snapshot knows whether anything changed since the
/// last save (see [`SnapshotStorage::revision`]).
///
/// It runs the same conformance suite as every other backend, natively and in
/// WebAssembly.
#[derive(Debug, Default)]
pub struct SnapshotStorage {
    inner: MemoryStorage,
    revision: AtomicU64,
}

impl SnapshotStorage {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A counter that grows with every non-empty batch applied. Record it
    /// after a save; a different value later means there is unsaved data.
    pub fn revision(&self) -> u64 {
        self.revision.load(Ordering::Acquire)
    }
}

impl Storage for SnapshotStorage {
    fn get(&self, keyspace: Keyspace, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.inner.get(keyspace, key)
    }

    fn scan_prefix(
        &self,
        keyspace: Keyspace,
        prefix: &[u8],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StorageError> {
        self.inner.scan_prefix(keyspace, prefix, visit)
    }

    fn apply(&self, batch: WriteBatch) -> Result<(), StorageError> {
        let changes = !batch.is_empty();
        self.inner.apply(batch)?;
        if changes {
            self.revision.fetch_add(1, Ordering::AcqRel);
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), StorageError> {
        self.inner.flush()
    }

    fn size_on_disk(&self) -> Result<u64, StorageError> {
        self.inner.size_on_disk()
    }

    fn io_stats(&self) -> IoStats {
        self.inner.io_stats()
    }

    fn config(&self) -> StorageConfig {
        self.inner.config()
    }
}
