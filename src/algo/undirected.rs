//! Undirected views of a [`Csr`], for the algorithms defined on undirected graphs.

use alloc::vec;
use alloc::vec::Vec;

use super::Csr;

/// An undirected graph with merged neighbour lists.
///
/// Each unordered pair `{u, v}` (u ≠ v) appears once in `u`'s list and once in
/// `v`'s; self-loops are kept apart in `loops`. In the weighted view every
/// directed edge `u -> v` of the CSR adds its weight (1.0 when unweighted) to
/// the pair; the simple view keeps no weights and drops self-loops.
#[derive(Debug, Clone)]
pub(crate) struct Undirected {
    offsets: Vec<usize>,
    neighbors: Vec<u32>,
    /// Aligned with `neighbors`; empty in the simple view.
    weights: Vec<f64>,
    /// Self-loop weight per node; empty in the simple view.
    loops: Vec<f64>,
}

impl Undirected {
    /// Unweighted, deduplicated, without self-loops (networkx's `Graph` of the edges).
    pub(crate) fn simple(csr: &Csr) -> Self {
        Self::build(csr, false)
    }

    /// Weighted: parallel and antiparallel edges add up, self-loops kept.
    pub(crate) fn weighted(csr: &Csr) -> Self {
        Self::build(csr, true)
    }

    fn build(csr: &Csr, weighted: bool) -> Self {
        let n = csr.node_count();
        let mut counts = vec![0usize; n + 1];
        for v in (0..).take(n) {
            for &t in csr.out_neighbors(v) {
                if t != v {
                    counts[v as usize + 1] += 1;
                    counts[t as usize + 1] += 1;
                }
            }
        }
        for v in 0..n {
            counts[v + 1] += counts[v];
        }
        let total = counts[n];
        let mut neighbors = vec![0u32; total];
        let mut weights = if weighted {
            vec![0.0; total]
        } else {
            Vec::new()
        };
        let mut loops = if weighted { vec![0.0; n] } else { Vec::new() };
        let mut next = counts[..n].to_vec();
        for v in (0..).take(n) {
            csr.for_each_edge(v, super::Direction::Outgoing, |t, w| {
                if t == v {
                    if weighted {
                        loops[v as usize] += w;
                    }
                    return;
                }
                for (a, b) in [(v, t), (t, v)] {
                    let slot = next[a as usize];
                    next[a as usize] += 1;
                    neighbors[slot] = b;
                    if weighted {
                        weights[slot] = w;
                    }
                }
            });
        }
        let (offsets, neighbors, weights) = merge_duplicates(n, &counts, neighbors, weights);
        Self {
            offsets,
            neighbors,
            weights,
            loops,
        }
    }

    /// Builds from per-node lists that may repeat neighbours; see [`merge_duplicates`].
    pub(crate) fn from_lists(
        node_count: usize,
        bounds: &[usize],
        neighbors: Vec<u32>,
        weights: Vec<f64>,
        loops: Vec<f64>,
    ) -> Self {
        let (offsets, neighbors, weights) =
            merge_duplicates(node_count, bounds, neighbors, weights);
        Self {
            offsets,
            neighbors,
            weights,
            loops,
        }
    }

    pub(crate) fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    pub(crate) fn neighbors(&self, v: u32) -> &[u32] {
        &self.neighbors[self.offsets[v as usize]..self.offsets[v as usize + 1]]
    }

    /// Weights aligned with [`neighbors`](Self::neighbors) (weighted view only).
    pub(crate) fn weights(&self, v: u32) -> &[f64] {
        &self.weights[self.offsets[v as usize]..self.offsets[v as usize + 1]]
    }

    /// Self-loop weight of `v` (weighted view only).
    pub(crate) fn loop_weight(&self, v: u32) -> f64 {
        self.loops[v as usize]
    }

    /// Number of distinct neighbours of `v` (excluding `v`).
    pub(crate) fn degree(&self, v: u32) -> usize {
        self.offsets[v as usize + 1] - self.offsets[v as usize]
    }

    /// Weighted degree: pair weights plus twice the self-loop (networkx's convention).
    pub(crate) fn weighted_degree(&self, v: u32) -> f64 {
        self.weights(v).iter().sum::<f64>() + 2.0 * self.loop_weight(v)
    }
}

/// Merges repeated neighbours within each node's list `bounds[v]..bounds[v + 1]`,
/// adding their weights (if any) and keeping first-appearance order; compacts
/// in place and returns the new offsets.
///
/// O(total length) with one marker array of `node_count` entries.
fn merge_duplicates(
    node_count: usize,
    bounds: &[usize],
    mut neighbors: Vec<u32>,
    mut weights: Vec<f64>,
) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
    let weighted = !weights.is_empty();
    let mut slot_of = vec![usize::MAX; node_count];
    let mut offsets = Vec::with_capacity(node_count + 1);
    offsets.push(0);
    let mut write = 0;
    for v in 0..node_count {
        let start = write;
        for read in bounds[v]..bounds[v + 1] {
            let t = neighbors[read] as usize;
            if slot_of[t] == usize::MAX {
                slot_of[t] = write;
                neighbors[write] = neighbors[read];
                if weighted {
                    weights[write] = weights[read];
                }
                write += 1;
            } else if weighted {
                weights[slot_of[t]] += weights[read];
            }
        }
        for &t in &neighbors[start..write] {
            slot_of[t as usize] = usize::MAX;
        }
        offsets.push(write);
    }
    neighbors.truncate(write);
    neighbors.shrink_to_fit();
    if weighted {
        weights.truncate(write);
        weights.shrink_to_fit();
    }
    (offsets, neighbors, weights)
}
