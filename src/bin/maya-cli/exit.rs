//! Exit codes scripts can rely on (also listed in `maya-cli --help`).

use std::fmt::Display;

use knowledge_graph::interchange::InterchangeError;
use knowledge_graph::{Error, StorageError};

/// Success.
pub const OK: i32 = 0;
/// The command failed: bad input file, query error, verification failed, I/O error.
pub const FAILURE: i32 = 1;
/// Usage error: unknown command or flag, bad flag value.
pub const USAGE: i32 = 2;
/// The database is locked by another process, missing, or cannot be opened.
pub const UNAVAILABLE: i32 = 3;

/// The text appended to `--help`.
pub const HELP: &str = "\
Exit codes:
  0  success
  1  failure (bad input, query error, verification failed, I/O error)
  2  usage error (unknown command or flag, bad flag value)
  3  database unavailable (locked by another process, missing, unreadable)

Logging: RUST_LOG=info (or debug, trace) prints what the command does to stderr.";

/// An error with the exit code it leaves with.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    pub fn failure(message: impl Display) -> Self {
        CliError {
            code: FAILURE,
            message: message.to_string(),
        }
    }

    pub fn usage(message: impl Display) -> Self {
        CliError {
            code: USAGE,
            message: message.to_string(),
        }
    }

    pub fn unavailable(message: impl Display) -> Self {
        CliError {
            code: UNAVAILABLE,
            message: message.to_string(),
        }
    }
}

impl From<Error> for CliError {
    fn from(err: Error) -> Self {
        match &err {
            Error::Storage(StorageError::Locked { .. }) | Error::Unavailable { .. } => {
                CliError::unavailable(err)
            }
            _ => CliError::failure(err),
        }
    }
}

impl From<StorageError> for CliError {
    fn from(err: StorageError) -> Self {
        Error::Storage(err).into()
    }
}

impl From<InterchangeError> for CliError {
    fn from(err: InterchangeError) -> Self {
        match err {
            InterchangeError::Graph(err) => err.into(),
            other => CliError::failure(other),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> Self {
        CliError::failure(err)
    }
}
