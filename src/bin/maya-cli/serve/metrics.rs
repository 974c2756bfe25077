//! `/metrics` in the Prometheus text exposition format (version 0.0.4).
//!
//! Everything here is O(1): counters, gauges kept by the graph, the storage's
//! size on disk and the telemetry histograms. Degree statistics and the
//! diameter are not exposed (they need a walk over the graph); the logical
//! data size comes from a background scan.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use knowledge_graph::telemetry::{self, HistogramSnapshot, ReadOp, WriteOp, LATENCY_BUCKETS};

use super::State;

/// A float as Prometheus reads it.
fn num(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v}")
    }
}

struct Out(String);

impl Out {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &str, value: f64) {
        let _ = writeln!(self.0, "{name}{labels} {}", num(value));
    }

    fn gauge(&mut self, name: &str, help: &str, value: f64) {
        self.family(name, "gauge", help);
        self.sample(name, "", value);
    }

    fn counter(&mut self, name: &str, help: &str, value: f64) {
        self.family(name, "counter", help);
        self.sample(name, "", value);
    }

    fn histogram(&mut self, name: &str, help: &str, h: &HistogramSnapshot) {
        self.family(name, "histogram", help);
        for (bound, count) in LATENCY_BUCKETS.iter().zip(h.buckets) {
            self.sample(
                &format!("{name}_bucket"),
                &format!("{{le=\"{}\"}}", num(*bound)),
                count as f64,
            );
        }
        self.sample(&format!("{name}_bucket"), "{le=\"+Inf\"}", h.count as f64);
        self.sample(&format!("{name}_sum"), "", h.sum_seconds);
        self.sample(&format!("{name}_count"), "", h.count as f64);
    }
}

pub fn render(state: &State) -> String {
    let m = state.graph.scrape_metrics();
    let t = telemetry::snapshot();
    let mut out = Out(String::with_capacity(8 << 10));
    let (nodes, edges) = (m.node_count as f64, m.edge_count as f64);

    out.gauge("maya_nodes", "Live nodes.", nodes);
    out.gauge("maya_edges", "Live edges.", edges);
    out.gauge(
        "maya_average_degree",
        "Edges per node (average out-degree; 0 for an empty graph).",
        if nodes > 0.0 { edges / nodes } else { 0.0 },
    );
    out.gauge(
        "maya_density",
        "Directed edge density m / (n (n - 1)).",
        if nodes > 1.0 {
            edges / (nodes * (nodes - 1.0))
        } else {
            0.0
        },
    );

    let disk = m.disk_usage_bytes as f64;
    out.gauge(
        "maya_disk_usage_bytes",
        "Bytes the database occupies on disk.",
        disk,
    );
    let data = state.data_size_bytes.load(Ordering::Relaxed);
    if data != u64::MAX {
        out.gauge(
            "maya_data_size_bytes",
            "Logical bytes of every stored record (keys and values), from a periodic background scan.",
            data as f64,
        );
        if disk > 0.0 {
            out.gauge(
                "maya_live_data_ratio",
                "Logical data size over disk usage (low values: compaction would reclaim space).",
                (data as f64 / disk).min(1.0),
            );
        }
    }

    out.gauge(
        "maya_cache_hit_ratio",
        "Share of property reads served from the LRU cache.",
        m.cache_hit_rate(),
    );
    out.counter(
        "maya_cache_hits_total",
        "Property reads served from the LRU cache.",
        m.cache_hits as f64,
    );
    out.counter(
        "maya_cache_misses_total",
        "Property reads that went to storage.",
        m.cache_misses as f64,
    );
    out.gauge(
        "maya_cached_records",
        "Records held in the LRU cache.",
        m.cached_records as f64,
    );
    out.gauge(
        "maya_index_entries",
        "Secondary-index entries, all held in memory.",
        m.index_entries as f64,
    );
    out.gauge(
        "maya_query_columns",
        "Property columns kept in memory for node queries.",
        m.query_columns as f64,
    );
    out.gauge(
        "maya_active_transactions",
        "Open transactions, including commits in progress.",
        m.active_transactions as f64,
    );
    out.counter(
        "maya_commits_total",
        "Commits that succeeded.",
        m.commits as f64,
    );
    out.counter(
        "maya_rollbacks_total",
        "Batches and transactions rolled back or failed.",
        m.rollbacks as f64,
    );
    out.gauge(
        "maya_repaired_records",
        "Damaged records dropped by repair when the database was opened.",
        m.repaired_records as f64,
    );

    out.family(
        "maya_operations_total",
        "counter",
        "Graph operations by kind (reads are published in groups of 16 per thread).",
    );
    for (op, n) in ReadOp::ALL.iter().zip(t.reads) {
        out.sample(
            "maya_operations_total",
            &format!("{{op=\"{}\"}}", op.name()),
            n as f64,
        );
    }
    for (op, n) in WriteOp::ALL.iter().zip(t.writes) {
        out.sample(
            "maya_operations_total",
            &format!("{{op=\"{}\"}}", op.name()),
            n as f64,
        );
    }
    out.histogram(
        "maya_read_latency_seconds",
        "Latency of API-level reads (get_node, get_edge, neighbours, queries), one in 16 sampled.",
        &t.read_latency,
    );
    out.histogram(
        "maya_write_latency_seconds",
        "Latency of every commit (batch, transaction or single write).",
        &t.write_latency,
    );

    let io = m.io;
    out.counter(
        "maya_storage_reads_total",
        "Point reads from the storage backend.",
        io.reads as f64,
    );
    out.counter(
        "maya_storage_scans_total",
        "Prefix scans of the storage backend.",
        io.scans as f64,
    );
    out.counter(
        "maya_storage_batches_total",
        "Atomic write batches applied to storage.",
        io.batches as f64,
    );
    out.counter(
        "maya_storage_writes_total",
        "Keys written or deleted in storage.",
        io.writes as f64,
    );
    out.counter(
        "maya_storage_written_bytes_total",
        "Key and value bytes written to storage.",
        io.bytes_written as f64,
    );
    out.counter(
        "maya_storage_flushes_total",
        "Flushes of the storage backend.",
        io.flushes as f64,
    );

    out.counter(
        "maya_backup_success_total",
        "Backups that succeeded.",
        t.backup_success as f64,
    );
    out.counter(
        "maya_backup_failed_total",
        "Backups that failed.",
        t.backup_failed as f64,
    );
    out.gauge(
        "maya_backup_last_success_timestamp_seconds",
        "When the last successful backup finished (Unix time; 0: never).",
        t.backup_last_success_seconds,
    );

    out.gauge(
        "maya_process_start_time_seconds",
        "When this process started (Unix time).",
        state.start_time_seconds,
    );
    out.gauge(
        "maya_uptime_seconds",
        "Seconds since this process started.",
        state.started.elapsed().as_secs_f64(),
    );
    out.family(
        "maya_build_info",
        "gauge",
        "Version of maya-cli, as a label; always 1.",
    );
    out.sample(
        "maya_build_info",
        &format!("{{version=\"{}\"}}", env!("CARGO_PKG_VERSION")),
        1.0,
    );
    out.0
}
