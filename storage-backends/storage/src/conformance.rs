//! The behaviour every [`Storage`] backend must have, as `should_*` functions.
//!
//! Each function takes a fresh, empty store and panics (it is test code) when
//! the backend misbehaves. [`conformance_tests!`](crate::conformance_tests)
//! turns the whole list into one test per function for a backend:
//!
//! ```ignore
//! knowledge_graph_storage::conformance_tests!(#[test], || MemoryStorage::new());
//! ```
#![allow(clippy::missing_panics_doc)]

use alloc::vec;
use alloc::vec::Vec;
use core::ops::ControlFlow;

use crate::{Keyspace, Storage, WriteBatch};

fn put<S: Storage + ?Sized>(store: &S, ks: Keyspace, key: &[u8], value: &[u8]) {
    let mut batch = WriteBatch::new();
    batch.put(ks, key, value);
    store.apply(batch).expect("apply put");
}

fn scan<S: Storage + ?Sized>(store: &S, ks: Keyspace, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    store
        .scan_prefix(ks, prefix, &mut |k, v| {
            out.push((k.to_vec(), v.to_vec()));
            ControlFlow::Continue(())
        })
        .expect("scan");
    out
}

/// A key never written reads as `None`.
pub fn should_read_missing_key_as_none<S: Storage + ?Sized>(store: &S) {
    assert_eq!(store.get(Keyspace::Nodes, b"nobody").unwrap(), None);
}

/// A put value reads back byte for byte.
pub fn should_read_back_what_was_put<S: Storage + ?Sized>(store: &S) {
    put(store, Keyspace::Nodes, b"alice", b"\x01\x02\x03");
    assert_eq!(
        store.get(Keyspace::Nodes, b"alice").unwrap(),
        Some(vec![1, 2, 3])
    );
}

/// A second put of the same key replaces the first.
pub fn should_overwrite_existing_key<S: Storage + ?Sized>(store: &S) {
    put(store, Keyspace::Nodes, b"k", b"one");
    put(store, Keyspace::Nodes, b"k", b"two");
    assert_eq!(
        store.get(Keyspace::Nodes, b"k").unwrap(),
        Some(b"two".to_vec())
    );
    assert_eq!(scan(store, Keyspace::Nodes, b"").len(), 1);
}

/// A deleted key reads as `None`; deleting a missing key is not an error.
pub fn should_delete_keys<S: Storage + ?Sized>(store: &S) {
    put(store, Keyspace::Edges, b"k", b"v");
    let mut batch = WriteBatch::new();
    batch.delete(Keyspace::Edges, b"k".to_vec());
    batch.delete(Keyspace::Edges, b"never-there".to_vec());
    store.apply(batch).unwrap();
    assert_eq!(store.get(Keyspace::Edges, b"k").unwrap(), None);
}

/// The same key in two keyspaces holds two independent values.
pub fn should_keep_keyspaces_apart<S: Storage + ?Sized>(store: &S) {
    for (i, ks) in Keyspace::ALL.into_iter().enumerate() {
        put(store, ks, b"same", &[i as u8]);
    }
    for (i, ks) in Keyspace::ALL.into_iter().enumerate() {
        assert_eq!(
            store.get(ks, b"same").unwrap(),
            Some(vec![i as u8]),
            "keyspace {}",
            ks.name()
        );
        assert_eq!(scan(store, ks, b"").len(), 1, "keyspace {}", ks.name());
    }
}

