//! Queries, indexes and traversals of the JS class.

use alloc::string::String;
use alloc::vec::Vec;

use knowledge_graph_storage::Storage;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::convert::{
    array_from_js, edges_to_js, from_js, id_lists_to_js, ids_to_js, js_error, nodes_to_js,
    options_from_js, to_js, EdgeOut, NodeOut,
};
use super::JsKnowledgeGraph;
use crate::query::Params;
use crate::read::GraphRead;
use crate::value::Value;
use crate::{block_on, Direction, Page, PathOptions, PlanStep, QueryPlan, RecordKind};

/// `params` of a query: positional values (`$1`, `$2`, ...) or named ones (`$name`).
fn params_from_js(value: JsValue) -> Result<Params, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Params::new());
    }
    if js_sys::Array::is_array(&value) {
        let values: Vec<Value> = from_js(value, "query parameters")?;
        return Ok(Params::from_values(values));
    }
    let named: alloc::collections::BTreeMap<String, Value> = from_js(value, "query parameters")?;
    Ok(named
        .into_iter()
        .fold(Params::new(), |params, (name, value)| {
            params.named_typed(name, value)
        }))
}

/// Entries of a graph's walk buffer (see `walkBuffer`): 16 KiB, allocated
/// by its first walk.
const WALK_BUFFER: usize = 4096;

/// The seed a walk was given, else a random one.
fn walk_seed(seed: Option<f64>) -> u64 {
    match seed {
        Some(seed) => seed as u64,
        None => (js_sys::Math::random() * (u64::MAX as f64)) as u64,
    }
}

