//! Louvain community detection and modularity on the undirected weighted view.
//!
//! A directed edge `u -> v` of weight `w` (1.0 when the CSR is unweighted)
//! adds `w` to the undirected pair `{u, v}`; parallel and antiparallel edges
//! therefore add up, and a self-loop adds `w` to the node's loop (counted twice
//! in its degree, as networkx does).

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

use super::undirected::Undirected;
use super::{AlgoError, Csr, SplitMix64};

/// Options of [`louvain`]; the defaults are networkx's `louvain_communities`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LouvainOptions {
    /// Resolution γ of the modularity (1.0); larger values favour smaller communities.
    pub resolution: f64,
    /// Seed of the [`SplitMix64`] generator that shuffles the node visiting order (0).
    pub seed: u64,
    /// Maximum number of aggregation levels (100, in practice unlimited).
    pub max_levels: usize,
    /// A level that raises modularity by at most this much ends the run (1e-7).
    pub threshold: f64,
}

impl Default for LouvainOptions {
    fn default() -> Self {
        Self {
            resolution: 1.0,
            seed: 0,
            max_levels: 100,
            threshold: 1e-7,
        }
    }
}

/// What [`louvain`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct LouvainResult {
    /// Community per node, dense in `0..count`, numbered in order of the lowest
    /// node index in each community.
    pub community: Vec<u32>,
    /// Number of communities.
    pub count: usize,
    /// Modularity of `community`, as [`modularity`] computes it.
    pub modularity: f64,
    /// Aggregation levels performed.
    pub levels: usize,
}

/// Louvain community detection (Blondel et al. 2008), following networkx's
/// `louvain_communities` on the undirected weighted view.
///
/// Each level shuffles the nodes once with the seeded generator and visits
/// them in that order, moving each to the neighbouring community with the
/// largest modularity gain (ties: the first neighbour community in adjacency
/// order); after that only nodes whose neighbour moved away from their
/// community are visited again (a queue, as in Leiden's fast local moving),
/// until no node moves. Communities are then merged into nodes of a new
/// graph. The run ends when a level moves nothing, improves modularity by at
/// most `threshold`, or `max_levels` is reached; then up to three polish
/// rounds move single nodes of the original graph and aggregate again.
///
/// # Arguments
/// * `csr` - the graph; its weights (if any) are the edge weights.
/// * `options` - see [`LouvainOptions`].
///
/// # Returns
/// Dense community ids and their modularity; a given seed gives the same
/// result on every platform. A graph without edges gives one community per node.
///
/// # Errors
/// * [`AlgoError::InvalidWeight`] for a negative, NaN or infinite weight;
/// * [`AlgoError::InvalidParameter`] if `resolution` or `threshold` is negative
///   or not finite.
///
/// # Complexity
/// O(m) for the first sweep of a level, then proportional to the
/// neighbourhoods of the nodes that move; a few levels on real-world graphs.
pub fn louvain(csr: &Csr, options: &LouvainOptions) -> Result<LouvainResult, AlgoError> {
    check_parameter("resolution", options.resolution)?;
    check_parameter("threshold", options.threshold)?;
    csr.check_weights()?;
    let n = csr.node_count();
    let original = Undirected::weighted(csr);
    let total_degree: f64 = (0..).take(n).map(|v| original.weighted_degree(v)).sum();
    // Super node of every original node at the current level.
    let mut assignment: Vec<u32> = (0..).take(n).collect();
    let mut levels = 0;
    if total_degree > 0.0 {
        let mut rng = SplitMix64::new(options.seed);
        let mut graph = original.clone();
        let mut current = aggregated_modularity(&graph, total_degree, options.resolution);
        for _round in 0..MAX_ROUNDS {
            while levels < options.max_levels {
                let Some(community) = one_level(&graph, total_degree, options, &mut rng, None)
                else {
                    break;
                };
                levels += 1;
                let (community, count) = renumber(community);
                for a in &mut assignment {
                    *a = community[*a as usize];
                }
                graph = aggregate(&graph, &community, count);
                let next = aggregated_modularity(&graph, total_degree, options.resolution);
                let gain = next - current;
                current = next;
                if gain <= options.threshold {
                    break;
                }
            }
            // Polish: move single nodes of the original graph between the final
            // communities; if that helps, aggregate again and go on.
            let Some(polished) = one_level(
                &original,
                total_degree,
                options,
                &mut rng,
                Some(&assignment),
            ) else {
                break;
            };
            let (polished, count) = renumber(polished);
            assignment = polished;
            graph = aggregate(&original, &assignment, count);
            let next = aggregated_modularity(&graph, total_degree, options.resolution);
            let gain = next - current;
            current = next;
            if gain <= options.threshold || levels >= options.max_levels {
                break;
            }
        }
    }
    let (community, count) = renumber(assignment);
    let modularity = partition_modularity(&original, &community, count, options.resolution);
    Ok(LouvainResult {
        community,
        count,
        modularity,
        levels,
    })
}

