//! `maya-cli serve`: `/metrics` checked against the graph and by `promtool`,
//! the JSON API, and static files that cannot be escaped.
// Native only (spawned processes, sled, HTTP): `wasm-pack test` builds every
// test target for wasm32, where this one is then empty.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_maya-cli");

/// A running `maya-cli serve`, killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(args: &[&str]) {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A database of a small social graph, served on an ephemeral port.
fn serve(dir: &Path, extra: &[&str]) -> Server {
    let input = dir.join("g.jsonl");
    let mut text = String::new();
    for i in 0..10 {
        text.push_str(&format!(
            "{{\"type\":\"node\",\"id\":\"u{i}\",\"label\":\"user\",\"properties\":{{\"age\":{}}}}}\n",
            20 + i
        ));
    }
    text.push_str("{\"type\":\"node\",\"id\":\"x y/z\",\"label\":\"thing\"}\n");
    for i in 0..9 {
        text.push_str(&format!(
            "{{\"type\":\"edge\",\"source\":\"u{i}\",\"target\":\"u{}\",\"label\":\"follows\"}}\n",
            i + 1
        ));
    }
    text.push_str(
        "{\"type\":\"edge\",\"source\":\"u0\",\"target\":\"x y/z\",\"label\":\"owns\"}\n",
    );
    std::fs::write(&input, text).unwrap();
    let db = dir.join("db").display().to_string();
    run(&["-q", "--data-dir", &db, "import", input.to_str().unwrap()]);
    let mut args = vec!["--data-dir", &db, "serve", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut child = Command::new(BIN)
        .args(&args)
        // Away from the repository, whose www/explorer/dist (once built) is
        // the default static directory.
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    Server { child, base }
}

fn get(server: &Server, path: &str) -> (u16, String, String) {
    let url = format!("{}{path}", server.base);
    match ureq::get(&url).call() {
        Ok(resp) => {
            let ct = resp.content_type().to_string();
            (resp.status(), ct, resp.into_string().unwrap())
        }
        Err(ureq::Error::Status(code, resp)) => {
            let ct = resp.content_type().to_string();
            (code, ct, resp.into_string().unwrap())
        }
        Err(err) => panic!("GET {url}: {err}"),
    }
}

fn json(server: &Server, path: &str) -> (u16, serde_json::Value) {
    let (status, ct, body) = get(server, path);
    assert_eq!(ct, "application/json", "{path}");
    (status, serde_json::from_str(&body).unwrap())
}

/// Sample lines `name{labels} value` → value, keyed by `name{labels}`.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (key, value) = l.rsplit_once(' ')?;
            Some((key.to_string(), value.parse().ok()?))
        })
        .collect()
}

#[test]
fn metrics_match_the_graph_and_pass_promtool() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    // Some reads, so the read counters move.
    for _ in 0..200 {
        assert_eq!(json(&server, "/api/nodes/u1").0, 200);
    }
    let (status, ct, text) = get(&server, "/metrics");
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/plain"), "{ct}");
    let m = samples(&text);
    assert_eq!(m["maya_nodes"], 11.0);
    assert_eq!(m["maya_edges"], 10.0);
    assert_eq!(m["maya_average_degree"], 10.0 / 11.0);
    assert_eq!(m["maya_density"], 10.0 / (11.0 * 10.0));
    assert!(m["maya_disk_usage_bytes"] > 0.0);
    assert_eq!(m["maya_active_transactions"], 0.0);
    assert_eq!(m["maya_index_entries"], 0.0);
    assert_eq!(m["maya_query_columns"], 0.0);
    assert!(m["maya_uptime_seconds"] >= 0.0);
    assert!(m["maya_process_start_time_seconds"] > 1.6e9);
    assert_eq!(m["maya_backup_success_total"], 0.0);
    assert_eq!(m["maya_backup_failed_total"], 0.0);
    assert_eq!(m["maya_backup_last_success_timestamp_seconds"], 0.0);
    // 200 reads, published in groups of 16 per worker thread (4 threads).
    assert!(
        m["maya_operations_total{op=\"get_node\"}"] >= 16.0,
        "{text}"
    );
    let read_count = m["maya_read_latency_seconds_count"];
    assert_eq!(
        m["maya_read_latency_seconds_bucket{le=\"+Inf\"}"],
        read_count
    );
    assert!(read_count >= 1.0, "{text}");
    assert!(m["maya_read_latency_seconds_sum"] > 0.0);
    for family in [
        "maya_write_latency_seconds histogram",
        "maya_read_latency_seconds histogram",
        "maya_operations_total counter",
        "maya_commits_total counter",
        "maya_rollbacks_total counter",
        "maya_cache_hit_ratio gauge",
        "maya_disk_usage_bytes gauge",
        "maya_backup_success_total counter",
    ] {
        assert!(text.contains(&format!("# TYPE {family}\n")), "{family}");
    }
    // Buckets are cumulative.
    let buckets: Vec<f64> = text
        .lines()
        .filter(|l| l.starts_with("maya_read_latency_seconds_bucket"))
        .map(|l| l.rsplit_once(' ').unwrap().1.parse().unwrap())
        .collect();
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");

    promtool(&text);
}

