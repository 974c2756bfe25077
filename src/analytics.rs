//! Graph algorithms on the graph itself, keyed by the users' string ids.
//!
//! Each call picks a [`Subgraph`] (node labels, edge labels, an optional
//! numeric weight property), builds a compact [`Csr`] view of it from the
//! in-memory topology, runs the index-based algorithm from [`crate::algo`] and
//! maps the results back to node ids. The view is cached until the next
//! commit, so repeated shortest-path queries do not rebuild it.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use knowledge_graph_storage::Storage;

use crate::algo::{self, Csr, Diameter, DiameterOptions};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::read::GraphRead;
use crate::traverse::Direction;
use crate::value::Value;

/// The part of the graph an algorithm runs on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Subgraph {
    /// Only nodes with one of these labels (`None`: all nodes).
    pub node_labels: Option<Vec<String>>,
    /// Only edges with one of these labels (`None`: all edges).
    pub edge_labels: Option<Vec<String>>,
    /// The numeric edge property holding each edge's weight (`None`:
    /// unweighted). Edges without the property weigh 1.0.
    pub weight: Option<String>,
}

impl Subgraph {
    /// The whole graph, unweighted.
    pub fn all() -> Self {
        Subgraph::default()
    }

    /// Only edges with this label.
    pub fn edges(label: &str) -> Self {
        Subgraph {
            edge_labels: Some(alloc::vec![label.to_string()]),
            ..Subgraph::default()
        }
    }

    /// Reads weights from this edge property.
    pub fn weighted_by(mut self, property: &str) -> Self {
        self.weight = Some(property.to_string());
        self
    }
}

/// A compact view of a subgraph, with the map back to node ids.
pub(crate) struct View {
    pub csr: Csr,
    pub ids: Vec<Arc<str>>,
    pub dense: hashbrown::HashMap<Arc<str>, u32>,
}

impl View {
    fn index(&self, id: &str) -> Result<u32> {
        self.dense
            .get(id)
            .copied()
            .ok_or_else(|| Error::NodeNotFound { id: id.to_string() })
    }

    fn keyed<T: Copy>(&self, values: &[T]) -> BTreeMap<String, T> {
        self.ids
            .iter()
            .zip(values)
            .map(|(id, v)| (id.to_string(), *v))
            .collect()
    }

    fn path(&self, nodes: Vec<u32>) -> Vec<String> {
        nodes
            .into_iter()
            .map(|n| self.ids[n as usize].to_string())
            .collect()
    }
}

/// The views cached until the next commit, by subgraph.
#[derive(Default)]
pub(crate) struct ViewCache {
    generation: u64,
    views: Vec<(Subgraph, Arc<View>)>,
}

impl<S: Storage> GraphRead<'_, S> {
    fn build_view(&self, subgraph: &Subgraph) -> Result<View> {
        let topo = &*self.topo;
        let wanted = |names: &Option<Vec<String>>| -> Option<Vec<u32>> {
            names
                .as_ref()
                .map(|names| names.iter().filter_map(|n| topo.label_id(n)).collect())
        };
        let node_labels = wanted(&subgraph.node_labels);
        let edge_labels = wanted(&subgraph.edge_labels);
        let mut dense_of = alloc::vec![u32::MAX; topo.nodes.len()];
        let mut ids = Vec::new();
        for slot in topo.live_nodes() {
            let node = topo.node_slot(slot);
            if node_labels.as_ref().is_none_or(|l| l.contains(&node.label)) {
                dense_of[slot as usize] = ids.len() as u32;
                ids.push(Arc::clone(&node.id));
            }
        }
        let mut edges = Vec::new();
        for (id, edge) in topo.edges.iter().enumerate() {
            if !edge.is_live()
                || edge_labels
                    .as_ref()
                    .is_some_and(|l| !l.contains(&edge.label))
            {
                continue;
            }
            let (s, t) = (
                dense_of[edge.source as usize],
                dense_of[edge.target as usize],
            );
            if s == u32::MAX || t == u32::MAX {
                continue;
            }
            let weight = match &subgraph.weight {
                None => 1.0,
                Some(property) => self.edge_weight(id as u32, property)?,
            };
            edges.push((s, t, weight));
        }
        let csr = Csr::from_edges(ids.len(), &edges, subgraph.weight.is_some());
        let dense = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (Arc::clone(id), i as u32))
            .collect();
        Ok(View { csr, ids, dense })
    }

    /// The weight of an edge: its numeric `property`, 1.0 when absent.
    fn edge_weight(&self, id: u32, property: &str) -> Result<f64> {
        let properties = self.edge_properties_uncached(id)?;
        let weight = match properties.get(property) {
            None | Some(Value::Null) => 1.0,
            Some(value) => value.as_f64().ok_or_else(|| {
                Error::invalid(alloc::format!(
                    "edge #{id} has {} '{property}' where a numeric weight was expected",
                    value.type_name()
                ))
            })?,
        };
        if !weight.is_finite() || weight < 0.0 {
            return Err(Error::invalid(alloc::format!(
                "edge #{id} has weight {weight} in '{property}': weights must be finite and not negative"
            )));
        }
        Ok(weight)
    }
}

