//! Evaluation with openCypher's three-valued logic: `Some(true)`, `Some(false)` or `None`
//! (null). A record matches only when the whole expression is `Some(true)`.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::Cell;
use core::cmp::Ordering;

use super::ast::{CompareOp, Expr, StringOp};
use super::params::{parse_bool, parse_number, Param, Params};
use super::record::{BuiltinValue, Record};
use super::time::{parse_rfc3339, NANOS_PER_SEC};
use crate::value::{Map, Value};

/// Nested lists and maps deeper than this compare as null instead of recursing further.
const MAX_VALUE_DEPTH: usize = 64;

/// Whether `expr` is `true` for `record`.
pub(crate) fn matches(expr: &Expr, params: &Params, record: &dyn Record) -> bool {
    let evaluator = Evaluator { params, record };
    evaluator.truth(expr) == Some(true)
}

/// The result of evaluating a sub-expression.
#[derive(Debug)]
enum Operand<'a> {
    Null,
    Bool(bool),
    Ref(&'a Value),
    Owned(Value),
    /// A `Text` parameter, typed by what it meets (see the module docs of `query`).
    Text(&'a str),
    /// A point in time in nanoseconds since the Unix epoch.
    Time(i128),
    List(Vec<Operand<'a>>),
}

fn tri(value: Option<bool>) -> Operand<'static> {
    value.map_or(Operand::Null, Operand::Bool)
}

struct Evaluator<'a> {
    params: &'a Params,
    record: &'a dyn Record,
}

impl<'a> Evaluator<'a> {
    fn truth(&self, expr: &'a Expr) -> Option<bool> {
        match view(&self.eval(expr)) {
            View::Bool(b) => Some(b),
            View::Text(t) => parse_bool(t),
            _ => None,
        }
    }

