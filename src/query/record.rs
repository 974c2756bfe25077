//! [`Record`]: what a query is evaluated against.

use crate::value::{Map, Value};

/// The value of a built-in such as `timestamp`, `source`, `target` or `id`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum BuiltinValue {
    /// A plain value (`source`, `target` and `id` are [`Value::String`]s).
    Value(Value),
    /// A point in time, in milliseconds since the Unix epoch (the edge `timestamp`).
    ///
    /// It compares with numbers as seconds (`timestamp > 1714564800`) and with strings and
    /// `Text` parameters as RFC 3339 date-times.
    TimestampMillis(i64),
}

/// One node or edge as the query evaluator sees it.
///
/// Properties are borrowed, so evaluating a query copies nothing; built-ins are computed, so
/// they are returned by value.
///
/// # Example
///
/// ```
/// use knowledge_graph::query::{BuiltinValue, Params, Query, Record};
/// use knowledge_graph::value::{Map, Value};
///
/// struct Edge { props: Map, created_ms: i64 }
///
/// impl Record for Edge {
///     fn property(&self, path: &[&str]) -> Option<&Value> {
///         self.props.property(path)
///     }
///     fn builtin(&self, name: &str) -> Option<BuiltinValue> {
///         (name == "timestamp").then_some(BuiltinValue::TimestampMillis(self.created_ms))
///     }
/// }
///
/// let mut props = Map::new();
/// props.insert("count".into(), Value::Int(12));
/// let edge = Edge { props, created_ms: 1_714_564_800_000 };
/// let query = Query::parse(
///     "timestamp > $1 AND count > $2",
///     Params::from(&["2024-05-01T00:00:00Z", "10"]),
/// )?;
/// assert!(query.matches(&edge));
/// # Ok::<(), knowledge_graph::query::QueryError>(())
/// ```
pub trait Record {
    /// The property at `path` (`["address", "city"]` for `address.city`), following nested
    /// [`Value::Map`]s; `None` when absent (which the query treats as `null`).
    fn property(&self, path: &[&str]) -> Option<&Value>;

    /// The built-in called `name`, or `None` when this kind of record has no such built-in, in
    /// which case a one-segment reference falls back to the property of that name.
    ///
    /// Built-ins win over properties of the same name: on an edge, `timestamp` is always the
    /// creation time, even when the edge also has a `timestamp` property.
    fn builtin(&self, _name: &str) -> Option<BuiltinValue> {
        None
    }
}

/// Follows `path` through nested maps, starting at `props`.
pub fn lookup_path<'a>(props: &'a Map, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = props.get(*first)?;
    for segment in rest {
        match value {
            Value::Map(map) => value = map.get(*segment)?,
            _ => return None,
        }
    }
    Some(value)
}

/// A bare property map is a record without built-ins.
impl Record for Map {
    fn property(&self, path: &[&str]) -> Option<&Value> {
        lookup_path(self, path)
    }
}
