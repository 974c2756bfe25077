//! `maya-cli` as a user runs it: spawned processes, exit codes, output.
// Native only (spawned processes, sled, HTTP): `wasm-pack test` builds every
// test target for wasm32, where this one is then empty.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use knowledge_graph::{block_on, Graph, Keyspace, SledStorage, Storage, WriteBatch};

const BIN: &str = env!("CARGO_BIN_EXE_maya-cli");

fn maya(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("MAYA_DATA_DIR")
        .env_remove("RUST_LOG")
        .output()
        .expect("maya-cli runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

const SAMPLE: &str = r#"{"type":"node","id":"alice","label":"Person","properties":{"name":"Alice","age":30}}
{"type":"node","id":"bob","label":"Person","properties":{"name":"Bob","age":25}}
{"type":"node","id":"carol","label":"Person","properties":{"name":"Carol","age":41}}
{"type":"node","id":"paris","label":"City","properties":{"name":"Paris"}}
{"type":"edge","source":"alice","target":"bob","label":"KNOWS","properties":{"since":2020}}
{"type":"edge","source":"bob","target":"carol","label":"KNOWS"}
{"type":"edge","source":"alice","target":"paris","label":"LIVES_IN"}
"#;

/// A database holding SAMPLE, imported with the CLI.
fn database(dir: &Path) -> String {
    let input = dir.join("sample.jsonl");
    std::fs::write(&input, SAMPLE).unwrap();
    let db = dir.join("db").display().to_string();
    let out = maya(&["--data-dir", &db, "import", input.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported 4 nodes and 3 edges"),
        "{}",
        stdout(&out)
    );
    db
}

#[test]
fn every_command_has_help() {
    let out = maya(&["--help"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for command in [
        "import", "export", "stats", "query", "verify", "compact", "repair", "serve",
    ] {
        assert!(text.contains(command), "--help lacks {command}");
        let out = maya(&[command, "--help"]);
        assert_eq!(code(&out), 0, "{command} --help");
        let help = stdout(&out);
        assert!(help.contains("Usage: maya-cli"), "{command}: {help}");
        assert!(
            help.contains("Exit codes"),
            "{command} --help lacks exit codes"
        );
    }
    assert!(text.contains("3  database unavailable"), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["frobnicate"][..],
        &["stats", "--no-such-flag"],
        &["import", "--format", "yaml", "x"],
        &[],
    ] {
        let out = maya(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
    }
    let out = maya(&["stats"]);
    assert_eq!(code(&out), 2, "no --data-dir");
    assert!(stderr(&out).contains("--data-dir"), "{}", stderr(&out));
}

#[test]
fn a_missing_database_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nothing-here").display().to_string();
    let out = maya(&["--data-dir", &db, "stats"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("no database at"), "{}", stderr(&out));
    assert!(!Path::new(&db).exists(), "stats must not create a database");
}

#[test]
fn stats_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let out = maya(&["--data-dir", &db, "stats"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("nodes           4"), "{text}");
    assert!(text.contains("edges           3"), "{text}");
    assert!(text.contains("Person"), "{text}");
    assert!(text.contains("KNOWS"), "{text}");

    let out = maya(&["--data-dir", &db, "stats", "--json"]);
    assert_eq!(code(&out), 0);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["nodes"], 4);
    assert_eq!(json["edges"], 3);
    assert_eq!(json["node_labels"]["Person"], 3);
    assert_eq!(json["edge_labels"]["KNOWS"], 2);
    assert_eq!(json["degree"]["max"], 2); // alice (two out) and bob (one in, one out)
    assert_eq!(json["out_degree"]["max"], 2);
    assert_eq!(json["average_degree"], 0.75);
    assert_eq!(json["density"], 3.0 / 12.0);
    assert!(json["disk_usage_bytes"].as_u64().unwrap() > 0);
}

#[test]
fn query_with_params_limit_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let out = maya(&[
        "--data-dir",
        &db,
        "query",
        "--label",
        "Person",
        "age > $1",
        "26",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ids: Vec<String> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids, ["\"alice\"", "\"carol\""]);

    let out = maya(&[
        "--data-dir",
        &db,
        "query",
        "--label",
        "Person",
        "age > 0",
        "--limit",
        "1",
    ]);
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));

    let out = maya(&[
        "--data-dir",
        &db,
        "query",
        "--label",
        "Person",
        "name = $1",
        "Bob",
        "--explain",
    ]);
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).contains("label scan 'Person'"),
        "{}",
        stdout(&out)
    );

    let out = maya(&["--data-dir", &db, "query", "--label", "Person", "age >"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("query error at column"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn verify_compact_and_repair() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let out = maya(&["--data-dir", &db, "verify"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("verification passed"));

    let out = maya(&["--data-dir", &db, "compact"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("bytes on disk"));

    // Damage one node record behind the graph's back (its edge bob -> carol
    // goes with it on repair).
    {
        let storage = SledStorage::open(&db).unwrap();
        let mut bytes = storage.get(Keyspace::Nodes, b"carol").unwrap().unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        let mut batch = WriteBatch::new();
        batch.put(Keyspace::Nodes, &b"carol"[..], bytes);
        storage.apply(batch).unwrap();
        storage.flush().unwrap();
    }
    let out = maya(&["--data-dir", &db, "verify", "--json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert!(report.to_string().contains("carol"), "{report}");
    assert!(stderr(&out).contains("verification failed"));

    // Other commands refuse the damaged database (unavailable).
    let out = maya(&["--data-dir", &db, "stats"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("repair"), "{}", stderr(&out));

    let out = maya(&["--data-dir", &db, "repair"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("dropped 2 damaged record(s); 3 nodes and 2 edges remain"),
        "{}",
        stdout(&out)
    );
    let out = maya(&["--data-dir", &db, "verify"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = maya(&["--data-dir", &db, "repair"]);
    assert!(stdout(&out).contains("no damaged records found"));
}

#[test]
fn export_then_import_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    for (name, format) in [
        ("out.jsonl", "jsonl"),
        ("out_csv", "csv"),
        ("out.json", "graphology"),
        ("out.graphml", "graphml"),
        ("out.snapshot", "snapshot"),
    ] {
        let path = dir.path().join(name).display().to_string();
        let out = maya(&["--data-dir", &db, "export", &path, "--format", format]);
        assert_eq!(code(&out), 0, "{format}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("exported 4 nodes and 3 edges"),
            "{}",
            stdout(&out)
        );
        let copy = dir
            .path()
            .join(format!("copy-{format}"))
            .display()
            .to_string();
        let out = maya(&[
            "-q",
            "--data-dir",
            &copy,
            "import",
            &path,
            "--format",
            format,
        ]);
        assert_eq!(code(&out), 0, "{format}: {}", stderr(&out));
        let graph = Graph::open(SledStorage::open(&copy).unwrap()).unwrap();
        assert_eq!(block_on(graph.count_nodes()).unwrap(), 4, "{format}");
        assert_eq!(block_on(graph.count_edges()).unwrap(), 3, "{format}");
        let alice = block_on(graph.get_node("alice")).unwrap().unwrap();
        assert_eq!(alice.get("age"), Some(&30.into()), "{format}");
    }
    // A snapshot goes only into an empty database.
    let path = dir.path().join("out.snapshot").display().to_string();
    let out = maya(&["--data-dir", &db, "import", &path]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("already holds a graph"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_import_fails_with_file_and_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"type\":\"node\",\"id\":\"dave\",\"label\":\"Person\"}\n{\"type\":\"edge\",\"source\":\"dave\",\"target\":\"zed\",\"label\":\"KNOWS\"}\n",
    )
    .unwrap();
    let out = maya(&["--data-dir", &db, "import", bad.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("bad.jsonl:2: edge target 'zed' is not a node"),
        "{}",
        stderr(&out)
    );
    let out = maya(&["--data-dir", &db, "stats", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (json["nodes"].as_u64(), json["edges"].as_u64()),
        (Some(4), Some(3))
    );

    let out = maya(&["--data-dir", &db, "import", "unknown.ext"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let weird = dir.path().join("data.txt");
    std::fs::write(&weird, "x").unwrap();
    let out = maya(&["--data-dir", &db, "import", weird.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--format"), "{}", stderr(&out));
}

#[test]
fn a_locked_database_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    // `serve` holds the database open.
    let mut server: Child = Command::new(BIN)
        .args(["--data-dir", &db, "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on http://"), "{line}");
    let out = maya(&["--data-dir", &db, "stats"]);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is locked by another process"),
        "{}",
        stderr(&out)
    );
}
