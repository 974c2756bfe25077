//! Import/export round trips for every interchange format, and bad inputs
//! that must fail naming the file and line while leaving the graph as it was.
// Native only (spawned processes, sled, HTTP): `wasm-pack test` builds every
// test target for wasm32, where this one is then empty.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};

use knowledge_graph::interchange::{self, Format, InterchangeError};
use knowledge_graph::value::Map;
use knowledge_graph::{block_on, Graph, MemoryStorage, SledStorage, Storage, Value};

use common::props;

fn list(items: &[Value]) -> Value {
    Value::List(items.to_vec())
}

/// A graph with every kind of property value the formats must carry.
fn sample() -> Graph<MemoryStorage> {
    let graph = Graph::new(MemoryStorage::new());
    let mut batch = graph.batch();
    let nested = props(&[
        ("city", "Paris".into()),
        ("geo", props(&[("lat", 48.85.into()), ("lon", 2.35.into())])),
    ]);
    batch
        .add_node(
            "Person",
            "alice",
            &props(&[
                ("name", "Alice".into()),
                ("age", 30.into()),
                ("score", 1.5.into()),
                ("active", true.into()),
                ("tags", list(&["a".into(), "b c".into()])),
                ("lucky", list(&[3.into(), 7.into()])),
                ("address", nested),
                ("note", "comma, \"quote\"\nnewline <xml> & ; semi".into()),
                ("empty", "".into()),
                ("nothing", Value::Null),
                ("big", i64::MAX.into()),
                ("whole", 2.0.into()),
            ]),
        )
        .unwrap();
    batch
        .add_node(
            "Person",
            "bob",
            &props(&[("name", "Bob".into()), ("age", 25.5.into())]),
        )
        .unwrap();
    batch
        .add_node("City", "paris é 東京", &props(&[("name", "Paris".into())]))
        .unwrap();
    batch
        .add_node("Empty", "nobody", &Value::Map(Map::new()))
        .unwrap();
    batch
        .add_edge(
            "KNOWS",
            "alice",
            "bob",
            Some(props(&[("since", 2020.into()), ("weight", 0.5.into())])),
        )
        .unwrap();
    batch.add_edge("KNOWS", "alice", "bob", None).unwrap(); // parallel
    batch
        .add_edge("LIVES_IN", "alice", "paris é 東京", None)
        .unwrap();
    batch
        .add_edge(
            "LIVES_IN",
            "bob",
            "paris é 東京",
            Some(props(&[("tags", list(&["x".into()]))])),
        )
        .unwrap();
    batch.add_edge("SELF", "nobody", "nobody", None).unwrap();
    block_on(batch.commit()).unwrap();
    graph
}

