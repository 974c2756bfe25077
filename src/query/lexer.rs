//! Turns the query text into tokens, each tagged with its 1-based character column.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::ast::ParamRef;
use super::error::QueryError;

/// One lexical token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A bare identifier or keyword (keywords are recognised by the parser, case-insensitively).
    Ident(String),
    /// A backtick-quoted identifier: never a keyword.
    Quoted(String),
    /// A string literal, escapes already resolved.
    Str(String),
    /// A number literal as written (digits, optional fraction and exponent, no sign).
    Number(String),
    /// `$1` or `$name`.
    Param(ParamRef),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Minus,
    Eq,
    /// `<>` or `!=`.
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    End,
}

impl Tok {
    /// Whether this is the bare identifier `word` (case-insensitive), i.e. that keyword.
    pub(crate) fn is_keyword(&self, word: &str) -> bool {
        matches!(self, Tok::Ident(s) if s.eq_ignore_ascii_case(word))
    }
}

/// Words that cannot start a bare property reference (quote them with backticks instead).
pub(crate) const KEYWORDS: &[&str] = &[
    "AND", "OR", "XOR", "NOT", "IN", "IS", "NULL", "TRUE", "FALSE", "STARTS", "ENDS", "WITH",
    "CONTAINS",
];

/// Whether `word` is one of [`KEYWORDS`], ignoring case.
pub(crate) fn is_reserved(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

impl fmt::Display for Tok {
    /// How the token is described in "found ..." error messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) if is_reserved(s) => write!(f, "keyword {}", s.to_uppercase()),
            Tok::Ident(s) => write!(f, "identifier {s}"),
            Tok::Quoted(s) => write!(f, "identifier `{s}`"),
            Tok::Str(s) => write!(f, "string {}", super::ast::QuotedStr(s)),
            Tok::Number(s) => write!(f, "number {s}"),
            Tok::Param(p) => write!(f, "parameter {p}"),
            Tok::End => f.write_str("end of input"),
            other => write!(f, "'{}'", other.symbol()),
        }
    }
}

impl Tok {
    /// The spelling of a punctuation token.
    pub(crate) fn symbol(&self) -> &'static str {
        match self {
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Dot => ".",
            Tok::Minus => "-",
            Tok::Eq => "=",
            Tok::Ne => "<>",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            _ => "",
        }
    }
}

/// A token and the 1-based character column where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spanned {
    pub(crate) tok: Tok,
    pub(crate) column: usize,
}

