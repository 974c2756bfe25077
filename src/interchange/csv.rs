//! CSV in the style of `neo4j-admin database import`, one file per label.
//!
//! ```text
//! nodes_Person.csv   :ID,:LABEL,name:string,age:long,score:double,active:boolean,tags:string[]
//!                    alice,Person,Alice,30,1.5,true,a;b
//! edges_KNOWS.csv    :START_ID,:END_ID,:TYPE,weight:double
//!                    alice,bob,KNOWS,0.5
//! ```
//! Types: `int`/`long`/`short`/`byte` (integers), `float`/`double`,
//! `boolean`, `string`/`char` (the default), our `json` (any value as JSON
//! text); `[]` makes an array whose items are separated by `;`. An empty
//! cell means the property is absent. A file is a node file when its header
//! has an `:ID` column, an edge file when it has `:START_ID` and `:END_ID`.
//! Without a `:LABEL` (`:TYPE`) column the label comes from the file name
//! (`nodes_<Label>.csv`, `edges_<TYPE>.csv`). A named id column
//! (`id:ID`) is not stored as a property.
// This module exists only with `std`; it uses std paths throughout.
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::collections::BTreeMap;
use std::format;
use std::io::Read;
use std::path::Path;
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use knowledge_graph_storage::Storage;

use super::{
    edge_properties, node_properties, properties_map, ExportSummary, Format, InterchangeError,
    Pending, Progress, ProgressFn,
};
use crate::value::{Map, Value};
use crate::{block_on, Graph};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Int,
    Float,
    Bool,
    String,
    Json,
}

impl Scalar {
    fn parse(name: &str) -> Option<Scalar> {
        Some(match name.to_ascii_lowercase().as_str() {
            "int" | "long" | "short" | "byte" => Scalar::Int,
            "float" | "double" => Scalar::Float,
            "boolean" => Scalar::Bool,
            "string" | "char" => Scalar::String,
            "json" => Scalar::Json,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Scalar::Int => "long",
            Scalar::Float => "double",
            Scalar::Bool => "boolean",
            Scalar::String => "string",
            Scalar::Json => "json",
        }
    }

    fn value(self, text: &str) -> Result<Value, String> {
        match self {
            Scalar::Int => text
                .trim()
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| format!("'{text}' is not an integer")),
            Scalar::Float => text
                .trim()
                .parse::<f64>()
                .map(Value::Float)
                .map_err(|_| format!("'{text}' is not a number")),
            Scalar::Bool => match text.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(format!("'{text}' is not a boolean (true or false)")),
            },
            Scalar::String => Ok(Value::String(text.to_string())),
            Scalar::Json => {
                serde_json::from_str::<Value>(text).map_err(|e| format!("invalid JSON: {e}"))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Id,
    Label,
    StartId,
    EndId,
    Ignore,
    Property {
        name: String,
        scalar: Scalar,
        array: bool,
    },
}

fn parse_column(header: &str) -> Result<Column, String> {
    let (name, kind) = match header.rfind(':') {
        Some(at) => (&header[..at], &header[at + 1..]),
        None => (header, "string"),
    };
    let upper = kind.to_ascii_uppercase();
    // `ID(Group)`: id spaces are not used here.
    let base = upper.split('(').next().unwrap_or("");
    match base {
        "ID" => return Ok(Column::Id),
        "LABEL" => return Ok(Column::Label),
        "TYPE" => return Ok(Column::Label),
        "START_ID" => return Ok(Column::StartId),
        "END_ID" => return Ok(Column::EndId),
        "IGNORE" => return Ok(Column::Ignore),
        _ => {}
    }
    if name.is_empty() {
        return Err(format!("column '{header}' has no property name"));
    }
    let (kind, array) = match kind.strip_suffix("[]") {
        Some(kind) => (kind, true),
        None => (kind, false),
    };
    let scalar = Scalar::parse(kind).ok_or_else(|| {
        format!(
            "column '{header}' has unknown type '{kind}': expected int, long, float, double, boolean, string or json, optionally with []"
        )
    })?;
    Ok(Column::Property {
        name: name.to_string(),
        scalar,
        array,
    })
}

fn stem_label(name: &str, prefix: &str) -> Option<String> {
    let stem = Path::new(name).file_stem()?.to_str()?;
    stem.strip_prefix(prefix)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
}

pub(crate) fn read<S: Storage>(
    pending: &mut Pending<'_, S>,
    file: u32,
    reader: impl Read,
) -> Result<(), InterchangeError> {
    let name = pending.location(Pending::<S>::at_line(file, 1), None).file;
    let mut csv = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let header_error = |pending: &Pending<'_, S>, detail: String| {
        pending.error(Pending::<S>::at_line(file, 1), detail)
    };
    let headers = csv
        .headers()
        .map_err(|e| header_error(pending, format!("unreadable header: {e}")))?
        .clone();
    let mut columns = Vec::with_capacity(headers.len());
    for header in &headers {
        columns.push(parse_column(header).map_err(|d| header_error(pending, d))?);
    }
    let find = |c: &Column| columns.iter().position(|x| x == c);
    let (id, start, end, label) = (
        find(&Column::Id),
        find(&Column::StartId),
        find(&Column::EndId),
        find(&Column::Label),
    );
    let is_edge = match (id, start, end) {
        (Some(_), None, None) => false,
        (None, Some(_), Some(_)) => true,
        _ => {
            return Err(header_error(
                pending,
                "the header needs an :ID column (a node file) or :START_ID and :END_ID columns (an edge file)".to_string(),
            ))
        }
    };
    let default_label = stem_label(&name, if is_edge { "edges_" } else { "nodes_" });
    if label.is_none() && default_label.is_none() {
        return Err(header_error(
            pending,
            format!(
                "no {} column, and the file name does not say the label ({}<Label>.csv)",
                if is_edge { ":TYPE" } else { ":LABEL" },
                if is_edge { "edges_" } else { "nodes_" }
            ),
        ));
    }
    let mut record = ::csv::StringRecord::new();
    loop {
        let more = csv.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            let detail = match e.kind() {
                ::csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => {
                    format!("{len} fields, but the header has {expected_len}")
                }
                ::csv::ErrorKind::Utf8 { .. } => "a field is not valid UTF-8".to_string(),
                _ => e.to_string(),
            };
            pending.error(Pending::<S>::at_line(file, line), detail)
        })?;
        if !more {
            return Ok(());
        }
        let line = record.position().map_or(0, |p| p.line());
        let origin = Pending::<S>::at_line(file, line);
        let mut properties = Map::new();
        for (index, column) in columns.iter().enumerate() {
            let Column::Property {
                name,
                scalar,
                array,
            } = column
            else {
                continue;
            };
            let cell = record.get(index).unwrap_or("");
            if cell.is_empty() {
                continue;
            }
            let parsed = if *array {
                cell.split(';')
                    .map(|item| scalar.value(item))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::List)
            } else {
                scalar.value(cell)
            };
            let value = parsed.map_err(|detail| {
                InterchangeError::input(
                    pending.location(origin, Some(headers[index].to_string())),
                    detail,
                )
            })?;
            properties.insert(name.clone(), value);
        }
        let label_text = match label.and_then(|l| record.get(l)).filter(|l| !l.is_empty()) {
            Some(text) => text,
            None => default_label.as_deref().unwrap_or(""),
        };
        if label_text.contains(';') {
            return Err(pending.error(
                origin,
                format!("several labels '{label_text}': a node has exactly one label"),
            ));
        }
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        if is_edge {
            pending.edge(
                origin,
                label_text,
                cell(start),
                cell(end),
                edge_properties(properties),
                None,
            )?;
        } else {
            pending.node(origin, label_text, cell(id), node_properties(properties))?;
        }
    }
}