/// Nodes as (id, label, properties) with `Null` properties read as `{}`.
fn nodes<S: Storage>(graph: &Graph<S>) -> Vec<(String, String, Value)> {
    let mut out: Vec<_> = block_on(graph.get_nodes(None, None))
        .unwrap()
        .into_iter()
        .map(|n| {
            let props = match &*n.properties {
                Value::Null => Value::Map(Map::new()),
                other => other.clone(),
            };
            (n.id, n.label, props)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Edges as sorted (label, source, target, properties), `{}` read as `Null`.
fn edges<S: Storage>(graph: &Graph<S>) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = block_on(graph.get_edges(None, None, None))
        .unwrap()
        .into_iter()
        .map(|e| {
            let props = match &*e.properties {
                Value::Map(m) if m.is_empty() => Value::Null,
                other => other.clone(),
            };
            (e.label, e.source, e.target, format!("{props:?}"))
        })
        .collect();
    out.sort();
    out
}

fn assert_same<A: Storage, B: Storage>(a: &Graph<A>, b: &Graph<B>, what: &str) {
    assert_eq!(nodes(a), nodes(b), "{what}: nodes differ");
    assert_eq!(edges(a), edges(b), "{what}: edges differ");
}

fn out_path(dir: &Path, format: Format) -> PathBuf {
    dir.join(match format {
        Format::JsonLines => "graph.jsonl",
        Format::Csv => "csv",
        Format::Graphology => "graph.json",
        Format::GraphMl => "graph.graphml",
        _ => "graph.snapshot",
    })
}

fn round_trip(format: Format) {
    let dir = tempfile::tempdir().unwrap();
    let original = sample();
    let first = out_path(dir.path(), format);
    let summary = interchange::export_path(&original, format, &first, &mut |_| {}).unwrap();
    assert_eq!((summary.nodes, summary.edges), (4, 5), "{format}");

    let copy = Graph::new(MemoryStorage::new());
    let imported = interchange::import_files(&copy, format, &[&first], &mut |_| {}).unwrap();
    assert_eq!((imported.nodes, imported.edges), (4, 5), "{format}");
    assert_same(&original, &copy, &format!("{format} first import"));

    // Export the copy and import it again: still the same graph.
    let second_dir = tempfile::tempdir().unwrap();
    let second = out_path(second_dir.path(), format);
    interchange::export_path(&copy, format, &second, &mut |_| {}).unwrap();
    let again = Graph::new(MemoryStorage::new());
    interchange::import_files(&again, format, &[&second], &mut |_| {}).unwrap();
    assert_same(&original, &again, &format!("{format} second import"));
}

#[test]
fn jsonl_round_trips() {
    round_trip(Format::JsonLines);
}

#[test]
fn csv_round_trips() {
    round_trip(Format::Csv);
}

#[test]
fn graphology_round_trips() {
    round_trip(Format::Graphology);
}

#[test]
fn graphml_round_trips() {
    round_trip(Format::GraphMl);
}

#[test]
fn snapshot_round_trips_into_empty_storage_only() {
    let dir = tempfile::tempdir().unwrap();
    let original = sample();
    let path = dir.path().join("g.snapshot");
    interchange::export_path(&original, Format::Snapshot, &path, &mut |_| {}).unwrap();
    let copy = interchange::import_snapshot(&path, MemoryStorage::new()).unwrap();
    assert_same(&original, &copy, "snapshot");
    // Edge ids and timestamps survive a snapshot.
    assert_eq!(
        block_on(original.get_edges(None, None, None)).unwrap(),
        block_on(copy.get_edges(None, None, None)).unwrap()
    );
    let occupied = SledStorage::temp().unwrap();
    let graph = Graph::open(occupied).unwrap();
    block_on(graph.add_node("x", "1", &())).unwrap();
    block_on(graph.flush()).unwrap();
    // The open graph cannot take a snapshot: import() refuses it.
    let err =
        interchange::import_files(&graph, Format::Snapshot, &[&path], &mut |_| {}).unwrap_err();
    assert!(matches!(err, InterchangeError::Invalid { .. }), "{err}");
}

#[test]
fn jsonl_nodes_and_edges_in_separate_files_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let edges_file = dir.path().join("edges.jsonl");
    let nodes_file = dir.path().join("nodes.jsonl");
    std::fs::write(
        &edges_file,
        "{\"type\":\"edge\",\"source\":\"a\",\"target\":\"b\",\"label\":\"L\",\"id\":7,\"timestamp\":1700000000000}\n",
    )
    .unwrap();
    std::fs::write(
        &nodes_file,
        "\n{\"type\":\"node\",\"id\":\"a\",\"label\":\"N\"}\n\n{\"type\":\"node\",\"id\":\"b\",\"label\":\"N\",\"properties\":{\"x\":1}}\n",
    )
    .unwrap();
    let graph = Graph::new(MemoryStorage::new());
    // Edges first: they refer to nodes defined later in the same import.
    interchange::import_files(
        &graph,
        Format::JsonLines,
        &[&edges_file, &nodes_file],
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(block_on(graph.count_nodes()).unwrap(), 2);
    assert_eq!(block_on(graph.count_edges()).unwrap(), 1);
    // The edge keeps the creation time the file gives.
    let edges = block_on(graph.get_edges(None, None, None)).unwrap();
    assert_eq!(edges[0].timestamp_millis(), 1_700_000_000_000);
}

#[test]
fn jsonl_keeps_edge_creation_times() {
    let dir = tempfile::tempdir().unwrap();
    let original = sample();
    // An edge from long ago: an import that stamped its own time would differ.
    let mut batch = original.batch();
    batch.add_edge_created_at("KNOWS", "alice", "alice", None, 1_600_000_000_000);
    block_on(batch.commit()).unwrap();
    let path = dir.path().join("g.jsonl");
    interchange::export_path(&original, Format::JsonLines, &path, &mut |_| {}).unwrap();
    let copy = Graph::new(MemoryStorage::new());
    interchange::import_files(&copy, Format::JsonLines, &[&path], &mut |_| {}).unwrap();
    let times = |graph: &Graph<MemoryStorage>| {
        let mut times: Vec<(String, String, String, i64)> =
            block_on(graph.get_edges(None, None, None))
                .unwrap()
                .into_iter()
                .map(|e| {
                    let t = e.timestamp_millis();
                    (e.source, e.target, e.label, t)
                })
                .collect();
        times.sort();
        times
    };
    assert_eq!(times(&original), times(&copy));
}

#[test]
fn neo4j_style_csv_headers_are_understood() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("people.csv"),
        "id:ID,:LABEL,name,age:int,score:float,active:boolean,tags:string[],meta:json\n\
         alice,Person,Alice,30,1.5,true,a;b,\"{\"\"k\"\":[1,2]}\"\n\
         bob,Person,,,,,,\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("edges_KNOWS.csv"),
        ":START_ID,:END_ID,weight:double\nalice,bob,0.25\n",
    )
    .unwrap();
    let graph = Graph::new(MemoryStorage::new());
    interchange::import_files(&graph, Format::Csv, &[dir.path()], &mut |_| {}).unwrap();
    let alice = block_on(graph.get_node("alice")).unwrap().unwrap();
    assert_eq!(alice.label, "Person");
    assert_eq!(alice.get("age"), Some(&Value::Int(30)));
    assert_eq!(alice.get("score"), Some(&Value::Float(1.5)));
    assert_eq!(alice.get("active"), Some(&Value::Bool(true)));
    assert_eq!(alice.get("tags"), Some(&list(&["a".into(), "b".into()])));
    assert_eq!(alice.get("meta").unwrap()["k"], list(&[1.into(), 2.into()]));
    assert_eq!(alice.get("id"), None, "the id column is not a property");
    let bob = block_on(graph.get_node("bob")).unwrap().unwrap();
    assert_eq!(
        *bob.properties,
        Value::Map(Map::new()),
        "empty cells are absent"
    );
    let edge = &block_on(graph.get_edges(Some("KNOWS"), None, None)).unwrap()[0];
    assert_eq!(edge.get("weight"), Some(&Value::Float(0.25)));
}

