//! TEMPORARY STUB
use super::Value;
use alloc::vec::Vec;
/// stub
#[derive(Debug)]
pub struct DecodeError;
impl core::fmt::Display for DecodeError { fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result { f.write_str("decode error") } }
/// stub
pub fn encode(value: &Value, out: &mut Vec<u8>) { let _ = value; out.push(0); }
/// stub
pub fn decode(bytes: &[u8]) -> Result<Value, DecodeError> { if bytes == [0] { Ok(Value::Null) } else { Err(DecodeError) } }
