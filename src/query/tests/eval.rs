//! Evaluation tests: three-valued logic, coercion, lists, strings, paths and built-ins.

use alloc::vec;
use alloc::vec::Vec;

use super::{map, q, s, TestRecord};
use crate::query::{BuiltinValue, Params, Query};
use crate::value::Value;

fn person() -> TestRecord {
    TestRecord::new()
        .with("name", s("Alice"))
        .with("age", Value::Int(31))
        .with("score", Value::Float(7.5))
        .with("active", Value::Bool(true))
        .with("nothing", Value::Null)
        .with("tags", Value::List(vec![s("rust"), s("graphs")]))
        .with("blob", Value::Bytes(vec![1, 2, 3]))
        .with(
            "address",
            map(&[
                ("city", s("Paris")),
                ("geo", map(&[("lat", Value::Float(48.85))])),
            ]),
        )
        .with("first name", s("Al"))
}

/// Asserts which of `exprs` match the person (with text parameters `params`).
fn check(params: &[&str], matching: &[&str], failing: &[&str]) {
    let record = person();
    for expr in matching {
        assert!(q(expr, params).matches(&record), "{expr} should match");
    }
    for expr in failing {
        assert!(!q(expr, params).matches(&record), "{expr} should not match");
    }
}

#[test]
fn compares_scalars() {
    check(
        &[],
        &[
            "name = 'Alice'",
            "name <> 'Bob'",
            "age = 31",
            "age = 31.0",
            "age > 30",
            "age >= 31",
            "age < 31.5",
            "score <= 7.5",
            "score > 7",
            "name < 'Bob'",
            "active = true",
            "true > false",
            "blob = blob",
            "tags = ['rust', 'graphs']",
            "tags < ['rust', 'h']",
            "tags > ['rust']",
            "address = address",
        ],
        &[
            "name = 'alice'",
            "age = '31'",
            "age <> 31",
            "age > 31",
            "score < 7.5",
            "tags = ['rust']",
            "tags = ['graphs', 'rust']",
        ],
    );
}

#[test]
fn three_valued_logic() {
    check(
        &[],
        &[
            "missing IS NULL",
            "nothing IS NULL",
            "name IS NOT NULL",
            "missing = 1 OR true",
            "NOT (missing = 1 AND false)",
            "(missing = 1) IS NULL",
            "NOT (age = 1)",
            "age = 31 XOR age = 1",
            "null IS NULL",
        ],
        &[
            "missing = 1",
            "missing <> 1",
            "NOT (missing = 1)",
            "missing = null",
            "null = null",
            "nothing = nothing",
            "missing = 1 AND true",
            "missing = 1 OR false",
            "missing = 1 XOR true",
            "age = 31 XOR age = 31",
            "missing IS NOT NULL",
            "tags = ['rust', null]",
            "name",
            "age AND true",
        ],
    );
}

#[test]
fn incomparable_types_are_null_not_errors() {
    check(
        &[],
        &[
            "name <> 1",
            "NOT (name = 1)",
            "(name < 1) IS NULL",
            "(tags < 1) IS NULL",
        ],
        &[
            "name < 1",
            "name >= 1",
            "NOT (name < 1)",
            "age < 'x'",
            "active > 0",
            "address < address",
            "blob > 'a'",
        ],
    );
}

#[test]
fn nan_compares_false() {
    let nan = Params::new().typed(Value::Float(f64::NAN));
    let record = person();
    for (expr, expected) in [
        ("score = $1", false),
        ("score < $1", false),
        ("score >= $1", false),
        ("NOT (score < $1)", true),
        ("score <> $1", true),
    ] {
        let query = Query::parse(expr, nan.clone()).unwrap();
        assert_eq!(query.matches(&record), expected, "{expr}");
    }
}

