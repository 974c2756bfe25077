//! Graph algorithms over a compact, read-only CSR view of the topology.
//!
//! The graph core filters its in-memory adjacency (by node and edge labels),
//! numbers the remaining nodes densely `0..n`, builds a [`Csr`] with
//! [`Csr::from_edges`], runs a free function from this module and maps the
//! dense indices in the result back to node ids. Everything here is `no_std` +
//! `alloc`, index-based and free of hash-map iteration, so a given input gives
//! bit-identical results natively and in wasm32; the only randomness is the
//! documented [`SplitMix64`] generator, seeded by the caller.
//!
//! ```
//! use knowledge_graph::algo::{pagerank, weakly_connected_components, Csr, PageRankOptions};
//! let csr = Csr::from_edges(3, &[(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)], false);
//! let ranks = pagerank(&csr, &PageRankOptions::default()).unwrap().ranks;
//! assert!((ranks[0] - 1.0 / 3.0).abs() < 1e-9);
//! assert_eq!(weakly_connected_components(&csr).count, 1);
//! ```

mod components;
mod csr;
mod error;
mod louvain;
mod metrics;
mod pagerank;
mod paths;
mod rng;
mod structure;
mod undirected;

// proptest is a native-only dev-dependency (see Cargo.toml).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use components::{strongly_connected_components, weakly_connected_components, Components};
pub use csr::Csr;
pub use error::AlgoError;
pub use louvain::{louvain, modularity, LouvainOptions, LouvainResult};
pub use metrics::{avg_degree, degrees, density, diameter, Diameter, DiameterOptions};
pub use pagerank::{pagerank, PageRankOptions, PageRankResult};
pub use paths::{bfs_distances, bfs_shortest_path, dijkstra, dijkstra_distances, ShortestPaths};
pub use rng::SplitMix64;
pub use structure::{clustering_coefficient, k_core, triangle_count};

pub use crate::traverse::Direction;
