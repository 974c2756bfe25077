//! [`Value::total_cmp`]: one total order over all values, shared by queries and index keys.

use core::cmp::Ordering;

use super::Value;

/// The rank of each type in the order: null < bool < number < string < bytes < list < map.
pub(crate) fn type_rank(value: &Value) -> u8 {
    match value {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Int(_) | Value::Float(_) => 2,
        Value::String(_) => 3,
        Value::Bytes(_) => 4,
        Value::List(_) => 5,
        Value::Map(_) => 6,
    }
}

/// Maps an `f64` to a `u64` whose unsigned order is the numeric order: NaNs collapse to one
/// value above `+inf`, and `-0.0` to `0.0`.
pub(crate) fn float_order_bits(f: f64) -> u64 {
    let f = if f.is_nan() {
        f64::NAN
    } else if f == 0.0 {
        0.0
    } else {
        f
    };
    let bits = f.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// A number's exact position: the order bits of the nearest `f64`, then the exact remainder
/// (an `i64` minus its rounded `f64`; always zero for floats).
///
/// Rounding is monotone, so comparing these pairs compares the exact values, `Int` against
/// `Float` included, and numerically equal values (`Int(2)` and `Float(2.0)`) get equal pairs.
/// Returns `None` for non-numbers.
pub(crate) fn number_key(value: &Value) -> Option<(u64, i64)> {
    match *value {
        Value::Float(f) => Some((float_order_bits(f), 0)),
        Value::Int(i) => {
            #[allow(clippy::cast_precision_loss)]
            let nearest = i as f64;
            // `nearest` is an integer no larger than 2^63, so both casts are exact, and the
            // difference is at most half an ulp (1024) in magnitude.
            #[allow(clippy::cast_possible_truncation)]
            let remainder = (i128::from(i) - nearest as i128) as i64;
            Some((float_order_bits(nearest), remainder))
        }
        _ => None,
    }
}

impl Value {
    /// Compares two values in a total order that every query and index uses.
    ///
    /// - Types rank `null < bool < number < string < bytes < list < map`.
    /// - `false < true`.
    /// - Numbers (`Int` and `Float` together) compare by exact numeric value, so `Int(2)` equals
    ///   `Float(2.0)` and `Int(2^53 + 1)` is greater than `Float(2^53)`; `-0.0` equals `0.0`;
    ///   every NaN is equal to every other NaN and greater than all other numbers, `+inf`
    ///   included.
    /// - Strings and bytes compare bytewise (for strings, that is code point order).
    /// - Lists compare lexicographically by element; a proper prefix is smaller.
    /// - Maps compare lexicographically by their entries in key order, each entry by key
    ///   then value; a proper prefix is smaller.
    ///
    /// `Equal` here is coarser than `==`: `Int(1)` and `Float(1.0)` are `Equal` but not `==`.
    /// [`codec::encode_key`](super::codec::encode_key) produces bytes in this same order.
    ///
    /// # Complexity
    ///
    /// Linear in the size of the smaller value.
    #[must_use]
    pub fn total_cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Bool(a), Self::Bool(b)) => a.cmp(b),
            (Self::Int(a), Self::Int(b)) => a.cmp(b),
            (Self::String(a), Self::String(b)) => a.cmp(b),
            (Self::Bytes(a), Self::Bytes(b)) => a.cmp(b),
            (Self::List(a), Self::List(b)) => {
                for (x, y) in a.iter().zip(b) {
                    match x.total_cmp(y) {
                        Ordering::Equal => {}
                        unequal => return unequal,
                    }
                }
                a.len().cmp(&b.len())
            }
            (Self::Map(a), Self::Map(b)) => {
                for ((ka, va), (kb, vb)) in a.iter().zip(b) {
                    match ka.cmp(kb).then_with(|| va.total_cmp(vb)) {
                        Ordering::Equal => {}
                        unequal => return unequal,
                    }
                }
                a.len().cmp(&b.len())
            }
            _ => match (number_key(self), number_key(other)) {
                (Some(a), Some(b)) => a.cmp(&b),
                _ => type_rank(self).cmp(&type_rank(other)),
            },
        }
    }
}
