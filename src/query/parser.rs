//! Recursive-descent parser: tokens to [`Expr`], checking parameters as it goes.
//!
//! Grammar (openCypher precedence, lowest first):
//!
//! ```text
//! or         := xor ("OR" xor)*
//! xor        := and ("XOR" and)*
//! and        := not ("AND" not)*
//! not        := "NOT" not | comparison
//! comparison := predicate (("=" | "<>" | "!=" | "<" | "<=" | ">" | ">=") predicate)?
//! predicate  := operand ("IN" operand | "STARTS" "WITH" operand | "ENDS" "WITH" operand
//!                        | "CONTAINS" operand | "IS" ["NOT"] "NULL")*
//! operand    := literal | "-" number | parameter | path | "[" [or ("," or)*] "]" | "(" or ")"
//! path       := name ("." name)*
//! ```
//!
//! Cypher reads `a < b < c` as `a < b AND b < c`; that is rejected here rather than read
//! differently.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::ast::{CompareOp, Expr, ParamRef, StringOp};
use super::error::QueryError;
use super::lexer::{is_reserved, tokenize, Spanned, Tok};
use super::params::{Param, Params};
use crate::value::Value;

/// How deeply parentheses, lists, `NOT`s and chained predicates may nest.
pub const MAX_DEPTH: usize = 64;

/// Parses `input`, checking that every parameter it uses is in `params`.
pub(crate) fn parse(input: &str, params: &Params) -> Result<Expr, QueryError> {
    let mut parser = Parser {
        toks: tokenize(input)?,
        pos: 0,
        depth: 0,
        params,
        last_was_operand: false,
    };
    let expr = parser.or("an expression")?;
    let next = parser.peek();
    if next.tok != Tok::End {
        let expected = if parser.last_was_operand {
            "an operator, AND, OR, XOR or end of input"
        } else {
            "AND, OR, XOR or end of input"
        };
        return Err(parser.unexpected(expected));
    }
    Ok(expr)
}

struct Parser<'p> {
    toks: Vec<Spanned>,
    pos: usize,
    depth: usize,
    params: &'p Params,
    /// Whether the last comparison level parsed was a bare operand (for error messages).
    last_was_operand: bool,
}

fn comparison_op(tok: &Tok) -> Option<CompareOp> {
    Some(match tok {
        Tok::Eq => CompareOp::Eq,
        Tok::Ne => CompareOp::Ne,
        Tok::Lt => CompareOp::Lt,
        Tok::Le => CompareOp::Le,
        Tok::Gt => CompareOp::Gt,
        Tok::Ge => CompareOp::Ge,
        _ => return None,
    })
}

