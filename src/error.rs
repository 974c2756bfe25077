use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;
use core::time::Duration;

use knowledge_graph_storage::StorageError;

use crate::algo::AlgoError;
use crate::integrity::IntegrityReport;
use crate::model::EdgeId;
use crate::query::QueryError;
use crate::value::ValueError;

/// Everything that can go wrong in a graph operation.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No node has this id.
    NodeNotFound {
        /// The id asked for.
        id: String,
    },
    /// A node with this id already exists.
    NodeExists {
        /// The id.
        id: String,
    },
    /// No edge has this id.
    EdgeNotFound {
        /// The id asked for.
        id: EdgeId,
    },
    /// An edge names an endpoint that does not exist.
    MissingEndpoint {
        /// The edge's label.
        label: String,
        /// `"source"` or `"target"`.
        role: &'static str,
        /// The missing node id.
        id: String,
    },
    /// An argument was rejected before anything was done.
    InvalidArgument {
        /// What is wrong with it.
        detail: String,
    },
    /// Another transaction held the write lock for the whole timeout.
    LockTimeout {
        /// How long the writer waited.
        waited: Duration,
    },
    /// One operation of a batch or transaction failed; nothing was applied.
    Rejected {
        /// Zero-based position of the failing operation.
        index: usize,
        /// Number of operations in the batch.
        of: usize,
        /// Why it failed.
        source: Box<Error>,
    },
    /// A graph algorithm refused its options.
    Algorithm(AlgoError),
    /// A query expression or its parameters were rejected.
    Query(QueryError),
    /// Properties could not be converted to or from a [`Value`](crate::Value).
    Value(ValueError),
    /// Stored data could not be decoded.
    Corrupt {
        /// What is wrong, and where.
        detail: String,
    },
    /// The storage backend failed.
    Storage(StorageError),
    /// The graph could not load its storage when it was created, so it
    /// refuses every operation (see [`Graph::open`](crate::Graph::open)).
    Unavailable {
        /// Why loading failed.
        detail: String,
    },
    /// [`Graph::verify_integrity`](crate::Graph::verify_integrity) found problems.
    Integrity(Box<IntegrityReport>),
    /// A backup is damaged, incomplete, or cannot be used as asked.
    Backup {
        /// The backup file or directory.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// Reading or writing a file failed.
    #[cfg(feature = "std")]
    Io {
        /// What was being done, e.g. `"write the snapshot"`.
        operation: &'static str,
        /// The file or directory.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn corrupt(detail: impl Into<String>) -> Self {
        Error::Corrupt {
            detail: detail.into(),
        }
    }

    pub(crate) fn invalid(detail: impl Into<String>) -> Self {
        Error::InvalidArgument {
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NodeNotFound { id } => write!(f, "node '{id}' not found"),
            Error::NodeExists { id } => write!(f, "node '{id}' already exists"),
            Error::EdgeNotFound { id } => write!(f, "edge {id} not found"),
            Error::MissingEndpoint { label, role, id } => {
                write!(f, "cannot add edge '{label}': {role} node '{id}' not found")
            }
            Error::InvalidArgument { detail } => write!(f, "invalid argument: {detail}"),
            Error::LockTimeout { waited } => write!(
                f,
                "timed out after {} ms waiting for the write lock held by another transaction",
                waited.as_millis()
            ),
            Error::Rejected { index, of, source } => {
                write!(
                    f,
                    "operation {} of {of} failed, nothing was applied: {source}",
                    index + 1
                )
            }
            Error::Algorithm(err) => fmt::Display::fmt(err, f),
            Error::Query(err) => fmt::Display::fmt(err, f),
            Error::Value(err) => write!(f, "property conversion failed: {err}"),
            Error::Corrupt { detail } => write!(f, "stored data is corrupt: {detail}"),
            Error::Storage(err) => fmt::Display::fmt(err, f),
            Error::Unavailable { detail } => write!(f, "graph unavailable: {detail}"),
            Error::Integrity(report) => write!(f, "integrity check failed: {report}"),
            Error::Backup { path, detail } => write!(f, "backup '{path}': {detail}"),
            #[cfg(feature = "std")]
            Error::Io {
                operation,
                path,
                source,
            } => write!(f, "cannot {operation} '{path}': {source}"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Rejected { source, .. } => Some(&**source),
            Error::Algorithm(err) => Some(err),
            Error::Query(err) => Some(err),
            Error::Value(err) => Some(err),
            Error::Storage(err) => Some(err),
            #[cfg(feature = "std")]
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<StorageError> for Error {
    fn from(err: StorageError) -> Self {
        Error::Storage(err)
    }
}

impl From<AlgoError> for Error {
    fn from(err: AlgoError) -> Self {
        Error::Algorithm(err)
    }
}

impl From<QueryError> for Error {
    fn from(err: QueryError) -> Self {
        Error::Query(err)
    }
}

impl From<ValueError> for Error {
    fn from(err: ValueError) -> Self {
        Error::Value(err)
    }
}

/// The result of a graph operation.
pub type Result<T, E = Error> = core::result::Result<T, E>;
