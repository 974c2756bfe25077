//! Weakly and strongly connected components.

use alloc::vec;
use alloc::vec::Vec;

use super::Csr;

/// A partition of the nodes into components.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Components {
    /// Component id per node, dense in `0..count` and numbered in order of the
    /// lowest node index in each component (node 0 is always in component 0).
    pub component: Vec<u32>,
    /// Number of components.
    pub count: usize,
}

impl Components {
    /// Number of nodes in each component, indexed by component id.
    #[must_use]
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.count];
        for &c in &self.component {
            sizes[c as usize] += 1;
        }
        sizes
    }

    /// Renumbers arbitrary labels densely in order of first appearance.
    fn from_labels(labels: Vec<u32>) -> Self {
        let (component, count) = super::louvain::renumber(labels);
        Self { component, count }
    }
}

/// Weakly connected components: nodes joined by edges in either direction.
///
/// # Returns
/// The partition; self-loops and parallel edges change nothing.
///
/// # Complexity
/// O(n + m·α(n)): union-find with union by size and path halving over the out-edges.
#[must_use]
pub fn weakly_connected_components(csr: &Csr) -> Components {
    let n = csr.node_count();
    let mut parent: Vec<u32> = (0..).take(n).collect();
    let mut size = vec![1u32; n];
    let find = |parent: &mut [u32], mut v: u32| {
        while parent[v as usize] != v {
            let grand = parent[parent[v as usize] as usize];
            parent[v as usize] = grand;
            v = grand;
        }
        v
    };
    for v in (0..).take(n) {
        for &w in csr.out_neighbors(v) {
            let (a, b) = (find(&mut parent, v), find(&mut parent, w));
            if a != b {
                let (big, small) = if size[a as usize] >= size[b as usize] {
                    (a, b)
                } else {
                    (b, a)
                };
                parent[small as usize] = big;
                size[big as usize] += size[small as usize];
            }
        }
    }
    for v in (0..).take(n) {
        let root = find(&mut parent, v);
        parent[v as usize] = root;
    }
    Components::from_labels(parent)
}

/// Strongly connected components: nodes that reach each other along edges.
///
/// # Returns
/// The partition (numbered by lowest node index like
/// [`weakly_connected_components`], not in topological order).
///
/// # Complexity
/// O(n + m): Tarjan's algorithm with an explicit call stack, so depth is not
/// limited by the machine stack.
#[must_use]
pub fn strongly_connected_components(csr: &Csr) -> Components {
    let n = csr.node_count();
    let mut t = Tarjan {
        index: vec![UNVISITED; n],
        lowlink: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        calls: Vec::new(),
        counter: 0,
    };
    let mut label = vec![0u32; n];
    for root in (0..).take(n) {
        if t.index[root as usize] != UNVISITED {
            continue;
        }
        t.enter(root);
        while let Some(&mut (v, ref mut position)) = t.calls.last_mut() {
            let vi = v as usize;
            if let Some(&w) = csr.out_neighbors(v).get(*position) {
                *position += 1;
                let wi = w as usize;
                if t.index[wi] == UNVISITED {
                    t.enter(w);
                } else if t.on_stack[wi] {
                    t.lowlink[vi] = t.lowlink[vi].min(t.index[wi]);
                }
                continue;
            }
            t.calls.pop();
            if let Some(&(caller, _)) = t.calls.last() {
                t.lowlink[caller as usize] = t.lowlink[caller as usize].min(t.lowlink[vi]);
            }
            if t.lowlink[vi] == t.index[vi] {
                while let Some(w) = t.stack.pop() {
                    t.on_stack[w as usize] = false;
                    label[w as usize] = v;
                    if w == v {
                        break;
                    }
                }
            }
        }
    }
    Components::from_labels(label)
}

const UNVISITED: u32 = u32::MAX;

/// Tarjan's state; `calls` holds (node, position of its next out-edge).
struct Tarjan {
    index: Vec<u32>,
    lowlink: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    calls: Vec<(u32, usize)>,
    counter: u32,
}

impl Tarjan {
    fn enter(&mut self, v: u32) {
        self.index[v as usize] = self.counter;
        self.lowlink[v as usize] = self.counter;
        self.counter += 1;
        self.on_stack[v as usize] = true;
        self.stack.push(v);
        self.calls.push((v, 0));
    }
}
