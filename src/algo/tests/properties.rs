//! Property tests on small random graphs against brute-force models.

// The brute-force models read most plainly as index loops over matrices.
#![allow(clippy::needless_range_loop)]

use alloc::vec;
use alloc::vec::Vec;
use proptest::prelude::*;

use super::super::*;
use super::{has_step, step_cost};

/// Up to 10 nodes and 30 edges, weights in [0, 10), parallel edges and self-loops allowed.
fn graphs() -> impl Strategy<Value = (usize, Vec<(u32, u32, f64)>)> {
    (1usize..10).prop_flat_map(|n| {
        let node = 0..n as u32;
        (
            Just(n),
            proptest::collection::vec((node.clone(), node, 0.0..10.0f64), 0..30),
        )
    })
}

fn directions() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::Outgoing),
        Just(Direction::Incoming),
        Just(Direction::Both)
    ]
}

/// Bellman–Ford distances from `s`, following edges in `direction`.
fn bellman_ford(
    n: usize,
    edges: &[(u32, u32, f64)],
    s: u32,
    direction: Direction,
) -> Vec<Option<f64>> {
    let mut dist = vec![None; n];
    dist[s as usize] = Some(0.0);
    for _ in 0..n {
        for &(a, b, w) in edges {
            let steps = match direction {
                Direction::Outgoing => vec![(a, b)],
                Direction::Incoming => vec![(b, a)],
                Direction::Both => vec![(a, b), (b, a)],
            };
            for (x, y) in steps {
                if let Some(dx) = dist[x as usize] {
                    let candidate: f64 = dx + w;
                    if dist[y as usize].is_none_or(|dy: f64| candidate < dy) {
                        dist[y as usize] = Some(candidate);
                    }
                }
            }
        }
    }
    dist
}

/// `reach[a][b]`: b is reachable from a along directed edges (reflexive).
fn reachability(n: usize, edges: &[(u32, u32, f64)]) -> Vec<Vec<bool>> {
    let mut reach = vec![vec![false; n]; n];
    for (v, row) in reach.iter_mut().enumerate() {
        row[v] = true;
    }
    for &(a, b, _) in edges {
        reach[a as usize][b as usize] = true;
    }
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                if reach[i][k] && reach[k][j] {
                    reach[i][j] = true;
                }
            }
        }
    }
    reach
}

/// The simple undirected adjacency matrix.
fn adjacency(n: usize, edges: &[(u32, u32, f64)]) -> Vec<Vec<bool>> {
    let mut adj = vec![vec![false; n]; n];
    for &(a, b, _) in edges {
        if a != b {
            adj[a as usize][b as usize] = true;
            adj[b as usize][a as usize] = true;
        }
    }
    adj
}

