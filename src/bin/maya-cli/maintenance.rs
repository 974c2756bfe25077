//! `maya-cli verify`, `compact` and `repair`.

use std::time::Instant;

use knowledge_graph::{block_on, Error, Graph, SledStorage, Storage, StorageError};
use serde_json::json;

use crate::cli::{CompactArgs, Global, RepairArgs, VerifyArgs};
use crate::db::{self, Access};
use crate::exit::{self, CliError};

/// One check and its outcome.
struct Check {
    name: &'static str,
    result: Result<String, String>,
}

fn checks(graph: &Graph<SledStorage>) -> Vec<Check> {
    vec![
        Check {
            name: "storage checksums",
            result: graph
                .storage()
                .verify_checksums()
                .map(|()| "every page matches its checksum".to_string())
                .map_err(|e| e.to_string()),
        },
        // Every record, edge endpoint, adjacency list, index entry and
        // change-log entry, read back and compared with the loaded graph.
        Check {
            name: "graph integrity",
            result: block_on(graph.verify_integrity())
                .map(|report| report.to_string())
                .map_err(|e| e.to_string()),
        },
    ]
}

pub fn verify(global: &Global, args: VerifyArgs) -> Result<(), CliError> {
    let started = Instant::now();
    // A graph that does not load is a failed verification (exit 1), not an
    // unavailable database, unless it is locked or missing.
    let storage = db::open_storage(global, Access::Existing)?;
    let checks = match Graph::open(storage) {
        Ok(graph) => checks(&graph),
        Err(Error::Storage(err @ StorageError::Locked { .. })) => {
            return Err(CliError::unavailable(err))
        }
        Err(err) => vec![Check {
            name: "load",
            result: Err(err.to_string()),
        }],
    };
    let ok = checks.iter().all(|c| c.result.is_ok());
    if args.json {
        let list: Vec<_> = checks
            .iter()
            .map(|c| match &c.result {
                Ok(detail) => json!({"check": c.name, "ok": true, "detail": detail}),
                Err(detail) => json!({"check": c.name, "ok": false, "detail": detail}),
            })
            .collect();
        println!("{}", json!({"ok": ok, "checks": list}));
    } else {
        for c in &checks {
            match &c.result {
                Ok(detail) => println!("ok      {:<18} {detail}", c.name),
                Err(detail) => println!("FAILED  {:<18} {detail}", c.name),
            }
        }
        println!(
            "verification {} in {:.2} s",
            if ok { "passed" } else { "FAILED" },
            started.elapsed().as_secs_f64()
        );
    }
    if ok {
        Ok(())
    } else {
        Err(CliError {
            code: exit::FAILURE,
            message: "verification failed (`maya-cli repair` drops damaged records)".into(),
        })
    }
}

pub fn compact(global: &Global, _args: CompactArgs) -> Result<(), CliError> {
    let storage = db::open_storage(global, Access::Existing)?;
    let before = storage.size_on_disk()?;
    let started = Instant::now();
    storage.compact()?;
    let after = storage.size_on_disk()?;
    println!(
        "compacted in {:.2} s: {before} -> {after} bytes on disk",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn repair(global: &Global, _args: RepairArgs) -> Result<(), CliError> {
    let graph = db::open(global, Access::Repair)?;
    let dropped = graph.metrics().repaired_records;
    block_on(graph.flush())?;
    let nodes = block_on(graph.count_nodes())?;
    let edges = block_on(graph.count_edges())?;
    if dropped == 0 {
        println!("no damaged records found; {nodes} nodes and {edges} edges");
    } else {
        println!("dropped {dropped} damaged record(s); {nodes} nodes and {edges} edges remain");
    }
    Ok(())
}
