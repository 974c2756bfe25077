//! Many threads reading and writing one graph end in a consistent state with
//! the expected counts; readers never see half a transaction; a writer that
//! cannot get the lock in time fails with a clear error.
// Native only (tokio, sled, proptest): `wasm-pack test` builds every test
// target for wasm32, where this one is then empty.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use knowledge_graph::{
    block_on, Error, Graph, GraphOptions, MemoryStorage, SledStorage, Storage, Value,
};

/// The `n` property of each item a query returns, checking it is an item.
fn ns(nodes: Vec<knowledge_graph::Node>) -> Vec<i64> {
    nodes
        .iter()
        .map(|node| node.get("n").and_then(Value::as_i64).expect("an item"))
        .collect()
}

fn stress<S: Storage + 'static>(graph: Graph<S>) {
    const WRITERS: usize = 4;
    const TXS: usize = 150;
    block_on(graph.add_node("hub", "hub", &Value::Null)).unwrap();
    // Read by queries while writers write: through this index, and by label
    // scans (on property columns once they have paid for them).
    block_on(graph.create_index("item", "n")).unwrap();
    let by_index = "n >= 5 AND n < 100";
    let by_scan = "n >= 140 OR n = 7";
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for w in 0..WRITERS {
            let graph = graph.clone();
            scope.spawn(move || {
                for i in 0..TXS {
                    // Each transaction: a node and two edges, atomically.
                    let id = format!("w{w}-{i}");
                    let mut batch = graph.batch();
                    let props = knowledge_graph::to_value(&serde_json::json!({ "n": i })).unwrap();
                    batch.add_node("item", &id, &props).unwrap();
                    batch.add_edge("in", &id, "hub", None).unwrap();
                    batch.add_edge("out", "hub", &id, None).unwrap();
                    block_on(batch.commit()).unwrap();
                    if i % 10 == 9 {
                        // Remove one earlier item: node and both edges go at once.
                        block_on(graph.remove_node(&format!("w{w}-{}", i - 5))).unwrap();
                    }
                }
            });
        }
        for _ in 0..2 {
            let graph = graph.clone();
            let done = &done;
            scope.spawn(move || {
                let mut reads = 0;
                while !done.load(Ordering::Relaxed) || reads == 0 {
                    let view = graph.read();
                    let hub = view.node_index("hub").unwrap();
                    let items = view.node_count() - 1;
                    assert_eq!(
                        view.edge_count(),
                        2 * items,
                        "a reader saw half a transaction"
                    );
                    assert_eq!(view.out_edges(hub).len(), items);
                    assert_eq!(view.in_edges(hub).len(), items);
                    drop(view);
                    let n = block_on(graph.get_edges_to("hub", Some("in")))
                        .unwrap()
                        .len();
                    assert!(n <= WRITERS * TXS);
                    reads += 1;
                }
            });
        }
        {
            let graph = graph.clone();
            let done = &done;
            scope.spawn(move || {
                let mut reads = 0;
                while !done.load(Ordering::Relaxed) || reads == 0 {
                    // Every match returned satisfies the query: what judged
                    // it (index entries, columns) and the record returned
                    // were of one committed state.
                    let hits =
                        ns(block_on(graph.query_nodes("item", by_index, &[] as &[&str])).unwrap());
                    assert!(hits.iter().all(|n| (5..100).contains(n)), "{hits:?}");
                    let hits =
                        ns(block_on(graph.query_nodes("item", by_scan, &[] as &[&str])).unwrap());
                    assert!(hits.iter().all(|&n| n >= 140 || n == 7), "{hits:?}");
                    reads += 1;
                }
            });
        }
        // Writers finish first; then let readers stop.
        std::thread::sleep(Duration::from_millis(10));
        while graph.metrics().commits < (WRITERS * (TXS + TXS / 10) + 1) as u64 {
            std::thread::sleep(Duration::from_millis(5));
        }
        done.store(true, Ordering::Relaxed);
    });
    for (expr, wanted) in [
        (by_index, (5..100).collect::<Vec<i64>>()),
        (by_scan, (140..150).chain([7]).collect()),
    ] {
        // Each writer's items, less the removed ones (i - 5 for i % 10 == 9).
        let mut expected: Vec<i64> = (0..WRITERS)
            .flat_map(|_| wanted.iter().copied().filter(|n| n % 10 != 4))
            .collect();
        expected.sort();
        let mut got = ns(block_on(graph.query_nodes("item", expr, &[] as &[&str])).unwrap());
        got.sort();
        assert_eq!(got, expected, "{expr}");
    }
    let expected_items = WRITERS * (TXS - TXS / 10);
    assert_eq!(block_on(graph.count_nodes()).unwrap(), expected_items + 1);
    assert_eq!(block_on(graph.count_edges()).unwrap(), 2 * expected_items);
    assert_eq!(graph.metrics().active_transactions(), 0);
}

