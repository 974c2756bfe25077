//! Locks and the writer gate, chosen per platform.
//!
//! With `std` on a threaded target, writers queue on a condition variable for
//! at most the configured timeout. Without `std`, or in single-threaded
//! WebAssembly where blocking would hang the page, a writer that finds the
//! gate held fails at once.

use core::time::Duration;

cfg_if::cfg_if! {
    if #[cfg(feature = "std")] {
        pub(crate) use parking_lot::{Mutex, RwLock, RwLockReadGuard};
    } else {
        pub(crate) use spin::{Mutex, RwLock, RwLockReadGuard};
    }
}

/// Admits one writer at a time, in the order they arrive: a thread that
/// releases the gate and asks again at once queues behind those waiting
/// (a backup copying between commits is not starved by a busy writer).
pub(crate) struct WriterGate {
    state: Mutex<GateState>,
    #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
    released: parking_lot::Condvar,
}

#[derive(Default)]
struct GateState {
    held: bool,
    /// Tickets of the waiting writers, first come first.
    #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
    queue: alloc::collections::VecDeque<u64>,
    #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
    next_ticket: u64,
}

impl GateState {
    /// Free for a newcomer: not held and nobody waiting.
    fn free(&self) -> bool {
        #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
        if !self.queue.is_empty() {
            return false;
        }
        !self.held
    }
}

impl WriterGate {
    pub(crate) fn new() -> Self {
        WriterGate {
            state: Mutex::new(GateState::default()),
            #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
            released: parking_lot::Condvar::new(),
        }
    }

    /// Takes the gate, waiting up to `timeout`; false when it stayed held.
    pub(crate) fn acquire(&self, timeout: Duration) -> bool {
        let mut state = self.state.lock();
        if state.free() {
            state.held = true;
            return true;
        }
        #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
        {
            let deadline = std::time::Instant::now() + timeout;
            let ticket = state.next_ticket;
            state.next_ticket += 1;
            state.queue.push_back(ticket);
            loop {
                if !state.held && state.queue.front() == Some(&ticket) {
                    state.queue.pop_front();
                    state.held = true;
                    return true;
                }
                if self.released.wait_until(&mut state, deadline).timed_out() {
                    if !state.held && state.queue.front() == Some(&ticket) {
                        continue;
                    }
                    state.queue.retain(|&t| t != ticket);
                    // The next in line may be free to go now.
                    self.released.notify_all();
                    return false;
                }
            }
        }
        #[cfg(not(all(feature = "std", not(target_arch = "wasm32"))))]
        {
            let _ = timeout;
            false
        }
    }

    pub(crate) fn release(&self) {
        self.state.lock().held = false;
        // Wake them all: only the first in line goes, the rest wait again.
        #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
        self.released.notify_all();
    }
}

#[cfg(all(test, feature = "std", not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_gate_goes_to_waiting_writers_first_and_times_out_cleanly() {
        let gate = alloc::sync::Arc::new(WriterGate::new());
        assert!(gate.acquire(Duration::ZERO));
        let (got_tx, got) = std::sync::mpsc::channel();
        let (done, done_rx) = std::sync::mpsc::channel::<()>();
        let waiting = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                got_tx.send(gate.acquire(Duration::from_secs(10))).unwrap();
                done_rx.recv().unwrap();
                gate.release();
            })
        };
        while gate.state.lock().queue.is_empty() {
            std::thread::yield_now();
        }
        // Releasing and asking again at once: the waiting writer goes first.
        gate.release();
        assert!(!gate.acquire(Duration::ZERO));
        assert!(got.recv().unwrap());
        done.send(()).unwrap();
        waiting.join().unwrap();
        // A writer that gave up left no ticket behind.
        assert!(gate.state.lock().queue.is_empty());
        assert!(gate.acquire(Duration::ZERO));
        assert!(!gate.acquire(Duration::from_millis(20)));
        gate.release();
        assert!(gate.acquire(Duration::ZERO));
    }
}
