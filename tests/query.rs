//! Property queries, indexes, explain, traversal, paths and k-hop, checked
//! against brute force on random graphs, with and without indexes, on memory
//! and on sled (including after rollbacks and reopen).
// Native only (tokio, sled, proptest): `wasm-pack test` builds every test
// target for wasm32, where this one is then empty.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::{BTreeSet, VecDeque};

use common::props;
use knowledge_graph::query::{Params, Query};
use knowledge_graph::{
    block_on, Direction, Error, Graph, GraphOptions, MemoryStorage, Page, PathOptions, SledStorage,
    Storage, Value,
};
use proptest::prelude::*;

const CITIES: [&str; 4] = ["Paris", "Oslo", "Lima", "10"];

#[derive(Debug, Clone)]
struct Person {
    age: i64,
    city: usize,
    score: Option<f64>,
    home: usize,
}

fn person() -> impl Strategy<Value = Person> {
    (
        0i64..40,
        0usize..4,
        prop::option::of(-5.0f64..5.0),
        0usize..4,
    )
        .prop_map(|(age, city, score, home)| Person {
            age,
            city,
            score,
            home,
        })
}

fn person_props(p: &Person) -> Value {
    let mut pairs = vec![
        ("age", Value::Int(p.age)),
        ("city", Value::String(CITIES[p.city].into())),
        (
            "address",
            props(&[("city", Value::String(CITIES[p.home].into()))]),
        ),
    ];
    if let Some(score) = p.score {
        pairs.push(("score", Value::Float(score)));
    }
    props(&pairs)
}

/// Query templates over the generated properties, with their parameters.
fn query() -> impl Strategy<Value = (String, Vec<String>)> {
    let city = (0usize..4).prop_map(|c| CITIES[c].to_string());
    let age = (0i64..45).prop_map(|a| a.to_string());
    prop_oneof![
        city.clone()
            .prop_map(|c| ("city = $1".to_string(), vec![c])),
        (city.clone(), age.clone())
            .prop_map(|(c, a)| ("city = $1 AND age > $2".to_string(), vec![c, a])),
        (age.clone(), age.clone())
            .prop_map(|(a, b)| ("age >= $1 AND age < $2".to_string(), vec![a, b])),
        age.clone()
            .prop_map(|a| ("age <= $1 OR score > 1.5".to_string(), vec![a])),
        city.clone()
            .prop_map(|c| ("address.city = $1 AND NOT city = $1".to_string(), vec![c])),
        Just((
            "city IN ['Paris', 'Lima'] AND score IS NOT NULL".to_string(),
            vec![]
        )),
        Just(("city STARTS WITH 'O' XOR age > 20".to_string(), vec![])),
        Just(("score IS NULL AND age = 10".to_string(), vec![])),
        age.prop_map(|a| ("age = $1".to_string(), vec![a])),
        city.prop_map(|c| ("city = $1 OR address.city = $1".to_string(), vec![c])),
    ]
}

/// `n` people, person `i` aged `i % ages` in city `i % cities`.
fn people(n: i64, ages: i64, cities: i64) -> Vec<Person> {
    (0..n)
        .map(|i| Person {
            age: i % ages,
            city: (i % cities) as usize,
            score: None,
            home: 0,
        })
        .collect()
}

fn ids(nodes: Vec<knowledge_graph::Node>) -> Vec<String> {
    nodes.into_iter().map(|n| n.id).collect()
}

/// What a full scan with the evaluator returns, in the graph's own order.
fn brute_force<S: Storage>(graph: &Graph<S>, expr: &str, params: &[String]) -> Vec<String> {
    let query = Query::parse(expr, Params::from_texts(params)).unwrap();
    block_on(graph.get_nodes(Some("person"), None))
        .unwrap()
        .into_iter()
        .filter(|n| match &*n.properties {
            Value::Map(map) => query.matches(map),
            _ => false,
        })
        .map(|n| n.id)
        .collect()
}

fn build<S: Storage>(storage: S, people: &[Person]) -> Graph<S> {
    let graph = Graph::new(storage);
    fill(&graph, people);
    graph
}

/// An in-memory graph with `options`, holding `people`.
fn build_with(options: GraphOptions, people: &[Person]) -> Graph<MemoryStorage> {
    let graph = Graph::with_options(MemoryStorage::new(), options)
        .unwrap_or_else(|(_, err)| panic!("{err}"));
    fill(&graph, people);
    graph
}

fn fill<S: Storage>(graph: &Graph<S>, people: &[Person]) {
    let mut batch = graph.batch();
    for (i, p) in people.iter().enumerate() {
        batch
            .add_node("person", &format!("p{i}"), &person_props(p))
            .unwrap();
    }
    batch
        .add_node(
            "other",
            "x",
            &props(&[("city", Value::String("Paris".into()))]),
        )
        .unwrap();
    block_on(batch.commit()).unwrap();
}

