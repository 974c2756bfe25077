//! The storage conformance suite on [`SnapshotStorage`]: natively with
//! `cargo test`, and in WebAssembly (Node) with
//! `cargo test --target wasm32-unknown-unknown -p knowledge-graph-indexeddb`.

use knowledge_graph_indexeddb::SnapshotStorage;
use knowledge_graph_storage::{Keyspace, Storage, WriteBatch};

#[cfg(not(target_arch = "wasm32"))]
knowledge_graph_storage::conformance_tests!(#[test], SnapshotStorage::new);
#[cfg(target_arch = "wasm32")]
knowledge_graph_storage::conformance_tests!(#[wasm_bindgen_test::wasm_bindgen_test], SnapshotStorage::new);

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn should_count_revisions_of_non_empty_batches_only() {
    let store = SnapshotStorage::new();
    assert_eq!(store.revision(), 0);
    store.apply(WriteBatch::new()).unwrap();
    assert_eq!(store.revision(), 0);
    let mut batch = WriteBatch::new();
    batch.put(Keyspace::Nodes, &b"a"[..], &b"1"[..]);
    store.apply(batch).unwrap();
    assert_eq!(store.revision(), 1);
}
