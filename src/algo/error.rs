//! The one error type of the algorithms module.

use core::fmt;

/// Why an algorithm refused its input.
///
/// Messages are lowercase and name the offending edge, node or parameter.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AlgoError {
    /// An edge weight is negative, NaN or infinite, in an algorithm that reads weights.
    InvalidWeight {
        /// Position of the edge in the list given to [`Csr::from_edges`](super::Csr::from_edges).
        edge: usize,
        /// Dense index of the edge's source node.
        source: u32,
        /// Dense index of the edge's target node.
        target: u32,
        /// The offending weight.
        weight: f64,
    },
    /// A per-node vector (personalization, community assignment) has the wrong length.
    LengthMismatch {
        /// Which argument.
        what: &'static str,
        /// The node count of the graph.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// A personalization entry is negative, NaN or infinite.
    InvalidPersonalization {
        /// Dense index of the node.
        node: u32,
        /// The offending value.
        value: f64,
    },
    /// The personalization vector sums to zero.
    ZeroPersonalization,
    /// A numeric option is out of its documented range.
    InvalidParameter {
        /// The option's name.
        name: &'static str,
        /// The value given.
        value: f64,
    },
}

impl fmt::Display for AlgoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidWeight {
                edge,
                source,
                target,
                weight,
            } => write!(
                f,
                "invalid weight {weight} on edge {edge} ({source} -> {target}): weights must be finite and non-negative"
            ),
            Self::LengthMismatch {
                what,
                expected,
                found,
            } => write!(
                f,
                "{what} has {found} entries but the graph has {expected} nodes"
            ),
            Self::InvalidPersonalization { node, value } => write!(
                f,
                "invalid personalization {value} for node {node}: values must be finite and non-negative"
            ),
            Self::ZeroPersonalization => {
                f.write_str("personalization vector sums to zero: at least one entry must be positive")
            }
            Self::InvalidParameter { name, value } => {
                write!(f, "invalid value {value} for option `{name}`")
            }
        }
    }
}

impl core::error::Error for AlgoError {}
