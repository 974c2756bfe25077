//! Local structure on the undirected simple view: triangles, clustering, k-cores.
//!
//! These algorithms ignore direction, multiplicity and self-loops: `u` and `v`
//! are adjacent when at least one edge joins them, as in the networkx `Graph`
//! built from the edges (directed graphs go through `to_undirected()` first).

use alloc::vec;
use alloc::vec::Vec;

use super::pagerank::count_as_f64;
use super::undirected::Undirected;
use super::Csr;

/// Triangles of the undirected simple view.
///
/// # Returns
/// `(total, per_node)`: the number of distinct triangles, and for each node the
/// number of triangles it belongs to (networkx `triangles`; their sum is `3 × total`).
///
/// # Complexity
/// O(m·√m): edges are oriented from lower to higher (degree, index) rank and
/// each node intersects its higher-ranked neighbours.
#[must_use]
pub fn triangle_count(csr: &Csr) -> (u64, Vec<u64>) {
    triangles(&Undirected::simple(csr))
}

pub(crate) fn triangles(graph: &Undirected) -> (u64, Vec<u64>) {
    let n = graph.node_count();
    let ranks_before = |a: u32, b: u32| (graph.degree(a), a) < (graph.degree(b), b);
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0);
    let mut higher = Vec::new();
    for v in (0..).take(n) {
        higher.extend(
            graph
                .neighbors(v)
                .iter()
                .copied()
                .filter(|&w| ranks_before(v, w)),
        );
        offsets.push(higher.len());
    }
    let higher_of = |v: u32| &higher[offsets[v as usize]..offsets[v as usize + 1]];
    let mut per_node = vec![0u64; n];
    let mut mark = vec![u32::MAX; n];
    let mut total = 0;
    for u in (0..).take(n) {
        for &v in higher_of(u) {
            mark[v as usize] = u;
        }
        for &v in higher_of(u) {
            for &w in higher_of(v) {
                if mark[w as usize] == u {
                    total += 1;
                    per_node[u as usize] += 1;
                    per_node[v as usize] += 1;
                    per_node[w as usize] += 1;
                }
            }
        }
    }
    (total, per_node)
}

/// Local clustering coefficient of the undirected simple view.
///
/// # Returns
/// `(average, per_node)`: `per_node[v] = 2·T(v) / (d(v)·(d(v) − 1))`, 0 when
/// `d(v) < 2` (networkx `clustering`), and their mean over all nodes (networkx
/// `average_clustering`; 0 for an empty graph, where networkx raises).
///
/// # Complexity
/// As [`triangle_count`].
#[must_use]
pub fn clustering_coefficient(csr: &Csr) -> (f64, Vec<f64>) {
    let graph = Undirected::simple(csr);
    let (_, triangles) = triangles(&graph);
    let per_node: Vec<f64> = (0..)
        .zip(&triangles)
        .map(|(v, &t)| {
            let d = count_as_f64(graph.degree(v));
            if t == 0 {
                0.0
            } else {
                #[allow(clippy::cast_precision_loss)]
                let t = t as f64;
                2.0 * t / (d * (d - 1.0))
            }
        })
        .collect();
    let average = if per_node.is_empty() {
        0.0
    } else {
        per_node.iter().sum::<f64>() / count_as_f64(per_node.len())
    };
    (average, per_node)
}

/// Core number of every node of the undirected simple view (networkx
/// `core_number`, except that self-loops are ignored instead of rejected).
///
/// # Returns
/// `core[v]`: the largest `k` such that `v` is in a subgraph where every node
/// has at least `k` neighbours.
///
/// # Complexity
/// O(n + m): Batagelj–Zaveršnik bucket peeling.
#[must_use]
pub fn k_core(csr: &Csr) -> Vec<u32> {
    let graph = Undirected::simple(csr);
    let n = graph.node_count();
    let mut degree: Vec<usize> = (0..).take(n).map(|v| graph.degree(v)).collect();
    let max_degree = degree.iter().copied().max().unwrap_or(0);
    // Nodes sorted by degree (counting sort); `start[d]` = first position of degree d.
    let mut start = vec![0usize; max_degree + 2];
    for &d in &degree {
        start[d + 1] += 1;
    }
    for d in 0..=max_degree {
        start[d + 1] += start[d];
    }
    let mut order = vec![0u32; n];
    let mut position = vec![0usize; n];
    let mut fill = start.clone();
    for (v, &d) in (0..).zip(&degree) {
        position[v as usize] = fill[d];
        order[fill[d]] = v;
        fill[d] += 1;
    }
    for i in 0..n {
        let v = order[i];
        let dv = degree[v as usize];
        for &w in graph.neighbors(v) {
            let wi = w as usize;
            let dw = degree[wi];
            if dw > dv {
                // Move w to the front of its bucket, then shrink its degree by one.
                let front = start[dw];
                let u = order[front];
                if u != w {
                    order.swap(front, position[wi]);
                    position[u as usize] = position[wi];
                    position[wi] = front;
                }
                start[dw] += 1;
                degree[wi] -= 1;
            }
        }
    }
    degree
        .into_iter()
        .map(|d| u32::try_from(d).unwrap_or(u32::MAX))
        .collect()
}
