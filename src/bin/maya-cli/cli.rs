//! The command line: global options and one struct per command.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use knowledge_graph::interchange::Format;

use crate::exit;

/// Operate a MAYA Knowledge Graph database: import and export graphs, inspect,
/// query, verify, compact and repair it, and serve Prometheus metrics and a
/// JSON API over HTTP.
#[derive(Debug, Parser)]
#[command(name = "maya-cli", version, after_long_help = exit::HELP, after_help = "Exit codes: 0 ok, 1 failure, 2 usage error, 3 database unavailable (see --help).")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// The sled database directory.
    #[arg(long, global = true, env = "MAYA_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// No progress bars and only errors on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// sled durability mode: high_throughput, low_space or high_safety.
    #[arg(long, global = true, value_name = "MODE")]
    pub mode: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import nodes and edges from files (all or nothing).
    #[command(after_long_help = IMPORT_HELP)]
    Import(ImportArgs),
    /// Export the whole graph to a file (a directory for CSV).
    #[command(after_long_help = exit::HELP)]
    Export(ExportArgs),
    /// Counts, labels, degree statistics, density and disk usage.
    #[command(after_long_help = exit::HELP)]
    Stats(StatsArgs),
    /// Run a property query over one label.
    #[command(after_long_help = QUERY_HELP)]
    Query(QueryArgs),
    /// Check storage checksums and the graph's integrity (exit 1 if damaged).
    #[command(after_long_help = exit::HELP)]
    Verify(VerifyArgs),
    /// Reclaim space held by overwritten and deleted data.
    #[command(after_long_help = exit::HELP)]
    Compact(CompactArgs),
    /// Open with repair: drop damaged records and report how many were dropped.
    #[command(after_long_help = exit::HELP)]
    Repair(RepairArgs),
    /// Serve /metrics (Prometheus), a JSON API and the explorer over HTTP.
    #[command(after_long_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Full and incremental backups: create, verify, restore (also to a point in time).
    #[command(subcommand)]
    Backup(BackupCommand),
}

const BACKUP_HELP: &str = "\
A full backup is a directory holding graph.mayakgs (the portable snapshot
format) and MANIFEST; an incremental one holds changes.mayakgc (the commits
since the previous backup) and MANIFEST. Either may be packed as a .tar.gz
(`tar -czf B.tar.gz -C B .`): verify and restore read those directly.

Examples:
  maya-cli --data-dir db backup create --path backups/full
  maya-cli --data-dir db backup incremental --path backups/inc-1
  maya-cli backup verify backups/full.tar.gz
  maya-cli backup verify backups/full --incremental backups/inc-1
  maya-cli --data-dir restored backup restore backups/full --incremental backups/inc-1 \\
      --until 2026-11-28T02:00:00Z

Exit codes: 0 ok, 1 failure (damaged backup, verification failed), 2 usage
error, 3 database unavailable (locked by another process, missing).";

/// `maya-cli backup ...`.
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Write a full backup of --data-dir into a new directory.
    #[command(after_long_help = BACKUP_HELP)]
    Create {
        /// The backup directory (created; must not hold anything).
        #[arg(long, value_name = "DIR")]
        path: PathBuf,
    },
    /// Write the commits since the last backup (full or incremental) into a new directory.
    #[command(after_long_help = BACKUP_HELP)]
    Incremental {
        /// The backup directory (created; must not hold anything).
        #[arg(long, value_name = "DIR")]
        path: PathBuf,
    },
    /// Check a backup (directory or .tar.gz) without restoring it; exit 1 if damaged.
    #[command(after_long_help = BACKUP_HELP)]
    Verify {
        /// The backup (a full one when --incremental is given).
        #[arg(value_name = "BACKUP")]
        path: PathBuf,
        /// Incremental backups that follow it (checked to leave no commit out); may be repeated.
        #[arg(long, value_name = "BACKUP")]
        incremental: Vec<PathBuf>,
    },
    /// Restore a full backup (plus incrementals) into a new database at --data-dir.
    #[command(after_long_help = BACKUP_HELP)]
    Restore {
        /// The full backup (directory or .tar.gz).
        #[arg(value_name = "BACKUP")]
        path: PathBuf,
        /// Incremental backups to replay after it, in any order; may be repeated.
        #[arg(long, value_name = "BACKUP")]
        incremental: Vec<PathBuf>,
        /// Replay only commits made at or before this time (RFC 3339, or Unix seconds).
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
    },
}

