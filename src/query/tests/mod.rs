//! Tests of the query language: parsing, evaluation, index predicates and properties.

mod eval;
mod parse;
mod plan;
mod props;

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{BuiltinValue, Params, Query, QueryError, Record};
use crate::value::{Map, Value};

/// A node or edge for tests: properties plus optional built-ins.
#[derive(Debug, Clone, Default)]
pub(super) struct TestRecord {
    pub(super) props: Map,
    pub(super) builtins: Vec<(String, BuiltinValue)>,
}

impl TestRecord {
    pub(super) fn new() -> Self {
        Self::default()
    }

    pub(super) fn with(mut self, name: &str, value: Value) -> Self {
        self.props.insert(name.to_string(), value);
        self
    }

    pub(super) fn builtin(mut self, name: &str, value: BuiltinValue) -> Self {
        self.builtins.push((name.to_string(), value));
        self
    }

    /// An edge created at `millis`, from `a` to `b`.
    pub(super) fn edge(millis: i64, a: &str, b: &str) -> Self {
        Self::new()
            .builtin("timestamp", BuiltinValue::TimestampMillis(millis))
            .builtin("source", BuiltinValue::Value(s(a)))
            .builtin("target", BuiltinValue::Value(s(b)))
    }
}

impl Record for TestRecord {
    fn property(&self, path: &[&str]) -> Option<&Value> {
        self.props.property(path)
    }

    fn builtin(&self, name: &str) -> Option<BuiltinValue> {
        self.builtins
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }
}

pub(super) fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

pub(super) fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// Parses with text parameters, panicking with the error message on failure.
pub(super) fn q(expr: &str, params: &[&str]) -> Query {
    match Query::parse(expr, Params::from_texts(params)) {
        Ok(query) => query,
        Err(e) => panic!("{expr}: {e}"),
    }
}

/// The error message for a query that must fail.
pub(super) fn err(expr: &str, params: impl Into<Params>) -> String {
    match Query::parse(expr, params) {
        Ok(query) => panic!("{expr} parsed as {query}"),
        Err(e) => e.to_string(),
    }
}

pub(super) fn parse_err(expr: &str) -> QueryError {
    Query::parse(expr, Params::new()).expect_err(expr)
}