impl Parser<'_> {
    fn peek(&self) -> &Spanned {
        // `tokenize` always ends with `End`, and `advance` never moves past it.
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn advance(&mut self) -> Spanned {
        let tok = self.peek().clone();
        if tok.tok != Tok::End {
            self.pos += 1;
        }
        tok
    }

    fn unexpected(&self, expected: &str) -> QueryError {
        let next = self.peek();
        QueryError::Syntax {
            column: next.column,
            expected: expected.to_string(),
            found: next.tok.to_string(),
        }
    }

    fn enter(&mut self, column: usize) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(QueryError::TooDeep {
                column,
                limit: MAX_DEPTH,
            });
        }
        Ok(())
    }

    fn leave(&mut self, levels: usize) {
        self.depth -= levels;
    }

    /// Parses `sub ("KEYWORD" sub)*` into one n-ary node.
    fn chain(
        &mut self,
        keyword: &str,
        expected: &str,
        sub: fn(&mut Self, &str) -> Result<Expr, QueryError>,
        build: fn(Vec<Expr>) -> Expr,
    ) -> Result<Expr, QueryError> {
        let mut items = Vec::from([sub(self, expected)?]);
        while self.peek().tok.is_keyword(keyword) {
            self.advance();
            items.push(sub(self, &format!("an expression after {keyword}"))?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            build(items)
        })
    }

    fn or(&mut self, expected: &str) -> Result<Expr, QueryError> {
        self.chain("OR", expected, Self::xor, Expr::Or)
    }

    fn xor(&mut self, expected: &str) -> Result<Expr, QueryError> {
        self.chain("XOR", expected, Self::and, Expr::Xor)
    }

    fn and(&mut self, expected: &str) -> Result<Expr, QueryError> {
        self.chain("AND", expected, Self::not, Expr::And)
    }

    fn not(&mut self, expected: &str) -> Result<Expr, QueryError> {
        if !self.peek().tok.is_keyword("NOT") {
            return self.comparison(expected);
        }
        let column = self.advance().column;
        self.enter(column)?;
        let inner = self.not("an expression after NOT")?;
        self.leave(1);
        Ok(Expr::Not(Box::new(inner)))
    }

    fn comparison(&mut self, expected: &str) -> Result<Expr, QueryError> {
        let left = self.predicate(expected)?;
        let Some(op) = comparison_op(&self.peek().tok) else {
            self.last_was_operand = !matches!(
                left,
                Expr::In { .. } | Expr::IsNull { .. } | Expr::StringMatch { .. }
            );
            return Ok(left);
        };
        let symbol = self.advance().tok.symbol();
        let right = self.predicate(&format!("a value after '{symbol}'"))?;
        if comparison_op(&self.peek().tok).is_some() {
            return Err(self.unexpected(
                "AND, OR, XOR or end of input (comparisons cannot be chained; use AND)",
            ));
        }
        self.last_was_operand = false;
        Ok(Expr::Compare {
            op,
            left: Box::new(left),
            right: Box::new(right),
        })
    }

    fn predicate(&mut self, expected: &str) -> Result<Expr, QueryError> {
        let mut expr = self.operand(expected)?;
        let mut levels = 0;
        let result = loop {
            let next = self.peek().clone();
            let string_op = if next.tok.is_keyword("STARTS") {
                Some(StringOp::StartsWith)
            } else if next.tok.is_keyword("ENDS") {
                Some(StringOp::EndsWith)
            } else if next.tok.is_keyword("CONTAINS") {
                Some(StringOp::Contains)
            } else {
                None
            };
            let is_in = next.tok.is_keyword("IN");
            let is_is = next.tok.is_keyword("IS");
            if string_op.is_none() && !is_in && !is_is {
                break Ok(expr);
            }
            if let Err(e) = self.enter(next.column) {
                break Err(e);
            }
            levels += 1;
            self.advance();
            let step = if let Some(op) = string_op {
                self.string_match(op, expr)
            } else if is_in {
                self.in_list(expr)
            } else {
                self.is_null(expr)
            };
            match step {
                Ok(e) => expr = e,
                Err(e) => break Err(e),
            }
        };
        self.leave(levels);
        result
    }

    fn string_match(&mut self, op: StringOp, left: Expr) -> Result<Expr, QueryError> {
        if op != StringOp::Contains {
            if !self.peek().tok.is_keyword("WITH") {
                let word = if op == StringOp::StartsWith {
                    "STARTS"
                } else {
                    "ENDS"
                };
                return Err(self.unexpected(&format!("WITH after {word}")));
            }
            self.advance();
        }
        let right = self.operand(&format!("a value after {}", op.as_str()))?;
        Ok(Expr::StringMatch {
            op,
            left: Box::new(left),
            right: Box::new(right),
        })
    }

    fn in_list(&mut self, item: Expr) -> Result<Expr, QueryError> {
        let list = self.operand("a list after IN")?;
        if let Expr::Param(p) = &list {
            match self.params.get(p) {
                Some(Param::Typed(Value::List(_) | Value::Null)) | None => {}
                Some(_) => {
                    return Err(QueryError::NotAList {
                        param: p.to_string(),
                    })
                }
            }
        }
        Ok(Expr::In {
            item: Box::new(item),
            list: Box::new(list),
        })
    }

    fn is_null(&mut self, expr: Expr) -> Result<Expr, QueryError> {
        let negated = self.peek().tok.is_keyword("NOT");
        if negated {
            self.advance();
        }
        if !self.peek().tok.is_keyword("NULL") {
            let expected = if negated {
                "NULL after IS NOT"
            } else {
                "NULL or NOT NULL after IS"
            };
            return Err(self.unexpected(expected));
        }
        self.advance();
        Ok(Expr::IsNull {
            expr: Box::new(expr),
            negated,
        })
    }

    fn operand(&mut self, expected: &str) -> Result<Expr, QueryError> {
        let Spanned { tok, column } = self.peek().clone();
        match tok {
            Tok::Number(text) => {
                self.advance();
                number(&text, false, column)
            }
            Tok::Minus => {
                self.advance();
                match self.peek().tok.clone() {
                    Tok::Number(text) => {
                        self.advance();
                        number(&text, true, column)
                    }
                    _ => Err(self.unexpected("a number after '-'")),
                }
            }
            Tok::Str(s) => {
                self.advance();
                Ok(Expr::Literal(Value::String(s)))
            }
            Tok::Ident(word) if is_reserved(&word) => {
                let literal = if word.eq_ignore_ascii_case("true") {
                    Value::Bool(true)
                } else if word.eq_ignore_ascii_case("false") {
                    Value::Bool(false)
                } else if word.eq_ignore_ascii_case("null") {
                    Value::Null
                } else {
                    return Err(self.unexpected(expected));
                };
                self.advance();
                Ok(Expr::Literal(literal))
            }
            Tok::Ident(name) | Tok::Quoted(name) => {
                self.advance();
                self.path(name)
            }
            Tok::Param(p) => {
                self.check_param(&p)?;
                self.advance();
                Ok(Expr::Param(p))
            }
            Tok::LBracket => {
                self.advance();
                self.enter(column)?;
                let list = self.list_items(column)?;
                self.leave(1);
                Ok(Expr::List(list))
            }
            Tok::LParen => {
                self.advance();
                self.enter(column)?;
                let inner = self.or("an expression after '('")?;
                if self.peek().tok != Tok::RParen {
                    let expected = if self.last_was_operand {
                        format!(
                            "an operator, AND, OR, XOR or ')' to close the '(' at column {column}"
                        )
                    } else {
                        format!("AND, OR, XOR or ')' to close the '(' at column {column}")
                    };
                    return Err(self.unexpected(&expected));
                }
                self.advance();
                self.leave(1);
                self.last_was_operand = false;
                Ok(inner)
            }
            _ => Err(self.unexpected(expected)),
        }
    }

    fn list_items(&mut self, column: usize) -> Result<Vec<Expr>, QueryError> {
        let mut items = Vec::new();
        if self.peek().tok == Tok::RBracket {
            self.advance();
            return Ok(items);
        }
        loop {
            items.push(self.or("a list element")?);
            match self.peek().tok {
                Tok::Comma => {}
                Tok::RBracket => {
                    self.advance();
                    return Ok(items);
                }
                _ => {
                    let expected = format!("',' or ']' to close the '[' at column {column}");
                    return Err(self.unexpected(&expected));
                }
            }
            self.advance();
        }
    }

    fn path(&mut self, first: String) -> Result<Expr, QueryError> {
        let mut path = Vec::from([first]);
        while self.peek().tok == Tok::Dot {
            self.advance();
            match self.peek().tok.clone() {
                // Keywords are fine after a dot: `a.in` is unambiguous.
                Tok::Ident(name) | Tok::Quoted(name) => {
                    self.advance();
                    path.push(name);
                }
                _ => return Err(self.unexpected("a property name after '.'")),
            }
        }
        Ok(Expr::Property(path))
    }

    fn check_param(&self, param: &ParamRef) -> Result<(), QueryError> {
        if self.params.get(param).is_some() {
            return Ok(());
        }
        Err(match param {
            ParamRef::Positional(index) => QueryError::MissingParameter {
                index: *index,
                given: self.params.positional().len(),
            },
            ParamRef::Named(name) => QueryError::UnknownParameter { name: name.clone() },
        })
    }
}

/// Turns a number token (and an optional leading minus) into a literal.
fn number(text: &str, negative: bool, column: usize) -> Result<Expr, QueryError> {
    let signed = if negative {
        format!("-{text}")
    } else {
        String::from(text)
    };
    let value = if text.contains(['.', 'e', 'E']) {
        match signed.parse::<f64>() {
            Ok(x) if x.is_finite() => Value::Float(x),
            _ => {
                return Err(QueryError::InvalidLiteral {
                    column,
                    message: format!("number {signed} is out of range"),
                })
            }
        }
    } else {
        match signed.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => {
                return Err(QueryError::InvalidLiteral {
                    column,
                    message: format!("integer {signed} does not fit in 64 bits"),
                })
            }
        }
    };
    Ok(Expr::Literal(value))
}
