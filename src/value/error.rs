//! [`ValueError`]: why a conversion between a Rust type and a [`Value`](super::Value) failed.

use alloc::string::{String, ToString};
use core::fmt;

/// Why [`to_value`](super::to_value) or [`from_value`](super::from_value) failed.
///
/// Messages are lowercase and name what was expected and what was found, e.g.
/// `expected an integer, found string "abc"`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ValueError {
    /// The value had the wrong type for the requested Rust type.
    InvalidType {
        /// What the target type needed, e.g. `an integer`.
        expected: String,
        /// A description of what was there instead, e.g. `string "abc"`.
        found: String,
    },
    /// A number does not fit the requested Rust type.
    OutOfRange {
        /// The offending number, e.g. `integer 300`.
        found: String,
        /// The requested type, e.g. `u8`.
        target: &'static str,
    },
    /// A serialized map used a key that has no string form (a list, a map, a float, ...).
    KeyMustBeString {
        /// What kind of key was found, e.g. `a list`.
        found: &'static str,
    },
    /// Any other error, reported by a `Serialize`/`Deserialize` implementation.
    Custom(String),
}

impl ValueError {
    pub(crate) fn invalid_type(expected: &str, found: impl fmt::Display) -> Self {
        Self::InvalidType {
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }

    pub(crate) fn out_of_range(found: impl fmt::Display, target: &'static str) -> Self {
        Self::OutOfRange {
            found: found.to_string(),
            target,
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            Self::OutOfRange { found, target } => write!(f, "{found} is out of range for {target}"),
            Self::KeyMustBeString { found } => write!(f, "map key must be a string, found {found}"),
            Self::Custom(message) => f.write_str(message),
        }
    }
}

impl core::error::Error for ValueError {}

impl serde::ser::Error for ValueError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::Custom(msg.to_string())
    }
}

impl serde::de::Error for ValueError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::Custom(msg.to_string())
    }

    // Serde's default reads "invalid type: X, expected Y"; keep one phrasing across the module.
    fn invalid_type(
        unexpected: serde::de::Unexpected<'_>,
        expected: &dyn serde::de::Expected,
    ) -> Self {
        Self::InvalidType {
            expected: expected.to_string(),
            found: unexpected.to_string(),
        }
    }

    fn invalid_value(
        unexpected: serde::de::Unexpected<'_>,
        expected: &dyn serde::de::Expected,
    ) -> Self {
        Self::InvalidType {
            expected: expected.to_string(),
            found: unexpected.to_string(),
        }
    }
}
