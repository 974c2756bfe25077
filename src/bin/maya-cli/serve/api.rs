//! The JSON API under `/api/`.

use knowledge_graph::query::Params;
use knowledge_graph::{block_on, Direction, Error, Page, PageRankOptions, Subgraph};
use serde_json::json;

use super::{Reply, State};
use crate::query::{edge_json, node_json};
use crate::stats;

/// Decodes `%XX` escapes (and `+` as a space when `plus` is set); `None` for
/// malformed escapes or bytes that are not UTF-8.
pub fn percent_decode(text: &str, plus: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The query string's pairs, decoded.
struct QueryString(Vec<(String, String)>);

impl QueryString {
    fn parse(text: &str) -> Result<QueryString, Reply> {
        let mut pairs = Vec::new();
        for part in text.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let decode = |s| {
                percent_decode(s, true).ok_or_else(|| {
                    Reply::error(400, format!("malformed query string near '{part}'"))
                })
            };
            pairs.push((decode(k)?, decode(v)?));
        }
        Ok(QueryString(pairs))
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn required(&self, key: &str) -> Result<&str, Reply> {
        self.get(key)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Reply::error(400, format!("missing query parameter '{key}'")))
    }

    fn number(&self, key: &str, default: usize) -> Result<usize, Reply> {
        match self.get(key) {
            None | Some("") => Ok(default),
            Some(v) => v.parse().map_err(|_| {
                Reply::error(
                    400,
                    format!("'{key}' must be a non-negative integer, not '{v}'"),
                )
            }),
        }
    }

    fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("1" | "true" | "yes"))
    }

    /// `params=a&params=b`, or one `params=["a","b"]` JSON array.
    fn params(&self) -> Result<Vec<String>, Reply> {
        let all = self.all("params");
        if let [one] = all.as_slice() {
            if one.trim_start().starts_with('[') {
                return serde_json::from_str::<Vec<serde_json::Value>>(one)
                    .map(|items| {
                        items
                            .into_iter()
                            .map(|v| match v {
                                serde_json::Value::String(s) => s,
                                other => other.to_string(),
                            })
                            .collect()
                    })
                    .map_err(|e| Reply::error(400, format!("'params' is not a JSON array: {e}")));
            }
        }
        Ok(all)
    }
}

/// Maps a graph error to a status: unknown nodes 404, bad requests 400.
fn graph_error(err: Error) -> Reply {
    match err {
        Error::NodeNotFound { .. } | Error::EdgeNotFound { .. } => Reply::error(404, err),
        Error::Query(_) | Error::InvalidArgument { .. } | Error::Algorithm(_) | Error::Value(_) => {
            Reply::error(400, err)
        }
        _ => Reply::error(500, err),
    }
}

pub fn handle(state: &State, path: &str, query: &str) -> Reply {
    match route(state, path, query) {
        Ok(reply) | Err(reply) => reply,
    }
}