    fn eval(&self, expr: &'a Expr) -> Operand<'a> {
        match expr {
            Expr::Literal(value) => Operand::Ref(value),
            Expr::List(items) => Operand::List(items.iter().map(|e| self.eval(e)).collect()),
            Expr::Param(p) => match self.params.get(p) {
                Some(Param::Text(text)) => Operand::Text(text),
                Some(Param::Typed(value)) => Operand::Ref(value),
                None => Operand::Null,
            },
            Expr::Property(path) => self.property(path),
            Expr::Not(inner) => tri(self.truth(inner).map(|b| !b)),
            Expr::And(items) => tri(all(items.iter().map(|item| self.truth(item)))),
            Expr::Or(items) => tri(any(items.iter().map(|item| self.truth(item)))),
            Expr::Xor(items) => tri(xor(items.iter().map(|item| self.truth(item)))),
            Expr::Compare { op, left, right } => {
                let (left, right) = (self.eval(left), self.eval(right));
                tri(compare(*op, view(&left), view(&right)))
            }
            Expr::StringMatch { op, left, right } => {
                let (left, right) = (self.eval(left), self.eval(right));
                tri(string_match(*op, view(&left), view(&right)))
            }
            Expr::In { item, list } => {
                let (item, list) = (self.eval(item), self.eval(list));
                tri(contains(view(&list), view(&item)))
            }
            Expr::IsNull { expr, negated } => {
                let is_null = matches!(view(&self.eval(expr)), View::Null);
                Operand::Bool(is_null != *negated)
            }
        }
    }

    fn property(&self, path: &'a [alloc::string::String]) -> Operand<'a> {
        if let [name] = path {
            match self.record.builtin(name) {
                Some(BuiltinValue::Value(value)) => return Operand::Owned(value),
                Some(BuiltinValue::TimestampMillis(ms)) => {
                    return Operand::Time(i128::from(ms) * 1_000_000)
                }
                None => {}
            }
        }
        // Most paths are short: avoid allocating the `&str` slice for them.
        let mut short = [""; 8];
        let found = if let Some(slots) = short.get_mut(..path.len()) {
            for (slot, segment) in slots.iter_mut().zip(path) {
                *slot = segment;
            }
            self.record.property(&short[..path.len()])
        } else {
            let long: Vec<&str> = path.iter().map(|s| s.as_str()).collect();
            self.record.property(&long)
        };
        found.map_or(Operand::Null, Operand::Ref)
    }
}

/// A borrowed, flattened view of an operand or value, so one set of comparison rules serves
/// both.
#[derive(Debug, Clone, Copy)]
enum View<'b> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'b str),
    Text(&'b str),
    Bytes(&'b [u8]),
    List(ListView<'b>),
    Map(&'b Map),
    Time(i128),
}

#[derive(Debug, Clone, Copy)]
enum ListView<'b> {
    Values(&'b [Value]),
    Operands(&'b [Operand<'b>]),
}

impl<'b> ListView<'b> {
    fn len(self) -> usize {
        match self {
            Self::Values(v) => v.len(),
            Self::Operands(o) => o.len(),
        }
    }

    fn iter(self) -> impl Iterator<Item = View<'b>> {
        (0..self.len()).map(move |i| match self {
            Self::Values(v) => value_view(&v[i]),
            Self::Operands(o) => view(&o[i]),
        })
    }
}

fn view<'b>(operand: &'b Operand<'_>) -> View<'b> {
    match operand {
        Operand::Null => View::Null,
        Operand::Bool(b) => View::Bool(*b),
        Operand::Ref(value) => value_view(value),
        Operand::Owned(value) => value_view(value),
        Operand::Text(text) => View::Text(text),
        Operand::Time(t) => View::Time(*t),
        Operand::List(items) => View::List(ListView::Operands(items)),
    }
}

fn value_view(value: &Value) -> View<'_> {
    match value {
        Value::Null => View::Null,
        Value::Bool(b) => View::Bool(*b),
        Value::Int(i) => View::Int(*i),
        Value::Float(x) => View::Float(*x),
        Value::String(s) => View::Str(s),
        Value::Bytes(b) => View::Bytes(b),
        Value::List(items) => View::List(ListView::Values(items)),
        Value::Map(map) => View::Map(map),
    }
}

fn number_view(text: &str) -> Option<View<'static>> {
    match parse_number(text)? {
        Value::Int(i) => Some(View::Int(i)),
        Value::Float(x) => Some(View::Float(x)),
        _ => None,
    }
}

/// Gives a `Text` parameter the type of what it is compared with.
fn coerce_text<'b>(text: &'b str, other: View<'b>) -> View<'b> {
    let typed = match other {
        View::Int(_) | View::Float(_) => number_view(text),
        View::Bool(_) => parse_bool(text).map(View::Bool),
        View::Time(_) => parse_rfc3339(text)
            .map(View::Time)
            .or_else(|| number_view(text)),
        _ => None,
    };
    typed.unwrap_or(View::Str(text))
}

/// Applies the coercions of the module docs to a pair of operands.
fn coerce<'b>(a: View<'b>, b: View<'b>) -> (View<'b>, View<'b>) {
    match (a, b) {
        (View::Text(x), View::Text(y)) => (View::Str(x), View::Str(y)),
        (View::Text(x), other) => (coerce_text(x, other), other),
        (other, View::Text(y)) => (other, coerce_text(y, other)),
        (View::Str(s), View::Time(_)) => (parse_rfc3339(s).map_or(a, View::Time), b),
        (View::Time(_), View::Str(s)) => (a, parse_rfc3339(s).map_or(b, View::Time)),
        _ => (a, b),
    }
}

/// A number ready for exact comparison.
#[derive(Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

/// The pair as numbers, if both are numeric; a time meets numbers as seconds.
fn numbers(a: View<'_>, b: View<'_>) -> Option<(Num, Num)> {
    let plain = |v: View<'_>| match v {
        View::Int(i) => Some(Num::Int(i128::from(i))),
        View::Float(x) => Some(Num::Float(x)),
        _ => None,
    };
    match (a, b) {
        (View::Time(x), View::Time(y)) => Some((Num::Int(x), Num::Int(y))),
        (View::Time(x), other) => time_and_seconds(x, other),
        (other, View::Time(y)) => time_and_seconds(y, other).map(|(p, q)| (q, p)),
        _ => Some((plain(a)?, plain(b)?)),
    }
}

