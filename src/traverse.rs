//! Walking the graph: the [`Traversal`] builder (breadth-first, each node
//! once), simple-path enumeration ([`Graph::find_paths`]) and k-hop
//! neighbourhoods ([`Graph::k_hop_count`]). All of them read only the
//! in-memory topology, plus the properties of what they return.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::future::{ready, IntoFuture, Ready};

use knowledge_graph_storage::Storage;

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::model::{Edge, EdgeId, Node};
use crate::read::GraphRead;
use crate::topology::{Adj, Topology};

/// Which edges a walk or an algorithm follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// From source to target.
    #[default]
    Outgoing,
    /// From target to source.
    Incoming,
    /// Either way.
    Both,
}

/// An edge as traversal filters see it (no properties are read).
#[derive(Debug, Clone, Copy)]
pub struct EdgeRef<'a> {
    id: EdgeId,
    label: &'a str,
    source: &'a str,
    target: &'a str,
    created_at_ms: i64,
}

impl<'a> EdgeRef<'a> {
    /// The edge's id.
    pub fn id(&self) -> EdgeId {
        self.id
    }
    /// The edge's label.
    pub fn label(&self) -> &'a str {
        self.label
    }
    /// Id of the node it leaves.
    pub fn source(&self) -> &'a str {
        self.source
    }
    /// Id of the node it enters.
    pub fn target(&self) -> &'a str {
        self.target
    }
    /// Creation time in whole seconds since the Unix epoch.
    pub fn timestamp(&self) -> i64 {
        self.created_at_ms.div_euclid(1000)
    }
}

type EdgeFilter = Box<dyn Fn(&EdgeRef<'_>) -> bool + Send + Sync>;
type NodeFilter = Box<dyn Fn(&Node) -> bool + Send + Sync>;

/// A node reached by a [`Traversal`].
#[derive(Debug, Clone, PartialEq)]
pub struct Visited {
    /// The node.
    pub node: Node,
    /// Hops from the start (0 for the start itself).
    pub depth: usize,
    /// The edge it was first reached by (`None` for the start).
    pub via: Option<Edge>,
}

impl Visited {
    /// Hops from the start.
    pub fn depth(&self) -> usize {
        self.depth
    }
    /// The node's id.
    pub fn id(&self) -> &str {
        &self.node.id
    }
}

/// A breadth-first walk from one node; see [`Graph::traverse`]. Awaiting it
/// yields every reachable node once, nearest first, starting with the start.
#[must_use = "a traversal does nothing until it is awaited"]
pub struct Traversal<S: Storage> {
    graph: Graph<S>,
    start: String,
    max_depth: usize,
    direction: Direction,
    edge_filter: Option<EdgeFilter>,
    node_filter: Option<NodeFilter>,
}

impl<S: Storage> Traversal<S> {
    /// Stops `depth` hops from the start (default: no limit).
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }
    /// Which way edges are followed (default: outgoing).
    pub fn with_direction(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }
    /// Follows only edges for which `filter` is true.
    pub fn with_edge_filter(
        mut self,
        filter: impl Fn(&EdgeRef<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.edge_filter = Some(Box::new(filter));
        self
    }
    /// Yields and expands only nodes for which `filter` is true (the start is always yielded).
    pub fn with_node_filter(
        mut self,
        filter: impl Fn(&Node) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.node_filter = Some(Box::new(filter));
        self
    }

    /// Runs the walk.
    ///
    /// # Errors
    /// [`Error::NodeNotFound`] for an unknown start; storage errors.
    pub fn run(&self) -> Result<Vec<Visited>> {
        self.graph.check()?;
        let view = self.graph.read();
        let topo = &*view.topo;
        let start = topo.node(&self.start).ok_or_else(|| Error::NodeNotFound {
            id: self.start.clone(),
        })?;
        let mut seen = vec![false; topo.nodes.len()];
        seen[start as usize] = true;
        let mut out = vec![Visited {
            node: view.node_at(start)?,
            depth: 0,
            via: None,
        }];
        let mut queue = VecDeque::from([(start, 0usize)]);
        while let Some((at, depth)) = queue.pop_front() {
            if depth >= self.max_depth {
                continue;
            }
            for (edge, next) in steps(topo, at, self.direction) {
                if seen[next as usize] || !self.follows(topo, edge) {
                    continue;
                }
                let node = view.node_at(next)?;
                if self.node_filter.as_ref().is_some_and(|keep| !keep(&node)) {
                    continue;
                }
                seen[next as usize] = true;
                out.push(Visited {
                    node,
                    depth: depth + 1,
                    via: Some(view.edge_at(edge)?),
                });
                queue.push_back((next, depth + 1));
            }
        }
        Ok(out)
    }

    fn follows(&self, topo: &Topology, edge: u32) -> bool {
        self.edge_filter
            .as_ref()
            .is_none_or(|keep| keep(&edge_ref(topo, edge)))
    }
}

impl<S: Storage> IntoFuture for Traversal<S> {
    type Output = Result<Vec<Visited>>;
    type IntoFuture = Ready<Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        ready(self.run())
    }
}

