//! `maya-cli import`.

use std::path::PathBuf;
use std::time::Instant;

use knowledge_graph::interchange::{self, Format};
use log::info;

use crate::cli::{Global, ImportArgs};
use crate::db::{self, Access};
use crate::exit::CliError;
use crate::progress;

pub fn run(global: &Global, args: ImportArgs) -> Result<(), CliError> {
    let files: Vec<PathBuf> = args
        .nodes
        .into_iter()
        .chain(args.files)
        .chain(args.edges)
        .collect();
    let Some(first) = files.first() else {
        return Err(CliError::usage(
            "nothing to import: give input files (or --nodes FILE / --edges FILE)",
        ));
    };
    for file in &files {
        if !file.exists() {
            return Err(CliError::failure(format!(
                "{}: no such file",
                file.display()
            )));
        }
    }
    let format = match args.format {
        Some(f) => Format::from(f),
        None => Format::guess(first).ok_or_else(|| {
            CliError::usage(format!(
                "cannot tell the format of '{}' from its name: add --format ({})",
                first.display(),
                Format::NAMES.join(", ")
            ))
        })?,
    };
    let started = Instant::now();
    info!("importing {} file(s) as {format}", files.len());
    let (nodes, edges) = if format == Format::Snapshot {
        if files.len() != 1 {
            return Err(CliError::usage("a snapshot import takes exactly one file"));
        }
        let storage = db::open_storage(global, Access::Create)?;
        let graph = interchange::import_snapshot(first, storage)?;
        knowledge_graph::block_on(graph.flush())?;
        (
            knowledge_graph::block_on(graph.count_nodes())? as u64,
            knowledge_graph::block_on(graph.count_edges())? as u64,
        )
    } else {
        let graph = db::open(global, Access::Create)?;
        let bar = progress::bar(global, None, "reading");
        let summary =
            interchange::import_files(&graph, format, &files, &mut progress::reporter(&bar));
        bar.finish_and_clear();
        let summary = summary?;
        knowledge_graph::block_on(graph.flush())?;
        info!(
            "written and flushed; resident memory {}",
            progress::resident_memory()
        );
        (summary.nodes, summary.edges)
    };
    let secs = started.elapsed().as_secs_f64();
    println!(
        "imported {nodes} nodes and {edges} edges from {} file(s) in {secs:.2} s ({:.0} records/s)",
        files.len(),
        (nodes + edges) as f64 / secs.max(1e-9)
    );
    Ok(())
}