/// Imports `files` into a graph that already holds data; the import must
/// fail with a message containing every `expected` part, and the graph must
/// be exactly as before.
fn rejected(format: Format, files: &[(&str, &str)], expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let graph = Graph::open(SledStorage::temp().unwrap()).unwrap();
    block_on(graph.add_node("Person", "existing", &props(&[("n", 1.into())]))).unwrap();
    block_on(graph.add_node("Person", "bob", &())).unwrap();
    block_on(graph.add_edge("KNOWS", "existing", "bob", None)).unwrap();
    let before = graph.to_snapshot().unwrap();
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, text)| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let err = interchange::import_files(&graph, format, &paths, &mut |_| {}).unwrap_err();
    let message = err.to_string();
    for part in expected {
        assert!(message.contains(part), "'{message}' lacks '{part}'");
    }
    assert_eq!(graph.to_snapshot().unwrap(), before, "the graph changed");
    assert_eq!(block_on(graph.count_nodes()).unwrap(), 2);
    assert_eq!(block_on(graph.count_edges()).unwrap(), 1);
}

const GOOD_NODE: &str = "{\"type\":\"node\",\"id\":\"alice\",\"label\":\"Person\"}\n";

#[test]
fn malformed_json_names_file_line_and_column() {
    rejected(
        Format::JsonLines,
        &[(
            "nodes.jsonl",
            &format!("{GOOD_NODE}\n{{\"type\":\"node\",\"id\":\"x\",\"label\":}}\n"),
        )],
        &["nodes.jsonl:3:", "malformed JSON"],
    );
}

