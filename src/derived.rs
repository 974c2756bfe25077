//! Copies of part of one version of the graph in a form faster to read than
//! the topology, built once reads have paid for them.
//!
//! A commit changes the topology in place; keeping such a copy up to date
//! would cost every commit. Instead a copy belongs to one generation: reads
//! through the topology at that generation count towards its price (what
//! building it costs, in reads), the read that reaches the price builds it,
//! and the rest of the generation reads the copy (the first use at a later
//! generation drops it). A graph being written to thus never builds one per
//! commit, and a graph being read pays for a copy at most about twice (rent
//! up to the price of buying, then buy).

use alloc::sync::Arc;

/// The copy of one generation, or the reads made towards it.
pub(crate) struct Derived<T> {
    generation: u64,
    reads: u64,
    copy: Option<Arc<T>>,
}

impl<T> Default for Derived<T> {
    fn default() -> Self {
        Derived {
            generation: 0,
            reads: 0,
            copy: None,
        }
    }
}

impl<T> Derived<T> {
    /// The copy for `generation`: built with `build` once the reads counted
    /// at it have reached `price`, else `None` (read the topology, and count
    /// the reads with [`read`](Self::read)).
    pub fn get(
        &mut self,
        generation: u64,
        price: u64,
        build: impl FnOnce() -> T,
    ) -> Option<Arc<T>> {
        self.at(generation);
        if self.copy.is_none() {
            if self.reads < price {
                return None;
            }
            self.copy = Some(Arc::new(build()));
        }
        self.copy.clone()
    }

    /// Counts `reads` made through the topology at `generation`.
    pub fn read(&mut self, generation: u64, reads: u64) {
        self.at(generation);
        self.reads += reads;
    }

    /// Whether the copy of `generation` is built.
    #[cfg(test)]
    pub fn built(&self, generation: u64) -> bool {
        self.generation == generation && self.copy.is_some()
    }

    /// Drops what belongs to an earlier generation.
    fn at(&mut self, generation: u64) {
        if self.generation != generation {
            *self = Derived {
                generation,
                ..Derived::default()
            };
        }
    }
}
