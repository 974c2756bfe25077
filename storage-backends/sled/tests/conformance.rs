//! The storage conformance suite on sled, in each durability mode.
#![cfg(not(target_arch = "wasm32"))]

use knowledge_graph_sled::SledStorage;

/// The suite, and readers never seeing half a batch, on the storages
/// `$make` opens.
macro_rules! in_mode {
    ($mode:ident, $make:expr) => {
        mod $mode {
            use super::*;
            knowledge_graph_storage::conformance_tests!(#[test], $make);

            #[test]
            fn should_never_show_half_a_batch() {
                knowledge_graph_storage::conformance::should_never_show_half_a_batch(&($make)());
            }
        }
    };
}

in_mode!(high_throughput, || SledStorage::temp().unwrap());
in_mode!(high_safety, || SledStorage::builder()
    .temporary(true)
    .mode("high_safety")
    .open()
    .unwrap());
in_mode!(low_space, || SledStorage::builder()
    .temporary(true)
    .mode("low_space")
    .compression(true)
    .open()
    .unwrap());

/// Every entry of `keyspace`, in key order.
fn dump(
    storage: &SledStorage,
    keyspace: knowledge_graph_sled::Keyspace,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    use knowledge_graph_sled::Storage;
    let mut all = Vec::new();
    storage
        .scan_prefix(keyspace, b"", &mut |k, v| {
            all.push((k.to_vec(), v.to_vec()));
            core::ops::ControlFlow::Continue(())
        })
        .unwrap();
    all
}

/// `apply_unbatched` writes what `apply` would, in every mode, and a
/// database it built on disk opens again with everything in it.
#[test]
fn unbatched_writes_land_as_batched_ones_do() {
    use knowledge_graph_sled::{Keyspace, Storage, WriteBatch};
    let dir = tempfile::tempdir().unwrap();
    let batch = || {
        let mut batch = WriteBatch::new();
        for i in 0..2_000u32 {
            batch.put(Keyspace::Nodes, i.to_be_bytes(), [7u8; 10]);
        }
        batch.delete(Keyspace::Nodes, 5u32.to_be_bytes());
        batch
    };
    let dump = |storage: &SledStorage| dump(storage, Keyspace::Nodes);
    let expected = SledStorage::temp().unwrap();
    expected.apply(batch()).unwrap();
    for mode in ["high_throughput", "high_safety"] {
        let path = dir.path().join(mode);
        let storage = SledStorage::builder()
            .path(&path)
            .mode(mode)
            .open()
            .unwrap();
        storage.apply_unbatched(batch()).unwrap();
        assert_eq!(dump(&storage), dump(&expected), "{mode}");
        assert_eq!(storage.io_stats().writes, 2_001, "{mode}");
        storage.flush().unwrap();
        drop(storage);
        let reopened = SledStorage::builder()
            .path(&path)
            .mode(mode)
            .open()
            .unwrap();
        assert_eq!(dump(&reopened), dump(&expected), "{mode}");
    }
}

/// A database written before edge records were stored sixteen to a sled
/// key (one key each, under the keyspace tag) opens with every record in it.
#[test]
fn databases_with_one_key_per_edge_record_open_with_them() {
    use knowledge_graph_sled::{Keyspace, Storage};
    let dir = tempfile::tempdir().unwrap();
    let tag = Keyspace::Edges.tag();
    {
        let old = sled::open(dir.path()).unwrap();
        for id in 0..100u64 {
            old.insert(
                [&[tag][..], &id.to_be_bytes()].concat(),
                format!("edge {id}").as_bytes(),
            )
            .unwrap();
        }
        old.insert([tag, b'x'], &b"short key"[..]).unwrap();
        old.flush().unwrap();
    }
    let storage = SledStorage::open(dir.path()).unwrap();
    assert_eq!(
        storage.get(Keyspace::Edges, &42u64.to_be_bytes()).unwrap(),
        Some(b"edge 42".to_vec())
    );
    let keys = dump(&storage, Keyspace::Edges);
    let mut expected: Vec<_> = (0..100u64)
        .map(|id| (id.to_be_bytes().to_vec(), format!("edge {id}").into_bytes()))
        .collect();
    expected.push((b"x".to_vec(), b"short key".to_vec()));
    assert_eq!(keys, expected);
}

/// Writers on several threads changing edge records that share sled keys
/// (ids sixteen apart or less) lose none of each other's changes.
#[test]
fn concurrent_writers_to_neighbouring_edge_ids_lose_nothing() {
    use knowledge_graph_sled::{Keyspace, Storage, WriteBatch};
    for mode in ["high_throughput", "high_safety"] {
        let storage = SledStorage::builder()
            .temporary(true)
            .mode(mode)
            .open()
            .unwrap();
        std::thread::scope(|scope| {
            for writer in 0..4u64 {
                let storage = &storage;
                scope.spawn(move || {
                    for round in 0..300u64 {
                        let mut batch = WriteBatch::new();
                        for n in 0..8 {
                            let id = (round * 8 + n) * 4 + writer;
                            batch.put(Keyspace::Edges, id.to_be_bytes(), id.to_le_bytes());
                        }
                        if round % 2 == 0 {
                            storage.apply(batch).unwrap();
                        } else {
                            storage.apply_unbatched(batch).unwrap();
                        }
                    }
                });
            }
        });
        let mut seen = 0u64;
        storage
            .scan_prefix(Keyspace::Edges, b"", &mut |key, value| {
                assert_eq!(key, seen.to_be_bytes(), "{mode}");
                assert_eq!(value, seen.to_le_bytes(), "{mode}");
                seen += 1;
                core::ops::ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(seen, 4 * 300 * 8, "{mode}");
    }
}