#[test]
fn missing_edge_endpoint_names_file_and_line() {
    rejected(
        Format::JsonLines,
        &[(
            "nodes.jsonl",
            &format!(
                "{GOOD_NODE}{}",
                "{\"type\":\"edge\",\"source\":\"alice\",\"target\":\"zed\",\"label\":\"KNOWS\"}\n"
            ),
        )],
        &["nodes.jsonl:2: edge target 'zed' is not a node"],
    );
}

#[test]
fn duplicate_and_existing_ids_are_rejected() {
    rejected(
        Format::JsonLines,
        &[("a.jsonl", &format!("{GOOD_NODE}{GOOD_NODE}"))],
        &[
            "a.jsonl:2: node 'alice' is defined twice (first at",
            "a.jsonl:1",
        ],
    );
    rejected(
        Format::JsonLines,
        &[(
            "a.jsonl",
            "{\"type\":\"node\",\"id\":\"existing\",\"label\":\"Person\"}\n",
        )],
        &["a.jsonl:1: node 'existing' already exists in the database"],
    );
    rejected(
        Format::JsonLines,
        &[("a.jsonl", "{\"type\":\"vertex\",\"id\":\"v\"}\n")],
        &["a.jsonl:1: unknown \"type\" 'vertex'"],
    );
}

#[test]
fn unknown_csv_type_names_the_header() {
    rejected(
        Format::Csv,
        &[("nodes_Person.csv", ":ID,age:integer\nalice,3\n")],
        &["nodes_Person.csv:1:", "unknown type 'integer'"],
    );
}

#[test]
fn bad_csv_cells_name_line_and_column() {
    rejected(
        Format::Csv,
        &[(
            "nodes_Person.csv",
            ":ID,:LABEL,age:int\nalice,Person,3\ncarol,Person,old\n",
        )],
        &["nodes_Person.csv:3:age:int: 'old' is not an integer"],
    );
    rejected(
        Format::Csv,
        &[
            ("nodes_Person.csv", ":ID\nalice\n"),
            (
                "edges_KNOWS.csv",
                ":START_ID,:END_ID\nalice,bob\nalice,nobody\n",
            ),
        ],
        &["edges_KNOWS.csv:3: edge target 'nobody' is not a node"],
    );
    rejected(
        Format::Csv,
        &[("nodes_Person.csv", ":ID,name\nalice,x\nbob\n")],
        &["nodes_Person.csv:3:", "1 fields, but the header has 2"],
    );
}

#[test]
fn bad_xml_names_file_and_line() {
    rejected(
        Format::GraphMl,
        &[(
            "g.graphml",
            "<?xml version=\"1.0\"?>\n<graphml>\n<graph>\n<node id=\"a\">\n</edge>\n</graph>\n</graphml>\n",
        )],
        &["g.graphml:5:", "malformed XML"],
    );
    rejected(
        Format::GraphMl,
        &[(
            "g.graphml",
            "<graphml>\n<key id=\"d0\" for=\"node\" attr.name=\"n\" attr.type=\"int\"/>\n<graph>\n<node id=\"a\"/>\n<node id=\"b\"><data key=\"d0\">many</data></node>\n</graph></graphml>\n",
        )],
        &["g.graphml:5:", "'many' is not an integer"],
    );
    rejected(
        Format::GraphMl,
        &[(
            "g.graphml",
            "<graphml><graph>\n<node id=\"a\"/>\n<edge source=\"a\" target=\"zed\"/>\n</graph></graphml>",
        )],
        &["g.graphml:3: edge target 'zed' is not a node"],
    );
}