/// A time in nanoseconds and a number of seconds, as a pair that compares the same way.
fn time_and_seconds(nanos: i128, seconds: View<'_>) -> Option<(Num, Num)> {
    match seconds {
        View::Int(i) => Some((Num::Int(nanos), Num::Int(i128::from(i) * NANOS_PER_SEC))),
        // Whole seconds are subtracted exactly first, so `1714564800.25` meets
        // `...800.250` exactly even though `1714564800.25e9` is not a float.
        View::Float(x) if (-1e20..1e20).contains(&x) => {
            let whole = x as i128;
            let fraction = x - whole as f64;
            Some((
                Num::Int(nanos - whole * NANOS_PER_SEC),
                Num::Float(fraction * 1e9),
            ))
        }
        View::Float(x) => Some((Num::Int(nanos), Num::Float(x * 1e9))),
        _ => None,
    }
}

/// Exact numeric order; `None` when a NaN is involved.
fn cmp_num(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        (Num::Int(x), Num::Float(y)) => cmp_int_float(x, y),
        (Num::Float(x), Num::Int(y)) => cmp_int_float(y, x).map(Ordering::reverse),
    }
}

/// Compares an integer with a float without rounding the integer.
pub(crate) fn cmp_int_float(i: i128, f: f64) -> Option<Ordering> {
    const TWO_POW_127: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if f.is_nan() {
        return None;
    }
    if f >= TWO_POW_127 {
        return Some(Ordering::Less);
    }
    if f < -TWO_POW_127 {
        return Some(Ordering::Greater);
    }
    // In range, `as` truncates toward zero; the remainder is exact (Sterbenz).
    let whole = f as i128;
    match i.cmp(&whole) {
        Ordering::Equal => 0.0_f64.partial_cmp(&(f - whole as f64)),
        other => Some(other),
    }
}

