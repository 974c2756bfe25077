//! Times `/metrics` scrapes of a running `maya-cli serve`.
//!
//! ```text
//! maya-cli --data-dir DB serve --listen 127.0.0.1:9090 &
//! cargo run --release --example bench_scrape -- --url http://127.0.0.1:9090/metrics --n 50
//! ```
//! Prints the median, p90 and maximum over `--n` sequential scrapes (after
//! one warm-up scrape), and the size of the exposition.

use std::time::Instant;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).cloned()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = arg("--url").unwrap_or_else(|| "http://127.0.0.1:9090/metrics".into());
    let n: usize = arg("--n").map_or(50, |v| v.parse().expect("--n N"));
    let agent = ureq::agent();
    let body = agent.get(&url).call()?.into_string()?;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let text = agent.get(&url).call()?.into_string()?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        assert!(text.contains("maya_nodes"));
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{n} scrapes of {url} ({} bytes): median {:.2} ms, p90 {:.2} ms, max {:.2} ms",
        body.len(),
        at(0.5),
        at(0.9),
        times[times.len() - 1]
    );
    Ok(())
}
