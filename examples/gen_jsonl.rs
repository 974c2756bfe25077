//! Writes a synthetic graph as JSON Lines for `maya-cli import` benchmarks.
//!
//! ```text
//! cargo run --release --example gen_jsonl -- --nodes 1000000 --edges 10000000 --out /tmp/kg
//! maya-cli --data-dir /tmp/kg/db import --nodes /tmp/kg/nodes.jsonl --edges /tmp/kg/edges.jsonl
//! ```
//! `nodes.jsonl` holds users `u0..` with a name, an age and a score;
//! `edges.jsonl` holds `follows` edges with a weight, from uniformly random
//! sources to targets drawn with a skew towards low ids. Deterministic.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use knowledge_graph::algo::SplitMix64;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).cloned()
}

fn main() -> std::io::Result<()> {
    let nodes: u64 = arg("--nodes").map_or(1_000_000, |v| v.parse().expect("--nodes N"));
    let edges: u64 = arg("--edges").map_or(nodes * 10, |v| v.parse().expect("--edges M"));
    let out = PathBuf::from(arg("--out").unwrap_or_else(|| "kg-bench".into()));
    std::fs::create_dir_all(&out)?;
    let started = Instant::now();
    let mut rng = SplitMix64::new(42);
    let cities = ["Paris", "Oslo", "Lima", "Pune", "Kyiv", "Accra"];
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(out.join("nodes.jsonl"))?);
    for i in 0..nodes {
        let r = rng.next_u64();
        writeln!(
            w,
            "{{\"type\":\"node\",\"id\":\"u{i}\",\"label\":\"user\",\"properties\":{{\"name\":\"User {i}\",\"age\":{},\"city\":\"{}\",\"score\":{:.3}}}}}",
            18 + r % 70,
            cities[(r >> 8) as usize % cities.len()],
            (r >> 16) as f64 / (1u64 << 48) as f64
        )?;
    }
    w.flush()?;
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(out.join("edges.jsonl"))?);
    for _ in 0..edges {
        let source = rng.next_u64() % nodes;
        // Squaring a uniform draw skews targets towards low ids (popular users).
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let target = ((u * u) * nodes as f64) as u64 % nodes;
        let weight = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        writeln!(
            w,
            "{{\"type\":\"edge\",\"source\":\"u{source}\",\"target\":\"u{target}\",\"label\":\"follows\",\"properties\":{{\"weight\":{weight:.4}}}}}"
        )?;
    }
    w.flush()?;
    println!(
        "wrote {nodes} nodes and {edges} edges to {} in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
