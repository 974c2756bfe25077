//! [`Csr`]: the compact, read-only adjacency every algorithm runs on.

use alloc::vec;
use alloc::vec::Vec;

use super::{AlgoError, Direction};

/// A directed graph in compressed sparse row form, with out- and in-adjacency.
///
/// Nodes are dense indices `0..node_count`. Edges keep their multiplicity:
/// parallel edges and self-loops are stored as given, and each algorithm
/// documents how it treats them. Neighbour lists are ordered by the position of
/// the edge in the input list, so results never depend on hashing.
#[derive(Debug, Clone)]
pub struct Csr {
    out_offsets: Vec<usize>,
    out_targets: Vec<u32>,
    out_weights: Option<Vec<f64>>,
    in_offsets: Vec<usize>,
    in_sources: Vec<u32>,
    in_weights: Option<Vec<f64>>,
    invalid_weight: Option<AlgoError>,
}

impl Csr {
    /// Builds the CSR from `(source, target, weight)` triples.
    ///
    /// # Arguments
    /// * `node_count` - number of nodes; every index must be below it.
    /// * `edges` - the edges; parallel edges and self-loops are kept.
    /// * `weighted` - keep the weights; if `false` they are ignored and every
    ///   algorithm uses 1.0.
    ///
    /// # Returns
    /// The CSR. A negative, NaN or infinite weight is not rejected here: it is
    /// remembered and reported by the algorithms that read weights.
    ///
    /// # Panics
    /// If an index is `>= node_count` or `node_count` does not fit in a `u32`.
    ///
    /// # Complexity
    /// O(n + m) time and memory: two counting sorts.
    #[must_use]
    pub fn from_edges(node_count: usize, edges: &[(u32, u32, f64)], weighted: bool) -> Self {
        assert!(
            u32::try_from(node_count).is_ok(),
            "node count {node_count} does not fit in u32"
        );
        let mut out_offsets = vec![0usize; node_count + 1];
        let mut in_offsets = vec![0usize; node_count + 1];
        let mut invalid_weight = None;
        for (edge, &(source, target, weight)) in edges.iter().enumerate() {
            assert!(
                (source as usize) < node_count && (target as usize) < node_count,
                "edge {edge} ({source} -> {target}) refers to a node >= node count {node_count}"
            );
            out_offsets[source as usize + 1] += 1;
            in_offsets[target as usize + 1] += 1;
            if weighted && invalid_weight.is_none() && !(weight.is_finite() && weight >= 0.0) {
                invalid_weight = Some(AlgoError::InvalidWeight {
                    edge,
                    source,
                    target,
                    weight,
                });
            }
        }
        for v in 0..node_count {
            out_offsets[v + 1] += out_offsets[v];
            in_offsets[v + 1] += in_offsets[v];
        }
        let m = edges.len();
        let mut out_targets = vec![0u32; m];
        let mut in_sources = vec![0u32; m];
        let mut out_weights = if weighted { vec![0.0; m] } else { Vec::new() };
        let mut in_weights = if weighted { vec![0.0; m] } else { Vec::new() };
        let mut out_next = out_offsets[..node_count].to_vec();
        let mut in_next = in_offsets[..node_count].to_vec();
        for &(source, target, weight) in edges {
            let o = out_next[source as usize];
            out_next[source as usize] += 1;
            out_targets[o] = target;
            let i = in_next[target as usize];
            in_next[target as usize] += 1;
            in_sources[i] = source;
            if weighted {
                out_weights[o] = weight;
                in_weights[i] = weight;
            }
        }
        Self {
            out_offsets,
            out_targets,
            out_weights: weighted.then_some(out_weights),
            in_offsets,
            in_sources,
            in_weights: weighted.then_some(in_weights),
            invalid_weight,
        }
    }

    /// Number of nodes.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.out_offsets.len() - 1
    }

    /// Number of edges, counting parallel edges and self-loops.
    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.out_targets.len()
    }

    /// Whether the CSR keeps edge weights.
    #[must_use]
    pub fn is_weighted(&self) -> bool {
        self.out_weights.is_some()
    }

    /// Targets of the edges leaving `v`.
    ///
    /// # Panics
    /// If `v >= node_count`.
    #[must_use]
    pub fn out_neighbors(&self, v: u32) -> &[u32] {
        let v = v as usize;
        &self.out_targets[self.out_offsets[v]..self.out_offsets[v + 1]]
    }

    /// Sources of the edges entering `v`.
    ///
    /// # Panics
    /// If `v >= node_count`.
    #[must_use]
    pub fn in_neighbors(&self, v: u32) -> &[u32] {
        let v = v as usize;
        &self.in_sources[self.in_offsets[v]..self.in_offsets[v + 1]]
    }

    /// Weights of the edges leaving `v`, aligned with [`out_neighbors`](Self::out_neighbors);
    /// `None` for an unweighted CSR.
    #[must_use]
    pub fn out_weights(&self, v: u32) -> Option<&[f64]> {
        let v = v as usize;
        let range = self.out_offsets[v]..self.out_offsets[v + 1];
        self.out_weights.as_ref().map(|w| &w[range])
    }

    /// Weights of the edges entering `v`, aligned with [`in_neighbors`](Self::in_neighbors);
    /// `None` for an unweighted CSR.
    #[must_use]
    pub fn in_weights(&self, v: u32) -> Option<&[f64]> {
        let v = v as usize;
        let range = self.in_offsets[v]..self.in_offsets[v + 1];
        self.in_weights.as_ref().map(|w| &w[range])
    }

    /// Out-degree of `v` (parallel edges and self-loops each count once).
    #[must_use]
    pub fn out_degree(&self, v: u32) -> usize {
        self.out_offsets[v as usize + 1] - self.out_offsets[v as usize]
    }

    /// In-degree of `v` (parallel edges and self-loops each count once).
    #[must_use]
    pub fn in_degree(&self, v: u32) -> usize {
        self.in_offsets[v as usize + 1] - self.in_offsets[v as usize]
    }

    /// Calls `f(neighbour, weight)` for every edge of `v` in `direction`
    /// (out-edges first for [`Direction::Both`]); the weight is 1.0 when unweighted.
    #[inline]
    pub(crate) fn for_each_edge(&self, v: u32, direction: Direction, mut f: impl FnMut(u32, f64)) {
        if direction != Direction::Incoming {
            visit(self.out_neighbors(v), self.out_weights(v), &mut f);
        }
        if direction != Direction::Outgoing {
            visit(self.in_neighbors(v), self.in_weights(v), &mut f);
        }
    }

    /// The neighbour slices of `v` in `direction`: (first, second), second empty unless `Both`.
    #[inline]
    pub(crate) fn neighbor_slices(&self, v: u32, direction: Direction) -> (&[u32], &[u32]) {
        match direction {
            Direction::Outgoing => (self.out_neighbors(v), &[]),
            Direction::Incoming => (self.in_neighbors(v), &[]),
            Direction::Both => (self.out_neighbors(v), self.in_neighbors(v)),
        }
    }

    /// The first invalid weight seen while building, if the CSR is weighted.
    pub(crate) fn check_weights(&self) -> Result<(), AlgoError> {
        self.invalid_weight.clone().map_or(Ok(()), Err)
    }
}

#[inline]
fn visit(targets: &[u32], weights: Option<&[f64]>, f: &mut impl FnMut(u32, f64)) {
    match weights {
        Some(weights) => {
            for (&t, &w) in targets.iter().zip(weights) {
                f(t, w);
            }
        }
        None => {
            for &t in targets {
                f(t, 1.0);
            }
        }
    }
}
