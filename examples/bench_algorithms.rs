//! Benchmarks of `knowledge_graph::algo` on a synthetic social graph.
//!
//! `cargo run --release --example bench_algorithms [-- --nodes N]` prints a
//! markdown table of median timings. The graph is deterministic: 100 000
//! nodes (or N) and 13 directed edges per node; half the edges copy the target of an earlier edge
//! (preferential attachment, so in-degrees are heavily skewed), the other half
//! stay inside the source's group of 1 000 nodes (community structure);
//! weights are in (0, 1].

use core::hint::black_box;
use core::time::Duration;
use std::time::Instant;

use knowledge_graph::algo::{
    diameter, k_core, louvain, pagerank, strongly_connected_components, triangle_count,
    weakly_connected_components, Csr, DiameterOptions, Direction, LouvainOptions, PageRankOptions,
    ShortestPaths, SplitMix64,
};

const GROUP: u32 = 1_000;

/// Nodes in the graph: `--nodes N`, 100 000 by default.
fn nodes() -> u32 {
    static NODES: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *NODES.get_or_init(|| {
        let args: Vec<String> = std::env::args().collect();
        let at = args.iter().position(|a| a == "--nodes");
        at.and_then(|i| args.get(i + 1))
            .map_or(100_000, |n| n.parse().expect("--nodes N"))
    })
}

fn social_graph(seed: u64) -> Vec<(u32, u32, f64)> {
    let mut rng = SplitMix64::new(seed);
    let mut edges: Vec<(u32, u32, f64)> = Vec::with_capacity(13 * nodes() as usize);
    while edges.len() < 13 * nodes() as usize {
        let source = rng.below(u64::from(nodes())) as u32;
        let target = if !edges.is_empty() && rng.below(2) == 0 {
            edges[rng.below(edges.len() as u64) as usize].1
        } else {
            // Skewed inside the group: low offsets are popular.
            let r = rng.next_f64();
            source - source % GROUP
                + (r * r * f64::from(GROUP.min(nodes() - source + source % GROUP))) as u32
        };
        if target != source {
            edges.push((source, target, 1.0 - rng.next_f64()));
        }
    }
    edges
}

/// Median wall time of `runs` calls of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let edges = social_graph(2024);
    let build = median(5, || {
        black_box(Csr::from_edges(nodes() as usize, &edges, true));
    });
    let csr = Csr::from_edges(nodes() as usize, &edges, true);
    println!(
        "graph: {} nodes, {} edges, max in-degree {}\n",
        csr.node_count(),
        csr.edge_count(),
        (0..nodes()).map(|v| csr.in_degree(v)).max().unwrap_or(0)
    );
    println!("| algorithm | median | notes |\n|---|---|---|");
    println!(
        "| CSR build (counting sort) | {} | {} weighted edges |",
        ms(build),
        csr.edge_count()
    );

    let options = PageRankOptions {
        max_iterations: 20,
        tolerance: 0.0,
        ..Default::default()
    };
    let t = median(5, || {
        black_box(pagerank(&csr, &options).unwrap());
    });
    println!(
        "| PageRank, 20 iterations | {} | unweighted, pull-based |",
        ms(t)
    );
    let weighted = PageRankOptions {
        weighted: true,
        ..options
    };
    let t = median(5, || {
        black_box(pagerank(&csr, &weighted).unwrap());
    });
    println!("| PageRank, 20 iterations, weighted | {} | |", ms(t));

    let wcc = weakly_connected_components(&csr);
    let t = median(5, || {
        black_box(weakly_connected_components(&csr));
    });
    println!(
        "| weakly connected components | {} | {} components |",
        ms(t),
        wcc.count
    );
    let scc = strongly_connected_components(&csr);
    let t = median(5, || {
        black_box(strongly_connected_components(&csr));
    });
    println!(
        "| strongly connected components | {} | {} components |",
        ms(t),
        scc.count
    );

    let result = louvain(&csr, &LouvainOptions::default()).unwrap();
    let t = median(3, || {
        black_box(louvain(&csr, &LouvainOptions::default()).unwrap());
    });
    println!(
        "| Louvain | {} | {} communities, modularity {:.4}, {} levels |",
        ms(t),
        result.count,
        result.modularity,
        result.levels
    );

    let (triangles, _) = triangle_count(&csr);
    let t = median(3, || {
        black_box(triangle_count(&csr));
    });
    println!("| triangle count | {} | {triangles} triangles |", ms(t));
    let cores = k_core(&csr);
    let t = median(3, || {
        black_box(k_core(&csr));
    });
    println!(
        "| k-core | {} | max core {} |",
        ms(t),
        cores.iter().max().unwrap_or(&0)
    );

    let mut rng = SplitMix64::new(7);
    let mut pairs = |count: usize| -> Vec<(u32, u32)> {
        (0..count)
            .map(|_| {
                (
                    rng.below(u64::from(nodes())) as u32,
                    rng.below(u64::from(nodes())) as u32,
                )
            })
            .collect()
    };
    let bfs_pairs = pairs(2_000);
    let mut paths = ShortestPaths::new();
    for direction in [Direction::Outgoing, Direction::Both] {
        let mut found = 0;
        let t = median(3, || {
            found = bfs_pairs
                .iter()
                .filter(|&&(a, b)| paths.bfs_path(&csr, a, b, direction).is_some())
                .count();
        });
        println!(
            "| BFS shortest path ({direction:?}), 2,000 random pairs | {} | {:.0} paths/s, {found} reachable |",
            ms(t),
            2_000.0 / t.as_secs_f64()
        );
    }
    let dijkstra_pairs = pairs(200);
    for direction in [Direction::Outgoing, Direction::Both] {
        let mut found = 0;
        let t = median(3, || {
            found = dijkstra_pairs
                .iter()
                .filter(|&&(a, b)| paths.dijkstra(&csr, a, b, direction).unwrap().is_some())
                .count();
        });
        println!(
            "| Dijkstra ({direction:?}), 200 random pairs | {} | {:.0} paths/s, {found} reachable |",
            ms(t),
            200.0 / t.as_secs_f64()
        );
    }
    // Bounded mode: exact diameter by iFUB needs too many BFS runs on this
    // expander-like synthetic graph, so show the labelled lower bound.
    let bounded = DiameterOptions {
        exact_node_limit: 0,
        bfs_budget: 64,
    };
    let start = Instant::now();
    let d = diameter(&csr, bounded);
    println!(
        "| diameter (undirected, iFUB, 64 BFS budget) | {} | {} (exact: {}) |",
        ms(start.elapsed()),
        d.value,
        d.exact
    );
}
