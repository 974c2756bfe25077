//! Proptest strategies for values.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use proptest::collection::{btree_map, vec as vec_of};
use proptest::prelude::*;

use crate::value::Value;

/// Strings drawn from a small alphabet that includes NUL and a multi-byte character, so
/// prefixes, embedded zeros and repeats are common.
pub(super) fn tricky_string() -> impl Strategy<Value = String> {
    vec_of(
        prop_oneof![
            Just('\0'),
            Just('a'),
            Just('b'),
            Just('\u{1}'),
            Just('\u{ff}')
        ],
        0..6,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// Integers and floats clustered where `Int`/`Float` comparison is delicate.
pub(super) fn number() -> impl Strategy<Value = Value> {
    const TWO_53: i64 = 1 << 53;
    prop_oneof![
        any::<i64>().prop_map(Value::Int),
        (-5i64..5).prop_map(Value::Int),
        (-2048i64..2048).prop_map(|d| Value::Int(TWO_53 + d)),
        (-2048i64..2048).prop_map(|d| Value::Int(-TWO_53 + d)),
        (0i64..4096).prop_map(|d| Value::Int(i64::MAX - d)),
        (0i64..4096).prop_map(|d| Value::Int(i64::MIN + d)),
        any::<f64>().prop_map(Value::Float),
        (-5i64..5).prop_map(|d| Value::Float(d as f64 / 2.0)),
        (-2048i64..2048).prop_map(|d| Value::Float((TWO_53 + d) as f64)),
        (-2048i64..2048).prop_map(|d| Value::Float((-TWO_53 + d) as f64)),
        (0i64..4096).prop_map(|d| Value::Float((i64::MAX - d) as f64)),
        (0i64..4096).prop_map(|d| Value::Float((i64::MIN + d) as f64)),
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(f64::NAN),
            Just(-f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(9_223_372_036_854_775_808.0),
            Just(-9_223_372_036_854_775_808.0),
            Just(f64::MIN_POSITIVE),
            Just(f64::MAX),
            Just(f64::MIN),
        ]
        .prop_map(Value::Float),
    ]
}

/// Scalars (null, bool, numbers, strings, bytes).
pub(super) fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        tricky_string().prop_map(Value::String),
        any::<String>().prop_map(Value::String),
        vec_of(
            prop_oneof![Just(0u8), Just(1), Just(0xff), any::<u8>()],
            0..6
        )
        .prop_map(Value::Bytes),
    ]
}

/// Any value, nested up to four levels.
pub(super) fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec_of(inner.clone(), 0..6).prop_map(Value::List),
            btree_map(tricky_string(), inner, 0..6).prop_map(Value::Map),
        ]
    })
}

/// Arbitrary bytes, plus a valid encoding with one byte changed or cut short.
pub(super) fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec_of(any::<u8>(), 0..256),
        vec_of(0u8..12, 0..256),
        (value(), any::<usize>(), any::<u8>()).prop_map(|(value, at, byte)| {
            let mut bytes = crate::value::codec::encoded(&value);
            let at = at % bytes.len();
            bytes[at] = byte;
            bytes
        }),
        (value(), any::<usize>()).prop_map(|(value, cut)| {
            let mut bytes = crate::value::codec::encoded(&value);
            bytes.truncate(cut % bytes.len());
            bytes
        }),
    ]
}