#[test]
fn text_params_take_the_type_they_meet() {
    check(
        &["31", "Alice", "true", "7.5", "abc", "1e1", "+31"],
        &[
            "age = $1",
            "age >= $1",
            "score < $1",
            "name = $2",
            "active = $3",
            "score = $4",
            "age <> $5",
            "age > $6",
            "age = $7",
            "$3",
            "$3 AND age = $1",
            "name > $1",
            "$1 = $1",
            "tags = [$2] OR tags = ['rust', 'graphs']",
        ],
        &[
            "age = $2",
            "age < $5",
            "age >= $5",
            "active = $1",
            "age = $5",
            "name = $1",
            "NOT $3",
        ],
    );
}

#[test]
fn typed_params_are_used_as_they_are() {
    let record = person();
    let params = Params::new()
        .typed(s("31"))
        .typed(Value::Int(31))
        .named_typed("tags", Value::List(vec![s("rust"), s("graphs")]));
    let matches = |expr: &str| Query::parse(expr, params.clone()).unwrap().matches(&record);
    assert!(!matches("age = $1"));
    assert!(matches("age = $2"));
    assert!(matches("tags = $tags"));
    assert!(matches("'rust' IN $tags"));
    assert!(!matches("age IN $tags"));
}

#[test]
fn in_lists() {
    check(
        &["31", "Bob"],
        &[
            "age IN [1, 31]",
            "age IN [31.0]",
            "name IN ['Bob', 'Alice']",
            "age IN [$1]",
            "name IN [$2, 'Alice']",
            "'rust' IN tags",
            "(age IN [1, null]) IS NULL",
            "NOT (age IN [])",
            "(missing IN [1]) IS NULL",
            "NOT (missing IN [])",
            "age IN [1, null, 31]",
            "[1, 2] IN [[1, 2]]",
            "(name IN name) IS NULL",
        ],
        &[
            "age IN [1, 2]",
            "age IN [1, null]",
            "name IN [$2]",
            "'go' IN tags",
            "age IN []",
        ],
    );
    let none = Params::new().typed(Value::Null);
    assert!(!Query::parse("age IN $1", none.clone())
        .unwrap()
        .matches(&person()));
    assert!(Query::parse("(age IN $1) IS NULL", none)
        .unwrap()
        .matches(&person()));
}

#[test]
fn string_predicates() {
    check(
        &["Al", "ce"],
        &[
            "name STARTS WITH 'Al'",
            "name ENDS WITH 'ice'",
            "name CONTAINS 'lic'",
            "name STARTS WITH $1",
            "name ENDS WITH $2",
            "name STARTS WITH ''",
            "(age STARTS WITH '3') IS NULL",
            "(name CONTAINS 1) IS NULL",
        ],
        &[
            "name STARTS WITH 'al'",
            "name ENDS WITH 'Al'",
            "name CONTAINS 'z'",
            "age STARTS WITH '3'",
            "missing CONTAINS 'a'",
            "NOT (name CONTAINS null)",
        ],
    );
}

#[test]
fn nested_paths_and_quoted_names() {
    check(
        &["Paris"],
        &[
            "address.city = 'Paris'",
            "address.city = $1",
            "address.geo.lat > 48",
            "`first name` = 'Al'",
            "address.zip IS NULL",
            "name.first IS NULL",
            "address.`city` STARTS WITH 'Pa'",
        ],
        &[
            "address.city = 'Lyon'",
            "address.geo.lat.deg = 1",
            "address.geo = 1",
        ],
    );
    // Long paths take the allocating branch.
    let deep = TestRecord::new().with(
        "a",
        map(&[(
            "b",
            map(&[(
                "c",
                map(&[(
                    "d",
                    map(&[(
                        "e",
                        map(&[(
                            "f",
                            map(&[("g", map(&[("h", map(&[("i", Value::Int(1))]))]))]),
                        )]),
                    )]),
                )]),
            )]),
        )]),
    );
    assert!(q("a.b.c.d.e.f.g.h.i = 1", &[]).matches(&deep));
    assert!(q("a.b.c.d.e.f.g.h = a.b.c.d.e.f.g.h", &[]).matches(&deep));
}

