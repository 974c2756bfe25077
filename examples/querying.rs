//! The spec's "Querying the Graph", "Complex Graph Traversals" and "Slow
//! Queries" (explain) sections, on a small social graph.
use knowledge_graph::{Graph, SledStorage};
use serde::Serialize;

#[derive(Serialize)]
struct User<'a> {
    name: &'a str,
    age: u32,
    city: &'a str,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let graph = Graph::new(SledStorage::open(dir.path().join("data/graph"))?);
    let people = [
        ("1", "Alice", 34, "Paris"),
        ("2", "Bob", 61, "Oslo"),
        ("3", "Carol", 72, "Paris"),
        ("4", "Dave", 25, "Lima"),
        ("5", "Erin", 66, "Paris"),
    ];
    for (id, name, age, city) in people {
        graph
            .add_node("user", id, &User { name, age, city })
            .await?;
    }
    for (from, to) in [
        ("1", "2"),
        ("1", "3"),
        ("2", "4"),
        ("3", "4"),
        ("4", "5"),
        ("3", "2"),
    ] {
        graph.add_edge("follows", from, to, None).await?;
    }
    graph.add_edge("blocks", "1", "5", None).await?;
    let alice_id = "1".to_string();

    // Find all paths between two nodes
    let paths = graph.find_paths("1", "2", Some(3), None).await?;
    for path in &paths {
        println!("path: {}", path.nodes.join(" -> "));
    }
    assert_eq!(paths.len(), 2);

    // Find nodes by property
    let users = graph.query_nodes("user", "name = $1", &["Alice"]).await?;
    assert_eq!(users.len(), 1);

    // Traverse graph
    let traversal = graph
        .traverse("1")
        .with_max_depth(3)
        .with_edge_filter(|e| e.label() == "follows");

    for node in traversal.await? {
        println!("Visited: {:?}", node);
    }

    // Find all users who are followed by someone Alice follows (2-hop query)
    let query = graph
        .traverse(&alice_id)
        .with_max_depth(2)
        .with_edge_filter(|e| e.label() == "follows");

    let mut two_hops = Vec::new();
    for node in query.await? {
        if node.depth() == 2 {
            println!("Potential connection: {:?}", node);
            two_hops.push(node.id().to_string());
        }
    }
    assert_eq!(two_hops, ["4"]);

    // Slow queries: create an index, then check the plan uses it
    graph.create_index("user", "city").await?;
    let plan = graph
        .explain_query("user", "city = $1 AND age > 60", &["Paris"])
        .await?;
    println!("Query plan:\n{plan}");
    assert!(plan.uses_index());
    let seniors = graph
        .query_nodes("user", "city = $1 AND age > 60", &["Paris"])
        .await?;
    let names: Vec<_> = seniors
        .iter()
        .map(|n| n.get("name").and_then(|v| v.as_str()).unwrap_or(""))
        .collect();
    assert_eq!(names, ["Carol", "Erin"]);

    // Profile a query
    let start = std::time::Instant::now();
    let result = graph.query_nodes("user", "name = $1", &["Alice"]).await?;
    let duration = start.elapsed();
    println!("Query took: {:?} ({} rows)", duration, result.len());

    // Get query plan
    let plan = graph.explain_query("user", "name = $1", &["Alice"]).await?;
    println!("Query plan: {:#?}", plan);

    // Errors say where the expression is wrong
    match graph
        .query_nodes("user", "age > AND city = $1", &["Paris"])
        .await
    {
        Ok(_) => return Err("a malformed query must fail".into()),
        Err(err) => println!("{err}"),
    }
    Ok(())
}
