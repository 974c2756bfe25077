//! Process-wide operational telemetry behind `maya-cli serve`'s `/metrics`:
//! read and write latency histograms, operation counters and backup outcomes.
//!
//! One registry per process (like a Prometheus client's default registry), so
//! code that has no graph at hand — a backup job, say — can still report:
//!
//! ```
//! knowledge_graph::telemetry::record_backup(true);
//! let now = knowledge_graph::telemetry::snapshot();
//! # #[cfg(not(target_arch = "wasm32"))]
//! assert!(now.backup_success >= 1);
//! ```
//!
//! Cost: every commit is timed (one clock read on each side of it). Reads are
//! counted in a thread-local and published to the shared counters every
//! [`READ_SAMPLE`] calls, and one read in [`READ_SAMPLE`] is timed, so a read
//! costs a thread-local increment and the histogram holds a sample. Read
//! counts are therefore up to `READ_SAMPLE - 1` behind per thread.
//!
//! Without `std`, and in WebAssembly (no monotonic clock there), every hook
//! compiles to nothing and [`snapshot`] reports zeros.

/// Upper bounds (seconds) of the latency histogram buckets; `+Inf` is implied.
pub const LATENCY_BUCKETS: [f64; 16] = [
    0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005,
    0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

/// One read in this many is timed for the read latency histogram.
pub const READ_SAMPLE: u32 = 16;

/// The kinds of API-level reads that are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadOp {
    /// `get_node`, `get_nodes`, `get_nodes_by_ids`.
    GetNode,
    /// `get_edge`, `get_edges`.
    GetEdge,
    /// `get_node_edges`, `get_edges_to`.
    Neighbors,
    /// `query_nodes`, `query_edges`.
    Query,
}

impl ReadOp {
    /// Every kind, in the order of [`TelemetrySnapshot::reads`].
    pub const ALL: [ReadOp; 4] = [
        ReadOp::GetNode,
        ReadOp::GetEdge,
        ReadOp::Neighbors,
        ReadOp::Query,
    ];

    /// The `op` label value in `maya_operations_total`.
    pub fn name(self) -> &'static str {
        match self {
            ReadOp::GetNode => "get_node",
            ReadOp::GetEdge => "get_edge",
            ReadOp::Neighbors => "neighbors",
            ReadOp::Query => "query",
        }
    }
}

/// The kinds of write operations counted per commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteOp {
    /// Node insertions.
    AddNode,
    /// Node property replacements.
    UpdateNode,
    /// Node removals.
    RemoveNode,
    /// Edge insertions.
    AddEdge,
    /// Edge removals.
    RemoveEdge,
    /// Index creations and drops.
    Index,
}

impl WriteOp {
    /// Every kind, in the order of [`TelemetrySnapshot::writes`].
    pub const ALL: [WriteOp; 6] = [
        WriteOp::AddNode,
        WriteOp::UpdateNode,
        WriteOp::RemoveNode,
        WriteOp::AddEdge,
        WriteOp::RemoveEdge,
        WriteOp::Index,
    ];

    /// The `op` label value in `maya_operations_total`.
    pub fn name(self) -> &'static str {
        match self {
            WriteOp::AddNode => "add_node",
            WriteOp::UpdateNode => "update_node",
            WriteOp::RemoveNode => "remove_node",
            WriteOp::AddEdge => "add_edge",
            WriteOp::RemoveEdge => "remove_edge",
            WriteOp::Index => "index",
        }
    }
}

/// A latency histogram as read at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HistogramSnapshot {
    /// Observations at or below each bound of [`LATENCY_BUCKETS`] (cumulative).
    pub buckets: [u64; LATENCY_BUCKETS.len()],
    /// Sum of the observations, in seconds.
    pub sum_seconds: f64,
    /// Number of observations.
    pub count: u64,
}

/// Everything the registry holds, read at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub struct TelemetrySnapshot {
    /// Sampled latencies of API-level reads.
    pub read_latency: HistogramSnapshot,
    /// Latencies of commits (every batch, transaction and single write).
    pub write_latency: HistogramSnapshot,
    /// Reads per [`ReadOp::ALL`] kind.
    pub reads: [u64; ReadOp::ALL.len()],
    /// Committed write operations per [`WriteOp::ALL`] kind.
    pub writes: [u64; WriteOp::ALL.len()],
    /// Backups that succeeded.
    pub backup_success: u64,
    /// Backups that failed.
    pub backup_failed: u64,
    /// When the last successful backup finished, seconds since the Unix epoch (0: never).
    pub backup_last_success_seconds: f64,
}

cfg_if::cfg_if! {
    if #[cfg(all(feature = "std", not(target_arch = "wasm32")))] {
        mod live;
        pub use live::{record_backup, snapshot};
        pub(crate) use live::{read, write};
    } else {
        mod off;
        pub use off::{record_backup, snapshot};
        pub(crate) use off::{read, write};
    }
}
