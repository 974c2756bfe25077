//! IndexedDB persistence in a real browser:
//! `cargo test --target wasm32-unknown-unknown -p knowledge-graph-indexeddb`
//! (needs `chromedriver` on PATH) or `wasm-pack test --headless --chrome storage-backends/indexeddb`.
#![cfg(target_arch = "wasm32")]

use knowledge_graph_indexeddb::{delete_database, IdbError, IdbSnapshotStore, WebLock};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

async fn fresh(name: &str) -> IdbSnapshotStore {
    delete_database(name).await.unwrap();
    IdbSnapshotStore::open(name).await.unwrap()
}

#[wasm_bindgen_test]
async fn should_load_nothing_from_a_new_database() {
    let store = fresh("idb-new").await;
    assert_eq!(store.load().await.unwrap(), None);
    assert_eq!(store.generation(), 0);
}

#[wasm_bindgen_test]
async fn should_load_what_was_saved_after_reopening() {
    let store = fresh("idb-reopen").await;
    store.save(b"first").await.unwrap();
    store.save(b"second snapshot").await.unwrap();
    store.close();
    let store = IdbSnapshotStore::open("idb-reopen").await.unwrap();
    assert_eq!(
        store.load().await.unwrap().as_deref(),
        Some(&b"second snapshot"[..])
    );
    assert_eq!(store.generation(), 2);
    // Only the current snapshot is kept.
    assert_eq!(store.stored_generations().await.unwrap(), vec![2]);
}

#[wasm_bindgen_test]
async fn should_keep_previous_snapshot_when_a_save_is_interrupted() {
    let store = fresh("idb-interrupted").await;
    store.save(b"committed").await.unwrap();
    // Step one of a save runs, step two never does (the tab closed).
    let staged = store.stage(b"half-saved").await.unwrap();
    drop(staged);
    store.close();
    let store = IdbSnapshotStore::open("idb-interrupted").await.unwrap();
    assert_eq!(
        store.load().await.unwrap().as_deref(),
        Some(&b"committed"[..])
    );
    // The next save replaces it and clears the stray.
    store.save(b"next").await.unwrap();
    assert_eq!(store.load().await.unwrap().as_deref(), Some(&b"next"[..]));
    let generations = store.stored_generations().await.unwrap();
    assert_eq!(
        generations,
        vec![store.generation()],
        "strays left: {generations:?}"
    );
}

#[wasm_bindgen_test]
async fn should_ignore_an_overtaken_save() {
    let store = fresh("idb-overtaken").await;
    let older = store.stage(b"older").await.unwrap();
    let newer = store.stage(b"newer").await.unwrap();
    store.publish(newer).await.unwrap();
    store.publish(older).await.unwrap();
    assert_eq!(store.load().await.unwrap().as_deref(), Some(&b"newer"[..]));
    assert_eq!(store.stored_generations().await.unwrap(), vec![2]);
}

#[wasm_bindgen_test]
async fn should_store_large_snapshots() {
    let store = fresh("idb-large").await;
    let bytes: Vec<u8> = (0..5_000_000u32).map(|i| (i % 251) as u8).collect();
    store.save(&bytes).await.unwrap();
    assert_eq!(store.load().await.unwrap(), Some(bytes));
}

#[wasm_bindgen_test]
async fn should_refuse_a_second_holder_of_the_lock() {
    assert!(WebLock::supported());
    let first = WebLock::acquire("idb-lock")
        .await
        .unwrap()
        .expect("locks supported");
    let err = WebLock::acquire("idb-lock").await.unwrap_err();
    assert!(matches!(err, IdbError::Locked { .. }), "{err}");
    assert!(
        err.to_string().contains("already open in another tab"),
        "{err}"
    );
    drop(first);
    // Released: the next acquire succeeds (the release settles in a later task).
    let mut again = None;
    for _ in 0..20 {
        if let Ok(lock) = WebLock::acquire("idb-lock").await {
            again = lock;
            break;
        }
    }
    assert!(again.is_some(), "lock was not released");
}

#[wasm_bindgen_test]
async fn should_let_another_context_delete_an_open_database() {
    let store = fresh("idb-delete-open").await;
    store.save(b"data").await.unwrap();
    // Without the versionchange handler this would wait forever.
    delete_database("idb-delete-open").await.unwrap();
    let store = IdbSnapshotStore::open("idb-delete-open").await.unwrap();
    assert_eq!(store.load().await.unwrap(), None);
}
