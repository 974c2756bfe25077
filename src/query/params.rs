//! Query parameters ([`Param`], [`Params`]) and the text coercions applied to `Text` parameters.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::ast::ParamRef;
use crate::value::Value;

/// One parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// Text whose type is decided by what it is compared with (see the [module docs](super)).
    Text(String),
    /// A value used exactly as it is.
    Typed(Value),
}

/// The parameters of one query: positional (`$1`, `$2`, ...) and named (`$name`).
///
/// # Example
///
/// ```
/// use knowledge_graph::query::Params;
/// use knowledge_graph::Value;
///
/// let params = Params::from(&["Alice", "10"]);
/// assert_eq!(params.positional().len(), 2);
///
/// let params = Params::new().typed(Value::Int(10)).named_text("city", "Paris");
/// assert!(params.named("city").is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    positional: Vec<Param>,
    named: BTreeMap<String, Param>,
}

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Positional `Text` parameters, in order: `texts[0]` is `$1`.
    pub fn from_texts<S: AsRef<str>>(texts: &[S]) -> Self {
        Self {
            positional: texts
                .iter()
                .map(|t| Param::Text(t.as_ref().to_string()))
                .collect(),
            named: BTreeMap::new(),
        }
    }

    /// Positional `Typed` parameters, in order: `values[0]` is `$1`.
    pub fn from_values(values: Vec<Value>) -> Self {
        Self {
            positional: values.into_iter().map(Param::Typed).collect(),
            named: BTreeMap::new(),
        }
    }

    /// Appends a positional parameter.
    pub fn param(mut self, param: Param) -> Self {
        self.positional.push(param);
        self
    }

    /// Appends a positional `Text` parameter.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.param(Param::Text(text.into()))
    }

    /// Appends a positional `Typed` parameter.
    pub fn typed(self, value: Value) -> Self {
        self.param(Param::Typed(value))
    }

    /// Sets the named parameter `$name`.
    pub fn named_param(mut self, name: impl Into<String>, param: Param) -> Self {
        self.named.insert(name.into(), param);
        self
    }

    /// Sets the named parameter `$name` to text.
    pub fn named_text(self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.named_param(name, Param::Text(text.into()))
    }

    /// Sets the named parameter `$name` to a value.
    pub fn named_typed(self, name: impl Into<String>, value: Value) -> Self {
        self.named_param(name, Param::Typed(value))
    }

    /// The positional parameters: index 0 is `$1`.
    pub fn positional(&self) -> &[Param] {
        &self.positional
    }

    /// The named parameter `$name`, if given.
    pub fn named(&self, name: &str) -> Option<&Param> {
        self.named.get(name)
    }

    /// The parameter a reference points to, if given.
    pub fn get(&self, param: &ParamRef) -> Option<&Param> {
        match param {
            ParamRef::Positional(n) => n.checked_sub(1).and_then(|i| self.positional.get(i)),
            ParamRef::Named(name) => self.named.get(name),
        }
    }
}

impl<S: AsRef<str>> From<&[S]> for Params {
    fn from(texts: &[S]) -> Self {
        Self::from_texts(texts)
    }
}

impl<S: AsRef<str>, const N: usize> From<&[S; N]> for Params {
    fn from(texts: &[S; N]) -> Self {
        Self::from_texts(texts)
    }
}

impl From<Vec<Value>> for Params {
    fn from(values: Vec<Value>) -> Self {
        Self::from_values(values)
    }
}

/// Reads text as a number with the grammar of query literals plus an optional sign:
/// `-12`, `10`, `1.5`, `2.5e-3`. Integers that fit `i64` become `Int`, others `Float`.
/// Returns `None` for anything else (no surrounding spaces, no `inf`/`NaN`, no hex).
pub(crate) fn parse_number(text: &str) -> Option<Value> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let bytes = digits.as_bytes();
    let mut i = 0;
    let int_digits = count_digits(&bytes[i..]);
    if int_digits == 0 {
        return None;
    }
    i += int_digits;
    let mut is_float = false;
    if bytes.get(i) == Some(&b'.') {
        let frac = count_digits(&bytes[i + 1..]);
        if frac == 0 {
            return None;
        }
        i += 1 + frac;
        is_float = true;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = count_digits(&bytes[i..]);
        if exp == 0 {
            return None;
        }
        i += exp;
        is_float = true;
    }
    if i != bytes.len() {
        return None;
    }
    if !is_float {
        if let Ok(n) = text.parse::<i64>() {
            return Some(Value::Int(n));
        }
    }
    text.parse::<f64>().ok().map(Value::Float)
}

fn count_digits(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// Reads `true` / `false`, ignoring ASCII case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}
