//! The spec's "Built-in Metrics" and "Monitor Database Metrics" snippets.
use knowledge_graph::{Graph, SledStorage, Value};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let graph = Graph::new(SledStorage::open(dir.path().join("data/graph"))?);
    for i in 0..1_000 {
        graph
            .add_node("user", &format!("u{i}"), &Value::from_iter([("n", i)]))
            .await?;
    }
    for i in 1..1_000 {
        graph
            .add_edge("follows", &format!("u{i}"), &format!("u{}", i / 2), None)
            .await?;
    }
    for i in 0..5_000 {
        graph.get_node(&format!("u{}", i % 100)).await?;
    }
    graph.flush().await?;

    let metrics = graph.metrics();
    println!("Cache hit rate: {:.2}%", metrics.cache_hit_rate() * 100.0);
    println!("Nodes: {}", metrics.node_count());
    println!("Edges: {}", metrics.edge_count());

    println!("IO operations: {:?}", metrics.io_stats());
    println!("Active transactions: {}", metrics.active_transactions());
    println!("Disk usage: {:.2}MB", metrics.disk_usage_mb());

    assert_eq!(metrics.node_count(), 1_000);
    assert_eq!(metrics.edge_count(), 999);
    assert!(metrics.cache_hit_rate() > 0.9);
    Ok(())
}
