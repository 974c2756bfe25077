//! The spec's "Batch Operations": queue, then commit all or nothing.
use knowledge_graph::{Graph, SledStorage};
use serde::Serialize;

#[derive(Serialize)]
struct User {
    name: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let user1 = User {
        name: "Alice".into(),
    };
    let user2 = User { name: "Bob".into() };

    let storage = SledStorage::open(dir.path().join("data/graph"))?;
    let graph = Graph::new(storage);

    let mut batch = graph.batch();

    // Queue operations
    batch.add_node("user", "1", &user1)?;
    batch.add_node("user", "2", &user2)?;
    batch.add_edge("follows", "1", "2", None)?;

    // Execute batch
    batch.commit().await?;
    println!(
        "committed: {} nodes, {} edges",
        graph.count_nodes().await?,
        graph.count_edges().await?
    );

    // A batch with one bad operation changes nothing.
    let mut batch = graph.batch();
    batch.add_node(
        "user",
        "3",
        &User {
            name: "Carol".into(),
        },
    )?;
    batch.add_edge("follows", "3", "nobody", None)?;
    match batch.commit().await {
        Ok(_) => return Err("a batch with a missing endpoint must fail".into()),
        Err(err) => println!("rejected as expected: {err}"),
    }
    assert_eq!(graph.count_nodes().await?, 2);

    // Transactions hold the write lock from begin to commit.
    let mut tx = graph.begin().await?;
    tx.add_node(
        "user",
        "3",
        &User {
            name: "Carol".into(),
        },
    )?;
    tx.add_edge("follows", "3", "1", None)?;
    tx.commit().await?;

    let added = graph
        .transaction(|tx| {
            tx.add_edge("follows", "2", "3", None)?;
            Ok("closure transactions commit when the closure returns Ok")
        })
        .await?;
    println!("{added}");
    assert_eq!(graph.count_edges().await?, 3);
    Ok(())
}
