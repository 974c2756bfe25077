//! Typed accessors, lookups and conversions into [`Value`].

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Index;

use super::{Map, Value};

/// `2^63` as an `f64`: the first float past `i64::MAX`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
/// `2^64` as an `f64`: the first float past `u64::MAX`.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// What [`Index`] returns for a missing key.
static NULL: Value = Value::Null;

impl Value {
    /// Wraps raw bytes. (`Vec<u8>` converts with `From` into a list of integers, like any
    /// other `Vec`; use this for [`Value::Bytes`].)
    #[must_use]
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self::Bytes(bytes.into())
    }

    /// The name of this value's type: `"null"`, `"bool"`, `"int"`, `"float"`, `"string"`,
    /// `"bytes"`, `"list"` or `"map"`.
    #[must_use]
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "bool",
            Self::Int(_) => "int",
            Self::Float(_) => "float",
            Self::String(_) => "string",
            Self::Bytes(_) => "bytes",
            Self::List(_) => "list",
            Self::Map(_) => "map",
        }
    }

    /// Whether this is [`Value::Null`].
    #[must_use]
    pub const fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The boolean, if this is a `Bool`.
    #[must_use]
    pub const fn as_bool(&self) -> Option<bool> {
        match *self {
            Self::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The integer, if this is an `Int`, or a `Float` with no fractional part in `i64` range.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Self::Int(i) => Some(i),
            // The range check comes first, so the cast neither saturates nor wraps.
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            Self::Float(f) if (-TWO_POW_63..TWO_POW_63).contains(&f) && (f as i64) as f64 == f => {
                Some(f as i64)
            }
            _ => None,
        }
    }

    /// The integer, if this is a non-negative `Int`, or a `Float` with no fractional part in
    /// `u64` range.
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Self::Int(i) => u64::try_from(i).ok(),
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_precision_loss,
                clippy::cast_sign_loss
            )]
            Self::Float(f) if (0.0..TWO_POW_64).contains(&f) && (f as u64) as f64 == f => {
                Some(f as u64)
            }
            _ => None,
        }
    }

    /// The number as an `f64`, if this is a `Float` or an `Int` (rounded to nearest).
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            #[allow(clippy::cast_precision_loss)]
            Self::Int(i) => Some(i as f64),
            Self::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The string, if this is a `String`.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes, if this is `Bytes`.
    #[must_use]
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The items, if this is a `List`.
    #[must_use]
    pub fn as_list(&self) -> Option<&[Self]> {
        match self {
            Self::List(items) => Some(items),
            _ => None,
        }
    }

    /// The items, mutably, if this is a `List`.
    #[must_use]
    pub fn as_list_mut(&mut self) -> Option<&mut Vec<Self>> {
        match self {
            Self::List(items) => Some(items),
            _ => None,
        }
    }

    /// The map, if this is a `Map`.
    #[must_use]
    pub const fn as_map(&self) -> Option<&Map> {
        match self {
            Self::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The map, mutably, if this is a `Map`.
    #[must_use]
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Self::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The value under `key`, if this is a `Map` holding it; `None` otherwise.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Self> {
        self.as_map()?.get(key)
    }

    /// The value under `key`, mutably, if this is a `Map` holding it.
    #[must_use]
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Self> {
        self.as_map_mut()?.get_mut(key)
    }

    /// Follows `path` through nested maps: `get_path(&["a", "b"])` is `self["a"]["b"]`.
    /// The empty path returns `self`.
    ///
    /// # Complexity
    ///
    /// `O(path.len() · log n)`.
    #[must_use]
    pub fn get_path(&self, path: &[&str]) -> Option<&Self> {
        path.iter().try_fold(self, |value, key| value.get(key))
    }
}

/// `value["key"]` reads a map entry, or [`Value::Null`] when the key or the map is missing.
impl Index<&str> for Value {
    type Output = Self;

    fn index(&self, key: &str) -> &Self {
        self.get(key).unwrap_or(&NULL)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

macro_rules! from_lossless_int {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Value {
            fn from(i: $ty) -> Self {
                Self::Int(i.into())
            }
        }
    )*};
}
from_lossless_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<isize> for Value {
    fn from(i: isize) -> Self {
        // Lossless: `isize` is at most 64 bits on every supported target.
        Self::from(i as i128)
    }
}

impl From<i128> for Value {
    /// Values outside `i64` range become the nearest `Float`.
    fn from(i: i128) -> Self {
        #[allow(clippy::cast_precision_loss)]
        i64::try_from(i).map_or(Self::Float(i as f64), Self::Int)
    }
}

impl From<u64> for Value {
    /// Values above `i64::MAX` become the nearest `Float`.
    fn from(u: u64) -> Self {
        #[allow(clippy::cast_precision_loss)]
        i64::try_from(u).map_or(Self::Float(u as f64), Self::Int)
    }
}

impl From<usize> for Value {
    /// Values above `i64::MAX` become the nearest `Float`.
    fn from(u: usize) -> Self {
        // `usize` is at most 64 bits on every supported target.
        Self::from(u as u64)
    }
}

impl From<f32> for Value {
    fn from(f: f32) -> Self {
        Self::Float(f.into())
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Self::Float(f)
    }
}

impl From<char> for Value {
    fn from(c: char) -> Self {
        Self::String(c.into())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<Cow<'_, str>> for Value {
    fn from(s: Cow<'_, str>) -> Self {
        Self::String(s.into_owned())
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Self::Map(map)
    }
}

impl<T: Into<Self>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Self::List(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Self>> From<Option<T>> for Value {
    /// `None` becomes [`Value::Null`].
    fn from(option: Option<T>) -> Self {
        option.map_or(Self::Null, Into::into)
    }
}

/// Collects `(key, value)` pairs into a [`Value::Map`]; a repeated key keeps the last value.
impl<K: Into<String>, V: Into<Self>> FromIterator<(K, V)> for Value {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self::Map(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}
