//! Degrees and whole-graph metrics: average degree, density, diameter.

use alloc::vec;
use alloc::vec::Vec;

use super::pagerank::count_as_f64;
use super::{weakly_connected_components, Csr, Direction};

/// Degree of every node.
///
/// # Returns
/// Out-, in- or total degree per node; parallel edges count each time and a
/// self-loop counts once in each direction (twice for [`Direction::Both`]),
/// like networkx's `MultiDiGraph` degrees. Saturates at `u32::MAX`.
///
/// # Complexity
/// O(n).
#[must_use]
pub fn degrees(csr: &Csr, direction: Direction) -> Vec<u32> {
    (0..)
        .take(csr.node_count())
        .map(|v| {
            let d = match direction {
                Direction::Outgoing => csr.out_degree(v),
                Direction::Incoming => csr.in_degree(v),
                Direction::Both => csr.out_degree(v) + csr.in_degree(v),
            };
            u32::try_from(d).unwrap_or(u32::MAX)
        })
        .collect()
}

/// Average out-degree `m / n` of the directed graph (equal to the average
/// in-degree; the average total degree is twice it). 0 for an empty graph.
///
/// # Complexity
/// O(1).
#[must_use]
pub fn avg_degree(csr: &Csr) -> f64 {
    let n = csr.node_count();
    if n == 0 {
        0.0
    } else {
        count_as_f64(csr.edge_count()) / count_as_f64(n)
    }
}

/// Directed density `m / (n·(n − 1))`, as networkx's `density` on a `DiGraph`
/// (every edge counts, self-loops and parallel edges included); 0 when `n ≤ 1`.
/// An undirected graph stored as both directions gets networkx's undirected
/// density `2m' / (n·(n − 1))`.
///
/// # Complexity
/// O(1).
#[must_use]
pub fn density(csr: &Csr) -> f64 {
    let n = count_as_f64(csr.node_count());
    if csr.node_count() <= 1 {
        0.0
    } else {
        count_as_f64(csr.edge_count()) / (n * (n - 1.0))
    }
}

/// Options of [`diameter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiameterOptions {
    /// Graphs with at most this many nodes always get the exact value (100 000).
    pub exact_node_limit: usize,
    /// Above the limit, the number of BFS runs allowed (64); when iFUB has not
    /// proved the value by then, the result is a lower bound.
    pub bfs_budget: usize,
}

impl Default for DiameterOptions {
    fn default() -> Self {
        Self {
            exact_node_limit: 100_000,
            bfs_budget: 64,
        }
    }
}

/// The diameter, and whether it is proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Diameter {
    /// Longest shortest path, in edges.
    pub value: u32,
    /// `true` when `value` is exact; `false` when it is a lower bound (a path of
    /// that length exists, a longer shortest path may too).
    pub exact: bool,
}

/// Diameter of the undirected view: the longest shortest-path distance (in
/// edges, ignoring direction) between two nodes that are connected.
///
/// networkx raises on a disconnected graph; here pairs in different components
/// are skipped, so the result is the largest diameter of any component (igraph's
/// `unconn = TRUE`). On a connected graph it is networkx's `diameter`.
///
/// # Arguments
/// * `options` - exactness limit and BFS budget, see [`DiameterOptions`].
///
/// # Returns
/// The diameter, exact on graphs of at most `exact_node_limit` nodes; above
/// that it is exact when iFUB finishes within `bfs_budget` BFS runs and a lower
/// bound from double sweeps otherwise (`exact: false`).
///
/// # Complexity
/// Per component, a double sweep finds a central node, then iFUB (Crescenzi et
/// al. 2013) runs a BFS from the nodes of the farthest levels until the lower
/// and upper bounds meet: a handful of O(n + m) BFS runs on real-world graphs,
/// O(n·m) in the worst case.
#[must_use]
pub fn diameter(csr: &Csr, options: DiameterOptions) -> Diameter {
    let n = csr.node_count();
    let mut budget = if n <= options.exact_node_limit {
        usize::MAX
    } else {
        options.bfs_budget.max(2)
    };
    let components = weakly_connected_components(csr);
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); components.count];
    for (v, &c) in (0..).zip(&components.component) {
        members[c as usize].push(v);
    }
    // Largest components first: a component of s nodes has diameter < s.
    members.sort_by_key(|m| core::cmp::Reverse(m.len()));
    let mut bfs = Bfs::new(n);
    let mut best = 0u32;
    for nodes in &members {
        if nodes.len() <= best as usize + 1 {
            break;
        }
        match ifub(csr, &mut bfs, nodes, best, &mut budget) {
            Some(value) => best = best.max(value),
            None => {
                return Diameter {
                    value: best.max(bfs.best_seen),
                    exact: false,
                }
            }
        }
    }
    Diameter {
        value: best,
        exact: true,
    }
}

