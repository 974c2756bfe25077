//! Graph algorithms of the JS class: shortest paths, PageRank, Louvain,
//! components and structure metrics, over the whole graph or a subgraph
//! (`nodeLabels`, `edgeLabels`, and `weight`: an edge property used as weight).
//!
//! Per-node results are plain objects keyed by node id, built as one JSON
//! string (a 100K-entry object costs one boundary crossing, not 100K).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::convert::{js_error, options_from_js, to_js};
use super::JsKnowledgeGraph;
use crate::{block_on, Direction, LouvainOptions, PageRankOptions, Subgraph};

const SUBGRAPH: [&str; 3] = ["nodeLabels", "edgeLabels", "weight"];

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AlgoOptions {
    #[serde(default)]
    node_labels: Option<Vec<String>>,
    #[serde(default)]
    edge_labels: Option<Vec<String>>,
    #[serde(default)]
    weight: Option<String>,
    #[serde(default)]
    direction: Option<String>,
    #[serde(default)]
    damping: Option<f64>,
    #[serde(default)]
    max_iterations: Option<f64>,
    #[serde(default)]
    tolerance: Option<f64>,
    #[serde(default)]
    personalization: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    resolution: Option<f64>,
    #[serde(default)]
    seed: Option<f64>,
    #[serde(default)]
    strong: Option<bool>,
}

impl AlgoOptions {
    fn parse(value: Option<JsValue>, extra: &[&str]) -> Result<Self, JsError> {
        let known: Vec<&str> = SUBGRAPH.iter().chain(extra).copied().collect();
        options_from_js(value.unwrap_or(JsValue::UNDEFINED), "options", &known)
    }

    fn subgraph(&self) -> Subgraph {
        Subgraph {
            node_labels: self.node_labels.clone(),
            edge_labels: self.edge_labels.clone(),
            weight: self.weight.clone(),
        }
    }

    fn direction(&self, default: Direction) -> Result<Direction, JsError> {
        match self.direction.as_deref() {
            None => Ok(default),
            Some("out") | Some("outgoing") => Ok(Direction::Outgoing),
            Some("in") | Some("incoming") => Ok(Direction::Incoming),
            Some("both") => Ok(Direction::Both),
            Some(other) => Err(JsError::new(&alloc::format!(
                "direction must be 'out', 'in' or 'both', not '{other}'"
            ))),
        }
    }
}

/// A number in JSON, or `None` when it has no JSON form (NaN, infinity).
trait JsonNumber: Copy + Serialize {
    fn write(self, out: &mut String) -> bool;
}

impl JsonNumber for f64 {
    fn write(self, out: &mut String) -> bool {
        self.is_finite() && write!(out, "{self:?}").is_ok()
    }
}

impl JsonNumber for u32 {
    fn write(self, out: &mut String) -> bool {
        write!(out, "{self}").is_ok()
    }
}

impl JsonNumber for u64 {
    fn write(self, out: &mut String) -> bool {
        self <= (1 << 53) && write!(out, "{self}").is_ok()
    }
}

/// `{ [id]: number }` as a plain object.
fn keyed<T: JsonNumber>(map: &BTreeMap<String, T>) -> Result<JsValue, JsError> {
    let mut text = String::with_capacity(16 + map.len() * 24);
    text.push('{');
    let mut ok = true;
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        super::json::string(&mut text, key);
        text.push(':');
        if !value.write(&mut text) {
            ok = false;
            break;
        }
    }
    text.push('}');
    if ok {
        if let Ok(value) = js_sys::JSON::parse(&text) {
            return Ok(value);
        }
    }
    to_js(map)
}

