//! The Rust API on every backend: the same assertions on memory and on sled.
// Native only (tokio, sled, proptest): `wasm-pack test` builds every test
// target for wasm32, where this one is then empty.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{edge_triples, props};
use knowledge_graph::{Error, Graph, Storage, Value};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct User {
    id: String,
    name: String,
    age: u32,
    tags: Vec<String>,
}

fn user(id: &str, name: &str, age: u32) -> User {
    User {
        id: id.into(),
        name: name.into(),
        age,
        tags: vec!["a".into()],
    }
}

async fn add_nodes_and_read_back_typed<S: Storage>(graph: Graph<S>) {
    let alice = user("1", "Alice", 30);
    graph.add_node("user", "1", &alice).await.unwrap();
    let back: User = graph.get_node_as("1").await.unwrap().unwrap();
    assert_eq!(back, alice);
    let node = graph.get_node("1").await.unwrap().unwrap();
    assert_eq!(node.label(), "user");
    assert_eq!(node.get("name").and_then(Value::as_str), Some("Alice"));
    assert_eq!(node.get("age").and_then(Value::as_f64), Some(30.0));
    assert!(graph.get_node("2").await.unwrap().is_none());
}

async fn reject_duplicate_nodes<S: Storage>(graph: Graph<S>) {
    graph
        .add_node("user", "1", &user("1", "Alice", 30))
        .await
        .unwrap();
    let err = graph
        .add_node("user", "1", &user("1", "Alicia", 31))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NodeExists { ref id } if id == "1"),
        "{err}"
    );
    assert_eq!(err.to_string(), "node '1' already exists");
    let kept: User = graph.get_node_as("1").await.unwrap().unwrap();
    assert_eq!(kept.name, "Alice");
}

async fn reject_edges_to_missing_nodes<S: Storage>(graph: Graph<S>) {
    graph
        .add_node("user", "1", &user("1", "Alice", 30))
        .await
        .unwrap();
    let err = graph
        .add_edge("follows", "1", "ghost", None)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot add edge 'follows': target node 'ghost' not found"
    );
    let err = graph
        .add_edge("follows", "ghost", "1", None)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot add edge 'follows': source node 'ghost' not found"
    );
    assert_eq!(graph.count_edges().await.unwrap(), 0);
}

async fn query_edges_both_ways<S: Storage>(graph: Graph<S>) {
    for (id, name) in [("1", "Alice"), ("2", "Bob"), ("3", "Carol")] {
        graph
            .add_node("user", id, &user(id, name, 20))
            .await
            .unwrap();
    }
    graph.add_node("topic", "rust", &props(&[])).await.unwrap();
    let e12 = graph.add_edge("follows", "1", "2", None).await.unwrap();
    let e32 = graph
        .add_edge(
            "follows",
            "3",
            "2",
            Some(props(&[("weight", Value::Float(0.5))])),
        )
        .await
        .unwrap();
    graph.add_edge("likes", "1", "rust", None).await.unwrap();
    assert_ne!(e12, e32);

    let to_bob = graph.get_edges_to("2", Some("follows")).await.unwrap();
    let sources: Vec<String> = to_bob.iter().map(|e| e.source().unwrap()).collect();
    assert_eq!(sources, ["1", "3"]);
    assert_eq!(
        to_bob[1].properties.get("weight").and_then(|v| v.as_f64()),
        Some(0.5)
    );
    assert_eq!(to_bob[1].source, "3");
    assert!(
        to_bob[0].timestamp() > 1_600_000_000,
        "timestamp in seconds: {}",
        to_bob[0].timestamp()
    );

    let from_alice = graph.get_node_edges("1", None).await.unwrap();
    assert_eq!(from_alice.len(), 2);
    let liked = graph.get_node_edges("1", Some("likes")).await.unwrap();
    assert_eq!(liked[0].target().unwrap(), "rust");
    assert!(graph
        .get_node_edges("1", Some("no-such-label"))
        .await
        .unwrap()
        .is_empty());
    let err = graph.get_node_edges("ghost", None).await.unwrap_err();
    assert_eq!(err.to_string(), "node 'ghost' not found");

    assert_eq!(
        graph
            .get_edges(Some("follows"), None, None)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        graph.get_edges(None, Some("1"), None).await.unwrap().len(),
        2
    );
    assert_eq!(
        graph.get_edges(None, None, Some("2")).await.unwrap().len(),
        2
    );
    assert_eq!(
        graph
            .get_edges(Some("follows"), Some("3"), Some("2"))
            .await
            .unwrap()[0]
            .id,
        e32
    );
    assert!(graph
        .get_edges(None, Some("ghost"), None)
        .await
        .unwrap()
        .is_empty());

    let edge = graph.get_edge(e32).await.unwrap().unwrap();
    assert_eq!(
        (
            edge.label.as_str(),
            edge.source.as_str(),
            edge.target.as_str()
        ),
        ("follows", "3", "2")
    );

    assert_eq!(graph.get_nodes(Some("user"), None).await.unwrap().len(), 3);
    assert_eq!(graph.get_nodes(None, Some(2)).await.unwrap().len(), 2);
    assert_eq!(
        graph.get_nodes(Some("nothing"), None).await.unwrap().len(),
        0
    );
    let picked = graph.get_nodes_by_ids(&["3", "ghost", "1"]).await.unwrap();
    let ids: Vec<&str> = picked.iter().map(|n| n.id()).collect();
    assert_eq!(ids, ["3", "1"]);
    assert_eq!(graph.count_nodes().await.unwrap(), 4);
    assert_eq!(graph.count_edges().await.unwrap(), 3);
}

