//! What the planner may answer with a secondary index: [`IndexPredicate`]s drawn from the
//! top-level `AND`-conjuncts of a query.
//!
//! Every predicate is *implied* by the query: a record that matches the query always satisfies
//! each predicate, so seeking any one of them through an index never loses a row. Predicates
//! may be looser than the query, so the planner still applies the whole query as a residual
//! filter to what the seek returns.

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::ast::{CompareOp, Expr, StringOp};
use super::eval::cmp_int_float;
use super::params::{parse_bool, parse_number, Param, Params};
use crate::value::Value;

/// Names that are built-ins on some kind of record (`id` on nodes; `timestamp`, `source`,
/// `target` on edges). [`Query::index_predicates`](super::Query::index_predicates) never treats
/// them as properties.
pub const BUILTIN_NAMES: &[&str] = &["id", "timestamp", "source", "target"];

/// A condition on one property that every matching record satisfies.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexPredicate {
    /// The property path joined with `.` (`address.city`).
    pub property: String,
    /// The property path, one segment per element (exact even when a segment contains `.`).
    pub path: Vec<String>,
    /// What the property's value satisfies.
    pub kind: IndexKind,
}

/// The shape of an [`IndexPredicate`].
///
/// Index keys are compared as [`Value`]s with one refinement: floats are distinct keys by bit
/// pattern, so `0.0` and `-0.0` both appear where either could match.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum IndexKind {
    /// From `prop = c` (or a bare boolean `prop`): the value is one of these keys. Several
    /// keys stand for one comparison when its type is open: `= 10` matches `Int(10)` and
    /// `Float(10.0)`; a `Text` parameter `"10"` also matches `String("10")`. An empty list
    /// means no record can match (`prop = null`).
    Eq(Vec<Value>),
    /// From `prop IN [...]`: the value is one of these keys (empty: nothing matches).
    In(Vec<Value>),
    /// From `<`, `<=`, `>`, `>=` and `STARTS WITH`, all bounds on one property merged: the
    /// value lies in at least one of these ranges, at most one per [`KeyClass`]. Several
    /// ranges appear when a `Text` parameter could be a number or a string; an empty list
    /// means no record can match (`age > 80 AND age < 60`).
    Range(Vec<KeyRange>),
}

/// Values that order among themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyClass {
    /// `Int` and `Float` keys, ordered numerically together: a seek must cover both.
    Number,
    /// `String` keys, ordered by bytes (code points).
    String,
    /// `Bool` keys, `false < true`.
    Bool,
    /// `Bytes` keys, ordered by bytes.
    Bytes,
}

/// A range of keys of one class; at least one bound is present.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRange {
    /// The class of keys the range covers.
    pub class: KeyClass,
    /// The lower bound, if any.
    pub lower: Option<RangeBound>,
    /// The upper bound, if any.
    pub upper: Option<RangeBound>,
}

/// One end of a [`KeyRange`].
#[derive(Debug, Clone, PartialEq)]
pub struct RangeBound {
    /// The bound key.
    pub value: Value,
    /// Whether keys equal to `value` are inside.
    pub inclusive: bool,
}

/// A constant side of a comparison.
#[derive(Clone, Copy)]
enum Const<'a> {
    Value(&'a Value),
    Text(&'a str),
}

fn constant<'a>(expr: &'a Expr, params: &'a Params) -> Option<Const<'a>> {
    match expr {
        Expr::Literal(value) => Some(Const::Value(value)),
        Expr::Param(p) => match params.get(p)? {
            Param::Text(text) => Some(Const::Text(text)),
            Param::Typed(value) => Some(Const::Value(value)),
        },
        _ => None,
    }
}

/// Extracts the predicates; see [`Query::index_predicates`](super::Query::index_predicates).
pub(crate) fn index_predicates(
    expr: &Expr,
    params: &Params,
    builtins: &[&str],
) -> Vec<IndexPredicate> {
    let mut conjuncts = Vec::new();
    flatten_and(expr, &mut conjuncts);
    let mut out: Vec<IndexPredicate> = Vec::new();
    for conjunct in conjuncts {
        let Some((path, kind)) = predicate(conjunct, params, builtins) else {
            continue;
        };
        if let IndexKind::Range(ranges) = &kind {
            let existing = out
                .iter_mut()
                .find(|p| p.path == *path && matches!(p.kind, IndexKind::Range(_)));
            if let Some(IndexPredicate {
                kind: IndexKind::Range(old),
                ..
            }) = existing
            {
                *old = intersect(old, ranges);
                continue;
            }
        }
        out.push(IndexPredicate {
            property: path.join("."),
            path: path.to_vec(),
            kind,
        });
    }
    out
}

fn flatten_and<'a>(expr: &'a Expr, out: &mut Vec<&'a Expr>) {
    match expr {
        Expr::And(items) => items.iter().for_each(|item| flatten_and(item, out)),
        other => out.push(other),
    }
}