/// A shortest path found by [`Graph::shortest_path`].
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedPath {
    /// Node ids from start to end.
    pub nodes: Vec<String>,
    /// Sum of the weights along it (the number of hops when unweighted).
    pub cost: f64,
}

/// Options of [`Graph::pagerank`]; the defaults are networkx's.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRankOptions {
    /// Where it runs; with a weight property, rank flows in proportion to weight.
    pub subgraph: Subgraph,
    /// Probability of following an edge rather than teleporting (0.85).
    pub damping: f64,
    /// Iteration cap (100).
    pub max_iterations: usize,
    /// Stop when the L1 change of an iteration is below `nodes * tolerance` (1e-6).
    pub tolerance: f64,
    /// Teleport weights by node id (normalised; nodes not listed get 0). `None`: uniform.
    pub personalization: Option<BTreeMap<String, f64>>,
}

impl Default for PageRankOptions {
    fn default() -> Self {
        let base = algo::PageRankOptions::default();
        PageRankOptions {
            subgraph: Subgraph::all(),
            damping: base.damping,
            max_iterations: base.max_iterations,
            tolerance: base.tolerance,
            personalization: None,
        }
    }
}

/// What [`Graph::pagerank`] computed.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRank {
    /// Rank per node id, summing to one.
    pub ranks: BTreeMap<String, f64>,
    /// Iterations run.
    pub iterations: usize,
    /// Whether the tolerance was reached (otherwise `ranks` is the last iterate).
    pub converged: bool,
}

/// Options of [`Graph::louvain`]; the defaults are networkx's.
#[derive(Debug, Clone, PartialEq)]
pub struct LouvainOptions {
    /// Where it runs (treated as undirected; weights from the weight property).
    pub subgraph: Subgraph,
    /// Resolution γ (1.0); larger values favour smaller communities.
    pub resolution: f64,
    /// Seed of the documented SplitMix64 generator (0): equal seeds, equal results.
    pub seed: u64,
}

impl Default for LouvainOptions {
    fn default() -> Self {
        LouvainOptions {
            subgraph: Subgraph::all(),
            resolution: 1.0,
            seed: 0,
        }
    }
}

/// Communities found by [`Graph::louvain`].
#[derive(Debug, Clone, PartialEq)]
pub struct Communities {
    /// Community per node id, dense in `0..count`.
    pub community: BTreeMap<String, u32>,
    /// Number of communities.
    pub count: usize,
    /// Modularity of the partition.
    pub modularity: f64,
}

/// Connected components found by [`Graph::connected_components`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentMap {
    /// Component per node id, dense in `0..count`.
    pub component: BTreeMap<String, u32>,
    /// Number of components.
    pub count: usize,
}

/// Exact diameters only up to 20K nodes: iFUB can need many BFS runs on
/// large graphs without a clear periphery; above that, a lower bound from at
/// most 64 BFS runs, labelled `exact: false`.
const DIAMETER: DiameterOptions = DiameterOptions {
    exact_node_limit: 20_000,
    bfs_budget: 64,
};

