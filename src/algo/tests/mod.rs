//! Tests of the algorithms: networkx reference results and property tests.

extern crate std;

mod fixtures;
mod properties;

use alloc::vec::Vec;

use super::{AlgoError, Csr, Direction};

/// Whether an edge `a -> b` exists when walking in `direction`.
fn has_step(csr: &Csr, a: u32, b: u32, direction: Direction) -> bool {
    let forward = csr.out_neighbors(a).contains(&b);
    let backward = csr.in_neighbors(a).contains(&b);
    match direction {
        Direction::Outgoing => forward,
        Direction::Incoming => backward,
        Direction::Both => forward || backward,
    }
}

/// The cheapest edge `a -> b` when walking in `direction`, weight 1.0 when unweighted.
fn step_cost(csr: &Csr, a: u32, b: u32, direction: Direction) -> Option<f64> {
    let mut best: Option<f64> = None;
    csr.for_each_edge(a, direction, |t, w| {
        if t == b && best.is_none_or(|c| w < c) {
            best = Some(w);
        }
    });
    best
}

#[test]
fn invalid_weights_are_reported_with_the_edge() {
    let csr = Csr::from_edges(3, &[(0, 1, 1.0), (1, 2, -2.0)], true);
    let err = super::dijkstra(&csr, 0, 2, Direction::Outgoing).unwrap_err();
    assert_eq!(
        err,
        AlgoError::InvalidWeight {
            edge: 1,
            source: 1,
            target: 2,
            weight: -2.0
        }
    );
    let message = std::format!("{err}");
    assert!(
        message.starts_with("invalid weight -2 on edge 1 (1 -> 2)"),
        "{message}"
    );
    let nan = Csr::from_edges(2, &[(0, 1, f64::NAN)], true);
    assert!(matches!(
        super::louvain(&nan, &super::LouvainOptions::default()),
        Err(AlgoError::InvalidWeight { edge: 0, .. })
    ));
    // Unweighted CSRs ignore the weights entirely.
    let ignored = Csr::from_edges(3, &[(0, 1, 1.0), (1, 2, -2.0)], false);
    let (cost, path) = super::dijkstra(&ignored, 0, 2, Direction::Outgoing)
        .unwrap()
        .unwrap();
    assert_eq!((cost, path), (2.0, alloc::vec![0, 1, 2]));
}

#[test]
fn pagerank_rejects_bad_options() {
    let csr = Csr::from_edges(2, &[(0, 1, 1.0)], false);
    let mut options = super::PageRankOptions {
        personalization: Some(alloc::vec![1.0]),
        ..Default::default()
    };
    assert!(matches!(
        super::pagerank(&csr, &options),
        Err(AlgoError::LengthMismatch {
            expected: 2,
            found: 1,
            ..
        })
    ));
    options.personalization = Some(alloc::vec![0.0, 0.0]);
    assert_eq!(
        super::pagerank(&csr, &options),
        Err(AlgoError::ZeroPersonalization)
    );
    options.personalization = Some(alloc::vec![0.0, -1.0]);
    assert!(matches!(
        super::pagerank(&csr, &options),
        Err(AlgoError::InvalidPersonalization { node: 1, .. })
    ));
    options.personalization = None;
    options.damping = 1.5;
    assert!(matches!(
        super::pagerank(&csr, &options),
        Err(AlgoError::InvalidParameter {
            name: "damping",
            ..
        })
    ));
}

#[test]
fn empty_graph_is_handled_everywhere() {
    let csr = Csr::from_edges(0, &[], false);
    assert!(super::pagerank(&csr, &super::PageRankOptions::default())
        .unwrap()
        .ranks
        .is_empty());
    assert_eq!(super::weakly_connected_components(&csr).count, 0);
    assert_eq!(super::strongly_connected_components(&csr).count, 0);
    assert_eq!(super::triangle_count(&csr), (0, Vec::new()));
    assert_eq!(super::clustering_coefficient(&csr).0, 0.0);
    assert!(super::k_core(&csr).is_empty());
    assert_eq!(super::density(&csr), 0.0);
    assert_eq!(super::avg_degree(&csr), 0.0);
    let d = super::diameter(&csr, super::DiameterOptions::default());
    assert_eq!((d.value, d.exact), (0, true));
    let l = super::louvain(&csr, &super::LouvainOptions::default()).unwrap();
    assert_eq!((l.count, l.modularity), (0, 0.0));
}

#[test]
fn diameter_beyond_the_exact_limit_is_labelled() {
    // A path of 50 nodes: the double sweep already finds 49.
    let edges: Vec<(u32, u32, f64)> = (0..49).map(|i| (i, i + 1, 1.0)).collect();
    let csr = Csr::from_edges(50, &edges, false);
    let exact = super::diameter(&csr, super::DiameterOptions::default());
    assert_eq!((exact.value, exact.exact), (49, true));
    let tiny = super::DiameterOptions {
        exact_node_limit: 10,
        bfs_budget: 2,
    };
    let bound = super::diameter(&csr, tiny);
    assert_eq!((bound.value, bound.exact), (49, false));
}

#[test]
fn shortest_paths_reuse_scratch_across_graphs() {
    let mut paths = super::ShortestPaths::new();
    let a = Csr::from_edges(3, &[(0, 1, 1.0), (1, 2, 1.0)], false);
    let b = Csr::from_edges(5, &[(0, 4, 1.0), (4, 3, 1.0)], false);
    for _ in 0..3 {
        assert_eq!(
            paths.bfs_path(&a, 0, 2, Direction::Outgoing),
            Some(alloc::vec![0, 1, 2])
        );
        assert_eq!(paths.bfs_path(&a, 2, 0, Direction::Outgoing), None);
        assert_eq!(
            paths.bfs_path(&a, 2, 0, Direction::Incoming),
            Some(alloc::vec![2, 1, 0])
        );
        assert_eq!(
            paths.bfs_path(&b, 3, 0, Direction::Both),
            Some(alloc::vec![3, 4, 0])
        );
        assert_eq!(paths.dijkstra(&b, 0, 1, Direction::Both).unwrap(), None);
    }
}
