//! The main job on the embedded default: a social graph persisted in sled.
//!
//! The first run generates 20,000 users (name, age, city) with 10 `follows`
//! edges each into `data/social-network/`; later runs reopen it. Each run then
//! indexes, queries, walks and analyses the graph, takes a snapshot, and
//! prints what it found and the graph's metrics.
//!
//! ```text
//! cargo run --release --example social_network                # reuse the database if it exists
//! cargo run --release --example social_network -- --fresh     # rebuild it
//! cargo run --release --example social_network -- --users 100000 --path /tmp/social
//! ```
#[path = "support/social.rs"]
mod social;

use std::time::Instant;

use knowledge_graph::{Direction, Graph, LouvainOptions, PageRankOptions, SledStorage, Subgraph};
use social::arg;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let users: usize = arg("--users").map_or(Ok(20_000), |v| v.parse())?;
    let path = arg("--path").unwrap_or_else(|| "data/social-network".into());
    if std::env::args().any(|a| a == "--fresh") {
        let _ = std::fs::remove_dir_all(&path);
    }

    let started = Instant::now();
    let graph = Graph::open(SledStorage::open(&path)?)?;
    if graph.count_nodes().await? == 0 {
        println!(
            "generating {users} users and {} follows edges into {path} ...",
            users * 10
        );
        social::import(&graph, users, 10);
    }
    let (nodes, edges) = (graph.count_nodes().await?, graph.count_edges().await?);
    println!(
        "opened {path}: {nodes} nodes, {edges} edges in {:.2?}",
        started.elapsed()
    );

    // Property queries with a secondary index.
    graph.create_index("user", "city").await?;
    let plan = graph
        .explain_query("user", "city = $1 AND age > 60", &["city7"])
        .await?;
    println!("\nplan:\n{plan}");
    let seniors = graph
        .query_nodes("user", "city = $1 AND age > 60", &["city7"])
        .await?;
    println!("{} users in city7 are over 60", seniors.len());

    // Walks from one user.
    let start = "42";
    let reach2 = graph.k_hop_count(start, 2, Direction::Outgoing).await?;
    let visited = graph
        .traverse(start)
        .with_max_depth(1)
        .with_edge_filter(|e| e.label() == "follows")
        .await?;
    println!(
        "user {start} follows {} users and reaches {reach2} within 2 hops",
        visited.len() - 1
    );
    let far = (users / 2).to_string();
    match graph
        .shortest_path(
            start,
            &far,
            &Subgraph::edges("follows"),
            Direction::Outgoing,
        )
        .await?
    {
        Some(path) => println!(
            "shortest path {start} -> {far}: {}",
            path.nodes.join(" -> ")
        ),
        None => println!("{far} is unreachable from {start}"),
    }
    let weighted = Subgraph::edges("follows").weighted_by("weight");
    if let Some(path) = graph
        .shortest_path(start, &far, &weighted, Direction::Outgoing)
        .await?
    {
        println!(
            "lightest path {start} -> {far}: {} hops, total weight {:.3}",
            path.nodes.len() - 1,
            path.cost
        );
    }

    // Analytics.
    let t = Instant::now();
    let ranks = graph
        .pagerank(&PageRankOptions {
            subgraph: Subgraph::edges("follows"),
            ..Default::default()
        })
        .await?;
    let mut top: Vec<_> = ranks.ranks.iter().collect();
    top.sort_by(|a, b| b.1.total_cmp(a.1));
    let top: Vec<String> = top
        .iter()
        .take(5)
        .map(|(id, r)| format!("{id} ({r:.5})"))
        .collect();
    println!(
        "\nPageRank ({} iterations, {:.0?}): top {}",
        ranks.iterations,
        t.elapsed(),
        top.join(", ")
    );
    let t = Instant::now();
    let communities = graph.louvain(&LouvainOptions::default()).await?;
    println!(
        "Louvain ({:.0?}): {} communities, modularity {:.4}",
        t.elapsed(),
        communities.count,
        communities.modularity
    );
    let components = graph.connected_components(&Subgraph::all(), false).await?;
    let stats = graph.graph_stats(&Subgraph::all()).await?;
    println!(
        "{} weakly connected components; average degree {:.2}, density {:.6}, diameter {} ({})",
        components.count,
        stats.avg_degree,
        stats.density,
        stats.diameter.value,
        if stats.diameter.exact {
            "exact"
        } else {
            "lower bound"
        }
    );

    // A portable snapshot: the same bytes load in the browser package.
    let t = Instant::now();
    let snapshot = graph.to_snapshot()?;
    let info = knowledge_graph::snapshot::verify(&snapshot)?;
    println!(
        "\nsnapshot: {:.1} MB, {} nodes, {} edges, written and verified in {:.0?}",
        snapshot.len() as f64 / 1e6,
        info.nodes,
        info.edges,
        t.elapsed()
    );

    let metrics = graph.metrics();
    println!(
        "metrics: cache hit rate {:.1}%, {} commits, disk {:.1} MB, topology {:.1} bytes/edge, {:?}",
        metrics.cache_hit_rate() * 100.0,
        metrics.commits,
        metrics.disk_usage_mb(),
        metrics.topology_bytes as f64 / edges.max(1) as f64,
        metrics.io_stats()
    );
    Ok(())
}
