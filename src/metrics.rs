//! [`GraphMetrics`]: the counters behind `graph.metrics()`.

use knowledge_graph_storage::IoStats;

/// A snapshot of a graph's counters, taken by [`Graph::metrics`](crate::Graph::metrics).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct GraphMetrics {
    /// Live nodes.
    pub node_count: usize,
    /// Live edges.
    pub edge_count: usize,
    /// Property reads served from the record cache.
    pub cache_hits: u64,
    /// Property reads that went to storage.
    pub cache_misses: u64,
    /// Records currently cached.
    pub cached_records: usize,
    /// Secondary-index entries held in memory (as many as are stored).
    pub index_entries: usize,
    /// Property columns kept for node queries.
    pub query_columns: usize,
    /// The storage backend's read and write counters.
    pub io: IoStats,
    /// Open transactions, including commits in progress.
    pub active_transactions: usize,
    /// Commits that succeeded.
    pub commits: u64,
    /// Batches and transactions that were rolled back or failed.
    pub rollbacks: u64,
    /// Damaged records dropped by `repair_on_open` when the graph was opened.
    pub repaired_records: u64,
    /// Bytes the storage occupies on disk.
    pub disk_usage_bytes: u64,
    /// Bytes held by the in-memory topology (ids, labels, adjacency).
    pub topology_bytes: u64,
}

impl GraphMetrics {
    /// Share of property reads served from the cache, 0.0 to 1.0 (0.0 before any read).
    pub fn cache_hit_rate(&self) -> f64 {
        let total = self.cache_hits + self.cache_misses;
        if total == 0 {
            0.0
        } else {
            self.cache_hits as f64 / total as f64
        }
    }

    /// Live nodes.
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// Live edges.
    pub fn edge_count(&self) -> usize {
        self.edge_count
    }

    /// The storage backend's read and write counters.
    pub fn io_stats(&self) -> IoStats {
        self.io
    }

    /// Open transactions, including commits in progress.
    pub fn active_transactions(&self) -> usize {
        self.active_transactions
    }

    /// Disk usage in mebibytes.
    pub fn disk_usage_mb(&self) -> f64 {
        self.disk_usage_bytes as f64 / (1024.0 * 1024.0)
    }
}