#[test]
fn bad_graphology_names_file_and_position() {
    rejected(
        Format::Graphology,
        &[(
            "g.json",
            "{\"nodes\": [\n  {\"key\": \"a\"},\n  {\"key\": }\n]}",
        )],
        &["g.json:3:", "malformed graphology JSON"],
    );
    rejected(
        Format::Graphology,
        &[(
            "g.json",
            "{\"nodes\":[{\"key\":\"a\"}],\"edges\":[{\"source\":\"a\",\"target\":\"zed\"}]}",
        )],
        &["g.json:edges[0]: edge target 'zed' is not a node"],
    );
}

#[test]
fn non_utf8_and_binary_input_fail_cleanly() {
    let garbage: &[u8] = &[0xff, 0xfe, 0x00, 0x7b, 0x0a, 0xc3, 0x28, 0x0a];
    for format in [
        Format::JsonLines,
        Format::Csv,
        Format::Graphology,
        Format::GraphMl,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("garbage.bin");
        std::fs::write(&path, garbage).unwrap();
        let graph = Graph::new(MemoryStorage::new());
        let err = interchange::import_files(&graph, format, &[&path], &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("garbage.bin"), "{format}: {err}");
        assert_eq!(block_on(graph.count_nodes()).unwrap(), 0);
    }
}

#[test]
fn a_failing_later_batch_undoes_the_batches_already_written() {
    use knowledge_graph::interchange::{ImportOptions, Input, Progress};
    let graph = Graph::new(MemoryStorage::new());
    block_on(graph.add_node("old", "o1", &())).unwrap();
    block_on(graph.add_node("old", "o2", &())).unwrap();
    block_on(graph.add_edge("L", "o1", "o2", None)).unwrap();
    let before_nodes = nodes(&graph);
    let before_edges = edges(&graph);
    let mut text = String::new();
    for i in 0..10 {
        text.push_str(&format!(
            "{{\"type\":\"node\",\"id\":\"n{i}\",\"label\":\"new\"}}\n"
        ));
    }
    for (s, t) in [
        ("n0", "n1"),
        ("o1", "o2"),
        ("o2", "n3"),
        ("n9", "o1"),
        ("o2", "o1"),
    ] {
        text.push_str(&format!(
            "{{\"type\":\"edge\",\"source\":\"{s}\",\"target\":\"{t}\",\"label\":\"E\"}}\n"
        ));
    }
    // Batches of 4: [n0..n3] [n4..n7] [n8 n9 n0->n1 o1->o2] [o2->n3 ...].
    // After the third, another writer removes n3, so the fourth fails after
    // validation; the undo must also remove the old-to-old edge o1->o2.
    let mut raced = false;
    let err = interchange::import_with(
        &graph,
        Format::JsonLines,
        vec![Input::new("race.jsonl", text.as_bytes())],
        ImportOptions::default().chunk_ops(4),
        &mut |p| {
            if let Progress::Writing { done: 12, .. } = p {
                if !raced {
                    raced = true;
                    block_on(graph.remove_node("n3")).unwrap();
                }
            }
        },
    )
    .unwrap_err();
    assert!(raced);
    assert!(err.to_string().contains("node 'n3' not found"), "{err}");
    assert_eq!(nodes(&graph), before_nodes);
    assert_eq!(edges(&graph), before_edges);
}

#[test]
fn too_deeply_nested_json_cells_are_rejected_with_their_line() {
    let deep = format!("{}1{}", "[".repeat(128), "]".repeat(128));
    let csv = format!(":ID,:LABEL,deep:json\nok,N,1\nbad,N,\"{deep}\"\n");
    rejected(
        Format::Csv,
        &[("nodes_N.csv", &csv)],
        &["nodes_N.csv:3:deep:json: invalid JSON: recursion limit exceeded"],
    );
}
