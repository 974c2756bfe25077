//! `maya-cli`: operate a MAYA Knowledge Graph database from the shell.
//!
//! One module per command group; `cli.rs` declares the arguments (clap
//! derive), `db.rs` opens the sled database, `exit.rs` holds the exit codes.
//! A command group (like `backup create|incremental|verify|restore`) is a
//! variant with a `#[command(subcommand)]` enum in [`cli::Command`], a module
//! with a `run` function, and one arm in [`run`].

// Native only; cargo still builds binaries when it runs the wasm32 test
// targets, so there this is an empty program.
cfg_if::cfg_if! {
    if #[cfg(not(target_arch = "wasm32"))] {
        mod backup;
        mod cli;
        mod db;
        mod exit;
        mod export;
        mod import;
        mod maintenance;
        mod progress;
        mod query;
        mod serve;
        mod stats;

        use clap::Parser;

        use cli::{Cli, Command};
        use exit::CliError;
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

/// sled allocates on every write: with mimalloc instead of glibc's malloc a
/// restore takes about 40% less time (see the README).
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help/version to stdout (exit 0) and usage errors to
            // stderr; usage errors leave with exit::USAGE.
            let code = if err.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = err.print();
            std::process::exit(code);
        }
    };
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or(if cli.global.quiet {
            "error"
        } else {
            "warn"
        }),
    )
    .format_timestamp_millis()
    .init();
    match run(cli) {
        Ok(()) => {}
        Err(err) => {
            eprintln!("maya-cli: error: {}", err.message);
            std::process::exit(err.code);
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn run(cli: Cli) -> Result<(), CliError> {
    let global = &cli.global;
    match cli.command {
        Command::Import(args) => import::run(global, args),
        Command::Export(args) => export::run(global, args),
        Command::Stats(args) => stats::run(global, args),
        Command::Query(args) => query::run(global, args),
        Command::Verify(args) => maintenance::verify(global, args),
        Command::Compact(args) => maintenance::compact(global, args),
        Command::Repair(args) => maintenance::repair(global, args),
        Command::Serve(args) => serve::run(global, args),
        Command::Backup(command) => backup::run(global, command),
    }
}
