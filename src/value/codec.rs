//! Binary encodings of a [`Value`]: a compact one for storage, and an order-preserving one for
//! index keys.
//!
//! # Storage encoding ([`encode`], [`decode`])
//!
//! Every value is a one-byte tag followed by its payload:
//!
//! | tag    | value        | payload                                                     |
//! |--------|--------------|-------------------------------------------------------------|
//! | `0x00` | `Null`       | none                                                        |
//! | `0x01` | `Bool(false)`| none                                                        |
//! | `0x02` | `Bool(true)` | none                                                        |
//! | `0x03` | `Int`        | zigzag LEB128 varint                                        |
//! | `0x04` | `Float`      | 8 bytes, IEEE 754 little-endian (NaN payloads kept)         |
//! | `0x05` | `String`     | varint byte length, UTF-8 bytes                             |
//! | `0x06` | `Bytes`      | varint length, bytes                                        |
//! | `0x07` | `List`       | varint item count, items                                    |
//! | `0x08` | `Map`        | varint entry count, entries as (varint length, UTF-8 key, value) in strictly ascending key order |
//!
//! The encoding is canonical: [`decode`] rejects overlong varints and out-of-order or repeated
//! map keys, so one value has exactly one encoding and `encoded(&decode(b)?) == b`.
//! Decoding never panics and never allocates more than the input can justify; containers
//! nest at most [`MAX_DEPTH`] deep.
//!
//! # Key encoding ([`encode_key`])
//!
//! An order-preserving, one-way encoding for secondary index keys; see [`encode_key`].
//!
//! # Example
//!
//! ```
//! use knowledge_graph::value::{codec, Value};
//!
//! let bytes = codec::encoded(&Value::from("hi"));
//! assert_eq!(bytes, [0x05, 2, b'h', b'i']);
//! assert_eq!(codec::decode(&bytes)?, Value::from("hi"));
//!
//! // Index keys sort like `Value::total_cmp`, ints and floats interleaved.
//! let keys: Vec<_> = [1.5, 1.0, 2.0].map(|f| codec::encoded_key(&Value::Float(f))).into();
//! assert!(keys[1] < keys[0] && keys[0] < codec::encoded_key(&Value::Int(2)));
//! assert_eq!(keys[2], codec::encoded_key(&Value::Int(2)));
//! # Ok::<(), codec::DecodeError>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::order::number_key;
use super::{Map, Value};

/// The deepest nesting of lists and maps that [`decode`] accepts.
pub const MAX_DEPTH: usize = 128;

const TAG_NULL: u8 = 0x00;
const TAG_FALSE: u8 = 0x01;
const TAG_TRUE: u8 = 0x02;
const TAG_INT: u8 = 0x03;
const TAG_FLOAT: u8 = 0x04;
const TAG_STRING: u8 = 0x05;
const TAG_BYTES: u8 = 0x06;
const TAG_LIST: u8 = 0x07;
const TAG_MAP: u8 = 0x08;

/// Why [`decode`] rejected its input. Every variant names the byte offset of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A byte that is not a value tag where a value should start.
    InvalidTag {
        /// The byte found.
        tag: u8,
        /// Its offset.
        offset: usize,
    },
    /// The input ended inside a value.
    Truncated {
        /// Where the incomplete item starts.
        offset: usize,
        /// How many bytes past the end of the input it needed (at least).
        missing: u64,
    },
    /// Lists and maps nested deeper than [`MAX_DEPTH`].
    TooDeep {
        /// Where the container that is one level too deep starts.
        offset: usize,
    },
    /// A string or map key that is not valid UTF-8.
    InvalidUtf8 {
        /// The first invalid byte.
        offset: usize,
    },
    /// A varint longer than needed, or above `u64::MAX`.
    InvalidVarint {
        /// Where the varint starts.
        offset: usize,
    },
    /// A map key not strictly greater than the key before it.
    UnorderedKey {
        /// Where the key starts.
        offset: usize,
    },
    /// Bytes left over after a complete value (only from [`decode`]).
    TrailingBytes {
        /// Where the leftover bytes start.
        offset: usize,
        /// How many there are.
        count: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        match *self {
            Self::InvalidTag { tag, offset } => {
                write!(f, "invalid value tag {tag:#04x} at byte {offset}")
            }
            Self::Truncated { offset, missing } => {
                write!(
                    f,
                    "truncated input at byte {offset}: expected {missing} more byte{}",
                    plural(missing)
                )
            }
            Self::TooDeep { offset } => {
                write!(f, "nesting deeper than {MAX_DEPTH} at byte {offset}")
            }
            Self::InvalidUtf8 { offset } => write!(f, "invalid utf-8 in string at byte {offset}"),
            Self::InvalidVarint { offset } => {
                write!(
                    f,
                    "invalid varint at byte {offset}: overlong or larger than 64 bits"
                )
            }
            Self::UnorderedKey { offset } => {
                write!(
                    f,
                    "map key at byte {offset} is not greater than the key before it"
                )
            }
            Self::TrailingBytes { offset, count } => {
                write!(
                    f,
                    "{count} trailing byte{} after the value at byte {offset}",
                    plural(count as u64)
                )
            }
        }
    }
}

