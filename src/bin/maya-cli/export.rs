//! `maya-cli export`.

use std::time::Instant;

use knowledge_graph::interchange::{self, Format};

use crate::cli::{ExportArgs, Global};
use crate::db::{self, Access};
use crate::exit::CliError;
use crate::progress;

pub fn run(global: &Global, args: ExportArgs) -> Result<(), CliError> {
    let format = match args.format {
        Some(f) => Format::from(f),
        None if args.output.extension().is_none() => Format::Csv,
        None => Format::guess(&args.output).ok_or_else(|| {
            CliError::usage(format!(
                "cannot tell the format of '{}' from its name: add --format ({})",
                args.output.display(),
                Format::NAMES.join(", ")
            ))
        })?,
    };
    let graph = db::open(global, Access::Existing)?;
    let started = Instant::now();
    let bar = progress::bar(global, None, "exporting");
    let summary =
        interchange::export_path(&graph, format, &args.output, &mut progress::reporter(&bar));
    bar.finish_and_clear();
    let summary = summary?;
    println!(
        "exported {} nodes and {} edges as {format} to {} ({} file(s)) in {:.2} s",
        summary.nodes,
        summary.edges,
        args.output.display(),
        summary.files.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
