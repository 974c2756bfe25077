//! Accessors, conversions, display and the total order.

use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;
use proptest::prelude::*;

use super::strategies::{number, value};
use crate::value::{Map, Value};

#[test]
fn accessors_return_the_matching_variant_only() {
    assert!(Value::Null.is_null());
    assert!(!Value::Int(0).is_null());
    assert_eq!(Value::Bool(true).as_bool(), Some(true));
    assert_eq!(Value::Int(1).as_bool(), None);
    assert_eq!(Value::from("s").as_str(), Some("s"));
    assert_eq!(Value::bytes(vec![1]).as_bytes(), Some(&[1u8][..]));
    assert_eq!(Value::from(vec![1]).as_list(), Some(&[Value::Int(1)][..]));
    assert_eq!(Value::from(vec![1]).as_map(), None);
    let mut value: Value = [("a", 1)].into_iter().collect();
    value
        .as_map_mut()
        .unwrap()
        .insert("b".to_string(), Value::Int(2));
    *value.get_mut("a").unwrap() = Value::Int(3);
    assert_eq!(value.to_string(), "{\"a\": 3, \"b\": 2}");
}

#[test]
fn numeric_accessors_convert_only_when_exact() {
    assert_eq!(Value::Int(-3).as_i64(), Some(-3));
    assert_eq!(Value::Float(4.0).as_i64(), Some(4));
    assert_eq!(Value::Float(4.5).as_i64(), None);
    assert_eq!(Value::Float(9_223_372_036_854_775_808.0).as_i64(), None);
    assert_eq!(
        Value::Float(-9_223_372_036_854_775_808.0).as_i64(),
        Some(i64::MIN)
    );
    assert_eq!(Value::Float(f64::NAN).as_i64(), None);
    assert_eq!(Value::Float(f64::INFINITY).as_i64(), None);
    assert_eq!(Value::Int(-1).as_u64(), None);
    assert_eq!(
        Value::Float(9_223_372_036_854_775_808.0).as_u64(),
        Some(1 << 63)
    );
    assert_eq!(Value::Float(18_446_744_073_709_551_616.0).as_u64(), None);
    assert_eq!(Value::Float(-0.0).as_u64(), Some(0));
    assert_eq!(Value::Int(3).as_f64(), Some(3.0));
    assert_eq!(Value::from("3").as_f64(), None);
}

#[test]
fn lookups_follow_maps_and_default_to_null() {
    let value: Value = [("a", Value::from_iter([("b", 1)])), ("c", Value::Null)]
        .into_iter()
        .collect();
    assert_eq!(
        value.get("a").and_then(|a| a.get("b")),
        Some(&Value::Int(1))
    );
    assert_eq!(value.get_path(&["a", "b"]), Some(&Value::Int(1)));
    assert_eq!(value.get_path(&[]), Some(&value));
    assert_eq!(value.get_path(&["a", "x"]), None);
    assert_eq!(value.get_path(&["a", "b", "c"]), None);
    assert_eq!(value["a"]["b"], Value::Int(1));
    assert_eq!(value["missing"]["deeper"], Value::Null);
    assert_eq!(Value::Int(1)["a"], Value::Null);
    assert_eq!(Value::Int(1).get("a"), None);
}

#[test]
fn type_names_are_lowercase_words() {
    let names: Vec<_> = [
        Value::Null,
        Value::Bool(true),
        Value::Int(1),
        Value::Float(1.0),
        Value::from("s"),
        Value::bytes(vec![]),
        Value::List(vec![]),
        Value::Map(Map::new()),
    ]
    .iter()
    .map(Value::type_name)
    .collect();
    assert_eq!(
        names,
        ["null", "bool", "int", "float", "string", "bytes", "list", "map"]
    );
}

#[test]
fn from_conversions_pick_the_natural_variant() {
    assert_eq!(Value::from(true), Value::Bool(true));
    assert_eq!(Value::from(-8i8), Value::Int(-8));
    assert_eq!(Value::from(u32::MAX), Value::Int(4_294_967_295));
    assert_eq!(Value::from(i64::MAX as u64), Value::Int(i64::MAX));
    assert_eq!(
        Value::from(u64::MAX),
        Value::Float(18_446_744_073_709_551_616.0)
    );
    assert_eq!(
        Value::from(usize::MAX),
        Value::Float(18_446_744_073_709_551_616.0)
    );
    assert_eq!(Value::from(-1isize), Value::Int(-1));
    assert_eq!(Value::from(0.5f32), Value::Float(0.5));
    assert_eq!(Value::from('c'), Value::from("c"));
    assert_eq!(Value::from("s".to_string()), Value::from("s"));
    assert_eq!(
        Value::from(vec![Some(1), None]),
        Value::List(vec![Value::Int(1), Value::Null])
    );
    assert_eq!(Value::from(None::<i32>), Value::Null);
    assert_eq!(Value::from(Map::new()), Value::Map(Map::new()));
    let collected: Value = [("k", "v")].into_iter().collect();
    assert_eq!(collected["k"], Value::from("v"));
}

