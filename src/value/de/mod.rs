//! A [`Value`] to any `Deserialize` type: [`from_value`] and [`from_value_ref`].
//!
//! `Value` (and `&Value`) implement `serde::Deserializer`; the requested Rust type drives the
//! conversion, so a `u8` field reading `Int(300)` fails with a range error instead of wrapping.
//! Integral floats are accepted where an integer is requested (JSON and JavaScript numbers are
//! floats), and integers where a float is requested.

mod access;
mod borrowed;
mod visitor;

use alloc::borrow::Cow;
use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::Deserialize;

use self::access::{EnumDeserializer, KeyDeserializer};
use super::display::Found;
use super::{Map, Value, ValueError};

/// Converts a [`Value`] into any type that can be deserialized from owned data.
///
/// # Errors
///
/// Fails with a [`ValueError`] naming what the type expected and what the value holds,
/// e.g. `expected an integer, found string "abc"`, or `integer 300 is out of range for u8`.
///
/// # Example
///
/// ```
/// use knowledge_graph::value::{from_value, Value};
///
/// let pair: (String, i32) = from_value(Value::from(vec![Value::from("a"), Value::Int(1)]))?;
/// assert_eq!(pair, ("a".to_string(), 1));
///
/// let err = from_value::<u8>(Value::Int(300)).unwrap_err();
/// assert_eq!(err.to_string(), "integer 300 is out of range for u8");
/// # Ok::<(), knowledge_graph::value::ValueError>(())
/// ```
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ValueError> {
    T::deserialize(value)
}

/// Like [`from_value`], but reads a borrowed [`Value`]; the result may borrow its strings.
///
/// # Errors
///
/// As [`from_value`].
pub fn from_value_ref<'de, T: Deserialize<'de>>(value: &'de Value) -> Result<T, ValueError> {
    T::deserialize(value)
}

/// `2^52` as an `f64`: every float at least this large in magnitude is an integer.
const TWO_POW_52: f64 = 4_503_599_627_370_496.0;
/// `2^127` as an `f64`: the first float past `i128::MAX`.
const TWO_POW_127: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;

/// The integer a value holds, converted to the requested width: an `Int`, or a finite `Float`
/// with no fractional part.
fn integer<T: TryFrom<i128>>(value: &Value, target: &'static str) -> Result<T, ValueError> {
    let out_of_range = || ValueError::out_of_range(Found(value), target);
    let n = match *value {
        Value::Int(i) => i128::from(i),
        // Below 2^52 the `i64` round trip is exact and rejects fractions; NaN fails both tests.
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        Value::Float(f)
            if f.is_finite()
                && (!(-TWO_POW_52..TWO_POW_52).contains(&f) || (f as i64) as f64 == f) =>
        {
            if !(-TWO_POW_127..TWO_POW_127).contains(&f) {
                return Err(out_of_range());
            }
            f as i128
        }
        _ => return Err(ValueError::invalid_type("an integer", Found(value))),
    };
    T::try_from(n).map_err(|_| out_of_range())
}

fn float(value: &Value) -> Result<f64, ValueError> {
    match *value {
        Value::Float(f) => Ok(f),
        #[allow(clippy::cast_precision_loss)]
        Value::Int(i) => Ok(i as f64),
        _ => Err(ValueError::invalid_type("a number", Found(value))),
    }
}

fn single_char(value: &Value) -> Result<char, ValueError> {
    if let Value::String(s) = value {
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(c);
        }
    }
    Err(invalid("a single character", value))
}

fn invalid(expected: &str, value: &Value) -> ValueError {
    ValueError::invalid_type(expected, Found(value))
}

/// Runs `visit_seq` and checks every element was consumed.
fn visit_seq<'de, V, I>(visitor: V, items: I) -> Result<V::Value, ValueError>
where
    V: Visitor<'de>,
    I: Iterator,
    I::Item: IntoDeserializer<'de, ValueError>,
{
    let mut seq = SeqDeserializer::new(items);
    let out = visitor.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(out)
}

