//! The storage conformance suite on sled, in each durability mode.
#![cfg(not(target_arch = "wasm32"))]

use knowledge_graph_sled::SledStorage;

mod high_throughput {
    use super::*;
    knowledge_graph_storage::conformance_tests!(#[test], || SledStorage::temp().unwrap());

    #[test]
    fn should_never_show_half_a_batch() {
        knowledge_graph_storage::conformance::should_never_show_half_a_batch(
            &SledStorage::temp().unwrap(),
        );
    }
}

mod high_safety {
    use super::*;
    knowledge_graph_storage::conformance_tests!(#[test], || SledStorage::builder()
        .temporary(true)
        .mode("high_safety")
        .open()
        .unwrap());
}

mod low_space {
    use super::*;
    knowledge_graph_storage::conformance_tests!(#[test], || SledStorage::builder()
        .temporary(true)
        .mode("low_space")
        .compression(true)
        .open()
        .unwrap());
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
    let dump = |storage: &SledStorage| {
        let mut all = Vec::new();
        storage
            .scan_prefix(Keyspace::Nodes, b"", &mut |k, v| {
                all.push((k.to_vec(), v.to_vec()));
                core::ops::ControlFlow::Continue(())
            })
            .unwrap();
        all
    };
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
