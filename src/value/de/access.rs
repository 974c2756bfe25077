//! Serde's access types for a [`Value`]: externally tagged enums and string map keys.

use alloc::borrow::Cow;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::Deserialize;

use crate::value::display::Found;
use crate::value::{Value, ValueError};

/// Reads an externally tagged enum: the variant name, and its content unless it is a unit
/// variant written as a bare string.
pub(super) struct EnumDeserializer<'de, D> {
    pub(super) variant: Cow<'de, str>,
    pub(super) value: Option<D>,
}

impl<'de, D: de::Deserializer<'de, Error = ValueError>> de::EnumAccess<'de>
    for EnumDeserializer<'de, D>
{
    type Error = ValueError;
    type Variant = VariantDeserializer<D>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), ValueError> {
        let variant = seed.deserialize(KeyDeserializer { key: self.variant })?;
        Ok((variant, VariantDeserializer { value: self.value }))
    }
}

/// The content of an enum variant.
pub(super) struct VariantDeserializer<D> {
    value: Option<D>,
}

impl<D> VariantDeserializer<D> {
    fn content(self, kind: &str) -> Result<D, ValueError> {
        self.value
            .ok_or_else(|| ValueError::invalid_type(kind, "unit variant"))
    }
}

impl<'de, D: de::Deserializer<'de, Error = ValueError>> de::VariantAccess<'de>
    for VariantDeserializer<D>
{
    type Error = ValueError;

    fn unit_variant(self) -> Result<(), ValueError> {
        match self.value {
            None => Ok(()),
            Some(value) => <()>::deserialize(value),
        }
    }
    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<S::Value, ValueError> {
        seed.deserialize(self.content("newtype variant")?)
    }
    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.content("tuple variant")?.deserialize_seq(visitor)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.content("struct variant")?.deserialize_map(visitor)
    }
}

/// A map key (always a string in a [`Value`]); parsed back into integers, booleans or chars
/// when the target asks for them, mirroring how [`to_value`](super::to_value) wrote them.
pub(super) struct KeyDeserializer<'de> {
    pub(super) key: Cow<'de, str>,
}

impl<'de> IntoDeserializer<'de, ValueError> for KeyDeserializer<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl KeyDeserializer<'_> {
    fn parse<T: core::str::FromStr>(&self, expected: &str) -> Result<T, ValueError> {
        self.key.parse().map_err(|_| {
            ValueError::invalid_type(
                expected,
                Found(&Value::String(self.key.clone().into_owned())),
            )
        })
    }
}

macro_rules! deserialize_parsed_keys {
    ($($method:ident => $visit:ident($ty:ty, $expected:literal)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
            visitor.$visit(self.parse::<$ty>($expected)?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'de> {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.key {
            Cow::Borrowed(key) => visitor.visit_borrowed_str(key),
            Cow::Owned(key) => visitor.visit_string(key),
        }
    }

    deserialize_parsed_keys! {
        deserialize_bool => visit_bool(bool, "a boolean map key"),
        deserialize_i8 => visit_i8(i8, "an i8 map key"),
        deserialize_i16 => visit_i16(i16, "an i16 map key"),
        deserialize_i32 => visit_i32(i32, "an i32 map key"),
        deserialize_i64 => visit_i64(i64, "an i64 map key"),
        deserialize_i128 => visit_i128(i128, "an i128 map key"),
        deserialize_u8 => visit_u8(u8, "a u8 map key"),
        deserialize_u16 => visit_u16(u16, "a u16 map key"),
        deserialize_u32 => visit_u32(u32, "a u32 map key"),
        deserialize_u64 => visit_u64(u64, "a u64 map key"),
        deserialize_u128 => visit_u128(u128, "a u128 map key"),
        deserialize_char => visit_char(char, "a single-character map key"),
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_some(self)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_enum(EnumDeserializer::<Value> {
            variant: self.key,
            value: None,
        })
    }

    serde::forward_to_deserialize_any! {
        f32 f64 str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}