// ----- export ---------------------------------------------------------------------

/// The narrowest column type that holds every value of a property.
fn infer(values: &mut dyn Iterator<Item = &Value>) -> (Scalar, bool) {
    fn scalar_of(value: &Value) -> Option<Scalar> {
        match value {
            Value::Int(_) => Some(Scalar::Int),
            Value::Float(_) => Some(Scalar::Float),
            Value::Bool(_) => Some(Scalar::Bool),
            // An empty string would read back as an absent property.
            Value::String(s) if !s.is_empty() => Some(Scalar::String),
            _ => None,
        }
    }
    let mut found: Option<(Scalar, bool)> = None;
    for value in values {
        let this = match value {
            Value::List(items) if !items.is_empty() => {
                let first = scalar_of(&items[0]);
                let same = items.iter().all(|item| {
                    scalar_of(item) == first && !matches!(item, Value::String(s) if s.contains(';'))
                });
                match first {
                    Some(scalar) if same => (scalar, true),
                    _ => return (Scalar::Json, false),
                }
            }
            other => match scalar_of(other) {
                Some(scalar) => (scalar, false),
                None => return (Scalar::Json, false),
            },
        };
        match found {
            None => found = Some(this),
            Some(prev) if prev == this => {}
            Some(_) => return (Scalar::Json, false),
        }
    }
    found.unwrap_or((Scalar::Json, false))
}

fn cell(value: &Value, scalar: Scalar, array: bool) -> Result<String, InterchangeError> {
    let one = |v: &Value| -> Result<String, InterchangeError> {
        Ok(match (scalar, v) {
            (Scalar::Int, Value::Int(i)) => i.to_string(),
            (Scalar::Float, Value::Float(f)) => format!("{f:?}"),
            (Scalar::Bool, Value::Bool(b)) => b.to_string(),
            (Scalar::String, Value::String(s)) => s.clone(),
            (_, other) => serde_json::to_string(other)
                .map_err(|e| InterchangeError::invalid(format!("cannot write {other}: {e}")))?,
        })
    };
    match (array, value) {
        (true, Value::List(items)) => Ok(items
            .iter()
            .map(one)
            .collect::<Result<Vec<_>, _>>()?
            .join(";")),
        _ => one(value),
    }
}

