//! The JS binding, exercised from Rust in WebAssembly (runs in Node):
//! `cargo test --target wasm32-unknown-unknown --test wasm_node`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect, JSON};
use knowledge_graph::wasm::JsKnowledgeGraph;
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("valid JSON in test")
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

fn json(value: &JsValue) -> String {
    JSON::stringify(value).unwrap().into()
}

fn message(err: JsError) -> String {
    let value = JsValue::from(err);
    let error: &js_sys::Error = value.dyn_ref().expect("a JS Error");
    error.message().into()
}

fn sample() -> JsKnowledgeGraph {
    let graph = JsKnowledgeGraph::new();
    graph
        .add_node(
            "user",
            "alice",
            Some(js(
                r#"{"name":"Alice","age":36,"tags":["a","b"],"address":{"city":"Oslo"}}"#,
            )),
        )
        .unwrap();
    graph
        .add_node("user", "bob", Some(js(r#"{"name":"Bob","age":25}"#)))
        .unwrap();
    graph
        .add_node("post", "p1", Some(js(r#"{"title":"Hello"}"#)))
        .unwrap();
    graph
        .add_edge("follows", "alice", "bob", Some(js(r#"{"since":2020}"#)))
        .unwrap();
    graph.add_edge("wrote", "bob", "p1", None).unwrap();
    graph
}

#[wasm_bindgen_test]
fn should_round_trip_node_properties_as_plain_objects() {
    let graph = sample();
    let node = graph.get_node("alice").unwrap();
    assert_eq!(
        json(&node),
        r#"{"id":"alice","label":"user","properties":{"address":{"city":"Oslo"},"age":36,"name":"Alice","tags":["a","b"]}}"#
    );
    let props = get(&node, "properties");
    assert_eq!(
        Reflect::get_prototype_of(&props).unwrap(),
        Reflect::get_prototype_of(&js_sys::Object::new()).unwrap()
    );
    assert!(get(&props, "age").as_f64() == Some(36.0));
    assert!(graph.get_node("nobody").unwrap().is_undefined());
}

#[wasm_bindgen_test]
fn should_keep_floats_bytes_and_big_integers() {
    let graph = JsKnowledgeGraph::new();
    let props = js_sys::Object::new();
    Reflect::set(&props, &"ratio".into(), &JsValue::from_f64(0.5)).unwrap();
    Reflect::set(
        &props,
        &"bytes".into(),
        &js_sys::Uint8Array::from(&[1u8, 2, 3][..]),
    )
    .unwrap();
    Reflect::set(&props, &"big".into(), &js_sys::BigInt::from(i64::MAX)).unwrap();
    Reflect::set(&props, &"nothing".into(), &JsValue::NULL).unwrap();
    graph.add_node("thing", "t", Some(props.into())).unwrap();
    let back = get(&graph.get_node("t").unwrap(), "properties");
    assert_eq!(get(&back, "ratio").as_f64(), Some(0.5));
    let bytes: js_sys::Uint8Array = get(&back, "bytes").dyn_into().expect("Uint8Array");
    assert_eq!(bytes.to_vec(), vec![1, 2, 3]);
    let big = get(&back, "big");
    assert!(big.is_bigint(), "big integers come back as BigInt");
    assert_eq!(i64::try_from(big).unwrap(), i64::MAX);
    assert!(get(&back, "nothing").is_null());
}

#[wasm_bindgen_test]
fn should_store_bulk_input_exactly_as_single_records() {
    // Bulk input crosses as JSON when JSON holds it exactly; these values
    // it does not, and they must come out as they do one record at a time.
    let specials: Vec<(&str, JsValue)> = vec![
        (
            "plain",
            js(r#"{"n":1,"f":0.25,"s":"x\"y","l":[1,"a",null],"m":{"k":true}}"#),
        ),
        ("nan", JsValue::from_f64(f64::NAN)),
        ("infinity", JsValue::from_f64(f64::INFINITY)),
        ("bytes", js_sys::Uint8Array::from(&[7u8, 8][..]).into()),
        ("big", js_sys::BigInt::from(i64::MAX).into()),
        ("date", js_sys::Date::new(&JsValue::from_f64(0.0)).into()),
        ("undefined", JsValue::UNDEFINED),
        (
            "surrogate",
            js_sys::JsString::from_char_code1(0xd800).into(),
        ),
    ];
    let single = JsKnowledgeGraph::new();
    let bulk = JsKnowledgeGraph::new();
    let nodes = Array::new();
    for (name, value) in &specials {
        let props = js_sys::Object::new();
        Reflect::set(&props, &"v".into(), value).unwrap();
        Reflect::set(&props, &"n".into(), &JsValue::from_f64(1.0)).unwrap();
        let single_result = single.add_node("t", name, Some(props.clone().into()));
        let node = js_sys::Object::new();
        Reflect::set(&node, &"label".into(), &"t".into()).unwrap();
        Reflect::set(&node, &"id".into(), &(*name).into()).unwrap();
        Reflect::set(&node, &"properties".into(), &props).unwrap();
        let one = Array::of1(&node);
        let bulk_result = bulk.add_nodes(one.clone().into());
        assert_eq!(single_result.is_ok(), bulk_result.is_ok(), "{name}");
        if single_result.is_ok() {
            nodes.push(&node);
        }
    }
    for (name, _) in &specials {
        let (a, b) = (single.get_node(name).unwrap(), bulk.get_node(name).unwrap());
        assert_eq!(a.is_undefined(), b.is_undefined(), "{name}");
        if a.is_undefined() {
            continue;
        }
        let (a, b) = (
            get(&get(&a, "properties"), "v"),
            get(&get(&b, "properties"), "v"),
        );
        assert_eq!(a.js_typeof(), b.js_typeof(), "{name}");
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{name}");
    }
    // The same records in one call, mixed: the exact path for all of them.
    let again = JsKnowledgeGraph::new();
    again.add_nodes(nodes.into()).unwrap();
    assert_eq!(again.count_nodes().unwrap(), bulk.count_nodes().unwrap());
    let nan = get(&get(&again.get_node("nan").unwrap(), "properties"), "v");
    assert!(nan.as_f64().unwrap().is_nan());
}

#[wasm_bindgen_test]
fn should_throw_errors_with_the_rust_message() {
    let graph = sample();
    let err = graph.add_node("user", "alice", None).unwrap_err();
    assert!(message(err).contains("alice"));
    let err = graph
        .add_edge("follows", "alice", "ghost", None)
        .unwrap_err();
    assert!(message(err).contains("ghost"));
    let err = graph
        .add_node("user", "x", Some(JsValue::from(5)))
        .unwrap_err();
    assert!(message(err).contains("must be a plain object"));
    let err = graph.remove_edge(-1.0).unwrap_err();
    assert!(message(err).contains("non-negative integer"));
    let err = graph.update_node("ghost", js("{}")).unwrap_err();
    assert!(message(err).contains("ghost"));
}

#[wasm_bindgen_test]
fn should_read_edges_both_ways_and_by_filter() {
    let graph = sample();
    let out = graph.edges_from("alice", None).unwrap();
    assert_eq!(Array::from(&out).length(), 1);
    let edge = Array::from(&out).get(0);
    assert_eq!(get(&edge, "target").as_string().as_deref(), Some("bob"));
    assert_eq!(json(&get(&edge, "properties")), r#"{"since":2020}"#);
    assert!(get(&edge, "createdAt").as_f64().unwrap() > 1.6e12);
    let id = get(&edge, "id").as_f64().unwrap();
    assert_eq!(json(&graph.get_edge(id).unwrap()), json(&edge));
    assert_eq!(
        Array::from(&graph.edges_to("bob", Some("follows".into())).unwrap()).length(),
        1
    );
    assert_eq!(
        Array::from(&graph.edges_to("bob", Some("nope".into())).unwrap()).length(),
        0
    );
    let wrote = graph.get_edges(Some("wrote".into()), None, None).unwrap();
    assert_eq!(json(&get(&Array::from(&wrote).get(0), "properties")), "{}");
    assert_eq!(
        Array::from(&graph.get_nodes(Some("user".into()), Some(1)).unwrap()).length(),
        1
    );
    assert_eq!(
        Array::from(&graph.get_nodes(None, None).unwrap()).length(),
        3
    );
    graph.remove_edge(id).unwrap();
    assert!(graph.get_edge(id).unwrap().is_undefined());
    assert_eq!(graph.count_edges().unwrap(), 1);
    graph.remove_node("bob").unwrap();
    assert_eq!(
        (graph.count_nodes().unwrap(), graph.count_edges().unwrap()),
        (2, 0)
    );
}

#[wasm_bindgen_test]
fn should_apply_bulk_adds_atomically() {
    let graph = JsKnowledgeGraph::new();
    graph
        .add_nodes(js(
            r#"[{"label":"u","id":"1"},{"label":"u","id":"2","properties":{"n":2}}]"#,
        ))
        .unwrap();
    let ids = graph
        .add_edges(js(r#"[{"label":"f","source":"1","target":"2"},{"label":"f","source":"2","target":"1","properties":{"w":1}}]"#))
        .unwrap();
    assert_eq!(json(&ids), "[0,1]");
    // A duplicate id in the middle: nothing of the batch is applied.
    let err = graph
        .add_nodes(js(
            r#"[{"label":"u","id":"3"},{"label":"u","id":"1"},{"label":"u","id":"4"}]"#,
        ))
        .unwrap_err();
    assert!(message(err).contains('1'));
    assert_eq!(graph.count_nodes().unwrap(), 2);
    let err = graph.add_nodes(js(r#"[{"label":"u"}]"#)).unwrap_err();
    assert!(message(err).contains("nodes[0]"));
}

#[wasm_bindgen_test]
fn should_run_transactions_all_or_nothing() {
    let graph = sample();
    let ids = graph
        .transaction(js(r#"[
            {"op":"addNode","label":"user","id":"carol","properties":{"name":"Carol"}},
            {"op":"addEdge","label":"follows","source":"carol","target":"alice"},
            {"op":"updateNode","id":"bob","properties":{"name":"Robert"}},
            {"op":"removeEdge","id":0}
        ]"#))
        .unwrap();
    assert_eq!(Array::from(&ids).length(), 1);
    assert_eq!(graph.count_nodes().unwrap(), 4);
    assert_eq!(
        json(&get(&graph.get_node("bob").unwrap(), "properties")),
        r#"{"name":"Robert"}"#
    );
    let before = json(&graph.get_nodes(None, None).unwrap());
    let err = graph
        .transaction(js(
            r#"[{"op":"addNode","label":"user","id":"dave"},{"op":"removeNode","id":"ghost"}]"#,
        ))
        .unwrap_err();
    assert!(message(err).contains("ghost"));
    assert_eq!(json(&graph.get_nodes(None, None).unwrap()), before);
    let err = graph.transaction(js(r#"[{"op":"explode"}]"#)).unwrap_err();
    assert!(message(err).contains("operations[0]"));
}

#[wasm_bindgen_test]
fn should_report_metrics_as_a_plain_object() {
    let graph = sample();
    graph.get_node("alice").unwrap();
    let metrics = graph.metrics().unwrap();
    assert_eq!(get(&metrics, "nodeCount").as_f64(), Some(3.0));
    assert_eq!(get(&metrics, "edgeCount").as_f64(), Some(2.0));
    assert!(get(&metrics, "commits").as_f64().unwrap() >= 5.0);
    assert!(get(&metrics, "cacheHitRate").as_f64().is_some());
    assert_eq!(get(&metrics, "unsavedChanges").as_bool(), Some(false));
}

#[wasm_bindgen_test]
fn should_round_trip_snapshots_and_reject_damaged_ones() {
    let graph = sample();
    let bytes = graph.to_snapshot().unwrap();
    let copy = JsKnowledgeGraph::from_snapshot(&bytes).unwrap();
    assert_eq!(
        json(&copy.get_nodes(None, None).unwrap()),
        json(&graph.get_nodes(None, None).unwrap())
    );
    assert_eq!(
        json(&copy.get_edges(None, None, None).unwrap()),
        json(&graph.get_edges(None, None, None).unwrap())
    );
    assert_eq!(copy.to_snapshot().unwrap(), bytes);
    let info = JsKnowledgeGraph::verify_snapshot(&bytes).unwrap();
    assert_eq!(get(&info, "nodes").as_f64(), Some(3.0));
    let err = JsKnowledgeGraph::from_snapshot(&bytes[..bytes.len() - 7])
        .err()
        .unwrap();
    assert!(message(err).contains("snapshot"));
    let mut flipped = bytes.clone();
    flipped[30] ^= 0x40;
    let err = JsKnowledgeGraph::from_snapshot(&flipped).err().unwrap();
    assert!(message(err).contains("checksum mismatch"));
    let err = JsKnowledgeGraph::from_snapshot(b"not a snapshot at all")
        .err()
        .unwrap();
    assert!(message(err).contains("is not a MAYA snapshot"));
}

#[wasm_bindgen_test]
fn should_round_trip_graphology_format() {
    let graph = sample();
    let exported = graph.to_graphology(None).unwrap();
    assert_eq!(
        json(&get(&exported, "options")),
        r#"{"type":"directed","multi":true,"allowSelfLoops":true}"#
    );
    let first = Array::from(&get(&exported, "nodes")).get(0);
    assert_eq!(get(&first, "key").as_string().as_deref(), Some("alice"));
    assert_eq!(
        get(&get(&first, "attributes"), "label")
            .as_string()
            .as_deref(),
        Some("user")
    );
    assert_eq!(
        get(&get(&first, "attributes"), "name")
            .as_string()
            .as_deref(),
        Some("Alice")
    );
    let back = JsKnowledgeGraph::from_graphology(exported, None).unwrap();
    assert_eq!(
        json(&back.get_nodes(None, None).unwrap()),
        json(&graph.get_nodes(None, None).unwrap())
    );
    assert_eq!(back.count_edges().unwrap(), 2);
    assert_eq!(
        json(&get(
            &Array::from(&back.edges_from("alice", None).unwrap()).get(0),
            "properties"
        )),
        r#"{"since":2020}"#
    );

    let clash = JsKnowledgeGraph::new();
    clash
        .add_node("tag", "t", Some(js(r#"{"label":"Rust"}"#)))
        .unwrap();
    let err = clash.to_graphology(None).unwrap_err();
    assert!(message(err).contains("labelKey"));
    let exported = clash
        .to_graphology(Some(js(r#"{"labelKey":"kind"}"#)))
        .unwrap();
    let back =
        JsKnowledgeGraph::from_graphology(exported, Some(js(r#"{"labelKey":"kind"}"#))).unwrap();
    assert_eq!(
        json(&back.get_node("t").unwrap()),
        r#"{"id":"t","label":"tag","properties":{"label":"Rust"}}"#
    );

    // graphology data with numeric keys and no labels.
    let plain = JsKnowledgeGraph::from_graphology(
        js(r#"{"nodes":[{"key":1},{"key":"2","attributes":{"x":0.5}}],"edges":[{"source":1,"target":"2","undirected":true}]}"#),
        None,
    )
    .unwrap();
    assert_eq!(
        json(&plain.get_node("1").unwrap()),
        r#"{"id":"1","label":"node","properties":{}}"#
    );
    assert_eq!(
        get(
            &Array::from(&plain.edges_from("1", None).unwrap()).get(0),
            "label"
        )
        .as_string()
        .as_deref(),
        Some("edge")
    );
}

#[wasm_bindgen_test]
fn should_query_index_and_traverse() {
    let graph = sample();
    graph.create_index("user", "age").unwrap();
    let found = graph
        .query_nodes("user", "age > $1", Some(js("[30]")), None)
        .unwrap();
    assert_eq!(
        json(
            &Array::from(&found)
                .get(0)
                .dyn_into::<js_sys::Object>()
                .map(|o| get(&o, "id"))
                .unwrap()
        ),
        r#""alice""#
    );
    let named = graph
        .query_nodes("user", "name = $who", Some(js(r#"{"who":"Bob"}"#)), None)
        .unwrap();
    assert_eq!(Array::from(&named).length(), 1);
    let plan = graph.explain("user", "age > 30", None).unwrap();
    assert_eq!(get(&plan, "usesIndex").as_bool(), Some(true));
    assert_eq!(
        get(&Array::from(&get(&plan, "steps")).get(0), "kind")
            .as_string()
            .as_deref(),
        Some("indexRange")
    );
    let seek = graph
        .explain("user", "age = $age", Some(js(r#"{"age":36}"#)))
        .unwrap();
    assert_eq!(
        get(&Array::from(&get(&seek, "steps")).get(0), "kind")
            .as_string()
            .as_deref(),
        Some("indexSeek")
    );
    let edge_plan = graph
        .explain_edges("follows", "since = $1", Some(js("[2020]")))
        .unwrap();
    assert_eq!(get(&edge_plan, "usesIndex").as_bool(), Some(false));
    assert_eq!(
        json(&graph.indexes().unwrap()),
        r#"[{"kind":"node","label":"user","property":"age"}]"#
    );
    let err = graph.query_nodes("user", "age >", None, None).unwrap_err();
    assert!(message(err).contains("column"));
    let edges = graph
        .query_edges("follows", "since = 2020", None, None)
        .unwrap();
    assert_eq!(Array::from(&edges).length(), 1);

    let visits = graph
        .traverse("alice", Some(js(r#"{"maxDepth":2}"#)))
        .unwrap();
    let ids: Vec<String> = Array::from(&visits)
        .iter()
        .map(|v| get(&get(&v, "node"), "id").as_string().unwrap())
        .collect();
    assert_eq!(ids, ["alice", "bob", "p1"]);
    assert!(get(&Array::from(&visits).get(0), "via").is_null());
    let paths = graph.find_paths("alice", "p1", None).unwrap();
    assert_eq!(
        json(&get(&Array::from(&paths).get(0), "nodes")),
        r#"["alice","bob","p1"]"#
    );
    assert_eq!(
        json(&graph.k_hop("alice", 2, None).unwrap()),
        r#"["bob","p1"]"#
    );
    assert_eq!(graph.k_hop_count("p1", 2, Some("in".into())).unwrap(), 2);
    let err = graph
        .k_hop_count("p1", 2, Some("sideways".into()))
        .unwrap_err();
    assert!(message(err).contains("direction"));
}

#[wasm_bindgen_test]
fn should_refuse_to_save_an_in_memory_graph() {
    let graph = sample();
    let err = graph.save().err().unwrap();
    assert!(message(err).contains("in memory only"));
    assert!(graph.name().is_none());
}

#[wasm_bindgen_test]
async fn should_reject_open_without_indexeddb() {
    // Node has no IndexedDB: a clear error, not a crash.
    let err = JsKnowledgeGraph::open("nope".into(), None)
        .await
        .err()
        .unwrap();
    assert!(message(err).contains("indexeddb is not available"));
}

#[wasm_bindgen_test]
async fn should_throw_after_close() {
    let graph = sample();
    wasm_bindgen_futures::JsFuture::from(graph.close())
        .await
        .unwrap();
    let err = graph.count_nodes().unwrap_err();
    assert!(message(err).contains("closed"));
}

#[wasm_bindgen_test]
fn should_reject_unknown_options() {
    let graph = sample();
    let err = graph
        .traverse("alice", Some(js(r#"{"maxDepht":2}"#)))
        .unwrap_err();
    assert!(message(err).contains("unknown option 'maxDepht'"));
    let err = graph
        .to_graphology(Some(js(r#"{"label":"x"}"#)))
        .unwrap_err();
    assert!(message(err).contains("unknown option 'label'"));
}

#[wasm_bindgen_test]
fn should_list_neighbors_and_walk() {
    let graph = sample();
    assert_eq!(json(&graph.neighbors("bob", None).unwrap()), r#"["p1"]"#);
    assert_eq!(
        json(&graph.neighbors("bob", Some("both".into())).unwrap()),
        r#"["p1","alice"]"#
    );
    let walk = graph.random_walk("alice", 10, Some(7.0)).unwrap();
    // alice -> bob -> p1, then p1 has no outgoing edge.
    assert_eq!(json(&walk), r#"["alice","bob","p1"]"#);
    assert_eq!(
        json(&graph.random_walk("alice", 10, Some(7.0)).unwrap()),
        json(&walk)
    );
    assert_eq!(json(&graph.neighbors("p1", None).unwrap()), "[]");
    let err = graph.neighbors("ghost", None).unwrap_err();
    assert!(message(err).contains("ghost"));
}

#[wasm_bindgen_test]
fn should_walk_by_node_index_as_by_id() {
    let graph = sample();
    let alice = graph.node_index("alice").unwrap().unwrap();
    let walk = graph.random_walk_indices(alice, 10, Some(7.0)).unwrap();
    let ids: Vec<String> = walk
        .iter()
        .map(|&i| format!("\"{}\"", graph.node_id_at(i).unwrap().unwrap()))
        .collect();
    assert_eq!(
        json(&graph.random_walk("alice", 10, Some(7.0)).unwrap()),
        format!("[{}]", ids.join(","))
    );
    assert_eq!(ids.len(), 3);
    assert_eq!(graph.node_index("ghost").unwrap(), None);
    assert_eq!(graph.node_id_at(1_000).unwrap(), None);
    let err = graph.random_walk_indices(1_000, 3, None).unwrap_err();
    assert!(message(err).contains("no node has index 1000"));
}

#[wasm_bindgen_test]
fn should_return_ids_holding_the_separator_whole() {
    // Id lists cross the boundary as one NUL-separated string unless an id
    // holds a NUL itself.
    let graph = JsKnowledgeGraph::new();
    for id in ["a", "b\0c", "d"] {
        graph.add_node("n", id, None).unwrap();
    }
    graph.add_edge("e", "a", "b\0c", None).unwrap();
    graph.add_edge("e", "a", "d", None).unwrap();
    graph.add_edge("e", "b\0c", "d", None).unwrap();
    assert_eq!(
        json(&graph.neighbors("a", None).unwrap()),
        r#"["b\u0000c","d"]"#
    );
    assert_eq!(
        json(&graph.k_hop("a", 2, None).unwrap()),
        r#"["b\u0000c","d"]"#
    );
    assert_eq!(
        json(&graph.random_walk("b\0c", 3, Some(1.0)).unwrap()),
        r#"["b\u0000c","d"]"#
    );
    assert_eq!(json(&graph.k_hop("d", 2, None).unwrap()), "[]");
    assert_eq!(
        json(
            &graph
                .random_walks(js(r#"["a","d"]"#), 0, Some(1.0))
                .unwrap()
        ),
        r#"[["a"],["d"]]"#
    );
    let walks = graph
        .random_walks(js(r#"["b\u0000c","d"]"#), 3, Some(1.0))
        .unwrap();
    assert_eq!(json(&walks), r#"[["b\u0000c","d"],["d"]]"#);
}

#[wasm_bindgen_test]
fn should_walk_many_at_once_like_one_by_one() {
    let graph = sample();
    let starts = js(r#"["alice","bob","p1","alice"]"#);
    let walks = graph.random_walks(starts, 10, Some(5.0)).unwrap();
    assert_eq!(
        json(&walks),
        r#"[["alice","bob","p1"],["bob","p1"],["p1"],["alice","bob","p1"]]"#
    );
    // Walk 0 of a batch is the single walk with the same seed.
    assert_eq!(
        json(&walks.get(0)),
        json(&graph.random_walk("alice", 10, Some(5.0)).unwrap())
    );
    assert_eq!(json(&graph.random_walks(js("[]"), 3, None).unwrap()), "[]");
    let err = graph
        .random_walks(js(r#"["alice","ghost"]"#), 3, None)
        .unwrap_err();
    assert!(message(err).contains("ghost"));
    // Not an array of strings: a clear error, not walks from each character.
    let err = graph.random_walks(js(r#""alice""#), 3, None).unwrap_err();
    assert!(message(err).contains("starts must be an array"));
    let err = graph
        .random_walks(js(r#"["alice", 7]"#), 3, None)
        .unwrap_err();
    assert!(message(err).contains("starts[1]"));
    let err = graph.get_nodes_by_ids(js(r#""alice""#)).unwrap_err();
    assert!(message(err).contains("ids must be an array"));
}

#[wasm_bindgen_test]
fn should_escape_strings_and_keep_float_values_on_the_fast_path() {
    let graph = JsKnowledgeGraph::new();
    let props = js_sys::Object::new();
    let text = "quote \" backslash \\ newline \n tab \t nul \u{0} sep \u{2028} emoji 😀";
    Reflect::set(&props, &"text".into(), &JsValue::from_str(text)).unwrap();
    Reflect::set(&props, &"tiny".into(), &JsValue::from_f64(1e-300)).unwrap();
    Reflect::set(
        &props,
        &"huge".into(),
        &JsValue::from_f64(1.7976931348623157e308),
    )
    .unwrap();
    Reflect::set(&props, &"third".into(), &JsValue::from_f64(1.0 / 3.0)).unwrap();
    Reflect::set(&props, &"neg".into(), &JsValue::from_f64(-12.5)).unwrap();
    Reflect::set(&props, &"nan".into(), &JsValue::from_f64(f64::NAN)).unwrap();
    graph.add_node("t", "k\"ey", Some(props.into())).unwrap();
    let back = get(&graph.get_node("k\"ey").unwrap(), "properties");
    assert_eq!(get(&back, "text").as_string().as_deref(), Some(text));
    assert_eq!(get(&back, "tiny").as_f64(), Some(1e-300));
    assert_eq!(get(&back, "huge").as_f64(), Some(1.7976931348623157e308));
    assert_eq!(get(&back, "third").as_f64(), Some(1.0 / 3.0));
    assert_eq!(get(&back, "neg").as_f64(), Some(-12.5));
    // NaN has no JSON form: the serde path keeps it.
    assert!(get(&back, "nan").as_f64().unwrap().is_nan());
    let nodes = graph.get_nodes(None, None).unwrap();
    assert_eq!(
        get(&Array::from(&nodes).get(0), "id")
            .as_string()
            .as_deref(),
        Some("k\"ey")
    );
}

#[wasm_bindgen_test]
fn should_run_graph_algorithms() {
    let graph = sample();
    graph
        .add_edge("follows", "bob", "alice", Some(js(r#"{"w":5}"#)))
        .unwrap();
    let path = graph.shortest_path("alice", "p1", None).unwrap();
    assert_eq!(json(&path), r#"{"nodes":["alice","bob","p1"],"cost":2}"#);
    assert!(graph.shortest_path("p1", "alice", None).unwrap().is_null());
    let ranks = graph.page_rank(None).unwrap();
    let total: f64 = js_sys::Object::values(&get(&ranks, "ranks").unchecked_into())
        .iter()
        .map(|v: JsValue| v.as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-6, "ranks sum to {total}");
    assert_eq!(get(&ranks, "converged").as_bool(), Some(true));
    let communities = graph.louvain(Some(js(r#"{"seed":1}"#))).unwrap();
    assert!(get(&communities, "count").as_f64().unwrap() >= 1.0);
    assert!(get(&communities, "modularity").as_f64().is_some());
    let weak = graph.components(None).unwrap();
    assert_eq!(get(&weak, "count").as_f64(), Some(1.0));
    let strong = graph.components(Some(js(r#"{"strong":true}"#))).unwrap();
    assert_eq!(get(&strong, "count").as_f64(), Some(2.0));
    assert_eq!(
        json(&graph.degrees(Some(js(r#"{"direction":"out"}"#))).unwrap()),
        r#"{"alice":1,"bob":2,"p1":0}"#
    );
    assert_eq!(
        json(&graph.bfs_distances("alice", None).unwrap()),
        r#"{"alice":0,"bob":1,"p1":2}"#
    );
    let stats = graph.graph_stats(None).unwrap();
    assert_eq!(get(&stats, "nodes").as_f64(), Some(3.0));
    assert_eq!(
        get(&graph.triangles(None).unwrap(), "total").as_f64(),
        Some(0.0)
    );
    assert!(get(&graph.clustering(None).unwrap(), "average")
        .as_f64()
        .is_some());
    assert_eq!(
        json(
            &graph
                .k_core(Some(js(r#"{"nodeLabels":["user"]}"#)))
                .unwrap()
        ),
        r#"{"alice":1,"bob":1}"#
    );
    let err = graph.page_rank(Some(js(r#"{"dampin":0.9}"#))).unwrap_err();
    assert!(message(err).contains("unknown option 'dampin'"));
    let err = graph.shortest_path("alice", "ghost", None).unwrap_err();
    assert!(message(err).contains("ghost"));
}
