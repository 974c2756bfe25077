//! The algorithms give bit-identical results natively and in WebAssembly.
//!
//! Natively, this test checks that `tests/fixtures/algo/portable.txt` is what
//! this build computes on the karate-club and random-directed fixtures
//! (regenerate it with `MAYA_WRITE_FIXTURES=1 cargo test --test algo_portable`);
//! in wasm32 (`cargo test --target wasm32-unknown-unknown --test algo_portable`,
//! run by `.ci/wasm`) the same computation must reproduce the file exactly.
//! Floats are compared by their bits.

use std::fmt::Write;

use knowledge_graph::algo::{
    bfs_distances, dijkstra_distances, k_core, louvain, pagerank, strongly_connected_components,
    triangle_count, weakly_connected_components, Csr, Direction, LouvainOptions, PageRankOptions,
};

const EXPECTED: &str = include_str!("fixtures/algo/portable.txt");

fn csr(fixture: &str) -> Csr {
    let data: serde_json::Value = serde_json::from_str(fixture).unwrap();
    let n = data["nodes"].as_array().unwrap().len();
    let edges: Vec<(u32, u32, f64)> = data["arcs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a[0].as_u64().unwrap() as u32,
                a[1].as_u64().unwrap() as u32,
                a[2].as_f64().unwrap(),
            )
        })
        .collect();
    Csr::from_edges(n, &edges, true)
}

fn bits(values: impl IntoIterator<Item = f64>) -> String {
    values
        .into_iter()
        .map(|v| format!("{:016x}", v.to_bits()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every algorithm's output on both fixtures, as text.
fn compute() -> String {
    let mut out = String::new();
    for (name, fixture) in [
        ("karate", include_str!("fixtures/algo/karate.json")),
        (
            "random_directed",
            include_str!("fixtures/algo/random_directed.json"),
        ),
    ] {
        let csr = csr(fixture);
        let pr = pagerank(
            &csr,
            &PageRankOptions {
                weighted: true,
                ..Default::default()
            },
        )
        .unwrap();
        writeln!(out, "{name} pagerank {} {}", pr.iterations, bits(pr.ranks)).unwrap();
        for seed in [0, 7] {
            let lv = louvain(
                &csr,
                &LouvainOptions {
                    seed,
                    ..Default::default()
                },
            )
            .unwrap();
            writeln!(
                out,
                "{name} louvain {seed} {:?} {}",
                lv.community,
                bits([lv.modularity])
            )
            .unwrap();
        }
        writeln!(
            out,
            "{name} wcc {:?}",
            weakly_connected_components(&csr).component
        )
        .unwrap();
        writeln!(
            out,
            "{name} scc {:?}",
            strongly_connected_components(&csr).component
        )
        .unwrap();
        writeln!(out, "{name} kcore {:?}", k_core(&csr)).unwrap();
        writeln!(out, "{name} triangles {:?}", triangle_count(&csr).1).unwrap();
        writeln!(
            out,
            "{name} bfs {:?}",
            bfs_distances(&csr, 0, Direction::Both)
        )
        .unwrap();
        let dijkstra = dijkstra_distances(&csr, 0, Direction::Outgoing).unwrap();
        writeln!(
            out,
            "{name} dijkstra {}",
            bits(dijkstra.into_iter().map(|d| d.unwrap_or(-1.0)))
        )
        .unwrap();
    }
    out
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn native_results_match_the_checked_in_fixture() {
    let computed = compute();
    if std::env::var_os("MAYA_WRITE_FIXTURES").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/algo/portable.txt"
        );
        std::fs::write(path, &computed).unwrap();
    }
    assert_eq!(
        computed, EXPECTED,
        "fixture is stale: regenerate it (see the module docs)"
    );
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
fn wasm_results_are_bit_identical_to_native() {
    let computed = compute();
    for (line, (got, want)) in computed.lines().zip(EXPECTED.lines()).enumerate() {
        assert_eq!(
            got,
            want,
            "line {} differs between wasm32 and native",
            line + 1
        );
    }
    assert_eq!(computed.lines().count(), EXPECTED.lines().count());
}
