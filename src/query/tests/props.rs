//! Property tests: no panics on any input, canonical printing round-trips, and index
//! predicates never lose a matching record.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

use proptest::prelude::*;

use super::TestRecord;
use crate::query::{
    BuiltinValue, CompareOp, Expr, IndexKind, KeyClass, KeyRange, Param, ParamRef, Params, Query,
    Record, StringOp,
};
use crate::value::Value;

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..15).prop_map(Value::Int),
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(10.0),
            Just(2.5),
            Just(f64::NAN),
            (-30i32..30).prop_map(|n| f64::from(n) / 2.0)
        ]
        .prop_map(Value::Float),
        prop::sample::select(vec!["", "a", "Al", "Alice", "10", "true", "b"])
            .prop_map(|s| Value::String(s.to_string())),
        prop::collection::vec(0u8..3, 0..3).prop_map(Value::Bytes),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::List),
            prop::collection::btree_map("[a-c]", inner, 0..3).prop_map(Value::Map),
        ]
    })
}

fn param() -> impl Strategy<Value = Param> {
    prop_oneof![
        prop_oneof![
            Just("10"),
            Just("10.0"),
            Just("-0"),
            Just("true"),
            Just("abc"),
            Just("1e1"),
            Just("Al"),
            Just(""),
            Just("2024-05-01T12:00:00Z"),
        ]
        .prop_map(|s| Param::Text(s.to_string())),
        value().prop_map(Param::Typed),
    ]
}

/// Random parameters: three positional, named `$p`, and a list `$l`.
fn params() -> impl Strategy<Value = Params> {
    (
        prop::collection::vec(param(), 3),
        param(),
        prop::collection::vec(scalar(), 0..4),
    )
        .prop_map(|(positional, named, list)| {
            let mut params = Params::new();
            for p in positional {
                params = params.param(p);
            }
            params
                .named_param("p", named)
                .named_typed("l", Value::List(list))
        })
}

fn record() -> impl Strategy<Value = TestRecord> {
    (
        prop::collection::btree_map("[a-c]", value(), 0..4),
        any::<i64>(),
    )
        .prop_map(|(props, millis)| TestRecord {
            props,
            builtins: vec![
                ("timestamp".into(), BuiltinValue::TimestampMillis(millis)),
                (
                    "source".into(),
                    BuiltinValue::Value(Value::String("s".into())),
                ),
            ],
        })
}

/// Records whose `a`, `b`, `c` are mostly scalars, so that simple queries often match.
fn simple_record() -> impl Strategy<Value = TestRecord> {
    let slot = prop_oneof![8 => scalar(), 1 => value()];
    prop::collection::btree_map(prop::sample::select(vec!["a", "b", "c"]), slot, 2..4).prop_map(
        |props| TestRecord {
            props: props.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            builtins: Vec::new(),
        },
    )
}

/// Fragments that make random text look like queries, to reach past the lexer.
fn query_text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("a"),
        Just("b.c"),
        Just("`x y`"),
        Just("timestamp"),
        Just(" = "),
        Just(" <> "),
        Just(" < "),
        Just(" >= "),
        Just(" AND "),
        Just(" OR "),
        Just(" XOR "),
        Just("NOT "),
        Just(" IN "),
        Just(" STARTS WITH "),
        Just(" CONTAINS "),
        Just(" IS NULL"),
        Just(" IS NOT NULL"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just(", "),
        Just("$1"),
        Just("$2"),
        Just("$3"),
        Just("$4"),
        Just("$p"),
        Just("$l"),
        Just("$q"),
        Just("1"),
        Just("-2.5"),
        Just("1e3"),
        Just("'Al'"),
        Just("\"x\\n\""),
        Just("true"),
        Just("null"),
        Just("'\\u00e9'"),
        Just("!"),
        Just("."),
        Just("-"),
    ];
    prop_oneof![
        any::<String>(),
        prop::collection::vec(fragment, 0..16).prop_map(|parts| parts.concat()),
    ]
}