/// Whole-graph figures from [`Graph::graph_stats`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GraphStats {
    /// Nodes in the subgraph.
    pub nodes: usize,
    /// Edges in the subgraph.
    pub edges: usize,
    /// Edges per node (directed: m / n).
    pub avg_degree: f64,
    /// m / (n (n - 1)), as networkx's directed density.
    pub density: f64,
    /// Longest shortest path of the undirected view (largest over components),
    /// exact up to 20K nodes, a labelled lower bound above that (see [`Diameter::exact`]).
    pub diameter: Diameter,
}

impl<S: Storage> Graph<S> {
    /// The compact view of `subgraph`, built once per commit generation.
    pub(crate) fn view(&self, subgraph: &Subgraph) -> Result<Arc<View>> {
        self.check()?;
        let read = self.read();
        let generation = read.topo.generation;
        let inner = self.inner();
        {
            let mut cache = inner.views.lock();
            if cache.generation != generation {
                cache.generation = generation;
                cache.views.clear();
            }
            if let Some((_, view)) = cache.views.iter().find(|(s, _)| s == subgraph) {
                return Ok(Arc::clone(view));
            }
        }
        let view = Arc::new(read.build_view(subgraph)?);
        let mut cache = inner.views.lock();
        if cache.generation == generation {
            // A few recent subgraphs stay cached; the oldest goes first.
            if cache.views.len() >= 4 {
                cache.views.remove(0);
            }
            cache.views.push((subgraph.clone(), Arc::clone(&view)));
        }
        Ok(view)
    }

    /// The shortest path from `from` to `to` in `subgraph`: fewest hops
    /// (bidirectional BFS), or least total weight (bidirectional Dijkstra)
    /// when the subgraph names a weight property. `None` when unreachable.
    ///
    /// # Errors
    /// [`Error::NodeNotFound`] for an endpoint outside the subgraph;
    /// [`Error::InvalidArgument`] naming an edge with a negative or
    /// non-numeric weight.
    ///
    /// # Complexity
    /// O(n + m) (BFS) or O((n + m) log n) (Dijkstra) in the worst case; the
    /// first call after a commit also builds the view in O(n + m).
    pub async fn shortest_path(
        &self,
        from: &str,
        to: &str,
        subgraph: &Subgraph,
        direction: Direction,
    ) -> Result<Option<WeightedPath>> {
        let view = self.view(subgraph)?;
        let (s, t) = (view.index(from)?, view.index(to)?);
        let mut scratch = self.inner().paths.lock().pop().unwrap_or_default();
        let found = if subgraph.weight.is_some() {
            scratch
                .dijkstra(&view.csr, s, t, direction)
                .map_err(Error::from)
        } else {
            Ok(scratch
                .bfs_path(&view.csr, s, t, direction)
                .map(|p| ((p.len() - 1) as f64, p)))
        };
        self.inner().paths.lock().push(scratch);
        Ok(found?.map(|(cost, nodes)| WeightedPath {
            nodes: view.path(nodes),
            cost,
        }))
    }

    /// Hops from `from` to every node it reaches in `subgraph` (itself at 0).
    ///
    /// # Errors
    /// [`Error::NodeNotFound`] for a start outside the subgraph.
    pub async fn bfs_distances(
        &self,
        from: &str,
        subgraph: &Subgraph,
        direction: Direction,
    ) -> Result<BTreeMap<String, u32>> {
        let view = self.view(subgraph)?;
        let distances = algo::bfs_distances(&view.csr, view.index(from)?, direction);
        Ok(view
            .ids
            .iter()
            .zip(distances)
            .filter_map(|(id, d)| d.map(|d| (id.to_string(), d)))
            .collect())
    }