/// `promtool check metrics` must accept the exposition; a machine without
/// promtool fails this test (install: `apt-get install -y prometheus`).
fn promtool(text: &str) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool is needed for this test: apt-get install -y prometheus");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool rejected /metrics:\n{}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn json_api_answers_and_errors_with_status_codes() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);

    let (status, node) = json(&server, "/api/nodes/u3");
    assert_eq!(status, 200);
    assert_eq!(node["id"], "u3");
    assert_eq!(node["label"], "user");
    assert_eq!(node["properties"]["age"], 23);

    // Ids are percent-decoded path segments.
    let (status, node) = json(&server, "/api/nodes/x%20y%2Fz");
    assert_eq!(status, 200, "{node}");
    assert_eq!(node["label"], "thing");

    let (status, err) = json(&server, "/api/nodes/nobody");
    assert_eq!(status, 404);
    assert!(err["error"].as_str().unwrap().contains("nobody"));

    let (status, n) = json(&server, "/api/nodes/u0/neighbors?direction=out");
    assert_eq!(status, 200);
    assert_eq!(n["neighbors"].as_array().unwrap().len(), 2);
    let (_, n) = json(
        &server,
        "/api/nodes/u0/neighbors?direction=out&label=follows",
    );
    assert_eq!(n["neighbors"][0]["node"]["id"], "u1");
    assert_eq!(n["neighbors"][0]["edge"]["label"], "follows");
    let (_, n) = json(&server, "/api/nodes/u5/neighbors?direction=both");
    assert_eq!(n["neighbors"].as_array().unwrap().len(), 2);
    assert_eq!(json(&server, "/api/nodes/u5/neighbors?direction=up").0, 400);
    assert_eq!(json(&server, "/api/nodes/nobody/neighbors").0, 404);

    let (status, q) = json(
        &server,
        "/api/query?label=user&expr=age%20%3E%3D%20%241&params=27",
    );
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["count"], 3);
    let (_, q) = json(
        &server,
        "/api/query?label=user&expr=age+%3E+%241+AND+age+%3C+%242&params=%5B%2221%22%2C%2224%22%5D",
    );
    assert_eq!(q["count"], 2, "{q}");
    let (status, err) = json(&server, "/api/query?label=user&expr=age%20%3E");
    assert_eq!(status, 400);
    assert!(err["error"].as_str().unwrap().contains("column"), "{err}");
    assert_eq!(json(&server, "/api/query?label=user").0, 400);

    let (status, plan) = json(&server, "/api/explain?label=user&expr=age%20%3D%2025");
    assert_eq!(status, 200);
    assert_eq!(plan["uses_index"], false);
    assert!(plan["steps"][0].as_str().unwrap().contains("label scan"));

    let (status, path) = json(&server, "/api/shortest-path?from=u0&to=u4");
    assert_eq!(status, 200);
    assert_eq!(path["path"].as_array().unwrap().len(), 5);
    assert_eq!(path["cost"], 4.0);
    let (_, path) = json(&server, "/api/shortest-path?from=u4&to=u0");
    assert!(path["path"].is_null());
    assert_eq!(json(&server, "/api/shortest-path?from=u0&to=nobody").0, 404);

    let (status, pr) = json(&server, "/api/pagerank?top=3");
    assert_eq!(status, 200);
    assert_eq!(pr["top"].as_array().unwrap().len(), 3);
    assert_eq!(json(&server, "/api/pagerank?top=many").0, 400);

    let (status, stats) = json(&server, "/api/stats");
    assert_eq!(status, 200);
    assert_eq!(stats["nodes"], 11);
    assert_eq!(stats["edges"], 10);

    assert_eq!(json(&server, "/api/nope").0, 404);
    // No static directory: / is a JSON 404.
    assert_eq!(json(&server, "/").0, 404);
}

