//! The storage codec and the index key encoding.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;
use proptest::prelude::*;

use super::strategies::{hostile_bytes, scalar, value};
use crate::value::codec::{
    decode, decode_prefix, encode, encoded, encoded_key, nesting_depth, DecodeError, MAX_DEPTH,
};
use crate::value::{Map, Value};

fn every_variant() -> Vec<Value> {
    vec![
        Value::Null,
        Value::Bool(false),
        Value::Bool(true),
        Value::Int(0),
        Value::Int(-1),
        Value::Int(i64::MIN),
        Value::Int(i64::MAX),
        Value::Float(0.0),
        Value::Float(-0.0),
        Value::Float(f64::INFINITY),
        Value::Float(1e-310),
        Value::from(""),
        Value::from("héllo\0"),
        Value::bytes(vec![]),
        Value::bytes(vec![0, 255, 7]),
        Value::List(vec![]),
        Value::from(vec![Value::Null, Value::from("x"), Value::from(vec![1, 2])]),
        Value::Map(Map::new()),
        [
            ("", Value::Null),
            ("a", Value::from(vec![true])),
            ("b", [("c", 1.5)].into_iter().collect()),
        ]
        .into_iter()
        .collect(),
    ]
}

fn error(bytes: &[u8]) -> String {
    decode(bytes).unwrap_err().to_string()
}

fn nested_lists(depth: usize) -> Value {
    (0..depth).fold(Value::Null, |inner, _| Value::List(vec![inner]))
}

#[test]
fn every_variant_round_trips() {
    for value in every_variant() {
        let bytes = encoded(&value);
        assert_eq!(decode(&bytes), Ok(value.clone()), "{value}");
        assert_eq!(decode_prefix(&bytes), Ok((value, bytes.len())));
    }
    let nan = encoded(&Value::Float(f64::NAN));
    assert!(matches!(decode(&nan), Ok(Value::Float(f)) if f.is_nan()));
}

#[test]
fn layout_is_tag_then_compact_payload() {
    assert_eq!(encoded(&Value::Null), [0x00]);
    assert_eq!(encoded(&Value::Bool(true)), [0x02]);
    assert_eq!(encoded(&Value::Int(-1)), [0x03, 0x01]);
    assert_eq!(encoded(&Value::Int(64)), [0x03, 0x80, 0x01]);
    assert_eq!(
        encoded(&Value::Float(1.0)),
        [0x04, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]
    );
    assert_eq!(encoded(&Value::from("hi")), [0x05, 2, b'h', b'i']);
    assert_eq!(encoded(&Value::bytes(vec![7])), [0x06, 1, 7]);
    assert_eq!(encoded(&Value::from(vec![true])), [0x07, 1, 0x02]);
    let map: Value = [("b", 1), ("a", 2)].into_iter().collect();
    assert_eq!(encoded(&map), [0x08, 2, 1, b'a', 0x03, 4, 1, b'b', 0x03, 2]);
}

#[test]
fn encode_appends() {
    let mut out = vec![0xAA];
    encode(&Value::Null, &mut out);
    assert_eq!(out, [0xAA, 0x00]);
}

#[test]
fn decode_prefix_reports_bytes_used_and_decode_rejects_trailing_bytes() {
    let mut bytes = encoded(&Value::from("abc"));
    let len = bytes.len();
    bytes.extend_from_slice(&[0, 0, 0]);
    assert_eq!(decode_prefix(&bytes), Ok((Value::from("abc"), len)));
    assert_eq!(error(&bytes), "3 trailing bytes after the value at byte 5");
    assert_eq!(
        decode(&bytes),
        Err(DecodeError::TrailingBytes {
            offset: 5,
            count: 3
        })
    );
}

