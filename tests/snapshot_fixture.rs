//! A snapshot written natively from a sled-backed graph, checked in at
//! `www/test/fixtures/social.kgs`, which the JS tests load in WebAssembly and
//! query with the same expectations as here (`www/test/fixture.test.mjs`).
//!
//! Regenerate after a deliberate format change with
//! `MAYA_WRITE_FIXTURES=1 cargo test --test snapshot_fixture`.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use knowledge_graph::{
    Direction, Graph, GraphOptions, MemoryStorage, SledStorage, Subgraph, Value,
};

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/test/fixtures/social.kgs")
}

fn props(json: &[(&str, Value)]) -> Value {
    Value::Map(
        json.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// The known graph: five users, two posts, ten edges, one index; edge times fixed.
async fn build() -> Vec<u8> {
    let options = GraphOptions {
        clock: || 1_700_000_000_000,
        ..GraphOptions::default()
    };
    let graph = Graph::with_options(SledStorage::temp().unwrap(), options)
        .map_err(|(_, e)| e)
        .unwrap();
    let users = [
        ("u1", "Alice", 36, "Oslo"),
        ("u2", "Bob", 25, "Paris"),
        ("u3", "Carol", 41, "Oslo"),
        ("u4", "Dave", 19, "Lima"),
        ("u5", "Eve", 33, "Paris"),
    ];
    for (id, name, age, city) in users {
        let p = props(&[
            ("name", Value::from(name)),
            ("age", Value::Int(age)),
            ("city", Value::from(city)),
        ]);
        graph.add_node("user", id, &p).await.unwrap();
    }
    let p1 = props(&[
        ("title", Value::from("Hello")),
        ("score", Value::Float(1.5)),
        (
            "tags",
            Value::List(vec![Value::from("intro"), Value::from("rust")]),
        ),
        ("views", Value::Int(1 << 60)),
        ("thumb", Value::Bytes(vec![0, 1, 254, 255])),
    ]);
    graph.add_node("post", "p1", &p1).await.unwrap();
    let p2 = props(&[
        ("title", Value::from("Graphs")),
        ("draft", Value::Bool(true)),
    ]);
    graph.add_node("post", "p2", &p2).await.unwrap();
    let follows = [
        ("u1", "u2", 2020),
        ("u2", "u3", 2021),
        ("u3", "u4", 2019),
        ("u4", "u5", 2022),
        ("u5", "u1", 2023),
        ("u1", "u3", 2018),
    ];
    for (s, t, since) in follows {
        let p = props(&[("since", Value::Int(since))]);
        graph.add_edge("follows", s, t, Some(p)).await.unwrap();
    }
    graph.add_edge("wrote", "u1", "p1", None).await.unwrap();
    graph.add_edge("wrote", "u2", "p2", None).await.unwrap();
    graph
        .add_edge(
            "likes",
            "u3",
            "p1",
            Some(props(&[("weight", Value::Float(0.5))])),
        )
        .await
        .unwrap();
    graph.add_edge("likes", "u5", "p1", None).await.unwrap();
    graph.create_index("user", "age").await.unwrap();
    graph.to_snapshot().unwrap()
}

#[tokio::test]
async fn native_snapshot_fixture_loads_and_answers() {
    let fresh = build().await;
    let path = fixture_path();
    if std::env::var_os("MAYA_WRITE_FIXTURES").is_some() || !path.exists() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    // The same answers as www/test/fixture.test.mjs expects in WebAssembly.
    let graph = Graph::from_snapshot(&bytes, MemoryStorage::new()).unwrap();
    assert_eq!(graph.count_nodes().await.unwrap(), 7);
    assert_eq!(graph.count_edges().await.unwrap(), 10);
    let alice = graph.get_node("u1").await.unwrap().unwrap();
    assert_eq!(alice.get("name"), Some(&Value::from("Alice")));
    let p1 = graph.get_node("p1").await.unwrap().unwrap();
    assert_eq!(p1.get("views"), Some(&Value::Int(1 << 60)));
    let out: Vec<String> = graph
        .get_node_edges("u1", None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.target)
        .collect();
    assert_eq!(out, ["u2", "u3", "p1"]);
    let mut older: Vec<String> = graph
        .query_nodes("user", "age > 30", &[] as &[&str])
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.id)
        .collect();
    older.sort(); // the order of matches is not part of the contract
    assert_eq!(older, ["u1", "u3", "u5"]);
    assert!(graph
        .explain_query("user", "age > 30", &[] as &[&str])
        .await
        .unwrap()
        .uses_index());
    assert_eq!(
        graph
            .k_hop_count("u1", 2, Direction::Outgoing)
            .await
            .unwrap(),
        5
    );
    let edge = graph
        .get_node_edges("u1", Some("follows"))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(edge.created_at_ms, 1_700_000_000_000);
    let path = graph
        .shortest_path("u4", "p2", &Subgraph::all(), Direction::Outgoing)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(path.nodes, ["u4", "u5", "u1", "u2", "p2"]);
    assert_eq!(path.cost, 4.0);
    // The fixture is what this build writes (the format is deterministic).
    assert_eq!(
        bytes, fresh,
        "fixture is stale: regenerate it (see the module docs)"
    );
}
