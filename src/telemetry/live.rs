//! The registry on native `std` targets: atomics, a thread-local read tally
//! and the monotonic clock.

use core::cell::Cell;
use core::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::{HistogramSnapshot, ReadOp, TelemetrySnapshot, WriteOp, LATENCY_BUCKETS, READ_SAMPLE};
use crate::txn::Op;

const BUCKETS: usize = LATENCY_BUCKETS.len();

struct Histogram {
    /// Per-bucket (not cumulative) counts; the last slot is `+Inf`.
    buckets: [AtomicU64; BUCKETS + 1],
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    const fn new() -> Self {
        Histogram {
            buckets: [const { AtomicU64::new(0) }; BUCKETS + 1],
            sum_nanos: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    fn observe(&self, started: Instant) {
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let seconds = nanos as f64 / 1e9;
        let slot = LATENCY_BUCKETS
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(BUCKETS);
        self.buckets[slot].fetch_add(1, Ordering::Relaxed);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> HistogramSnapshot {
        let mut out = HistogramSnapshot::default();
        let mut running = 0;
        for (slot, bucket) in out.buckets.iter_mut().enumerate() {
            running += self.buckets[slot].load(Ordering::Relaxed);
            *bucket = running;
        }
        // `count` is read last and at least the bucket total, so the exposition
        // stays consistent (`+Inf` == `_count`) while observations land.
        let inf = running + self.buckets[BUCKETS].load(Ordering::Relaxed);
        out.count = self.count.load(Ordering::Relaxed).max(inf);
        out.sum_seconds = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        out
    }
}

struct Registry {
    read_latency: Histogram,
    write_latency: Histogram,
    reads: [AtomicU64; ReadOp::ALL.len()],
    writes: [AtomicU64; WriteOp::ALL.len()],
    backup_success: AtomicU64,
    backup_failed: AtomicU64,
    /// Milliseconds since the Unix epoch.
    backup_last_success_ms: AtomicU64,
}

static REGISTRY: Registry = Registry {
    read_latency: Histogram::new(),
    write_latency: Histogram::new(),
    reads: [const { AtomicU64::new(0) }; ReadOp::ALL.len()],
    writes: [const { AtomicU64::new(0) }; WriteOp::ALL.len()],
    backup_success: AtomicU64::new(0),
    backup_failed: AtomicU64::new(0),
    backup_last_success_ms: AtomicU64::new(0),
};

std::thread_local! {
    /// Reads of each kind not yet published to the registry.
    static PENDING_READS: [Cell<u32>; ReadOp::ALL.len()] = const { [const { Cell::new(0) }; ReadOp::ALL.len()] };
}

/// Times one read when it is the sampled one; records on drop.
pub(crate) struct ReadTimer(Option<Instant>);

impl Drop for ReadTimer {
    fn drop(&mut self) {
        if let Some(started) = self.0 {
            REGISTRY.read_latency.observe(started);
        }
    }
}

/// Counts one read of `op`; the returned guard times it if it is sampled.
#[inline]
pub(crate) fn read(op: ReadOp) -> ReadTimer {
    let slot = op as usize;
    let sampled = PENDING_READS
        .try_with(|pending| {
            let n = pending[slot].get() + 1;
            if n >= READ_SAMPLE {
                pending[slot].set(0);
                REGISTRY.reads[slot].fetch_add(u64::from(n), Ordering::Relaxed);
                true
            } else {
                pending[slot].set(n);
                false
            }
        })
        .unwrap_or(false);
    ReadTimer(sampled.then(Instant::now))
}

/// Times one commit; [`WriteTimer::committed`] records it.
pub(crate) struct WriteTimer {
    started: Instant,
    counts: [u64; WriteOp::ALL.len()],
}

impl WriteTimer {
    /// Records the commit's latency and operations (not called on rollback).
    pub(crate) fn committed(self) {
        REGISTRY.write_latency.observe(self.started);
        for (total, n) in REGISTRY.writes.iter().zip(self.counts) {
            if n > 0 {
                total.fetch_add(n, Ordering::Relaxed);
            }
        }
    }
}

/// Starts timing a commit of `ops`.
pub(crate) fn write(ops: &[Op]) -> WriteTimer {
    let mut counts = [0u64; WriteOp::ALL.len()];
    for op in ops {
        let kind = match op {
            Op::AddNode { .. } => WriteOp::AddNode,
            Op::UpdateNode { .. } => WriteOp::UpdateNode,
            Op::RemoveNode { .. } => WriteOp::RemoveNode,
            Op::AddEdge { .. } => WriteOp::AddEdge,
            Op::RemoveEdge { .. } => WriteOp::RemoveEdge,
            Op::CreateIndex { .. } | Op::DropIndex { .. } => WriteOp::Index,
        };
        counts[kind as usize] += 1;
    }
    WriteTimer {
        started: Instant::now(),
        counts,
    }
}

/// Records the outcome of one backup (the backup code calls this).
pub fn record_backup(ok: bool) {
    if ok {
        REGISTRY.backup_success.fetch_add(1, Ordering::Relaxed);
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        REGISTRY
            .backup_last_success_ms
            .fetch_max(now_ms, Ordering::Relaxed);
    } else {
        REGISTRY.backup_failed.fetch_add(1, Ordering::Relaxed);
    }
}

/// Reads every counter and histogram: O(1), no locks.
pub fn snapshot() -> TelemetrySnapshot {
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    TelemetrySnapshot {
        read_latency: REGISTRY.read_latency.snapshot(),
        write_latency: REGISTRY.write_latency.snapshot(),
        reads: REGISTRY.reads.each_ref().map(load),
        writes: REGISTRY.writes.each_ref().map(load),
        backup_success: load(&REGISTRY.backup_success),
        backup_failed: load(&REGISTRY.backup_failed),
        backup_last_success_seconds: load(&REGISTRY.backup_last_success_ms) as f64 / 1000.0,
    }
}
