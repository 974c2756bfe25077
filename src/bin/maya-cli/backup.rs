//! `maya-cli backup create|incremental|verify|restore`.

use std::time::Instant;

use knowledge_graph::backup::{self, BackupInfo, BackupKind, RestoreOptions};
use knowledge_graph::{block_on, Graph, SledStorage};

use crate::cli::{BackupCommand, Global};
use crate::db::{self, Access};
use crate::exit::CliError;
use crate::progress;

pub fn run(global: &Global, command: BackupCommand) -> Result<(), CliError> {
    let started = Instant::now();
    let elapsed = || started.elapsed().as_secs_f64();
    match command {
        BackupCommand::Create { path } => {
            let graph = db::open(global, Access::Existing)?;
            let bar = progress::bar(global, None, "backing up");
            let info = block_on(graph.backup(&path));
            bar.finish_and_clear();
            let info = info?;
            println!(
                "full backup of {} nodes and {} edges ({} records, commit #{}) written to {} in {:.2} s",
                info.nodes,
                info.edges,
                info.records,
                info.sequence,
                path.display(),
                elapsed()
            );
        }
        BackupCommand::Incremental { path } => {
            let graph = db::open(global, Access::Existing)?;
            let changes = block_on(graph.get_changes_since_last_backup())?;
            if changes.is_empty() {
                println!("no commits since the last backup: nothing written");
                return Ok(());
            }
            let info = block_on(graph.backup_incremental(&path, &changes))?;
            println!(
                "incremental backup of commits #{}..#{} ({} commits) written to {} in {:.2} s",
                info.base_sequence + 1,
                info.sequence,
                info.records,
                path.display(),
                elapsed()
            );
        }
        BackupCommand::Verify { path, incremental } => {
            let bar = progress::bar(global, None, "verifying");
            let infos = if incremental.is_empty() {
                backup::verify_backup(&path).map(|info| vec![info])
            } else {
                backup::verify_chain(&path, &incremental)
            };
            bar.finish_and_clear();
            let infos =
                infos.map_err(|err| CliError::failure(format!("verification failed: {err}")))?;
            for info in &infos {
                println!("ok  {}", describe(info));
            }
            println!("backup verified in {:.2} s", elapsed());
        }
        BackupCommand::Restore {
            path,
            incremental,
            until,
        } => {
            let target = db::data_dir(global)?;
            let until = until
                .map(|text| {
                    backup::parse_time(&text).ok_or_else(|| {
                        CliError::usage(format!(
                            "--until '{text}' is not an RFC 3339 time (2026-11-28T02:00:00Z) or Unix seconds"
                        ))
                    })
                })
                .transpose()?;
            let bar = progress::bar(global, None, "restoring");
            // Two sled writers: this binary runs on mimalloc, under which
            // they restore ~1.5x faster than one (see `RestoreOptions::writers`).
            let options = RestoreOptions::default().until(until).writers(2);
            let info = block_on(Graph::<SledStorage>::restore_with(
                &path,
                &incremental,
                target,
                &options,
            ));
            bar.finish_and_clear();
            let info = info?;
            println!(
                "restored {} records and replayed {} commits into {} (last commit #{}{}) in {:.2} s",
                info.records,
                info.changes_applied,
                target.display(),
                info.sequence,
                commit_time(info.commit_time_ms),
                elapsed()
            );
        }
    }
    Ok(())
}

fn describe(info: &BackupInfo) -> String {
    match info.kind {
        BackupKind::Full => format!(
            "full backup: {} nodes, {} edges, {} records, up to commit #{}{}",
            info.nodes,
            info.edges,
            info.records,
            info.sequence,
            commit_time(info.last_commit_ms)
        ),
        _ => format!(
            "incremental backup: commits #{}..#{} ({} commits){}",
            info.base_sequence + 1,
            info.sequence,
            info.records,
            commit_time(info.last_commit_ms)
        ),
    }
}

/// ", made at <unix seconds>" for a known commit time.
fn commit_time(ms: i64) -> String {
    if ms <= 0 {
        String::new()
    } else {
        format!(", committed at {}.{:03} (Unix time)", ms / 1000, ms % 1000)
    }
}