fn set(target: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

#[wasm_bindgen(js_class = KnowledgeGraph)]
impl JsKnowledgeGraph {
    /// The shortest path from `from` to `to` (fewest hops, or least total
    /// `weight` with Dijkstra), or `null` when there is none.
    #[wasm_bindgen(js_name = shortestPath, unchecked_return_type = "WeightedPath | null")]
    pub fn shortest_path(
        &self,
        from: &str,
        to: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "ShortestPathOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsError> {
        let options = AlgoOptions::parse(options, &["direction"])?;
        let direction = options.direction(Direction::Outgoing)?;
        let path = block_on(
            self.graph()?
                .shortest_path(from, to, &options.subgraph(), direction),
        )
        .map_err(js_error)?;
        #[derive(Serialize)]
        struct PathOut {
            nodes: Vec<String>,
            cost: f64,
        }
        match path {
            Some(path) => to_js(&PathOut {
                nodes: path.nodes,
                cost: path.cost,
            }),
            None => Ok(JsValue::NULL),
        }
    }

    /// Hop distances from `from` to every node it reaches (itself at 0).
    #[wasm_bindgen(js_name = bfsDistances, unchecked_return_type = "Record<string, number>")]
    pub fn bfs_distances(
        &self,
        from: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "ShortestPathOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsError> {
        let options = AlgoOptions::parse(options, &["direction"])?;
        let direction = options.direction(Direction::Outgoing)?;
        let distances = block_on(
            self.graph()?
                .bfs_distances(from, &options.subgraph(), direction),
        )
        .map_err(js_error)?;
        keyed(&distances)
    }

    /// PageRank of every node (ranks sum to 1).
    #[wasm_bindgen(js_name = pageRank, unchecked_return_type = "PageRankResult")]
    pub fn page_rank(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PageRankOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let options = AlgoOptions::parse(
            options,
            &["damping", "maxIterations", "tolerance", "personalization"],
        )?;
        let mut settings = PageRankOptions {
            subgraph: options.subgraph(),
            personalization: options.personalization.clone(),
            ..PageRankOptions::default()
        };
        if let Some(damping) = options.damping {
            settings.damping = damping;
        }
        if let Some(max) = options.max_iterations {
            settings.max_iterations = max.max(0.0) as usize;
        }
        if let Some(tolerance) = options.tolerance {
            settings.tolerance = tolerance;
        }
        let result = block_on(self.graph()?.pagerank(&settings)).map_err(js_error)?;
        let out = js_sys::Object::new();
        set(&out, "ranks", &keyed(&result.ranks)?);
        set(&out, "iterations", &JsValue::from(result.iterations as f64));
        set(&out, "converged", &JsValue::from(result.converged));
        Ok(out.into())
    }

    /// Louvain communities: each node's community number, how many there
    /// are, and the partition's modularity. Deterministic for a given `seed`.
    #[wasm_bindgen(unchecked_return_type = "Communities")]
    pub fn louvain(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "LouvainOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let options = AlgoOptions::parse(options, &["resolution", "seed"])?;
        let mut settings = LouvainOptions {
            subgraph: options.subgraph(),
            ..LouvainOptions::default()
        };
        if let Some(resolution) = options.resolution {
            settings.resolution = resolution;
        }
        if let Some(seed) = options.seed {
            settings.seed = seed.max(0.0) as u64;
        }
        let result = block_on(self.graph()?.louvain(&settings)).map_err(js_error)?;
        let out = js_sys::Object::new();
        set(&out, "community", &keyed(&result.community)?);
        set(&out, "count", &JsValue::from(result.count as f64));
        set(&out, "modularity", &JsValue::from(result.modularity));
        Ok(out.into())
    }

    /// Connected components (weak by default; `strong: true` for strongly
    /// connected ones): each node's component number and how many there are.
    #[wasm_bindgen(unchecked_return_type = "ComponentsResult")]
    pub fn components(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ComponentsOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsError> {
        let options = AlgoOptions::parse(options, &["strong"])?;
        let result = block_on(
            self.graph()?
                .connected_components(&options.subgraph(), options.strong.unwrap_or(false)),
        )
        .map_err(js_error)?;
        let out = js_sys::Object::new();
        set(&out, "component", &keyed(&result.component)?);
        set(&out, "count", &JsValue::from(result.count as f64));
        Ok(out.into())
    }

    /// Each node's degree (`direction`: `'out'`, `'in'`, or `'both'`, the default).
    #[wasm_bindgen(unchecked_return_type = "Record<string, number>")]
    pub fn degrees(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "DegreeOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let options = AlgoOptions::parse(options, &["direction"])?;
        let direction = options.direction(Direction::Both)?;
        let degrees =
            block_on(self.graph()?.degrees(&options.subgraph(), direction)).map_err(js_error)?;
        keyed(&degrees)
    }

    /// Triangles of the undirected view: the total and per node.
    #[wasm_bindgen(unchecked_return_type = "TriangleResult")]
    pub fn triangles(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SubgraphOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let options = AlgoOptions::parse(options, &[])?;
        let (total, per_node) =
            block_on(self.graph()?.triangles(&options.subgraph())).map_err(js_error)?;
        let out = js_sys::Object::new();
        set(&out, "total", &JsValue::from(total as f64));
        set(&out, "perNode", &keyed(&per_node)?);
        Ok(out.into())
    }

    /// Local clustering coefficients and their average.
    #[wasm_bindgen(unchecked_return_type = "ClusteringResult")]
    pub fn clustering(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SubgraphOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let options = AlgoOptions::parse(options, &[])?;
        let (average, per_node) =
            block_on(self.graph()?.clustering(&options.subgraph())).map_err(js_error)?;
        let out = js_sys::Object::new();
        set(&out, "average", &JsValue::from(average));
        set(&out, "perNode", &keyed(&per_node)?);
        Ok(out.into())
    }

    /// Each node's core number (k-core decomposition of the undirected view).
    #[wasm_bindgen(js_name = kCore, unchecked_return_type = "Record<string, number>")]
    pub fn k_core(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SubgraphOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let options = AlgoOptions::parse(options, &[])?;
        let cores = block_on(self.graph()?.k_core(&options.subgraph())).map_err(js_error)?;
        keyed(&cores)
    }

    /// Size, average degree, density and diameter (exact, or a lower bound
    /// on large graphs; `diameterExact` says which).
    #[wasm_bindgen(js_name = graphStats, unchecked_return_type = "GraphStats")]
    pub fn graph_stats(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SubgraphOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let options = AlgoOptions::parse(options, &[])?;
        let stats = block_on(self.graph()?.graph_stats(&options.subgraph())).map_err(js_error)?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct StatsOut {
            nodes: f64,
            edges: f64,
            avg_degree: f64,
            density: f64,
            diameter: f64,
            diameter_exact: bool,
        }
        to_js(&StatsOut {
            nodes: stats.nodes as f64,
            edges: stats.edges as f64,
            avg_degree: stats.avg_degree,
            density: stats.density,
            diameter: f64::from(stats.diameter.value),
            diameter_exact: stats.diameter.exact,
        })
    }
}
