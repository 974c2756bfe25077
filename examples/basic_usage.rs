//! The spec's "Basic Usage", as written; the only change is that the database
//! lives in a fresh temporary directory so the example can run again.
use knowledge_graph::{Graph, SledStorage, Storage};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize, Clone)]
struct User {
    id: String,
    name: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;

    // Initialize storage
    let storage = SledStorage::open(dir.path().join("data/graph"))?;
    let graph = Graph::new(storage);

    // Create nodes
    let user1 = User {
        id: "1".to_string(),
        name: "Alice".to_string(),
    };

    let user2 = User {
        id: "2".to_string(),
        name: "Bob".to_string(),
    };

    // Add nodes to graph
    graph.add_node("user", &user1.id, &user1).await?;
    graph.add_node("user", &user2.id, &user2).await?;

    // Add relationship
    graph
        .add_edge("follows", &user1.id, &user2.id, None)
        .await?;

    // Query relationships
    let followers = graph.get_edges_to(&user2.id, Some("follows")).await?;
    println!("Users following Bob: {:?}", followers);

    assert_eq!(followers.len(), 1);
    assert_eq!(followers[0].source, "1");
    let _: Option<&dyn Storage> = Some(graph.storage());
    Ok(())
}
