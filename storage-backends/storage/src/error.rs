use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

/// What went wrong in a storage backend.
#[derive(Debug)]
#[non_exhaustive]
pub enum StorageError {
    /// Another process holds the database open.
    Locked {
        /// The database path.
        path: String,
    },
    /// Stored bytes could not be read back as written.
    Corrupt {
        /// What is wrong, and where.
        detail: String,
    },
    /// A configuration value was rejected.
    InvalidConfig {
        /// What is wrong with it.
        detail: String,
    },
    /// The backend has been closed.
    Closed,
    /// An error from the backend's own library or the operating system.
    Backend(Box<dyn core::error::Error + Send + Sync>),
}

impl StorageError {
    /// A [`StorageError::Corrupt`] with the given detail.
    pub fn corrupt(detail: impl Into<String>) -> Self {
        Self::Corrupt {
            detail: detail.into(),
        }
    }

    /// Wraps a backend library error.
    pub fn backend(err: impl core::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(err))
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Locked { path } => {
                write!(f, "database '{path}' is locked by another process")
            }
            Self::Corrupt { detail } => write!(f, "storage is corrupt: {detail}"),
            Self::InvalidConfig { detail } => write!(f, "invalid storage configuration: {detail}"),
            Self::Closed => f.write_str("storage is closed"),
            Self::Backend(err) => write!(f, "storage backend error: {err}"),
        }
    }
}

impl core::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Backend(err) => Some(&**err),
            _ => None,
        }
    }
}