#[test]
fn malformed_input_errors_name_the_offset() {
    assert_eq!(
        error(&[]),
        "truncated input at byte 0: expected 1 more byte"
    );
    assert_eq!(error(&[0x17]), "invalid value tag 0x17 at byte 0");
    assert_eq!(
        error(&[0x07, 2, 0x00, 0xff]),
        "invalid value tag 0xff at byte 3"
    );
    assert_eq!(
        error(&[0x04, 1, 2]),
        "truncated input at byte 1: expected 6 more bytes"
    );
    assert_eq!(
        error(&[0x05, 20, b'a']),
        "truncated input at byte 1: expected 19 more bytes"
    );
    assert_eq!(
        error(&[0x05, 2, b'a', 0xff]),
        "invalid utf-8 in string at byte 3"
    );
    assert_eq!(
        error(&[0x03, 0x80, 0x00]),
        "invalid varint at byte 1: overlong or larger than 64 bits"
    );
    assert_eq!(
        error(&[0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]),
        "invalid varint at byte 1: overlong or larger than 64 bits"
    );
    assert_eq!(
        error(&[0x08, 2, 1, b'b', 0x00, 1, b'a', 0x00]),
        "map key at byte 5 is not greater than the key before it"
    );
    assert_eq!(
        error(&[0x08, 2, 1, b'a', 0x00, 1, b'a', 0x00]),
        "map key at byte 5 is not greater than the key before it"
    );
    // A count the input cannot hold fails before anything is allocated.
    assert_eq!(
        decode(&[0x07, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
        Err(DecodeError::Truncated {
            offset: 1,
            missing: u64::MAX
        })
    );
    assert_eq!(
        error(&[0x06, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        "truncated input at byte 1: expected 4294967295 more bytes"
    );
}

#[test]
fn the_largest_varint_decodes() {
    let bytes = encoded(&Value::Int(i64::MIN));
    assert_eq!(
        bytes,
        [0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
    assert_eq!(decode(&bytes), Ok(Value::Int(i64::MIN)));
}

#[test]
fn nesting_is_capped() {
    let deepest = nested_lists(MAX_DEPTH);
    assert_eq!(nesting_depth(&deepest), MAX_DEPTH);
    assert_eq!(decode(&encoded(&deepest)), Ok(deepest));
    let too_deep = encoded(&nested_lists(MAX_DEPTH + 1));
    assert_eq!(error(&too_deep), "nesting deeper than 128 at byte 256");
    // Without the cap, a few kilobytes of open lists would overflow the stack.
    let hostile: Vec<u8> = [0x07, 1].repeat(100_000);
    assert_eq!(decode(&hostile), Err(DecodeError::TooDeep { offset: 256 }));
}

#[test]
fn key_encoding_layout() {
    assert_eq!(encoded_key(&Value::Null), [0x10]);
    assert_eq!(encoded_key(&Value::Bool(true)), [0x21]);
    assert_eq!(
        encoded_key(&Value::from("a\0")),
        [0x40, b'a', 0x00, 0xff, 0x00, 0x00]
    );
    assert_eq!(encoded_key(&Value::Int(1)), encoded_key(&Value::Float(1.0)));
    assert_eq!(
        encoded_key(&Value::Float(0.0)),
        encoded_key(&Value::Float(-0.0))
    );
    assert_eq!(
        encoded_key(&Value::Float(f64::NAN)),
        encoded_key(&Value::Float(-f64::NAN))
    );
    assert_eq!(encoded_key(&Value::Int(0)).len(), 17);
}

/// Compares the encoded keys of `a` and `b` with their total order, and checks neither key is
/// a proper prefix of the other.
fn check_key_order(a: &Value, b: &Value) -> Result<(), TestCaseError> {
    let (ka, kb) = (encoded_key(a), encoded_key(b));
    prop_assert_eq!(
        ka.cmp(&kb),
        a.total_cmp(b),
        "{} vs {}: {:?} vs {:?}",
        a,
        b,
        ka,
        kb
    );
    if ka != kb {
        prop_assert!(
            !ka.starts_with(&kb) && !kb.starts_with(&ka),
            "{} vs {}: prefix",
            a,
            b
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_values_round_trip(value in value()) {
        let bytes = encoded(&value);
        let decoded = decode(&bytes).unwrap();
        // Compare encodings: `==` on values is false for NaN.
        prop_assert_eq!(encoded(&decoded), bytes);
        prop_assert_eq!(decoded.total_cmp(&value), Ordering::Equal);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in hostile_bytes()) {
        match decode_prefix(&bytes) {
            // Canonical: whatever decodes re-encodes to exactly the bytes it came from.
            Ok((value, used)) => prop_assert_eq!(encoded(&value), &bytes[..used]),
            Err(err) => prop_assert!(!err.to_string().is_empty()),
        }
        let _ = decode(&bytes);
    }

    #[test]
    fn key_order_matches_total_order_for_scalars(a in scalar(), b in scalar()) {
        check_key_order(&a, &b)?;
    }

    #[test]
    fn key_order_matches_total_order_for_nested_values(a in value(), b in value()) {
        check_key_order(&a, &b)?;
    }

    #[test]
    fn key_order_survives_a_suffix(a in scalar(), b in scalar(), x in any::<u64>(), y in any::<u64>()) {
        // An index entry is the value's key followed by an id: the value decides first.
        let mut ka = encoded_key(&a);
        ka.extend_from_slice(&x.to_be_bytes());
        let mut kb = encoded_key(&b);
        kb.extend_from_slice(&y.to_be_bytes());
        prop_assert_eq!(ka.cmp(&kb), a.total_cmp(&b).then(x.cmp(&y)));
    }
}