    /// PageRank with networkx's semantics (dangling rank redistributed by the
    /// personalization, uniform by default).
    ///
    /// # Errors
    /// [`Error::Algorithm`] for out-of-range options or personalization;
    /// [`Error::InvalidArgument`] for bad weights.
    ///
    /// # Complexity
    /// O(n + m) per iteration.
    pub async fn pagerank(&self, options: &PageRankOptions) -> Result<PageRank> {
        let view = self.view(&options.subgraph)?;
        let personalization = options.personalization.as_ref().map(|weights| {
            view.ids
                .iter()
                .map(|id| weights.get(&**id).copied().unwrap_or(0.0))
                .collect()
        });
        let result = algo::pagerank(
            &view.csr,
            &algo::PageRankOptions {
                damping: options.damping,
                max_iterations: options.max_iterations,
                tolerance: options.tolerance,
                personalization,
                weighted: options.subgraph.weight.is_some(),
            },
        )?;
        Ok(PageRank {
            ranks: view.keyed(&result.ranks),
            iterations: result.iterations,
            converged: result.converged,
        })
    }

    /// Louvain communities of the undirected, weighted view, deterministic for a seed.
    ///
    /// # Errors
    /// [`Error::Algorithm`] for a bad resolution; [`Error::InvalidArgument`] for bad weights.
    pub async fn louvain(&self, options: &LouvainOptions) -> Result<Communities> {
        let view = self.view(&options.subgraph)?;
        let result = algo::louvain(
            &view.csr,
            &algo::LouvainOptions {
                resolution: options.resolution,
                seed: options.seed,
                ..Default::default()
            },
        )?;
        Ok(Communities {
            community: view.keyed(&result.community),
            count: result.count,
            modularity: result.modularity,
        })
    }

    /// Weakly (`strong == false`) or strongly connected components.
    ///
    /// # Errors
    /// [`Error::Unavailable`] only (and weight errors if the subgraph is weighted).
    pub async fn connected_components(
        &self,
        subgraph: &Subgraph,
        strong: bool,
    ) -> Result<ComponentMap> {
        let view = self.view(subgraph)?;
        let components = if strong {
            algo::strongly_connected_components(&view.csr)
        } else {
            algo::weakly_connected_components(&view.csr)
        };
        Ok(ComponentMap {
            component: view.keyed(&components.component),
            count: components.count,
        })
    }

    /// Degree of every node in `subgraph` (out, in, or both added).
    ///
    /// # Errors
    /// As [`connected_components`](Self::connected_components).
    pub async fn degrees(
        &self,
        subgraph: &Subgraph,
        direction: Direction,
    ) -> Result<BTreeMap<String, u32>> {
        let view = self.view(subgraph)?;
        Ok(view.keyed(&algo::degrees(&view.csr, direction)))
    }

    /// Triangles through each node of the undirected simple view, and their total.
    ///
    /// # Errors
    /// As [`connected_components`](Self::connected_components).
    pub async fn triangles(&self, subgraph: &Subgraph) -> Result<(u64, BTreeMap<String, u64>)> {
        let view = self.view(subgraph)?;
        let (total, per_node) = algo::triangle_count(&view.csr);
        Ok((total, view.keyed(&per_node)))
    }

    /// Local clustering coefficients and their average (networkx's `clustering`).
    ///
    /// # Errors
    /// As [`connected_components`](Self::connected_components).
    pub async fn clustering(&self, subgraph: &Subgraph) -> Result<(f64, BTreeMap<String, f64>)> {
        let view = self.view(subgraph)?;
        let (average, per_node) = algo::clustering_coefficient(&view.csr);
        Ok((average, view.keyed(&per_node)))
    }

    /// Core number of every node (networkx's `core_number`).
    ///
    /// # Errors
    /// As [`connected_components`](Self::connected_components).
    pub async fn k_core(&self, subgraph: &Subgraph) -> Result<BTreeMap<String, u32>> {
        let view = self.view(subgraph)?;
        Ok(view.keyed(&algo::k_core(&view.csr)))
    }

    /// Node and edge counts, average degree, density and diameter.
    ///
    /// # Errors
    /// As [`connected_components`](Self::connected_components).
    pub async fn graph_stats(&self, subgraph: &Subgraph) -> Result<GraphStats> {
        let view = self.view(subgraph)?;
        let csr = &view.csr;
        Ok(GraphStats {
            nodes: csr.node_count(),
            edges: csr.edge_count(),
            avg_degree: algo::avg_degree(csr),
            density: algo::density(csr),
            diameter: algo::diameter(csr, DIAMETER),
        })
    }
}
