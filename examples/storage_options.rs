//! The spec's "Configuration", "Recommended Settings" and "Troubleshooting"
//! storage snippets. The spec passes the path both to `.path()` and to
//! `.open()`; here it always goes to `.path()`.
use std::time::Duration;

use knowledge_graph::{Graph, SledStorage, Value};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("data/graph");
    // sled keeps the compression setting of a database for its whole life, so
    // the compressed configurations get a database of their own.
    let compressed = dir.path().join("data/compressed");

    // Storage Options
    let storage = SledStorage::builder()
        .path(&compressed)
        .cache_capacity(1_000_000) // 1M items in cache
        .compression(true)
        .mode("high_throughput") // or "low_space", "high_safety"
        .open()?;
    let graph = Graph::new(storage);
    graph
        .add_node("user", "1", &Value::from_iter([("name", "Alice")]))
        .await?;
    drop(graph);
    let graph = Graph::new(SledStorage::open(&path)?);
    graph
        .add_node("user", "1", &Value::from_iter([("name", "Alice")]))
        .await?;
    drop(graph);

    // For production workloads
    let storage = SledStorage::builder()
        .path(&compressed)
        .cache_capacity(10_000_000) // 10M items
        .compression(true)
        .mode("high_throughput")
        .open()?;
    drop(storage);

    // For development
    let storage = SledStorage::temp()?; // Creates a temporary database, removed on drop
    drop(storage);

    // High memory usage: reduce cache size
    let storage = SledStorage::builder()
        .path(&path)
        .cache_capacity(100_000) // Reduce from default
        .open()?;
    drop(storage);

    // Database corruption: repair on open
    let storage = SledStorage::builder()
        .path(&path)
        .repair_on_open(true)
        .open()?;
    drop(storage);

    // Query timeouts: how long a writer waits for the write lock
    let storage = SledStorage::builder()
        .path(&path)
        .timeout(Duration::from_secs(30)) // Increase timeout
        .open()?;
    drop(storage);

    // Periodic maintenance
    let storage = SledStorage::open(&path)?;
    storage.compact()?; // Run during low-traffic periods

    let graph = Graph::new(storage);
    assert_eq!(graph.count_nodes().await?, 1);

    // Changing compression on an existing database is a clear error too.
    match SledStorage::builder()
        .path(&compressed)
        .compression(false)
        .open()
    {
        Ok(_) => return Err("sled cannot change compression on an existing database".into()),
        Err(err) => println!("{err}"),
    }

    // A mode that does not exist is a clear error.
    match SledStorage::builder().path(&path).mode("turbo").open() {
        Ok(_) => return Err("unknown modes must be rejected".into()),
        Err(err) => println!("{err}"),
    }
    println!("all storage options accepted");
    Ok(())
}