/// Runs `visit_map` over `(key, value)` pairs and checks every entry was consumed.
fn visit_map<'de, V, I, D>(visitor: V, entries: I) -> Result<V::Value, ValueError>
where
    V: Visitor<'de>,
    I: Iterator<Item = (KeyDeserializer<'de>, D)>,
    D: IntoDeserializer<'de, ValueError>,
{
    let mut map = MapDeserializer::new(entries);
    let out = visitor.visit_map(&mut map)?;
    map.end()?;
    Ok(out)
}

/// The integer methods of a `Deserializer` for `Value` or `&Value`: each reads the integer
/// with [`integer`] (which must be in scope where it expands) and fails if it does not fit the requested width.
macro_rules! deserialize_integers {
    () => {
        deserialize_integers! {
            deserialize_i8 => visit_i8(i8), deserialize_i16 => visit_i16(i16),
            deserialize_i32 => visit_i32(i32), deserialize_i64 => visit_i64(i64),
            deserialize_i128 => visit_i128(i128), deserialize_u8 => visit_u8(u8),
            deserialize_u16 => visit_u16(u16), deserialize_u32 => visit_u32(u32),
            deserialize_u64 => visit_u64(u64), deserialize_u128 => visit_u128(u128),
        }
    };
    ($($method:ident => $visit:ident($ty:ty)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
            visitor.$visit(integer::<$ty>(&self, stringify!($ty))?)
        }
    )*};
}
use deserialize_integers;

impl<'de> de::Deserializer<'de> for Value {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Self::Null => visitor.visit_unit(),
            Self::Bool(b) => visitor.visit_bool(b),
            Self::Int(i) => visitor.visit_i64(i),
            Self::Float(f) => visitor.visit_f64(f),
            Self::String(s) => visitor.visit_string(s),
            Self::Bytes(b) => visitor.visit_byte_buf(b),
            Self::List(items) => visit_seq(visitor, items.into_iter()),
            Self::Map(map) => visit_map(visitor, owned_entries(map)),
        }
    }

    deserialize_integers!();

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Self::Bool(b) => visitor.visit_bool(b),
            other => Err(invalid("a boolean", &other)),
        }
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_f64(float(&self)?)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_f64(float(&self)?)
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_char(single_char(&self)?)
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Self::String(s) => visitor.visit_string(s),
            other => Err(invalid("a string", &other)),
        }
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Self::Bytes(b) => visitor.visit_byte_buf(b),
            Self::String(s) => visitor.visit_string(s),
            Self::List(items) => visit_seq(visitor, items.into_iter()),
            other => Err(invalid("bytes", &other)),
        }
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_bytes(visitor)
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Self::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Self::Null => visitor.visit_unit(),
            other => Err(invalid("null", &other)),
        }
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.deserialize_unit(visitor)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Self::List(items) => visit_seq(visitor, items.into_iter()),
            // `Vec<u8>` and `[u8; N]` read `Value::Bytes` as a sequence of bytes.
            Self::Bytes(bytes) => visit_seq(visitor, bytes.into_iter()),
            other => Err(invalid("a list", &other)),
        }
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Self::Map(map) => visit_map(visitor, owned_entries(map)),
            other => Err(invalid("a map", &other)),
        }
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        match self {
            Self::Map(map) => visit_map(visitor, owned_entries(map)),
            Self::List(items) => visit_seq(visitor, items.into_iter()),
            other => Err(invalid("a map", &other)),
        }
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        match self {
            Self::String(variant) => visitor.visit_enum(EnumDeserializer::<Self> {
                variant: variant.into(),
                value: None,
            }),
            Self::Map(map) if map.len() == 1 => {
                let Some((variant, value)) = map.into_iter().next() else {
                    unreachable!("a map of length one has an entry")
                };
                visitor.visit_enum(EnumDeserializer {
                    variant: variant.into(),
                    value: Some(value),
                })
            }
            other => Err(invalid("a string or a map with a single key", &other)),
        }
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_any(visitor)
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        drop(self);
        visitor.visit_unit()
    }
}

fn owned_entries<'de>(map: Map) -> impl Iterator<Item = (KeyDeserializer<'de>, Value)> {
    map.into_iter().map(|(key, value)| {
        (
            KeyDeserializer {
                key: Cow::Owned(key),
            },
            value,
        )
    })
}
fn borrowed_entries(map: &Map) -> impl Iterator<Item = (KeyDeserializer<'_>, &Value)> {
    map.iter().map(|(key, value)| {
        (
            KeyDeserializer {
                key: Cow::Borrowed(key.as_str()),
            },
            value,
        )
    })
}
impl<'de> IntoDeserializer<'de, ValueError> for Value {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> IntoDeserializer<'de, ValueError> for &'de Value {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}
