//! Benchmarks property queries (indexed and by label scan), k-hop counts and
//! find_paths on the generated social graph (default 100K users, 13 follows
//! each: 1.3M edges; 100 cities, so `city = $1` matches about 1,000 users),
//! on memory and sled, and prints a markdown table of medians.
//!
//! ```text
//! cargo run --release --example bench_queries -- --users 100000
//! ```
#[path = "support/social.rs"]
mod social;

use knowledge_graph::{block_on, Direction, Graph, MemoryStorage, Page, SledStorage, Storage};
use social::{arg, rate, Rng, CITIES};

struct Row {
    backend: &'static str,
    eq: f64,
    eq_first10: f64,
    and_indexed: f64,
    and_scan: f64,
    hop2: f64,
    hop3: f64,
    paths: f64,
    avg_paths: f64,
}

fn bench<S: Storage>(backend: &'static str, graph: Graph<S>, users: usize) -> Row {
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
    let path_ops = 500;
    let mut found = 0usize;
    let paths = rate(3, path_ops, |run| {
        for i in 0..path_ops {
            let (a, b) = (
                &starts[i % starts.len()],
                &starts[(i * 7 + 1) % starts.len()],
            );
            let p = block_on(graph.find_paths(a, b, Some(3), None)).unwrap();
            if run == 0 {
                found += p.len();
            }
        }
    });
    Row {
        backend,
        eq,
        eq_first10,
        and_indexed,
        and_scan,
        hop2,
        hop3,
        paths,
        avg_paths: found as f64 / path_ops as f64,
    }
}

fn main() {
    let users: usize = arg("--users").map_or(100_000, |v| v.parse().expect("--users N"));
    println!("users: {users}, edges: {}, cities: {CITIES}", users * 13);
    let rows = vec![
        bench("memory", Graph::new(MemoryStorage::new()), users),
        bench("sled", Graph::new(SledStorage::temp().unwrap()), users),
    ];
    println!();
    println!("| backend | `city = $1` (indexed, ~{} rows) q/s | same, first 10 rows q/s | `city = $1 AND age > 60` indexed q/s | same by label scan q/s | index speed-up | 2-hop counts/s | 3-hop counts/s | find_paths depth 3 /s (avg paths) |", users / CITIES);
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.1} | {:.0}x | {:.0} | {:.0} | {:.0} ({:.1}) |",
            r.backend,
            r.eq,
            r.eq_first10,
            r.and_indexed,
            r.and_scan,
            r.and_indexed / r.and_scan,
            r.hop2,
            r.hop3,
            r.paths,
            r.avg_paths
        );
    }
}
