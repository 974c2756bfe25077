//! No registry: without `std` or a monotonic clock, every hook does nothing.

use super::{ReadOp, TelemetrySnapshot};
use crate::txn::Op;

pub(crate) struct ReadTimer;

#[inline]
pub(crate) fn read(_op: ReadOp) -> ReadTimer {
    ReadTimer
}

pub(crate) struct WriteTimer;

impl WriteTimer {
    #[inline]
    pub(crate) fn committed(self) {}
}

#[inline]
pub(crate) fn write(_ops: &[Op]) -> WriteTimer {
    WriteTimer
}

/// Does nothing on this target.
pub fn record_backup(_ok: bool) {}

/// All zeros on this target.
pub fn snapshot() -> TelemetrySnapshot {
    TelemetrySnapshot::default()
}