/// `a = b`: null if either is null, false across types (except numbers), elementwise for
/// lists and maps.
fn equals(a: View<'_>, b: View<'_>, depth: usize) -> Option<bool> {
    if depth > MAX_VALUE_DEPTH {
        return None;
    }
    let (a, b) = coerce(a, b);
    match (a, b) {
        (View::Null, _) | (_, View::Null) => None,
        (View::Bool(x), View::Bool(y)) => Some(x == y),
        (View::Str(x), View::Str(y)) => Some(x == y),
        (View::Bytes(x), View::Bytes(y)) => Some(x == y),
        (View::List(x), View::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all(x.iter().zip(y.iter()).map(|(p, q)| equals(p, q, depth + 1)))
        }
        (View::Map(x), View::Map(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            all(x
                .values()
                .zip(y.values())
                .map(|(p, q)| equals(value_view(p), value_view(q), depth + 1)))
        }
        _ => Some(numbers(a, b).and_then(|(x, y)| cmp_num(x, y)) == Some(Ordering::Equal)),
    }
}

/// Three-valued AND over an iterator (read only up to the first false).
fn all(results: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut out = Some(true);
    for result in results {
        match result {
            Some(false) => return Some(false),
            None => out = None,
            Some(true) => {}
        }
    }
    out
}

/// Three-valued OR over an iterator (read only up to the first true).
fn any(results: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    all(results.map(|result| result.map(|b| !b))).map(|b| !b)
}

/// Three-valued XOR over an iterator.
fn xor(mut results: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    results.try_fold(false, |acc, result| Some(acc ^ result?))
}

/// How two values order: `Err(())` when incomparable or null (the comparison is null),
/// `Ok(None)` when a NaN is involved (the comparison is false).
fn order(a: View<'_>, b: View<'_>, depth: usize) -> Result<Option<Ordering>, ()> {
    if depth > MAX_VALUE_DEPTH {
        return Err(());
    }
    let (a, b) = coerce(a, b);
    match (a, b) {
        (View::Bool(x), View::Bool(y)) => Ok(Some(x.cmp(&y))),
        (View::Str(x), View::Str(y)) => Ok(Some(x.cmp(y))),
        (View::Bytes(x), View::Bytes(y)) => Ok(Some(x.cmp(y))),
        (View::List(x), View::List(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                match order(p, q, depth + 1)? {
                    Some(Ordering::Equal) => {}
                    other => return Ok(other),
                }
            }
            Ok(Some(x.len().cmp(&y.len())))
        }
        _ => numbers(a, b).map(|(x, y)| cmp_num(x, y)).ok_or(()),
    }
}

fn compare(op: CompareOp, a: View<'_>, b: View<'_>) -> Option<bool> {
    // The common cases first, with the answers of the general path below.
    let ordering = match (a, b) {
        (View::Int(x), View::Int(y)) => Some(x.cmp(&y)),
        (View::Str(x), View::Str(y)) => Some(x.cmp(y)),
        _ => None,
    };
    if let Some(ordering) = ordering {
        return Some(holds(op, ordering));
    }
    let ordering = match op {
        CompareOp::Eq => return equals(a, b, 0),
        CompareOp::Ne => return equals(a, b, 0).map(|eq| !eq),
        _ => order(a, b, 0).ok()?,
    };
    let Some(ordering) = ordering else {
        return Some(false);
    };
    Some(holds(op, ordering))
}

/// Whether `op` holds between two values that order as `ordering`.
fn holds(op: CompareOp, ordering: Ordering) -> bool {
    match op {
        CompareOp::Eq => ordering.is_eq(),
        CompareOp::Ne => ordering.is_ne(),
        CompareOp::Lt => ordering.is_lt(),
        CompareOp::Le => ordering.is_le(),
        CompareOp::Gt => ordering.is_gt(),
        CompareOp::Ge => ordering.is_ge(),
    }
}

fn text_of(v: View<'_>) -> Option<&str> {
    match v {
        View::Str(s) | View::Text(s) => Some(s),
        _ => None,
    }
}

fn string_match(op: StringOp, a: View<'_>, b: View<'_>) -> Option<bool> {
    let (Some(hay), Some(needle)) = (text_of(a), text_of(b)) else {
        return None;
    };
    Some(match op {
        StringOp::StartsWith => hay.starts_with(needle),
        StringOp::EndsWith => hay.ends_with(needle),
        StringOp::Contains => hay.contains(needle),
    })
}

/// `item IN list`: true if some element equals `item`, else null if some comparison was null,
/// else false. A list that is not a list (or null) gives null.
fn contains(list: View<'_>, item: View<'_>) -> Option<bool> {
    let View::List(items) = list else {
        return None;
    };
    let mut out = Some(false);
    for element in items.iter() {
        match equals(item, element, 0) {
            Some(true) => return Some(true),
            None => out = None,
            Some(false) => {}
        }
    }
    out
}

/// An expression prepared for judging many records whose properties come
/// from a fixed list of values (property columns): each property path
/// resolved to its position, each constant viewed once. It calls the same
/// comparison functions as [`Evaluator`], so it answers the same; forms it
/// does not prepare (built-ins, property against property, nested lists)
/// leave [`Prepared::new`] with `None`, for the evaluator.
pub(crate) struct Prepared<'q>(Step<'q>);

impl<'q> Prepared<'q> {
    /// Prepares `expr`; `position` tells where each property path's value
    /// will be (`None`: not available, or a built-in).
    pub(crate) fn new(
        expr: &'q Expr,
        params: &'q Params,
        position: &dyn Fn(&[alloc::string::String]) -> Option<usize>,
    ) -> Option<Self> {
        Step::new(expr, params, position).map(Prepared)
    }

