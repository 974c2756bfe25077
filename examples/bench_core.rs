//! Benchmarks the spec's performance table on a generated social graph
//! (users with name, age, city; `follows` edges with weight and since, about
//! 10 out-edges per user) for memory storage, sled's default mode and sled
//! `high_safety`, and prints a markdown table of medians.
//!
//! ```text
//! cargo run --release --example bench_core -- --users 100000
//! cargo run --release --example bench_core -- --users 1000000 --backends memory,sled
//! ```
#[path = "support/social.rs"]
mod social;

use std::time::Instant;

use knowledge_graph::{block_on, Graph, MemoryStorage, SledStorage, Storage};
use social::{arg, follows, rate, target, user, Rng};

struct Row {
    backend: String,
    node_insert: f64,
    edge_insert: f64,
    lookup: f64,
    walk: f64,
    walks_batched: f64,
    walk_by_hand: f64,
    import_secs: f64,
    import_nodes_per_min: f64,
    bytes_per_edge: f64,
}

fn bench<S: Storage>(name: &str, make: &dyn Fn() -> S, users: usize, single_ops: usize) -> Row {
    let runs = 3;
    // Single-operation transactions, each its own commit.
    let mut rng = Rng(7);
    let node_insert = rate(runs, single_ops, |_| {
        let graph = Graph::new(make());
        for i in 0..single_ops {
            block_on(graph.add_node("user", &format!("u{i}"), &user(i, &mut rng))).unwrap();
        }
        block_on(graph.flush()).unwrap();
        graph
    });
    let edge_graph = Graph::new(make());
    for i in 0..single_ops.min(users) {
        let mut batch = edge_graph.batch();
        batch
            .add_node("user", &format!("u{i}"), &user(i, &mut rng))
            .unwrap();
        block_on(batch.commit()).unwrap();
    }
    let n = single_ops.min(users);
    let edge_insert = rate(runs, single_ops, |_| {
        for i in 0..single_ops {
            let (s, t) = (i % n, target(i % n, n, &mut rng));
            block_on(edge_graph.add_edge(
                "follows",
                &format!("u{s}"),
                &format!("u{t}"),
                Some(follows(&mut rng)),
            ))
            .unwrap();
        }
        block_on(edge_graph.flush()).unwrap();
    });
    drop(edge_graph);

    // Bulk import of the whole graph, then reads on it.
    let graph = Graph::new(make());
    let started = Instant::now();
    social::import(&graph, users, 10);
    let imported = started.elapsed().as_secs_f64();
    let hot: Vec<String> = (0..1000)
        .map(|i| format!("{}", (i * 7919) % users))
        .collect();
    for id in &hot {
        block_on(graph.get_node(id)).unwrap();
    }
    let lookups = 500_000;
    let lookup = rate(runs, lookups, |_| {
        for i in 0..lookups {
            let node = block_on(graph.get_node(&hot[i % hot.len()])).unwrap();
            std::hint::black_box(node);
        }
    });
    let walks = 500_000;
    let view = graph.read();
    let starts: Vec<_> = (0..1024)
        .map(|i| {
            view.node_index(&format!("{}", (i * 104_729) % users))
                .unwrap()
        })
        .collect();
    // By hand: follow `out_neighbor` from each start, on the topology.
    let mut rng = Rng(99);
    let walk_by_hand = rate(runs, walks, |_| {
        for w in 0..walks {
            let mut at = starts[w % starts.len()];
            for _ in 0..10 {
                let degree = view.out_edges(at).len();
                if degree == 0 {
                    break;
                }
                at = view.out_neighbor(at, rng.below(degree)).unwrap();
            }
            std::hint::black_box(at);
        }
    });
    // Through `random_walk`, one walk per call into a reused path: after the
    // first few thousand, on the compact out-lists it builds (included in
    // the first run).
    let mut path = Vec::new();
    let walk = rate(runs, walks, |run| {
        for w in 0..walks {
            let seed = (run * walks + w) as u64;
            view.random_walk(starts[w % starts.len()], 10, seed, &mut path);
            std::hint::black_box(path.len());
        }
    });
    // Through `random_walks`, 1,024 walks per call, which advance 16 at a time.
    let rounds = walks / starts.len();
    let walks_batched = rate(runs, rounds * starts.len(), |run| {
        for round in 0..rounds {
            view.random_walks(&starts, 10, (run * rounds + round) as u64, |_, path| {
                std::hint::black_box(path.len());
            });
        }
    });
    drop(view);
    let metrics = graph.metrics();
    Row {
        backend: name.to_string(),
        node_insert,
        edge_insert,
        lookup,
        walk,
        walks_batched,
        walk_by_hand,
        import_secs: imported,
        import_nodes_per_min: users as f64 / imported * 60.0,
        bytes_per_edge: metrics.topology_bytes as f64 / metrics.edge_count() as f64,
    }
}