fn path() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop_oneof![
            Just("a".to_string()),
            Just("b".to_string()),
            Just("in".to_string()),
            Just("x y".to_string()),
            Just("a`b".to_string()),
            Just("é".to_string()),
        ],
        1..3,
    )
}

fn literal() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Value::Float),
        any::<String>().prop_map(Value::String),
    ]
}

fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

/// Random ASTs using the parameters of [`params`].
fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        literal().prop_map(Expr::Literal),
        path().prop_map(Expr::Property),
        (1usize..4).prop_map(|n| Expr::Param(ParamRef::Positional(n))),
        Just(Expr::Param(ParamRef::Named("p".into()))),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let op = prop_oneof![
            Just(CompareOp::Eq),
            Just(CompareOp::Ne),
            Just(CompareOp::Lt),
            Just(CompareOp::Le),
            Just(CompareOp::Gt),
            Just(CompareOp::Ge),
        ];
        let string_op = prop_oneof![
            Just(StringOp::StartsWith),
            Just(StringOp::EndsWith),
            Just(StringOp::Contains),
        ];
        let list_side = prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Expr::List),
            Just(Expr::Param(ParamRef::Named("l".into()))),
            path().prop_map(Expr::Property),
        ];
        let items = prop::collection::vec(inner.clone(), 2..4);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Expr::List),
            inner.clone().prop_map(|e| Expr::Not(boxed(e))),
            items.clone().prop_map(Expr::And),
            items.clone().prop_map(Expr::Or),
            items.prop_map(Expr::Xor),
            (op, inner.clone(), inner.clone()).prop_map(|(op, l, r)| Expr::Compare {
                op,
                left: boxed(l),
                right: boxed(r)
            }),
            (string_op, inner.clone(), inner.clone()).prop_map(|(op, l, r)| {
                Expr::StringMatch {
                    op,
                    left: boxed(l),
                    right: boxed(r),
                }
            }),
            (inner.clone(), list_side).prop_map(|(item, list)| Expr::In {
                item: boxed(item),
                list: boxed(list)
            }),
            (inner, any::<bool>()).prop_map(|(e, negated)| Expr::IsNull {
                expr: boxed(e),
                negated
            }),
        ]
    })
}

/// Conjunctions of simple predicates over `a`, `b`, `c`, with some noise conjuncts.
fn simple_query() -> impl Strategy<Value = String> {
    let prop_name = prop_oneof![Just("a"), Just("b"), Just("c")];
    let constant = prop_oneof![
        Just("1"),
        Just("10"),
        Just("10.0"),
        Just("-0.0"),
        Just("2.5"),
        Just("'Al'"),
        Just("'10'"),
        Just("true"),
        Just("null"),
        Just("$1"),
        Just("$2"),
        Just("$3"),
        Just("$p"),
    ];
    let op = prop_oneof![
        Just("="),
        Just("<>"),
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">="),
    ];
    let atom = prop_oneof![
        (prop_name.clone(), op.clone(), constant.clone())
            .prop_map(|(p, o, c)| format!("{p} {o} {c}")),
        (constant.clone(), op, prop_name.clone()).prop_map(|(c, o, p)| format!("{c} {o} {p}")),
        (
            prop_name.clone(),
            prop::collection::vec(constant.clone(), 0..3)
        )
            .prop_map(|(p, cs)| format!("{p} IN [{}]", cs.join(", "))),
        prop_name.clone().prop_map(|p| format!("{p} IN $l")),
        (prop_name.clone(), constant).prop_map(|(p, c)| format!("{p} STARTS WITH {c}")),
        prop_name.clone().prop_map(|p| p.to_string()),
        (prop_name.clone(), prop_name).prop_map(|(p, q)| format!("NOT ({p} = 1 OR {q} < 2)")),
    ];
    prop::collection::vec(atom, 1..4).prop_map(|atoms| atoms.join(" AND "))
}

