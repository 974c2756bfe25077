//! Shortest paths: bidirectional BFS, Dijkstra, single-source distances.
//!
//! The free functions allocate their O(n) working arrays per call. Callers
//! that answer many queries on the same graph keep a [`ShortestPaths`]: its
//! arrays are stamped with a generation number, so a query touches only the
//! nodes it visits.
//!
//! ```
//! use knowledge_graph::algo::{Csr, Direction, ShortestPaths};
//! let csr = Csr::from_edges(4, &[(0, 1, 1.0), (1, 2, 5.0), (0, 3, 1.0), (3, 2, 1.0)], true);
//! let mut paths = ShortestPaths::new();
//! assert_eq!(paths.bfs_path(&csr, 0, 2, Direction::Outgoing).map(|p| p.len()), Some(3));
//! let (cost, path) = paths.dijkstra(&csr, 0, 2, Direction::Outgoing).unwrap().unwrap();
//! assert_eq!((cost, path), (2.0, vec![0, 3, 2]));
//! ```

use alloc::collections::BinaryHeap;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::{AlgoError, Csr, Direction};
use crate::traverse::touch_lines;

/// Reusable scratch space for repeated shortest-path queries.
///
/// Works with any [`Csr`]; the arrays are resized when the node count changes.
#[derive(Debug, Default, Clone)]
pub struct ShortestPaths {
    generation: u32,
    forward: Side,
    backward: Side,
}

#[derive(Debug, Default, Clone)]
struct Side {
    /// `reached[v] == generation`: `v` has a label in this query.
    reached: Vec<u32>,
    /// `settled[v] == generation`: Dijkstra has fixed the label of `v`.
    settled: Vec<u32>,
    parent: Vec<u32>,
    hops: Vec<u32>,
    cost: Vec<f64>,
    frontier: Vec<u32>,
    next: Vec<u32>,
    heap: BinaryHeap<HeapEntry>,
}

impl Side {
    fn resize(&mut self, n: usize) {
        self.reached = vec![0; n];
        self.settled = vec![0; n];
        self.parent = vec![0; n];
        self.hops = vec![0; n];
        self.cost = vec![0.0; n];
    }

    fn start(&mut self, node: u32, generation: u32) {
        let v = node as usize;
        self.reached[v] = generation;
        self.parent[v] = node;
        self.hops[v] = 0;
        self.cost[v] = 0.0;
        self.frontier.clear();
        self.next.clear();
        self.heap.clear();
        self.frontier.push(node);
        self.heap.push(HeapEntry { cost: 0.0, node });
    }

    /// Nodes from `v` back to the start of this side, `v` first.
    fn chain(&self, mut v: u32) -> impl Iterator<Item = u32> + '_ {
        let mut done = false;
        core::iter::from_fn(move || {
            if done {
                return None;
            }
            let current = v;
            let parent = self.parent[v as usize];
            done = parent == v;
            v = parent;
            Some(current)
        })
    }

    /// Pops stale entries and returns the smallest live key, or infinity.
    fn top(&mut self, generation: u32) -> f64 {
        while let Some(entry) = self.heap.peek() {
            if self.settled[entry.node as usize] == generation {
                self.heap.pop();
            } else {
                return entry.cost;
            }
        }
        f64::INFINITY
    }
}

/// A min-heap entry ordered by cost (reversed for `BinaryHeap`, a max-heap).
#[derive(Debug, Clone, Copy)]
struct HeapEntry {
    cost: f64,
    node: u32,
}

impl PartialEq for HeapEntry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for HeapEntry {}
impl PartialOrd for HeapEntry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for HeapEntry {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .cost
            .total_cmp(&self.cost)
            .then_with(|| other.node.cmp(&self.node))
    }
}

impl Direction {
    /// The direction that walks the same edges backwards.
    #[must_use]
    pub const fn reversed(self) -> Self {
        match self {
            Self::Outgoing => Self::Incoming,
            Self::Incoming => Self::Outgoing,
            Self::Both => Self::Both,
        }
    }
}

