//! Random walks, and the compact out-lists that they and outgoing k-hop
//! counts switch to once they have read enough of one version of the graph.
//!
//! A hop through the topology reads the node's slot, then its out-list
//! somewhere else on the heap: two dependent cache misses in ~70 bytes per
//! node plus ~8 per edge. [`OutAdjacency`] holds the same lists, in the same
//! order, as two flat arrays of `u32` (one offset per node slot, one target
//! per edge): ~4 bytes per edge, small enough to stay in the caches that a
//! walk on the topology keeps missing. It is built from the topology once
//! the reads at one generation have cost about what building it costs, and
//! dropped with the generation, so a graph being written to does not
//! rebuild it per commit.

use alloc::sync::Arc;
use alloc::vec::Vec;

use knowledge_graph_storage::Storage;

use crate::algo::SplitMix64;
use crate::read::GraphRead;
use crate::topology::{NodeIndex, Topology};

/// Walks advanced together by [`GraphRead::random_walks`]: enough for their
/// cache misses to overlap, few enough for their state to stay in registers
/// and L1.
const WALK_LANES: usize = 16;

/// The longest path [`walk`] makes room for at once.
const MAX_RESERVED: usize = 1 << 10;

/// How many node slots and edges an [`OutAdjacency`] build copies in the
/// time it takes to read one out-list through the topology: the build reads
/// each list once in slot order, where a walk or k-hop count reads them at
/// random (on 100K nodes and 1M edges: 10-20 ms to build, ~0.3 us per hop
/// taken one walk at a time).
const BUILT_PER_READ: u64 = 16;