fn route(state: &State, path: &str, query: &str) -> Result<Reply, Reply> {
    let q = QueryString::parse(query)?;
    let graph = &state.graph;
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        ["stats"] => {
            let stats = stats::collect(graph).map_err(|e| Reply::error(500, e.message))?;
            Ok(Reply::json(200, &stats))
        }
        ["nodes", id] => {
            let id = decode_segment(id)?;
            match block_on(graph.get_node(&id)).map_err(graph_error)? {
                Some(node) => Ok(Reply::json(200, &node_json(&node))),
                None => Err(Reply::error(404, format!("node '{id}' not found"))),
            }
        }
        ["nodes", id, "neighbors"] => {
            let id = decode_segment(id)?;
            let label = q.get("label").filter(|l| !l.is_empty());
            let limit = q.number("limit", 1000)?;
            let direction = q.get("direction").unwrap_or("out");
            let (out, inc) = match direction {
                "out" => (true, false),
                "in" => (false, true),
                "both" => (true, true),
                other => {
                    return Err(Reply::error(
                        400,
                        format!("direction must be out, in or both, not '{other}'"),
                    ))
                }
            };
            let mut edges = Vec::new();
            if out {
                edges.extend(block_on(graph.get_node_edges(&id, label)).map_err(graph_error)?);
            }
            if inc {
                edges.extend(block_on(graph.get_edges_to(&id, label)).map_err(graph_error)?);
            }
            let truncated = edges.len() > limit;
            let mut neighbors = Vec::new();
            for edge in edges.iter().take(limit) {
                let other = if edge.source == id {
                    &edge.target
                } else {
                    &edge.source
                };
                let node = block_on(graph.get_node(other)).map_err(graph_error)?;
                neighbors.push(json!({
                    "node": node.as_ref().map(node_json),
                    "edge": edge_json(edge),
                }));
            }
            Ok(Reply::json(
                200,
                &json!({"id": id, "direction": direction, "neighbors": neighbors, "truncated": truncated}),
            ))
        }
        ["query"] => {
            let label = q.required("label")?;
            let expr = q.required("expr")?;
            let params = Params::from_texts(&q.params()?);
            let page = Page {
                offset: q.number("offset", 0)?,
                limit: Some(q.number("limit", 1000)?),
            };
            let results: Vec<_> = if q.flag("edges") {
                block_on(graph.query_edges_with(label, expr, params, page))
                    .map_err(graph_error)?
                    .iter()
                    .map(edge_json)
                    .collect()
            } else {
                block_on(graph.query_nodes_with(label, expr, params, page))
                    .map_err(graph_error)?
                    .iter()
                    .map(node_json)
                    .collect()
            };
            Ok(Reply::json(
                200,
                &json!({"count": results.len(), "results": results}),
            ))
        }
        ["explain"] => {
            let label = q.required("label")?;
            let expr = q.required("expr")?;
            let params = q.params()?;
            let plan = if q.flag("edges") {
                block_on(graph.explain_edge_query(label, expr, &params))
            } else {
                block_on(graph.explain_query(label, expr, &params))
            }
            .map_err(graph_error)?;
            let steps: Vec<String> = plan.to_string().lines().map(str::to_string).collect();
            Ok(Reply::json(
                200,
                &json!({"uses_index": plan.uses_index(), "steps": steps}),
            ))
        }
        ["shortest-path"] => {
            let from = q.required("from")?;
            let to = q.required("to")?;
            let direction = match q.get("direction").unwrap_or("out") {
                "out" => Direction::Outgoing,
                "in" => Direction::Incoming,
                "both" => Direction::Both,
                other => {
                    return Err(Reply::error(
                        400,
                        format!("direction must be out, in or both, not '{other}'"),
                    ))
                }
            };
            let mut subgraph = match q.get("label").filter(|l| !l.is_empty()) {
                Some(label) => Subgraph::edges(label),
                None => Subgraph::all(),
            };
            if let Some(weight) = q.get("weight").filter(|w| !w.is_empty()) {
                subgraph = subgraph.weighted_by(weight);
            }
            let path = block_on(graph.shortest_path(from, to, &subgraph, direction))
                .map_err(graph_error)?;
            Ok(Reply::json(
                200,
                &match path {
                    Some(p) => json!({"from": from, "to": to, "path": p.nodes, "cost": p.cost}),
                    None => json!({"from": from, "to": to, "path": null, "cost": null}),
                },
            ))
        }
        ["pagerank"] => {
            let top = q.number("top", 10)?;
            let rank =
                block_on(graph.pagerank(&PageRankOptions::default())).map_err(graph_error)?;
            let mut ranked: Vec<(&String, &f64)> = rank.ranks.iter().collect();
            ranked.sort_by(|a, b| b.1.total_cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let list: Vec<_> = ranked
                .into_iter()
                .take(top)
                .map(|(id, r)| json!({"id": id, "rank": r}))
                .collect();
            Ok(Reply::json(
                200,
                &json!({"iterations": rank.iterations, "converged": rank.converged, "top": list}),
            ))
        }
        _ => Err(Reply::error(404, format!("no such endpoint: /api/{path}"))),
    }
}

fn decode_segment(segment: &str) -> Result<String, Reply> {
    percent_decode(segment, false)
        .ok_or_else(|| Reply::error(400, format!("malformed path segment '{segment}'")))
}

/// `POST /api/backup[?incremental=true]`: a hot backup by the process that
/// holds the database (another process cannot open it while `serve` runs),
/// into a new directory under `--backup-dir`. Counted in `/metrics`.
pub fn backup(state: &State, query: &str) -> Reply {
    let q = match QueryString::parse(query) {
        Ok(q) => q,
        Err(reply) => return reply,
    };
    let Some(dir) = &state.backup_dir else {
        return Reply::error(
            404,
            "backups over HTTP are off: start serve with --backup-dir DIR",
        );
    };
    let incremental = q.flag("incremental");
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let name = if incremental { "incremental" } else { "backup" };
    let path = dir.join(format!("{name}_{seconds}"));
    let graph = &state.graph;
    let written = if incremental {
        block_on(graph.get_changes_since_last_backup()).and_then(|changes| {
            if changes.is_empty() {
                Ok(None)
            } else {
                block_on(graph.backup_incremental(&path, &changes)).map(Some)
            }
        })
    } else {
        block_on(graph.backup(&path)).map(Some)
    };
    match written {
        Ok(Some(info)) => Reply::json(
            200,
            &json!({
                "path": path.display().to_string(),
                "kind": if incremental { "incremental" } else { "full" },
                "sequence": info.sequence,
                "records": info.records,
                "nodes": info.nodes,
                "edges": info.edges,
            }),
        ),
        Ok(None) => Reply::json(
            200,
            &json!({ "path": null, "kind": "incremental", "records": 0 }),
        ),
        Err(err @ (Error::Backup { .. } | Error::InvalidArgument { .. })) => Reply::error(409, err),
        Err(err) => Reply::error(500, err),
    }
}
