//! Opening the sled database named by `--data-dir`.

use std::path::Path;

use knowledge_graph::{Error, Graph, SledStorage, StorageError};
use log::info;

use crate::cli::Global;
use crate::exit::CliError;

/// How a command needs the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// It must exist already.
    Existing,
    /// Create it when missing (imports).
    Create,
    /// It must exist; open with `repair_on_open` (drop damaged records).
    Repair,
}

/// `--data-dir`, or a usage error saying it is needed.
pub fn data_dir(global: &Global) -> Result<&Path, CliError> {
    global
        .data_dir
        .as_deref()
        .ok_or_else(|| CliError::usage("--data-dir DIR (or MAYA_DATA_DIR) is required"))
}

/// Opens the sled storage only.
pub fn open_storage(global: &Global, access: Access) -> Result<SledStorage, CliError> {
    let dir = data_dir(global)?;
    if access != Access::Create && !dir.exists() {
        return Err(CliError::unavailable(format!(
            "no database at '{}' (nothing to open; `maya-cli import` creates one)",
            dir.display()
        )));
    }
    let mut builder = SledStorage::builder()
        .path(dir)
        .repair_on_open(access == Access::Repair);
    if let Some(mode) = &global.mode {
        builder = builder.mode(mode);
    }
    info!("opening {}", dir.display());
    builder.open().map_err(|err| match err {
        StorageError::Locked { .. } => CliError::unavailable(format!(
            "{err} (another maya-cli, e.g. `serve`, or a program embedding the graph has it open)"
        )),
        StorageError::InvalidConfig { .. } => CliError::usage(err),
        other => CliError::unavailable(other),
    })
}

/// Opens the graph, loading (and checking) every record.
pub fn open(global: &Global, access: Access) -> Result<Graph<SledStorage>, CliError> {
    let storage = open_storage(global, access)?;
    Graph::open(storage).map_err(|err| match err {
        Error::Corrupt { .. } => CliError::unavailable(format!(
            "{err} (`maya-cli verify` reports damage, `maya-cli repair` drops damaged records)"
        )),
        other => other.into(),
    })
}