fn edge_ref(topo: &Topology, edge: u32) -> EdgeRef<'_> {
    let slot = &topo.edges[edge as usize];
    EdgeRef {
        id: EdgeId(u64::from(edge)),
        label: topo.label(slot.label),
        source: &topo.node_slot(slot.source).id,
        target: &topo.node_slot(slot.target).id,
        created_at_ms: slot.created_at_ms,
    }
}

/// The edges leaving `at` in `direction`, with the node at their other end.
fn steps(topo: &Topology, at: u32, direction: Direction) -> impl Iterator<Item = (u32, u32)> + '_ {
    adjacency(topo, at, direction)
        .into_iter()
        .flatten()
        .map(|a| (a.edge, a.node))
}

/// Reads one entry per 64-byte cache line of `list` (`key` picks what to
/// read) and returns them xor-ed, for the caller to `black_box`. Done for a
/// whole breadth-first frontier before walking it, it makes the frontier's
/// cache misses (most of such a walk's time) overlap instead of queueing one
/// behind another.
pub(crate) fn touch_lines<T>(list: &[T], key: impl Fn(&T) -> u32) -> u32 {
    let per_line = (64 / core::mem::size_of::<T>()).max(1);
    list.iter()
        .step_by(per_line)
        .fold(0, |acc, item| acc ^ key(item))
}

/// The adjacency lists of `at` in `direction`, as slices.
fn adjacency(topo: &Topology, at: u32, direction: Direction) -> [&[Adj]; 2] {
    let node = topo.node_slot(at);
    match direction {
        Direction::Outgoing => [&node.out, &[]],
        Direction::Incoming => [&node.inc, &[]],
        Direction::Both => [&node.out, &node.inc],
    }
}

/// Options for [`Graph::find_paths`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathOptions {
    /// Follow only edges with one of these labels (`None`: any).
    pub edge_labels: Option<Vec<String>>,
    /// Which way edges are followed.
    pub direction: Direction,
    /// Stop after this many paths, so a dense graph cannot exhaust memory.
    pub max_paths: usize,
}

impl Default for PathOptions {
    fn default() -> Self {
        PathOptions {
            edge_labels: None,
            direction: Direction::Outgoing,
            max_paths: 10_000,
        }
    }
}

/// A path found by [`Graph::find_paths`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// Node ids from start to end.
    pub nodes: Vec<String>,
    /// The edges between them, in order.
    pub edges: Vec<EdgeId>,
}

impl Path {
    /// Number of hops.
    pub fn len(&self) -> usize {
        self.edges.len()
    }
    /// True for the zero-hop path from a node to itself.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }
}

/// Reusable per-walk marks, so k-hop queries allocate nothing per call.
#[derive(Default)]
pub(crate) struct Marks {
    /// One byte per node (small enough to stay in cache): marked when equal to `generation`.
    stamp: Vec<u8>,
    generation: u8,
    frontier: Vec<u32>,
    next: Vec<u32>,
}