/// Whether an index key equals a stored value (floats by bit pattern, as an index would).
fn same_key(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

fn class_of(value: &Value) -> Option<KeyClass> {
    match value {
        Value::Int(_) | Value::Float(_) => Some(KeyClass::Number),
        Value::String(_) => Some(KeyClass::String),
        Value::Bool(_) => Some(KeyClass::Bool),
        Value::Bytes(_) => Some(KeyClass::Bytes),
        _ => None,
    }
}

/// Key order within a class; the test values are small, so `as f64` is exact.
fn key_order(a: &Value, b: &Value) -> Option<Ordering> {
    let num = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        _ => None,
    };
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Bytes(x), Value::Bytes(y)) => Some(x.cmp(y)),
        _ => num(a)?.partial_cmp(&num(b)?),
    }
}

fn in_range(value: &Value, range: &KeyRange) -> bool {
    if class_of(value) != Some(range.class) {
        return false;
    }
    let lower_ok = range.lower.as_ref().is_none_or(|b| {
        matches!(key_order(value, &b.value), Some(Ordering::Greater))
            || (b.inclusive && key_order(value, &b.value) == Some(Ordering::Equal))
    });
    let upper_ok = range.upper.as_ref().is_none_or(|b| {
        matches!(key_order(value, &b.value), Some(Ordering::Less))
            || (b.inclusive && key_order(value, &b.value) == Some(Ordering::Equal))
    });
    lower_ok && upper_ok
}

fn satisfies(kind: &IndexKind, value: Option<&Value>) -> bool {
    let Some(value) = value else {
        return false;
    };
    match kind {
        IndexKind::Eq(keys) | IndexKind::In(keys) => keys.iter().any(|k| same_key(k, value)),
        IndexKind::Range(ranges) => ranges.iter().any(|r| in_range(value, r)),
    }
}

/// Checks that `query` prepared for property columns judges `record` as the
/// evaluator does, true, false or null (`NOT` tells false from null); false
/// when the query cannot be prepared.
fn prepared_agrees(query: &Query, record: &TestRecord) -> Result<bool, TestCaseError> {
    let negated = Query::parse(&format!("NOT ({query})"), query.params().clone()).unwrap();
    Ok(prepared_matches_as_evaluated(query, record)?
        && prepared_matches_as_evaluated(&negated, record)?)
}

fn prepared_matches_as_evaluated(
    query: &Query,
    record: &TestRecord,
) -> Result<bool, TestCaseError> {
    let builtin =
        |path: &[String]| matches!(path, [name] if record.builtins.iter().any(|(b, _)| b == name));
    let paths: Vec<&[String]> = query
        .property_paths()
        .into_iter()
        .filter(|path| !builtin(path))
        .collect();
    let Some(mut prepared) = query.prepare(&|path| paths.iter().position(|p| *p == path)) else {
        return Ok(false);
    };
    let values: Vec<Option<&Value>> = paths
        .iter()
        .map(|path| {
            let segments: Vec<&str> = path.iter().map(String::as_str).collect();
            record.property(&segments)
        })
        .collect();
    let expected = query.matches(record);
    prop_assert_eq!(
        prepared.matches(&|i| values[i]),
        expected,
        "{} on {:?}",
        query,
        record.props
    );
    // Tabulated over a dictionary holding the record's value (code 1)
    // between others whose answers were worked out first, it answers the
    // same, then the same again from the table.
    let left = prepared.tabulate(&|_| Some(3));
    prop_assert!(!left, "every step on one property is tabulated");
    for (code, decoy) in [(0, Value::Int(0)), (2, Value::String("b".into()))] {
        let _ = prepared.matches_coded(&|_| Some(&decoy), &|_| Some(code));
    }
    for _ in 0..2 {
        prop_assert_eq!(
            prepared.matches_coded(&|i| values[i], &|i| values[i].map(|_| 1)),
            expected,
            "tabulated: {} on {:?}",
            query,
            record.props
        );
    }
    Ok(true)
}

