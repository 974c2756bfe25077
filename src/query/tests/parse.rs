//! Parser tests: every construct, canonical printing, and every error message.

use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::vec;

use super::{err, parse_err, q, s};
use crate::query::{CompareOp, Expr, ParamRef, Params, Query, QueryError, StringOp, MAX_DEPTH};
use crate::value::Value;

fn prop(path: &[&str]) -> Expr {
    Expr::Property(path.iter().map(|p| p.to_string()).collect())
}

fn lit(v: Value) -> Expr {
    Expr::Literal(v)
}

fn cmp(op: CompareOp, left: Expr, right: Expr) -> Expr {
    Expr::Compare {
        op,
        left: Box::new(left),
        right: Box::new(right),
    }
}

/// Parses and checks the canonical form.
fn canon(expr: &str, expected: &str) {
    let query = q(expr, &["a", "b", "c"]);
    assert_eq!(query.to_string(), expected, "{expr}");
    let again = q(expected, &["a", "b", "c"]);
    assert_eq!(
        again.expr(),
        query.expr(),
        "{expected} re-parses differently"
    );
}

#[test]
fn parses_a_comparison_into_the_ast() {
    let query = q("name = $1", &["Alice"]);
    assert_eq!(
        *query.expr(),
        cmp(
            CompareOp::Eq,
            prop(&["name"]),
            Expr::Param(ParamRef::Positional(1))
        )
    );
}

#[test]
fn parses_paths_quoted_names_and_params() {
    let params = Params::new().named_text("city", "Paris");
    let query = Query::parse("address.`zip code`.`a``b` = $city", params).unwrap();
    assert_eq!(
        *query.expr(),
        cmp(
            CompareOp::Eq,
            prop(&["address", "zip code", "a`b"]),
            Expr::Param(ParamRef::Named("city".into()))
        )
    );
    canon("a.in = 1", "(a.`in` = 1)");
    canon("`in` = 1", "(`in` = 1)");
    canon("`plain` = 1", "(plain = 1)");
    canon("ünïcode_1 = 1", "(ünïcode_1 = 1)");
}

#[test]
fn parses_literals() {
    let cases = [
        ("x = 'it\\'s'", s("it's")),
        ("x = \"say \\\"hi\\\"\"", s("say \"hi\"")),
        ("x = 'a\\\\b\\n\\t\\r'", s("a\\b\n\t\r")),
        ("x = '\\u00e9\\U0001F600'", s("é😀")),
        ("x = \"it's\"", s("it's")),
        ("x = 42", Value::Int(42)),
        ("x = -42", Value::Int(-42)),
        ("x = - 42", Value::Int(-42)),
        ("x = -9223372036854775808", Value::Int(i64::MIN)),
        ("x = 1.5", Value::Float(1.5)),
        ("x = 1e3", Value::Float(1000.0)),
        ("x = 2.5E-3", Value::Float(0.0025)),
        ("x = -1.5e+2", Value::Float(-150.0)),
        ("x = TRUE", Value::Bool(true)),
        ("x = False", Value::Bool(false)),
        ("x = NuLL", Value::Null),
    ];
    for (text, value) in cases {
        let query = q(text, &[]);
        assert_eq!(
            *query.expr(),
            cmp(CompareOp::Eq, prop(&["x"]), lit(value)),
            "{text}"
        );
    }
    canon(
        "x = [1, 'a', $2, [true, null], 1.0]",
        "(x = [1, 'a', $2, [true, null], 1.0])",
    );
    canon("x = []", "(x = [])");
    canon("x = 1e300", "(x = 1e300)");
    canon("x = 'q\\'\\\\\\n\\u0001'", "(x = 'q\\'\\\\\\n\\U00000001')");
}

#[test]
fn parses_every_operator() {
    canon("a = 1", "(a = 1)");
    canon("a <> 1", "(a <> 1)");
    canon("a != 1", "(a <> 1)");
    canon("a < 1", "(a < 1)");
    canon("a <= 1", "(a <= 1)");
    canon("a > 1", "(a > 1)");
    canon("a >= 1", "(a >= 1)");
    canon("a IN [1, 2]", "(a IN [1, 2])");
    let typed = Params::new().typed(Value::List(vec![Value::Int(1)]));
    let query = Query::parse("a in $1", typed).unwrap();
    assert_eq!(query.to_string(), "(a IN $1)");
    canon("a STARTS WITH 'x'", "(a STARTS WITH 'x')");
    canon("a ends with 'x'", "(a ENDS WITH 'x')");
    canon("a Contains 'x'", "(a CONTAINS 'x')");
    canon("a IS NULL", "(a IS NULL)");
    canon("a is not null", "(a IS NOT NULL)");
    canon("NOT a", "(NOT a)");
    canon("a AND b AND c", "(a AND b AND c)");
    canon("a or b", "(a OR b)");
    canon("a xor b", "(a XOR b)");
    canon("active", "active");
}

