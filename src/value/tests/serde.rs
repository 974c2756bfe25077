//! `to_value` / `from_value` round trips, shapes and error messages.

use alloc::borrow::ToOwned;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::value::{from_value, from_value_ref, to_value, Map, Value, ValueError};

fn round_trip<T>(original: &T) -> Value
where
    T: Serialize + serde::de::DeserializeOwned + PartialEq + core::fmt::Debug,
{
    let value = to_value(original).unwrap();
    let back: T = from_value(value.clone()).unwrap();
    assert_eq!(&back, original, "owned round trip through {value}");
    let back: T = from_value_ref(&value).unwrap();
    assert_eq!(&back, original, "borrowed round trip through {value}");
    value
}

fn map(entries: &[(&str, Value)]) -> Value {
    entries.iter().cloned().collect()
}

fn message<T: serde::de::DeserializeOwned + core::fmt::Debug>(value: Value) -> String {
    from_value::<T>(value).unwrap_err().to_string()
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Address {
    city: String,
    zip: Option<u32>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Person {
    name: String,
    age: u8,
    score: f64,
    tags: Vec<String>,
    address: Option<Address>,
    extra: HashMap<String, i64>,
    pair: (i32, String),
    initial: char,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Shape {
    Empty,
    Circle(f64),
    Rect(u32, u32),
    Polygon { sides: u8, closed: bool },
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Unit;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Meters(f64);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Rgb(u8, u8, u8);

fn person() -> Person {
    Person {
        name: "Ada".to_owned(),
        age: 36,
        score: 9.5,
        tags: vec!["math".to_owned(), "engines".to_owned()],
        address: Some(Address {
            city: "London".to_owned(),
            zip: None,
        }),
        extra: HashMap::from([("a".to_owned(), 1), ("b".to_owned(), -2)]),
        pair: (-7, "x".to_owned()),
        initial: 'A',
    }
}

#[test]
fn struct_round_trips_as_a_map() {
    let value = round_trip(&person());
    assert_eq!(value["name"], Value::from("Ada"));
    assert_eq!(value["age"], Value::Int(36));
    assert_eq!(
        value.get_path(&["address", "city"]),
        Some(&Value::from("London"))
    );
    assert_eq!(value.get_path(&["address", "zip"]), Some(&Value::Null));
    assert_eq!(
        value["pair"],
        Value::List(vec![Value::Int(-7), Value::from("x")])
    );
    assert_eq!(value["initial"], Value::from("A"));
    assert_eq!(
        value["extra"],
        map(&[("a", Value::Int(1)), ("b", Value::Int(-2))])
    );
}

#[test]
fn enum_variants_use_serde_json_shapes() {
    assert_eq!(round_trip(&Shape::Empty), Value::from("Empty"));
    assert_eq!(
        round_trip(&Shape::Circle(1.5)),
        map(&[("Circle", Value::Float(1.5))])
    );
    assert_eq!(
        round_trip(&Shape::Rect(2, 3)),
        map(&[("Rect", Value::List(vec![Value::Int(2), Value::Int(3)]))])
    );
    assert_eq!(
        round_trip(&Shape::Polygon {
            sides: 5,
            closed: true
        }),
        map(&[(
            "Polygon",
            map(&[("sides", Value::Int(5)), ("closed", Value::Bool(true))])
        )])
    );
    round_trip(&vec![Shape::Empty, Shape::Circle(0.0), Shape::Rect(0, 1)]);
}

#[test]
fn unit_newtype_and_tuple_structs_round_trip() {
    assert_eq!(round_trip(&Unit), Value::Null);
    assert_eq!(round_trip(&()), Value::Null);
    assert_eq!(round_trip(&Meters(2.5)), Value::Float(2.5));
    assert_eq!(round_trip(&Rgb(1, 2, 3)), Value::from(vec![1, 2, 3]));
}

#[test]
fn options_round_trip() {
    assert_eq!(round_trip(&None::<i32>), Value::Null);
    assert_eq!(round_trip(&Some(5)), Value::Int(5));
    round_trip(&vec![Some(1), None, Some(3)]);
    round_trip(&Some(Address {
        city: "Paris".to_owned(),
        zip: Some(75_000),
    }));
}

#[test]
fn nested_collections_round_trip() {
    round_trip(&vec![vec![1u16, 2], vec![], vec![3]]);
    round_trip(&BTreeMap::from([("k".to_owned(), vec![Some(true), None])]));
    round_trip(&HashMap::from([
        (
            "outer".to_owned(),
            HashMap::from([("inner".to_owned(), vec![(1u8, 'c')])]),
        ),
        ("empty".to_owned(), HashMap::new()),
    ]));
    round_trip(&(1, "two".to_owned(), [3.0, 4.5], (Shape::Empty,)));
}

#[test]
fn non_string_map_keys_become_strings_and_parse_back() {
    let value = round_trip(&BTreeMap::from([
        (1u32, "a".to_owned()),
        (20, "b".to_owned()),
    ]));
    assert_eq!(
        value,
        map(&[("1", Value::from("a")), ("20", Value::from("b"))])
    );
    round_trip(&HashMap::from([(-5i64, 1), (i64::MIN, 2)]));
    round_trip(&BTreeMap::from([(true, 1), (false, 0)]));
    round_trip(&BTreeMap::from([('x', 1)]));
    #[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
    enum Color {
        Red,
        Green,
    }
    round_trip(&BTreeMap::from([(Color::Red, 1), (Color::Green, 2)]));
}

#[test]
fn map_keys_without_a_string_form_are_errors() {
    let err = to_value(&BTreeMap::from([(vec![1], 1)])).unwrap_err();
    assert_eq!(err.to_string(), "map key must be a string, found a list");
    assert_eq!(err, ValueError::KeyMustBeString { found: "a list" });
    let err = to_value(&BTreeMap::from([((1, 2), 1)])).unwrap_err();
    assert_eq!(err.to_string(), "map key must be a string, found a tuple");
    struct FloatKeys;
    impl Serialize for FloatKeys {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map([(1.5f64, 1)])
        }
    }
    let err = to_value(&FloatKeys).unwrap_err();
    assert_eq!(err.to_string(), "map key must be a string, found a float");
}

#[test]
fn integers_at_their_bounds_round_trip() {
    round_trip(&(
        i8::MIN,
        i8::MAX,
        i16::MIN,
        i16::MAX,
        i32::MIN,
        i32::MAX,
        i64::MIN,
        i64::MAX,
    ));
    round_trip(&(u8::MAX, u16::MAX, u32::MAX, i64::MAX as u64, 0u64));
    round_trip(&(
        i128::from(i64::MIN),
        i128::from(i64::MAX),
        u128::from(i64::MAX as u64),
    ));
    assert_eq!(
        to_value(&u64::MAX).unwrap(),
        Value::Float(18_446_744_073_709_551_616.0)
    );
    assert_eq!(
        to_value(&(i64::MAX as u64 + 1)).unwrap(),
        Value::Float(9_223_372_036_854_775_808.0)
    );
    // The float approximation reads back as the nearest u64 (here exact: 2^63).
    assert_eq!(
        from_value::<u64>(to_value(&(1u64 << 63)).unwrap()),
        Ok(1u64 << 63)
    );
}

#[test]
fn wide_integers_out_of_range_are_errors() {
    let err = to_value(&(i128::from(i64::MAX) + 1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "integer 9223372036854775808 is out of range for i64"
    );
    let err = to_value(&u128::MAX).unwrap_err();
    assert_eq!(
        err.to_string(),
        "integer 340282366920938463463374607431768211455 is out of range for i64"
    );
}

#[test]
fn type_mismatches_name_expected_and_found() {
    assert_eq!(
        message::<i32>(Value::from("abc")),
        "expected an integer, found string \"abc\""
    );
    assert_eq!(
        message::<u8>(Value::Int(300)),
        "integer 300 is out of range for u8"
    );
    assert_eq!(
        message::<u32>(Value::Int(-1)),
        "integer -1 is out of range for u32"
    );
    assert_eq!(
        message::<i64>(Value::Float(1.5)),
        "expected an integer, found float 1.5"
    );
    assert_eq!(
        message::<bool>(Value::Int(1)),
        "expected a boolean, found integer 1"
    );
    assert_eq!(message::<f64>(Value::Null), "expected a number, found null");
    assert_eq!(
        message::<String>(Value::Bool(true)),
        "expected a string, found boolean true"
    );
    assert_eq!(
        message::<char>(Value::from("ab")),
        "expected a single character, found string \"ab\""
    );
    assert_eq!(
        message::<Vec<i32>>(Value::Map(Map::new())),
        "expected a list, found a map of 0 entries"
    );
    assert_eq!(
        message::<()>(Value::bytes(vec![1])),
        "expected null, found 1 byte"
    );
    assert_eq!(
        message::<Address>(Value::Int(5)),
        "expected a map, found integer 5"
    );
    assert_eq!(
        message::<Shape>(Value::List(vec![])),
        "expected a string or a map with a single key, found a list of 0 items"
    );
    let long = "x".repeat(100);
    let expected = alloc::format!(
        "expected an integer, found string \"{}\"...",
        "x".repeat(64)
    );
    assert_eq!(message::<i8>(Value::from(long)), expected);
}

#[test]
fn serde_messages_from_derived_types_are_kept() {
    let missing = map(&[("city", Value::from("Oslo"))]);
    assert_eq!(message::<Person>(missing), "missing field `name`");
    assert_eq!(
        message::<Shape>(Value::from("Hexagon")),
        "unknown variant `Hexagon`, expected one of `Empty`, `Circle`, `Rect`, `Polygon`"
    );
    assert_eq!(
        message::<Shape>(Value::from("Circle")),
        "expected newtype variant, found unit variant"
    );
    assert_eq!(
        message::<(i32, i32)>(Value::from(vec![1, 2, 3])),
        "invalid length 3, expected 2 elements in sequence"
    );
    assert_eq!(
        message::<Address>(map(&[("city", Value::Int(1))])),
        "expected a string, found integer 1"
    );
}

#[test]
fn numbers_convert_between_int_and_float_when_exact() {
    assert_eq!(from_value::<i32>(Value::Float(3.0)), Ok(3));
    assert_eq!(from_value::<u8>(Value::Float(255.0)), Ok(255));
    assert_eq!(
        message::<u8>(Value::Float(256.0)),
        "float 256.0 is out of range for u8"
    );
    assert_eq!(
        message::<i64>(Value::Float(f64::NAN)),
        "expected an integer, found float NaN"
    );
    assert_eq!(
        message::<i64>(Value::Float(f64::INFINITY)),
        "expected an integer, found float inf"
    );
    assert_eq!(
        from_value::<i64>(Value::Float(-9_223_372_036_854_775_808.0)),
        Ok(i64::MIN)
    );
    assert_eq!(
        message::<i64>(Value::Float(9_223_372_036_854_775_808.0)),
        "float 9.223372036854776e18 is out of range for i64"
    );
    assert_eq!(
        from_value::<i128>(Value::Float(-1e30)),
        Ok(-1_000_000_000_000_000_019_884_624_838_656)
    );
    assert_eq!(
        message::<i128>(Value::Float(1e39)),
        "float 1e39 is out of range for i128"
    );
    assert_eq!(
        from_value::<i64>(Value::Float(-4_503_599_627_370_497.0)),
        Ok(-4_503_599_627_370_497)
    );
    assert_eq!(
        message::<i64>(Value::Float(-4_503_599_627_370_495.5)),
        "expected an integer, found float -4503599627370495.5"
    );
    assert_eq!(from_value::<f64>(Value::Int(7)), Ok(7.0));
    assert_eq!(from_value::<f32>(Value::Float(0.5)), Ok(0.5));
}

#[test]
fn bytes_convert_to_byte_vectors_and_back() {
    assert_eq!(
        from_value::<Vec<u8>>(Value::bytes(vec![1, 2, 255])),
        Ok(vec![1, 2, 255])
    );
    assert_eq!(from_value::<[u8; 2]>(Value::bytes(vec![4, 5])), Ok([4, 5]));
    assert_eq!(
        to_value(&Value::bytes(vec![9])).unwrap(),
        Value::bytes(vec![9])
    );
    // Vec<u8> serializes as a sequence (serde has no specialisation), so it is a list of ints.
    assert_eq!(to_value(&vec![1u8]).unwrap(), Value::from(vec![1]));
}

#[test]
fn borrowed_conversion_can_borrow_strings() {
    #[derive(Deserialize)]
    struct View<'a> {
        name: &'a str,
    }
    let value = map(&[("name", Value::from("Ada"))]);
    let view: View<'_> = from_value_ref(&value).unwrap();
    assert_eq!(view.name, "Ada");
}

#[test]
fn ignored_fields_are_skipped() {
    let value = map(&[
        ("city", Value::from("Rome")),
        ("zip", Value::Null),
        ("noise", Value::from(vec![1, 2])),
    ]);
    assert_eq!(
        from_value::<Address>(value),
        Ok(Address {
            city: "Rome".to_owned(),
            zip: None
        })
    );
}

#[test]
fn value_serializes_and_deserializes_as_itself() {
    let value = map(&[
        ("null", Value::Null),
        ("bool", Value::Bool(false)),
        ("int", Value::Int(i64::MIN)),
        ("float", Value::Float(-0.25)),
        ("string", Value::from("s")),
        ("bytes", Value::bytes(vec![0, 1])),
        ("list", Value::from(vec![Value::Null, Value::from(1)])),
        ("map", map(&[("k", Value::from("v"))])),
    ]);
    assert_eq!(to_value(&value).unwrap(), value);
    assert_eq!(from_value::<Value>(value.clone()).unwrap(), value);
    assert_eq!(from_value_ref::<Value>(&value).unwrap(), value);
    // Inside a typed structure too.
    let wrapped = (value.clone(), Some(Value::Int(1)));
    assert_eq!(
        round_trip(&wrapped),
        Value::List(vec![value, Value::Int(1)])
    );
}

#[test]
fn value_error_is_a_core_error() {
    let err: alloc::boxed::Box<dyn core::error::Error> =
        alloc::boxed::Box::new(ValueError::Custom("boom".to_owned()));
    assert_eq!(err.to_string(), "boom");
}
