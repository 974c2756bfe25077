#![doc = include_str!("../README.md")]
#![no_std]
#![deny(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::alloc_instead_of_core
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod algo;
mod analytics;
#[cfg(all(feature = "sled", not(target_arch = "wasm32")))]
pub mod backup;
mod cache;
mod changelog;
mod clock;
mod columns;
mod commit;
mod derived;
mod error;
mod graph;
#[cfg(any(target_arch = "wasm32", feature = "interchange"))]
mod graphology;
mod index;
mod index_array;
mod integrity;
#[cfg(all(feature = "interchange", not(target_arch = "wasm32")))]
pub mod interchange;
mod metrics;
mod model;
mod out_lists;
pub mod query;
mod read;
mod record;
mod search;
pub mod snapshot;
mod sync;
pub mod telemetry;
mod topology;
mod traverse;
mod txn;
pub mod value;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use analytics::{
    Communities, ComponentMap, GraphStats, LouvainOptions, PageRank, PageRankOptions, Subgraph,
    WeightedPath,
};
pub use changelog::{Change, ChangeSet};
pub use error::{Error, Result};
pub use graph::{Graph, GraphOptions, GraphRead};
pub use index::{IndexInfo, RecordKind};
pub use integrity::{IntegrityProblem, IntegrityReport};
pub use knowledge_graph_memory::MemoryStorage;
pub use knowledge_graph_storage::{
    IoStats, Keyspace, Storage, StorageConfig, StorageError, WriteBatch,
};
pub use metrics::GraphMetrics;
pub use model::{Edge, EdgeId, Node};
pub use search::{Page, PlanStep, QueryPlan};
pub use topology::NodeIndex;
pub use traverse::{Direction, EdgeRef, Path, PathOptions, Traversal, Visited};
pub use txn::{Batch, OpQueue, Transaction};
pub use value::{from_value, to_value, Value};

#[cfg(all(feature = "sled", not(target_arch = "wasm32")))]
pub use knowledge_graph_sled::{Mode as SledMode, SledBuilder, SledStorage};

/// Drives one of this crate's futures to completion on the current thread.
///
/// The graph's `async` methods never wait for I/O readiness (their work is
/// synchronous underneath), so a synchronous caller needs no runtime:
///
/// ```
/// use knowledge_graph::{block_on, Graph, MemoryStorage};
/// let graph = Graph::new(MemoryStorage::new());
/// block_on(graph.add_node("user", "1", &["Alice"])).unwrap();
/// assert_eq!(block_on(graph.count_nodes()).unwrap(), 1);
/// ```
pub fn block_on<F: core::future::IntoFuture>(future: F) -> F::Output {
    use core::future::Future;
    use core::task::{Context, Poll, Waker};
    let mut cx = Context::from_waker(Waker::noop());
    let mut future = core::pin::pin!(future.into_future());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        core::hint::spin_loop();
    }
}
