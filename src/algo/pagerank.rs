//! PageRank with networkx semantics, by pull-based power iteration.

use alloc::vec;
use alloc::vec::Vec;

use super::{AlgoError, Csr};

/// Options of [`pagerank`]; the defaults are networkx's.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRankOptions {
    /// Probability of following an edge rather than teleporting (0.85).
    pub damping: f64,
    /// Iteration cap (100).
    pub max_iterations: usize,
    /// Convergence when the L1 change of one iteration is below `node_count * tolerance` (1e-6).
    pub tolerance: f64,
    /// Teleport (and dangling-redistribution) weight per node, normalised to sum
    /// to one; `None` means uniform.
    pub personalization: Option<Vec<f64>>,
    /// Use the CSR weights (ignored, i.e. 1.0 per edge, when the CSR is unweighted).
    pub weighted: bool,
}

impl Default for PageRankOptions {
    fn default() -> Self {
        Self {
            damping: 0.85,
            max_iterations: 100,
            tolerance: 1e-6,
            personalization: None,
            weighted: false,
        }
    }
}

/// What [`pagerank`] computed.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRankResult {
    /// Rank per node, summing to one.
    pub ranks: Vec<f64>,
    /// Iterations performed.
    pub iterations: usize,
    /// Whether the tolerance was reached within `max_iterations`; if not,
    /// `ranks` holds the last iterate (networkx raises instead).
    pub converged: bool,
}

/// PageRank of every node, matching networkx's `pagerank` on a `DiGraph`.
///
/// Each step computes `x' = d·(xA + s·p) + (1 − d)·p`, where `A` is the
/// adjacency with each row divided by the node's out-weight sum, `s` is the
/// rank held by dangling nodes (out-weight sum zero) and `p` the normalised
/// personalization (uniform by default); like networkx, dangling rank is
/// redistributed by `p`. Iteration stops when `Σ|x' − x| < n·tolerance`.
///
/// Parallel edges add their weights (networkx's `MultiDiGraph` behaviour; on a
/// `DiGraph` there are none); a self-loop is an ordinary edge back to the node.
///
/// # Arguments
/// * `csr` - the graph.
/// * `options` - see [`PageRankOptions`].
///
/// # Returns
/// Ranks, iterations and whether the run converged. An empty graph gives no ranks.
///
/// # Errors
/// * [`AlgoError::InvalidParameter`] if `damping` is outside `[0, 1]` or
///   `tolerance` is negative or not finite;
/// * [`AlgoError::LengthMismatch`], [`AlgoError::InvalidPersonalization`] or
///   [`AlgoError::ZeroPersonalization`] for a bad personalization vector;
/// * [`AlgoError::InvalidWeight`] when `weighted` and a weight is negative, NaN
///   or infinite.
///
/// # Complexity
/// O(n + m) per iteration: each node pulls from its in-neighbours.
pub fn pagerank(csr: &Csr, options: &PageRankOptions) -> Result<PageRankResult, AlgoError> {
    let n = csr.node_count();
    let damping = options.damping;
    if !(0.0..=1.0).contains(&damping) {
        return Err(AlgoError::InvalidParameter {
            name: "damping",
            value: damping,
        });
    }
    if !(options.tolerance.is_finite() && options.tolerance >= 0.0) {
        return Err(AlgoError::InvalidParameter {
            name: "tolerance",
            value: options.tolerance,
        });
    }
    let weighted = options.weighted && csr.is_weighted();
    if weighted {
        csr.check_weights()?;
    }
    let teleport = personalization(n, options.personalization.as_deref())?;
    if n == 0 {
        return Ok(PageRankResult {
            ranks: Vec::new(),
            iterations: 0,
            converged: true,
        });
    }

    // 1 / out-weight sum per node, 0 for dangling nodes.
    let mut inverse_out = vec![0.0; n];
    let mut dangling = Vec::new();
    for (v, inverse) in (0..).zip(inverse_out.iter_mut()) {
        let total: f64 = match csr.out_weights(v) {
            Some(weights) if weighted => weights.iter().sum(),
            _ => count_as_f64(csr.out_degree(v)),
        };
        if total > 0.0 {
            *inverse = 1.0 / total;
        } else {
            dangling.push(v);
        }
    }

    let tolerance = count_as_f64(n) * options.tolerance;
    let mut ranks = vec![1.0 / count_as_f64(n); n];
    let mut share = vec![0.0; n];
    let mut next = vec![0.0; n];
    for iteration in 1..=options.max_iterations {
        for ((s, &x), &inv) in share.iter_mut().zip(&ranks).zip(&inverse_out) {
            *s = x * inv;
        }
        let dangling_rank: f64 = dangling.iter().map(|&v| ranks[v as usize]).sum();
        let mut error = 0.0;
        for (v, out) in (0..).zip(next.iter_mut()) {
            let sources = csr.in_neighbors(v);
            let pulled: f64 = match csr.in_weights(v) {
                Some(weights) if weighted => sources
                    .iter()
                    .zip(weights)
                    .map(|(&u, &w)| share[u as usize] * w)
                    .sum(),
                _ => sources.iter().map(|&u| share[u as usize]).sum(),
            };
            let p = teleport
                .as_ref()
                .map_or(1.0 / count_as_f64(n), |t| t[v as usize]);
            let value = damping * (pulled + dangling_rank * p) + (1.0 - damping) * p;
            error += (value - ranks[v as usize]).abs();
            *out = value;
        }
        core::mem::swap(&mut ranks, &mut next);
        if error < tolerance {
            return Ok(PageRankResult {
                ranks,
                iterations: iteration,
                converged: true,
            });
        }
    }
    Ok(PageRankResult {
        ranks,
        iterations: options.max_iterations,
        converged: false,
    })
}

/// The personalization normalised to sum to one; `None` when uniform.
fn personalization(n: usize, given: Option<&[f64]>) -> Result<Option<Vec<f64>>, AlgoError> {
    let Some(given) = given else {
        return Ok(None);
    };
    if given.len() != n {
        return Err(AlgoError::LengthMismatch {
            what: "personalization",
            expected: n,
            found: given.len(),
        });
    }
    if let Some((node, &value)) = (0..)
        .zip(given)
        .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        return Err(AlgoError::InvalidPersonalization { node, value });
    }
    let total: f64 = given.iter().sum();
    if total <= 0.0 {
        return Err(AlgoError::ZeroPersonalization);
    }
    Ok(Some(given.iter().map(|v| v / total).collect()))
}

/// Node and edge counts as floats: exact below 2^53, far beyond any graph here.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn count_as_f64(count: usize) -> f64 {
    count as f64
}
