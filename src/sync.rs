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

/// Admits one writer at a time.
pub(crate) struct WriterGate {
    held: Mutex<bool>,
    #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
    released: parking_lot::Condvar,
}

impl WriterGate {
    pub(crate) fn new() -> Self {
        WriterGate {
            held: Mutex::new(false),
            #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
            released: parking_lot::Condvar::new(),
        }
    }

    /// Takes the gate, waiting up to `timeout`; false when it stayed held.
    pub(crate) fn acquire(&self, timeout: Duration) -> bool {
        let mut held = self.held.lock();
        #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
        {
            let deadline = std::time::Instant::now() + timeout;
            while *held {
                if self.released.wait_until(&mut held, deadline).timed_out() && *held {
                    return false;
                }
            }
        }
        #[cfg(not(all(feature = "std", not(target_arch = "wasm32"))))]
        {
            let _ = timeout;
            if *held {
                return false;
            }
        }
        *held = true;
        true
    }

    pub(crate) fn release(&self) {
        *self.held.lock() = false;
        #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
        self.released.notify_one();
    }
}