/// Modularity of a partition of the undirected weighted view, as networkx's
/// `community.modularity` on an undirected graph:
/// `Q = Σ_c [ L_c / m − γ · (d_c / 2m)² ]`, with `m` the total edge weight,
/// `L_c` the weight inside community `c` (a self-loop counted once) and `d_c`
/// the sum of its weighted degrees.
///
/// # Arguments
/// * `community` - any label per node; equal labels mean the same community.
/// * `resolution` - γ.
///
/// # Returns
/// The modularity; 0 for a graph without edges (where networkx divides by zero).
///
/// # Errors
/// [`AlgoError::LengthMismatch`] if `community` does not have one entry per
/// node, [`AlgoError::InvalidWeight`] for a bad weight, and
/// [`AlgoError::InvalidParameter`] for a negative or non-finite resolution.
///
/// # Complexity
/// O(n log n + m).
pub fn modularity(csr: &Csr, community: &[u32], resolution: f64) -> Result<f64, AlgoError> {
    check_parameter("resolution", resolution)?;
    csr.check_weights()?;
    let n = csr.node_count();
    if community.len() != n {
        return Err(AlgoError::LengthMismatch {
            what: "community",
            expected: n,
            found: community.len(),
        });
    }
    let mut labels = community.to_vec();
    labels.sort_unstable();
    labels.dedup();
    let dense: Vec<u32> = community
        .iter()
        .map(|c| u32::try_from(labels.binary_search(c).unwrap_or(0)).unwrap_or(u32::MAX))
        .collect();
    Ok(partition_modularity(
        &Undirected::weighted(csr),
        &dense,
        labels.len(),
        resolution,
    ))
}

fn check_parameter(name: &'static str, value: f64) -> Result<(), AlgoError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(AlgoError::InvalidParameter { name, value })
    }
}

/// Modularity of dense labels `0..count` on `graph`.
fn partition_modularity(
    graph: &Undirected,
    community: &[u32],
    count: usize,
    resolution: f64,
) -> f64 {
    let mut inside = vec![0.0; count];
    let mut degree = vec![0.0; count];
    let mut total_degree = 0.0;
    for (u, &c) in (0..).zip(community) {
        let c = c as usize;
        inside[c] += graph.loop_weight(u);
        let d = graph.weighted_degree(u);
        degree[c] += d;
        total_degree += d;
        for (&v, &w) in graph.neighbors(u).iter().zip(graph.weights(u)) {
            if u < v && community[v as usize] as usize == c {
                inside[c] += w;
            }
        }
    }
    modularity_terms(&inside, &degree, total_degree, resolution)
}

/// Modularity of the partition whose communities are the nodes of `graph`.
fn aggregated_modularity(graph: &Undirected, total_degree: f64, resolution: f64) -> f64 {
    let nodes = (0..).take(graph.node_count());
    let inside: Vec<f64> = nodes.clone().map(|c| graph.loop_weight(c)).collect();
    let degree: Vec<f64> = nodes.map(|c| graph.weighted_degree(c)).collect();
    modularity_terms(&inside, &degree, total_degree, resolution)
}

fn modularity_terms(inside: &[f64], degree: &[f64], total_degree: f64, resolution: f64) -> f64 {
    if total_degree <= 0.0 {
        return 0.0;
    }
    let m = total_degree / 2.0;
    inside
        .iter()
        .zip(degree)
        .map(|(&l, &d)| {
            let share = d / total_degree;
            l / m - resolution * share * share
        })
        .sum()
}

/// Rounds of "Louvain levels, then polish on the original graph".
const MAX_ROUNDS: usize = 3;