impl Marks {
    fn reset(&mut self, nodes: usize) {
        if self.stamp.len() < nodes {
            self.stamp.resize(nodes, 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.generation = 1;
        }
        self.frontier.clear();
        self.next.clear();
    }

    /// Marks `node`; false when it was already marked in this walk.
    fn mark(&mut self, node: u32) -> bool {
        let slot = &mut self.stamp[node as usize];
        let fresh = *slot != self.generation;
        *slot = self.generation;
        fresh
    }
}

impl<S: Storage> GraphRead<'_, S> {
    /// Distinct nodes within `k` hops of `start` (not counting it); calls
    /// `found` for each, nearest first. Outgoing counts read the compact
    /// out-lists once they are paid for (see [`GraphRead::out_adjacency`]).
    fn k_hop(&self, start: u32, k: usize, direction: Direction, found: impl FnMut(u32)) {
        let outgoing = direction == Direction::Outgoing;
        if outgoing {
            if let Some(out) = self.out_adjacency() {
                self.breadth_first(start, k, |at| [out.list(at), &[]], |&n| n, found);
                return;
            }
        }
        let topo = &*self.topo;
        let read = self.breadth_first(
            start,
            k,
            |at| adjacency(topo, at, direction),
            |a| a.node,
            found,
        );
        if outgoing {
            self.read_out_lists(read);
        }
    }

    /// [`k_hop`](Self::k_hop) on the lists `lists(at)` gives for each node
    /// (`node` reads a node from an entry); returns how many nodes' lists
    /// it read.
    pub(crate) fn breadth_first<'a, T: 'a>(
        &self,
        start: u32,
        k: usize,
        lists: impl Fn(u32) -> [&'a [T]; 2],
        node: impl Fn(&T) -> u32,
        mut found: impl FnMut(u32),
    ) -> u64 {
        let mut marks = self.graph().inner().marks.lock().pop().unwrap_or_default();
        marks.reset(self.topo.nodes.len());
        marks.mark(start);
        marks.frontier.push(start);
        let mut read = 0;
        for level in 1..=k {
            let frontier = core::mem::take(&mut marks.frontier);
            read += frontier.len() as u64;
            let mut touched = 0;
            for &at in &frontier {
                for list in lists(at) {
                    touched ^= touch_lines(list, &node);
                }
            }
            core::hint::black_box(touched);
            let last = level == k;
            for &at in &frontier {
                for list in lists(at) {
                    for entry in list {
                        let n = node(entry);
                        if marks.mark(n) {
                            found(n);
                            if !last {
                                marks.next.push(n);
                            }
                        }
                    }
                }
            }
            marks.frontier = core::mem::replace(&mut marks.next, frontier);
            marks.next.clear();
            if marks.frontier.is_empty() {
                break;
            }
        }
        self.graph().inner().marks.lock().push(marks);
        read
    }
}

impl<S: Storage> Graph<S> {
    /// A breadth-first walk from `start`; configure it, then `.await` it.
    ///
    /// ```
    /// # use knowledge_graph::{Graph, MemoryStorage, Value};
    /// # knowledge_graph::block_on(async {
    /// let graph = Graph::new(MemoryStorage::new());
    /// for id in ["a", "b", "c"] {
    ///     graph.add_node("user", id, &Value::Null).await?;
    /// }
    /// graph.add_edge("follows", "a", "b", None).await?;
    /// graph.add_edge("follows", "b", "c", None).await?;
    /// let visited = graph.traverse("a").with_max_depth(2)
    ///     .with_edge_filter(|e| e.label() == "follows").await?;
    /// let depths: Vec<_> = visited.iter().map(|v| (v.id(), v.depth())).collect();
    /// assert_eq!(depths, [("a", 0), ("b", 1), ("c", 2)]);
    /// # Ok::<(), knowledge_graph::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn traverse(&self, start: &str) -> Traversal<S> {
        Traversal {
            graph: self.clone(),
            start: start.to_string(),
            max_depth: usize::MAX,
            direction: Direction::Outgoing,
            edge_filter: None,
            node_filter: None,
        }
    }