#[test]
fn follows_cypher_precedence() {
    canon(
        "a = 1 OR b = 2 AND c = 3",
        "((a = 1) OR ((b = 2) AND (c = 3)))",
    );
    canon("a OR b XOR c AND d", "(a OR (b XOR (c AND d)))");
    canon("NOT a = 1 AND b", "((NOT (a = 1)) AND b)");
    canon("NOT NOT a", "(NOT (NOT a))");
    canon("(a OR b) AND c", "((a OR b) AND c)");
    canon("((a AND b)) AND c", "((a AND b) AND c)");
    // String, list and null predicates bind tighter than comparisons, as in openCypher.
    canon("a = b IS NULL", "(a = (b IS NULL))");
    canon("a IS NULL = true", "((a IS NULL) = true)");
    canon("a IN [1] IN [true]", "((a IN [1]) IN [true])");
    canon(
        "x STARTS WITH 'a' IS NOT NULL",
        "((x STARTS WITH 'a') IS NOT NULL)",
    );
}

#[test]
fn string_match_ast() {
    let query = q("name STARTS WITH $1", &["Al"]);
    assert_eq!(
        *query.expr(),
        Expr::StringMatch {
            op: StringOp::StartsWith,
            left: Box::new(prop(&["name"])),
            right: Box::new(Expr::Param(ParamRef::Positional(1))),
        }
    );
}

#[test]
fn reports_syntax_errors_with_columns() {
    let cases = [
        (
            "timestamp >",
            "query error at column 12: expected a value after '>', found end of input",
        ),
        ("", "query error at column 1: expected an expression, found end of input"),
        (
            "name = ",
            "query error at column 8: expected a value after '=', found end of input",
        ),
        (
            "a = 1 AND",
            "query error at column 10: expected an expression after AND, found end of input",
        ),
        (
            "a = 1 OR OR",
            "query error at column 10: expected an expression after OR, found keyword OR",
        ),
        (
            "NOT",
            "query error at column 4: expected an expression after NOT, found end of input",
        ),
        (
            "name Alice",
            "query error at column 6: expected an operator, AND, OR, XOR or end of input, found identifier Alice",
        ),
        (
            "a = 1 b",
            "query error at column 7: expected AND, OR, XOR or end of input, found identifier b",
        ),
        (
            "a < b < c",
            "query error at column 7: expected AND, OR, XOR or end of input (comparisons cannot be chained; use AND), found '<'",
        ),
        (
            "(a = 1",
            "query error at column 7: expected AND, OR, XOR or ')' to close the '(' at column 1, found end of input",
        ),
        (
            "a = 1)",
            "query error at column 6: expected AND, OR, XOR or end of input, found ')'",
        ),
        (
            "a IN [1, 2",
            "query error at column 11: expected ',' or ']' to close the '[' at column 6, found end of input",
        ),
        (
            "a IN [1,]",
            "query error at column 9: expected a list element, found ']'",
        ),
        ("a IN", "query error at column 5: expected a list after IN, found end of input"),
        (
            "a STARTS 'x'",
            "query error at column 10: expected WITH after STARTS, found string 'x'",
        ),
        (
            "a ENDS x",
            "query error at column 8: expected WITH after ENDS, found identifier x",
        ),
        (
            "a CONTAINS",
            "query error at column 11: expected a value after CONTAINS, found end of input",
        ),
        (
            "a IS 1",
            "query error at column 6: expected NULL or NOT NULL after IS, found number 1",
        ),
        (
            "a IS NOT 1",
            "query error at column 10: expected NULL after IS NOT, found number 1",
        ),
        ("a. = 1", "query error at column 4: expected a property name after '.', found '='"),
        ("a = -x", "query error at column 6: expected a number after '-', found identifier x"),
        ("a ! 1", "query error at column 4: expected '=' after '!', found ' '"),
        (
            "a # 1",
            "query error at column 3: expected a property, a value or an operator, found '#'",
        ),
        ("a = 'abc", "query error at column 9: expected a closing ', found end of input"),
        ("`abc = 1", "query error at column 9: expected a closing '`', found end of input"),
        ("a = 1e", "query error at column 7: expected digits in the exponent, found end of input"),
        ("a = $", "query error at column 6: expected a parameter name or number after '$', found end of input"),
        ("a = $1x", "query error at column 7: expected the end of the parameter number, found 'x'"),
        ("and = 1", "query error at column 1: expected an expression, found keyword AND"),
        ("a = NOT b", "query error at column 5: expected a value after '=', found keyword NOT"),
        ("a = 'é' b", "query error at column 9: expected AND, OR, XOR or end of input, found identifier b"),
    ];
    for (text, message) in cases {
        assert_eq!(err(text, &["p"]), message, "{text}");
    }
}