const NOON: i64 = 1_714_564_800_000; // 2024-05-01T12:00:00Z in milliseconds

#[test]
fn timestamp_compares_with_rfc3339_and_seconds() {
    let edge = TestRecord::edge(NOON + 250, "u1", "p9").with("count", Value::Int(12));
    let matching = [
        ("timestamp > $1", "2024-05-01T12:00:00Z"),
        ("timestamp < $1", "2024-05-01T12:00:00.251Z"),
        ("timestamp = $1", "2024-05-01T12:00:00.25Z"),
        ("timestamp = $1", "2024-05-01T14:00:00.250+02:00"),
        ("timestamp > $1", "2024-05-01T13:00:00+02:00"),
        ("timestamp >= $1", "1714564800.25"),
        ("timestamp > $1", "1714564800"),
        ("timestamp <> $1", "not a time"),
        ("timestamp > $1 AND count > $2", "2024-04-30T12:00:00Z"),
    ];
    for (expr, param) in matching {
        assert!(
            q(expr, &[param, "10"]).matches(&edge),
            "{expr} with {param}"
        );
    }
    let failing = [
        ("timestamp > $1", "2024-05-01T12:00:01Z"),
        ("timestamp < $1", "not a time"),
        ("timestamp = $1", "2024-05-01T12:00:00Z"),
        ("timestamp > $1 AND count > $2", "2024-05-02T00:00:00Z"),
    ];
    for (expr, param) in failing {
        assert!(
            !q(expr, &[param, "10"]).matches(&edge),
            "{expr} with {param}"
        );
    }
    for expr in [
        "timestamp > 1714564800",
        "timestamp < 1714564800.3",
        "timestamp > '2024-05-01T12:00:00Z'",
        "timestamp IS NOT NULL",
        "timestamp IN [1714564800.25]",
    ] {
        assert!(q(expr, &[]).matches(&edge), "{expr}");
    }
    let typed = Params::new().typed(Value::Int(1_714_564_801));
    assert!(Query::parse("timestamp < $1", typed)
        .unwrap()
        .matches(&edge));
}

#[test]
fn builtins_win_over_properties() {
    let edge = TestRecord::edge(NOON, "u1", "p9")
        .with("timestamp", Value::Int(5))
        .with("source", map(&[("name", s("feed"))]));
    assert!(q("source = 'u1' AND target = $1", &["p9"]).matches(&edge));
    assert!(q("timestamp > 10", &[]).matches(&edge));
    // Multi-segment paths are always properties.
    assert!(q("source.name = 'feed'", &[]).matches(&edge));
    // A node has `id` but no `timestamp`: the property is used.
    let node = TestRecord::new()
        .builtin("id", BuiltinValue::Value(s("n1")))
        .with("timestamp", Value::Int(5))
        .with("id", s("other"));
    assert!(q("id = 'n1' AND timestamp = 5", &[]).matches(&node));
}

#[test]
fn property_maps_are_records() {
    let mut props = crate::value::Map::new();
    props.insert("name".into(), s("Alice"));
    assert!(q("name = $1", &["Alice"]).matches(&props));
    let queries: Vec<Query> = ["name = 'x'", "id = 'n1'"]
        .iter()
        .map(|e| q(e, &[]))
        .collect();
    assert!(queries.iter().all(|query| !query.matches(&props)));
}

#[test]
fn deep_values_compare_as_null_past_the_limit() {
    let mut deep = Value::Int(1);
    for _ in 0..200 {
        deep = Value::List(vec![deep]);
    }
    let record = TestRecord::new().with("x", deep.clone());
    let params = Params::new().typed(deep);
    for expr in ["x = $1", "x < $1", "x IN [$1]", "x <> $1"] {
        assert!(
            !Query::parse(expr, params.clone()).unwrap().matches(&record),
            "{expr}"
        );
    }
    assert!(q("x = x OR x < x", &[]).matches(&TestRecord::new().with("x", Value::Int(1))));
}