/// Splits `input` into tokens; the last one is always [`Tok::End`].
pub(crate) fn tokenize(input: &str) -> Result<Vec<Spanned>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut lexer = Lexer { chars, pos: 0 };
    let mut out = Vec::new();
    loop {
        let tok = lexer.next_token()?;
        let end = tok.tok == Tok::End;
        out.push(tok);
        if end {
            return Ok(out);
        }
    }
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn column(&self) -> usize {
        self.pos + 1
    }

    fn syntax(&self, expected: &str, found: String) -> QueryError {
        QueryError::Syntax {
            column: self.column(),
            expected: expected.to_string(),
            found,
        }
    }

    fn found_here(&self) -> String {
        match self.peek(0) {
            Some(c) => format!("'{}'", c.escape_debug()),
            None => "end of input".to_string(),
        }
    }

    fn next_token(&mut self) -> Result<Spanned, QueryError> {
        while self.peek(0).is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
        let column = self.column();
        let Some(c) = self.peek(0) else {
            return Ok(Spanned {
                tok: Tok::End,
                column,
            });
        };
        let two = |lexer: &mut Lexer, tok| {
            lexer.pos += 2;
            tok
        };
        let tok = match (c, self.peek(1)) {
            ('<', Some('>')) => two(self, Tok::Ne),
            ('!', Some('=')) => two(self, Tok::Ne),
            ('<', Some('=')) => two(self, Tok::Le),
            ('>', Some('=')) => two(self, Tok::Ge),
            ('!', _) => {
                self.pos += 1;
                return Err(self.syntax("'=' after '!'", self.found_here()));
            }
            ('\'' | '"', _) => self.string(c)?,
            ('`', _) => self.quoted_ident()?,
            ('$', _) => self.param()?,
            (d, _) if d.is_ascii_digit() => self.number()?,
            (d, _) if is_ident_start(d) => Tok::Ident(self.take_while(is_ident_continue)),
            _ => {
                let tok = match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    '[' => Tok::LBracket,
                    ']' => Tok::RBracket,
                    ',' => Tok::Comma,
                    '.' => Tok::Dot,
                    '-' => Tok::Minus,
                    '=' => Tok::Eq,
                    '<' => Tok::Lt,
                    '>' => Tok::Gt,
                    _ => {
                        return Err(
                            self.syntax("a property, a value or an operator", self.found_here())
                        )
                    }
                };
                self.pos += 1;
                tok
            }
        };
        Ok(Spanned { tok, column })
    }

    fn take_while(&mut self, pred: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek(0).is_some_and(&pred) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn number(&mut self) -> Result<Tok, QueryError> {
        let mut text = self.take_while(|c| c.is_ascii_digit());
        if self.peek(0) == Some('.') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            text.push('.');
            text.push_str(&self.take_while(|c| c.is_ascii_digit()));
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.peek(1), Some('+' | '-')));
            if !self.peek(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1 + sign;
                return Err(self.syntax("digits in the exponent", self.found_here()));
            }
            for _ in 0..=sign {
                text.push(self.chars[self.pos]);
                self.pos += 1;
            }
            text.push_str(&self.take_while(|c| c.is_ascii_digit()));
        }
        Ok(Tok::Number(text))
    }

    fn param(&mut self) -> Result<Tok, QueryError> {
        let column = self.column();
        self.pos += 1; // '$'
        match self.peek(0) {
            Some(c) if c.is_ascii_digit() => {
                let digits = self.take_while(|c| c.is_ascii_digit());
                if self.peek(0).is_some_and(is_ident_continue) {
                    return Err(self.syntax("the end of the parameter number", self.found_here()));
                }
                match digits.parse::<usize>() {
                    Ok(0) => Err(QueryError::InvalidLiteral {
                        column,
                        message: "parameters are numbered from $1".to_string(),
                    }),
                    Ok(n) => Ok(Tok::Param(ParamRef::Positional(n))),
                    Err(_) => Err(QueryError::InvalidLiteral {
                        column,
                        message: format!("parameter number ${digits} is too large"),
                    }),
                }
            }
            Some(c) if is_ident_start(c) => Ok(Tok::Param(ParamRef::Named(
                self.take_while(is_ident_continue),
            ))),
            Some('`') => match self.quoted_ident()? {
                Tok::Quoted(name) => Ok(Tok::Param(ParamRef::Named(name))),
                _ => Err(self.syntax("a parameter name or number after '$'", self.found_here())),
            },
            _ => Err(self.syntax("a parameter name or number after '$'", self.found_here())),
        }
    }

    fn quoted_ident(&mut self) -> Result<Tok, QueryError> {
        self.pos += 1; // opening backtick
        let mut name = String::new();
        loop {
            match self.peek(0) {
                None => return Err(self.syntax("a closing '`'", self.found_here())),
                // A doubled backtick stands for one backtick, as in Cypher.
                Some('`') if self.peek(1) == Some('`') => {
                    name.push('`');
                    self.pos += 2;
                }
                Some('`') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    name.push(c);
                    self.pos += 1;
                }
            }
        }
        if name.is_empty() {
            return Err(QueryError::InvalidLiteral {
                column: self.column() - 2,
                message: "an identifier cannot be empty".to_string(),
            });
        }
        Ok(Tok::Quoted(name))
    }

    fn string(&mut self, quote: char) -> Result<Tok, QueryError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek(0) else {
                return Err(self.syntax(&format!("a closing {quote}"), self.found_here()));
            };
            self.pos += 1;
            if c == quote {
                return Ok(Tok::Str(out));
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let escape_column = self.column() - 1;
            let Some(e) = self.peek(0) else {
                return Err(self.syntax("an escaped character after '\\'", self.found_here()));
            };
            self.pos += 1;
            let resolved = match e {
                '\\' => '\\',
                '\'' => '\'',
                '"' => '"',
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'u' => self.unicode_escape(4, escape_column)?,
                'U' => self.unicode_escape(8, escape_column)?,
                other => {
                    return Err(QueryError::InvalidLiteral {
                        column: escape_column,
                        message: format!("invalid escape sequence '\\{}'", other.escape_debug()),
                    })
                }
            };
            out.push(resolved);
        }
    }

    fn unicode_escape(&mut self, digits: usize, column: usize) -> Result<char, QueryError> {
        let mut code: u32 = 0;
        for _ in 0..digits {
            let digit = self.peek(0).and_then(|c| c.to_digit(16));
            let Some(d) = digit else {
                return Err(QueryError::InvalidLiteral {
                    column,
                    message: format!("a unicode escape needs {digits} hexadecimal digits"),
                });
            };
            code = code * 16 + d;
            self.pos += 1;
        }
        char::from_u32(code).ok_or_else(|| QueryError::InvalidLiteral {
            column,
            message: format!("\\u{code:04X} is not a valid unicode character"),
        })
    }
}