/// A file-name-safe form of a label (the real label is in the file).
fn file_part(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

struct Table {
    columns: Vec<(String, Scalar, bool)>,
}

impl Table {
    fn infer<'a>(records: impl Iterator<Item = &'a Map> + Clone) -> Table {
        let mut names: BTreeMap<&str, ()> = BTreeMap::new();
        for map in records.clone() {
            for key in map.keys() {
                names.insert(key, ());
            }
        }
        let columns = names
            .keys()
            .map(|name| {
                let (scalar, array) = infer(&mut records.clone().filter_map(|m| m.get(*name)));
                (name.to_string(), scalar, array)
            })
            .collect();
        Table { columns }
    }

    fn headers(&self, fixed: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        for (name, scalar, array) in &self.columns {
            out.push(format!(
                "{name}:{}{}",
                scalar.name(),
                if *array { "[]" } else { "" }
            ));
        }
        out
    }

    fn row(&self, fixed: Vec<String>, map: &Map) -> Result<Vec<String>, InterchangeError> {
        let mut row = fixed;
        for (name, scalar, array) in &self.columns {
            row.push(match map.get(name) {
                Some(value) => cell(value, *scalar, *array)?,
                None => String::new(),
            });
        }
        Ok(row)
    }
}

pub(crate) fn write<S: Storage>(
    graph: &Graph<S>,
    dir: &Path,
    progress: &mut ProgressFn<'_>,
) -> Result<ExportSummary, InterchangeError> {
    let mut summary = ExportSummary::default();
    let total = (block_on(graph.count_nodes())? + block_on(graph.count_edges())?) as u64;
    let mut done = 0u64;
    let mut used_names: BTreeMap<String, ()> = BTreeMap::new();
    let mut file_for = |prefix: &str, label: &str| {
        let base = format!("{prefix}_{}", file_part(label));
        let mut name = format!("{base}.csv");
        let mut n = 2;
        while used_names.contains_key(&name) {
            name = format!("{base}_{n}.csv");
            n += 1;
        }
        used_names.insert(name.clone(), ());
        dir.join(name)
    };
    let mut labels: Vec<String> = graph.labels().into_iter().map(|(l, _)| l).collect();
    labels.sort();
    for label in labels {
        let nodes = block_on(graph.get_nodes(Some(&label), None))?;
        let maps = nodes
            .iter()
            .map(|n| properties_map(&n.properties, &|| format!("node '{}'", n.id), Format::Csv))
            .collect::<Result<Vec<_>, _>>()?;
        let table = Table::infer(maps.iter().map(|m| &**m));
        let path = file_for("nodes", &label);
        let mut out = writer(&path)?;
        let name = path.display().to_string();
        let err = |e: ::csv::Error| InterchangeError::io(&name, std::io::Error::other(e));
        out.write_record(table.headers(&[":ID", ":LABEL"]))
            .map_err(err)?;
        for (node, map) in nodes.iter().zip(&maps) {
            out.write_record(table.row(vec![node.id.clone(), label.clone()], map)?)
                .map_err(err)?;
            done += 1;
        }
        out.flush().map_err(|e| InterchangeError::io(&name, e))?;
        summary.nodes += nodes.len() as u64;
        summary.files.push(path);
        progress(Progress::Exporting { done, total });
    }
    let mut edge_labels: Vec<String> = {
        let mut set = BTreeMap::new();
        let view = graph.read();
        for index in view.nodes() {
            for id in view.out_edges(index) {
                if let Some((_, _, label)) = view.edge_endpoints(id) {
                    if !set.contains_key(label) {
                        set.insert(label.to_string(), ());
                    }
                }
            }
        }
        set.into_keys().collect()
    };
    edge_labels.sort();
    for label in edge_labels {
        let edges = block_on(graph.get_edges(Some(&label), None, None))?;
        let maps = edges
            .iter()
            .map(|e| properties_map(&e.properties, &|| format!("edge {}", e.id), Format::Csv))
            .collect::<Result<Vec<_>, _>>()?;
        let table = Table::infer(maps.iter().map(|m| &**m));
        let path = file_for("edges", &label);
        let mut out = writer(&path)?;
        let name = path.display().to_string();
        let err = |e: ::csv::Error| InterchangeError::io(&name, std::io::Error::other(e));
        out.write_record(table.headers(&[":START_ID", ":END_ID", ":TYPE"]))
            .map_err(err)?;
        for (edge, map) in edges.iter().zip(&maps) {
            out.write_record(table.row(
                vec![edge.source.clone(), edge.target.clone(), label.clone()],
                map,
            )?)
            .map_err(err)?;
            done += 1;
        }
        out.flush().map_err(|e| InterchangeError::io(&name, e))?;
        summary.edges += edges.len() as u64;
        summary.files.push(path);
        progress(Progress::Exporting { done, total });
    }
    Ok(summary)
}

fn writer(path: &Path) -> Result<::csv::Writer<std::fs::File>, InterchangeError> {
    let file = std::fs::File::create(path)
        .map_err(|e| InterchangeError::io(&path.display().to_string(), e))?;
    Ok(::csv::WriterBuilder::new().from_writer(file))
}
