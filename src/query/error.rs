//! [`QueryError`]: everything that can go wrong while parsing a query or binding its parameters.

use alloc::string::String;
use core::fmt;

/// Why a query expression was rejected.
///
/// Evaluation never fails: once [`Query::parse`](super::Query::parse) succeeds, every record
/// either matches or does not.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryError {
    /// The text does not follow the grammar.
    Syntax {
        /// 1-based column (in characters) of the offending token.
        column: usize,
        /// What the parser wanted at that point, e.g. `a value after '>'`.
        expected: String,
        /// What it found instead, e.g. `end of input` or `keyword AND`.
        found: String,
    },
    /// A literal is malformed or out of range (an integer above `i64::MAX`, a bad escape).
    InvalidLiteral {
        /// 1-based column (in characters) where the literal starts.
        column: usize,
        /// What is wrong with it.
        message: String,
    },
    /// Parentheses, lists, `NOT`s or chained predicates nest deeper than the limit.
    TooDeep {
        /// 1-based column (in characters) where the limit was crossed.
        column: usize,
        /// The nesting limit.
        limit: usize,
    },
    /// A positional parameter `$n` beyond the parameters given.
    MissingParameter {
        /// The 1-based parameter number used in the query.
        index: usize,
        /// How many positional parameters were given.
        given: usize,
    },
    /// A named parameter `$name` that was not given.
    UnknownParameter {
        /// The parameter name, without `$`.
        name: String,
    },
    /// A parameter used as the right-hand side of `IN` that is not a list (or null).
    NotAList {
        /// The parameter as written, e.g. `$2` or `$ids`.
        param: String,
    },
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax {
                column,
                expected,
                found,
            } => write!(
                f,
                "query error at column {column}: expected {expected}, found {found}"
            ),
            Self::InvalidLiteral { column, message } => {
                write!(f, "query error at column {column}: {message}")
            }
            Self::TooDeep { column, limit } => write!(
                f,
                "query error at column {column}: expression nested deeper than {limit} levels"
            ),
            Self::MissingParameter { index, given } => match given {
                0 => write!(f, "missing parameter ${index}: no parameters were given"),
                1 => write!(f, "missing parameter ${index}: 1 parameter was given"),
                n => write!(f, "missing parameter ${index}: {n} parameters were given"),
            },
            Self::UnknownParameter { name } => write!(f, "unknown parameter ${name}"),
            Self::NotAList { param } => {
                write!(f, "parameter {param} is used with IN and must be a list")
            }
        }
    }
}

impl core::error::Error for QueryError {}