impl ShortestPaths {
    /// Empty scratch space; the first query sizes it.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn begin(&mut self, csr: &Csr, from: u32, to: u32) -> u32 {
        let n = csr.node_count();
        assert!(
            (from as usize) < n && (to as usize) < n,
            "node {from} or {to} out of range for {n} nodes"
        );
        if self.forward.reached.len() != n {
            self.forward.resize(n);
            self.backward.resize(n);
            self.generation = 0;
        }
        if self.generation == u32::MAX {
            self.forward.resize(n);
            self.backward.resize(n);
            self.generation = 0;
        }
        self.generation += 1;
        self.forward.start(from, self.generation);
        self.backward.start(to, self.generation);
        self.generation
    }

    /// Fewest-edges path from `from` to `to`, by bidirectional BFS.
    ///
    /// # Arguments
    /// * `direction` - [`Direction::Outgoing`] follows edges forwards,
    ///   [`Direction::Incoming`] backwards, [`Direction::Both`] ignores direction.
    ///
    /// # Returns
    /// The nodes of one shortest path, `from` first and `to` last (`[from]` when
    /// they are equal), or `None` when `to` is unreachable. Parallel edges and
    /// self-loops do not change the result.
    ///
    /// # Panics
    /// If `from` or `to` is not below `csr.node_count()`.
    ///
    /// # Complexity
    /// O(n + m) worst case; each level expands the side whose frontier has the
    /// smaller degree sum, and the search stops at the first meeting edge, which
    /// on small-world graphs touches a tiny fraction of the graph.
    pub fn bfs_path(
        &mut self,
        csr: &Csr,
        from: u32,
        to: u32,
        direction: Direction,
    ) -> Option<Vec<u32>> {
        if from == to {
            assert!(
                (from as usize) < csr.node_count(),
                "node {from} out of range"
            );
            return Some(vec![from]);
        }
        let generation = self.begin(csr, from, to);
        loop {
            if self.forward.frontier.is_empty() || self.backward.frontier.is_empty() {
                return None;
            }
            let work = |side: &Side, dir: Direction| -> usize {
                side.frontier
                    .iter()
                    .map(|&v| {
                        let (a, b) = csr.neighbor_slices(v, dir);
                        a.len() + b.len()
                    })
                    .sum()
            };
            let forward_first =
                work(&self.forward, direction) <= work(&self.backward, direction.reversed());
            let (this, other, dir) = if forward_first {
                (&mut self.forward, &self.backward, direction)
            } else {
                (&mut self.backward, &self.forward, direction.reversed())
            };
            if let Some((u, w)) = expand_level(csr, this, other, dir, generation) {
                // Any meeting edge found while expanding a level is on a shortest
                // path: the sides were disjoint, so it joins the two frontiers.
                let (fu, bw) = if forward_first { (u, w) } else { (w, u) };
                let mut path: Vec<u32> = self.forward.chain(fu).collect();
                path.reverse();
                path.extend(self.backward.chain(bw));
                return Some(path);
            }
        }
    }

    /// Cheapest path from `from` to `to` by bidirectional Dijkstra.
    ///
    /// # Arguments
    /// * `direction` - as for [`bfs_path`](Self::bfs_path). Edge costs are the CSR
    ///   weights, 1.0 each when the CSR is unweighted; among parallel edges the
    ///   cheapest counts.
    ///
    /// # Returns
    /// `Ok(Some((cost, nodes)))`, `nodes` running from `from` to `to`, or
    /// `Ok(None)` when `to` is unreachable.
    ///
    /// # Errors
    /// [`AlgoError::InvalidWeight`] when any weight of the CSR is negative, NaN or
    /// infinite (checked up front, whether or not the search would reach it).
    ///
    /// # Panics
    /// If `from` or `to` is not below `csr.node_count()`.
    ///
    /// # Complexity
    /// O((n + m) log n) worst case with a binary heap; the two searches stop once
    /// the smallest keys of both heaps add up to the best path found.
    pub fn dijkstra(
        &mut self,
        csr: &Csr,
        from: u32,
        to: u32,
        direction: Direction,
    ) -> Result<Option<(f64, Vec<u32>)>, AlgoError> {
        csr.check_weights()?;
        let generation = self.begin(csr, from, to);
        if from == to {
            return Ok(Some((0.0, vec![from])));
        }
        let mut best = f64::INFINITY;
        let mut meet = None;
        loop {
            let top_f = self.forward.top(generation);
            let top_b = self.backward.top(generation);
            if top_f + top_b >= best || top_f.is_infinite() || top_b.is_infinite() {
                break;
            }
            let (this, other, dir) = if top_f <= top_b {
                (&mut self.forward, &self.backward, direction)
            } else {
                (&mut self.backward, &self.forward, direction.reversed())
            };
            let Some(HeapEntry { cost, node }) = this.heap.pop() else {
                break;
            };
            this.settled[node as usize] = generation;
            csr.for_each_edge(node, dir, |w, len| {
                let wi = w as usize;
                let candidate = cost + len;
                if this.reached[wi] != generation || candidate < this.cost[wi] {
                    this.reached[wi] = generation;
                    this.cost[wi] = candidate;
                    this.parent[wi] = node;
                    this.heap.push(HeapEntry {
                        cost: candidate,
                        node: w,
                    });
                    if other.reached[wi] == generation {
                        let total = candidate + other.cost[wi];
                        if total < best {
                            best = total;
                            meet = Some(w);
                        }
                    }
                }
            });
        }
        Ok(meet.map(|mid| {
            let mut path: Vec<u32> = self.forward.chain(mid).collect();
            path.reverse();
            path.extend(self.backward.chain(mid).skip(1));
            (best, path)
        }))
    }
}

