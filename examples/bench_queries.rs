//! Benchmarks property queries (indexed and by label scan), k-hop counts,
//! find_paths and the graph algorithms (through the Graph API, by string id)
//! on the generated social graph (default 100K users, 13 follows
//! each: 1.3M edges; 100 cities, so `city = $1` matches about 1,000 users),
//! on memory and sled, and prints a markdown table of medians.
//!
//! ```text
//! cargo run --release --example bench_queries -- --users 100000
//! ```
#[path = "support/social.rs"]
mod social;

use std::time::Instant;

use knowledge_graph::{
    block_on, Direction, Graph, LouvainOptions, MemoryStorage, Page, PageRankOptions, SledStorage,
    Storage, Subgraph,
};
use social::{arg, median, rate, Rng, CITIES};

/// Median milliseconds of `runs` calls.
fn millis(runs: usize, mut f: impl FnMut()) -> f64 {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    )
}

struct AlgoRow {
    backend: &'static str,
    view_ms: f64,
    weighted_view_ms: f64,
    pagerank_ms: f64,
    wcc_ms: f64,
    louvain_ms: f64,
    bfs: f64,
    dijkstra: f64,
}

fn bench_algorithms<S: Storage>(backend: &'static str, graph: &Graph<S>, users: usize) -> AlgoRow {
    let all = Subgraph::edges("follows");
    let weighted = Subgraph::edges("follows").weighted_by("weight");
    // The first call after a commit builds (and caches) the view.
    let view_ms = millis(1, || {
        drop(block_on(graph.degrees(&all, Direction::Outgoing)).unwrap())
    });
    let weighted_view_ms = millis(1, || {
        drop(block_on(graph.degrees(&weighted, Direction::Outgoing)).unwrap())
    });
    let pr = PageRankOptions {
        subgraph: all.clone(),
        max_iterations: 20,
        tolerance: 0.0,
        ..Default::default()
    };
    let pagerank_ms = millis(3, || drop(block_on(graph.pagerank(&pr)).unwrap()));
    let wcc_ms = millis(5, || {
        drop(block_on(graph.connected_components(&all, false)).unwrap())
    });
    let lv = LouvainOptions {
        subgraph: all.clone(),
        ..Default::default()
    };
    let louvain_ms = millis(3, || drop(block_on(graph.louvain(&lv)).unwrap()));
    let mut rng = Rng(11);
    let pairs: Vec<(String, String)> = (0..2000)
        .map(|_| (rng.below(users).to_string(), rng.below(users).to_string()))
        .collect();
    let bfs = rate(3, pairs.len(), |_| {
        for (a, b) in &pairs {
            std::hint::black_box(
                block_on(graph.shortest_path(a, b, &all, Direction::Outgoing)).unwrap(),
            );
        }
    });
    let dijkstra = rate(3, 200, |_| {
        for (a, b) in &pairs[..200] {
            std::hint::black_box(
                block_on(graph.shortest_path(a, b, &weighted, Direction::Outgoing)).unwrap(),
            );
        }
    });
    AlgoRow {
        backend,
        view_ms,
        weighted_view_ms,
        pagerank_ms,
        wcc_ms,
        louvain_ms,
        bfs,
        dijkstra,
    }
}

struct Row {
    backend: &'static str,
    eq: f64,
    eq_first10: f64,
    eq_indices: f64,
    eq_one: f64,
    and_indexed: f64,
    and_indices: f64,
    and_scan: f64,
    hop2: f64,
    hop3: f64,
    paths: f64,
    avg_paths: f64,
    paths_far: f64,
    avg_paths_far: f64,
}

