//! Benchmarks backups on sled: a full backup of the generated social graph
//! (see `bench_core`), verifying it, restoring it (from the directory and
//! from its `.tar.gz`), and what the change log costs writers (single-node
//! commits and a bulk import, change log on versus off). Prints markdown tables.
//!
//! ```text
//! cargo run --release --example bench_backup -- --users 100000
//! ```
#[path = "support/social.rs"]
mod social;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use knowledge_graph::backup::{verify_backup, RestoreOptions};
use knowledge_graph::{block_on, Graph, GraphOptions, SledStorage};
use social::{arg, rate, user, Rng};

fn sled_graph(path: &std::path::Path, change_log: bool) -> Graph<SledStorage> {
    let options = GraphOptions {
        change_log: Some(change_log),
        ..GraphOptions::default()
    };
    Graph::with_options(SledStorage::open(path).unwrap(), options)
        .map_err(|(_, e)| e)
        .unwrap()
}

fn secs(f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64()
}

fn dir_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum()
}

fn main() {
    let users: usize = arg("--users").map_or(100_000, |v| v.parse().expect("--users N"));
    let single = users.min(100_000);
    let work = tempfile::tempdir().unwrap();
    let path = |name: &str| work.path().join(name);
    println!(
        "users: {users}, edges: {}, single-node commits: {single}",
        users * 10
    );

    // ----- backup and restore ----------------------------------------------------
    let graph = sled_graph(&path("db"), true);
    block_on(graph.create_index("user", "city")).unwrap();
    let import_on = secs(|| social::import(&graph, users, 10));
    eprintln!("imported in {import_on:.2} s");

    let mut info = None;
    let backup_secs = secs(|| info = Some(block_on(graph.backup(path("full"))).unwrap()));
    let info = info.unwrap();
    // sled consolidates the pages of fresh writes on their first read, which
    // the first backup after the import pays for; a second one does not.
    let second_backup_secs = secs(|| {
        block_on(graph.backup(path("second"))).unwrap();
    });
    // A third while another thread commits single-node inserts: the backup
    // copies without a lock, then replays what was committed meanwhile.
    let stop = AtomicBool::new(false);
    let (mut busy_secs, mut caught_up) = (0.0, 0);
    let (writer_commits, longest_commit) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let (mut n, mut longest) = (0, Duration::ZERO);
            let mut rng = Rng(5);
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                block_on(graph.add_node("user", &format!("w{n}"), &user(n, &mut rng))).unwrap();
                longest = longest.max(started.elapsed());
                n += 1;
            }
            (n, longest)
        });
        std::thread::sleep(Duration::from_millis(200));
        let before = graph.change_log_position().0;
        busy_secs = secs(|| {
            let info = block_on(graph.backup(path("busy"))).unwrap();
            caught_up = info.sequence - before;
        });
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap()
    });
    let records = info.records as f64;
    let bytes = dir_bytes(&path("full"));
    drop(graph);

    let verify_secs = secs(|| {
        verify_backup(path("full")).unwrap();
    });
    let restore_secs = secs(|| {
        block_on(Graph::restore(path("full"), path("restored"))).unwrap();
    });
    // Two writer threads: faster only under an allocator that scales across
    // threads (maya-cli runs on mimalloc); this program uses the system's.
    let two_writers_secs = secs(|| {
        let options = RestoreOptions::default().writers(2);
        let no_incrementals: &[&std::path::Path] = &[];
        block_on(Graph::restore_with(
            path("full"),
            no_incrementals,
            path("two_writers"),
            &options,
        ))
        .unwrap();
    });
    let open_secs = secs(|| {
        let restored = Graph::open(SledStorage::open(path("restored")).unwrap()).unwrap();
        assert_eq!(block_on(restored.count_nodes()).unwrap(), users);
    });
    // The ceiling for restore: raw sled writing the restored database's
    // keys and values one by one into a new database, then flushing.
    let raw: Vec<(sled::IVec, sled::IVec)> = {
        let db = sled::open(path("restored")).unwrap();
        db.iter().map(Result::unwrap).collect()
    };
    let raw_secs = secs(|| {
        let db = sled::open(path("raw")).unwrap();
        for (key, value) in &raw {
            db.insert(key, value).unwrap();
        }
        db.flush().unwrap();
    });
    let raw_records = raw.len();
    drop(raw);
    let tar_secs = secs(|| {
        let status = std::process::Command::new("tar")
            .arg("-czf")
            .arg(path("full.tar.gz"))
            .arg("-C")
            .arg(path("full"))
            .arg(".")
            .status()
            .unwrap();
        assert!(status.success());
    });
    let tar_restore_secs = secs(|| {
        block_on(Graph::restore(path("full.tar.gz"), path("from_tar"))).unwrap();
    });
    println!();
    println!(
        "| operation ({} records: {} nodes, {} edges, the rest index entries and meta; {:.0} MB) | time | records/s |",
        info.records,
        info.nodes,
        info.edges,
        bytes as f64 / 1e6
    );
    println!("|---|---|---|");
    for (what, secs) in [
        (
            "hot backup (`graph.backup`), first after the import",
            backup_secs,
        ),
        ("hot backup, again", second_backup_secs),
        (
            "hot backup while another thread commits single-node inserts",
            busy_secs,
        ),
        (
            "verify (`backup::verify_backup`, every record)",
            verify_secs,
        ),
        (
            "restore from the directory (`Graph::restore`)",
            restore_secs,
        ),
        (
            "restore with two writer threads (`RestoreOptions::writers(2)`), system allocator",
            two_writers_secs,
        ),
        ("open the restored graph (`Graph::open`)", open_secs),
        (
            "raw sled: insert the restored database's keys one by one, then flush",
            raw_secs,
        ),
        ("`tar -czf` of the directory (system tar)", tar_secs),
        ("restore from the .tar.gz", tar_restore_secs),
    ] {
        println!("| {what} | {secs:.2} s | {:.0} |", records / secs);
    }
    println!();
    println!(
        "The raw sled row wrote {raw_records} keys (the records and the database's own meta keys)."
    );
    println!(
        "During the busy backup the writer made {writer_commits} commits in all, the backup \
         caught up {caught_up} commits, and the writer's slowest commit took {:.1} ms.",
        longest_commit.as_secs_f64() * 1e3
    );

    // ----- what the change log costs writers ---------------------------------------
    let mut rows = Vec::new();
    for change_log in [false, true] {
        let name = if change_log { "on" } else { "off" };
        let mut rng = Rng(7);
        let node_insert = rate(3, single, |run| {
            let graph = sled_graph(&path(&format!("single-{name}-{run}")), change_log);
            for i in 0..single {
                block_on(graph.add_node("user", &format!("u{i}"), &user(i, &mut rng))).unwrap();
            }
            block_on(graph.flush()).unwrap();
        });
        let graph = sled_graph(&path(&format!("import-{name}")), change_log);
        block_on(graph.create_index("user", "city")).unwrap();
        let import = secs(|| social::import(&graph, users, 10));
        let written = graph.metrics().io.bytes_written;
        rows.push((name, node_insert, import, written));
        eprintln!("done: change log {name}");
    }
    println!();
    println!(
        "| change log | single-node commits/s | import {users} nodes + {} edges | bytes written by the import |",
        users * 10
    );
    println!("|---|---|---|---|");
    for (name, node_insert, import, written) in rows {
        println!(
            "| {name} | {node_insert:.0} | {import:.2} s | {:.0} MB |",
            written as f64 / 1e6
        );
    }
}