proptest! {
    #[test]
    fn dijkstra_equals_bellman_ford((n, edges) in graphs(), direction in directions()) {
        let csr = Csr::from_edges(n, &edges, true);
        let mut paths = ShortestPaths::new();
        for s in 0..n as u32 {
            let expected = bellman_ford(n, &edges, s, direction);
            let all = dijkstra_distances(&csr, s, direction).unwrap();
            for t in 0..n as u32 {
                let want = expected[t as usize];
                let got = paths.dijkstra(&csr, s, t, direction).unwrap();
                match (got, want) {
                    (None, None) => prop_assert!(all[t as usize].is_none()),
                    (Some((cost, path)), Some(want)) => {
                        prop_assert!((cost - want).abs() < 1e-9, "{} vs {}", cost, want);
                        prop_assert!((all[t as usize].unwrap() - want).abs() < 1e-9);
                        prop_assert_eq!((path[0], path[path.len() - 1]), (s, t));
                        let walked: f64 = path
                            .windows(2)
                            .map(|w| step_cost(&csr, w[0], w[1], direction).unwrap())
                            .sum();
                        prop_assert!((walked - cost).abs() < 1e-9);
                    }
                    (got, want) => prop_assert!(false, "{:?} vs {:?}", got, want),
                }
            }
        }
    }

    #[test]
    fn bidirectional_bfs_agrees_with_single_source((n, edges) in graphs(), direction in directions()) {
        let csr = Csr::from_edges(n, &edges, false);
        let mut paths = ShortestPaths::new();
        for s in 0..n as u32 {
            let dist = bfs_distances(&csr, s, direction);
            for t in 0..n as u32 {
                let path = paths.bfs_path(&csr, s, t, direction);
                prop_assert_eq!(path.as_ref().map(|p| p.len() as u32 - 1), dist[t as usize]);
                if let Some(path) = path {
                    prop_assert_eq!((path[0], path[path.len() - 1]), (s, t));
                    prop_assert!(path.windows(2).all(|w| has_step(&csr, w[0], w[1], direction)));
                }
            }
        }
    }

    #[test]
    fn components_partition_the_nodes((n, edges) in graphs()) {
        let csr = Csr::from_edges(n, &edges, false);
        let reach = reachability(n, &edges);
        for components in [weakly_connected_components(&csr), strongly_connected_components(&csr)] {
            prop_assert_eq!(components.component.len(), n);
            prop_assert!(components.component.iter().all(|&c| (c as usize) < components.count));
            prop_assert_eq!(components.sizes().iter().sum::<usize>(), n);
            prop_assert!(components.sizes().iter().all(|&s| s > 0));
            prop_assert_eq!(components.component.first().copied(), (n > 0).then_some(0));
        }
        let wcc = weakly_connected_components(&csr);
        for &(a, b, _) in &edges {
            prop_assert_eq!(wcc.component[a as usize], wcc.component[b as usize]);
        }
        let both = Csr::from_edges(n, &edges, false);
        for a in 0..n as u32 {
            let from_a = bfs_distances(&both, a, Direction::Both);
            for b in 0..n as u32 {
                prop_assert_eq!(from_a[b as usize].is_some(), wcc.component[a as usize] == wcc.component[b as usize]);
            }
        }
        let scc = strongly_connected_components(&csr);
        for a in 0..n {
            for b in 0..n {
                let mutual = reach[a][b] && reach[b][a];
                prop_assert_eq!(mutual, scc.component[a] == scc.component[b]);
            }
        }
    }

    #[test]
    fn local_structure_matches_brute_force((n, edges) in graphs()) {
        let csr = Csr::from_edges(n, &edges, false);
        let adj = adjacency(n, &edges);
        let mut per_node = vec![0u64; n];
        let mut total = 0;
        for a in 0..n {
            for b in a + 1..n {
                for c in b + 1..n {
                    if adj[a][b] && adj[b][c] && adj[a][c] {
                        total += 1;
                        for v in [a, b, c] {
                            per_node[v] += 1;
                        }
                    }
                }
            }
        }
        prop_assert_eq!(triangle_count(&csr), (total, per_node));
        // Core number: the largest k whose k-core (peel nodes of degree < k) holds v.
        let mut expected = vec![0u32; n];
        for k in 1..n as u32 {
            let mut alive = vec![true; n];
            loop {
                let dead: Vec<usize> = (0..n)
                    .filter(|&v| alive[v] && (0..n).filter(|&w| alive[w] && adj[v][w]).count() < k as usize)
                    .collect();
                if dead.is_empty() { break; }
                for v in dead { alive[v] = false; }
            }
            for v in 0..n { if alive[v] { expected[v] = k; } }
        }
        prop_assert_eq!(k_core(&csr), expected);
    }

    #[test]
    fn diameter_is_the_longest_shortest_path((n, edges) in graphs()) {
        let csr = Csr::from_edges(n, &edges, false);
        let longest = (0..n as u32)
            .flat_map(|s| bfs_distances(&csr, s, Direction::Both).into_iter().flatten())
            .max()
            .unwrap_or(0);
        let d = diameter(&csr, DiameterOptions::default());
        prop_assert_eq!((d.value, d.exact), (longest, true));
    }

    #[test]
    fn pagerank_is_a_distribution_and_louvain_is_consistent((n, edges) in graphs(), seed in any::<u64>()) {
        let csr = Csr::from_edges(n, &edges, true);
        let ranks = pagerank(&csr, &PageRankOptions { weighted: true, ..Default::default() }).unwrap().ranks;
        prop_assert!((ranks.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        prop_assert!(ranks.iter().all(|&r| r > 0.0));
        let options = LouvainOptions { seed, ..Default::default() };
        let result = louvain(&csr, &options).unwrap();
        prop_assert_eq!(&result, &louvain(&csr, &options).unwrap());
        let q = modularity(&csr, &result.community, 1.0).unwrap();
        prop_assert!((q - result.modularity).abs() < 1e-12);
        // Never worse than every node alone.
        let singletons: Vec<u32> = (0..n as u32).collect();
        prop_assert!(result.modularity >= modularity(&csr, &singletons, 1.0).unwrap() - 1e-12);
    }
}