const IMPORT_HELP: &str = "\
Formats:
  jsonl       one JSON object per line:
                {\"type\":\"node\",\"id\":\"alice\",\"label\":\"Person\",\"properties\":{...}}
                {\"type\":\"edge\",\"source\":\"alice\",\"target\":\"bob\",\"label\":\"KNOWS\",\"properties\":{...}}
  csv         neo4j-admin style, one file per label; node files have an :ID column,
              edge files :START_ID and :END_ID; types int, long, float, double,
              boolean, string, json, with [] for ;-separated arrays
  graphology  graphology's serialized JSON (label in the 'label' attribute)
  graphml     GraphML (label in the data key named 'label')
  snapshot    a MAYA snapshot (only into an empty database)

The whole input is parsed and checked (duplicate ids, ids already in the
database, edge endpoints) before anything is written; an error names the file
and line and leaves the database unchanged. Edges may refer to nodes defined
later or in another file.

Examples:
  maya-cli --data-dir db import people.jsonl
  maya-cli --data-dir db import --nodes nodes.jsonl --edges edges.jsonl
  maya-cli --data-dir db import --format csv export_dir/

Exit codes: 0 ok, 1 bad input or failure, 2 usage error, 3 database locked.";

const QUERY_HELP: &str = "\
The expression is a subset of openCypher's WHERE syntax over the properties of
nodes with the label (or of edges with --edges): comparisons, AND/OR/NOT, IN,
STARTS WITH, CONTAINS, IS NULL, $1-style parameters given after it.

Examples:
  maya-cli --data-dir db query --label user \"age > \\$1 AND city = \\$2\" 30 Paris
  maya-cli --data-dir db query --label user \"name = 'Ada'\" --explain

Exit codes: 0 ok, 1 query error or failure, 2 usage error, 3 database locked.";

const SERVE_HELP: &str = "\
Endpoints:
  GET /metrics                                  Prometheus text format
  GET /api/stats                                counts, labels, degrees (JSON)
  GET /api/nodes/{id}                           one node (404 if unknown)
  GET /api/nodes/{id}/neighbors?direction=out|in|both&label=L
  GET /api/query?label=L&expr=E&params=a,b&limit=N&edges=true
  GET /api/explain?label=L&expr=E&params=a,b
  GET /api/shortest-path?from=A&to=B
  GET /api/pagerank?top=N
  POST /api/backup[?incremental=true]           hot backup into --backup-dir (off without it)
  GET /                                         static files of --www (default www/explorer/dist)

Errors are JSON objects {\"error\": \"...\"} with status 400 (bad request),
404 (unknown node or path) or 500.

Exit codes: 0 stopped, 1 failure, 2 usage error, 3 database locked.";

/// How input files are named.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Input files (or, for CSV, directories of .csv files).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Files of nodes (any format); may be repeated.
    #[arg(long, value_name = "FILE")]
    pub nodes: Vec<PathBuf>,
    /// Files of edges (any format); may be repeated.
    #[arg(long, value_name = "FILE")]
    pub edges: Vec<PathBuf>,
    /// The input format (default: from the first file's extension).
    #[arg(long, short, value_enum)]
    pub format: Option<FormatArg>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output file (a directory for CSV).
    #[arg(value_name = "PATH")]
    pub output: PathBuf,
    /// The output format (default: from the extension; a path without one means CSV).
    #[arg(long, short, value_enum)]
    pub format: Option<FormatArg>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The label whose nodes (or edges) are searched.
    #[arg(long, short)]
    pub label: String,
    /// The expression, e.g. "age > $1".
    pub expr: String,
    /// Values for $1, $2, ...
    pub params: Vec<String>,
    /// Print the plan instead of the results.
    #[arg(long)]
    pub explain: bool,
    /// Return at most N results.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Query edges with this label instead of nodes.
    #[arg(long)]
    pub edges: bool,
    /// Print JSON Lines (one object per result) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompactArgs {}

#[derive(Debug, Args)]
pub struct RepairArgs {}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:9090")]
    pub listen: SocketAddr,
    /// Directory of static files served at / (default: www/explorer/dist if it exists).
    #[arg(long, value_name = "DIR")]
    pub www: Option<PathBuf>,
    /// Worker threads answering requests.
    #[arg(long, default_value_t = 4)]
    pub threads: usize,
    /// Seconds between recomputations of the logical data size (a full scan).
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub data_size_interval: u64,
    /// Enables `POST /api/backup[?incremental=true]`, which writes a hot backup
    /// into a new `backup_<unix seconds>` (or `incremental_<...>`) directory here.
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Jsonl,
    Csv,
    Graphology,
    Graphml,
    Snapshot,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Jsonl => Format::JsonLines,
            FormatArg::Csv => Format::Csv,
            FormatArg::Graphology => Format::Graphology,
            FormatArg::Graphml => Format::GraphMl,
            FormatArg::Snapshot => Format::Snapshot,
        }
    }
}
