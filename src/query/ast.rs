//! The parsed form of a query expression, and its canonical printed form.
//!
//! Printing is canonical: keywords in upper case, `true`/`false`/`null` in lower case, strings
//! in single quotes, `<>` for inequality, and every compound expression in parentheses, so the
//! printed text re-parses to an equal [`Expr`]: `((age > 60) AND (name = $1))`.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::lexer::is_reserved;
use crate::value::Value;

/// A query expression.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Expr {
    /// A scalar literal: `Null`, `Bool`, `Int`, `Float` (finite) or `String`.
    Literal(Value),
    /// A list literal `[1, 'a', $2]`.
    List(Vec<Expr>),
    /// A parameter `$1` or `$name`.
    Param(ParamRef),
    /// A property path (`address.city` is `["address", "city"]`), or a built-in such as
    /// `timestamp` when the path has one segment and the record kind has that built-in.
    Property(Vec<String>),
    /// `NOT e`.
    Not(Box<Expr>),
    /// `a AND b AND ...` (two or more operands).
    And(Vec<Expr>),
    /// `a OR b OR ...` (two or more operands).
    Or(Vec<Expr>),
    /// `a XOR b XOR ...` (two or more operands).
    Xor(Vec<Expr>),
    /// `left op right`.
    Compare {
        /// The comparison operator.
        op: CompareOp,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
    },
    /// `left STARTS WITH right`, `left ENDS WITH right`, `left CONTAINS right`.
    StringMatch {
        /// The string predicate.
        op: StringOp,
        /// The string searched in.
        left: Box<Expr>,
        /// The string searched for.
        right: Box<Expr>,
    },
    /// `item IN list`.
    In {
        /// The value looked for.
        item: Box<Expr>,
        /// The list searched (a list literal, a parameter or a property).
        list: Box<Expr>,
    },
    /// `e IS NULL` (or `e IS NOT NULL` when `negated`).
    IsNull {
        /// The tested expression.
        expr: Box<Expr>,
        /// `true` for `IS NOT NULL`.
        negated: bool,
    },
}

/// A parameter reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamRef {
    /// `$1`, `$2`, ... (1-based).
    Positional(usize),
    /// `$name`.
    Named(String),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `<>` (also written `!=`)
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator seen from the other side: `a < b` is `b > a`.
    pub fn flipped(self) -> Self {
        match self {
            Self::Lt => Self::Gt,
            Self::Le => Self::Ge,
            Self::Gt => Self::Lt,
            Self::Ge => Self::Le,
            same => same,
        }
    }

    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "<>",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
        }
    }
}

/// A string predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringOp {
    /// `STARTS WITH`
    StartsWith,
    /// `ENDS WITH`
    EndsWith,
    /// `CONTAINS`
    Contains,
}

impl StringOp {
    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StartsWith => "STARTS WITH",
            Self::EndsWith => "ENDS WITH",
            Self::Contains => "CONTAINS",
        }
    }
}

impl fmt::Display for ParamRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Positional(n) => write!(f, "${n}"),
            Self::Named(name) => {
                f.write_str("$")?;
                write_ident(f, name)
            }
        }
    }
}

/// A string literal printed in single quotes with escapes.
pub(crate) struct QuotedStr<'a>(pub(crate) &'a str);

impl fmt::Display for QuotedStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("'")?;
        for c in self.0.chars() {
            match c {
                '\'' => f.write_str("\\'")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\t' => f.write_str("\\t")?,
                '\r' => f.write_str("\\r")?,
                c if c.is_control() => write!(f, "\\U{:08X}", u32::from(c))?,
                c => write!(f, "{c}")?,
            }
        }
        f.write_str("'")
    }
}

fn is_plain_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && !is_reserved(name)
}

/// Writes an identifier bare when it can be, otherwise in backticks (doubling inner backticks).
pub(crate) fn write_ident(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    if is_plain_ident(name) {
        return f.write_str(name);
    }
    f.write_str("`")?;
    for c in name.chars() {
        if c == '`' {
            f.write_str("``")?;
        } else {
            write!(f, "{c}")?;
        }
    }
    f.write_str("`")
}

/// Prints a literal value the way the lexer reads it back.
pub(crate) fn write_literal(f: &mut fmt::Formatter<'_>, value: &Value) -> fmt::Result {
    match value {
        Value::Null => f.write_str("null"),
        Value::Bool(b) => write!(f, "{b}"),
        Value::Int(i) => write!(f, "{i}"),
        // `Debug` keeps a `.0` or an exponent, so the text reads back as the same float.
        Value::Float(x) => write!(f, "{x:?}"),
        Value::String(s) => write!(f, "{}", QuotedStr(s)),
        // Not produced by the parser; printed readably for explain output.
        Value::Bytes(b) => write!(f, "<{} bytes>", b.len()),
        Value::List(items) => {
            f.write_str("[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_literal(f, item)?;
            }
            f.write_str("]")
        }
        Value::Map(map) => {
            f.write_str("{")?;
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_ident(f, key)?;
                f.write_str(": ")?;
                write_literal(f, item)?;
            }
            f.write_str("}")
        }
    }
}

fn write_joined(f: &mut fmt::Formatter<'_>, items: &[Expr], sep: &str) -> fmt::Result {
    f.write_str("(")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{item}")?;
    }
    f.write_str(")")
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Literal(value) => write_literal(f, value),
            Expr::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Expr::Param(p) => write!(f, "{p}"),
            Expr::Property(path) => {
                for (i, segment) in path.iter().enumerate() {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    write_ident(f, segment)?;
                }
                Ok(())
            }
            Expr::Not(inner) => write!(f, "(NOT {inner})"),
            Expr::And(items) => write_joined(f, items, " AND "),
            Expr::Or(items) => write_joined(f, items, " OR "),
            Expr::Xor(items) => write_joined(f, items, " XOR "),
            Expr::Compare { op, left, right } => write!(f, "({left} {} {right})", op.as_str()),
            Expr::StringMatch { op, left, right } => {
                write!(f, "({left} {} {right})", op.as_str())
            }
            Expr::In { item, list } => write!(f, "({item} IN {list})"),
            Expr::IsNull { expr, negated } => {
                let not = if *negated { "NOT " } else { "" };
                write!(f, "({expr} IS {not}NULL)")
            }
        }
    }
}