/// Each node slot's out-neighbours, in the topology's order, in one array.
pub(crate) struct OutAdjacency {
    /// Slot `s`'s neighbours are `targets[offsets[s]..offsets[s + 1]]`.
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl OutAdjacency {
    fn new(topo: &Topology) -> Self {
        let mut offsets = Vec::with_capacity(topo.nodes.len() + 1);
        let mut targets = Vec::with_capacity(topo.edge_count);
        for node in &topo.nodes {
            offsets.push(offset(targets.len()));
            targets.extend(node.out.iter().map(|a| a.node));
        }
        offsets.push(offset(targets.len()));
        OutAdjacency { offsets, targets }
    }

    /// The out-neighbours of the node in `slot`.
    pub(crate) fn list(&self, slot: u32) -> &[u32] {
        let s = slot as usize;
        &self.targets[self.offsets[s] as usize..self.offsets[s + 1] as usize]
    }
}

/// Edges are numbered by `u32`, so the out-lists together fit one.
fn offset(len: usize) -> u32 {
    u32::try_from(len).expect("edge count fits u32")
}

/// The out-lists a walk reads: the topology's, or their compact copy.
trait OutLists {
    /// An out-neighbour of the node in `slot` drawn from `rng`, each edge
    /// alike; `None` if it has no outgoing edge.
    fn hop(&self, slot: u32, rng: &mut SplitMix64) -> Option<u32>;
}

impl OutLists for Topology {
    fn hop(&self, slot: u32, rng: &mut SplitMix64) -> Option<u32> {
        let out = &self.node_slot(slot).out;
        pick(out.len(), rng).map(|at| out[at].node)
    }
}

impl OutLists for OutAdjacency {
    fn hop(&self, slot: u32, rng: &mut SplitMix64) -> Option<u32> {
        let list = self.list(slot);
        pick(list.len(), rng).map(|at| list[at])
    }
}

/// A position in a list of `len` drawn from `rng`, unless the list is empty
/// (lists are shorter than `u32::MAX`: edges are numbered by `u32`).
fn pick(len: usize, rng: &mut SplitMix64) -> Option<usize> {
    (len > 0).then(|| rng.below_u32(len as u32) as usize)
}

/// The random source of walk number `walk` for `seed`: a generator seeded
/// by the `walk`-th output of SplitMix64 from `seed`, so walks draw from
/// unrelated points of the sequence.
fn walk_rng(seed: u64, walk: usize) -> SplitMix64 {
    let start = seed.wrapping_add((walk as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    SplitMix64::new(SplitMix64::new(start).next_u64())
}

impl<S: Storage> GraphRead<'_, S> {
    /// Random walks along outgoing edges, the sampling behind DeepWalk and
    /// node2vec corpora: from each of `starts`, up to `hops` steps, each to
    /// an out-neighbour chosen uniformly (one per edge, so parallel edges
    /// weigh more); a walk ends early at a node with no outgoing edge.
    /// Calls `visit(i, path)` for walk `i` (the nodes visited, `starts[i]`
    /// first), in the order of `starts`.
    ///
    /// Walk `i` depends only on `seed`, `i` and the graph, so a seed repeats
    /// its walks, natively and in wasm32 alike. Walks advance sixteen at a
    /// time, which lets their memory accesses overlap: several times the
    /// rate of walking them one by one. Once walks on an unchanged graph
    /// have taken a hop per ~16 edges, they read a compact copy of the
    /// out-lists instead (4 bytes per edge, kept until the next commit).
    pub fn random_walks(
        &self,
        starts: &[NodeIndex],
        hops: usize,
        seed: u64,
        visit: impl FnMut(usize, &[NodeIndex]),
    ) {
        match self.out_adjacency() {
            Some(adjacency) => {
                walk(&*adjacency, starts, hops, seed, visit);
            }
            None => {
                let walked = walk(&*self.topo, starts, hops, seed, visit);
                self.read_out_lists(walked);
            }
        }
    }

    /// One random walk from `start` into `path` (cleared first): walk 0 of
    /// [`random_walks`](Self::random_walks) with the same seed, for callers
    /// that walk one at a time and reuse their buffer.
    pub fn random_walk(&self, start: NodeIndex, hops: usize, seed: u64, path: &mut Vec<NodeIndex>) {
        match self.out_adjacency() {
            Some(adjacency) => walk_one(&*adjacency, start, hops, seed, path),
            None => {
                walk_one(&*self.topo, start, hops, seed, path);
                self.read_out_lists(path.len() as u64 - 1);
            }
        }
    }

    /// The compact out-lists of this generation, once reads through the
    /// topology have paid for them (see [`crate::derived`]), else `None`
    /// (read the topology, and say how much with
    /// [`read_out_lists`](Self::read_out_lists)).
    pub(crate) fn out_adjacency(&self) -> Option<Arc<OutAdjacency>> {
        let topo = &*self.topo;
        let price = (topo.nodes.len() + topo.edge_count) as u64 / BUILT_PER_READ;
        self.graph()
            .inner()
            .out_lists
            .lock()
            .get(topo.generation, price, || OutAdjacency::new(topo))
    }

    /// Counts `lists` out-lists read through the topology towards building
    /// the compact copy (see [`out_adjacency`](Self::out_adjacency)).
    pub(crate) fn read_out_lists(&self, lists: u64) {
        self.graph()
            .inner()
            .out_lists
            .lock()
            .read(self.topo.generation, lists);
    }
}

/// Walk 0 from `start` on `lists` into `path` (see [`GraphRead::random_walk`]).
fn walk_one(
    lists: &impl OutLists,
    start: NodeIndex,
    hops: usize,
    seed: u64,
    path: &mut Vec<NodeIndex>,
) {
    path.clear();
    path.push(start);
    let mut rng = walk_rng(seed, 0);
    let mut at = start.0;
    for _ in 0..hops {
        let Some(next) = lists.hop(at, &mut rng) else {
            break;
        };
        at = next;
        path.push(NodeIndex(at));
    }
}

/// Walks `starts` on `lists` (see [`GraphRead::random_walks`]); returns the
/// hops taken.
fn walk(
    lists: &impl OutLists,
    starts: &[NodeIndex],
    hops: usize,
    seed: u64,
    mut visit: impl FnMut(usize, &[NodeIndex]),
) -> u64 {
    let mut walked = 0;
    let mut paths: [Vec<NodeIndex>; WALK_LANES] = core::array::from_fn(|_| Vec::new());
    let mut rngs: [SplitMix64; WALK_LANES] = core::array::from_fn(|_| SplitMix64::new(0));
    for (group, chunk) in starts.chunks(WALK_LANES).enumerate() {
        let first = group * WALK_LANES;
        for (lane, &start) in chunk.iter().enumerate() {
            paths[lane].clear();
            // One allocation instead of one per doubling (most walks run
            // their full length).
            paths[lane].reserve(hops.min(MAX_RESERVED) + 1);
            paths[lane].push(start);
            rngs[lane] = walk_rng(seed, first + lane);
        }
        let mut active = chunk.len();
        let mut live = [true; WALK_LANES];
        for _ in 0..hops {
            if active == 0 {
                break;
            }
            for lane in 0..chunk.len() {
                if !live[lane] {
                    continue;
                }
                let path = &mut paths[lane];
                let at = path[path.len() - 1].0;
                match lists.hop(at, &mut rngs[lane]) {
                    Some(next) => path.push(NodeIndex(next)),
                    None => {
                        live[lane] = false;
                        active -= 1;
                    }
                }
            }
        }
        for (lane, path) in paths.iter().take(chunk.len()).enumerate() {
            walked += path.len() as u64 - 1;
            visit(first + lane, path);
        }
    }
    walked
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::String;
    use alloc::vec;

    use super::*;
    use crate::value::Value;
    use crate::{block_on, Direction, Graph, MemoryStorage};

    fn walks_on(
        lists: &impl OutLists,
        starts: &[NodeIndex],
        hops: usize,
        seed: u64,
    ) -> Vec<Vec<u32>> {
        let mut walks = Vec::new();
        walk(lists, starts, hops, seed, |_, path| {
            walks.push(path.iter().map(|n| n.0).collect());
        });
        walks
    }

    /// Self-loops, parallel edges, nodes without out-edges, and slots freed
    /// by removed nodes and edges.
    fn random_graph() -> Graph<MemoryStorage> {
        let graph = Graph::new(MemoryStorage::new());
        let mut rng = SplitMix64::new(5);
        let n = 300;
        for i in 0..n {
            block_on(graph.add_node("user", &format!("{i}"), &Value::Null)).unwrap();
        }
        let mut edges = Vec::new();
        for _ in 0..2_000 {
            let (s, t) = (rng.below(n - 20), rng.below(n));
            edges.push(
                block_on(graph.add_edge("follows", &format!("{s}"), &format!("{t}"), None))
                    .unwrap(),
            );
        }
        for edge in edges.iter().step_by(7) {
            block_on(graph.remove_edge(*edge)).unwrap();
        }
        for i in (0..n).step_by(11) {
            block_on(graph.remove_node(&format!("{i}"))).unwrap();
        }
        graph
    }

    #[test]
    fn the_compact_copy_walks_exactly_as_the_topology() {
        let graph = random_graph();
        let view = graph.read();
        let starts: Vec<_> = view.nodes().collect();
        let copy = OutAdjacency::new(&view.topo);
        for seed in 0..20 {
            let on_topology = walks_on(&*view.topo, &starts, 8, seed);
            assert_eq!(walks_on(&copy, &starts, 8, seed), on_topology);
            assert!(on_topology.iter().any(|w| w.len() == 9));
            assert!(on_topology.iter().any(|w| w.len() == 1));
            let mut path = Vec::new();
            for &start in &starts {
                walk_one(&*view.topo, start, 8, seed, &mut path);
                let alone: Vec<u32> = path.iter().map(|n| n.0).collect();
                walk_one(&copy, start, 8, seed, &mut path);
                assert!(path.iter().map(|n| n.0).eq(alone.iter().copied()));
                let first = walks_on(&copy, &[start, starts[0]], 8, seed).remove(0);
                assert_eq!(alone, first, "a walk alone is walk 0 of a batch");
            }
        }
    }

    #[test]
    fn k_hop_on_the_compact_copy_finds_what_it_finds_on_the_topology() {
        let graph = random_graph();
        let view = graph.read();
        let copy = OutAdjacency::new(&view.topo);
        let topo = &*view.topo;
        for start in view.nodes() {
            for k in 1..4 {
                let (mut on_topology, mut on_copy) = (Vec::new(), Vec::new());
                let read = view.breadth_first(
                    start.0,
                    k,
                    |at| [&topo.node_slot(at).out, &[]],
                    |a| a.node,
                    |n| on_topology.push(n),
                );
                let read_copy = view.breadth_first(
                    start.0,
                    k,
                    |at| [copy.list(at), &[]],
                    |&n| n,
                    |n| {
                        on_copy.push(n);
                    },
                );
                assert_eq!(on_copy, on_topology);
                assert_eq!(read_copy, read);
            }
        }
    }

    #[test]
    fn walks_build_the_compact_copy_and_drop_it_with_each_commit() {
        let graph = Graph::new(MemoryStorage::new());
        // Enough nodes that the first 40 hops do not pay for the copy.
        for i in 0..100 {
            block_on(graph.add_node("user", &format!("{i}"), &Value::Null)).unwrap();
        }
        for id in ["a", "b", "c"] {
            block_on(graph.add_node("user", id, &Value::Null)).unwrap();
        }
        let to_b = block_on(graph.add_edge("follows", "a", "b", None)).unwrap();
        let built = |graph: &Graph<MemoryStorage>| {
            graph
                .inner()
                .out_lists
                .lock()
                .built(graph.read().topo.generation)
        };
        let ends = |graph: &Graph<MemoryStorage>| {
            let view = graph.read();
            let a = view.node_index("a").unwrap();
            let mut ends = Vec::new();
            view.random_walks(&[a; 40], 1, 9, |_, path| {
                ends.push(String::from(view.node_id(*path.last().unwrap())));
            });
            ends
        };
        assert_eq!(ends(&graph), vec!["b"; 40]);
        assert!(!built(&graph), "the first walks read the topology");
        assert_eq!(ends(&graph), vec!["b"; 40]);
        assert!(built(&graph), "walks that paid for it build the copy");

        block_on(graph.remove_edge(to_b)).unwrap();
        block_on(graph.add_edge("follows", "a", "c", None)).unwrap();
        assert_eq!(ends(&graph), vec!["c"; 40]);
        assert_eq!(ends(&graph), vec!["c"; 40]);
        assert!(built(&graph));
        let out_of_a = || block_on(graph.k_hop_nodes("a", 2, Direction::Outgoing)).unwrap();
        assert_eq!(out_of_a(), ["c"], "k-hop counts read the copy too");

        block_on(graph.remove_node("c")).unwrap();
        assert_eq!(ends(&graph), vec!["a"; 40], "a has no out-edge left");
        assert_eq!(ends(&graph), vec!["a"; 40]);
        assert!(out_of_a().is_empty());
    }
}
