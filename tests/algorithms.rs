//! Graph algorithms through the Graph API, keyed by string ids: checked
//! against the networkx reference results in `tests/fixtures/algo/`, with
//! label restriction, weights, bad weights and cache invalidation.
// Native only (tokio, sled, proptest): `wasm-pack test` builds every test
// target for wasm32, where this one is then empty.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::props;
use knowledge_graph::{
    block_on, Direction, Error, Graph, LouvainOptions, MemoryStorage, PageRankOptions, SledStorage,
    Storage, Subgraph, Value,
};
use serde_json::Value as Json;

fn fixture(name: &str) -> Json {
    let path = format!(
        "{}/tests/fixtures/algo/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Loads a fixture: node ids "n0".., `link` edges with a `weight` property,
/// plus noise the algorithms must ignore when restricted to `link`.
fn load<S: Storage>(storage: S, data: &Json) -> Graph<S> {
    let graph = Graph::new(storage);
    let nodes = data["nodes"].as_array().unwrap();
    let mut batch = graph.batch();
    for i in 0..nodes.len() {
        batch
            .add_node(
                "person",
                &format!("n{i}"),
                &props(&[("index", Value::Int(i as i64))]),
            )
            .unwrap();
    }
    batch.add_node("noise", "noise", &Value::Null).unwrap();
    for arc in data["arcs"].as_array().unwrap() {
        let (s, t, w) = (
            arc[0].as_u64().unwrap(),
            arc[1].as_u64().unwrap(),
            arc[2].as_f64().unwrap(),
        );
        let p = props(&[("weight", Value::Float(w))]);
        batch
            .add_edge("link", &format!("n{s}"), &format!("n{t}"), Some(p))
            .unwrap();
    }
    batch.add_edge("other", "n0", "noise", None).unwrap();
    batch.add_edge("other", "noise", "n1", None).unwrap();
    block_on(batch.commit()).unwrap();
    graph
}

fn links() -> Subgraph {
    Subgraph {
        node_labels: Some(vec!["person".into()]),
        edge_labels: Some(vec!["link".into()]),
        weight: None,
    }
}

fn check_fixture<S: Storage>(storage: S, name: &str) {
    let data = fixture(name);
    let graph = load(storage, &data);
    let n = data["nodes"].as_array().unwrap().len();

    let pr = block_on(graph.pagerank(&PageRankOptions {
        subgraph: links(),
        ..Default::default()
    }))
    .unwrap();
    assert!(pr.converged);
    // networkx's defaults (tolerance 1e-6) against networkx's defaults.
    for (i, expected) in data["pagerank"]["default_tol6"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let got = pr.ranks[&format!("n{i}")];
        assert!(
            (got - expected.as_f64().unwrap()).abs() < 1e-6,
            "{name} pagerank n{i}: {got} vs {expected}"
        );
    }
    let weighted = PageRankOptions {
        subgraph: links().weighted_by("weight"),
        tolerance: 1e-10,
        max_iterations: 1000,
        ..Default::default()
    };
    let pr = block_on(graph.pagerank(&weighted)).unwrap();
    for (i, expected) in data["pagerank"]["weighted"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert!(
            (pr.ranks[&format!("n{i}")] - expected.as_f64().unwrap()).abs() < 1e-6,
            "{name} weighted pagerank"
        );
    }

    for (source, lengths) in data["bfs"].as_object().unwrap() {
        let from = format!("n{source}");
        let distances =
            block_on(graph.bfs_distances(&from, &links(), Direction::Outgoing)).unwrap();
        // The fixtures write -1 for unreachable, which reads as no u64.
        for (i, expected) in lengths.as_array().unwrap().iter().enumerate() {
            let to = format!("n{i}");
            let got = distances.get(&to).copied();
            assert_eq!(
                got.map(u64::from),
                expected.as_u64(),
                "{name} bfs {from}->{to}"
            );
            let path =
                block_on(graph.shortest_path(&from, &to, &links(), Direction::Outgoing)).unwrap();
            assert_eq!(
                path.map(|p| p.cost as u64),
                expected.as_u64(),
                "{name} bfs path {from}->{to}"
            );
        }
    }
    for (source, lengths) in data["dijkstra"].as_object().unwrap() {
        let from = format!("n{source}");
        for (i, expected) in lengths.as_array().unwrap().iter().enumerate().step_by(3) {
            let to = format!("n{i}");
            let path = block_on(graph.shortest_path(
                &from,
                &to,
                &links().weighted_by("weight"),
                Direction::Outgoing,
            ))
            .unwrap();
            // The fixtures write -1 for unreachable.
            match (path, expected.as_f64().filter(|c| *c >= 0.0)) {
                (Some(p), Some(cost)) => {
                    assert!(
                        (p.cost - cost).abs() < 1e-9,
                        "{name} dijkstra {from}->{to}: {} vs {cost}",
                        p.cost
                    );
                    assert_eq!(p.nodes.first().unwrap(), &from);
                    assert_eq!(p.nodes.last().unwrap(), &to);
                }
                (None, None) => {}
                (got, want) => panic!("{name} dijkstra {from}->{to}: {got:?} vs {want:?}"),
            }
        }
    }

    let wcc = block_on(graph.connected_components(&links(), false)).unwrap();
    assert_eq!(wcc.count as u64, data["wcc_count"].as_u64().unwrap());
    assert_eq!(wcc.component.len(), n);
    let scc = block_on(graph.connected_components(&links(), true)).unwrap();
    assert_eq!(scc.count as u64, data["scc_count"].as_u64().unwrap());

    let (total, per_node) = block_on(graph.triangles(&links())).unwrap();
    assert_eq!(total, data["triangle_total"].as_u64().unwrap());
    assert_eq!(per_node["n0"], data["triangles"][0].as_u64().unwrap());
    let cores = block_on(graph.k_core(&links())).unwrap();
    for (i, expected) in data["core_number"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            u64::from(cores[&format!("n{i}")]),
            expected.as_u64().unwrap()
        );
    }
    let (average, _) = block_on(graph.clustering(&links())).unwrap();
    assert!((average - data["average_clustering"].as_f64().unwrap()).abs() < 1e-9);

    let stats = block_on(graph.graph_stats(&links())).unwrap();
    assert_eq!(stats.nodes, n);
    assert!((stats.density - data["density"].as_f64().unwrap()).abs() < 1e-12);
    assert!(stats.diameter.exact);
    assert_eq!(
        u64::from(stats.diameter.value),
        data["diameter"].as_u64().unwrap()
    );

    // Louvain: at least 0.99 x networkx's mean modularity over its seeds.
    let reference = &data["louvain"]["weighted"]["modularity"];
    let values: Vec<f64> = reference
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let networkx_mean = values.iter().sum::<f64>() / values.len() as f64;
    let ours: Vec<f64> = (0..10)
        .map(|seed| {
            let options = LouvainOptions {
                subgraph: links().weighted_by("weight"),
                seed,
                ..Default::default()
            };
            block_on(graph.louvain(&options)).unwrap().modularity
        })
        .collect();
    let our_mean = ours.iter().sum::<f64>() / ours.len() as f64;
    assert!(
        our_mean >= 0.99 * networkx_mean,
        "{name} louvain {our_mean} vs networkx {networkx_mean}"
    );
    let again = LouvainOptions {
        subgraph: links().weighted_by("weight"),
        seed: 3,
        ..Default::default()
    };
    assert_eq!(
        block_on(graph.louvain(&again)).unwrap(),
        block_on(graph.louvain(&again)).unwrap()
    );
}

#[test]
fn karate_club_matches_networkx() {
    check_fixture(MemoryStorage::new(), "karate");
}

#[test]
fn les_miserables_matches_networkx_on_sled() {
    check_fixture(SledStorage::temp().unwrap(), "les_miserables");
}

#[test]
fn florentine_families_match_networkx() {
    check_fixture(MemoryStorage::new(), "florentine");
}

#[test]
fn random_directed_graph_with_dangling_nodes_matches_networkx() {
    check_fixture(MemoryStorage::new(), "random_directed");
}

#[test]
fn results_follow_writes() {
    let graph = Graph::new(MemoryStorage::new());
    for id in ["a", "b", "c"] {
        block_on(graph.add_node("n", id, &Value::Null)).unwrap();
    }
    block_on(graph.add_edge("e", "a", "b", None)).unwrap();
    let before = block_on(graph.connected_components(&Subgraph::all(), false)).unwrap();
    assert_eq!(before.count, 2);
    assert!(
        block_on(graph.shortest_path("a", "c", &Subgraph::all(), Direction::Outgoing))
            .unwrap()
            .is_none()
    );
    block_on(graph.add_edge("e", "b", "c", None)).unwrap();
    let after = block_on(graph.connected_components(&Subgraph::all(), false)).unwrap();
    assert_eq!(
        after.count, 1,
        "the cached view was rebuilt after the commit"
    );
    let path = block_on(graph.shortest_path("a", "c", &Subgraph::all(), Direction::Outgoing))
        .unwrap()
        .unwrap();
    assert_eq!(path.nodes, ["a", "b", "c"]);
    assert_eq!(path.cost, 2.0);
    let back = block_on(graph.shortest_path("c", "a", &Subgraph::all(), Direction::Incoming))
        .unwrap()
        .unwrap();
    assert_eq!(back.nodes, ["c", "b", "a"]);
}

#[test]
fn bad_weights_and_ids_are_clear_errors() {
    let graph = Graph::new(MemoryStorage::new());
    for id in ["a", "b", "c"] {
        block_on(graph.add_node("n", id, &Value::Null)).unwrap();
    }
    block_on(graph.add_edge("e", "a", "b", Some(props(&[("w", Value::Float(-2.0))])))).unwrap();
    block_on(graph.add_edge(
        "f",
        "b",
        "c",
        Some(props(&[("w", Value::String("heavy".into()))])),
    ))
    .unwrap();
    let weighted = |label: &str| Subgraph::edges(label).weighted_by("w");
    let err =
        block_on(graph.shortest_path("a", "b", &weighted("e"), Direction::Outgoing)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: edge #0 has weight -2 in 'w': weights must be finite and not negative"
    );
    let err =
        block_on(graph.shortest_path("b", "c", &weighted("f"), Direction::Outgoing)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: edge #1 has string 'w' where a numeric weight was expected"
    );
    let err = block_on(graph.shortest_path("a", "zed", &Subgraph::all(), Direction::Outgoing))
        .unwrap_err();
    assert!(matches!(err, Error::NodeNotFound { .. }));
    let err = block_on(graph.pagerank(&PageRankOptions {
        damping: 1.5,
        ..Default::default()
    }))
    .unwrap_err();
    assert!(matches!(err, Error::Algorithm(_)), "{err}");
    // Unweighted runs ignore the weight property entirely.
    assert!(
        block_on(graph.shortest_path("a", "c", &Subgraph::all(), Direction::Outgoing))
            .unwrap()
            .is_some()
    );
}
