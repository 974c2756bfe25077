//! `maya-cli query`.

use knowledge_graph::query::Params;
use knowledge_graph::{block_on, Edge, Node, Page};
use serde_json::json;

use crate::cli::{Global, QueryArgs};
use crate::db::{self, Access};
use crate::exit::CliError;

pub fn node_json(node: &Node) -> serde_json::Value {
    json!({"id": node.id, "label": node.label, "properties": &*node.properties})
}

pub fn edge_json(edge: &Edge) -> serde_json::Value {
    json!({
        "id": edge.id.0,
        "label": edge.label,
        "source": edge.source,
        "target": edge.target,
        "properties": &*edge.properties,
        "timestamp": edge.created_at_ms,
    })
}

pub fn run(global: &Global, args: QueryArgs) -> Result<(), CliError> {
    let graph = db::open(global, Access::Existing)?;
    if args.explain {
        let plan = if args.edges {
            block_on(graph.explain_edge_query(&args.label, &args.expr, &args.params))?
        } else {
            block_on(graph.explain_query(&args.label, &args.expr, &args.params))?
        };
        if args.json {
            let steps: Vec<String> = plan.to_string().lines().map(str::to_string).collect();
            println!(
                "{}",
                json!({"uses_index": plan.uses_index(), "steps": steps})
            );
        } else {
            println!("{plan}");
        }
        return Ok(());
    }
    let page = Page {
        offset: 0,
        limit: args.limit,
    };
    let params = Params::from_texts(&args.params);
    let count = if args.edges {
        let edges = block_on(graph.query_edges_with(&args.label, &args.expr, params, page))?;
        for edge in &edges {
            if args.json {
                println!("{}", edge_json(edge));
            } else {
                println!(
                    "#{} {} -[{}]-> {} {}",
                    edge.id.0, edge.source, edge.label, edge.target, edge.properties
                );
            }
        }
        edges.len()
    } else {
        let nodes = block_on(graph.query_nodes_with(&args.label, &args.expr, params, page))?;
        for node in &nodes {
            if args.json {
                println!("{}", node_json(node));
            } else {
                println!("{} ({}) {}", node.id, node.label, node.properties);
            }
        }
        nodes.len()
    };
    if !global.quiet && !args.json {
        eprintln!("{count} result(s)");
    }
    Ok(())
}