#[test]
fn memory_survives_concurrent_writers_and_readers() {
    stress(Graph::new(MemoryStorage::new()));
}

#[test]
fn sled_survives_concurrent_writers_and_readers() {
    stress(Graph::new(SledStorage::temp().unwrap()));
}

#[test]
fn sled_high_safety_survives_concurrent_writers_and_readers() {
    stress(Graph::new(
        SledStorage::builder()
            .temporary(true)
            .mode("high_safety")
            .open()
            .unwrap(),
    ));
}

fn graph_with_100ms_lock_timeout() -> Graph<SledStorage> {
    let storage = SledStorage::builder()
        .temporary(true)
        .timeout(Duration::from_millis(100))
        .open()
        .unwrap();
    Graph::new(storage)
}

#[test]
fn integrity_checks_wait_for_writers_at_the_gate_like_writers() {
    let graph = graph_with_100ms_lock_timeout();
    block_on(graph.add_node("user", "1", &Value::Null)).unwrap();
    let tx = block_on(graph.begin()).unwrap();
    // The check keeps writers out for its run, so it queues behind the open
    // transaction (and gives up after the timeout) instead of holding the
    // topology lock, where readers arriving after a waiting writer queue too.
    let err = block_on(graph.verify_integrity()).unwrap_err();
    assert!(matches!(err, Error::LockTimeout { .. }), "{err}");
    assert_eq!(block_on(graph.count_nodes()).unwrap(), 1);
    drop(tx);
    block_on(graph.verify_integrity()).unwrap();
}

#[test]
fn writers_time_out_while_a_transaction_holds_the_lock() {
    let graph = graph_with_100ms_lock_timeout();
    let tx = block_on(graph.begin()).unwrap();
    let started = Instant::now();
    let err = block_on(graph.add_node("user", "1", &Value::Null)).unwrap_err();
    let waited = started.elapsed();
    assert!(matches!(err, Error::LockTimeout { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "timed out after 100 ms waiting for the write lock held by another transaction"
    );
    assert!(
        waited >= Duration::from_millis(100),
        "gave up after {waited:?}"
    );
    // Readers are not blocked by the open transaction.
    assert_eq!(block_on(graph.count_nodes()).unwrap(), 0);
    drop(tx); // dropping rolls back and releases the lock
    block_on(graph.add_node("user", "1", &Value::Null)).unwrap();
}

#[test]
fn a_waiting_writer_proceeds_when_the_lock_is_released() {
    let options = GraphOptions {
        timeout: Duration::from_secs(10),
        ..GraphOptions::default()
    };
    let graph = Graph::with_options(MemoryStorage::new(), options)
        .map_err(|(_, e)| e)
        .unwrap();
    let tx = block_on(graph.begin()).unwrap();
    std::thread::scope(|scope| {
        let g = graph.clone();
        let waiter = scope.spawn(move || block_on(g.add_node("user", "late", &Value::Null)));
        std::thread::sleep(Duration::from_millis(50));
        block_on(tx.commit()).unwrap();
        waiter.join().unwrap().unwrap();
    });
    assert!(block_on(graph.contains_node("late")).unwrap());
}

#[test]
fn graph_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Graph<MemoryStorage>>();
    assert_send_sync::<Graph<SledStorage>>();
    let graph = Graph::new(MemoryStorage::new());
    let clone = graph.clone();
    block_on(clone.add_node("user", "1", &Value::Null)).unwrap();
    assert_eq!(block_on(graph.count_nodes()).unwrap(), 1);
}
