//! The write-behind buffer of `high_throughput` mode: commits land in an
//! ordered in-memory map that a background thread writes to sled as one
//! atomic batch, so many small commits cost one sled batch.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use knowledge_graph_storage::StorageError;
use parking_lot::{Condvar, Mutex};

use crate::map_error;

/// `None` values are deletions not yet written.
type Pending = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// How long a commit may sit in the buffer before the thread writes it.
const DRAIN_INTERVAL: Duration = Duration::from_millis(5);
/// Past this many buffered keys, writers help drain instead of growing it.
/// Small on purpose: sled takes longer per key in a large batch, and a
/// writer that drains waits for the whole batch. With 200,000 a writer
/// outrunning sled waited up to 4 s for one commit, and single-node commits
/// ran at half today's rate (`bench_core`, `bench_backup`).
const MAX_PENDING: usize = 5_000;

struct State {
    /// Commits not yet handed to sled.
    pending: Pending,
    /// The batch being written to sled right now; still served to readers.
    in_flight: Option<Arc<Pending>>,
    stopping: bool,
}

struct Shared {
    tree: sled::Tree,
    state: Mutex<State>,
    /// Wakes the thread early when the buffer is large or on stop.
    wake: Condvar,
    /// Serialises drains so batches reach sled in commit order.
    drain_lock: Mutex<()>,
}

pub(crate) struct WriteBehind {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl WriteBehind {
    pub(crate) fn start(tree: sled::Tree) -> Self {
        let shared = Arc::new(Shared {
            tree,
            state: Mutex::new(State {
                pending: Pending::new(),
                in_flight: None,
                stopping: false,
            }),
            wake: Condvar::new(),
            drain_lock: Mutex::new(()),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("maya-sled-writer".into())
            .spawn(move || loop {
                {
                    let mut state = worker.state.lock();
                    if state.pending.is_empty() && !state.stopping {
                        worker.wake.wait_for(&mut state, DRAIN_INTERVAL);
                    }
                    if state.stopping {
                        return;
                    }
                }
                // A failed write stays buffered and is retried; flush() reports it.
                let _ = worker.drain();
                std::thread::sleep(DRAIN_INTERVAL);
            })
            .ok();
        WriteBehind { shared, thread }
    }

    /// The buffered value of a full key: `Some(None)` for a buffered delete.
    pub(crate) fn get(&self, full: &[u8]) -> Option<Option<Vec<u8>>> {
        let state = self.shared.state.lock();
        if let Some(value) = state.pending.get(full) {
            return Some(value.clone());
        }
        state
            .in_flight
            .as_ref()
            .and_then(|batch| batch.get(full).cloned())
    }

    /// Buffered entries `>= start` whose key starts with `prefix`, in key order.
    pub(crate) fn range(&self, start: &[u8], prefix: &[u8]) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        let state = self.shared.state.lock();
        let mut merged: BTreeMap<&[u8], &Option<Vec<u8>>> = BTreeMap::new();
        let sources = state
            .in_flight
            .iter()
            .map(|b| &**b)
            .chain(std::iter::once(&state.pending));
        for source in sources {
            for (key, value) in source.range(start.to_vec()..) {
                if !key.starts_with(prefix) {
                    break;
                }
                merged.insert(key, value);
            }
        }
        merged
            .into_iter()
            .map(|(k, v)| (k.to_vec(), v.clone()))
            .collect()
    }

    /// Buffers one commit's changes (full keys; `None` deletes).
    pub(crate) fn apply(
        &self,
        changes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    ) -> Result<(), StorageError> {
        let too_big = {
            let mut state = self.shared.state.lock();
            state.pending.extend(changes);
            state.pending.len() > MAX_PENDING
        };
        if too_big {
            self.shared.drain()?;
        }
        Ok(())
    }

    /// Writes everything buffered so far to sled.
    pub(crate) fn drain(&self) -> Result<(), StorageError> {
        self.shared.drain()
    }

    pub(crate) fn stop(mut self) -> Result<(), StorageError> {
        self.shared.state.lock().stopping = true;
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.shared.drain()
    }
}

impl Shared {
    fn drain(&self) -> Result<(), StorageError> {
        let _order = self.drain_lock.lock();
        let batch = {
            let mut state = self.state.lock();
            if state.pending.is_empty() {
                return Ok(());
            }
            let batch = Arc::new(std::mem::take(&mut state.pending));
            state.in_flight = Some(Arc::clone(&batch));
            batch
        };
        let mut sled_batch = sled::Batch::default();
        for (key, value) in batch.iter() {
            match value {
                Some(value) => sled_batch.insert(key.as_slice(), value.as_slice()),
                None => sled_batch.remove(key.as_slice()),
            }
        }
        let result = self.tree.apply_batch(sled_batch).map_err(map_error);
        let mut state = self.state.lock();
        let written = state.in_flight.take();
        if result.is_err() {
            // Put the batch back under anything committed since, so nothing is lost.
            if let Some(written) = written {
                let newer = std::mem::take(&mut state.pending);
                state.pending = Arc::try_unwrap(written).unwrap_or_else(|arc| (*arc).clone());
                state.pending.extend(newer);
            }
        }
        result
    }
}

impl Drop for WriteBehind {
    fn drop(&mut self) {
        self.shared.state.lock().stopping = true;
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = self.shared.drain();
    }
}