/// A raw request, so that no client normalises `..` away.
fn raw_get(server: &Server, path: &str) -> String {
    let addr = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn static_files_are_served_without_path_traversal() {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir_all(www.join("assets")).unwrap();
    std::fs::write(www.join("index.html"), "<h1>explorer</h1>").unwrap();
    std::fs::write(www.join("assets/app.js"), "console.log(1)").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "top secret").unwrap();
    let server = serve(dir.path(), &["--www", www.to_str().unwrap()]);

    let (status, ct, body) = get(&server, "/");
    assert_eq!((status, body.as_str()), (200, "<h1>explorer</h1>"));
    assert!(ct.starts_with("text/html"));
    let (status, ct, _) = get(&server, "/assets/app.js");
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/javascript"));

    for attack in [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/assets/..%5c..%5csecret.txt",
        "//etc/passwd",
    ] {
        let response = raw_get(&server, attack);
        assert!(response.starts_with("HTTP/1.1 404"), "{attack}: {response}");
        assert!(!response.contains("top secret"), "{attack}");
    }
}

fn post(server: &Server, path: &str) -> (u16, serde_json::Value) {
    let url = format!("{}{path}", server.base);
    let resp = match ureq::post(&url).call() {
        Ok(resp) => resp,
        Err(ureq::Error::Status(_, resp)) => resp,
        Err(err) => panic!("POST {url}: {err}"),
    };
    let status = resp.status();
    (
        status,
        serde_json::from_str(&resp.into_string().unwrap()).unwrap(),
    )
}

#[test]
fn backups_over_http_are_hot_verified_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let off = serve(&a, &[]);
    let (status, body) = post(&off, "/api/backup");
    assert_eq!(status, 404, "{body}");
    assert!(body["error"].as_str().unwrap().contains("--backup-dir"));
    drop(off);

    let backups = dir.path().join("backups");
    let server = serve(&b, &["--backup-dir", backups.to_str().unwrap()]);
    let (status, body) = post(&server, "/api/backup");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["kind"].as_str(), body["nodes"].as_u64()),
        (Some("full"), Some(11))
    );
    let full = body["path"].as_str().unwrap().to_string();
    let verified = Command::new(BIN)
        .args(["backup", "verify", &full])
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    // Nothing committed since: an incremental backup writes nothing.
    let (status, body) = post(&server, "/api/backup?incremental=true");
    assert_eq!((status, body["records"].as_u64()), (200, Some(0)), "{body}");
    // The same second's name is taken: refused, and counted as a failure.
    let (status, _) = post(&server, "/api/backup");
    let (_, _, text) = get(&server, "/metrics");
    let values = samples(&text);
    let failed = if status == 409 { 1.0 } else { 0.0 };
    assert_eq!(values["maya_backup_success_total"], 2.0 - failed);
    assert_eq!(values["maya_backup_failed_total"], failed);
    assert!(values["maya_backup_last_success_timestamp_seconds"] > 1.6e9);
    let (status, _, _) = get(&server, "/api/backup");
    assert_eq!(status, 404, "GET does not back up");
}
