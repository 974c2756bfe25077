//! The write-behind buffer: in `high_throughput` mode commits land in an
//! ordered in-memory map that a background thread writes to sled as one
//! group, so many small commits cost one sled write of each key they
//! changed; in the other modes each commit is written through at once. In
//! both, readers are served the buffered and the in-flight values, and scans
//! hold [`WriteBehind::scanning`], so they never see a group half written
//! ([`crate::journal`]).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use knowledge_graph_storage::StorageError;
use parking_lot::{Condvar, Mutex, RwLock, RwLockReadGuard};

use crate::journal::{self, Failed};
use crate::pages::{self, Changes, PageWrites};

/// `None` values are deletions not yet written.
type Pending = journal::Group;

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
    /// Set when a write-through failed part way: the database then takes no
    /// more writes, and serves the failed group to readers, as reopening it
    /// will complete the group.
    broken: Option<String>,
}

impl State {
    /// The buffered value of a full key, in the buffer or in flight
    /// (`Some(None)` for a buffered delete).
    fn buffered(&self, full: &[u8]) -> Option<&Option<Vec<u8>>> {
        self.pending
            .get(full)
            .or_else(|| self.in_flight.as_ref()?.get(full))
    }
}

struct Shared {
    tree: sled::Tree,
    state: Mutex<State>,
    /// Wakes the thread early when the buffer is large or on stop.
    wake: Condvar,
    /// Serialises drains so batches reach sled in commit order.
    drain_lock: Mutex<()>,
    /// Held shared by scans and exclusively by a written-through group, whose
    /// changes reach sled one key at a time (see `journal`).
    scans: RwLock<()>,
}

pub(crate) struct WriteBehind {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl WriteBehind {
    /// A buffer over `tree`; `background` starts the thread that writes
    /// behind (`high_throughput` mode), otherwise commits are written through.
    pub(crate) fn start(tree: sled::Tree, background: bool) -> Self {
        let shared = Arc::new(Shared {
            tree,
            state: Mutex::new(State {
                pending: Pending::new(),
                in_flight: None,
                stopping: false,
                broken: None,
            }),
            wake: Condvar::new(),
            drain_lock: Mutex::new(()),
            scans: RwLock::new(()),
        });
        let worker = Arc::clone(&shared);
        let thread = background
            .then(|| {
                std::thread::Builder::new()
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
                    .ok()
            })
            .flatten();
        WriteBehind { shared, thread }
    }

    /// Calls `read` with the buffered value of a full key (`None` for a
    /// buffered delete), under the buffer's lock; gives `read` back when the
    /// key is not buffered.
    pub(crate) fn read<R, F>(&self, full: &[u8], read: F) -> Result<R, F>
    where
        F: FnOnce(Option<&[u8]>) -> R,
    {
        match self.shared.state.lock().buffered(full) {
            Some(value) => Ok(read(value.as_deref())),
            None => Err(read),
        }
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

    /// Buffers one commit: `changes` under their own keys (`None` deletes)
    /// and `page_writes` to pages, all seen by readers at once. A buffered
    /// page takes values added past its last slot in place; other pages are
    /// rewritten from their buffered value, or from sled's. The caller holds
    /// the page lock, so no other commit changes these pages meanwhile.
    ///
    /// # Errors
    /// [`StorageError::Corrupt`] for a malformed page; nothing is buffered.
    pub(crate) fn apply(
        &self,
        mut changes: Changes,
        page_writes: PageWrites,
    ) -> Result<(), StorageError> {
        let too_big = {
            let mut state = self.shared.state.lock();
            let mut appends = Vec::new();
            for (page, writes) in page_writes {
                let pending = state.pending.get(&page[..]);
                if let Some(used) =
                    pending.and_then(|found| pages::appendable(found.as_deref()?, &writes))
                {
                    appends.push((page, used, writes));
                    continue;
                }
                let stored;
                let current = match state.buffered(&page) {
                    Some(found) => found.as_deref(),
                    None => {
                        stored = self.shared.tree.get(page).map_err(crate::map_error)?;
                        stored.as_deref()
                    }
                };
                let (mut bytes, own) = pages::rewrite(&page, current, writes)?;
                if let Some(bytes) = &mut bytes {
                    pages::reserve(bytes);
                }
                changes.push((page.to_vec(), bytes));
                changes.extend(own);
            }
            for (page, used, writes) in appends {
                if let Some(Some(bytes)) = state.pending.get_mut(&page[..]) {
                    pages::append(bytes, used, &writes);
                }
            }
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

    /// Writes one commit's changes to sled now, all or nothing, serving them
    /// to readers until they are written.
    ///
    /// # Errors
    /// sled's. After a failure part way through, this and every later
    /// write fail: reopening the database completes the group.
    pub(crate) fn write_through(&self, changes: Changes) -> Result<(), StorageError> {
        let _order = self.shared.drain_lock.lock();
        let group = Arc::new(changes.into_iter().collect::<Pending>());
        {
            let mut state = self.shared.state.lock();
            if let Some(why) = &state.broken {
                return Err(broken(why));
            }
            state.in_flight = Some(Arc::clone(&group));
        }
        let result = {
            let _no_scans = self.shared.scans.write();
            journal::write(&self.shared.tree, &group)
        };
        let mut state = self.shared.state.lock();
        match result {
            Ok(()) => {
                state.in_flight = None;
                Ok(())
            }
            Err(Failed::Before(err)) => {
                state.in_flight = None;
                Err(err)
            }
            Err(Failed::Part(err)) => {
                let why = err.to_string();
                state.broken = Some(why.clone());
                Err(broken(&why))
            }
        }
    }

    /// Held while a scan runs: a group written through waits for it.
    /// Recursive, so a scan inside a scan's visitor cannot deadlock with a
    /// waiting writer.
    pub(crate) fn scanning(&self) -> RwLockReadGuard<'_, ()> {
        self.shared.scans.read_recursive()
    }

    /// Stops the background thread, then writes out what is buffered.
    pub(crate) fn stop(&mut self) -> Result<(), StorageError> {
        self.shared.state.lock().stopping = true;
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.shared.drain()
    }
}

fn broken(why: &str) -> StorageError {
    StorageError::backend(std::io::Error::other(format!(
        "a write to sled failed part way through ({why}); the database takes no more writes until reopened, which completes that write"
    )))
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
        let result = journal::batch(&self.tree, &batch);
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
        let _ = self.stop();
    }
}