impl core::error::Error for DecodeError {}

/// Appends the storage encoding of `value` to `out`.
///
/// Values nested deeper than [`MAX_DEPTH`] are written but will not [`decode`]; callers that
/// store untrusted values check [`nesting_depth`] first.
///
/// # Complexity
///
/// Linear in the size of `value`.
pub fn encode(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(TAG_NULL),
        Value::Bool(false) => out.push(TAG_FALSE),
        Value::Bool(true) => out.push(TAG_TRUE),
        Value::Int(i) => {
            out.push(TAG_INT);
            write_varint(zigzag(*i), out);
        }
        Value::Float(f) => {
            out.push(TAG_FLOAT);
            out.extend_from_slice(&f.to_le_bytes());
        }
        Value::String(s) => {
            out.push(TAG_STRING);
            write_bytes(s.as_bytes(), out);
        }
        Value::Bytes(b) => {
            out.push(TAG_BYTES);
            write_bytes(b, out);
        }
        Value::List(items) => {
            out.push(TAG_LIST);
            write_varint(items.len() as u64, out);
            for item in items {
                encode(item, out);
            }
        }
        Value::Map(map) => {
            out.push(TAG_MAP);
            write_varint(map.len() as u64, out);
            for (key, value) in map {
                write_bytes(key.as_bytes(), out);
                encode(value, out);
            }
        }
    }
}

/// The storage encoding of `value` as a new vector. See [`encode`].
#[must_use]
pub fn encoded(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode(value, &mut out);
    out
}

