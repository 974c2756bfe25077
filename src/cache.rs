//! The LRU cache of decoded property records (the spec's "LRU cache for hot
//! data"), with the hit and miss counts behind `metrics().cache_hit_rate()`.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::num::NonZeroUsize;
use core::sync::atomic::{AtomicU64, Ordering};

use lru::LruCache;

use crate::sync::Mutex;
use crate::value::Value;

/// Cache key: node slots have the top bit set, edge ids do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct RecordKey(u64);

impl RecordKey {
    pub fn node(slot: u32) -> Self {
        RecordKey(u64::from(slot) | 1 << 63)
    }

    pub fn edge(id: u64) -> Self {
        RecordKey(id)
    }
}

pub(crate) struct RecordCache {
    entries: Option<Mutex<LruCache<RecordKey, Arc<Value>>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl RecordCache {
    /// A cache of at most `capacity` records; 0 disables caching.
    pub fn new(capacity: usize) -> Self {
        RecordCache {
            entries: NonZeroUsize::new(capacity).map(|cap| Mutex::new(LruCache::new(cap))),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The cached record, or the one `load` reads (then cached).
    pub fn get_or_load<E>(
        &self,
        key: RecordKey,
        load: impl FnOnce() -> Result<Value, E>,
    ) -> Result<Arc<Value>, E> {
        if let Some(entries) = &self.entries {
            if let Some(found) = entries.lock().get(&key) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(Arc::clone(found));
            }
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let value = Arc::new(load()?);
        if let Some(entries) = &self.entries {
            entries.lock().put(key, Arc::clone(&value));
        }
        Ok(value)
    }

    /// Looks `keys` up under one lock: `out` gets each cached record (a
    /// hit, made most recent) or `None`.
    pub fn get_many(
        &self,
        keys: impl Iterator<Item = RecordKey>,
        out: &mut Vec<Option<Arc<Value>>>,
    ) {
        let start = out.len();
        match &self.entries {
            Some(entries) => {
                let mut entries = entries.lock();
                out.extend(keys.map(|key| entries.get(&key).cloned()));
            }
            None => out.extend(keys.map(|_| None)),
        }
        let hits = out[start..].iter().filter(|v| v.is_some()).count();
        self.hits.fetch_add(hits as u64, Ordering::Relaxed);
    }

    /// The cached record, without counting a hit or touching its recency.
    pub fn peek(&self, key: RecordKey) -> Option<Arc<Value>> {
        self.entries.as_ref()?.lock().peek(&key).cloned()
    }

    /// Replaces (or, with `None`, drops) a cached record after a commit.
    pub fn set(&self, key: RecordKey, value: Option<Value>) {
        if let Some(entries) = &self.entries {
            let mut entries = entries.lock();
            match value {
                Some(value) => {
                    entries.put(key, Arc::new(value));
                }
                None => {
                    entries.pop(&key);
                }
            }
        }
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    pub fn len(&self) -> usize {
        self.entries.as_ref().map_or(0, |e| e.lock().len())
    }
}
