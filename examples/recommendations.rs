//! The spec's "Recommendation Queries": users who share interests.
use knowledge_graph::{Graph, SledStorage, Value};

// Recommend users to follow based on common interests
async fn recommend_users(
    graph: &Graph<SledStorage>,
    user_id: &str,
    limit: usize,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    // Get user's interests
    let user_interests = graph.get_node_edges(user_id, Some("has_interest")).await?;
    let interest_ids: Vec<String> = user_interests
        .iter()
        .filter_map(|e| e.target().ok())
        .collect();

    // Find users with similar interests
    let mut similar_users = std::collections::HashMap::new();
    for interest_id in interest_ids {
        let users = graph
            .get_edges_to(&interest_id, Some("has_interest"))
            .await?;
        for edge in users {
            let other_user = edge.source()?;
            if other_user != user_id {
                *similar_users.entry(other_user).or_insert(0) += 1;
            }
        }
    }

    // Sort by number of common interests (then by id, so ties are stable)
    let mut recommendations: Vec<_> = similar_users.into_iter().collect();
    recommendations.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    Ok(recommendations
        .into_iter()
        .take(limit)
        .map(|(user, _)| user)
        .collect())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let graph = Graph::new(SledStorage::open(dir.path().join("data/graph"))?);
    for topic in ["rust", "graphs", "music", "chess"] {
        graph
            .add_node("interest", topic, &Value::from_iter([("name", topic)]))
            .await?;
    }
    let people: [(&str, &[&str]); 5] = [
        ("alice", &["rust", "graphs", "chess"]),
        ("bob", &["rust", "graphs"]),
        ("carol", &["graphs", "music"]),
        ("dave", &["music"]),
        ("erin", &["rust", "graphs", "chess"]),
    ];
    for (user, interests) in people {
        graph
            .add_node("user", user, &Value::from_iter([("name", user)]))
            .await?;
        for interest in interests {
            graph.add_edge("has_interest", user, interest, None).await?;
        }
    }
    let recommended = recommend_users(&graph, "alice", 3).await?;
    println!("Recommended for alice: {recommended:?}");
    assert_eq!(recommended, ["erin", "bob", "carol"]);
    Ok(())
}