fn bench<S: Storage>(backend: &'static str, graph: Graph<S>, users: usize) -> (Row, AlgoRow) {
    social::import(&graph, users, 13);
    let mut rng = Rng(5);
    let cities: Vec<String> = (0..CITIES).map(social::city).collect();
    let starts: Vec<String> = (0..4096).map(|_| rng.below(users).to_string()).collect();

    let scan_ops = 20;
    let and_scan = rate(3, scan_ops, |_| {
        for i in 0..scan_ops {
            let hits = block_on(graph.query_nodes(
                "user",
                "city = $1 AND age > 60",
                &[&cities[i % CITIES]],
            ))
            .unwrap();
            std::hint::black_box(hits);
        }
    });
    block_on(graph.create_index("user", "city")).unwrap();
    assert!(
        block_on(graph.explain_query("user", "city = $1", &["city1"]))
            .unwrap()
            .uses_index()
    );
    let ops = 2_000;
    let eq = rate(3, ops, |_| {
        for i in 0..ops {
            let hits =
                block_on(graph.query_nodes("user", "city = $1", &[&cities[i % CITIES]])).unwrap();
            std::hint::black_box(hits);
        }
    });
    let eq_first10 = rate(3, ops * 10, |_| {
        for i in 0..ops * 10 {
            let hits = block_on(graph.query_nodes_with(
                "user",
                "city = $1",
                knowledge_graph::query::Params::from_texts(&[&cities[i % CITIES]]),
                Page::new(0, 10),
            ))
            .unwrap();
            std::hint::black_box(hits);
        }
    });
    // A selective lookup: one row per name.
    block_on(graph.create_index("user", "name")).unwrap();
    let names: Vec<String> = (0..1_000)
        .map(|i| format!("user {}", i * (users / 1_000).max(1) % users))
        .collect();
    let eq_one = rate(3, ops * 50, |_| {
        for i in 0..ops * 50 {
            let hits = block_on(graph.query_nodes("user", "name = $1", &[&names[i % names.len()]]))
                .unwrap();
            assert_eq!(hits.len(), 1);
        }
    });
    let and_indexed = rate(3, ops, |_| {
        for i in 0..ops {
            let hits = block_on(graph.query_nodes(
                "user",
                "city = $1 AND age > 60",
                &[&cities[i % CITIES]],
            ))
            .unwrap();
            std::hint::black_box(hits);
        }
    });
    // The same queries through `GraphRead::query_node_indices`: the nodes'
    // indices, their records neither read nor copied.
    let indices = |expr: &str, ops: usize| {
        rate(3, ops, |_| {
            let view = graph.read();
            for i in 0..ops {
                let hits = view
                    .query_node_indices("user", expr, &[&cities[i % CITIES]], Page::all())
                    .unwrap();
                std::hint::black_box(hits);
            }
        })
    };
    let eq_indices = indices("city = $1", ops * 10);
    let and_indices = indices("city = $1 AND age > 60", ops);
    let hops = 100_000;
    let hop2 = rate(3, hops, |_| {
        for i in 0..hops {
            let n = block_on(graph.k_hop_count(&starts[i % starts.len()], 2, Direction::Outgoing))
                .unwrap();
            std::hint::black_box(n);
        }
    });
    let hop3_ops = 5_000;
    let hop3 = rate(3, hop3_ops, |_| {
        for i in 0..hop3_ops {
            let n = block_on(graph.k_hop_count(&starts[i % starts.len()], 3, Direction::Outgoing))
                .unwrap();
            std::hint::black_box(n);
        }
    });
    // find_paths between random users (rarely within 3 hops of each other)
    // and between users exactly 3 hops apart (the farthest of a 3-hop
    // neighbourhood), where every search finds at least one path.
    let path_ops = 500;
    let far: Vec<(String, String)> = starts
        .iter()
        .filter_map(|a| {
            let ring = block_on(graph.k_hop_nodes(a, 3, Direction::Outgoing)).unwrap();
            Some((a.clone(), ring.last()?.clone()))
        })
        .take(path_ops)
        .collect();
    let random: Vec<(String, String)> = (0..path_ops)
        .map(|i| {
            let b = &starts[(i * 7 + 1) % starts.len()];
            (starts[i % starts.len()].clone(), b.clone())
        })
        .collect();
    let find = |pairs: &[(String, String)]| {
        if pairs.is_empty() {
            return (0.0, 0.0);
        }
        let mut found = 0usize;
        let rate = rate(3, path_ops, |run| {
            for i in 0..path_ops {
                let (a, b) = &pairs[i % pairs.len()];
                let p = block_on(graph.find_paths(a, b, Some(3), None)).unwrap();
                if run == 0 {
                    found += p.len();
                }
            }
        });
        (rate, found as f64 / path_ops as f64)
    };
    let (paths, avg_paths) = find(&random);
    let (paths_far, avg_paths_far) = find(&far);
    let algorithms = bench_algorithms(backend, &graph, users);
    let row = Row {
        backend,
        eq,
        eq_first10,
        eq_indices,
        eq_one,
        and_indexed,
        and_indices,
        and_scan,
        hop2,
        hop3,
        paths,
        avg_paths,
        paths_far,
        avg_paths_far,
    };
    (row, algorithms)
}

fn main() {
    let users: usize = arg("--users").map_or(100_000, |v| v.parse().expect("--users N"));
    println!("users: {users}, edges: {}, cities: {CITIES}", users * 13);
    let (rows, algorithms): (Vec<Row>, Vec<AlgoRow>) = [
        bench("memory", Graph::new(MemoryStorage::new()), users),
        bench("sled", Graph::new(SledStorage::temp().unwrap()), users),
    ]
    .into_iter()
    .unzip();
    println!();
    println!("| backend | `city = $1` (indexed, ~{} rows) q/s | same, first 10 rows q/s | same, node indices (`query_node_indices`) q/s | `name = $1` (indexed, 1 row) q/s | `city = $1 AND age > 60` indexed q/s | same, node indices (`query_node_indices`) q/s | same by label scan q/s | index speed-up | 2-hop counts/s | 3-hop counts/s | find_paths depth 3, random pairs /s (avg paths) | same, pairs 3 hops apart |", users / CITIES);
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} | {:.0}x | {:.0} | {:.0} | {:.0} ({:.1}) | {:.0} ({:.1}) |",
            r.backend,
            r.eq,
            r.eq_first10,
            r.eq_indices,
            r.eq_one,
            r.and_indexed,
            r.and_indices,
            r.and_scan,
            r.and_indexed / r.and_scan,
            r.hop2,
            r.hop3,
            r.paths,
            r.avg_paths,
            r.paths_far,
            r.avg_paths_far
        );
    }
    println!();
    println!("| backend | view build (unweighted / weighted) | PageRank 20 it. | WCC | Louvain | BFS shortest paths/s | Dijkstra on `weight` paths/s |");
    println!("|---|---|---|---|---|---|---|");
    for a in algorithms {
        println!(
            "| {} | {:.0} ms / {:.0} ms | {:.1} ms | {:.1} ms | {:.0} ms | {:.0} | {:.0} |",
            a.backend,
            a.view_ms,
            a.weighted_view_ms,
            a.pagerank_ms,
            a.wcc_ms,
            a.louvain_ms,
            a.bfs,
            a.dijkstra
        );
    }
}
