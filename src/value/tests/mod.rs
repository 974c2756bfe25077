//! Tests for the value module: serde conversions, accessors and order, and the codec.

mod access;
mod codec;
mod serde;
mod strategies;
