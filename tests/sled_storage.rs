//! The sled backend as users meet it: persistence across reopen, the
//! builder's options and errors, locking against a second process, and
//! damaged files and records.
// Native only (tokio, sled, proptest): `wasm-pack test` builds every test
// target for wasm32, where this one is then empty.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{edge_triples, node_rows, props};
use knowledge_graph::{
    block_on, Error, Graph, Keyspace, SledStorage, Storage, StorageError, Value, WriteBatch,
};

fn sample(graph: &Graph<SledStorage>) {
    for i in 0..50 {
        let p = props(&[
            ("name", Value::String(format!("user {i}"))),
            ("age", Value::Int(i)),
        ]);
        block_on(graph.add_node(
            if i % 2 == 0 { "user" } else { "admin" },
            &format!("u{i}"),
            &p,
        ))
        .unwrap();
    }
    for i in 0..49 {
        let p = props(&[("weight", Value::Float(i as f64 / 10.0))]);
        block_on(graph.add_edge("follows", &format!("u{i}"), &format!("u{}", i + 1), Some(p)))
            .unwrap();
    }
    block_on(graph.remove_node("u7")).unwrap();
}

#[test]
fn reopening_restores_every_node_edge_and_property() {
    for mode in ["high_throughput", "high_safety", "low_space"] {
        let dir = tempfile::tempdir().unwrap();
        let open = || {
            Graph::open(
                SledStorage::builder()
                    .path(dir.path())
                    .mode(mode)
                    .open()
                    .unwrap(),
            )
            .unwrap()
        };
        let graph = open();
        sample(&graph);
        let (nodes, edges) = (node_rows(&graph), edge_triples(&graph));
        let last_edge = block_on(graph.get_edges(None, None, None))
            .unwrap()
            .last()
            .unwrap()
            .id;
        drop(graph);
        let graph = open();
        assert_eq!(node_rows(&graph), nodes, "mode {mode}");
        assert_eq!(edge_triples(&graph), edges, "mode {mode}");
        assert_eq!(block_on(graph.count_nodes()).unwrap(), 49);
        assert_eq!(block_on(graph.count_edges()).unwrap(), 47);
        let e = block_on(graph.get_edges_to("u9", None)).unwrap();
        assert_eq!(e[0].properties.get("weight"), Some(&Value::Float(0.8)));
        // Edge ids continue after the highest ever assigned, even across reopen.
        let next = block_on(graph.add_edge("follows", "u1", "u2", None)).unwrap();
        assert_eq!(next.0, last_edge.0 + 1);
    }
}

#[test]
fn unknown_modes_are_rejected_with_the_valid_ones_named() {
    let err = SledStorage::builder()
        .temporary(true)
        .mode("fast")
        .open()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid storage configuration: unknown mode 'fast': expected one of \"high_throughput\", \"low_space\", \"high_safety\""
    );
    let err = SledStorage::builder().open().unwrap_err();
    assert!(err.to_string().contains("no path given"), "{err}");
}

#[test]
fn builder_options_reach_the_graph() {
    let storage = SledStorage::builder()
        .temporary(true)
        .cache_capacity(2)
        .compression(true)
        .mode("high_safety")
        .timeout(Duration::from_millis(250))
        .open()
        .unwrap();
    let graph = Graph::new(storage);
    for i in 0..5 {
        block_on(graph.add_node("n", &format!("{i}"), &Value::Int(i))).unwrap();
    }
    for i in 0..5 {
        block_on(graph.get_node(&format!("{i}"))).unwrap();
    }
    let m = graph.metrics();
    assert_eq!(
        m.cached_records, 2,
        "cache_capacity bounds the record cache"
    );
    assert!(
        m.io_stats().flushes >= 5,
        "high_safety flushes every commit: {:?}",
        m.io_stats()
    );
    assert!(m.disk_usage_mb() >= 0.0);
}

#[test]
fn compact_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let graph = Graph::open(SledStorage::open(dir.path()).unwrap()).unwrap();
    sample(&graph);
    let rows = node_rows(&graph);
    graph.storage().compact().unwrap();
    graph.storage().verify_checksums().unwrap();
    assert_eq!(node_rows(&graph), rows);
}