fn indexable<'a>(expr: &'a Expr, builtins: &[&str]) -> Option<&'a [String]> {
    match expr {
        Expr::Property(path) if !(path.len() == 1 && builtins.contains(&path[0].as_str())) => {
            Some(path)
        }
        _ => None,
    }
}

fn predicate<'a>(
    expr: &'a Expr,
    params: &'a Params,
    builtins: &[&str],
) -> Option<(&'a [String], IndexKind)> {
    match expr {
        // A bare property is true only when it is `true`.
        Expr::Property(_) => Some((
            indexable(expr, builtins)?,
            IndexKind::Eq(Vec::from([Value::Bool(true)])),
        )),
        Expr::Compare { op, left, right } => {
            let (path, c, op) = match (indexable(left, builtins), indexable(right, builtins)) {
                (Some(path), None) => (path, constant(right, params)?, *op),
                (None, Some(path)) => (path, constant(left, params)?, op.flipped()),
                _ => return None,
            };
            let kind = match op {
                CompareOp::Eq => IndexKind::Eq(eq_keys(c)?),
                CompareOp::Ne => return None,
                _ => IndexKind::Range(bounds(c, op)?),
            };
            Some((path, kind))
        }
        Expr::In { item, list } => {
            let path = indexable(item, builtins)?;
            let mut keys = Vec::new();
            match &**list {
                Expr::List(items) => {
                    for item in items {
                        keys.extend(eq_keys(constant(item, params)?)?);
                    }
                }
                other => match constant(other, params)? {
                    Const::Value(Value::List(values)) => {
                        for value in values {
                            keys.extend(eq_keys(Const::Value(value))?);
                        }
                    }
                    Const::Value(Value::Null) => {}
                    _ => return None,
                },
            }
            Some((path, IndexKind::In(dedup(keys))))
        }
        Expr::StringMatch {
            op: StringOp::StartsWith,
            left,
            right,
        } => {
            let path = indexable(left, builtins)?;
            let prefix = match constant(right, params)? {
                Const::Text(text) => text,
                Const::Value(Value::String(text)) => text,
                // A non-string prefix never matches.
                Const::Value(_) => return Some((path, IndexKind::Range(Vec::new()))),
            };
            let range = KeyRange {
                class: KeyClass::String,
                lower: Some(RangeBound {
                    value: Value::String(prefix.into()),
                    inclusive: true,
                }),
                upper: prefix_end(prefix).map(|end| RangeBound {
                    value: Value::String(end),
                    inclusive: false,
                }),
            };
            Some((path, IndexKind::Range(Vec::from([range]))))
        }
        _ => None,
    }
}

/// Keys a property may hold when it equals `c`; `None` when they cannot be listed.
fn eq_keys(c: Const<'_>) -> Option<Vec<Value>> {
    match c {
        Const::Value(value) => match value {
            Value::Null => Some(Vec::new()),
            Value::Int(_) | Value::Float(_) => Some(numeric_keys(value)),
            Value::Bool(_) | Value::String(_) | Value::Bytes(_) => Some(Vec::from([value.clone()])),
            Value::List(_) | Value::Map(_) => None,
        },
        Const::Text(text) => {
            let mut keys = parse_number(text)
                .map(|n| numeric_keys(&n))
                .unwrap_or_default();
            keys.extend(parse_bool(text).map(Value::Bool));
            keys.push(Value::String(text.into()));
            Some(keys)
        }
    }
}

/// The `Int` and `Float` keys numerically equal to `n` (both zeros for zero; none for NaN).
fn numeric_keys(n: &Value) -> Vec<Value> {
    let mut keys = Vec::new();
    match *n {
        Value::Int(i) => {
            keys.push(Value::Int(i));
            let f = i as f64;
            if cmp_int_float(i128::from(i), f) == Some(Ordering::Equal) {
                keys.push(Value::Float(f));
                if i == 0 {
                    keys.push(Value::Float(-0.0));
                }
            }
        }
        Value::Float(f) if !f.is_nan() => {
            keys.push(Value::Float(f));
            if f == 0.0 {
                keys.push(Value::Float(-f));
            }
            let i = f as i64;
            if cmp_int_float(i128::from(i), f) == Some(Ordering::Equal) {
                keys.push(Value::Int(i));
            }
        }
        _ => {}
    }
    keys
}

