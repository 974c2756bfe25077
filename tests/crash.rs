//! Crash tests: a child process commits transactions on sled, from one
//! thread or several, and is killed with SIGKILL at random moments. After
//! reopening, every transaction is all-or-nothing, each thread's committed
//! ones form a prefix of what it attempted, and in `high_safety` every
//! acknowledged commit is present (with several writers, one flush may make
//! several threads' commits durable: none may be acknowledged before its own).
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use knowledge_graph::{block_on, Graph, SledStorage, Value};

const CHILD_DIR: &str = "MAYA_CRASH_CHILD_DIR";
const CHILD_MODE: &str = "MAYA_CRASH_CHILD_MODE";
const CHILD_WRITERS: &str = "MAYA_CRASH_CHILD_WRITERS";

/// Each transaction `i` of writer `w` adds node `n{w}-{i}` (label `item{w}`)
/// and two edges between it and `root`: so partial application is visible.
fn commit_forever(dir: &str, mode: &str, writers: usize) {
    let storage = SledStorage::builder().path(dir).mode(mode).open().unwrap();
    let graph = Graph::open(storage).unwrap();
    if block_on(graph.count_nodes()).unwrap() == 0 {
        block_on(graph.add_node("meta", "root", &Value::Null)).unwrap();
    }
    std::thread::scope(|scope| {
        for w in 0..writers {
            let graph = graph.clone();
            scope.spawn(move || {
                let label = format!("item{w}");
                let mut i = block_on(graph.get_nodes(Some(&label), None)).unwrap().len();
                loop {
                    let mut tx = block_on(graph.begin()).unwrap();
                    let id = format!("n{w}-{i}");
                    tx.add_node(&label, &id, &Value::Int(i as i64)).unwrap();
                    tx.add_edge("first", &id, "root", None).unwrap();
                    tx.add_edge("second", "root", &id, None).unwrap();
                    block_on(tx.commit()).unwrap();
                    println!("ack {w} {i}");
                    i += 1;
                }
            });
        }
    });
}

/// Runs the child, kills it after `after`, and returns the last acknowledged transaction.
/// Runs the child, kills it after `after`, and returns each writer's last
/// acknowledged transaction.
fn run_and_kill(dir: &str, mode: &str, writers: usize, after: Duration) -> Vec<Option<usize>> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_writer",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir)
        .env(CHILD_MODE, mode)
        .env(CHILD_WRITERS, writers.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut last = vec![None; writers];
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let mut words = line.split_whitespace();
            if words.next() != Some("ack") {
                continue;
            }
            let w: usize = words.next().unwrap().parse().unwrap();
            last[w] = words.next().unwrap().parse().ok();
        }
        last
    });
    let started = Instant::now();
    std::thread::sleep(after);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let last = reader.join().unwrap();
    assert!(started.elapsed() >= after);
    last
}

/// Checks the reopened graph and returns how many transactions of each
/// writer survived.
fn check_consistent(dir: &str, writers: usize) -> Vec<usize> {
    let graph = Graph::open(SledStorage::open(dir).unwrap()).unwrap();
    let mut survivors = Vec::new();
    for w in 0..writers {
        let items = block_on(graph.get_nodes(Some(&format!("item{w}")), None)).unwrap();
        let n = items.len();
        // A writer's transactions commit in order, so its survivors are
        // exactly n{w}-0..n{w}-{n-1}.
        for i in 0..n {
            let id = format!("n{w}-{i}");
            let node = block_on(graph.get_node(&id))
                .unwrap()
                .unwrap_or_else(|| panic!("{id} missing: not a prefix"));
            assert_eq!(*node.properties, Value::Int(i as i64));
            let out = block_on(graph.get_node_edges(&id, None)).unwrap();
            let inc = block_on(graph.get_edges_to(&id, None)).unwrap();
            assert_eq!(
                (out.len(), inc.len()),
                (1, 1),
                "transaction {i} of writer {w} is only partly applied"
            );
        }
        survivors.push(n);
    }
    assert_eq!(
        block_on(graph.count_edges()).unwrap(),
        2 * survivors.iter().sum::<usize>(),
        "edges without their node"
    );
    survivors
}

fn crash_rounds(mode: &str, writers: usize, rounds: u64, must_keep_acks: bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let path = path.to_str().unwrap();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ rounds;
    let mut total_acks = 0;
    for round in 0..rounds {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(150 + seed % 400);
        let acked = run_and_kill(path, mode, writers, delay);
        let survivors = check_consistent(path, writers);
        for (w, (acked, survivors)) in acked.into_iter().zip(survivors).enumerate() {
            let Some(last) = acked else { continue };
            total_acks += 1;
            if must_keep_acks {
                assert!(
                    survivors > last,
                    "round {round}: writer {w}'s acknowledged transaction {last} lost ({survivors} survived)"
                );
            }
        }
    }
    assert!(
        total_acks > 0,
        "the child never committed anything: the test did not test"
    );
}

#[test]
fn high_safety_keeps_every_acknowledged_commit() {
    crash_rounds("high_safety", 1, 6, true);
}

#[test]
fn high_safety_keeps_every_acknowledged_commit_of_concurrent_writers() {
    crash_rounds("high_safety", 4, 6, true);
}

#[test]
fn high_throughput_loses_only_whole_recent_transactions() {
    crash_rounds("high_throughput", 1, 6, false);
}

#[test]
fn low_space_loses_only_whole_recent_transactions() {
    crash_rounds("low_space", 1, 4, false);
}

/// The process the crash tests start and kill; not a test on its own.
#[test]
#[ignore = "started by the crash tests as their child process"]
fn child_writer() {
    let dir = std::env::var(CHILD_DIR).expect("run by the crash tests only");
    let mode = std::env::var(CHILD_MODE).unwrap();
    let writers = std::env::var(CHILD_WRITERS).unwrap().parse().unwrap();
    commit_forever(&dir, &mode, writers);
}