/// Prefix scans return exactly the matching keys, in ascending byte order.
pub fn should_scan_prefix_in_key_order<S: Storage + ?Sized>(store: &S) {
    let mut batch = WriteBatch::new();
    for key in [&b"b2"[..], b"a", b"b10", b"b", b"c", b"b\xff", b"b\x00"] {
        batch.put(Keyspace::Index, key, key);
    }
    store.apply(batch).unwrap();
    let keys: Vec<Vec<u8>> = scan(store, Keyspace::Index, b"b")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let expected: Vec<Vec<u8>> = [&b"b"[..], b"b\x00", b"b10", b"b2", b"b\xff"]
        .iter()
        .map(|k| k.to_vec())
        .collect();
    assert_eq!(keys, expected);
    assert_eq!(scan(store, Keyspace::Index, b"").len(), 7);
    assert!(scan(store, Keyspace::Index, b"z").is_empty());
}

/// Range scans start at the given key (inclusive) and stay inside the keyspace.
pub fn should_scan_from_a_key<S: Storage + ?Sized>(store: &S) {
    let mut batch = WriteBatch::new();
    for key in [&b"a"[..], b"b", b"b\x00", b"c", b"d"] {
        batch.put(Keyspace::Index, key, key);
    }
    batch.put(Keyspace::Meta, &b"zz"[..], &b"other keyspace"[..]);
    store.apply(batch).unwrap();
    let mut seen = Vec::new();
    store
        .scan_from(Keyspace::Index, b"b", &mut |k, _| {
            seen.push(k.to_vec());
            ControlFlow::Continue(())
        })
        .unwrap();
    let expected: Vec<Vec<u8>> = [&b"b"[..], b"b\x00", b"c", b"d"]
        .iter()
        .map(|k| k.to_vec())
        .collect();
    assert_eq!(seen, expected);
    let mut first = Vec::new();
    store
        .scan_from(Keyspace::Index, b"bb", &mut |k, _| {
            first.push(k.to_vec());
            ControlFlow::Break(())
        })
        .unwrap();
    assert_eq!(first, [b"c".to_vec()]);
}