/// One level of local moving, from singletons or from `initial` (dense labels);
/// `None` when no node moved.
fn one_level(
    graph: &Undirected,
    total_degree: f64,
    options: &LouvainOptions,
    rng: &mut SplitMix64,
    initial: Option<&[u32]>,
) -> Option<Vec<u32>> {
    let n = graph.node_count();
    let m = total_degree / 2.0;
    // networkx's gain: Δ = w_c / m − γ·tot_c·k / (2m²), relative to staying alone.
    let scale = options.resolution / (2.0 * m * m);
    let degree: Vec<f64> = (0..).take(n).map(|v| graph.weighted_degree(v)).collect();
    let mut community: Vec<u32> = initial.map_or_else(|| (0..).take(n).collect(), <[u32]>::to_vec);
    let mut total = vec![0.0; n];
    for (&c, &k) in community.iter().zip(&degree) {
        total[c as usize] += k;
    }
    let mut order: Vec<u32> = (0..).take(n).collect();
    rng.shuffle(&mut order);
    let mut link = vec![0.0; n];
    let mut seen = vec![false; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut moved_any = false;
    // Every node once in shuffled order, then only nodes whose neighbourhood
    // changed (a neighbour moved away from their community): the pruned local
    // moving of Traag et al. (Leiden), which skips the long tail of passes
    // that revisit settled nodes.
    let mut queue: VecDeque<u32> = order.iter().copied().collect();
    let mut queued = vec![true; n];
    while let Some(u) = queue.pop_front() {
        queued[u as usize] = false;
        let own = community[u as usize];
        let k = degree[u as usize];
        for (&v, &w) in graph.neighbors(u).iter().zip(graph.weights(u)) {
            let c = community[v as usize];
            if !seen[c as usize] {
                seen[c as usize] = true;
                link[c as usize] = 0.0;
                touched.push(c);
            }
            link[c as usize] += w;
        }
        total[own as usize] -= k;
        let own_link = if seen[own as usize] {
            link[own as usize]
        } else {
            0.0
        };
        let remove_cost = -own_link / m + scale * total[own as usize] * k;
        let mut best = own;
        // Moves must gain more than the threshold, so the queue drains.
        let mut best_gain = options.threshold * 1e-3;
        for &c in &touched {
            let gain = remove_cost + link[c as usize] / m - scale * total[c as usize] * k;
            if gain > best_gain {
                best_gain = gain;
                best = c;
            }
        }
        total[best as usize] += k;
        for &c in &touched {
            seen[c as usize] = false;
        }
        touched.clear();
        if best != own {
            community[u as usize] = best;
            moved_any = true;
            for &v in graph.neighbors(u) {
                if !queued[v as usize] && community[v as usize] != best {
                    queued[v as usize] = true;
                    queue.push_back(v);
                }
            }
        }
    }
    moved_any.then_some(community)
}

/// Renumbers labels densely in order of first appearance.
pub(super) fn renumber(mut labels: Vec<u32>) -> (Vec<u32>, usize) {
    let mut dense = vec![u32::MAX; labels.len()];
    let mut count = 0u32;
    for label in &mut labels {
        let slot = &mut dense[*label as usize];
        if *slot == u32::MAX {
            *slot = count;
            count += 1;
        }
        *label = *slot;
    }
    (labels, count as usize)
}

/// The graph whose nodes are the communities (dense `0..count`) of `graph`.
fn aggregate(graph: &Undirected, community: &[u32], count: usize) -> Undirected {
    let n = graph.node_count();
    // Members of each community, in node order (counting sort).
    let mut start = vec![0usize; count + 1];
    for &c in community {
        start[c as usize + 1] += 1;
    }
    for c in 0..count {
        start[c + 1] += start[c];
    }
    let mut members = vec![0u32; n];
    let mut fill = start.clone();
    for (v, &c) in (0..).zip(community) {
        members[fill[c as usize]] = v;
        fill[c as usize] += 1;
    }
    let mut bounds = Vec::with_capacity(count + 1);
    bounds.push(0);
    let mut neighbors = Vec::new();
    let mut weights = Vec::new();
    let mut loops = vec![0.0; count];
    for c in 0..count {
        for &u in &members[start[c]..start[c + 1]] {
            loops[c] += graph.loop_weight(u);
            for (&v, &w) in graph.neighbors(u).iter().zip(graph.weights(u)) {
                let cv = community[v as usize];
                if cv as usize == c {
                    // Each inside pair is listed at both ends: count it once.
                    if u < v {
                        loops[c] += w;
                    }
                } else {
                    neighbors.push(cv);
                    weights.push(w);
                }
            }
        }
        bounds.push(neighbors.len());
    }
    Undirected::from_lists(count, &bounds, neighbors, weights, loops)
}