#[test]
fn the_usual_forms_are_prepared() {
    let params = Params::from_texts(&["10", "Al"]);
    for text in [
        "a = 1 AND b > $1",
        "a IN [1, $2, 'x'] OR NOT b STARTS WITH $2",
        "a IS NULL XOR b.c <> 2.5",
        "$1 <= a AND a",
        "a IN $l",
    ] {
        let params = params
            .clone()
            .named_typed("l", Value::List(vec![Value::Int(1)]));
        let query = Query::parse(text, params).unwrap();
        assert!(
            prepared_agrees(&query, &TestRecord::new().with("a", Value::Int(10))).unwrap(),
            "{text}"
        );
    }
    for text in ["a = b", "a IN [b]", "timestamp > 1", "a = 1 AND c = [1, 2]"] {
        let query = Query::parse(text, Params::new()).unwrap();
        let record = TestRecord::edge(0, "x", "y");
        assert!(!prepared_agrees(&query, &record).unwrap(), "{text}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn prepared_queries_judge_as_the_evaluator(
        expr in expr(),
        params in params(),
        records in prop::collection::vec(record(), 1..4),
    ) {
        let query = Query::parse(&expr.to_string(), params).unwrap();
        for record in &records {
            prepared_agrees(&query, record)?;
        }
    }

    #[test]
    fn prepared_comparisons_coerce_as_the_evaluator(
        op in prop::sample::select(vec!["=", "<>", "<", "<=", ">", ">=", "STARTS WITH", "IN"]),
        flipped in any::<bool>(),
        param in param(),
        value in value(),
    ) {
        let text = match (op, flipped) {
            ("IN", _) => "a IN [$1, 2]".to_string(),
            (_, false) => format!("a {op} $1"),
            (_, true) => format!("$1 {op} a"),
        };
        let query = Query::parse(&text, Params::new().param(param)).unwrap();
        prop_assert!(prepared_agrees(&query, &TestRecord::new().with("a", value))?);
    }

    #[test]
    fn prepared_simple_queries_judge_as_the_evaluator(
        text in simple_query(),
        params in params(),
        records in prop::collection::vec(simple_record(), 1..8),
    ) {
        let query = Query::parse(&text, params).unwrap();
        for record in &records {
            prepared_agrees(&query, record)?;
        }
    }

    #[test]
    fn never_panics_on_any_text(text in query_text(), params in params(), record in record()) {
        if let Ok(query) = Query::parse(&text, params) {
            let _ = query.matches(&record);
            let _ = query.index_predicates();
            let _ = query.referenced_properties();
            let printed = query.to_string();
            let again = Query::parse(&printed, query.params().clone());
            prop_assert_eq!(again.as_ref().map(Query::expr), Ok(query.expr()), "{}", printed);
        }
    }

    #[test]
    fn never_panics_on_any_text_params(texts in prop::collection::vec(any::<String>(), 0..4),
                                       record in record(), query in simple_query()) {
        let text_query = format!("{query} AND timestamp > $1 OR $2 IN [a, $3]");
        if let Ok(query) = Query::parse(&text_query, Params::from_texts(&texts)) {
            let _ = query.matches(&record);
            let _ = query.index_predicates();
        }
    }

    #[test]
    fn canonical_form_reparses_to_the_same_ast(expr in expr(), params in params()) {
        let printed = expr.to_string();
        let parsed = Query::parse(&printed, params);
        prop_assert_eq!(parsed.as_ref().map(Query::expr), Ok(&expr), "{}", printed);
    }

    #[test]
    fn index_predicates_never_lose_a_match(
        text in simple_query(),
        params in params(),
        records in prop::collection::vec(simple_record(), 1..24),
    ) {
        let Ok(query) = Query::parse(&text, params) else {
            // Only `IN $l` with a non-list could fail, and `$l` is always a list.
            return Err(TestCaseError::fail(format!("{text} did not parse")));
        };
        let predicates = query.index_predicates();
        for record in &records {
            if !query.matches(record) {
                continue;
            }
            for predicate in &predicates {
                let path: Vec<&str> = predicate.path.iter().map(String::as_str).collect();
                prop_assert!(
                    satisfies(&predicate.kind, record.property(&path)),
                    "{} matches {:?} but not {:?}", query, record.props, predicate
                );
            }
        }
    }
}
