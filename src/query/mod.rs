//! The property-query language behind `query_nodes` and `query_edges`.
//!
//! A query is a boolean expression over one node's or edge's properties, written as a strict
//! subset of the openCypher / GQL `WHERE` syntax: whatever is accepted means the same there
//! (with a bare `name` standing for `n.name`). [`Query::parse`] reads it and binds its
//! parameters; [`Query::matches`] tests a [`Record`]; [`Query::index_predicates`] tells the
//! planner which secondary indexes can narrow the scan.
//!
//! ```
//! use knowledge_graph::query::{Params, Query};
//! use knowledge_graph::value::{Map, Value};
//!
//! let query = Query::parse("name = $1 AND age >= $2", Params::from(&["Alice", "30"]))?;
//! let mut alice = Map::new();
//! alice.insert("name".into(), Value::String("Alice".into()));
//! alice.insert("age".into(), Value::Int(31));
//! assert!(query.matches(&alice));
//! assert_eq!(query.to_string(), "((name = $1) AND (age >= $2))");
//! # Ok::<(), knowledge_graph::query::QueryError>(())
//! ```
//!
//! # Language
//!
//! - Properties: `name`, nested `address.city` (any depth, through maps), `` `first name` ``
//!   (backticks; a doubled backtick stands for one). Keywords need backticks as the first
//!   segment (`` `in` ``) but not after a dot (`a.in`).
//! - Built-ins: edges have `timestamp` (creation time), `source` and `target`; nodes have `id`.
//!   The [`Record`] decides which exist. A built-in wins over a property of the same name; it
//!   applies to one-segment references only, so `source.name` is still a property path.
//! - Literals: `'text'` or `"text"` with escapes `\\ \' \" \n \t \r \b \f \uXXXX \UXXXXXXXX`;
//!   integers (`42`, `-7`); floats (`1.5`, `1e3`, `-2.5E-3`); `true`, `false`, `null` (any
//!   case); lists `[1, 'a', $2]`.
//! - Parameters: positional `$1`, `$2`, ... and named `$name`.
//! - Operators, loosest first: `OR`, `XOR`, `AND`, `NOT`, then comparisons `= <> != < <= > >=`,
//!   and tightest `IN`, `STARTS WITH`, `ENDS WITH`, `CONTAINS`, `IS NULL`, `IS NOT NULL`.
//!   Keywords are case-insensitive. `!=` is accepted as a synonym of `<>` (the one spelling
//!   openCypher lacks); `a < b < c` is rejected rather than read as Cypher's
//!   `a < b AND b < c`.
//! - Parentheses, lists and `NOT`s nest at most [`MAX_DEPTH`] levels.
//!
//! # Null and types
//!
//! Logic is three-valued as in openCypher: an absent property is `null`, comparing with `null`
//! gives `null`, `null AND false` is `false`, `null OR true` is `true`, and a record matches
//! only when the whole expression is `true` (so `null` is treated as false, and so is
//! `NOT (x = null)`).
//!
//! - `=` between values of different types is `false` (and `<>` is `true`), except that `Int`
//!   and `Float` compare numerically and exactly (`1 = 1.0`). Lists and maps compare element
//!   by element.
//! - Ordering (`< <= > >=`) works within numbers, strings (by code point), booleans
//!   (`false < true`), bytes and lists (lexicographically). Ordering values of different types
//!   (`'a' < 1`) is `null`, treated as false: never an error, never a panic. Anything compared
//!   with NaN is false, except `<>`.
//! - `STARTS WITH`, `ENDS WITH`, `CONTAINS` need two strings, otherwise `null`.
//! - `x IN list` is `true` if an element equals `x`, else `null` if some comparison was `null`,
//!   else `false`; when the right side is not a list it is `null`.
//! - A non-boolean where a boolean is needed (`age AND x`) is `null`.
//!
//! # Parameters and coercion
//!
//! Parameters are [`Param::Typed`] values, used exactly as they are, or [`Param::Text`] (what
//! `&["Alice", "10"]` becomes), whose type is taken from what it is compared with:
//!
//! | the text meets | the text is read as | when it does not read |
//! |---|---|---|
//! | an `Int` or `Float` | a number: optional sign, digits, optional `.digits`, optional exponent (`10`, `-2.5`, `1e3`); no spaces | a string |
//! | a `Bool` | `true` / `false`, any case | a string |
//! | the `timestamp` built-in | an RFC 3339 date-time (`2024-05-01T12:00:00Z`, fractional seconds, `+02:00` offsets), else a number of seconds since the Unix epoch | a string |
//! | a string, or another `Text` | a string | — |
//! | anything else | a string | — |
//!
//! A text that does not read as the other side's type stays a string, and then follows the
//! type rules above: `age = $1` with `"abc"` is `false`, `age <> $1` is `true`, `age < $1`
//! is `null`. `$1` alone, or under `AND`/`OR`/`NOT`, reads as a boolean. The same text can
//! take different types in different comparisons of one query.
//!
//! The `timestamp` built-in also compares with numbers as seconds (`timestamp > 1714564800`,
//! fractional seconds allowed) and with string literals or typed string parameters as RFC 3339
//! date-times. Fractional digits beyond nanoseconds are ignored.
//!
//! Binding happens in [`Query::parse`]: `$3` with two positional parameters is
//! [`QueryError::MissingParameter`], an unknown `$name` is [`QueryError::UnknownParameter`],
//! and a parameter on the right of `IN` must be a typed list or null
//! ([`QueryError::NotAList`]). Unused parameters are ignored.

