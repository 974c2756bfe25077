//! The spec's "Property-Based Queries with Joins" and "Temporal Queries".
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use knowledge_graph::{Graph, SledStorage, Value};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let graph = Graph::new(SledStorage::open(dir.path().join("data/graph"))?);
    for user in ["alice", "bob", "carol"] {
        graph
            .add_node("user", user, &Value::from_iter([("name", user)]))
            .await?;
    }
    for post in ["p1", "p2", "p3"] {
        graph
            .add_node("post", post, &Value::from_iter([("title", post)]))
            .await?;
    }
    // `likes` edges carry a count; `activity` edges are timestamped on creation.
    for (user, post, count) in [("alice", "p1", 12), ("bob", "p2", 3), ("carol", "p3", 40)] {
        graph
            .add_edge(
                "likes",
                user,
                post,
                Some(Value::from_iter([("count", count)])),
            )
            .await?;
        graph.add_edge("activity", user, post, None).await?;
    }
    let timestamp_24h_ago = Utc::now().timestamp() - 24 * 3600;

    // Find all posts with more than 10 likes
    let liked_posts = graph
        .query_edges(
            "likes",
            "timestamp > $1 AND count > $2",
            &[timestamp_24h_ago.to_string().as_str(), "10"],
        )
        .await?;

    // Get the users who made these posts
    let post_authors: HashSet<String> =
        liked_posts.iter().filter_map(|e| e.source().ok()).collect();

    // Get details of these users
    let authors = graph
        .get_nodes_by_ids(&post_authors.into_iter().collect::<Vec<_>>())
        .await?;
    let mut names: Vec<_> = authors.iter().map(|n| n.id.clone()).collect();
    names.sort();
    println!("Users with popular likes: {names:?}");
    assert_eq!(names, ["alice", "carol"]);

    // Find all activities in the last 24 hours
    let one_day_ago = Utc::now() - chrono::Duration::hours(24);
    let recent_activities = graph
        .query_edges("activity", "timestamp > $1", &[&one_day_ago.to_rfc3339()])
        .await?;

    // Group activities by hour
    let mut activity_by_hour = std::collections::HashMap::new();
    for activity in recent_activities {
        let timestamp: DateTime<Utc> = DateTime::from_timestamp(activity.timestamp(), 0).unwrap();
        let hour = timestamp.format("%Y-%m-%d %H:00").to_string();
        *activity_by_hour.entry(hour).or_insert(0) += 1;
    }
    println!("Activity by hour: {activity_by_hour:?}");
    assert_eq!(activity_by_hour.values().sum::<i32>(), 3);

    // Nothing happened in the future.
    let tomorrow = (Utc::now() + chrono::Duration::hours(24)).to_rfc3339();
    assert!(graph
        .query_edges("activity", "timestamp > $1", &[&tomorrow])
        .await?
        .is_empty());
    Ok(())
}
