//! The JS binding's IndexedDB persistence in headless Chromium:
//! `cargo test --target wasm32-unknown-unknown --test wasm_browser`
//! (or `wasm-pack test --headless --chrome -- --test wasm_browser`).
#![cfg(target_arch = "wasm32")]

use js_sys::{Promise, Reflect, JSON};
use knowledge_graph::wasm::JsKnowledgeGraph;
use knowledge_graph_indexeddb::IdbSnapshotStore;
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("valid JSON in test")
}

fn json(value: &JsValue) -> String {
    JSON::stringify(value).unwrap().into()
}

fn message(err: JsError) -> String {
    let value = JsValue::from(err);
    let error: &js_sys::Error = value.dyn_ref().expect("a JS Error");
    error.message().into()
}

async fn settle(promise: Result<Promise, JsError>) {
    JsFuture::from(promise.unwrap()).await.unwrap();
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .unwrap()
            .unchecked_into();
        set_timeout
            .call2(&JsValue::NULL, &resolve, &ms.into())
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

async fn fresh(name: &str) -> JsKnowledgeGraph {
    JsKnowledgeGraph::delete_database(name.into())
        .await
        .unwrap();
    JsKnowledgeGraph::open(name.into(), None).await.unwrap()
}

fn fill(graph: &JsKnowledgeGraph) {
    graph
        .add_node("user", "alice", Some(js(r#"{"name":"Alice","age":36}"#)))
        .unwrap();
    graph
        .add_node("user", "bob", Some(js(r#"{"name":"Bob"}"#)))
        .unwrap();
    graph
        .add_edge("follows", "alice", "bob", Some(js(r#"{"since":2020}"#)))
        .unwrap();
}

fn everything(graph: &JsKnowledgeGraph) -> String {
    format!(
        "{} {}",
        json(&graph.get_nodes(None, None).unwrap()),
        json(&graph.get_edges(None, None, None).unwrap())
    )
}

#[wasm_bindgen_test]
async fn should_restore_saved_data_on_reopen() {
    let graph = fresh("kg-reopen").await;
    assert_eq!(graph.name().as_deref(), Some("kg-reopen"));
    fill(&graph);
    assert!(graph.has_unsaved_changes());
    settle(graph.save()).await;
    assert!(!graph.has_unsaved_changes());
    let before = everything(&graph);
    JsFuture::from(graph.close()).await.unwrap();

    let again = JsKnowledgeGraph::open("kg-reopen".into(), None)
        .await
        .unwrap();
    assert_eq!(everything(&again), before);
    assert_eq!(again.count_edges().unwrap(), 1);
    // Unsaved changes are not there after a reopen.
    again.add_node("user", "carol", None).unwrap();
    JsFuture::from(again.close()).await.unwrap();
    let third = JsKnowledgeGraph::open("kg-reopen".into(), None)
        .await
        .unwrap();
    assert_eq!(everything(&third), before);
    JsFuture::from(third.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn should_autosave_after_writes() {
    JsKnowledgeGraph::delete_database("kg-autosave".into())
        .await
        .unwrap();
    let graph = JsKnowledgeGraph::open("kg-autosave".into(), Some(js(r#"{"autosave":20}"#)))
        .await
        .unwrap();
    fill(&graph);
    for _ in 0..50 {
        if !graph.has_unsaved_changes() {
            break;
        }
        sleep(20).await;
    }
    assert!(!graph.has_unsaved_changes(), "autosave did not run");
    let before = everything(&graph);
    // A write right before close is saved by close.
    graph.add_node("user", "carol", None).unwrap();
    let expected = everything(&graph);
    assert_ne!(before, expected);
    JsFuture::from(graph.close()).await.unwrap();
    let again = JsKnowledgeGraph::open("kg-autosave".into(), None)
        .await
        .unwrap();
    assert_eq!(everything(&again), expected);
    JsFuture::from(again.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn should_keep_previous_snapshot_when_a_save_is_interrupted() {
    let graph = fresh("kg-interrupted").await;
    fill(&graph);
    settle(graph.save()).await;
    let saved = everything(&graph);
    graph.add_node("user", "carol", None).unwrap();
    let newer = graph.to_snapshot().unwrap();
    JsFuture::from(graph.close()).await.unwrap();

    // The first step of a save (new snapshot written) runs; the pointer flip never does.
    let store = IdbSnapshotStore::open("kg-interrupted").await.unwrap();
    let staged = store.stage(&newer).await.unwrap();
    drop(staged);
    store.close();

    let again = JsKnowledgeGraph::open("kg-interrupted".into(), None)
        .await
        .unwrap();
    assert_eq!(everything(&again), saved);
    JsFuture::from(again.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn should_reject_a_corrupt_or_truncated_stored_snapshot() {
    let graph = fresh("kg-corrupt").await;
    fill(&graph);
    settle(graph.save()).await;
    let good = graph.to_snapshot().unwrap();
    JsFuture::from(graph.close()).await.unwrap();

    let store = IdbSnapshotStore::open("kg-corrupt").await.unwrap();
    store.save(&good[..good.len() - 9]).await.unwrap();
    store.close();
    let err = JsKnowledgeGraph::open("kg-corrupt".into(), None)
        .await
        .err()
        .unwrap();
    let text = message(err);
    assert!(
        text.contains("cannot be loaded") && text.contains("snapshot"),
        "{text}"
    );

    let mut flipped = good.clone();
    flipped[40] ^= 0x10;
    let store = IdbSnapshotStore::open("kg-corrupt").await.unwrap();
    store.save(&flipped).await.unwrap();
    store.close();
    let err = JsKnowledgeGraph::open("kg-corrupt".into(), None)
        .await
        .err()
        .unwrap();
    assert!(message(err).contains("checksum mismatch"));
}

#[wasm_bindgen_test]
async fn should_refuse_a_second_open_of_the_same_graph() {
    let graph = fresh("kg-two-tabs").await;
    let err = JsKnowledgeGraph::open("kg-two-tabs".into(), None)
        .await
        .err()
        .unwrap();
    assert!(message(err).contains("already open in another tab"));
    JsFuture::from(graph.close()).await.unwrap();
    let mut reopened = None;
    for _ in 0..20 {
        if let Ok(graph) = JsKnowledgeGraph::open("kg-two-tabs".into(), None).await {
            reopened = Some(graph);
            break;
        }
        sleep(10).await;
    }
    let reopened = reopened.expect("close releases the lock");
    JsFuture::from(reopened.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn should_load_a_snapshot_made_in_memory_into_a_persisted_graph_round_trip() {
    // toSnapshot of a persisted graph equals the bytes it stores.
    let graph = fresh("kg-bytes").await;
    fill(&graph);
    settle(graph.save()).await;
    let bytes = graph.to_snapshot().unwrap();
    JsFuture::from(graph.close()).await.unwrap();
    let store = IdbSnapshotStore::open("kg-bytes").await.unwrap();
    assert_eq!(store.load().await.unwrap(), Some(bytes.clone()));
    store.close();
    let copy = JsKnowledgeGraph::from_snapshot(&bytes).unwrap();
    assert_eq!(copy.count_nodes().unwrap(), 2);
}

#[wasm_bindgen_test]
async fn should_reject_bad_open_options() {
    let err = JsKnowledgeGraph::open("kg-options".into(), Some(js(r#"{"autosav":true}"#)))
        .await
        .err()
        .unwrap();
    assert!(message(err).contains("open options"));
}