fn same_key(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

fn dedup(keys: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(keys.len());
    for key in keys {
        if !out.iter().any(|k| same_key(k, &key)) {
            out.push(key);
        }
    }
    out
}

/// The ranges `prop op c` allows, one per class `c` could be read as; `None` when unknown.
fn bounds(c: Const<'_>, op: CompareOp) -> Option<Vec<KeyRange>> {
    let mut keys: Vec<(KeyClass, Value)> = Vec::new();
    match c {
        Const::Value(value) => match value {
            Value::Int(_) => keys.push((KeyClass::Number, value.clone())),
            Value::Float(f) if !f.is_nan() => keys.push((KeyClass::Number, value.clone())),
            Value::String(_) => keys.push((KeyClass::String, value.clone())),
            Value::Bool(_) => keys.push((KeyClass::Bool, value.clone())),
            Value::Bytes(_) => keys.push((KeyClass::Bytes, value.clone())),
            // Ordering against null or NaN is never true.
            Value::Null | Value::Float(_) => {}
            Value::List(_) | Value::Map(_) => return None,
        },
        Const::Text(text) => {
            if let Some(n) = parse_number(text) {
                if !matches!(n, Value::Float(f) if f.is_nan()) {
                    keys.push((KeyClass::Number, n));
                }
            }
            if let Some(b) = parse_bool(text) {
                keys.push((KeyClass::Bool, Value::Bool(b)));
            }
            keys.push((KeyClass::String, Value::String(text.into())));
        }
    }
    let inclusive = matches!(op, CompareOp::Le | CompareOp::Ge);
    let is_upper = matches!(op, CompareOp::Lt | CompareOp::Le);
    Some(
        keys.into_iter()
            .map(|(class, value)| {
                let bound = Some(RangeBound { value, inclusive });
                if is_upper {
                    KeyRange {
                        class,
                        lower: None,
                        upper: bound,
                    }
                } else {
                    KeyRange {
                        class,
                        lower: bound,
                        upper: None,
                    }
                }
            })
            .collect(),
    )
}

/// The smallest string above every string starting with `prefix`, if there is one.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = u32::from(last) + 1;
        if next == 0xD800 {
            next = 0xE000; // skip the surrogate gap
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Order of two keys of the same class.
fn key_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => cmp_int_float(i128::from(*x), *y),
        (Value::Float(x), Value::Int(y)) => {
            cmp_int_float(i128::from(*y), *x).map(Ordering::reverse)
        }
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Bytes(x), Value::Bytes(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The tighter of two bounds; `lower` says which end they are.
fn tighter(a: Option<RangeBound>, b: Option<RangeBound>, lower: bool) -> Option<RangeBound> {
    let (Some(a), Some(b)) = (&a, &b) else {
        return a.or(b);
    };
    let pick_a = match key_cmp(&a.value, &b.value) {
        Some(Ordering::Equal) => !a.inclusive || b.inclusive,
        Some(Ordering::Greater) => lower,
        Some(Ordering::Less) => !lower,
        // Either bound alone is still implied by the query.
        None => true,
    };
    Some(if pick_a { a.clone() } else { b.clone() })
}

fn is_empty(range: &KeyRange) -> bool {
    let (Some(lower), Some(upper)) = (&range.lower, &range.upper) else {
        return false;
    };
    match key_cmp(&lower.value, &upper.value) {
        Some(Ordering::Greater) => true,
        Some(Ordering::Equal) => !(lower.inclusive && upper.inclusive),
        _ => false,
    }
}

/// Both sets of ranges hold: keep the classes present in both, with the tighter bounds.
fn intersect(a: &[KeyRange], b: &[KeyRange]) -> Vec<KeyRange> {
    a.iter()
        .filter_map(|x| {
            let y = b.iter().find(|y| y.class == x.class)?;
            let merged = KeyRange {
                class: x.class,
                lower: tighter(x.lower.clone(), y.lower.clone(), true),
                upper: tighter(x.upper.clone(), y.upper.clone(), false),
            };
            (!is_empty(&merged)).then_some(merged)
        })
        .collect()
}

/// Every property path the expression mentions, joined with `.`, in order of first mention.
pub(crate) fn referenced_properties(expr: &Expr) -> Vec<String> {
    property_paths(expr)
        .iter()
        .map(|path| path.join("."))
        .collect()
}

/// Every distinct property path in `expr`, in order of first mention.
pub(crate) fn property_paths(expr: &Expr) -> Vec<&[String]> {
    fn walk<'a>(expr: &'a Expr, out: &mut Vec<&'a [String]>) {
        match expr {
            Expr::Property(path) => {
                if !out.contains(&path.as_slice()) {
                    out.push(path);
                }
            }
            Expr::Literal(_) | Expr::Param(_) => {}
            Expr::List(items) | Expr::And(items) | Expr::Or(items) | Expr::Xor(items) => {
                items.iter().for_each(|item| walk(item, out));
            }
            Expr::Not(inner) | Expr::IsNull { expr: inner, .. } => walk(inner, out),
            Expr::Compare { left, right, .. } | Expr::StringMatch { left, right, .. } => {
                walk(left, out);
                walk(right, out);
            }
            Expr::In { item, list } => {
                walk(item, out);
                walk(list, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(expr, &mut out);
    out
}
