//! [`Value`]: the dynamic property value every node and edge carries.
//!
//! Any serde type converts to and from a `Value` ([`to_value`], [`from_value`]);
//! records are stored with the compact binary [`codec`].

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

pub mod codec;
mod de;
mod ser;

pub use de::from_value;
pub use ser::to_value;

/// A property map: ordered, so encodings are deterministic.
pub type Map = BTreeMap<String, Value>;

/// A dynamically typed property value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// No value.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer (unsigned values above `i64::MAX` become floats).
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A UTF-8 string.
    String(String),
    /// Raw bytes.
    Bytes(Vec<u8>),
    /// An ordered list.
    List(Vec<Value>),
    /// A string-keyed map.
    Map(Map),
}
/// stub
#[derive(Debug, Clone, PartialEq)]
pub struct ValueError;
impl core::fmt::Display for ValueError { fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result { f.write_str("value error") } }
impl core::error::Error for ValueError {}
impl Value {
    /// stub
    pub fn get(&self, key: &str) -> Option<&Value> { match self { Value::Map(m) => m.get(key), _ => None } }
}