/// Expands one BFS level of `this`; returns the first edge `(u, w)` whose head
/// `w` the other side has reached.
fn expand_level(
    csr: &Csr,
    this: &mut Side,
    other: &Side,
    dir: Direction,
    generation: u32,
) -> Option<(u32, u32)> {
    this.next.clear();
    let mut touched = 0;
    for &u in &this.frontier {
        let (a, b) = csr.neighbor_slices(u, dir);
        touched ^= touch_lines(a, |&w| w) ^ touch_lines(b, |&w| w);
    }
    core::hint::black_box(touched);
    let mut found = None;
    'level: for &u in &this.frontier {
        let hops = this.hops[u as usize] + 1;
        let (a, b) = csr.neighbor_slices(u, dir);
        for &w in a.iter().chain(b) {
            let wi = w as usize;
            if other.reached[wi] == generation {
                found = Some((u, w));
                break 'level;
            }
            if this.reached[wi] != generation {
                this.reached[wi] = generation;
                this.hops[wi] = hops;
                this.parent[wi] = u;
                this.next.push(w);
            }
        }
    }
    core::mem::swap(&mut this.frontier, &mut this.next);
    found
}

/// Fewest-edges path; see [`ShortestPaths::bfs_path`]. Allocates O(n) per call.
///
/// # Panics
/// If `from` or `to` is not below `csr.node_count()`.
#[must_use]
pub fn bfs_shortest_path(csr: &Csr, from: u32, to: u32, direction: Direction) -> Option<Vec<u32>> {
    ShortestPaths::new().bfs_path(csr, from, to, direction)
}

/// Cheapest path; see [`ShortestPaths::dijkstra`]. Allocates O(n) per call.
///
/// # Errors
/// [`AlgoError::InvalidWeight`] for a negative, NaN or infinite weight.
///
/// # Panics
/// If `from` or `to` is not below `csr.node_count()`.
pub fn dijkstra(
    csr: &Csr,
    from: u32,
    to: u32,
    direction: Direction,
) -> Result<Option<(f64, Vec<u32>)>, AlgoError> {
    ShortestPaths::new().dijkstra(csr, from, to, direction)
}

/// Hop distance from `from` to every node.
///
/// # Returns
/// `result[v]` is the number of edges on a shortest path, `None` if unreachable.
///
/// # Panics
/// If `from` is not below `csr.node_count()`.
///
/// # Complexity
/// O(n + m).
#[must_use]
pub fn bfs_distances(csr: &Csr, from: u32, direction: Direction) -> Vec<Option<u32>> {
    let mut dist = vec![None; csr.node_count()];
    dist[from as usize] = Some(0);
    let mut queue = vec![from];
    let mut head = 0;
    while let Some(&v) = queue.get(head) {
        head += 1;
        let next = dist[v as usize].map(|d| d + 1);
        let (a, b) = csr.neighbor_slices(v, direction);
        for &w in a.iter().chain(b) {
            if dist[w as usize].is_none() {
                dist[w as usize] = next;
                queue.push(w);
            }
        }
    }
    dist
}

/// Cheapest cost from `from` to every node (Dijkstra, weights as for
/// [`ShortestPaths::dijkstra`]).
///
/// # Returns
/// `result[v]` is the cost of a cheapest path, `None` if unreachable.
///
/// # Errors
/// [`AlgoError::InvalidWeight`] for a negative, NaN or infinite weight.
///
/// # Panics
/// If `from` is not below `csr.node_count()`.
///
/// # Complexity
/// O((n + m) log n).
pub fn dijkstra_distances(
    csr: &Csr,
    from: u32,
    direction: Direction,
) -> Result<Vec<Option<f64>>, AlgoError> {
    csr.check_weights()?;
    let n = csr.node_count();
    let mut dist: Vec<Option<f64>> = vec![None; n];
    let mut settled = vec![false; n];
    let mut heap = BinaryHeap::new();
    dist[from as usize] = Some(0.0);
    heap.push(HeapEntry {
        cost: 0.0,
        node: from,
    });
    while let Some(HeapEntry { cost, node }) = heap.pop() {
        if core::mem::replace(&mut settled[node as usize], true) {
            continue;
        }
        csr.for_each_edge(node, direction, |w, len| {
            let candidate = cost + len;
            if dist[w as usize].is_none_or(|d| candidate < d) {
                dist[w as usize] = Some(candidate);
                heap.push(HeapEntry {
                    cost: candidate,
                    node: w,
                });
            }
        });
    }
    Ok(dist)
}