mod ast;
mod error;
pub(crate) mod eval;
mod lexer;
mod params;
mod parser;
mod plan;
mod record;
mod time;
#[cfg(all(feature = "sled", not(target_arch = "wasm32")))]
pub(crate) use time::parse_rfc3339;

// proptest is a native-only dev-dependency (see Cargo.toml).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub use ast::{CompareOp, Expr, ParamRef, StringOp};
pub use error::QueryError;
pub use params::{Param, Params};
pub use parser::MAX_DEPTH;
pub use plan::{IndexKind, IndexPredicate, KeyClass, KeyRange, RangeBound, BUILTIN_NAMES};
pub use record::{lookup_path, BuiltinValue, Record};

/// A parsed query with its parameters bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    expr: Expr,
    params: Params,
}

impl Query {
    /// Parses `expr` and checks that every parameter it uses is in `params`.
    ///
    /// # Errors
    ///
    /// [`QueryError::Syntax`], [`QueryError::InvalidLiteral`] or [`QueryError::TooDeep`] with
    /// the 1-based column when the text is malformed; [`QueryError::MissingParameter`],
    /// [`QueryError::UnknownParameter`] or [`QueryError::NotAList`] when a parameter is
    /// missing or unusable.
    ///
    /// # Complexity
    ///
    /// Linear in the length of `expr`.
    pub fn parse(expr: &str, params: impl Into<Params>) -> Result<Query, QueryError> {
        let params = params.into();
        let expr = parser::parse(expr, &params)?;
        Ok(Query { expr, params })
    }

    /// Whether `record` matches: `true` only when the expression is `true` (not `false`, not
    /// `null`). Never panics.
    ///
    /// # Complexity
    ///
    /// Linear in the size of the expression (and of the list and map values it compares).
    pub fn matches(&self, record: &dyn Record) -> bool {
        eval::matches(&self.expr, &self.params, record)
    }

    /// The parsed expression.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The bound parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Conditions on single properties implied by the top-level `AND`-conjuncts, with their
    /// parameters resolved, for answering the query through secondary indexes.
    ///
    /// Conjuncts under `OR`, `XOR` or `NOT` are not used; several ranges on one property are
    /// merged into one [`IndexKind::Range`]. One-segment references named in [`BUILTIN_NAMES`]
    /// are skipped, because on some record kinds they are built-ins, not properties; use
    /// [`Query::index_predicates_for`] when the built-ins are known.
    ///
    /// Seeking with any one predicate returns a superset of the matching records: apply
    /// [`Query::matches`] to the results as a residual filter.
    pub fn index_predicates(&self) -> Vec<IndexPredicate> {
        self.index_predicates_for(BUILTIN_NAMES)
    }

    /// Like [`Query::index_predicates`], skipping only the one-segment references in
    /// `builtins` — which must name every built-in the queried records may report through
    /// [`Record::builtin`].
    pub fn index_predicates_for(&self, builtins: &[&str]) -> Vec<IndexPredicate> {
        plan::index_predicates(&self.expr, &self.params, builtins)
    }

    /// Every property path the query mentions, joined with `.`, in order of first mention.
    /// Built-in names are included, since whether `timestamp` is a built-in depends on the
    /// record kind.
    pub fn referenced_properties(&self) -> Vec<String> {
        plan::referenced_properties(&self.expr)
    }

    /// Every distinct property path the query mentions (built-in names too).
    pub(crate) fn property_paths(&self) -> Vec<&[String]> {
        plan::property_paths(&self.expr)
    }

    /// The query prepared for records whose property values are given by
    /// position (see [`eval::Prepared`]); `None` for forms it does not take.
    pub(crate) fn prepare(
        &self,
        position: &dyn Fn(&[String]) -> Option<usize>,
    ) -> Option<eval::Prepared<'_>> {
        eval::Prepared::new(&self.expr, &self.params, position)
    }
}

impl fmt::Display for Query {
    /// The canonical form of the expression, parameters as `$n` / `$name`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.expr, f)
    }
}
