//! Backups, restore, point-in-time recovery, the change log and integrity checks.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{node_rows, props};
use knowledge_graph::backup::{verify_backup, verify_chain, BackupKind, RestoreOptions};
use knowledge_graph::{
    block_on, Error, Graph, GraphOptions, IntegrityProblem, Keyspace, MemoryStorage, SledStorage,
    Storage, Value, WriteBatch,
};

fn open_sled(path: &Path) -> Graph<SledStorage> {
    Graph::open(SledStorage::open(path).unwrap()).unwrap()
}

fn with_clock(path: &Path, clock: fn() -> i64) -> Graph<SledStorage> {
    let options = GraphOptions {
        clock,
        ..GraphOptions::default()
    };
    Graph::with_options(SledStorage::open(path).unwrap(), options)
        .map_err(|(_, e)| e)
        .unwrap()
}

/// Every edge with its id, endpoints, time and properties, in id order.
fn edge_rows<S: Storage>(graph: &Graph<S>) -> Vec<String> {
    block_on(graph.get_edges(None, None, None))
        .unwrap()
        .into_iter()
        .map(|e| format!("{e:?}"))
        .collect()
}

/// Everything a user can see: nodes, edges, indexes, counts, and the
/// snapshot bytes (which hold every record and index entry).
type Content = (
    Vec<(String, String, String)>,
    Vec<String>,
    String,
    usize,
    usize,
    Vec<u8>,
);

fn content<S: Storage>(graph: &Graph<S>) -> Content {
    (
        node_rows(graph),
        edge_rows(graph),
        format!("{:?}", graph.indexes()),
        block_on(graph.count_nodes()).unwrap(),
        block_on(graph.count_edges()).unwrap(),
        graph.to_snapshot().unwrap(),
    )
}

async fn populate<S: Storage>(graph: &Graph<S>, prefix: &str, n: usize) {
    let mut batch = graph.batch();
    for i in 0..n {
        batch
            .add_node(
                "user",
                &format!("{prefix}{i}"),
                &props(&[
                    ("name", Value::from(format!("user {i}"))),
                    ("age", Value::Int(20 + (i % 50) as i64)),
                    ("city", Value::from(["Oslo", "Lima", "Pune"][i % 3])),
                ]),
            )
            .unwrap();
    }
    for i in 0..n {
        let target = format!("{prefix}{}", (i * 7 + 1) % n);
        let p = props(&[("weight", Value::Float(i as f64 / 10.0))]);
        batch
            .add_edge("follows", &format!("{prefix}{i}"), &target, Some(p))
            .unwrap();
    }
    batch.commit().await.unwrap();
}

async fn sample_graph(path: &Path) -> Graph<SledStorage> {
    let graph = open_sled(path);
    graph.create_index("user", "city").await.unwrap();
    graph.create_edge_index("follows", "weight").await.unwrap();
    populate(&graph, "u", 300).await;
    graph.remove_node("u5").await.unwrap();
    graph
        .update_node("u6", &props(&[("city", Value::from("Rome"))]))
        .await
        .unwrap();
    graph
}

