//! Index predicate and referenced-property tests.

use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use super::{q, s};
use crate::query::{IndexKind, IndexPredicate, KeyClass, KeyRange, Params, Query, RangeBound};
use crate::value::Value;

fn preds(expr: &str, params: &[&str]) -> Vec<IndexPredicate> {
    q(expr, params).index_predicates()
}

fn bound(value: Value, inclusive: bool) -> Option<RangeBound> {
    Some(RangeBound { value, inclusive })
}

fn range(class: KeyClass, lower: Option<RangeBound>, upper: Option<RangeBound>) -> KeyRange {
    KeyRange {
        class,
        lower,
        upper,
    }
}

fn kinds(expr: &str, params: &[&str]) -> Vec<(alloc::string::String, IndexKind)> {
    preds(expr, params)
        .into_iter()
        .map(|p| (p.property, p.kind))
        .collect()
}

#[test]
fn equality_lists_every_key_it_could_match() {
    assert_eq!(
        kinds("city = $1", &["Paris"]),
        vec![("city".to_string(), IndexKind::Eq(vec![s("Paris")]))]
    );
    assert_eq!(
        kinds("count = $1", &["10"]),
        vec![(
            "count".to_string(),
            IndexKind::Eq(vec![Value::Int(10), Value::Float(10.0), s("10")])
        )]
    );
    assert_eq!(
        kinds("flag = $1", &["true"]),
        vec![(
            "flag".to_string(),
            IndexKind::Eq(vec![Value::Bool(true), s("true")])
        )]
    );
    assert_eq!(
        kinds("10 = n AND x = 0.0 AND y = 2.5 AND z = null", &[]),
        vec![
            (
                "n".to_string(),
                IndexKind::Eq(vec![Value::Int(10), Value::Float(10.0)])
            ),
            (
                "x".to_string(),
                IndexKind::Eq(vec![Value::Float(0.0), Value::Float(-0.0), Value::Int(0)])
            ),
            ("y".to_string(), IndexKind::Eq(vec![Value::Float(2.5)])),
            ("z".to_string(), IndexKind::Eq(vec![])),
        ]
    );
    assert_eq!(
        kinds("address.city = 'Paris' AND active", &[]),
        vec![
            ("address.city".to_string(), IndexKind::Eq(vec![s("Paris")])),
            ("active".to_string(), IndexKind::Eq(vec![Value::Bool(true)])),
        ]
    );
}

#[test]
fn in_lists_union_their_keys() {
    assert_eq!(
        kinds("x IN [1, 'a', $1, null, 1.0]", &["b"]),
        vec![(
            "x".to_string(),
            IndexKind::In(vec![Value::Int(1), Value::Float(1.0), s("a"), s("b")])
        )]
    );
    let typed = Params::new().typed(Value::List(vec![s("a"), Value::Bool(false)]));
    let query = Query::parse("x IN $1", typed).unwrap();
    assert_eq!(
        query.index_predicates()[0].kind,
        IndexKind::In(vec![s("a"), Value::Bool(false)])
    );
    assert!(preds("x IN [[1]]", &[]).is_empty());
    assert!(preds("x IN [y]", &[]).is_empty());
    assert!(preds("'a' IN tags", &[]).is_empty());
}

#[test]
fn ranges_merge_per_property() {
    assert_eq!(
        kinds("age > 60 AND age <= 80", &[]),
        vec![(
            "age".to_string(),
            IndexKind::Range(vec![range(
                KeyClass::Number,
                bound(Value::Int(60), false),
                bound(Value::Int(80), true)
            )])
        )]
    );
    assert_eq!(
        kinds("age >= 60 AND 70.5 > age AND age > 60 AND age < 90", &[]),
        vec![(
            "age".to_string(),
            IndexKind::Range(vec![range(
                KeyClass::Number,
                bound(Value::Int(60), false),
                bound(Value::Float(70.5), false)
            )])
        )]
    );
    // A text parameter could be a number or a string; the other bound settles it.
    assert_eq!(
        kinds("age > $1 AND age <= 80", &["60"]),
        vec![(
            "age".to_string(),
            IndexKind::Range(vec![range(
                KeyClass::Number,
                bound(Value::Int(60), false),
                bound(Value::Int(80), true)
            )])
        )]
    );
    assert_eq!(
        kinds("age > $1", &["60"]),
        vec![(
            "age".to_string(),
            IndexKind::Range(vec![
                range(KeyClass::Number, bound(Value::Int(60), false), None),
                range(KeyClass::String, bound(s("60"), false), None),
            ])
        )]
    );
    assert_eq!(
        kinds("age > 80 AND age < 60", &[]),
        vec![("age".to_string(), IndexKind::Range(vec![]))]
    );
    assert_eq!(
        kinds("age > 1 AND age < 1", &[]),
        vec![("age".to_string(), IndexKind::Range(vec![]))]
    );
    assert_eq!(
        kinds("age > 'a' AND age < 5", &[]),
        vec![("age".to_string(), IndexKind::Range(vec![]))]
    );
}