async fn update_and_remove<S: Storage>(graph: Graph<S>) {
    graph
        .add_node("user", "1", &user("1", "Alice", 30))
        .await
        .unwrap();
    graph
        .add_node("user", "2", &user("2", "Bob", 40))
        .await
        .unwrap();
    let e = graph.add_edge("follows", "1", "2", None).await.unwrap();
    graph.add_edge("follows", "2", "1", None).await.unwrap();
    graph.add_edge("self", "1", "1", None).await.unwrap();
    // Read once so the old properties are cached, then update.
    graph.get_node("1").await.unwrap();
    graph
        .update_node("1", &user("1", "Alice B.", 31))
        .await
        .unwrap();
    let back: User = graph.get_node_as("1").await.unwrap().unwrap();
    assert_eq!(back.name, "Alice B.");
    assert!(matches!(
        graph.update_node("9", &1).await,
        Err(Error::NodeNotFound { .. })
    ));

    let labels = |graph: &Graph<S>| {
        let mut labels = graph.edge_labels();
        labels.sort();
        labels
    };
    assert_eq!(
        labels(&graph),
        [("follows".to_string(), 2), ("self".to_string(), 1)]
    );
    graph.remove_edge(e).await.unwrap();
    assert_eq!(
        labels(&graph),
        [("follows".to_string(), 1), ("self".to_string(), 1)]
    );
    assert!(graph.get_edge(e).await.unwrap().is_none());
    assert!(matches!(
        graph.remove_edge(e).await,
        Err(Error::EdgeNotFound { .. })
    ));
    assert_eq!(graph.count_edges().await.unwrap(), 2);

    graph.remove_node("1").await.unwrap();
    assert_eq!(graph.count_nodes().await.unwrap(), 1);
    assert_eq!(
        graph.count_edges().await.unwrap(),
        0,
        "edges of a removed node go with it"
    );
    assert!(graph.get_edges_to("2", None).await.unwrap().is_empty());
    assert!(labels(&graph).is_empty());
    assert!(matches!(
        graph.remove_node("1").await,
        Err(Error::NodeNotFound { .. })
    ));
    // The id is free again, and edge ids are never reused.
    graph
        .add_node("user", "1", &user("1", "New", 1))
        .await
        .unwrap();
    let e2 = graph.add_edge("follows", "1", "2", None).await.unwrap();
    assert!(e2.0 > e.0 + 2);
}