#[tokio::test]
async fn restore_gives_identical_content_from_a_directory_and_its_tar_gz() {
    let dir = tempfile::tempdir().unwrap();
    let graph = sample_graph(&dir.path().join("db")).await;
    let expected = content(&graph);
    let backup = dir.path().join("backup_1");
    let info = graph.backup(&backup).await.unwrap();
    assert_eq!(info.kind, BackupKind::Full);
    assert_eq!(info.nodes, 299);
    assert_eq!(info.edges as usize, expected.4);
    assert_eq!(verify_backup(&backup).unwrap(), info);

    let target = dir.path().join("restored");
    let restored = Graph::restore(&backup, &target).await.unwrap();
    assert_eq!(restored.sequence, info.sequence);
    let again = open_sled(&target);
    assert_eq!(content(&again), expected);
    again.verify_integrity().await.unwrap();
    drop(again);
    // Written by three threads, the batches of 1,000 records handed round:
    // the same database.
    let larger = sample_graph(&dir.path().join("larger_db")).await;
    populate(&larger, "w", 2_000).await;
    let larger_backup = dir.path().join("larger_backup");
    let larger_info = larger.backup(&larger_backup).await.unwrap();
    assert!(larger_info.records > 5_000, "{larger_info:?}");
    let threaded = dir.path().join("threaded");
    let options = RestoreOptions::default().writers(3);
    let no_incrementals: &[&Path] = &[];
    Graph::restore_with(&larger_backup, no_incrementals, &threaded, &options)
        .await
        .unwrap();
    let again = open_sled(&threaded);
    assert_eq!(content(&again), content(&larger));
    again.verify_integrity().await.unwrap();
    drop((again, larger));

    // The spec's script: tar -czf "$BACKUP_PATH.tar.gz" -C "$BACKUP_PATH" .
    let tarball = dir.path().join("backup_1.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&tarball)
        .arg("-C")
        .arg(&backup)
        .arg(".")
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(verify_backup(&tarball).unwrap(), info);
    let from_tar = dir.path().join("from_tar");
    Graph::restore(&tarball, &from_tar).await.unwrap();
    assert_eq!(content(&open_sled(&from_tar)), expected);

    // The spec's Rust example: tar -czf x.tar.gz <backup dir> (members in a subdirectory).
    let nested = dir.path().join("nested.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&nested)
        .arg("-C")
        .arg(dir.path())
        .arg("backup_1")
        .status()
        .unwrap();
    assert!(status.success());
    let from_nested = dir.path().join("from_nested");
    Graph::restore(&nested, &from_nested).await.unwrap();
    assert_eq!(content(&open_sled(&from_nested)), expected);

    // A memory graph backs up the same way.
    let memory = Graph::new(MemoryStorage::new());
    populate(&memory, "m", 50).await;
    memory.backup(dir.path().join("mem")).await.unwrap();
    Graph::restore(dir.path().join("mem"), dir.path().join("mem_db"))
        .await
        .unwrap();
    assert_eq!(
        content(&open_sled(&dir.path().join("mem_db"))).5,
        memory.to_snapshot().unwrap()
    );
}

#[tokio::test]
async fn backup_and_restore_refuse_occupied_directories() {
    let dir = tempfile::tempdir().unwrap();
    let graph = sample_graph(&dir.path().join("db")).await;
    let backup = dir.path().join("b");
    // An empty existing directory is fine (the spec's incremental example makes one).
    std::fs::create_dir(&backup).unwrap();
    graph.backup(&backup).await.unwrap();
    let err = graph.backup(&backup).await.unwrap_err().to_string();
    assert!(err.contains("not empty"), "{err}");
    let err = Graph::restore(&backup, dir.path().join("db"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("not empty"), "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[tokio::test]
async fn damaged_backups_are_refused_and_restore_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let graph = sample_graph(&dir.path().join("db")).await;
    let good = dir.path().join("good");
    graph.backup(&good).await.unwrap();
    let snapshot_len = std::fs::metadata(good.join("graph.mayakgs")).unwrap().len();

    type Damage = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Damage, &[&str])> = vec![
        (
            "flipped byte",
            Box::new(|p: &Path| {
                let file = p.join("graph.mayakgs");
                let mut bytes = std::fs::read(&file).unwrap();
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x10;
                std::fs::write(&file, bytes).unwrap();
            }),
            &["graph.mayakgs"],
        ),
        (
            "truncated snapshot",
            Box::new(move |p: &Path| {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(p.join("graph.mayakgs"))
                    .unwrap();
                file.set_len(snapshot_len - 100).unwrap();
            }),
            &["graph.mayakgs", "truncated"],
        ),
        (
            "truncated manifest",
            Box::new(|p: &Path| {
                let file = p.join("MANIFEST");
                let bytes = std::fs::read(&file).unwrap();
                std::fs::write(&file, &bytes[..bytes.len() - 20]).unwrap();
            }),
            &["MANIFEST", "truncated"],
        ),
        (
            "flipped manifest",
            Box::new(|p: &Path| {
                let file = p.join("MANIFEST");
                let text = std::fs::read_to_string(&file).unwrap();
                std::fs::write(&file, text.replace("nodes=299", "nodes=298")).unwrap();
            }),
            &["MANIFEST", "checksum"],
        ),
        (
            "missing snapshot",
            Box::new(|p: &Path| std::fs::remove_file(p.join("graph.mayakgs")).unwrap()),
            &["missing graph.mayakgs"],
        ),
        (
            "missing manifest",
            Box::new(|p: &Path| std::fs::remove_file(p.join("MANIFEST")).unwrap()),
            &["has no MANIFEST"],
        ),
        (
            "snapshot from another backup",
            Box::new(|p: &Path| {
                let other = Graph::new(MemoryStorage::new());
                block_on(populate(&other, "x", 3));
                let bytes = other.to_snapshot().unwrap();
                std::fs::write(p.join("graph.mayakgs"), bytes).unwrap();
            }),
            &["does not match the MANIFEST"],
        ),
    ];
    for (i, (what, damage, words)) in cases.into_iter().enumerate() {
        let copy = dir.path().join(format!("case{i}"));
        copy_dir(&good, &copy);
        damage(&copy);
        let err = verify_backup(&copy).unwrap_err().to_string();
        for word in words {
            assert!(err.contains(word), "{what}: {err}");
        }
        for writers in [1, 2] {
            let target = dir.path().join(format!("target{i}-{writers}"));
            let options = RestoreOptions::default().writers(writers);
            let no_incrementals: &[&Path] = &[];
            let err = Graph::restore_with(&copy, no_incrementals, &target, &options)
                .await
                .unwrap_err()
                .to_string();
            for word in words {
                assert!(err.contains(word), "{what}, {writers} writers: {err}");
            }
            assert!(!target.exists(), "{what}: restore left {target:?} behind");
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("restoring"))
            .collect();
        assert!(leftovers.is_empty(), "{what}: {leftovers:?}");
    }

    // A truncated .tar.gz.
    let tarball = dir.path().join("good.tar.gz");
    assert!(Command::new("tar")
        .arg("-czf")
        .arg(&tarball)
        .arg("-C")
        .arg(&good)
        .arg(".")
        .status()
        .unwrap()
        .success());
    let bytes = std::fs::read(&tarball).unwrap();
    std::fs::write(&tarball, &bytes[..bytes.len() / 2]).unwrap();
    let err = verify_backup(&tarball).unwrap_err().to_string();
    assert!(err.contains("good.tar.gz"), "{err}");
    let target = dir.path().join("from_bad_tar");
    assert!(Graph::restore(&tarball, &target).await.is_err());
    assert!(!target.exists());

    let err = verify_backup(dir.path().join("nothing"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not exist"), "{err}");
}

// ----- hot backups ------------------------------------------------------------

/// Pair `n` is removed by the commit that adds pair `n + 2` when that is a multiple of 3.
fn pair_removed_by(n: i64) -> Option<i64> {
    ((n + 2) % 3 == 0).then_some(n + 2)
}

#[test]
fn hot_backup_while_writers_commit_restores_a_committed_state() {
    let dir = tempfile::tempdir().unwrap();
    let graph = open_sled(&dir.path().join("db"));
    block_on(async {
        // Enough records that a backup takes a while.
        populate(&graph, "u", 5_000).await;
        graph.create_index("pair", "n").await.unwrap();
        graph
            .add_node("account", "a", &props(&[("balance", Value::Int(1000))]))
            .await
            .unwrap();
        graph
            .add_node("account", "b", &props(&[("balance", Value::Int(0))]))
            .await
            .unwrap();
    });
    // Writers pause between commits so the graph grows slowly.
    const PACE: Duration = Duration::from_micros(500);
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    // Moves money between the two accounts: the total stays 1000.
    {
        let (graph, stop) = (graph.clone(), stop.clone());
        writers.push(std::thread::spawn(move || {
            let mut moves = 0i64;
            while !stop.load(Ordering::Relaxed) {
                block_on(async {
                    let mut tx = graph.begin().await.unwrap();
                    let balance = |id: &str| {
                        let node = block_on(graph.get_node(id)).unwrap().unwrap();
                        node.properties
                            .get("balance")
                            .and_then(Value::as_i64)
                            .unwrap()
                    };
                    let (a, b) = (balance("a"), balance("b"));
                    let amount = (moves % 7) + 1;
                    let (a, b) = if a >= amount {
                        (a - amount, b + amount)
                    } else {
                        (a + b, 0)
                    };
                    tx.update_node("a", &props(&[("balance", Value::Int(a))]))
                        .unwrap();
                    tx.update_node("b", &props(&[("balance", Value::Int(b))]))
                        .unwrap();
                    tx.commit().await.unwrap();
                });
                moves += 1;
                std::thread::sleep(PACE);
            }
        }));
    }
    // Adds nodes in pairs joined by an edge (the nodes are twice the edges)
    // and removes some older pairs, see `pair_removed_by`.
    {
        let (graph, stop) = (graph.clone(), stop.clone());
        writers.push(std::thread::spawn(move || {
            let mut n = 0i64;
            while !stop.load(Ordering::Relaxed) {
                let mut batch = graph.batch();
                for side in ["l", "r"] {
                    let p = props(&[("n", Value::Int(n))]);
                    batch.add_node("pair", &format!("{side}{n}"), &p).unwrap();
                }
                batch
                    .add_edge("joins", &format!("l{n}"), &format!("r{n}"), None)
                    .unwrap();
                if n >= 2 && pair_removed_by(n - 2) == Some(n) {
                    batch.remove_node(&format!("l{}", n - 2));
                    batch.remove_node(&format!("r{}", n - 2));
                }
                block_on(batch.commit()).unwrap();
                n += 1;
                std::thread::sleep(PACE);
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut during = 0;
    let backups: Vec<PathBuf> = (0..3)
        .map(|i| {
            let path = dir.path().join(format!("hot{i}"));
            let before = graph.change_log_position().0;
            let info = block_on(graph.backup(&path)).unwrap();
            during += info.sequence - before;
            std::thread::sleep(Duration::from_millis(100));
            path
        })
        .collect();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    // Writers were not held up while the backups streamed: the backups hold
    // commits made after they began (with writers waiting, a handful at most).
    assert!(during >= 20, "only {during} commits during three backups");
    for (i, backup) in backups.iter().enumerate() {
        let target = dir.path().join(format!("restored{i}"));
        block_on(Graph::restore(backup, &target)).unwrap();
        let restored = open_sled(&target);
        block_on(restored.verify_integrity()).unwrap();
        let balance = |id: &str| {
            block_on(restored.get_node(id))
                .unwrap()
                .unwrap()
                .properties
                .get("balance")
                .and_then(Value::as_i64)
                .unwrap()
        };
        assert_eq!(balance("a") + balance("b"), 1000, "backup {i}");
        let mut pairs: Vec<i64> = block_on(restored.get_nodes(Some("pair"), None))
            .unwrap()
            .iter()
            .filter(|node| node.id.starts_with('r'))
            .map(|node| node.get("n").and_then(Value::as_i64).unwrap())
            .collect();
        let edges = block_on(restored.get_edges(Some("joins"), None, None)).unwrap();
        assert_eq!(pairs.len(), edges.len(), "backup {i}");
        // Exactly the pairs of a prefix of the commits: all up to the last
        // one added, less those removed by then.
        let last = *pairs.iter().max().expect("backup taken before any pair");
        let expected: Vec<i64> = (0..=last)
            .filter(|&n| pair_removed_by(n).is_none_or(|by| by > last))
            .collect();
        pairs.sort_unstable();
        assert_eq!(pairs, expected, "backup {i}");
        assert_eq!(
            block_on(restored.count_nodes()).unwrap(),
            5_000 + 2 + 2 * pairs.len()
        );
        let sequence = verify_backup(backup).unwrap().sequence;
        assert_eq!(restored.change_log_position(), (sequence, sequence));
    }
}

// ----- point-in-time recovery ---------------------------------------------------

static PIT_CLOCK: AtomicI64 = AtomicI64::new(1_000);

fn pit_clock() -> i64 {
    PIT_CLOCK.load(Ordering::Relaxed)
}

fn at(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms as u64)
}

#[tokio::test]
async fn point_in_time_recovery_replays_exactly_up_to_the_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name);
    let graph = with_clock(&d("db"), pit_clock);
    graph.create_index("user", "city").await.unwrap();
    populate(&graph, "base", 20).await;
    graph.backup(d("base")).await.unwrap();

    PIT_CLOCK.store(2_000, Ordering::Relaxed);
    populate(&graph, "a", 10).await;
    graph.remove_node("base3").await.unwrap();
    let changes = graph.get_changes_since_last_backup().await.unwrap();
    assert_eq!(changes.len(), 2);
    graph.backup_incremental(d("inc1"), &changes).await.unwrap();
    let after_a = graph.to_snapshot().unwrap();

    PIT_CLOCK.store(3_000, Ordering::Relaxed);
    graph
        .update_node("a1", &props(&[("city", Value::from("Bergen"))]))
        .await
        .unwrap();
    populate(&graph, "b", 5).await;
    graph.create_edge_index("follows", "weight").await.unwrap();
    let after_b = graph.to_snapshot().unwrap();
    let changes = graph.get_changes_since_last_backup().await.unwrap();
    graph.backup_incremental(d("inc2"), &changes).await.unwrap();

    PIT_CLOCK.store(5_000, Ordering::Relaxed);
    graph.remove_node("b1").await.unwrap();
    populate(&graph, "c", 5).await;
    let after_c = graph.to_snapshot().unwrap();
    let changes = graph.get_changes_since_last_backup().await.unwrap();
    let info = graph.backup_incremental(d("inc3"), &changes).await.unwrap();
    assert_eq!(info.kind, BackupKind::Incremental);
    assert_eq!(verify_backup(d("inc3")).unwrap(), info);
    assert!(graph
        .get_changes_since_last_backup()
        .await
        .unwrap()
        .is_empty());

    let incrementals = [d("inc3"), d("inc1"), d("inc2")];
    let snapshot_of = |path: &Path| open_sled(path).to_snapshot().unwrap();
    for (name, until, expected) in [
        ("t1500", Some(at(1_500)), graph_snapshot_at_base(&d("base"))),
        ("t2500", Some(at(2_500)), after_a.clone()),
        ("t4000", Some(at(4_000)), after_b.clone()),
        ("all", None, after_c.clone()),
    ] {
        Graph::restore_until(d("base"), &incrementals, d(name), until)
            .await
            .unwrap();
        assert_eq!(snapshot_of(&d(name)), expected, "until {name}");
        open_sled(&d(name)).verify_integrity().await.unwrap();
    }

    // The spec's flow: restore the base, then apply incrementals one by one.
    Graph::restore(d("base"), d("stepwise")).await.unwrap();
    for inc in ["inc1", "inc2"] {
        Graph::apply_incremental(d(inc), d("stepwise"))
            .await
            .unwrap();
    }
    // Applying one twice does nothing.
    Graph::apply_incremental(d("inc2"), d("stepwise"))
        .await
        .unwrap();
    assert_eq!(snapshot_of(&d("stepwise")), after_b);

    let chain = verify_chain(d("base"), &incrementals).unwrap();
    let sequences: Vec<(u64, u64)> = chain
        .iter()
        .map(|i| (i.base_sequence, i.sequence))
        .collect();
    assert_eq!(sequences.len(), 4);
    assert!(
        sequences.windows(2).all(|w| w[1].0 == w[0].1),
        "{sequences:?}"
    );
    let err = verify_chain(d("base"), &[d("inc3"), d("inc1")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("inc3") && err.contains("missing"), "{err}");

    // A missing incremental is named, and nothing is written.
    let err = Graph::restore_until(d("base"), &[d("inc1"), d("inc3")], d("gap"), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("inc3") && err.contains("missing"), "{err}");
    assert!(!d("gap").exists());
    let err = Graph::restore_until(d("base"), &[d("inc2")], d("gap"), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("inc2") && err.contains("missing"), "{err}");
    assert!(!d("gap").exists());
    Graph::restore(d("base"), d("gap2")).await.unwrap();
    let err = Graph::apply_incremental(d("inc3"), d("gap2"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing"), "{err}");

    // The restored graph keeps counting where the original was.
    let restored = with_clock(&d("all"), pit_clock);
    let (sequence, covered) = restored.change_log_position();
    assert_eq!((sequence, covered), graph.change_log_position());
    restored.add_node("user", "new", &()).await.unwrap();
    let changes = restored.get_changes_since_last_backup().await.unwrap();
    assert_eq!(changes.changes()[0].sequence, sequence + 1);
}

fn graph_snapshot_at_base(backup: &Path) -> Vec<u8> {
    let bytes = std::fs::read(backup.join("graph.mayakgs")).unwrap();
    Graph::from_snapshot(&bytes, MemoryStorage::new())
        .unwrap()
        .to_snapshot()
        .unwrap()
}

// ----- the change log -----------------------------------------------------------

fn log_entries<S: Storage>(storage: &S) -> usize {
    let mut n = 0;
    storage
        .scan_prefix(Keyspace::Log, b"", &mut |_, _| {
            n += 1;
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
    n
}

#[tokio::test]
async fn change_log_survives_reopen_and_backups_prune_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let graph = open_sled(&path);
        graph.add_node("user", "1", &()).await.unwrap();
        graph.add_node("user", "2", &()).await.unwrap();
        graph.add_edge("follows", "1", "2", None).await.unwrap();
        // A commit that changes nothing takes no sequence number.
        graph.create_index("user", "x").await.unwrap();
        graph.create_index("user", "x").await.unwrap();
    }
    let graph = open_sled(&path);
    let changes = graph.get_changes_since_last_backup().await.unwrap();
    let sequences: Vec<u64> = changes.changes().iter().map(|c| c.sequence).collect();
    assert_eq!(sequences, [1, 2, 3, 4]);
    let stamps = graph.get_latest_timestamps().await.unwrap();
    assert_eq!(stamps["sequence"], 4);
    assert_eq!(stamps["backup_sequence"], 0);
    assert_eq!(stamps["pending_changes"], 4);
    assert!(stamps["commit_time_ms"] > 1_600_000_000_000);
    assert_eq!(log_entries(graph.storage()), 4);

    graph.backup(dir.path().join("full")).await.unwrap();
    assert_eq!(log_entries(graph.storage()), 0);
    assert!(graph
        .get_changes_since_last_backup()
        .await
        .unwrap()
        .is_empty());
    graph.add_node("user", "3", &()).await.unwrap();
    graph.remove_node("1").await.unwrap();
    let changes = graph.get_changes_since_last_backup().await.unwrap();
    assert_eq!((changes.base_sequence(), changes.last_sequence()), (4, 6));
    graph
        .backup_incremental(dir.path().join("inc"), &changes)
        .await
        .unwrap();
    assert_eq!(log_entries(graph.storage()), 0);
    // Backups prune a long log in rounds; some entries stay behind, uncovered.
    for i in 0..25_000 {
        graph
            .update_node("3", &props(&[("i", Value::Int(i))]))
            .await
            .unwrap();
    }
    let changes = graph.get_changes_since_last_backup().await.unwrap();
    assert_eq!(changes.len(), 25_000);
    graph.add_node("user", "4", &()).await.unwrap();
    graph
        .backup_incremental(dir.path().join("inc-long"), &changes)
        .await
        .unwrap();
    assert_eq!(log_entries(graph.storage()), 1);
    let changes = graph.get_changes_since_last_backup().await.unwrap();
    assert_eq!(changes.len(), 1);
    graph
        .backup_incremental(dir.path().join("inc-last"), &changes)
        .await
        .unwrap();
    assert_eq!(log_entries(graph.storage()), 0);
    drop(graph);
    let graph = open_sled(&path);
    assert_eq!(graph.change_log_position(), (25_007, 25_007));
    assert!(graph
        .get_changes_since_last_backup()
        .await
        .unwrap()
        .is_empty());
    graph.verify_integrity().await.unwrap();
}

#[tokio::test]
async fn change_log_off_writes_no_entries_and_leaves_a_gap() {
    let options = GraphOptions {
        change_log: Some(false),
        ..GraphOptions::default()
    };
    let graph = Graph::with_options(MemoryStorage::new(), options)
        .map_err(|(_, e)| e)
        .unwrap();
    populate(&graph, "u", 20).await;
    graph.add_node("user", "x", &()).await.unwrap();
    assert_eq!(graph.storage().len(Keyspace::Log), 0);
    let err = graph
        .get_changes_since_last_backup()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("change log is off"), "{err}");

    // Commits made with the log off are a gap the next incremental refuses.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let graph = open_sled(&path);
        graph.add_node("user", "1", &()).await.unwrap();
    }
    {
        let storage = SledStorage::open(&path).unwrap();
        let graph = Graph::with_options(storage, options)
            .map_err(|(_, e)| e)
            .unwrap();
        graph.add_node("user", "2", &()).await.unwrap();
        assert_eq!(log_entries(graph.storage()), 1);
    }
    let graph = open_sled(&path);
    graph.add_node("user", "3", &()).await.unwrap();
    let err = graph
        .get_changes_since_last_backup()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("change log off"), "{err}");
    graph.backup(dir.path().join("full")).await.unwrap();
    assert!(graph
        .get_changes_since_last_backup()
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_storage_decides_whether_the_change_log_is_kept_unless_options_say() {
    // In memory the log would only grow: off unless asked for.
    let memory = Graph::new(MemoryStorage::new());
    memory.add_node("user", "1", &()).await.unwrap();
    assert_eq!(memory.storage().len(Keyspace::Log), 0);
    assert!(memory.get_changes_since_last_backup().await.is_err());
    let options = GraphOptions {
        change_log: Some(true),
        ..GraphOptions::default()
    };
    let logged = Graph::with_options(MemoryStorage::new(), options)
        .map_err(|(_, e)| e)
        .unwrap();
    logged.add_node("user", "1", &()).await.unwrap();
    assert_eq!(logged.storage().len(Keyspace::Log), 1);
    assert_eq!(
        logged.get_changes_since_last_backup().await.unwrap().len(),
        1
    );

    // sled keeps it by default.
    let dir = tempfile::tempdir().unwrap();
    let sled = Graph::new(SledStorage::open(dir.path().join("db")).unwrap());
    sled.add_node("user", "1", &()).await.unwrap();
    assert_eq!(log_entries(sled.storage()), 1);
}

#[tokio::test]
async fn snapshots_are_the_same_with_or_without_the_change_log() {
    let make = |change_log| {
        let options = GraphOptions {
            change_log: Some(change_log),
            clock: || 1_700_000_000_000,
            ..GraphOptions::default()
        };
        Graph::with_options(MemoryStorage::new(), options)
            .map_err(|(_, e)| e)
            .unwrap()
    };
    let (on, off) = (make(true), make(false));
    for graph in [&on, &off] {
        graph.create_index("user", "city").await.unwrap();
        populate(graph, "u", 30).await;
    }
    assert!(on.storage().len(Keyspace::Log) > 0);
    assert_eq!(on.to_snapshot().unwrap(), off.to_snapshot().unwrap());
}

// ----- integrity ----------------------------------------------------------------

fn problems(err: Error) -> Vec<IntegrityProblem> {
    match err {
        Error::Integrity(report) => {
            assert!(!report.is_ok());
            report.problems
        }
        other => panic!("expected an integrity error, got {other}"),
    }
}

fn first_index_entry<S: Storage>(storage: &S) -> Vec<u8> {
    let mut first = None;
    storage
        .scan_prefix(Keyspace::Index, b"", &mut |key, _| {
            first = Some(key.to_vec());
            std::ops::ControlFlow::Break(())
        })
        .unwrap();
    first.unwrap()
}

async fn damage_and_check<S: Storage>(make: impl Fn() -> Graph<S>) {
    // A bad record.
    let graph = make();
    let mut batch = WriteBatch::new();
    batch.put(Keyspace::Nodes, &b"u7"[..], &b"\x01garbage"[..]);
    graph.storage().apply(batch).unwrap();
    let found = problems(graph.verify_integrity().await.unwrap_err());
    assert!(
        found.iter().any(
            |p| matches!(p, IntegrityProblem::CorruptRecord { detail, .. } if detail.contains("u7"))
        ),
        "{found:?}"
    );

    // A missing index entry.
    let graph = make();
    let entry = first_index_entry(graph.storage());
    let mut batch = WriteBatch::new();
    batch.delete(Keyspace::Index, entry.clone());
    graph.storage().apply(batch).unwrap();
    let found = problems(graph.verify_integrity().await.unwrap_err());
    assert!(
        matches!(&found[..], [IntegrityProblem::MissingIndexEntry { index, record }] if index == "follows.weight" && record == "#0"),
        "{found:?}"
    );

    // A stale index entry.
    let graph = make();
    let mut stale = entry.clone();
    let n = stale.len();
    stale[n - 3] ^= 0x01; // another record id
    let mut batch = WriteBatch::new();
    batch.put(Keyspace::Index, stale, Vec::new());
    graph.storage().apply(batch).unwrap();
    let found = problems(graph.verify_integrity().await.unwrap_err());
    assert!(
        matches!(&found[..], [IntegrityProblem::StaleIndexEntry { .. }]),
        "{found:?}"
    );

    // A node record deleted underneath the graph.
    let graph = make();
    let mut batch = WriteBatch::new();
    batch.delete(Keyspace::Nodes, &b"u1"[..]);
    graph.storage().apply(batch).unwrap();
    let found = problems(graph.verify_integrity().await.unwrap_err());
    let has = |f: &dyn Fn(&IntegrityProblem) -> bool| found.iter().any(f);
    assert!(
        has(&|p| matches!(p, IntegrityProblem::DanglingEdge { node, .. } if node == "u1")),
        "{found:?}"
    );
    assert!(
        has(&|p| matches!(p, IntegrityProblem::StaleIndexEntry { record, .. } if record == "u1")),
        "{found:?}"
    );
    assert!(
        has(&|p| matches!(p, IntegrityProblem::CountMismatch { what: "nodes", .. })),
        "{found:?}"
    );
    assert!(
        has(
            &|p| matches!(p, IntegrityProblem::TopologyMismatch { detail } if detail.contains("'u1' is in memory"))
        ),
        "{found:?}"
    );
    let text = Error::Integrity(Box::new(graph.check_integrity().unwrap())).to_string();
    assert!(
        text.contains("integrity check failed") && text.contains("u1"),
        "{text}"
    );

    // A damaged change-log entry.
    let graph = make();
    let mut batch = WriteBatch::new();
    batch.put(
        Keyspace::Log,
        1u64.to_be_bytes(),
        &b"\x01\0\0\0\0broken"[..],
    );
    graph.storage().apply(batch).unwrap();
    let found = problems(graph.verify_integrity().await.unwrap_err());
    assert!(
        matches!(
            &found[..],
            [IntegrityProblem::CorruptRecord {
                keyspace: "log",
                ..
            }]
        ),
        "{found:?}"
    );
}

async fn healthy<S: Storage>(graph: Graph<S>) -> Graph<S> {
    graph.create_index("user", "city").await.unwrap();
    graph.create_edge_index("follows", "weight").await.unwrap();
    populate(&graph, "u", 40).await;
    graph.remove_node("u3").await.unwrap();
    let report = graph.verify_integrity().await.unwrap();
    assert!(report.is_ok());
    assert_eq!((report.nodes, report.edges), (39, 38));
    assert!(report.index_entries > 70);
    graph
}

#[tokio::test]
async fn verify_integrity_passes_healthy_graphs_and_reports_each_kind_of_damage() {
    damage_and_check(|| block_on(healthy(Graph::new(MemoryStorage::new())))).await;

    let dir = tempfile::tempdir().unwrap();
    let counter = std::cell::Cell::new(0);
    damage_and_check(|| {
        counter.set(counter.get() + 1);
        let path = dir.path().join(format!("db{}", counter.get()));
        drop(block_on(healthy(open_sled(&path))));
        // After reopen too.
        let graph = open_sled(&path);
        block_on(graph.verify_integrity()).unwrap();
        graph
    })
    .await;
}

// ----- model: random histories, restored at random times --------------------------

static MODEL_CLOCK: AtomicI64 = AtomicI64::new(0);

fn model_clock() -> i64 {
    MODEL_CLOCK.load(Ordering::Relaxed)
}

/// Applies one random operation; errors (a taken id, a missing node) are
/// part of the history too: they commit nothing.
async fn random_op(graph: &Graph<SledStorage>, kind: u8, a: u8, b: u8) {
    let node = |x: u8| format!("n{}", x % 12);
    let city = |x: u8| Value::from(["Oslo", "Lima", "Pune"][usize::from(x % 3)]);
    let _ = match kind % 6 {
        0 => {
            let p = props(&[("city", city(b)), ("n", Value::Int(i64::from(b)))]);
            graph.add_node("user", &node(a), &p).await
        }
        1 => {
            graph
                .update_node(&node(a), &props(&[("city", city(b))]))
                .await
        }
        2 => graph.remove_node(&node(a)).await,
        3 | 4 => {
            let p = props(&[("w", Value::Int(i64::from(b)))]);
            graph
                .add_edge("knows", &node(a), &node(b), Some(p))
                .await
                .map(drop)
        }
        _ => match graph.get_edges(None, None, None).await.unwrap().first() {
            Some(edge) => graph.remove_edge(edge.id).await,
            None => graph.create_index("user", "city").await,
        },
    };
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]

    /// Whatever the history and wherever the incremental backups fall,
    /// restoring until a time gives exactly the graph as it was then.
    #[test]
    fn restore_until_any_time_reproduces_that_state(
        ops in proptest::collection::vec((0u8..6, 0u8..255, 0u8..255, proptest::bool::weighted(0.15)), 1..60),
        picks in proptest::collection::vec(0usize..1000, 3),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let d = |name: &str| dir.path().join(name);
        MODEL_CLOCK.store(1_000_000, Ordering::Relaxed);
        let graph = with_clock(&d("db"), model_clock);
        block_on(graph.create_index("user", "n")).unwrap();
        block_on(graph.backup(d("base"))).unwrap();
        let mut history = vec![(model_clock(), graph.to_snapshot().unwrap())];
        let mut incrementals = Vec::new();
        for (kind, a, b, backup_now) in ops {
            MODEL_CLOCK.fetch_add(10, Ordering::Relaxed);
            block_on(random_op(&graph, kind, a, b));
            history.push((model_clock(), graph.to_snapshot().unwrap()));
            if backup_now {
                let changes = block_on(graph.get_changes_since_last_backup()).unwrap();
                let path = d(&format!("inc{}", incrementals.len()));
                block_on(graph.backup_incremental(&path, &changes)).unwrap();
                incrementals.push(path);
            }
        }
        let changes = block_on(graph.get_changes_since_last_backup()).unwrap();
        let path = d(&format!("inc{}", incrementals.len()));
        block_on(graph.backup_incremental(&path, &changes)).unwrap();
        incrementals.push(path);
        incrementals.reverse(); // any order will do
        for (i, pick) in picks.into_iter().enumerate() {
            let (time, expected) = &history[pick % history.len()];
            // Halfway to the next commit: still this state.
            let until = at(time + 5);
            let target = d(&format!("restored{i}"));
            block_on(Graph::restore_until(d("base"), &incrementals, &target, Some(until))).unwrap();
            let restored = open_sled(&target);
            proptest::prop_assert_eq!(&restored.to_snapshot().unwrap(), expected);
            block_on(restored.verify_integrity()).unwrap();
        }
    }
}

#[tokio::test]
async fn incrementals_only_chain_onto_backups_of_the_same_database() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    // Two databases with the same history shape: sequence numbers line up.
    let a = open_sled(&p("a"));
    let b = open_sled(&p("b"));
    for graph in [&a, &b] {
        graph.add_node("user", "1", &()).await.unwrap();
    }
    a.backup(p("a-full")).await.unwrap();
    b.backup(p("b-full")).await.unwrap();
    let a_info = knowledge_graph::backup::verify_backup(p("a-full")).unwrap();
    let b_info = knowledge_graph::backup::verify_backup(p("b-full")).unwrap();
    assert!(a_info.lineage.is_some());
    assert_ne!(a_info.lineage, b_info.lineage);
    for graph in [&a, &b] {
        graph.add_node("user", "2", &()).await.unwrap();
    }
    let changes = b.get_changes_since_last_backup().await.unwrap();
    b.backup_incremental(p("b-inc"), &changes).await.unwrap();

    let err = knowledge_graph::backup::verify_chain(p("a-full"), &[p("b-inc")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("another database") && err.contains("b-inc"),
        "{err}"
    );
    let err = Graph::restore_until(p("a-full"), &[p("b-inc")], p("mixed"), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("another database"), "{err}");
    assert!(!p("mixed").exists());
    Graph::restore(p("a-full"), p("a-restored")).await.unwrap();
    let err = Graph::apply_incremental(p("b-inc"), p("a-restored"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("another database"), "{err}");

    // A restored database continues its origin's lineage: its incrementals
    // chain onto the origin's full backup.
    Graph::restore(p("b-full"), p("b-restored")).await.unwrap();
    Graph::apply_incremental(p("b-inc"), p("b-restored"))
        .await
        .unwrap();
    let restored = open_sled(&p("b-restored"));
    restored.add_node("user", "3", &()).await.unwrap();
    let changes = restored.get_changes_since_last_backup().await.unwrap();
    restored
        .backup_incremental(p("b-inc-2"), &changes)
        .await
        .unwrap();
    drop(restored);
    let chain =
        knowledge_graph::backup::verify_chain(p("b-full"), &[p("b-inc"), p("b-inc-2")]).unwrap();
    assert!(chain.iter().all(|info| info.lineage == b_info.lineage));
    Graph::restore_until(p("b-full"), &[p("b-inc"), p("b-inc-2")], p("b-again"), None)
        .await
        .unwrap();
    assert_eq!(block_on(open_sled(&p("b-again")).count_nodes()).unwrap(), 3);
}
