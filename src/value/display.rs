//! JSON-like rendering of a [`Value`], and the short descriptions used in error messages.

use core::fmt::{self, Write};

use super::Value;

/// Renders JSON-like text: strings quoted and escaped, maps as `{"key": value}`, floats always
/// with a fractional part or exponent (`1.0`, `NaN`, `inf`), bytes as `b"..."` with non-ASCII
/// bytes escaped as `\xNN`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Int(i) => write!(f, "{i}"),
            // Debug keeps the `.0` that tells a float from an int.
            Self::Float(x) => write!(f, "{x:?}"),
            Self::String(s) => write_quoted(f, s),
            Self::Bytes(b) => write!(f, "b\"{}\"", b.escape_ascii()),
            Self::List(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_char(']')
            }
            Self::Map(map) => {
                f.write_char('{')?;
                for (i, (key, value)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_quoted(f, key)?;
                    write!(f, ": {value}")?;
                }
                f.write_char('}')
            }
        }
    }
}

/// Writes `s` as a JSON string literal.
fn write_quoted(f: &mut impl Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// How an error message names a value: `null`, `boolean true`, `integer 5`, `float 1.5`,
/// `string "abc"` (cut after 64 characters), `3 bytes`, `a list of 2 items`,
/// `a map of 1 entry`.
pub(crate) struct Found<'a>(pub(crate) &'a Value);

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX_CHARS: usize = 64;
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        match self.0 {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "boolean {b}"),
            Value::Int(i) => write!(f, "integer {i}"),
            Value::Float(x) => write!(f, "float {x:?}"),
            Value::String(s) => {
                f.write_str("string ")?;
                match s.char_indices().nth(MAX_CHARS) {
                    Some((cut, _)) => {
                        write_quoted(f, &s[..cut])?;
                        f.write_str("...")
                    }
                    None => write_quoted(f, s),
                }
            }
            Value::Bytes(b) => write!(f, "{} byte{}", b.len(), plural(b.len())),
            Value::List(items) => {
                write!(f, "a list of {} item{}", items.len(), plural(items.len()))
            }
            Value::Map(map) => write!(
                f,
                "a map of {} entr{}",
                map.len(),
                if map.len() == 1 { "y" } else { "ies" }
            ),
        }
    }
}