/// How deeply lists and maps nest in `value`: 0 for a scalar, 1 for `[1]`, 2 for `[[1]]`.
#[must_use]
pub fn nesting_depth(value: &Value) -> usize {
    match value {
        Value::List(items) => 1 + items.iter().map(nesting_depth).max().unwrap_or(0),
        Value::Map(map) => 1 + map.values().map(nesting_depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Decodes exactly one value that fills all of `bytes`.
///
/// # Errors
///
/// A [`DecodeError`] naming the offset of the first problem: an invalid tag, truncation,
/// invalid UTF-8, a non-canonical varint or key order, nesting beyond [`MAX_DEPTH`], or
/// trailing bytes. Never panics, whatever the input.
pub fn decode(bytes: &[u8]) -> Result<Value, DecodeError> {
    let (value, used) = decode_prefix(bytes)?;
    if used == bytes.len() {
        Ok(value)
    } else {
        Err(DecodeError::TrailingBytes {
            offset: used,
            count: bytes.len() - used,
        })
    }
}

/// Decodes one value from the start of `bytes`, returning it and how many bytes it used.
///
/// # Errors
///
/// As [`decode`], except that bytes after the value are allowed.
pub fn decode_prefix(bytes: &[u8]) -> Result<(Value, usize), DecodeError> {
    let mut decoder = Decoder { bytes, pos: 0 };
    let value = decoder.value(0)?;
    Ok((value, decoder.pos))
}

fn zigzag(i: i64) -> u64 {
    ((i << 1) ^ (i >> 63)) as u64
}

fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}

fn write_varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn write_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    write_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// A cursor over untrusted input; every read is bounds-checked.
struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// Takes the next `n` bytes, or reports how many are missing.
    fn take(&mut self, n: u64, offset: usize) -> Result<&'a [u8], DecodeError> {
        let remaining = self.remaining();
        match usize::try_from(n) {
            Ok(n) if n <= remaining => {
                let taken = &self.bytes[self.pos..self.pos + n];
                self.pos += n;
                Ok(taken)
            }
            _ => Err(DecodeError::Truncated {
                offset,
                missing: n - remaining as u64,
            }),
        }
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        let offset = self.pos;
        Ok(self.take(1, offset)?[0])
    }

    /// Reads a canonical LEB128 varint: at most 10 bytes, no redundant trailing zero groups.
    fn varint(&mut self) -> Result<u64, DecodeError> {
        let start = self.pos;
        let mut result = 0u64;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            let low = u64::from(b & 0x7f);
            // The tenth byte holds only the top bit of a u64.
            if shift == 63 && b > 1 {
                return Err(DecodeError::InvalidVarint { offset: start });
            }
            result |= low << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return Err(DecodeError::InvalidVarint { offset: start });
                }
                return Ok(result);
            }
            shift += 7;
        }
    }

    /// Reads a length-prefixed byte string.
    fn length_prefixed(&mut self) -> Result<&'a [u8], DecodeError> {
        let offset = self.pos;
        let len = self.varint()?;
        self.take(len, offset)
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        let bytes = self.length_prefixed()?;
        let start = self.pos - bytes.len();
        core::str::from_utf8(bytes)
            .map(String::from)
            .map_err(|e| DecodeError::InvalidUtf8 {
                offset: start + e.valid_up_to(),
            })
    }

    /// Reads an item count, rejecting counts the rest of the input cannot hold (every item
    /// takes at least one byte), so the count is also a safe pre-allocation size.
    fn count(&mut self) -> Result<usize, DecodeError> {
        let offset = self.pos;
        let count = self.varint()?;
        let remaining = self.remaining();
        match usize::try_from(count) {
            Ok(count) if count <= remaining => Ok(count),
            _ => Err(DecodeError::Truncated {
                offset,
                missing: count - remaining as u64,
            }),
        }
    }

    /// Reads one value; `depth` is the number of lists and maps around it.
    fn value(&mut self, depth: usize) -> Result<Value, DecodeError> {
        let offset = self.pos;
        let tag = self.byte()?;
        if (tag == TAG_LIST || tag == TAG_MAP) && depth >= MAX_DEPTH {
            return Err(DecodeError::TooDeep { offset });
        }
        Ok(match tag {
            TAG_NULL => Value::Null,
            TAG_FALSE => Value::Bool(false),
            TAG_TRUE => Value::Bool(true),
            TAG_INT => Value::Int(unzigzag(self.varint()?)),
            TAG_FLOAT => {
                let start = self.pos;
                let mut le = [0u8; 8];
                le.copy_from_slice(self.take(8, start)?);
                Value::Float(f64::from_le_bytes(le))
            }
            TAG_STRING => Value::String(self.string()?),
            TAG_BYTES => Value::Bytes(self.length_prefixed()?.to_vec()),
            TAG_LIST => {
                let count = self.count()?;
                let mut items = Vec::with_capacity(count);
                for _ in 0..count {
                    items.push(self.value(depth + 1)?);
                }
                Value::List(items)
            }
            TAG_MAP => {
                let count = self.count()?;
                let mut map = Map::new();
                for _ in 0..count {
                    let key_offset = self.pos;
                    let key = self.string()?;
                    if map.last_key_value().is_some_and(|(last, _)| *last >= key) {
                        return Err(DecodeError::UnorderedKey { offset: key_offset });
                    }
                    let value = self.value(depth + 1)?;
                    map.insert(key, value);
                }
                Value::Map(map)
            }
            tag => return Err(DecodeError::InvalidTag { tag, offset }),
        })
    }
}