#[test]
fn a_second_process_gets_a_locked_error() {
    let dir = tempfile::tempdir().unwrap();
    drop(SledStorage::open(dir.path()).unwrap());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "lock_holder",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("MAYA_LOCK_DIR", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(
        lines.any(|l| l.unwrap().contains("holding")),
        "the child never opened the database"
    );
    let err = SledStorage::open(dir.path()).unwrap_err();
    assert!(matches!(err, StorageError::Locked { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "database '{}' is locked by another process",
            dir.path().display()
        )
    );
    child.stdin.take().unwrap().write_all(b"done\n").unwrap();
    child.wait().unwrap();
    // Once it is gone, the database opens again.
    SledStorage::open(dir.path()).unwrap();
}

/// Holds a database open until told to stop; started by `a_second_process_gets_a_locked_error`.
#[test]
#[ignore = "started by a_second_process_gets_a_locked_error as its child process"]
fn lock_holder() {
    let dir = std::env::var("MAYA_LOCK_DIR").expect("run by the lock test only");
    let _storage = SledStorage::open(dir).unwrap();
    println!("holding");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
}

fn corrupt_node_record(dir: &std::path::Path) {
    let storage = SledStorage::open(dir).unwrap();
    let mut bytes = storage.get(Keyspace::Nodes, b"u3").unwrap().unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    let mut batch = WriteBatch::new();
    batch.put(Keyspace::Nodes, &b"u3"[..], bytes);
    storage.apply(batch).unwrap();
}

#[test]
fn a_damaged_record_is_reported_and_repair_drops_only_it() {
    let dir = tempfile::tempdir().unwrap();
    let graph = Graph::open(SledStorage::open(dir.path()).unwrap()).unwrap();
    sample(&graph);
    drop(graph);
    corrupt_node_record(dir.path());

    let err = Graph::open(SledStorage::open(dir.path()).unwrap()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("stored data is corrupt: node 'u3': checksum mismatch"),
        "{err}"
    );

    // Graph::new never fails: the graph reports why it is unavailable.
    let graph = Graph::new(SledStorage::open(dir.path()).unwrap());
    let err = block_on(graph.count_nodes()).unwrap_err();
    assert!(
        err.to_string().contains("node 'u3': checksum mismatch"),
        "{err}"
    );
    drop(graph);

    let repaired = SledStorage::builder()
        .path(dir.path())
        .repair_on_open(true)
        .open()
        .unwrap();
    let graph = Graph::open(repaired).unwrap();
    assert_eq!(
        graph.metrics().repaired_records,
        3,
        "the node and its two edges"
    );
    assert_eq!(block_on(graph.count_nodes()).unwrap(), 48);
    assert!(block_on(graph.get_node("u3")).unwrap().is_none());
    assert_eq!(block_on(graph.count_edges()).unwrap(), 45);
    drop(graph);
    // The repair was written: a plain open now succeeds.
    let graph = Graph::open(SledStorage::open(dir.path()).unwrap()).unwrap();
    assert_eq!(block_on(graph.count_nodes()).unwrap(), 48);
}

/// Damaged sled files: every outcome is a clear error or the whole graph, never
/// a panic or a silently shorter graph; `repair_on_open` then keeps what sled recovered.
#[test]
fn damaged_files_give_errors_not_panics() {
    let template = tempfile::tempdir().unwrap();
    {
        let graph = Graph::open(SledStorage::open(template.path()).unwrap()).unwrap();
        sample(&graph);
        block_on(graph.flush()).unwrap();
    }
    let files: Vec<_> = walk(template.path());
    assert!(!files.is_empty());
    let mut outcomes = Vec::new();
    for file in &files {
        let len = std::fs::metadata(file).unwrap().len();
        for damage in ["truncate-half", "zero-middle", "flip-start"] {
            let dir = tempfile::tempdir().unwrap();
            copy_dir(template.path(), dir.path());
            let target = dir.path().join(file.strip_prefix(template.path()).unwrap());
            let mut bytes = std::fs::read(&target).unwrap();
            match damage {
                "truncate-half" => bytes.truncate((len / 2) as usize),
                "zero-middle" => {
                    let mid = bytes.len() / 2;
                    let end = (mid + 4096).min(bytes.len());
                    bytes[mid..end].fill(0);
                }
                _ => {
                    for b in bytes.iter_mut().take(64) {
                        *b ^= 0x5a;
                    }
                }
            }
            std::fs::write(&target, bytes).unwrap();
            let outcome = open_outcome(SledStorage::open(dir.path()));
            assert!(
                outcome.starts_with("error") || outcome == "opened with 49 nodes",
                "{} {damage}: damage went unreported: {outcome}",
                file.display()
            );
            // repair_on_open accepts whatever sled recovered, consistently.
            let repaired = open_outcome(
                SledStorage::builder()
                    .path(dir.path())
                    .repair_on_open(true)
                    .open(),
            );
            if file.ends_with("db") || file.ends_with("maya-graph.marker") {
                assert!(
                    repaired.starts_with("opened"),
                    "{} {damage}: repair failed: {repaired}",
                    file.display()
                );
            }
            outcomes.push(format!("{} {damage}: {outcome}", file.display()));
        }
    }
    assert!(
        outcomes.iter().filter(|o| o.contains("error")).count() >= 6,
        "{outcomes:#?}"
    );
}

fn open_outcome(storage: Result<SledStorage, StorageError>) -> String {
    match storage {
        Err(err) => format!("error opening: {err}"),
        Ok(storage) => match Graph::open(storage) {
            Err(err) => format!("error loading: {err}"),
            Ok(graph) => {
                // Whatever loaded must be self-consistent.
                for edge in block_on(graph.get_edges(None, None, None)).unwrap() {
                    assert!(block_on(graph.contains_node(&edge.source)).unwrap());
                    assert!(block_on(graph.contains_node(&edge.target)).unwrap());
                }
                format!(
                    "opened with {} nodes",
                    block_on(graph.count_nodes()).unwrap()
                )
            }
        },
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if std::fs::metadata(&path).unwrap().len() > 0 {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}
