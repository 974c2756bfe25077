//! The JS binding inside a browser Web Worker (headless Chromium): IndexedDB
//! and Web Locks are reached through the worker's global scope.
//! `cargo test --target wasm32-unknown-unknown --test wasm_worker`.
#![cfg(target_arch = "wasm32")]

use js_sys::JSON;
use knowledge_graph::wasm::JsKnowledgeGraph;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
fn should_run_in_a_worker_global_scope() {
    assert!(js_sys::global().has_type::<js_sys::Object>());
    assert!(js_sys::Reflect::has(&js_sys::global(), &"importScripts".into()).unwrap());
    let graph = JsKnowledgeGraph::new();
    graph
        .add_node("user", "w", Some(JSON::parse(r#"{"n":1}"#).unwrap()))
        .unwrap();
    assert_eq!(graph.count_nodes().unwrap(), 1);
}

#[wasm_bindgen_test]
async fn should_persist_in_indexeddb_from_a_worker() {
    JsKnowledgeGraph::delete_database("kg-worker".into())
        .await
        .unwrap();
    let graph = JsKnowledgeGraph::open("kg-worker".into(), None)
        .await
        .unwrap();
    graph.add_node("user", "w", None).unwrap();
    JsFuture::from(graph.save().unwrap()).await.unwrap();
    let err = JsKnowledgeGraph::open("kg-worker".into(), None)
        .await
        .err()
        .unwrap();
    let err = JsValue::from(err);
    let message: String = err.unchecked_ref::<js_sys::Error>().message().into();
    assert!(message.contains("already open"), "{message}");
    JsFuture::from(graph.close()).await.unwrap();
    let again = JsKnowledgeGraph::open("kg-worker".into(), None)
        .await
        .unwrap();
    assert!(again.has_node("w").unwrap());
    JsFuture::from(again.close()).await.unwrap();
}