    /// Whether a record whose property at position `i` is `value(i)` matches.
    #[cfg(test)]
    pub(crate) fn matches<'v>(&self, value: &dyn Fn(usize) -> Option<&'v Value>) -> bool {
        self.0.truth(value, None) == Some(true)
    }

    /// [`matches`](Self::matches) for a record whose property at position
    /// `i` also has the dictionary code `code(i)` (`None`: absent), which
    /// the steps [`tabulate`](Self::tabulate)d answer from.
    pub(crate) fn matches_coded<'v>(
        &self,
        value: &dyn Fn(usize) -> Option<&'v Value>,
        code: &dyn Fn(usize) -> Option<u32>,
    ) -> bool {
        self.0.truth(value, Some(code)) == Some(true)
    }

    /// Gives each step on one property a table of its answers by the
    /// property's dictionary code, where `codes(position)` is how many codes
    /// the dictionary at that position has, or `None` to leave the step as
    /// it is (its dictionary too large for now). A code's answer is worked
    /// out the first time a record with that code is judged, then read from
    /// the table. True while some step is left.
    pub(crate) fn tabulate(&mut self, codes: &dyn Fn(usize) -> Option<usize>) -> bool {
        self.0.tabulate(codes)
    }

    /// When the expression is tabulated steps joined by `AND` (or just
    /// one), those steps: a record matches when every one answers true.
    pub(crate) fn conjunction(&self) -> Option<Vec<Conjunct<'_, 'q>>> {
        match &self.0 {
            Step::And(items) => items.iter().map(Step::conjunct).collect(),
            step => step.conjunct().map(|one| alloc::vec![one]),
        }
    }
}

/// A code's answer in a table: `None` until worked out.
type Memo = Cell<Option<Option<bool>>>;

/// One tabulated step of a [`Prepared::conjunction`].
pub(crate) struct Conjunct<'a, 'q> {
    property: usize,
    answers: &'a [Memo],
    absent: Option<bool>,
    step: &'a Step<'q>,
}

impl Conjunct<'_, '_> {
    /// The position of the step's property.
    pub(crate) fn property(&self) -> usize {
        self.property
    }

    /// The step's answer for a record whose property has the dictionary
    /// code `code` (`None`: absent) and the value `value()`.
    pub(crate) fn answer<'v>(
        &self,
        code: Option<u32>,
        value: impl FnOnce() -> Option<&'v Value>,
    ) -> Option<bool> {
        match code {
            None => self.absent,
            Some(code) => memo_answer(self.answers, self.step, code, value),
        }
    }
}

/// The answer of `step` for the code `code` from `answers`, worked out from
/// `value()` and kept there the first time.
fn memo_answer<'v>(
    answers: &[Memo],
    step: &Step<'_>,
    code: u32,
    value: impl FnOnce() -> Option<&'v Value>,
) -> Option<bool> {
    let memo = answers.get(code as usize);
    if let Some(answer) = memo.and_then(Cell::get) {
        return answer;
    }
    let found = value();
    let answer = step.truth(&|_| found, None);
    if let Some(memo) = memo {
        memo.set(Some(answer));
    }
    answer
}

