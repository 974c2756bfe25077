//! Every secondary-index entry of one generation in sorted arrays, which
//! index seeks and ranges read once they have paid for them (see
//! [`crate::derived`]).
//!
//! The topology keeps the entries in a B-tree that each commit updates in
//! place. Its nodes sit wherever the allocator had room when they were made
//! (after sled's many small allocations, all over the heap), so stepping
//! from one node to the next misses the caches and the TLB every ~11
//! entries: on sled, most of an indexed query's time. The copy holds the
//! keys end to end in one buffer and the records, in the same order, in
//! another: a seek is a binary search, and the records it finds are one
//! contiguous slice.

use alloc::vec::Vec;
use core::ops::ControlFlow;

use knowledge_graph_storage::Storage;

use crate::read::GraphRead;
use crate::topology::Topology;

/// What building the arrays costs per entry, in entries read through the
/// tree (on 100K entries: 5-9 ms to build; reading an entry through the tree
/// took ~4 ns more than through the arrays on memory, ~33 ns more on sled,
/// whose allocations had scattered the tree's nodes).
const READS_PER_ENTRY: u64 = 8;

/// The index entries of one generation, in key order.
pub(crate) struct IndexArray {
    /// The keys, end to end.
    keys: Vec<u8>,
    /// Where each key ends in `keys` (and the next one starts).
    ends: Vec<usize>,
    /// The node slot or edge id of each entry.
    records: Vec<u32>,
}

impl IndexArray {
    fn new(topo: &Topology) -> Self {
        let count = topo.index_entry_count();
        let mut array = IndexArray {
            keys: Vec::new(),
            ends: Vec::with_capacity(count),
            records: Vec::with_capacity(count),
        };
        for (key, record) in topo.index_entries() {
            array.keys.extend_from_slice(key);
            array.ends.push(array.keys.len());
            array.records.push(record);
        }
        array
    }

    fn key(&self, entry: usize) -> &[u8] {
        let start = entry.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.keys[start..self.ends[entry]]
    }

    /// The position of the first entry whose key is `key` or after it.
    fn position(&self, key: &[u8]) -> usize {
        let (mut low, mut high) = (0, self.records.len());
        while low < high {
            let middle = low + (high - low) / 2;
            if self.key(middle) < key {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        low
    }

    /// The records of the entries from `start` on and, with `end`, before
    /// it, in key order.
    fn records(&self, start: &[u8], end: Option<&[u8]>) -> &[u32] {
        let from = self.position(start);
        let to = end.map_or(self.records.len(), |end| self.position(end));
        &self.records[from..to.max(from)]
    }
}

impl<S: Storage> GraphRead<'_, S> {
    /// Calls `visit` with the record (node slot or edge id) of each index
    /// entry from `start` on and, with `end`, before it, in key order, until
    /// it breaks.
    pub(crate) fn index_records(
        &self,
        start: &[u8],
        end: Option<&[u8]>,
        visit: &mut dyn FnMut(u32) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        self.index_runs(start, end, &mut |records| {
            records.iter().try_for_each(|&record| visit(record))
        })
    }

    /// [`index_records`](Self::index_records) a run of records at a time:
    /// all of them at once from the entries' sorted arrays, which are read
    /// once seeks and the entries they read through the topology's tree
    /// have cost about what building the arrays does ([`READS_PER_ENTRY`]);
    /// else up to [`RUN`] at a time.
    pub(crate) fn index_runs(
        &self,
        start: &[u8],
        end: Option<&[u8]>,
        visit: &mut dyn FnMut(&[u32]) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let topo = &*self.topo;
        let arrays = &self.graph().inner().index_array;
        let price = topo.index_entry_count() as u64 * READS_PER_ENTRY;
        let array = arrays
            .lock()
            .get(topo.generation, price, || IndexArray::new(topo));
        if let Some(array) = array {
            return visit(array.records(start, end));
        }
        // A seek descends the tree, then reads its entries.
        let mut read = 1;
        let (mut run, mut len) = ([0; RUN], 0);
        let mut flow = topo.index_records(start, end).try_for_each(|record| {
            read += 1;
            run[len] = record;
            len += 1;
            if len < RUN {
                return ControlFlow::Continue(());
            }
            len = 0;
            visit(&run)
        });
        if flow.is_continue() && len > 0 {
            flow = visit(&run[..len]);
        }
        arrays.lock().read(topo.generation, read);
        flow
    }
}

/// Records read through the tree per run of [`GraphRead::index_runs`].
const RUN: usize = 32;

#[cfg(test)]
mod tests {
    use alloc::collections::BTreeMap;
    use alloc::format;
    use alloc::string::String;