/// Where the sled databases of this run live, removed at the end. Not sled's
/// own temporary databases: those skip the fsyncs (and live in `/dev/shm`
/// on Linux), which would make `high_safety` and raw sled's insert + flush
/// look three to five times faster than on disk.
static SCRATCH: std::sync::LazyLock<tempfile::TempDir> =
    std::sync::LazyLock::new(|| tempfile::tempdir().expect("a temporary directory"));

/// A fresh directory under [`SCRATCH`].
fn scratch() -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    SCRATCH.path().join(n.to_string())
}

/// A sled storage in `mode`, in a fresh directory on disk.
fn sled_on_disk(mode: &str) -> SledStorage {
    SledStorage::builder()
        .path(scratch())
        .mode(mode)
        .open()
        .unwrap()
}

/// Raw sled, one insert and one flush per operation: the ceiling for `high_safety`.
fn raw_sled_flushed(ops: usize) -> f64 {
    rate(3, ops, |run| {
        let db = sled::Config::new()
            .path(scratch())
            .flush_every_ms(None)
            .open()
            .unwrap();
        for i in 0..ops {
            db.insert(
                format!("{run}-{i}"),
                &b"0123456789abcdef0123456789abcdef"[..],
            )
            .unwrap();
            db.flush().unwrap();
        }
    })
}

fn raw_sled_default(ops: usize) -> f64 {
    rate(3, ops, |run| {
        let db = sled::Config::new().path(scratch()).open().unwrap();
        for i in 0..ops {
            db.insert(
                format!("{run}-{i}"),
                &b"0123456789abcdef0123456789abcdef"[..],
            )
            .unwrap();
        }
        db.flush().unwrap();
    })
}

fn main() {
    let users: usize = arg("--users").map_or(100_000, |v| v.parse().expect("--users N"));
    let backends = arg("--backends").unwrap_or_else(|| "memory,sled,sled-high-safety".into());
    let single = users.min(200_000);
    let safe_single = users.min(5_000);
    println!(
        "users: {users}, edges: {}, single-op runs: {single} ({safe_single} for high_safety)",
        users * 10
    );

    let mut rows = Vec::new();
    for backend in backends.split(',') {
        let row = match backend {
            "memory" => bench("memory", &MemoryStorage::new, users, single),
            "sled" => bench(
                "sled high_throughput",
                &|| sled_on_disk("high_throughput"),
                users,
                single,
            ),
            "sled-high-safety" => bench(
                "sled high_safety",
                &|| sled_on_disk("high_safety"),
                users,
                safe_single,
            ),
            other => panic!("unknown backend {other}"),
        };
        eprintln!("done: {}", row.backend);
        rows.push(row);
    }
    println!();
    // glibc's huge-page tunable changes the read figures a lot (README).
    if let Ok(tunables) = std::env::var("GLIBC_TUNABLES") {
        println!("GLIBC_TUNABLES={tunables}");
    }
    println!("| backend | node insert/s | edge insert/s | node lookup/s (cache hit) | 10-hop walks/s (`random_walk`) | same, 1,024 per `random_walks` call | same, by hand (`out_neighbor`) | batch import {users} nodes + {} edges | nodes/min | topology bytes/edge |", users * 10);
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.2} s | {:.2}M | {:.1} |",
            r.backend,
            r.node_insert,
            r.edge_insert,
            r.lookup,
            r.walk,
            r.walks_batched,
            r.walk_by_hand,
            r.import_secs,
            r.import_nodes_per_min / 1e6,
            r.bytes_per_edge
        );
    }
    if backends.contains("sled") {
        println!();
        let flushed = raw_sled_flushed(safe_single);
        let default = raw_sled_default(single);
        println!("raw sled 0.34, insert + flush per op: {flushed:.0}/s; default mode inserts: {default:.0}/s");
        if let Some(safe) = rows.iter().find(|r| r.backend == "sled high_safety") {
            println!(
                "sled high_safety node inserts reach {:.0}% of raw insert + flush",
                safe.node_insert / flushed * 100.0
            );
            let rates: Vec<String> = [1, 2, 4, 8]
                .iter()
                .map(|&writers| {
                    format!(
                        "{writers} writers {:.0}/s",
                        safe_writers(writers, safe_single)
                    )
                })
                .collect();
            println!(
                "sled high_safety node inserts from several threads at once (one flush can cover several writers' commits): {}",
                rates.join(", ")
            );
        }
    }
    // Statics are not dropped at exit.
    let _ = std::fs::remove_dir_all(SCRATCH.path());
}

/// Single-node commits per second on `high_safety` from `writers` threads
/// at once, `ops` in all.
fn safe_writers(writers: usize, ops: usize) -> f64 {
    let per_writer = ops / writers;
    rate(3, per_writer * writers, |run| {
        let graph = Graph::new(sled_on_disk("high_safety"));
        std::thread::scope(|scope| {
            for writer in 0..writers {
                let graph = graph.clone();
                scope.spawn(move || {
                    let mut rng = Rng((run * writers + writer) as u64);
                    for i in 0..per_writer {
                        let id = format!("w{writer}-{i}");
                        block_on(graph.add_node("user", &id, &user(i, &mut rng))).unwrap();
                    }
                });
            }
        });
        graph
    })
}