/// One step of a [`Prepared`] expression.
enum Step<'q> {
    And(Vec<Step<'q>>),
    Or(Vec<Step<'q>>),
    Xor(Vec<Step<'q>>),
    Not(Box<Step<'q>>),
    /// A property used as a condition.
    Truth(usize),
    /// `property op constant` (`constant op property` when `flipped`).
    Compare {
        op: CompareOp,
        property: usize,
        constant: Constant<'q>,
        flipped: bool,
    },
    /// `property STARTS WITH constant` and the like (`flipped` as above).
    StringMatch {
        op: StringOp,
        property: usize,
        constant: View<'q>,
        flipped: bool,
    },
    /// `property IN list`.
    In {
        property: usize,
        list: Operand<'q>,
    },
    IsNull {
        property: usize,
        negated: bool,
    },
    /// A step on one property, answered by the property's dictionary code.
    Table {
        property: usize,
        /// The answer for each code, once worked out.
        answers: Vec<Memo>,
        /// The answer when the property is absent.
        absent: Option<bool>,
        /// The step, for records judged without codes.
        step: Box<Step<'q>>,
    },
}

/// A constant as each kind of value meets it: a `Text` parameter takes the
/// type of what it is compared with (see `coerce`).
#[derive(Clone, Copy)]
struct Constant<'q> {
    number: View<'q>,
    boolean: View<'q>,
    other: View<'q>,
}

impl<'q> Constant<'q> {
    fn new(operand: &Operand<'q>) -> Self {
        match *operand {
            Operand::Text(text) => Constant {
                number: coerce_text(text, View::Int(0)),
                boolean: coerce_text(text, View::Bool(false)),
                other: View::Str(text),
            },
            Operand::Ref(value) => {
                let view = value_view(value);
                Constant {
                    number: view,
                    boolean: view,
                    other: view,
                }
            }
            _ => Constant {
                number: View::Null,
                boolean: View::Null,
                other: View::Null,
            },
        }
    }

    fn meeting(&self, value: View<'_>) -> View<'q> {
        match value {
            View::Int(_) | View::Float(_) => self.number,
            View::Bool(_) => self.boolean,
            _ => self.other,
        }
    }
}

impl<'q> Step<'q> {
    /// Prepares `expr`; `position` tells where each property path's value
    /// will be (`None`: not available, or a built-in).
    fn new(
        expr: &'q Expr,
        params: &'q Params,
        position: &dyn Fn(&[alloc::string::String]) -> Option<usize>,
    ) -> Option<Self> {
        let all = |items: &'q [Expr]| -> Option<Vec<Step<'q>>> {
            items
                .iter()
                .map(|item| Step::new(item, params, position))
                .collect()
        };
        // A literal or parameter, as the evaluator sees it.
        let scalar = |expr: &'q Expr| match expr {
            Expr::Literal(_) | Expr::Param(_) => Some(
                Evaluator {
                    params,
                    record: &Constants,
                }
                .eval(expr),
            ),
            _ => None,
        };
        // That, or a list of them.
        let constant = |expr: &'q Expr| match expr {
            Expr::List(items) => items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()
                .map(Operand::List),
            _ => scalar(expr),
        };
        let property = |expr: &Expr| match expr {
            Expr::Property(path) => position(path),
            _ => None,
        };
        // The property and the constant of a binary form, and whether they are swapped.
        let sides = |left: &'q Expr, right: &'q Expr| match (property(left), property(right)) {
            (Some(p), None) => Some((p, constant(right)?, false)),
            (None, Some(p)) => Some((p, constant(left)?, true)),
            _ => None,
        };
        Some(match expr {
            Expr::And(items) => Step::And(all(items)?),
            Expr::Or(items) => Step::Or(all(items)?),
            Expr::Xor(items) => Step::Xor(all(items)?),
            Expr::Not(inner) => Step::Not(Box::new(Step::new(inner, params, position)?)),
            Expr::Property(_) => Step::Truth(property(expr)?),
            Expr::Compare { op, left, right } => {
                let (property, constant, flipped) = sides(left, right)?;
                if matches!(constant, Operand::List(_)) {
                    return None;
                }
                Step::Compare {
                    op: *op,
                    property,
                    constant: Constant::new(&constant),
                    flipped,
                }
            }
            Expr::StringMatch { op, left, right } => {
                let (property, constant, flipped) = sides(left, right)?;
                let constant = match constant {
                    Operand::Text(text) => View::Text(text),
                    Operand::Ref(value) => value_view(value),
                    _ => return None,
                };
                Step::StringMatch {
                    op: *op,
                    property,
                    constant,
                    flipped,
                }
            }
            Expr::In { item, list } => Step::In {
                property: property(item)?,
                list: constant(list)?,
            },
            Expr::IsNull { expr, negated } => Step::IsNull {
                property: property(expr)?,
                negated: *negated,
            },
            Expr::Literal(_) | Expr::Param(_) | Expr::List(_) => return None,
        })
    }

    fn truth<'v>(
        &self,
        value: &dyn Fn(usize) -> Option<&'v Value>,
        code: Option<&dyn Fn(usize) -> Option<u32>>,
    ) -> Option<bool> {
        let view_of = |position: usize| value(position).map_or(View::Null, value_view);
        match self {
            Step::And(items) => all(items.iter().map(|item| item.truth(value, code))),
            Step::Or(items) => any(items.iter().map(|item| item.truth(value, code))),
            Step::Xor(items) => xor(items.iter().map(|item| item.truth(value, code))),
            Step::Not(inner) => inner.truth(value, code).map(|b| !b),
            Step::Table {
                property,
                answers,
                absent,
                step,
            } => match code.map(|code| code(*property)) {
                Some(None) => *absent,
                Some(Some(code)) => memo_answer(answers, step, code, || value(*property)),
                None => step.truth(value, None),
            },
            Step::Truth(property) => match view_of(*property) {
                View::Bool(b) => Some(b),
                _ => None,
            },
            Step::Compare {
                op,
                property,
                constant,
                flipped,
            } => {
                let found = view_of(*property);
                let (left, right) = sides(*flipped, found, constant.meeting(found));
                compare(*op, left, right)
            }
            Step::StringMatch {
                op,
                property,
                constant,
                flipped,
            } => {
                let (left, right) = sides(*flipped, view_of(*property), *constant);
                string_match(*op, left, right)
            }
            Step::In { property, list } => contains(view(list), view_of(*property)),
            Step::IsNull { property, negated } => {
                Some(matches!(view_of(*property), View::Null) != *negated)
            }
        }
    }
}