const KEY_NULL: u8 = 0x10;
const KEY_FALSE: u8 = 0x20;
const KEY_TRUE: u8 = 0x21;
const KEY_NUMBER: u8 = 0x30;
const KEY_STRING: u8 = 0x40;
const KEY_BYTES: u8 = 0x50;
const KEY_LIST: u8 = 0x60;
const KEY_MAP: u8 = 0x70;
/// Ends a list or map; below every key tag, so a shorter container sorts first.
const KEY_END: u8 = 0x00;
/// Starts each map entry.
const KEY_ENTRY: u8 = 0x01;

/// Appends the order-preserving index key of `value` to `out`.
///
/// # Guarantees
///
/// For all values `a` and `b` (every type, nested lists and maps included):
///
/// - `key(a).cmp(&key(b)) == a.total_cmp(&b)` where `key` is this encoding and the
///   comparison is bytewise: see [`Value::total_cmp`] for the order. In particular
///   `key(a) == key(b)` exactly when `a.total_cmp(&b)` is `Equal`, so `Int(2)` and
///   `Float(2.0)` share a key, as do `0.0` and `-0.0`, and all NaNs.
/// - No key is a proper prefix of another, so a key followed by any suffix (say a node id)
///   still sorts by value first, and a prefix scan for `key(v)` finds exactly the entries whose
///   value is `Equal` to `v`.
/// - Each type's keys start with their own tag byte, increasing in type rank, so all keys of
///   one type are contiguous: null `0x10`, bool `0x20`/`0x21`, number `0x30`, string `0x40`,
///   bytes `0x50`, list `0x60`, map `0x70`.
///
/// The encoding is one-way: it is not meant to be decoded (`Int` and `Float` are merged).
///
/// # Layout
///
/// - number: `0x30`, the 8-byte big-endian order bits of the nearest `f64` (sign bit flipped
///   for positives, all bits flipped for negatives; `-0.0` as `0.0`; NaN as one value above
///   `+inf`), then 8 bytes big-endian of the `i64` remainder `exact - nearest` with its sign bit
///   flipped (zero for floats; nonzero only for integers beyond ±2^53 that floats cannot hold);
/// - string, bytes: tag, the bytes with `0x00` escaped as `0x00 0xFF`, then `0x00 0x00`;
/// - list: `0x60`, each item's key, then `0x00`;
/// - map: `0x70`, per entry `0x01`, the escaped key, the value's key; then `0x00`.
///
/// # Complexity
///
/// Linear in the size of `value`.
pub fn encode_key(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(KEY_NULL),
        Value::Bool(false) => out.push(KEY_FALSE),
        Value::Bool(true) => out.push(KEY_TRUE),
        Value::Int(_) | Value::Float(_) => {
            let (bits, remainder) = number_key(value).unwrap_or_default();
            out.push(KEY_NUMBER);
            out.extend_from_slice(&bits.to_be_bytes());
            out.extend_from_slice(&((remainder as u64) ^ (1 << 63)).to_be_bytes());
        }
        Value::String(s) => {
            out.push(KEY_STRING);
            write_escaped(s.as_bytes(), out);
        }
        Value::Bytes(b) => {
            out.push(KEY_BYTES);
            write_escaped(b, out);
        }
        Value::List(items) => {
            out.push(KEY_LIST);
            for item in items {
                encode_key(item, out);
            }
            out.push(KEY_END);
        }
        Value::Map(map) => {
            out.push(KEY_MAP);
            for (key, value) in map {
                out.push(KEY_ENTRY);
                write_escaped(key.as_bytes(), out);
                encode_key(value, out);
            }
            out.push(KEY_END);
        }
    }
}

/// The index key of `value` as a new vector. See [`encode_key`].
#[must_use]
pub fn encoded_key(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_key(value, &mut out);
    out
}

/// Writes bytes so that bytewise order of the output is the order of the input, and no output
/// is a prefix of another: `0x00` becomes `0x00 0xFF`, and `0x00 0x00` terminates.
fn write_escaped(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0, 0]);
}