#[test]
fn reports_invalid_literals() {
    let cases = [
        (
            "a = 9223372036854775808",
            "query error at column 5: integer 9223372036854775808 does not fit in 64 bits",
        ),
        (
            "a = -9223372036854775809",
            "query error at column 5: integer -9223372036854775809 does not fit in 64 bits",
        ),
        (
            "a = 1e999",
            "query error at column 5: number 1e999 is out of range",
        ),
        (
            "a = 'x\\qy'",
            "query error at column 7: invalid escape sequence '\\q'",
        ),
        (
            "a = '\\u12'",
            "query error at column 6: a unicode escape needs 4 hexadecimal digits",
        ),
        (
            "a = '\\uD800'",
            "query error at column 6: \\uD800 is not a valid unicode character",
        ),
        (
            "`` = 1",
            "query error at column 1: an identifier cannot be empty",
        ),
        (
            "a = $0",
            "query error at column 5: parameters are numbered from $1",
        ),
        (
            "a = $99999999999999999999999",
            "query error at column 5: parameter number $99999999999999999999999 is too large",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(err(text, &["p"]), message, "{text}");
    }
}

#[test]
fn reports_parameter_errors() {
    assert_eq!(
        err("a = $3", &["x", "y"]),
        "missing parameter $3: 2 parameters were given"
    );
    assert_eq!(
        err("a = $2", &["x"]),
        "missing parameter $2: 1 parameter was given"
    );
    assert_eq!(
        err("a = $1", Params::new()),
        "missing parameter $1: no parameters were given"
    );
    assert_eq!(err("a = $name", &["x"]), "unknown parameter $name");
    assert_eq!(
        err("a IN $1", &["x"]),
        "parameter $1 is used with IN and must be a list"
    );
    assert_eq!(
        err("a IN $ids", Params::new().named_typed("ids", Value::Int(1))),
        "parameter $ids is used with IN and must be a list"
    );
    assert!(Query::parse("a IN $1", Params::new().typed(Value::Null)).is_ok());
    assert!(Query::parse("a IN $1", Params::new().typed(Value::List(vec![]))).is_ok());
    assert_eq!(
        parse_err("a = $1"),
        QueryError::MissingParameter { index: 1, given: 0 }
    );
}

#[test]
fn caps_nesting_depth() {
    let ok = alloc::format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(Query::parse(&ok, Params::new()).is_ok());
    let deep = alloc::format!(
        "{}a{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(
        parse_err(&deep),
        QueryError::TooDeep {
            column: 65,
            limit: 64
        }
    );
    assert_eq!(
        parse_err(&deep).to_string(),
        "query error at column 65: expression nested deeper than 64 levels"
    );
    let nots = "NOT ".repeat(100_000);
    assert!(matches!(parse_err(&nots), QueryError::TooDeep { .. }));
    let lists = "[".repeat(100_000);
    assert!(matches!(parse_err(&lists), QueryError::TooDeep { .. }));
    let chain = alloc::format!("a{}", " IS NULL".repeat(100_000));
    assert!(matches!(parse_err(&chain), QueryError::TooDeep { .. }));
    // Long flat chains are fine: they do not nest.
    let flat = alloc::format!("a = 1{}", " AND a = 1".repeat(10_000));
    assert!(Query::parse(&flat, Params::new()).is_ok());
}