/// Range scans seek in every keyspace, the change log included (the graph
/// finds the newest log entry by seeking), and never run into the next one.
pub fn should_scan_from_in_every_keyspace<S: Storage + ?Sized>(store: &S) {
    let mut batch = WriteBatch::new();
    for ks in Keyspace::ALL {
        for seq in [1u64, 2, 40, 41] {
            batch.put(ks, seq.to_be_bytes(), [ks.tag()]);
        }
    }
    store.apply(batch).unwrap();
    for ks in Keyspace::ALL {
        let mut first = Vec::new();
        store
            .scan_from(ks, &3u64.to_be_bytes(), &mut |k, v| {
                first.push((k.to_vec(), v.to_vec()));
                ControlFlow::Break(())
            })
            .unwrap();
        assert_eq!(first, [(40u64.to_be_bytes().to_vec(), vec![ks.tag()])]);
        let mut after_last = 0;
        store
            .scan_from(ks, &42u64.to_be_bytes(), &mut |_, _| {
                after_last += 1;
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(after_last, 0, "keyspace {}", ks.name());
    }
}

/// A scan stops as soon as the visitor breaks.
pub fn should_stop_scan_when_visitor_breaks<S: Storage + ?Sized>(store: &S) {
    let mut batch = WriteBatch::new();
    for i in 0u8..10 {
        batch.put(Keyspace::Nodes, vec![i], vec![i]);
    }
    store.apply(batch).unwrap();
    let mut seen = Vec::new();
    store
        .scan_prefix(Keyspace::Nodes, b"", &mut |k, _| {
            seen.push(k[0]);
            if seen.len() == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(seen, vec![0, 1, 2]);
}

/// Changes in one batch apply in order: put-then-delete removes, delete-then-put keeps.
pub fn should_apply_batch_in_order<S: Storage + ?Sized>(store: &S) {
    put(store, Keyspace::Nodes, b"kept", b"old");
    let mut batch = WriteBatch::new();
    batch.put(Keyspace::Nodes, b"gone", b"x");
    batch.delete(Keyspace::Nodes, b"gone".to_vec());
    batch.delete(Keyspace::Nodes, b"kept".to_vec());
    batch.put(Keyspace::Nodes, b"kept", b"new");
    batch.put(Keyspace::Edges, b"e", b"1");
    store.apply(batch).unwrap();
    assert_eq!(store.get(Keyspace::Nodes, b"gone").unwrap(), None);
    assert_eq!(
        store.get(Keyspace::Nodes, b"kept").unwrap(),
        Some(b"new".to_vec())
    );
    assert_eq!(
        store.get(Keyspace::Edges, b"e").unwrap(),
        Some(b"1".to_vec())
    );
}

/// An empty batch is accepted and changes nothing.
pub fn should_accept_empty_batch<S: Storage + ?Sized>(store: &S) {
    store.apply(WriteBatch::new()).unwrap();
    for ks in Keyspace::ALL {
        assert!(scan(store, ks, b"").is_empty());
    }
}

/// Empty values, binary keys and megabyte values round-trip.
pub fn should_store_binary_and_large_values<S: Storage + ?Sized>(store: &S) {
    let big: Vec<u8> = (0..1_048_576u32).map(|i| (i % 251) as u8).collect();
    put(store, Keyspace::Meta, b"\x00\xff\x00", b"");
    put(store, Keyspace::Meta, b"big", &big);
    assert_eq!(
        store.get(Keyspace::Meta, b"\x00\xff\x00").unwrap(),
        Some(Vec::new())
    );
    assert_eq!(store.get(Keyspace::Meta, b"big").unwrap(), Some(big));
}

/// Flushing succeeds and keeps what was written readable.
pub fn should_flush<S: Storage + ?Sized>(store: &S) {
    put(store, Keyspace::Nodes, b"k", b"v");
    store.flush().unwrap();
    assert_eq!(
        store.get(Keyspace::Nodes, b"k").unwrap(),
        Some(b"v".to_vec())
    );
    store.size_on_disk().unwrap();
}

/// A batch of many changes is visible as a whole afterwards.
pub fn should_apply_large_batches<S: Storage + ?Sized>(store: &S) {
    let mut batch = WriteBatch::new();
    for i in 0u32..10_000 {
        batch.put(Keyspace::Edges, i.to_be_bytes(), i.to_le_bytes());
    }
    store.apply(batch).unwrap();
    let all = scan(store, Keyspace::Edges, b"");
    assert_eq!(all.len(), 10_000);
    assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(
        store.get(Keyspace::Edges, &77u32.to_be_bytes()).unwrap(),
        Some(77u32.to_le_bytes().to_vec())
    );
}

/// Random puts and deletes of keys of mixed lengths that share prefixes
/// (runs of 8-byte big-endian ids among shorter and longer keys) and of
/// values of mixed sizes, in batches,
/// read back as an ordered map holds them: point reads, prefix scans and
/// range scans from many starts, in every keyspace.
pub fn should_agree_with_an_ordered_map<S: Storage + ?Sized>(store: &S) {
    use alloc::collections::BTreeMap;
    let mut model: BTreeMap<(u8, Vec<u8>), Vec<u8>> = BTreeMap::new();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |bound: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % bound
    };
    let random_key = |next: &mut dyn FnMut(u64) -> u64| {
        let id = 0x0102_0304_0506_0000 + next(300);
        let mut key = id.to_be_bytes().to_vec();
        match next(8) {
            0 => key.truncate(next(8) as usize),
            1 => key.push(next(3) as u8),
            _ => {}
        }
        key
    };
    for round in 0..40 {
        let mut batch = WriteBatch::new();
        for _ in 0..next(120) + 1 {
            let keyspace = Keyspace::ALL[next(Keyspace::ALL.len() as u64) as usize];
            let key = random_key(&mut next);
            if next(4) == 0 {
                batch.delete(keyspace, key.clone());
                model.remove(&(keyspace.tag(), key));
            } else {
                // Mostly small values; some of about half a kilobyte.
                let len = if next(8) == 0 {
                    480 + next(64)
                } else {
                    next(40)
                };
                let value = vec![round as u8; len as usize];
                batch.put(keyspace, key.clone(), value.clone());
                model.insert((keyspace.tag(), key), value);
            }
        }
        store.apply(batch).unwrap();
    }
    for keyspace in Keyspace::ALL {
        let tag = keyspace.tag();
        let expected: Vec<(Vec<u8>, Vec<u8>)> = model
            .range((tag, Vec::new())..)
            .take_while(|((t, _), _)| *t == tag)
            .map(|((_, k), v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(scan(store, keyspace, b""), expected, "{}", keyspace.name());
        for _ in 0..200 {
            let probe = random_key(&mut next);
            assert_eq!(
                store.get(keyspace, &probe).unwrap().as_ref(),
                model.get(&(tag, probe.clone())),
                "{} get {probe:?}",
                keyspace.name()
            );
            let under: Vec<_> = expected
                .iter()
                .filter(|(k, _)| k.starts_with(&probe))
                .cloned()
                .collect();
            assert_eq!(
                scan(store, keyspace, &probe),
                under,
                "{} prefix {probe:?}",
                keyspace.name()
            );
            let limit = next(20) as usize;
            let mut from = Vec::new();
            store
                .scan_from(keyspace, &probe, &mut |k, v| {
                    from.push((k.to_vec(), v.to_vec()));
                    if from.len() > limit {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })
                .unwrap();
            let after: Vec<_> = expected
                .iter()
                .filter(|(k, _)| *k >= probe)
                .take(limit + 1)
                .cloned()
                .collect();
            assert_eq!(from, after, "{} from {probe:?}", keyspace.name());
        }
    }
}

/// Readers on other threads see every batch whole or not at all.
#[cfg(feature = "std")]
pub fn should_never_show_half_a_batch<S: Storage + ?Sized>(store: &S) {
    use core::sync::atomic::{AtomicBool, Ordering};
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for round in 0u32..200 {
                let mut batch = WriteBatch::new();
                batch.put(Keyspace::Nodes, b"a", round.to_be_bytes());
                batch.put(Keyspace::Nodes, b"b", round.to_be_bytes());
                store.apply(batch).unwrap();
            }
            done.store(true, Ordering::SeqCst);
        });
        while !done.load(Ordering::SeqCst) {
            let pair = scan(store, Keyspace::Nodes, b"");
            if pair.len() == 2 {
                assert_eq!(pair[0].1, pair[1].1, "a scan saw half a batch");
            }
        }
    });
}

/// Expands to one test per `should_*` function for the store made by `$make`.
///
/// The attribute list picks the test harness, so the same suite runs under
/// `#[test]` natively and `#[wasm_bindgen_test]` in WebAssembly.
#[macro_export]
macro_rules! conformance_tests {
    ($(#[$attr:meta])*, $make:expr) => {
        $crate::conformance_tests!(@each [$(#[$attr])*] $make;
            should_read_missing_key_as_none,
            should_read_back_what_was_put,
            should_overwrite_existing_key,
            should_delete_keys,
            should_keep_keyspaces_apart,
            should_scan_prefix_in_key_order,
            should_scan_from_a_key,
            should_scan_from_in_every_keyspace,
            should_stop_scan_when_visitor_breaks,
            should_apply_batch_in_order,
            should_accept_empty_batch,
            should_store_binary_and_large_values,
            should_flush,
            should_apply_large_batches,
            should_agree_with_an_ordered_map,
        );
    };
    (@each $attrs:tt $make:expr; $($name:ident),* $(,)?) => {
        $( $crate::conformance_tests!(@one $attrs $make; $name); )*
    };
    (@one [$(#[$attr:meta])*] $make:expr; $name:ident) => {
        $(#[$attr])*
        fn $name() {
            let store = ($make)();
            $crate::conformance::$name(&store);
        }
    };
}
