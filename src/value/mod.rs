//! [`Value`]: the dynamic property value every node and edge carries.
//!
//! Any serde type converts to and from a `Value` ([`to_value`], [`from_value`]);
//! records are stored with the compact binary [`codec`], and indexed with its
//! order-preserving [`codec::encode_key`], which sorts like [`Value::total_cmp`].
//!
//! ```
//! use knowledge_graph::value::{from_value, to_value, Value};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, PartialEq, Serialize, Deserialize)]
//! struct Person {
//!     name: String,
//!     age: u32,
//! }
//!
//! let ada = Person { name: "Ada".into(), age: 36 };
//! let value = to_value(&ada)?;
//! assert_eq!(value["age"], Value::Int(36));
//! assert_eq!(value.to_string(), r#"{"age": 36, "name": "Ada"}"#);
//! assert_eq!(from_value::<Person>(value)?, ada);
//! # Ok::<(), knowledge_graph::value::ValueError>(())
//! ```

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

mod access;
pub mod codec;
mod de;
mod display;
mod error;
mod order;
mod ser;
// proptest is a native-only dev-dependency (see Cargo.toml).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use de::{from_value, from_value_ref};
pub use error::ValueError;
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
