//! The cache of decoded property records (the spec's "LRU cache for hot
//! data"), with the hit and miss counts behind `metrics().cache_hit_rate()`.
//!
//! Recency is kept the CLOCK way, the usual approximation of LRU: a hit only
//! marks its record as used; when the cache is full, a hand sweeps over the
//! records in a ring, clearing marks, and evicts the first record it finds
//! unmarked (used less recently than one revolution of the hand). A strict
//! LRU list has to be relinked on every hit (two more records written), and
//! finding a record by hash costs two more memory reads than finding a node
//! record by its slot: node records are kept in a vector indexed by slot,
//! edge records in a hash map. On a large graph each of those reads is a
//! cache miss; `bench_core`'s node lookups got 13% faster without them.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use hashbrown::HashMap;

use crate::sync::Mutex;
use crate::value::Value;

/// Which record: a node by slot, an edge by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordKey {
    Node(u32),
    Edge(u64),
}

impl RecordKey {
    pub fn node(slot: u32) -> Self {
        RecordKey::Node(slot)
    }

    pub fn edge(id: u64) -> Self {
        RecordKey::Edge(id)
    }
}

pub(crate) struct RecordCache {
    entries: Option<Mutex<Entries>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl RecordCache {
    /// A cache of at most `capacity` records; 0 disables caching.
    pub fn new(capacity: usize) -> Self {
        RecordCache {
            entries: (capacity > 0).then(|| Mutex::new(Entries::new(capacity))),
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
            if let Some(found) = entries.lock().get(key) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(found);
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
    /// hit, marked used) or `None`.
    pub fn get_many(
        &self,
        keys: impl Iterator<Item = RecordKey>,
        out: &mut Vec<Option<Arc<Value>>>,
    ) {
        let start = out.len();
        match &self.entries {
            Some(entries) => {
                let mut entries = entries.lock();
                out.extend(keys.map(|key| entries.get(key)));
            }
            None => out.extend(keys.map(|_| None)),
        }
        let hits = out[start..].iter().filter(|v| v.is_some()).count();
        self.hits.fetch_add(hits as u64, Ordering::Relaxed);
    }

    /// The cached record, without counting a hit or marking it used.
    pub fn peek(&self, key: RecordKey) -> Option<Arc<Value>> {
        let entries = self.entries.as_ref()?.lock();
        entries.value(key).map(Arc::clone)
    }

    /// Replaces (or, with `None`, drops) a cached record after a commit.
    pub fn set(&self, key: RecordKey, value: Option<Value>) {
        if let Some(entries) = &self.entries {
            let mut entries = entries.lock();
            match value {
                Some(value) => entries.put(key, Arc::new(value)),
                None => entries.remove(key),
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
        self.entries.as_ref().map_or(0, |e| e.lock().ring.len())
    }
}

/// An edge record: its value, whether it was hit since the hand last
/// passed, and where its key is in the ring.
struct Entry {
    value: Arc<Value>,
    used: bool,
    at: u32,
}

/// The cached records and the CLOCK ring of their keys (module docs).
///
/// A node's record, use mark and ring position are in three vectors by
/// slot rather than one: a hit reads 8 bytes of the first and one bit of
/// the second (which stays in cache), so the hot part spans as few memory
/// pages as it can (the TLB misses of a lookup cost as much as its cache
/// misses). The price: about 12 bytes per node slot up to the highest slot
/// cached, whatever the capacity.
struct Entries {
    /// Node records by slot (`None`: not cached).
    nodes: Vec<Option<Arc<Value>>>,
    /// One bit per node slot: hit since the hand last passed.
    nodes_used: Vec<u64>,
    /// Per node slot: where its key is in the ring (while cached).
    nodes_at: Vec<u32>,
    edges: HashMap<u64, Entry>,
    /// The key of every cached record, each once.
    ring: Vec<RecordKey>,
    /// The ring position the next eviction looks at first.
    hand: usize,
    capacity: usize,
}

impl Entries {
    fn new(capacity: usize) -> Self {
        Entries {
            nodes: Vec::new(),
            nodes_used: Vec::new(),
            nodes_at: Vec::new(),
            edges: HashMap::new(),
            ring: Vec::new(),
            hand: 0,
            capacity,
        }
    }

    fn value(&self, key: RecordKey) -> Option<&Arc<Value>> {
        match key {
            RecordKey::Node(slot) => self.nodes.get(slot as usize)?.as_ref(),
            RecordKey::Edge(id) => self.edges.get(&id).map(|entry| &entry.value),
        }
    }

    /// Sets or clears the use mark of a cached record; returns the old one.
    fn mark(&mut self, key: RecordKey, used: bool) -> bool {
        match key {
            RecordKey::Node(slot) => {
                let (word, bit) = (slot as usize / 64, 1u64 << (slot % 64));
                let old = self.nodes_used[word] & bit != 0;
                if used {
                    self.nodes_used[word] |= bit;
                } else {
                    self.nodes_used[word] &= !bit;
                }
                old
            }
            RecordKey::Edge(id) => self
                .edges
                .get_mut(&id)
                .is_some_and(|entry| core::mem::replace(&mut entry.used, used)),
        }
    }

    fn set_at(&mut self, key: RecordKey, at: usize) {
        match key {
            RecordKey::Node(slot) => self.nodes_at[slot as usize] = at as u32,
            RecordKey::Edge(id) => {
                if let Some(entry) = self.edges.get_mut(&id) {
                    entry.at = at as u32;
                }
            }
        }
    }

    /// A hit, marked used.
    fn get(&mut self, key: RecordKey) -> Option<Arc<Value>> {
        let value = Arc::clone(self.value(key)?);
        self.mark(key, true);
        Some(value)
    }

    fn put(&mut self, key: RecordKey, value: Arc<Value>) {
        if let RecordKey::Node(slot) = key {
            let slot = slot as usize;
            if self.nodes.len() <= slot {
                let len = slot + 1;
                self.nodes.resize(len, None);
                self.nodes_at.resize(len, 0);
                self.nodes_used.resize(len.div_ceil(64), 0);
            }
        }
        let cached = match key {
            RecordKey::Node(slot) => self.nodes[slot as usize].replace(value).is_some(),
            RecordKey::Edge(id) => match self.edges.get_mut(&id) {
                Some(entry) => {
                    entry.value = value;
                    true
                }
                None => {
                    let entry = Entry {
                        value,
                        used: false,
                        at: 0,
                    };
                    self.edges.insert(id, entry);
                    false
                }
            },
        };
        if cached {
            self.mark(key, true);
            return;
        }
        // A new record: not marked, given a place in the ring.
        self.mark(key, false);
        let at = if self.ring.len() < self.capacity {
            self.ring.push(key);
            self.ring.len() - 1
        } else {
            let at = self.victim();
            let evicted = core::mem::replace(&mut self.ring[at], key);
            self.take(evicted);
            at
        };
        self.set_at(key, at);
    }

    /// The ring position of the record to evict: the hand clears marks
    /// until it meets a record not used since it last passed (at most one
    /// revolution, after which every mark is clear).
    fn victim(&mut self) -> usize {
        loop {
            let at = self.hand;
            self.hand = (self.hand + 1) % self.ring.len();
            if !self.mark(self.ring[at], false) {
                return at;
            }
        }
    }

    /// Removes a record (not its ring position); its ring position if it
    /// was cached.
    fn take(&mut self, key: RecordKey) -> Option<usize> {
        let at = match key {
            RecordKey::Node(slot) => {
                self.nodes.get_mut(slot as usize)?.take()?;
                self.nodes_at[slot as usize]
            }
            RecordKey::Edge(id) => self.edges.remove(&id)?.at,
        };
        Some(at as usize)
    }

    fn remove(&mut self, key: RecordKey) {
        let Some(at) = self.take(key) else {
            return;
        };
        // The last key takes the freed ring position.
        self.ring.swap_remove(at);
        if let Some(&moved) = self.ring.get(at) {
            self.set_at(moved, at);
        }
        if self.hand >= self.ring.len() {
            self.hand = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value(n: i64) -> Value {
        Value::Int(n)
    }

    fn cached(cache: &RecordCache, key: RecordKey) -> Option<i64> {
        cache.peek(key).map(|v| match *v {
            Value::Int(n) => n,
            _ => unreachable!("only ints are cached here"),
        })
    }

    /// Every cached record is in the ring once, at the position it records.
    fn check_ring(cache: &RecordCache) {
        let entries = cache.entries.as_ref().unwrap().lock();
        let live = entries.nodes.iter().filter(|e| e.is_some()).count() + entries.edges.len();
        assert_eq!(live, entries.ring.len());
        assert!(entries.ring.len() <= entries.capacity);
        for (at, &key) in entries.ring.iter().enumerate() {
            let recorded = match key {
                RecordKey::Node(slot) => entries.nodes_at[slot as usize],
                RecordKey::Edge(id) => entries.edges[&id].at,
            };
            assert!(entries.value(key).is_some());
            assert_eq!(recorded as usize, at);
        }
    }

    #[test]
    fn records_used_since_the_hand_passed_outlive_a_scan() {
        let cache = RecordCache::new(4);
        for slot in 0..4 {
            cache.set(RecordKey::node(slot), Some(value(slot.into())));
        }
        // Node 0 stays hot while edges stream through the cache.
        for id in 0..20 {
            let hot = cache.get_or_load(RecordKey::node(0), || -> Result<_, ()> { Ok(value(-1)) });
            assert_eq!(*hot.unwrap(), value(0), "a hit, never reloaded");
            cache.set(RecordKey::edge(id), Some(value(100 + id as i64)));
            check_ring(&cache);
        }
        assert_eq!(cache.len(), 4);
        assert_eq!(cached(&cache, RecordKey::node(0)), Some(0));
        assert_eq!(cached(&cache, RecordKey::node(1)), None, "cold, evicted");
        assert_eq!(
            cached(&cache, RecordKey::edge(19)),
            Some(119),
            "the newest stays"
        );
        assert_eq!(cache.hits(), 20);
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let cache = RecordCache::new(0);
        cache.set(RecordKey::node(1), Some(value(1)));
        let loaded = cache.get_or_load(RecordKey::node(1), || -> Result<_, ()> { Ok(value(2)) });
        assert_eq!(*loaded.unwrap(), value(2));
        assert_eq!((cache.len(), cache.hits(), cache.misses()), (0, 0, 1));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Set(RecordKey, Option<i64>),
        Get(RecordKey),
    }

    fn key() -> impl Strategy<Value = RecordKey> {
        prop_oneof![
            (0u32..12).prop_map(RecordKey::node),
            (0u64..12).prop_map(RecordKey::edge),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (key(), proptest::option::of(0i64..100)).prop_map(|(k, v)| Op::Set(k, v)),
            key().prop_map(Op::Get),
        ]
    }

    proptest! {
        /// Whatever the order of writes, drops and reads, the cache holds
        /// at most `capacity` records and never answers with anything but
        /// the latest value set for a key (the model).
        #[test]
        fn never_stale_and_bounded(capacity in 1usize..6, ops in proptest::collection::vec(op(), 0..80)) {
            let cache = RecordCache::new(capacity);
            let mut model: HashMap<(bool, u64), i64> = HashMap::new();
            let id = |k: RecordKey| match k {
                RecordKey::Node(s) => (true, u64::from(s)),
                RecordKey::Edge(e) => (false, e),
            };
            for op in ops {
                match op {
                    Op::Set(k, v) => {
                        cache.set(k, v.map(value));
                        match v {
                            Some(v) => model.insert(id(k), v),
                            None => model.remove(&id(k)),
                        };
                    }
                    Op::Get(k) => {
                        let expected = model.get(&id(k)).copied().unwrap_or(-1);
                        let got = cache.get_or_load(k, || -> Result<_, ()> { Ok(value(expected)) });
                        prop_assert_eq!(Value::clone(&got.unwrap()), value(expected));
                        if expected < 0 {
                            // Not in the model: do not keep the loaded stand-in.
                            cache.set(k, None);
                        }
                    }
                }
                check_ring(&cache);
                prop_assert!(cache.len() <= capacity);
            }
        }
    }
}
