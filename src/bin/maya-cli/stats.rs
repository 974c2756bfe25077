//! `maya-cli stats`, and the statistics `/api/stats` serves.

use std::collections::BTreeMap;

use knowledge_graph::{Graph, SledStorage};
use serde_json::{json, Value as Json};

use crate::cli::{Global, StatsArgs};
use crate::db::{self, Access};
use crate::exit::CliError;

/// min / mean / max / p50 / p99 of a sorted list.
fn summary(sorted: &[u32]) -> Json {
    if sorted.is_empty() {
        return json!({"min": 0, "mean": 0.0, "max": 0, "p50": 0, "p99": 0});
    }
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let sum: u64 = sorted.iter().map(|&d| u64::from(d)).sum();
    json!({
        "min": sorted[0],
        "mean": sum as f64 / sorted.len() as f64,
        "max": sorted[sorted.len() - 1],
        "p50": at(0.5),
        "p99": at(0.99),
    })
}

/// Everything `stats` prints. O(nodes + edges), no property reads.
pub fn collect(graph: &Graph<SledStorage>) -> Result<Json, CliError> {
    let metrics = graph.metrics();
    let (degree, out_degree, in_degree, edge_labels) = {
        let view = graph.read();
        let n = view.node_count();
        let (mut total, mut outs, mut ins) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let mut edge_labels: BTreeMap<String, u64> = BTreeMap::new();
        for index in view.nodes() {
            let out = view.out_edges(index).len() as u32;
            let inc = view.in_edges(index).len() as u32;
            outs.push(out);
            ins.push(inc);
            total.push(out + inc);
            for edge in view.out_edges(index) {
                if let Some((_, _, label)) = view.edge_endpoints(edge) {
                    match edge_labels.get_mut(label) {
                        Some(count) => *count += 1,
                        None => {
                            edge_labels.insert(label.to_string(), 1);
                        }
                    }
                }
            }
        }
        (total, outs, ins, edge_labels)
    };
    let sorted = |mut v: Vec<u32>| {
        v.sort_unstable();
        v
    };
    let (nodes, edges) = (metrics.node_count as f64, metrics.edge_count as f64);
    let density = if nodes > 1.0 {
        edges / (nodes * (nodes - 1.0))
    } else {
        0.0
    };
    let labels: BTreeMap<String, usize> = graph.labels().into_iter().collect();
    let indexes: Vec<String> = graph
        .indexes()
        .iter()
        .map(|i| {
            let kind = match i.kind {
                knowledge_graph::RecordKind::Node => "node",
                _ => "edge",
            };
            format!("{kind} {}.{}", i.label, i.property)
        })
        .collect();
    Ok(json!({
        "nodes": metrics.node_count,
        "edges": metrics.edge_count,
        "node_labels": labels,
        "edge_labels": edge_labels,
        "degree": summary(&sorted(degree)),
        "out_degree": summary(&sorted(out_degree)),
        "in_degree": summary(&sorted(in_degree)),
        "average_degree": if nodes > 0.0 { edges / nodes } else { 0.0 },
        "density": density,
        "disk_usage_bytes": metrics.disk_usage_bytes,
        "topology_bytes": metrics.topology_bytes,
        "indexes": indexes,
        "repaired_records": metrics.repaired_records,
    }))
}

pub fn run(global: &Global, args: StatsArgs) -> Result<(), CliError> {
    let graph = db::open(global, Access::Existing)?;
    let stats = collect(&graph)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&stats).map_err(CliError::failure)?
        );
        return Ok(());
    }
    let dir = db::data_dir(global)?;
    println!("database        {}", dir.display());
    println!("nodes           {}", stats["nodes"]);
    println!("edges           {}", stats["edges"]);
    println!(
        "average degree  {:.3} (edges per node)",
        stats["average_degree"].as_f64().unwrap_or(0.0)
    );
    println!(
        "density         {:.6e}",
        stats["density"].as_f64().unwrap_or(0.0)
    );
    println!(
        "disk usage      {} bytes ({:.2} MiB)",
        stats["disk_usage_bytes"],
        stats["disk_usage_bytes"].as_f64().unwrap_or(0.0) / (1024.0 * 1024.0)
    );
    for (name, key) in [
        ("degree", "degree"),
        ("out-degree", "out_degree"),
        ("in-degree", "in_degree"),
    ] {
        let d = &stats[key];
        println!(
            "{name:<15} min {} / mean {:.2} / p50 {} / p99 {} / max {}",
            d["min"],
            d["mean"].as_f64().unwrap_or(0.0),
            d["p50"],
            d["p99"],
            d["max"]
        );
    }
    println!("node labels");
    if let Some(labels) = stats["node_labels"].as_object() {
        for (label, count) in labels {
            println!("  {label:<20} {count}");
        }
    }
    println!("edge labels");
    if let Some(labels) = stats["edge_labels"].as_object() {
        for (label, count) in labels {
            println!("  {label:<20} {count}");
        }
    }
    if let Some(indexes) = stats["indexes"].as_array() {
        if !indexes.is_empty() {
            println!("indexes");
            for index in indexes {
                println!("  {}", index.as_str().unwrap_or(""));
            }
        }
    }
    Ok(())
}