#[test]
fn starts_with_is_a_string_range() {
    assert_eq!(
        kinds("name STARTS WITH 'Al'", &[]),
        vec![(
            "name".to_string(),
            IndexKind::Range(vec![range(
                KeyClass::String,
                bound(s("Al"), true),
                bound(s("Am"), false)
            )])
        )]
    );
    assert_eq!(
        kinds("name STARTS WITH $1 AND name < 'Ali'", &["Al"]),
        vec![(
            "name".to_string(),
            IndexKind::Range(vec![range(
                KeyClass::String,
                bound(s("Al"), true),
                bound(s("Ali"), false)
            )])
        )]
    );
    let top = "\u{10FFFF}";
    assert_eq!(
        kinds("name STARTS WITH $1", &[top]),
        vec![(
            "name".to_string(),
            IndexKind::Range(vec![range(KeyClass::String, bound(s(top), true), None)])
        )]
    );
    assert_eq!(
        kinds("name STARTS WITH '\\uD7FF'", &[])[0].1,
        IndexKind::Range(vec![range(
            KeyClass::String,
            bound(s("\u{D7FF}"), true),
            bound(s("\u{E000}"), false)
        )])
    );
}

#[test]
fn only_top_level_conjuncts_qualify() {
    assert!(preds("a = 1 OR b = 2", &[]).is_empty());
    assert!(preds("NOT a = 1", &[]).is_empty());
    assert!(preds("a = 1 XOR b = 2", &[]).is_empty());
    assert!(preds(
        "a <> 1 AND a = b AND 1 = 1 AND a IS NOT NULL AND a ENDS WITH 'x'",
        &[]
    )
    .is_empty());
    assert_eq!(
        kinds(
            "(a = 1 AND (b = 'x' AND c OR d)) AND (e < 'z' AND (f AND g = 1))",
            &[]
        )
        .into_iter()
        .map(|(p, _)| p)
        .collect::<Vec<_>>(),
        vec!["a", "e", "f", "g"]
    );
}

#[test]
fn builtins_are_not_properties() {
    assert!(preds(
        "timestamp > 5 AND source = 'a' AND id = 'x' AND target IN ['b']",
        &[]
    )
    .is_empty());
    let query = q("id = 'x' AND timestamp > 5 AND meta.id = 1", &[]);
    let node_preds: Vec<_> = query
        .index_predicates_for(&["id"])
        .into_iter()
        .map(|p| p.property)
        .collect();
    assert_eq!(node_preds, vec!["timestamp", "meta.id"]);
}

#[test]
fn lists_referenced_properties() {
    let query = q(
        "a.b = 1 AND (c IN [d, 1] OR NOT e IS NULL) AND a.b < f AND `x.y` = 1",
        &[],
    );
    assert_eq!(
        query.referenced_properties(),
        vec!["a.b", "c", "d", "e", "f", "x.y"]
    );
    assert_eq!(query.index_predicates()[0].path, vec!["a", "b"]);
}

#[test]
fn explain_prints_the_residual_filter() {
    let query = q("age > 60", &[]);
    assert_eq!(
        alloc::format!("residual filter: {query}"),
        "residual filter: (age > 60)"
    );
    assert_eq!(alloc::format!("{}", query.expr()), "(age > 60)");
}