impl<'q> Step<'q> {
    /// A tabulated step as a [`Conjunct`].
    fn conjunct(&self) -> Option<Conjunct<'_, 'q>> {
        match self {
            Step::Table {
                property,
                answers,
                absent,
                step,
            } => Some(Conjunct {
                property: *property,
                answers,
                absent: *absent,
                step,
            }),
            _ => None,
        }
    }

    /// The property of a step on one property.
    fn property(&self) -> Option<usize> {
        match self {
            Step::Truth(property)
            | Step::Compare { property, .. }
            | Step::StringMatch { property, .. }
            | Step::In { property, .. }
            | Step::IsNull { property, .. } => Some(*property),
            Step::And(_) | Step::Or(_) | Step::Xor(_) | Step::Not(_) | Step::Table { .. } => None,
        }
    }

    /// See [`Prepared::tabulate`]; true while some step is left.
    fn tabulate(&mut self, codes: &dyn Fn(usize) -> Option<usize>) -> bool {
        match self {
            Step::And(items) | Step::Or(items) | Step::Xor(items) => items
                .iter_mut()
                .fold(false, |left, item| item.tabulate(codes) | left),
            Step::Not(inner) => inner.tabulate(codes),
            Step::Table { .. } => false,
            _ => {
                let Some(property) = self.property() else {
                    return false;
                };
                let Some(codes) = codes(property) else {
                    return true;
                };
                let absent = self.truth(&|_| None, None);
                let step = core::mem::replace(self, Step::And(Vec::new()));
                *self = Step::Table {
                    property,
                    answers: (0..codes).map(|_| Cell::new(None)).collect(),
                    absent,
                    step: Box::new(step),
                };
                false
            }
        }
    }
}

/// The operands of a prepared binary step in the order they were written.
fn sides<'b>(flipped: bool, property: View<'b>, constant: View<'b>) -> (View<'b>, View<'b>) {
    if flipped {
        (constant, property)
    } else {
        (property, constant)
    }
}

/// What constants are evaluated against: no properties, no built-ins.
struct Constants;

impl Record for Constants {
    fn property(&self, _path: &[&str]) -> Option<&Value> {
        None
    }
}