#[test]
fn display_renders_json_like_text() {
    let value: Value = [
        ("s", Value::from("a \"quoted\"\n\\ \u{1}")),
        ("f", Value::Float(1.0)),
        (
            "l",
            Value::from(vec![Value::Null, Value::Bool(false), Value::Int(-2)]),
        ),
        ("b", Value::bytes(vec![b'h', 0, 0xff])),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        value.to_string(),
        "{\"b\": b\"h\\x00\\xff\", \"f\": 1.0, \"l\": [null, false, -2], \"s\": \"a \\\"quoted\\\"\\n\\\\ \\u0001\"}"
    );
    assert_eq!(Value::Float(f64::NAN).to_string(), "NaN");
    assert_eq!(Value::Float(f64::NEG_INFINITY).to_string(), "-inf");
}

#[test]
fn total_order_ranks_types_then_values() {
    let ascending = [
        Value::Null,
        Value::Bool(false),
        Value::Bool(true),
        Value::Float(f64::NEG_INFINITY),
        Value::Int(i64::MIN),
        Value::Float(-1.5),
        Value::Int(-1),
        Value::Float(0.5),
        Value::Int(1),
        Value::Float(9_007_199_254_740_992.0),
        Value::Int(9_007_199_254_740_993),
        Value::Int(i64::MAX),
        Value::Float(9_223_372_036_854_775_808.0),
        Value::Float(f64::INFINITY),
        Value::Float(f64::NAN),
        Value::from(""),
        Value::from("a"),
        Value::from("a\0"),
        Value::from("ab"),
        Value::bytes(vec![]),
        Value::bytes(vec![0]),
        Value::List(vec![]),
        Value::from(vec![1]),
        Value::from(vec![1, 2]),
        Value::from(vec![2]),
        Value::Map(Map::new()),
        [("a", 2)].into_iter().collect(),
        [("a", 2), ("b", 0)].into_iter().collect(),
        [("b", 1)].into_iter().collect(),
    ];
    for (i, a) in ascending.iter().enumerate() {
        for (j, b) in ascending.iter().enumerate() {
            assert_eq!(a.total_cmp(b), i.cmp(&j), "{a} vs {b}");
        }
    }
}

#[test]
fn total_order_merges_numerically_equal_values() {
    assert_eq!(Value::Int(2).total_cmp(&Value::Float(2.0)), Ordering::Equal);
    assert_eq!(
        Value::Float(0.0).total_cmp(&Value::Float(-0.0)),
        Ordering::Equal
    );
    assert_eq!(
        Value::Int(0).total_cmp(&Value::Float(-0.0)),
        Ordering::Equal
    );
    assert_eq!(
        Value::Float(f64::NAN).total_cmp(&Value::Float(-f64::NAN)),
        Ordering::Equal
    );
    assert_eq!(
        Value::Int(i64::MIN).total_cmp(&Value::Float(-9_223_372_036_854_775_808.0)),
        Ordering::Equal
    );
    assert_eq!(
        Value::Int(i64::MAX).total_cmp(&Value::Float(9_223_372_036_854_775_808.0)),
        Ordering::Less
    );
}

/// The exact comparison of an integer and a float, computed independently of `number_key`.
fn reference_cmp(i: i64, f: f64) -> Ordering {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || f >= TWO_63 {
        Ordering::Less
    } else if f < -TWO_63 {
        Ordering::Greater
    } else {
        // |f| < 2^63 (or exactly -2^63): truncation and the fractional part are exact.
        let whole = f.trunc();
        i128::from(i)
            .cmp(&(whole as i128))
            .then_with(|| 0.0.partial_cmp(&(f - whole)).unwrap())
    }
}

proptest! {
    #[test]
    fn int_float_comparison_is_exact(a in number(), b in number()) {
        let expected = match (&a, &b) {
            (Value::Int(i), Value::Float(f)) => reference_cmp(*i, *f),
            (Value::Float(f), Value::Int(i)) => reference_cmp(*i, *f).reverse(),
            (Value::Int(x), Value::Int(y)) => x.cmp(y),
            (Value::Float(x), Value::Float(y)) => match (x.is_nan(), y.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => x.partial_cmp(y).unwrap(),
            },
            _ => unreachable!(),
        };
        prop_assert_eq!(a.total_cmp(&b), expected, "{} vs {}", a, b);
    }

    #[test]
    fn total_order_is_antisymmetric_and_transitive(a in value(), b in value(), c in value()) {
        prop_assert_eq!(a.total_cmp(&b), b.total_cmp(&a).reverse());
        prop_assert_eq!(a.total_cmp(&a), Ordering::Equal);
        let mut sorted = [a, b, c];
        sorted.sort_by(Value::total_cmp);
        prop_assert_ne!(sorted[0].total_cmp(&sorted[2]), Ordering::Greater);
    }
}