    /// Every simple path (no node twice) from `from` to `to` of at most
    /// `max_depth` hops (default 5), shortest first, at most
    /// `options.max_paths` of them.
    ///
    /// # Errors
    /// [`Error::NodeNotFound`] for an unknown endpoint.
    ///
    /// # Complexity
    /// Exponential in `max_depth` on dense graphs; bounded by `max_paths`.
    pub async fn find_paths(
        &self,
        from: &str,
        to: &str,
        max_depth: Option<usize>,
        options: Option<PathOptions>,
    ) -> Result<Vec<Path>> {
        self.check()?;
        let options = options.unwrap_or_default();
        let max_depth = max_depth.unwrap_or(5);
        let view = self.read();
        let topo = &*view.topo;
        let find = |id: &str| {
            topo.node(id)
                .ok_or_else(|| Error::NodeNotFound { id: id.to_string() })
        };
        let (from, to) = (find(from)?, find(to)?);
        let allowed: Option<Vec<u32>> = options
            .edge_labels
            .as_ref()
            .map(|labels| labels.iter().filter_map(|l| topo.label_id(l)).collect());
        let mut found: Vec<(Vec<u32>, Vec<u32>)> = Vec::new();
        let mut nodes = vec![from];
        let mut edges: Vec<u32> = Vec::new();
        let mut on_path = vec![false; topo.nodes.len()];
        on_path[from as usize] = true;
        // Depth-first with an explicit stack of candidate lists.
        let mut stack: Vec<Vec<(u32, u32)>> = Vec::new();
        if from == to {
            found.push((nodes.clone(), Vec::new()));
        } else {
            stack.push(steps(topo, from, options.direction).collect());
        }
        while let Some(choices) = stack.last_mut() {
            if found.len() >= options.max_paths {
                break;
            }
            let Some((edge, next)) = choices.pop() else {
                stack.pop();
                if let Some(node) = nodes.pop() {
                    on_path[node as usize] = false;
                }
                edges.pop();
                continue;
            };
            let label = topo.edges[edge as usize].label;
            if on_path[next as usize] || allowed.as_ref().is_some_and(|a| !a.contains(&label)) {
                continue;
            }
            if next == to {
                let mut path = nodes.clone();
                path.push(next);
                let mut via = edges.clone();
                via.push(edge);
                found.push((path, via));
                continue;
            }
            if nodes.len() < max_depth {
                on_path[next as usize] = true;
                nodes.push(next);
                edges.push(edge);
                let mut more: Vec<(u32, u32)> = steps(topo, next, options.direction).collect();
                more.reverse();
                stack.push(more);
            }
        }
        found.sort_by_key(|(_, e)| e.len());
        Ok(found
            .into_iter()
            .map(|(nodes, edges)| Path {
                nodes: nodes
                    .into_iter()
                    .map(|n| topo.node_slot(n).id.to_string())
                    .collect(),
                edges: edges.into_iter().map(|e| EdgeId(u64::from(e))).collect(),
            })
            .collect())
    }

    /// How many distinct nodes lie within `k` hops of `start` (not counting it).
    ///
    /// # Errors
    /// [`Error::NodeNotFound`] for an unknown start.
    ///
    /// # Complexity
    /// Linear in the edges of the neighbourhood; allocates nothing per call.
    pub async fn k_hop_count(&self, start: &str, k: usize, direction: Direction) -> Result<usize> {
        self.check()?;
        let view = self.read();
        let at = view.topo.node(start).ok_or_else(|| Error::NodeNotFound {
            id: start.to_string(),
        })?;
        let mut count = 0;
        view.k_hop(at, k, direction, |_| count += 1);
        Ok(count)
    }

    /// The ids of the distinct nodes within `k` hops of `start` (not
    /// counting it), nearest first.
    ///
    /// # Errors
    /// [`Error::NodeNotFound`] for an unknown start.
    pub async fn k_hop_nodes(
        &self,
        start: &str,
        k: usize,
        direction: Direction,
    ) -> Result<Vec<String>> {
        self.check()?;
        let view = self.read();
        let at = view.topo.node(start).ok_or_else(|| Error::NodeNotFound {
            id: start.to_string(),
        })?;
        let mut ids = Vec::new();
        view.k_hop(at, k, direction, |n| {
            ids.push(view.topo.node_slot(n).id.to_string())
        });
        Ok(ids)
    }
}