/// The ids of the nodes `GraphRead::query_node_indices` finds.
fn indices<S: Storage>(graph: &Graph<S>, expr: &str, params: &[String], page: Page) -> Vec<String> {
    indices_of(graph, "person", expr, params, page)
}

fn check_queries<S: Storage>(
    graph: &Graph<S>,
    queries: &[(String, Vec<String>)],
) -> Result<(), TestCaseError> {
    for (expr, params) in queries {
        let expected = brute_force(graph, expr, params);
        let got = ids(block_on(graph.query_nodes("person", expr, params)).unwrap());
        prop_assert_eq!(
            &indices(graph, expr, params, Page::all()),
            &got,
            "indices of {}",
            expr
        );
        let mut sorted_expected = expected.clone();
        sorted_expected.sort();
        let mut sorted_got = got.clone();
        sorted_got.sort();
        prop_assert_eq!(sorted_got, sorted_expected, "{} {:?}", expr, params);
    }
    Ok(())
}

fn add_indexes<S: Storage>(graph: &Graph<S>) {
    for property in ["city", "age", "address.city", "score"] {
        block_on(graph.create_index("person", property)).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn queries_agree_with_brute_force_with_and_without_indexes(
        people in prop::collection::vec(person(), 0..40),
        queries in prop::collection::vec(query(), 1..8),
    ) {
        let graph = build(MemoryStorage::new(), &people);
        check_queries(&graph, &queries)?;
        add_indexes(&graph);
        check_queries(&graph, &queries)?;
    }

    #[test]
    fn indexes_stay_consistent_through_changes_rollbacks_and_reopen(
        people in prop::collection::vec(person(), 1..25),
        changes in prop::collection::vec((0usize..30, person(), 0u8..4), 0..30),
        queries in prop::collection::vec(query(), 1..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let open = || Graph::open(SledStorage::open(dir.path()).unwrap()).unwrap();
        let graph = build(SledStorage::open(dir.path()).unwrap(), &people);
        // Twice, so the queries' property columns are paid for and built:
        // the changes below must keep them right too.
        check_queries(&graph, &queries)?;
        check_queries(&graph, &queries)?;
        add_indexes(&graph);
        for (target, p, action) in &changes {
            let id = format!("p{target}");
            match action {
                0 => { let _ = block_on(graph.update_node(&id, &person_props(p))); }
                1 => { let _ = block_on(graph.remove_node(&id)); }
                2 => { let _ = block_on(graph.add_node("person", &id, &person_props(p))); }
                _ => {
                    // A batch that fails at its end: its index changes must vanish too.
                    let mut batch = graph.batch();
                    batch.update_node(&id, &person_props(p)).unwrap();
                    batch.add_node("person", &format!("new{target}"), &person_props(p)).unwrap();
                    batch.remove_node("no such node");
                    prop_assert!(block_on(batch.commit()).is_err());
                }
            }
        }
        check_queries(&graph, &queries)?;
        // Also checks the in-memory copy of the index entries queries read.
        block_on(graph.verify_integrity()).unwrap();
        drop(graph);
        let graph = open();
        prop_assert_eq!(graph.indexes().len(), 4, "index definitions survive reopen");
        check_queries(&graph, &queries)?;
        block_on(graph.verify_integrity()).unwrap();
    }
}

/// Values of every kind that index keys and comparisons treat alike or
/// apart: numbers equal across `Int` and `Float` (and `0.0` / `-0.0`), an
/// integer beyond 2^53 next to the float nearest it, NaN, numeric-looking
/// strings, booleans, null and lists.
fn mixed_value() -> impl Strategy<Value = Option<Value>> {
    let values = vec![
        Value::Null,
        Value::Bool(true),
        Value::Bool(false),
        Value::Int(0),
        Value::Int(2),
        Value::Int(10),
        Value::Int(9_007_199_254_740_993),
        Value::Float(0.0),
        Value::Float(-0.0),
        Value::Float(2.0),
        Value::Float(2.5),
        Value::Float(f64::NAN),
        Value::Float(9_007_199_254_740_992.0),
        Value::String("10".into()),
        Value::String("2".into()),
        Value::String("true".into()),
        Value::String(String::new()),
        Value::String("a".into()),
        Value::List(vec![Value::Int(2)]),
        Value::List(vec![Value::Float(2.0)]),
        Value::List(vec![Value::String("2".into())]),
    ];
    prop::option::of(prop::sample::select(values))
}

/// Queries on `v` alone (answered one index key at a time when `v` is
/// indexed), with parameters read as text.
fn query_on_v() -> impl Strategy<Value = (String, Vec<String>)> {
    let text = prop::sample::select(vec![
        "10",
        "2",
        "2.0",
        "true",
        "false",
        "a",
        "",
        "1e1",
        "-0",
        "0",
        "NaN",
        "null",
        "9007199254740993",
        "9007199254740992",
    ])
    .prop_map(String::from);
    prop_oneof![
        text.clone().prop_map(|t| ("v = $1".to_string(), vec![t])),
        prop::sample::select(vec![
            "v = 2",
            "v = 2.0",
            "v = -0.0",
            "v = true",
            "v = 'a'",
            "v = ''",
            "v = [2]",
            "v IN [2, 'a', true]",
            "v IN [0, 10.0]",
            "v",
            "v = 9007199254740992.0",
        ])
        .prop_map(|q| (q.to_string(), vec![])),
        (text.clone(), text).prop_map(|(a, b)| ("v = $1 AND NOT v = $2".to_string(), vec![a, b])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Index seeks judge one record per key when the query reads only the
    /// indexed property: the answers, and every page of them, must be what
    /// judging each record gives.
    #[test]
    fn seeks_on_mixed_values_agree_with_brute_force(
        values in prop::collection::vec(mixed_value(), 0..40),
        queries in prop::collection::vec(query_on_v(), 1..8),
        offset in 0usize..5,
        limit in 1usize..6,
    ) {
        let graph = Graph::new(MemoryStorage::new());
        let with_v = |v: &Option<Value>| match v {
            Some(v) => props(&[("v", v.clone()), ("other", Value::Int(1))]),
            None => props(&[("other", Value::Int(1))]),
        };
        let mut batch = graph.batch();
        for (i, v) in values.iter().enumerate() {
            batch.add_node("n", &format!("n{i:02}"), &with_v(v)).unwrap();
        }
        batch.add_node("hub", "hub", &Value::Null).unwrap();
        for (i, v) in values.iter().enumerate() {
            batch.add_edge("e", "hub", &format!("n{i:02}"), Some(with_v(v))).unwrap();
        }
        block_on(batch.commit()).unwrap();
        block_on(graph.create_index("n", "v")).unwrap();
        block_on(graph.create_edge_index("e", "v")).unwrap();
        for (expr, params) in &queries {
            let query = Query::parse(expr, Params::from_texts(params)).unwrap();
            let judged = |properties: &Value| match properties {
                Value::Map(map) => query.matches(map),
                _ => false,
            };
            let mut expected: Vec<String> = values
                .iter()
                .enumerate()
                .filter(|(_, v)| judged(&with_v(v)))
                .map(|(i, _)| format!("n{i:02}"))
                .collect();
            expected.sort();
            // Twice: the first seeks read the index's tree, later ones its
            // sorted arrays, built once seeks have read enough entries.
            for round in 0..2 {
                if round == 1 {
                    for _ in 0..200 {
                        graph.read().query_node_indices("n", "v IN [2, 'a', true]", &[] as &[&str], Page::all()).unwrap();
                    }
                }
                let nodes = ids(block_on(graph.query_nodes("n", expr, params)).unwrap());
                prop_assert_eq!(&indices_of(&graph, "n", expr, params, Page::all()), &nodes);
                let mut sorted = nodes.clone();
                sorted.sort();
                prop_assert_eq!(&sorted, &expected, "nodes: {} {:?}", expr, params);
                let page = Page::new(offset, limit);
                let paged = ids(block_on(graph.query_nodes_with("n", expr, params.as_slice(), page)).unwrap());
                let wanted: Vec<String> = nodes.iter().skip(offset).take(limit).cloned().collect();
                prop_assert_eq!(&paged, &wanted, "page of {}", expr);
                prop_assert_eq!(&indices_of(&graph, "n", expr, params, page), &wanted);
                let mut targets: Vec<String> = block_on(graph.query_edges("e", expr, params))
                    .unwrap()
                    .into_iter()
                    .map(|e| e.target.clone())
                    .collect();
                targets.sort();
                prop_assert_eq!(&targets, &expected, "edges: {} {:?}", expr, params);
            }
        }
    }
}

/// The ids of the nodes labelled `label` that `GraphRead::query_node_indices` finds.
fn indices_of<S: Storage>(
    graph: &Graph<S>,
    label: &str,
    expr: &str,
    params: &[String],
    page: Page,
) -> Vec<String> {
    let view = graph.read();
    let found = view.query_node_indices(label, expr, params, page).unwrap();
    found.iter().map(|&n| view.node_id(n).to_string()).collect()
}

#[test]
fn explain_names_the_index_and_the_executor_uses_it() {
    let people = people(200, 50, 4);
    let graph = build(MemoryStorage::new(), &people);
    let plan =
        block_on(graph.explain_query("person", "city = $1 AND age > 40", &["Paris"])).unwrap();
    assert!(!plan.uses_index());
    assert_eq!(
        plan.to_string(),
        "label scan 'person' (200 rows)\nresidual filter: ((city = $1) AND (age > 40))"
    );

    block_on(graph.create_index("person", "city")).unwrap();
    let plan =
        block_on(graph.explain_query("person", "city = $1 AND age > 40", &["Paris"])).unwrap();
    assert!(plan.uses_index());
    assert_eq!(
        plan.to_string(),
        "index seek person.city in [\"Paris\"] (~50 rows)\nresidual filter: ((city = $1) AND (age > 40))"
    );
    assert_eq!(graph.metrics().index_entries, 200);
    block_on(graph.create_index("person", "age")).unwrap();
    assert_eq!(graph.metrics().index_entries, 400);
    let plan =
        block_on(graph.explain_query("person", "age > 40 AND age <= 45", &[] as &[&str])).unwrap();
    assert!(
        plan.to_string()
            .starts_with("index range person.age (40, 45] (~"),
        "{plan}"
    );

    // The executor reads the index: far fewer property reads than a scan.
    let before = graph.metrics();
    let hits = block_on(graph.query_nodes("person", "city = $1 AND age > 40", &["Paris"])).unwrap();
    let after = graph.metrics();
    let reads = (after.cache_hits + after.cache_misses) - (before.cache_hits + before.cache_misses);
    assert_eq!(reads, 50, "only the index candidates were read");
    assert_eq!(
        hits.len(),
        people.iter().filter(|p| p.city == 0 && p.age > 40).count()
    );

    assert_eq!(graph.indexes().len(), 2);
    block_on(graph.drop_index("person", "city")).unwrap();
    assert!(
        !block_on(graph.explain_query("person", "city = $1", &["Paris"]))
            .unwrap()
            .uses_index()
    );
    let err = block_on(graph.drop_index("person", "city")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: there is no node index on 'person.city'"
    );
}

#[test]
fn query_errors_say_where_and_what() {
    let graph = build(MemoryStorage::new(), &[]);
    let err = block_on(graph.query_nodes("person", "age > AND city = $1", &["Paris"])).unwrap_err();
    assert!(matches!(err, Error::Query(_)));
    assert_eq!(
        err.to_string(),
        "query error at column 7: expected a value after '>', found keyword AND"
    );
    let err = block_on(graph.query_nodes("person", "age > $2", &["1"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing parameter $2: 1 parameter was given"
    );
    let err = block_on(graph.create_index("person", "a..b")).unwrap_err();
    assert!(
        err.to_string().contains("must be a name or a dotted path"),
        "{err}"
    );
}

#[test]
fn pages_split_results_without_overlap() {
    // Candidates are evaluated in chunks; pages of every size must cut the
    // results at the same places, by index and by scan, whether the
    // records come from the cache (which holds 10 here) or from storage.
    let people = people(200, 37, 3);
    let graph = build_with(
        GraphOptions {
            cache_capacity: 10,
            ..GraphOptions::default()
        },
        &people,
    );
    for indexed in [false, true] {
        if indexed {
            block_on(graph.create_index("person", "city")).unwrap();
        }
        let expr = "city = $1 AND age >= 5";
        let all = ids(block_on(graph.query_nodes("person", expr, &["Oslo"])).unwrap());
        let mut expected = brute_force(&graph, expr, &["Oslo".into()]);
        assert!(expected.len() > 40, "more than a chunk of results");
        let mut sorted = all.clone();
        sorted.sort();
        expected.sort();
        assert_eq!(sorted, expected, "indexed: {indexed}");
        for size in [1, 7, 10, 31, 33, 64] {
            let mut paged = Vec::new();
            for page in 0..=all.len() / size {
                let part = block_on(graph.query_nodes_with(
                    "person",
                    expr,
                    Params::from_texts(&["Oslo"]),
                    Page::new(page * size, size),
                ))
                .unwrap();
                assert!(part.len() <= size);
                let part = ids(part);
                let params = ["Oslo".to_string()];
                let page = Page::new(page * size, size);
                assert_eq!(indices(&graph, expr, &params, page), part);
                paged.extend(part);
            }
            assert_eq!(paged, all, "pages of {size}, indexed: {indexed}");
        }
    }
}

/// Record-cache lookups (hits and misses) a call makes.
fn lookups<S: Storage>(graph: &Graph<S>, call: impl FnOnce()) -> u64 {
    let count = |m: knowledge_graph::GraphMetrics| m.cache_hits + m.cache_misses;
    let before = count(graph.metrics());
    call();
    count(graph.metrics()) - before
}

#[test]
fn property_columns_are_built_once_paid_for_and_follow_commits() {
    let people = people(200, 37, 3);
    let matches = |graph: &Graph<MemoryStorage>, expr: &str| {
        let mut found = ids(block_on(graph.query_nodes("person", expr, &[] as &[&str])).unwrap());
        found.sort();
        found
    };
    let graph = build(MemoryStorage::new(), &people);
    let old = "age > 100";
    // The first scan reads all 200 records; it pays for a column of `age`,
    // which the second builds (without the record cache) and uses.
    assert_eq!(
        lookups(&graph, || assert!(matches(&graph, old).is_empty())),
        200
    );
    assert_eq!(graph.metrics().query_columns, 0);
    assert_eq!(
        lookups(&graph, || assert!(matches(&graph, old).is_empty())),
        0
    );
    assert_eq!(graph.metrics().query_columns, 1);
    let plan = block_on(graph.explain_query("person", old, &[] as &[&str])).unwrap();
    assert_eq!(
        plan.to_string(),
        "label scan 'person' (200 rows)\nresidual filter: (age > 100)\nfilter reads property columns: age"
    );
    // Commits keep the column right: an update, a removal and a new node in
    // the freed slot, and a failed batch that must leave no trace.
    block_on(graph.update_node("p3", &props(&[("age", Value::Int(150))]))).unwrap();
    block_on(graph.remove_node("p4")).unwrap();
    block_on(graph.add_node("person", "p4b", &props(&[("age", Value::Int(120))]))).unwrap();
    let mut batch = graph.batch();
    batch
        .update_node("p5", &props(&[("age", Value::Int(200))]))
        .unwrap();
    batch.remove_node("no such node");
    assert!(block_on(batch.commit()).is_err());
    // Only the two matches' records are read, to return them.
    let found = lookups(&graph, || assert_eq!(matches(&graph, old), ["p3", "p4b"]));
    assert_eq!(found, 2);
    assert_eq!(matches(&graph, old), brute_force(&graph, old, &[]));

    // Turned off, every query reads every candidate's record.
    let graph = build_with(
        GraphOptions {
            query_columns: 0,
            ..GraphOptions::default()
        },
        &people,
    );
    for _ in 0..3 {
        assert_eq!(
            lookups(&graph, || assert!(matches(&graph, old).is_empty())),
            200
        );
    }
}

#[test]
fn conjunctions_answered_by_tables_leave_unknowns_out() {
    // Scores from a few values, a third of the people without one: for
    // them `score > 0` is unknown (null), which an AND must not take as true.
    let people: Vec<Person> = (0..300)
        .map(|i| Person {
            age: i % 40,
            city: (i % 4) as usize,
            score: (i % 3 != 0).then_some((i % 5) as f64 - 2.0),
            home: 0,
        })
        .collect();
    let graph = build(MemoryStorage::new(), &people);
    let queries: Vec<(String, Vec<String>)> = [
        "score > 0 AND age < 30",
        "age < 30 AND score > 0",
        "NOT score > 0 AND city = 'Oslo'",
        "score IS NULL AND age < 10",
    ]
    .iter()
    .map(|q| (q.to_string(), vec![]))
    .collect();
    // The first run pays for the columns, the second builds them, the third
    // judges with them from its first chunk on (tables after the second).
    for _ in 0..3 {
        check_queries(&graph, &queries).unwrap();
    }
    assert!(graph.metrics().query_columns >= 3);
}

#[test]
fn edge_queries_use_builtins_and_edge_indexes() {
    let graph = Graph::new(MemoryStorage::new());
    for id in ["a", "b", "c"] {
        block_on(graph.add_node("user", id, &Value::Null)).unwrap();
    }
    for (s, t, count) in [("a", "b", 5), ("b", "c", 15), ("a", "c", 25)] {
        block_on(graph.add_edge("likes", s, t, Some(props(&[("count", Value::Int(count))]))))
            .unwrap();
    }
    let q = |expr: &str, params: &[&str]| {
        let mut pairs: Vec<_> = block_on(graph.query_edges("likes", expr, params))
            .unwrap()
            .into_iter()
            .map(|e| format!("{}{}", e.source, e.target))
            .collect();
        pairs.sort();
        pairs
    };
    assert_eq!(q("count > $1", &["10"]), ["ac", "bc"]);
    assert_eq!(q("source = $1", &["a"]), ["ab", "ac"]);
    assert_eq!(
        q(
            "timestamp > $1 AND count > $2",
            &["2000-01-01T00:00:00Z", "10"]
        ),
        ["ac", "bc"]
    );
    assert!(q("timestamp > $1", &["2999-01-01T00:00:00+02:00"]).is_empty());
    block_on(graph.create_edge_index("likes", "count")).unwrap();
    assert!(
        block_on(graph.explain_edge_query("likes", "count > $1", &["10"]))
            .unwrap()
            .uses_index()
    );
    assert_eq!(q("count > $1", &["10"]), ["ac", "bc"]);
    let e = block_on(graph.get_edges(Some("likes"), Some("b"), None)).unwrap()[0].id;
    block_on(graph.remove_edge(e)).unwrap();
    assert_eq!(q("count > $1", &["10"]), ["ac"]);
}

/// A small random directed graph: `n` nodes, edges as (source, target, label).
/// Edge index entries (kept in memory too) follow added and removed edges,
/// edges removed with their node, failed batches, and reopen.
fn check_edge_queries<S: Storage>(graph: &Graph<S>) -> Result<(), TestCaseError> {
    let all = block_on(graph.get_edges(Some("rates"), None, None)).unwrap();
    for (expr, low, high) in [("count = $1", 2, 2), ("count >= $1", 2, i64::MAX)] {
        let mut expected: Vec<u64> = all
            .iter()
            .filter(|e| {
                e.get("count")
                    .and_then(Value::as_i64)
                    .is_some_and(|c| (low..=high).contains(&c))
            })
            .map(|e| e.id.0)
            .collect();
        expected.sort();
        let mut got: Vec<u64> = block_on(graph.query_edges("rates", expr, &["2"]))
            .unwrap()
            .iter()
            .map(|e| e.id.0)
            .collect();
        got.sort();
        prop_assert_eq!(got, expected, "{}", expr);
    }
    prop_assert!(
        block_on(graph.explain_edge_query("rates", "count >= $1", &["2"]))
            .unwrap()
            .uses_index()
    );
    block_on(graph.verify_integrity()).unwrap();
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn edge_indexes_follow_changes_rollbacks_and_reopen(
        changes in prop::collection::vec((0u8..4, 0usize..6, 0usize..6, 0i64..4), 1..40),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let graph = Graph::new(SledStorage::open(dir.path()).unwrap());
        for i in 0..6 {
            block_on(graph.add_node("n", &format!("n{i}"), &Value::Null)).unwrap();
        }
        block_on(graph.create_edge_index("rates", "count")).unwrap();
        for (action, a, b, count) in changes {
            let (a, b) = (format!("n{a}"), format!("n{b}"));
            let count = props(&[("count", Value::Int(count))]);
            match action {
                0 | 1 => { let _ = block_on(graph.add_edge("rates", &a, &b, Some(count))); }
                2 => {
                    let edges = block_on(graph.get_edges(Some("rates"), Some(&a), None)).unwrap();
                    if let Some(edge) = edges.first() {
                        block_on(graph.remove_edge(edge.id)).unwrap();
                    }
                }
                _ => {
                    // Removes the node (and its edges), or fails and leaves all.
                    let mut batch = graph.batch();
                    batch.add_edge("rates", &a, &b, Some(count)).unwrap();
                    batch.remove_node(&a);
                    if b == "n5" {
                        batch.remove_node("no such node");
                    }
                    let _ = block_on(batch.commit());
                    let _ = block_on(graph.add_node("n", &a, &Value::Null));
                }
            }
        }
        check_edge_queries(&graph)?;
        drop(graph);
        let graph = Graph::open(SledStorage::open(dir.path()).unwrap()).unwrap();
        check_edge_queries(&graph)?;
    }
}

fn small_graph() -> impl Strategy<Value = (usize, Vec<(usize, usize, u8)>)> {
    (1usize..9).prop_flat_map(|n| (Just(n), prop::collection::vec((0..n, 0..n, 0u8..2), 0..20)))
}

fn load(n: usize, edges: &[(usize, usize, u8)]) -> Graph<MemoryStorage> {
    let graph = Graph::new(MemoryStorage::new());
    for i in 0..n {
        block_on(graph.add_node("n", &format!("{i}"), &Value::Null)).unwrap();
    }
    for (s, t, l) in edges {
        block_on(graph.add_edge(&format!("l{l}"), &format!("{s}"), &format!("{t}"), None)).unwrap();
    }
    graph
}

fn neighbours(
    edges: &[(usize, usize, u8)],
    at: usize,
    dir: Direction,
    label: Option<u8>,
) -> Vec<usize> {
    let mut out = Vec::new();
    for &(s, t, l) in edges {
        if label.is_some_and(|want| want != l) {
            continue;
        }
        if s == at && dir != Direction::Incoming {
            out.push(t);
        }
        if t == at && dir != Direction::Outgoing {
            out.push(s);
        }
    }
    out
}

fn bfs_depths(
    n: usize,
    edges: &[(usize, usize, u8)],
    start: usize,
    dir: Direction,
    label: Option<u8>,
) -> Vec<Option<usize>> {
    let mut depth = vec![None; n];
    depth[start] = Some(0);
    let mut queue = VecDeque::from([start]);
    while let Some(at) = queue.pop_front() {
        for next in neighbours(edges, at, dir, label) {
            if depth[next].is_none() {
                depth[next] = Some(depth[at].unwrap() + 1);
                queue.push_back(next);
            }
        }
    }
    depth
}

/// Node sequences of every simple path of at most `max` hops, by exhaustive search.
fn simple_paths(
    edges: &[(usize, usize, u8)],
    from: usize,
    to: usize,
    max: usize,
) -> BTreeSet<Vec<usize>> {
    fn walk(
        edges: &[(usize, usize, u8)],
        path: &mut Vec<usize>,
        to: usize,
        max: usize,
        out: &mut BTreeSet<Vec<usize>>,
    ) {
        let at = *path.last().unwrap();
        if at == to {
            out.insert(path.clone());
            return;
        }
        if path.len() > max {
            return;
        }
        for &(s, t, _) in edges {
            if s == at && !path.contains(&t) {
                path.push(t);
                walk(edges, path, to, max, out);
                path.pop();
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(edges, &mut vec![from], to, max, &mut out);
    out
}

#[test]
fn random_walks_follow_edges_repeat_by_seed_and_pick_neighbours_evenly() {
    // A hub with four followers-to-be, a chain 0 -> 1 -> 2, and a sink.
    let mut edges: Vec<(usize, usize, u8)> = (5..9).map(|t| (4, t, 0)).collect();
    edges.extend([(0, 1, 0), (1, 2, 0), (5, 0, 0), (6, 4, 0), (7, 4, 0)]);
    let n = 10;
    let graph = load(n, &edges);
    let view = graph.read();
    let index = |i: usize| view.node_index(&i.to_string()).unwrap();
    let name = |x: knowledge_graph::NodeIndex| view.node_id(x).parse::<usize>().unwrap();
    // 40 walks (three groups of up to 16), from every node in turn.
    let starts: Vec<_> = (0..40).map(|i| index(i % n)).collect();
    let mut walks = Vec::new();
    view.random_walks(&starts, 6, 11, |i, path| {
        assert_eq!(i, walks.len(), "walks are visited in the order of starts");
        walks.push(path.iter().map(|&x| name(x)).collect::<Vec<_>>());
    });
    assert_eq!(walks.len(), starts.len());
    for (i, walk) in walks.iter().enumerate() {
        assert_eq!(walk[0], i % n);
        for pair in walk.windows(2) {
            assert!(
                edges.iter().any(|&(s, t, _)| (s, t) == (pair[0], pair[1])),
                "walk {walk:?} takes a step that is not an edge"
            );
        }
        let last = *walk.last().unwrap();
        let stuck = edges.iter().all(|&(s, _, _)| s != last);
        assert!(walk.len() == 7 || (walk.len() < 7 && stuck), "{walk:?}");
    }
    // The same seed repeats each walk, whatever else is walked with it.
    let mut again = Vec::new();
    view.random_walks(&starts[..3], 6, 11, |_, path| {
        again.push(path.iter().map(|&x| name(x)).collect::<Vec<_>>());
    });
    assert_eq!(again, walks[..3]);
    let mut other = Vec::new();
    view.random_walks(&starts, 6, 12, |_, path| {
        other.push(path.iter().map(|&x| name(x)).collect::<Vec<_>>());
    });
    assert_ne!(other, walks, "another seed walks elsewhere");
    // One-hop walks from the hub spread evenly over its four out-neighbours.
    let mut counts = [0usize; 4];
    view.random_walks(&vec![index(4); 4_000], 1, 3, |_, path| {
        counts[name(path[1]) - 5] += 1;
    });
    for count in counts {
        assert!((850..=1150).contains(&count), "uneven picks: {counts:?}");
    }
    // One walk at a time is walk 0 of a batch with the same seed, and seeds
    // spread it as evenly.
    let mut path = Vec::new();
    for (seed, &start) in starts.iter().enumerate() {
        view.random_walk(start, 6, seed as u64, &mut path);
        let mut batched = Vec::new();
        view.random_walks(&[start, start], 6, seed as u64, |_, p| {
            batched.push(p.to_vec())
        });
        assert_eq!(path, batched[0]);
    }
    let mut counts = [0usize; 4];
    for seed in 0..4_000 {
        view.random_walk(index(4), 1, seed, &mut path);
        counts[name(path[1]) - 5] += 1;
    }
    for count in counts {
        assert!(
            (850..=1150).contains(&count),
            "uneven picks one at a time: {counts:?}"
        );
    }
}

#[test]
fn k_hop_marks_stay_right_across_many_walks_on_one_graph() {
    // The k-hop marks are reused from walk to walk and reset by generation
    // (a byte, wrapping every 255 walks): answers must not drift. Each node
    // here is reached once every 255 walks, the worst case for stale marks.
    let n = 255 * 3 + 2;
    let edges: Vec<(usize, usize, u8)> = (0..n - 1).map(|i| (i, i + 1, 0)).collect();
    let graph = load(n, &edges);
    for walk in 0..2_000 {
        let start = walk % 255 * 3;
        let expected = 2;
        let count =
            block_on(graph.k_hop_count(&start.to_string(), 2, Direction::Outgoing)).unwrap();
        assert_eq!(count, expected, "walk {walk} from {start}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn traversal_and_k_hop_match_breadth_first_search(
        (n, edges) in small_graph(), start in 0usize..9, depth in 0usize..5, dir in 0u8..3, label in prop::option::of(0u8..2),
    ) {
        let start = start % n;
        let dir = [Direction::Outgoing, Direction::Incoming, Direction::Both][dir as usize];
        let graph = load(n, &edges);
        let expected = bfs_depths(n, &edges, start, dir, label);
        let mut walk = graph.traverse(&start.to_string()).with_max_depth(depth).with_direction(dir);
        if let Some(l) = label {
            let name = format!("l{l}");
            walk = walk.with_edge_filter(move |e| e.label() == name);
        }
        let visited = block_on(walk).unwrap();
        let mut seen = BTreeSet::new();
        let mut last_depth = 0;
        for v in &visited {
            prop_assert!(seen.insert(v.id().to_string()), "{} yielded twice", v.id());
            prop_assert!(v.depth() >= last_depth, "not breadth-first");
            last_depth = v.depth();
            let i: usize = v.id().parse().unwrap();
            prop_assert_eq!(Some(v.depth()), expected[i]);
            if let Some(edge) = &v.via {
                prop_assert!(edge.source == v.node.id || edge.target == v.node.id);
            }
        }
        let reachable = expected.iter().filter(|d| d.is_some_and(|d| d <= depth)).count();
        prop_assert_eq!(visited.len(), reachable);
        if label.is_none() {
            let count = block_on(graph.k_hop_count(&start.to_string(), depth, dir)).unwrap();
            prop_assert_eq!(count, reachable - 1);
            let listed = block_on(graph.k_hop_nodes(&start.to_string(), depth, dir)).unwrap();
            prop_assert_eq!(listed.len(), count);
        }
    }

    #[test]
    fn find_paths_lists_every_simple_path((n, edges) in small_graph(), from in 0usize..9, to in 0usize..9, max in 1usize..4) {
        let (from, to) = (from % n, to % n);
        let graph = load(n, &edges);
        let found = block_on(graph.find_paths(&from.to_string(), &to.to_string(), Some(max), None)).unwrap();
        // Node sequences with multiplicity (parallel edges give distinct paths).
        let mut got: Vec<Vec<usize>> = found.iter().map(|p| p.nodes.iter().map(|s| s.parse().unwrap()).collect()).collect();
        for p in &found {
            prop_assert_eq!(p.nodes.len(), p.edges.len() + 1);
            prop_assert!(p.len() <= max);
        }
        got.sort();
        let got_set: BTreeSet<Vec<usize>> = got.iter().cloned().collect();
        let expected: BTreeSet<Vec<usize>> = simple_paths(&edges, from, to, max).into_iter().filter(|p| p.len() - 1 <= max).collect();
        prop_assert_eq!(got_set, expected);
        for w in found.windows(2) {
            prop_assert!(w[0].len() <= w[1].len(), "shortest first");
        }
    }
}

#[test]
fn find_paths_respects_labels_and_the_cap() {
    // A complete digraph on 7 nodes has thousands of simple paths.
    let edges: Vec<(usize, usize, u8)> = (0..7)
        .flat_map(|s| {
            (0..7)
                .filter(move |&t| t != s)
                .map(move |t| (s, t, (s % 2) as u8))
        })
        .collect();
    let graph = load(7, &edges);
    let capped = PathOptions {
        max_paths: 25,
        ..PathOptions::default()
    };
    let paths = block_on(graph.find_paths("0", "6", Some(6), Some(capped))).unwrap();
    assert_eq!(paths.len(), 25);
    let only_l0 = PathOptions {
        edge_labels: Some(vec!["l0".into()]),
        ..PathOptions::default()
    };
    for path in block_on(graph.find_paths("0", "6", Some(3), Some(only_l0))).unwrap() {
        for pair in path.nodes.windows(2) {
            assert_eq!(
                pair[0].parse::<usize>().unwrap() % 2,
                0,
                "left through an l1 edge: {path:?}"
            );
        }
    }
    let err = block_on(graph.find_paths("0", "nowhere", None, None)).unwrap_err();
    assert_eq!(err.to_string(), "node 'nowhere' not found");
}