    use super::*;
    use crate::algo::SplitMix64;
    use crate::topology::IndexChange;
    use crate::{block_on, Graph, MemoryStorage};

    #[derive(serde::Serialize)]
    struct User {
        city: &'static str,
    }

    /// Any range, empty, reversed or past either end, bounded by keys held
    /// or not (prefixes of them included), holds the tree's records.
    #[test]
    fn ranges_hold_what_the_tree_holds() {
        let mut rng = SplitMix64::new(3);
        let key = |rng: &mut SplitMix64| {
            let len = 1 + rng.below(4) as usize;
            (0..len)
                .map(|_| b"abc"[rng.below(3) as usize])
                .collect::<Vec<u8>>()
        };
        let mut entries = BTreeMap::new();
        for record in 0..60 {
            entries.insert(key(&mut rng), record);
        }
        let mut topo = Topology::default();
        topo.apply_index_changes(
            entries
                .iter()
                .map(|(k, &r)| IndexChange::Put(k.clone(), r))
                .collect(),
        );
        let array = IndexArray::new(&topo);
        for _ in 0..2_000 {
            let start = key(&mut rng);
            let end = (rng.below(4) > 0).then(|| key(&mut rng));
            let wanted: Vec<u32> = entries
                .iter()
                .filter(|(k, _)| **k >= start && end.as_ref().is_none_or(|end| *k < end))
                .map(|(_, &r)| r)
                .collect();
            assert_eq!(
                array.records(&start, end.as_deref()),
                wanted,
                "{start:?}..{end:?}"
            );
        }
        assert_eq!(
            IndexArray::new(&Topology::default()).records(b"a", None),
            [0u32; 0]
        );
    }

    /// Queries read the arrays once seeks have paid for them, and a commit
    /// drops them: answers follow every change, built or not.
    #[test]
    fn indexed_queries_follow_commits_through_the_arrays() {
        let graph = Graph::new(MemoryStorage::new());
        block_on(graph.create_index("user", "city")).unwrap();
        let cities = ["Oslo", "Lima", "Pune"];
        for i in 0..30 {
            let user = User {
                city: cities[i % 3],
            };
            block_on(graph.add_node("user", &format!("u{i:02}"), &user)).unwrap();
        }
        let built = |graph: &Graph<MemoryStorage>| {
            graph
                .inner()
                .index_array
                .lock()
                .built(graph.read().topo.generation)
        };
        let in_city = |city: &str| -> Vec<String> {
            block_on(graph.query_nodes("user", "city = $1", &[&city]))
                .unwrap()
                .into_iter()
                .map(|node| node.id)
                .collect()
        };
        let oslo: Vec<String> = (0..30).step_by(3).map(|i| format!("u{i:02}")).collect();
        assert_eq!(in_city("Oslo"), oslo);
        assert!(!built(&graph), "the first seek reads the tree");
        for _ in 0..30 {
            assert_eq!(in_city("Oslo"), oslo);
        }
        assert!(
            built(&graph),
            "seeks that read the entries {READS_PER_ENTRY} times over build the arrays"
        );

        block_on(graph.update_node("u01", &User { city: "Oslo" })).unwrap();
        block_on(graph.remove_node("u03")).unwrap();
        let oslo: Vec<String> = ["u00", "u01"]
            .into_iter()
            .map(String::from)
            .chain((6..30).step_by(3).map(|i| format!("u{i:02}")))
            .collect();
        assert_eq!(in_city("Oslo"), oslo);
        for _ in 0..30 {
            assert_eq!(in_city("Oslo"), oslo);
        }
        assert!(built(&graph));
        assert_eq!(in_city("Lima").len(), 9);
        assert!(in_city("Nuuk").is_empty());
    }
}
