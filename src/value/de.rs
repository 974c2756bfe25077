use super::{Value, ValueError};
/// stub
pub fn from_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ValueError> { let _ = value; Err(ValueError) }