/// iFUB on one component; `None` when the budget ran out first.
fn ifub(csr: &Csr, bfs: &mut Bfs, nodes: &[u32], known: u32, budget: &mut usize) -> Option<u32> {
    let mut run = |bfs: &mut Bfs, from: u32| -> Option<u32> {
        *budget = budget.checked_sub(1)?;
        Some(bfs.run(csr, from))
    };
    let start = nodes
        .iter()
        .copied()
        .max_by_key(|&v| (csr.out_degree(v) + csr.in_degree(v), core::cmp::Reverse(v)))?;
    run(bfs, start)?;
    let a = bfs.farthest();
    let mut lower = run(bfs, a)?.max(known);
    // The middle of the a-b path is a good centre for iFUB.
    let b = bfs.farthest();
    let mut centre = b;
    for _ in 0..bfs.distance(b) / 2 {
        centre = bfs.parent[centre as usize];
    }
    let eccentricity = run(bfs, centre)?;
    lower = lower.max(eccentricity);
    let mut upper = 2 * eccentricity;
    let mut levels: Vec<Vec<u32>> = vec![Vec::new(); eccentricity as usize + 1];
    for &v in &bfs.order {
        levels[bfs.distance(v) as usize].push(v);
    }
    let mut level = eccentricity;
    while upper > lower && level > 0 {
        for &v in &levels[level as usize] {
            lower = lower.max(run(bfs, v)?);
            if lower >= upper {
                return Some(lower);
            }
        }
        upper = upper.min(2 * (level - 1)).max(lower);
        level -= 1;
    }
    Some(lower)
}

/// Undirected BFS with a generation stamp, so a run costs only what it visits.
struct Bfs {
    stamp: Vec<u32>,
    dist: Vec<u32>,
    parent: Vec<u32>,
    order: Vec<u32>,
    generation: u32,
    best_seen: u32,
}

impl Bfs {
    fn new(n: usize) -> Self {
        Self {
            stamp: vec![0; n],
            dist: vec![0; n],
            parent: vec![0; n],
            order: Vec::new(),
            generation: 0,
            best_seen: 0,
        }
    }

    /// BFS from `from`; returns its eccentricity within its component.
    fn run(&mut self, csr: &Csr, from: u32) -> u32 {
        if self.generation == u32::MAX {
            self.stamp.fill(0);
            self.generation = 0;
        }
        self.generation += 1;
        let generation = self.generation;
        self.order.clear();
        self.order.push(from);
        self.stamp[from as usize] = generation;
        self.dist[from as usize] = 0;
        self.parent[from as usize] = from;
        let mut head = 0;
        while let Some(&v) = self.order.get(head) {
            head += 1;
            let next = self.dist[v as usize] + 1;
            let (a, b) = csr.neighbor_slices(v, Direction::Both);
            for &w in a.iter().chain(b) {
                let wi = w as usize;
                if self.stamp[wi] != generation {
                    self.stamp[wi] = generation;
                    self.dist[wi] = next;
                    self.parent[wi] = v;
                    self.order.push(w);
                }
            }
        }
        let eccentricity = self.distance(self.farthest());
        self.best_seen = self.best_seen.max(eccentricity);
        eccentricity
    }

    /// The last node reached by the latest run (one of the farthest).
    fn farthest(&self) -> u32 {
        self.order.last().copied().unwrap_or(0)
    }

    fn distance(&self, v: u32) -> u32 {
        self.dist[v as usize]
    }
}