async fn commit_batches_all_or_nothing<S: Storage>(graph: Graph<S>) {
    let mut batch = graph.batch();
    batch
        .add_node("user", "1", &user("1", "Alice", 30))
        .unwrap();
    batch.add_node("user", "2", &user("2", "Bob", 40)).unwrap();
    batch.add_edge("follows", "1", "2", None).unwrap();
    assert_eq!(batch.len(), 3);
    let ids = batch.commit().await.unwrap();
    assert_eq!(ids.len(), 1);

    let before = edge_triples(&graph);
    let mut bad = graph.batch();
    bad.add_node("user", "3", &user("3", "Carol", 50)).unwrap();
    bad.add_edge("follows", "3", "1", None).unwrap();
    bad.remove_node("2");
    bad.add_edge("follows", "1", "nobody", None).unwrap();
    let err = bad.commit().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "operation 4 of 4 failed, nothing was applied: cannot add edge 'follows': target node 'nobody' not found"
    );
    assert!(graph.get_node("3").await.unwrap().is_none());
    assert!(
        graph.get_node("2").await.unwrap().is_some(),
        "removal in a failed batch is undone"
    );
    assert_eq!(edge_triples(&graph), before);
    assert_eq!(graph.count_nodes().await.unwrap(), 2);
    // The edge id counter was rolled back too: no gap.
    let next = graph.add_edge("follows", "2", "1", None).await.unwrap();
    assert_eq!(next.0, ids[0].0 + 1);
}

async fn run_transactions<S: Storage>(graph: Graph<S>) {
    let result = graph
        .transaction(|tx| {
            tx.add_node("user", "1", &user("1", "Alice", 30))?;
            tx.add_node("user", "2", &user("2", "Bob", 40))?;
            tx.add_edge("follows", "1", "2", None)?;
            Ok(42)
        })
        .await
        .unwrap();
    assert_eq!(result, 42);
    assert_eq!(graph.count_edges().await.unwrap(), 1);

    let err = graph
        .transaction(|tx| {
            tx.add_node("user", "3", &user("3", "Carol", 50))?;
            Err::<(), _>(Error::InvalidArgument {
                detail: "changed my mind".into(),
            })
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("changed my mind"));
    assert!(graph.get_node("3").await.unwrap().is_none());

    let mut tx = graph.begin().await.unwrap();
    tx.remove_node("1");
    assert_eq!(graph.metrics().active_transactions(), 1);
    tx.rollback();
    assert_eq!(graph.metrics().active_transactions(), 0);
    assert!(graph.get_node("1").await.unwrap().is_some());

    let mut tx = graph.begin().await.unwrap();
    tx.remove_node("1");
    tx.commit().await.unwrap();
    assert!(graph.get_node("1").await.unwrap().is_none());
    assert_eq!(graph.count_edges().await.unwrap(), 0);
}

async fn reject_empty_ids_and_labels<S: Storage>(graph: Graph<S>) {
    let err = graph.add_node("user", "", &1).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: node id must not be empty"
    );
    let err = graph.add_node("", "x", &1).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: node label must not be empty"
    );
    graph.add_node("user", "x", &1).await.unwrap();
    let err = graph.add_edge("", "x", "x", None).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: edge label must not be empty"
    );
}

async fn count_metrics<S: Storage>(graph: Graph<S>) {
    graph
        .add_node("user", "1", &user("1", "Alice", 30))
        .await
        .unwrap();
    graph
        .add_node("user", "2", &user("2", "Bob", 30))
        .await
        .unwrap();
    graph.add_edge("follows", "1", "2", None).await.unwrap();
    let before = graph.metrics();
    for _ in 0..9 {
        graph.get_node("1").await.unwrap();
    }
    let m = graph.metrics();
    assert_eq!((m.node_count(), m.edge_count()), (2, 1));
    assert_eq!(
        m.cache_hits + m.cache_misses - before.cache_hits - before.cache_misses,
        9
    );
    assert!(m.cache_misses - before.cache_misses <= 1);
    assert!(m.cache_hit_rate() > 0.5, "{}", m.cache_hit_rate());
    assert!(m.io_stats().batches >= 3);
    assert_eq!(m.active_transactions(), 0);
    assert_eq!(m.commits, 3);
}

macro_rules! backend_tests {
    ($module:ident, $make:expr) => {
        mod $module {
            use super::*;
            backend_tests!(@each $make;
                add_nodes_and_read_back_typed,
                reject_duplicate_nodes,
                reject_edges_to_missing_nodes,
                query_edges_both_ways,
                update_and_remove,
                commit_batches_all_or_nothing,
                run_transactions,
                reject_empty_ids_and_labels,
                count_metrics,
            );
        }
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                super::$name(Graph::new($make)).await;
            }
        )*
    };
}

backend_tests!(memory, knowledge_graph::MemoryStorage::new());
backend_tests!(sled, knowledge_graph::SledStorage::temp().unwrap());
backend_tests!(
    sled_high_safety,
    knowledge_graph::SledStorage::builder()
        .temporary(true)
        .mode("high_safety")
        .open()
        .unwrap()
);