/// The node in `slot`, if the slot holds one.
fn live_slot<S: Storage>(view: &GraphRead<'_, S>, slot: u32) -> Option<crate::NodeIndex> {
    let node = view.topo.nodes.get(slot as usize)?;
    node.is_live().then_some(crate::NodeIndex(slot))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PageInput {
    #[serde(default)]
    offset: Option<f64>,
    #[serde(default)]
    limit: Option<f64>,
}

fn page_from_js(value: JsValue) -> Result<Page, JsError> {
    let page: PageInput = options_from_js(value, "page", &["offset", "limit"])?;
    Ok(Page {
        offset: page.offset.map_or(0, |o| o.max(0.0) as usize),
        limit: page.limit.map(|l| l.max(0.0) as usize),
    })
}

fn direction_from(text: Option<&str>) -> Result<Direction, JsError> {
    match text {
        None | Some("out") | Some("outgoing") => Ok(Direction::Outgoing),
        Some("in") | Some("incoming") => Ok(Direction::Incoming),
        Some("both") => Ok(Direction::Both),
        Some(other) => Err(JsError::new(&alloc::format!(
            "direction must be 'out', 'in' or 'both', not '{other}'"
        ))),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WalkOptions {
    #[serde(default)]
    max_depth: Option<f64>,
    #[serde(default)]
    direction: Option<String>,
    #[serde(default)]
    edge_labels: Option<Vec<String>>,
    #[serde(default)]
    max_paths: Option<f64>,
}

fn walk_options(value: JsValue, known: &[&str]) -> Result<WalkOptions, JsError> {
    options_from_js(value, "options", known)
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum StepOut<'a> {
    #[serde(rename_all = "camelCase")]
    IndexSeek {
        index: &'a str,
        keys: Vec<super::convert::JsProps<'a>>,
        rows: f64,
    },
    #[serde(rename_all = "camelCase")]
    IndexRange {
        index: &'a str,
        ranges: &'a [String],
        rows: f64,
    },
    #[serde(rename_all = "camelCase")]
    LabelScan { label: &'a str, rows: f64 },
    #[serde(rename_all = "camelCase")]
    Filter { expression: &'a str },
    #[serde(rename_all = "camelCase")]
    PropertyColumns { properties: &'a [String] },
}

fn plan_to_js(plan: &QueryPlan) -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct PlanOut<'a> {
        uses_index: bool,
        steps: Vec<StepOut<'a>>,
        text: String,
    }
    let steps = plan
        .steps
        .iter()
        .map(|step| match step {
            PlanStep::IndexSeek { index, keys, rows } => StepOut::IndexSeek {
                index,
                keys: keys.iter().map(super::convert::JsProps).collect(),
                rows: *rows as f64,
            },
            PlanStep::IndexRange {
                index,
                ranges,
                rows,
            } => StepOut::IndexRange {
                index,
                ranges,
                rows: *rows as f64,
            },
            PlanStep::LabelScan { label, rows } => StepOut::LabelScan {
                label,
                rows: *rows as f64,
            },
            PlanStep::Filter { expression } => StepOut::Filter { expression },
            PlanStep::PropertyColumns { properties } => StepOut::PropertyColumns { properties },
        })
        .collect();
    to_js(&PlanOut {
        uses_index: plan.uses_index(),
        steps,
        text: alloc::format!("{plan}"),
    })
}

/// The optional `params` and `page` arguments of `queryNodes`/`queryEdges`.
fn query_args(params: Option<JsValue>, page: Option<JsValue>) -> Result<(Params, Page), JsError> {
    let params = params_from_js(params.unwrap_or(JsValue::UNDEFINED))?;
    let page = page_from_js(page.unwrap_or(JsValue::UNDEFINED))?;
    Ok((params, page))
}

#[wasm_bindgen(js_class = KnowledgeGraph)]
impl JsKnowledgeGraph {
    /// Nodes labelled `label` for which `expr` (openCypher `WHERE` syntax,
    /// e.g. `"age > $1 AND city = $2"`) is true; uses an index when one fits.
    #[wasm_bindgen(js_name = queryNodes, unchecked_return_type = "NodeRecord[]")]
    pub fn query_nodes(
        &self,
        label: &str,
        expr: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "QueryParams")] params: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "PageOptions")] page: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let (params, page) = query_args(params, page)?;
        let nodes = block_on(self.graph()?.query_nodes_with(label, expr, params, page))
            .map_err(js_error)?;
        nodes_to_js(&nodes)
    }

    /// Edges labelled `label` for which `expr` is true (edges also have the
    /// built-ins `timestamp`, `source` and `target`).
    #[wasm_bindgen(js_name = queryEdges, unchecked_return_type = "EdgeRecord[]")]
    pub fn query_edges(
        &self,
        label: &str,
        expr: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "QueryParams")] params: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "PageOptions")] page: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let (params, page) = query_args(params, page)?;
        let edges = block_on(self.graph()?.query_edges_with(label, expr, params, page))
            .map_err(js_error)?;
        edges_to_js(&edges)
    }

    /// How `queryNodes(label, expr, params)` would run: index seek or range,
    /// or label scan, with row estimates, then the filter. Takes the same
    /// parameters as `queryNodes`.
    #[wasm_bindgen(unchecked_return_type = "QueryPlan")]
    pub fn explain(
        &self,
        label: &str,
        expr: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "QueryParams")] params: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let (params, _) = query_args(params, None)?;
        let plan =
            block_on(self.graph()?.explain_query_with(label, expr, params)).map_err(js_error)?;
        plan_to_js(&plan)
    }

    /// How `queryEdges(label, expr, params)` would run.
    #[wasm_bindgen(js_name = explainEdges, unchecked_return_type = "QueryPlan")]
    pub fn explain_edges(
        &self,
        label: &str,
        expr: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "QueryParams")] params: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let (params, _) = query_args(params, None)?;
        let plan = block_on(self.graph()?.explain_edge_query_with(label, expr, params))
            .map_err(js_error)?;
        plan_to_js(&plan)
    }

    /// Creates a secondary index on `property` (name or dotted path) of the
    /// nodes labelled `label`; creating an existing index does nothing.
    #[wasm_bindgen(js_name = createIndex)]
    pub fn create_index(&self, label: &str, property: &str) -> Result<(), JsError> {
        self.write(|g| block_on(g.create_index(label, property)))
    }

    /// Creates a secondary index on `property` of the edges labelled `label`.
    #[wasm_bindgen(js_name = createEdgeIndex)]
    pub fn create_edge_index(&self, label: &str, property: &str) -> Result<(), JsError> {
        self.write(|g| block_on(g.create_edge_index(label, property)))
    }

    /// Drops the node index on `label.property`.
    #[wasm_bindgen(js_name = dropIndex)]
    pub fn drop_index(&self, label: &str, property: &str) -> Result<(), JsError> {
        self.write(|g| block_on(g.drop_index(label, property)))
    }

    /// Every secondary index, in creation order.
    #[wasm_bindgen(unchecked_return_type = "IndexInfo[]")]
    pub fn indexes(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct IndexOut {
            kind: &'static str,
            label: String,
            property: String,
        }
        let out: Vec<IndexOut> = self
            .graph()?
            .indexes()
            .into_iter()
            .map(|info| IndexOut {
                kind: match info.kind {
                    RecordKind::Node => "node",
                    RecordKind::Edge => "edge",
                },
                label: info.label,
                property: info.property,
            })
            .collect();
        to_js(&out)
    }

    /// Breadth-first walk from `start`: every reachable node once, nearest
    /// first, starting with the start itself (depth 0).
    #[wasm_bindgen(unchecked_return_type = "Visit[]")]
    pub fn traverse(
        &self,
        start: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "TraverseOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsError> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let options = walk_options(options, &["maxDepth", "direction", "edgeLabels"])?;
        let mut walk = self
            .graph()?
            .traverse(start)
            .with_direction(direction_from(options.direction.as_deref())?);
        if let Some(depth) = options.max_depth {
            walk = walk.with_max_depth(depth.max(0.0) as usize);
        }
        if let Some(labels) = options.edge_labels {
            walk = walk.with_edge_filter(move |e| labels.iter().any(|l| l == e.label()));
        }
        let visited = walk.run().map_err(js_error)?;
        #[derive(Serialize)]
        struct VisitOut<'a> {
            node: NodeOut<'a>,
            depth: f64,
            via: Option<EdgeOut<'a>>,
        }
        let out: Vec<VisitOut<'_>> = visited
            .iter()
            .map(|v| VisitOut {
                node: NodeOut(&v.node),
                depth: v.depth as f64,
                via: v.via.as_ref().map(EdgeOut),
            })
            .collect();
        to_js(&out)
    }

    /// Simple paths (no node twice) from `from` to `to`, shortest first.
    #[wasm_bindgen(js_name = findPaths, unchecked_return_type = "GraphPath[]")]
    pub fn find_paths(
        &self,
        from: &str,
        to: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "PathSearchOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsError> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let options = walk_options(
            options,
            &["maxDepth", "direction", "edgeLabels", "maxPaths"],
        )?;
        let mut path_options = PathOptions {
            edge_labels: options.edge_labels,
            direction: direction_from(options.direction.as_deref())?,
            ..PathOptions::default()
        };
        if let Some(max) = options.max_paths {
            path_options.max_paths = max.max(0.0) as usize;
        }
        let max_depth = options.max_depth.map(|d| d.max(0.0) as usize);
        let paths = block_on(
            self.graph()?
                .find_paths(from, to, max_depth, Some(path_options)),
        )
        .map_err(js_error)?;
        #[derive(Serialize)]
        struct PathOut<'a> {
            nodes: &'a [String],
            edges: Vec<f64>,
        }
        let out: Vec<PathOut<'_>> = paths
            .iter()
            .map(|p| PathOut {
                nodes: &p.nodes,
                edges: p.edges.iter().map(|e| e.0 as f64).collect(),
            })
            .collect();
        to_js(&out)
    }

    /// Ids of the distinct nodes within `k` hops of `start` (not counting
    /// it), nearest first. `direction`: `'out'` (default), `'in'` or `'both'`.
    #[wasm_bindgen(js_name = kHop, unchecked_return_type = "string[]")]
    pub fn k_hop(
        &self,
        start: &str,
        k: u32,
        #[wasm_bindgen(unchecked_optional_param_type = "Direction")] direction: Option<String>,
    ) -> Result<JsValue, JsError> {
        let direction = direction_from(direction.as_deref())?;
        let ids =
            block_on(self.graph()?.k_hop_nodes(start, k as usize, direction)).map_err(js_error)?;
        Ok(ids_to_js(ids.iter().map(String::as_str)))
    }

    /// How many distinct nodes lie within `k` hops of `start` (not counting it).
    #[wasm_bindgen(js_name = kHopCount)]
    pub fn k_hop_count(
        &self,
        start: &str,
        k: u32,
        #[wasm_bindgen(unchecked_optional_param_type = "Direction")] direction: Option<String>,
    ) -> Result<u32, JsError> {
        let direction = direction_from(direction.as_deref())?;
        block_on(self.graph()?.k_hop_count(start, k as usize, direction))
            .map(|n| n as u32)
            .map_err(js_error)
    }

    /// Ids of the nodes one hop from `id` (with repeats for parallel
    /// edges), without reading any properties. `direction`: `'out'`
    /// (default), `'in'` or `'both'`.
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn neighbors(
        &self,
        id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "Direction")] direction: Option<String>,
    ) -> Result<JsValue, JsError> {
        let direction = direction_from(direction.as_deref())?;
        let view = self.graph()?.read();
        let at = view
            .node_index(id)
            .ok_or_else(|| JsError::new(&alloc::format!("node '{id}' not found")))?;
        let mut ids = Vec::new();
        if direction != Direction::Incoming {
            ids.extend(view.out_neighbors(at));
        }
        if direction != Direction::Outgoing {
            ids.extend(view.in_neighbors(at));
        }
        Ok(ids_to_js(ids.iter().map(|&n| view.node_id(n))))
    }

    /// A random walk of at most `hops` steps along outgoing edges from
    /// `start` (it stops early at a node with none): the ids visited, start
    /// first. `seed` makes it repeatable.
    #[wasm_bindgen(js_name = randomWalk, unchecked_return_type = "string[]")]
    pub fn random_walk(
        &self,
        start: &str,
        hops: u32,
        seed: Option<f64>,
    ) -> Result<JsValue, JsError> {
        Ok(self.walks_from(&[start], hops, seed)?.get(0))
    }

    /// The index of node `id`, or `undefined`: a small integer that names
    /// the node while it exists (a removed node's index goes to a later
    /// node), for `randomWalkIndices` and `nodeIdAt`. The same as the Rust
    /// API's `NodeIndex`.
    #[wasm_bindgen(js_name = nodeIndex)]
    pub fn node_index(&self, id: &str) -> Result<Option<u32>, JsError> {
        Ok(self.graph()?.read().node_index(id).map(|n| n.0))
    }

    /// The id of the node at `index` (see `nodeIndex`), or `undefined`.
    #[wasm_bindgen(js_name = nodeIdAt)]
    pub fn node_id_at(&self, index: u32) -> Result<Option<String>, JsError> {
        let view = self.graph()?.read();
        Ok(live_slot(&view, index).map(|n| String::from(view.node_id(n))))
    }

    /// `randomWalk` with nodes as indices (see `nodeIndex`): the walk from
    /// the node at index `start`, start first, the same walk `randomWalk`
    /// takes from that node's id with the same `seed`. Indices are what an
    /// embedding model trains on, and they cross from WebAssembly without
    /// making a string per node.
    #[wasm_bindgen(js_name = randomWalkIndices)]
    pub fn random_walk_indices(
        &self,
        start: u32,
        hops: u32,
        seed: Option<f64>,
    ) -> Result<Vec<u32>, JsError> {
        self.walk_from_slot(start, hops, seed, |path| path.iter().map(|n| n.0).collect())?
            .ok_or_else(|| JsError::new(&alloc::format!("no node has index {start}")))
    }

    /// `finish` of the walk from the node in `slot` (into the reused path),
    /// or `None` when the slot holds no node.
    fn walk_from_slot<R>(
        &self,
        slot: u32,
        hops: u32,
        seed: Option<f64>,
        finish: impl FnOnce(&[crate::NodeIndex]) -> R,
    ) -> Result<Option<R>, JsError> {
        let view = self.graph()?.read();
        let Some(start) = live_slot(&view, slot) else {
            return Ok(None);
        };
        let mut path = self.walk_path.borrow_mut();
        view.random_walk(start, hops as usize, walk_seed(seed), &mut path);
        Ok(Some(finish(&path)))
    }

    /// Random walks as `randomWalk` takes them, one from each of `starts`, in
    /// one call (the sampling behind DeepWalk and node2vec corpora): walk
    /// `i` depends only on `seed`, `i` and the graph. Walking many at once is
    /// several times faster than one by one.
    #[wasm_bindgen(js_name = randomWalks, unchecked_return_type = "string[][]")]
    pub fn random_walks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] starts: JsValue,
        hops: u32,
        seed: Option<f64>,
    ) -> Result<js_sys::Array, JsError> {
        let starts: Vec<String> = array_from_js(starts, "starts")?;
        self.walks_from(&starts, hops, seed)
    }

    /// The walks of `randomWalks` from `starts`.
    fn walks_from(
        &self,
        starts: &[impl AsRef<str>],
        hops: u32,
        seed: Option<f64>,
    ) -> Result<js_sys::Array, JsError> {
        let view = self.graph()?.read();
        let starts = starts
            .iter()
            .map(|id| {
                let id = id.as_ref();
                view.node_index(id)
                    .ok_or_else(|| JsError::new(&alloc::format!("node '{id}' not found")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let seed = walk_seed(seed);
        let mut paths = Vec::with_capacity(starts.len());
        view.random_walks(&starts, hops as usize, seed, |_, path| {
            paths.push(path.to_vec());
        });
        let ids: Vec<_> = paths
            .iter()
            .map(|path| path.iter().map(|&n| view.node_id(n)))
            .collect();
        Ok(id_lists_to_js(&ids))
    }

    /// `randomWalks` for the entry module (js/lookup.js), from the nodes in
    /// `starts` (slots, which the entry module keeps for ids): the walks as
    /// node slots, each as its length, then its slots, so that walks cross
    /// as numbers instead of strings. Empty where a slot holds no node or
    /// the graph is closed: the entry module then calls `randomWalks`.
    #[wasm_bindgen(js_name = randomWalksSlots, skip_typescript)]
    pub fn random_walks_slots(&self, starts: &[u32], hops: u32, seed: Option<f64>) -> Vec<u32> {
        let Ok(graph) = self.graph() else {
            return Vec::new();
        };
        let view = graph.read();
        let Some(starts) = starts
            .iter()
            .map(|&slot| live_slot(&view, slot))
            .collect::<Option<Vec<_>>>()
        else {
            return Vec::new();
        };
        let mut slots = Vec::new();
        view.random_walks(&starts, hops as usize, walk_seed(seed), |_, path| {
            slots.push(path.len() as u32);
            slots.extend(path.iter().map(|n| n.0));
        });
        slots
    }

    /// The slot of the node `id`, or -1 (see `randomWalkInto`).
    #[wasm_bindgen(js_name = slotOf, skip_typescript)]
    pub fn slot_of(&self, id: &str) -> f64 {
        let Ok(graph) = self.graph() else {
            return -1.0;
        };
        graph.read().node_index(id).map_or(-1.0, |n| f64::from(n.0))
    }

    /// Where `randomWalkInto` writes: `[memory, byte offset, entries]`, for
    /// a view of it that JS makes again when memory grows.
    #[wasm_bindgen(js_name = walkBuffer, skip_typescript)]
    pub fn walk_buffer(&self) -> js_sys::Array {
        let mut buffer = self.walk_buffer.borrow_mut();
        if buffer.len() < WALK_BUFFER {
            *buffer = alloc::vec![0; WALK_BUFFER];
        }
        let at = JsValue::from_f64(buffer.as_ptr() as usize as f64);
        js_sys::Array::of3(
            &wasm_bindgen::memory(),
            &at,
            &JsValue::from_f64(WALK_BUFFER as f64),
        )
    }

    /// `randomWalk` for the entry module (js/lookup.js), from the node in
    /// `slot`: writes the walk's slots to the walk buffer and returns how
    /// many. With the node's slot and the ids of slots kept in JS, a walk
    /// crosses as a few numbers. 0 where `randomWalk` throws, or the walk
    /// would not fit: the entry module then calls `randomWalk`.
    #[wasm_bindgen(js_name = randomWalkInto, skip_typescript)]
    pub fn random_walk_into(&self, slot: u32, hops: u32, seed: Option<f64>) -> u32 {
        let mut buffer = self.walk_buffer.borrow_mut();
        if hops as usize >= buffer.len() {
            return 0;
        }
        let copied = self.walk_from_slot(slot, hops, seed, |path| {
            for (to, n) in buffer.iter_mut().zip(path) {
                *to = n.0;
            }
            path.len() as u32
        });
        copied.ok().flatten().unwrap_or(0)
    }

    /// The id of the node in `slot` (see `randomWalkInto`).
    #[wasm_bindgen(js_name = slotId, skip_typescript)]
    pub fn slot_id(&self, slot: u32) -> Option<String> {
        let view = self.graph().ok()?.read();
        live_slot(&view, slot).map(|node| String::from(view.node_id(node)))
    }
}
