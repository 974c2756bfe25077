//! Property queries over one label: planning (secondary index or label scan),
//! execution with the whole expression as a residual filter, and `explain`.
//!
//! The same [`choose`] decides for [`Graph::explain_query`] and for the
//! executor, so the plan a user reads is the plan that runs. An index only
//! narrows the candidates; every candidate is checked against the full
//! expression, so the set of answers is identical with and without indexes.
//! Their order is deterministic but follows the access path: index order
//! (by value, then id) for an index, insertion order for a label scan. Pages
//! stop reading as soon as they are full.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::ops::ControlFlow;

use knowledge_graph_storage::{Keyspace, Storage};

use crate::error::Result;
use crate::graph::Graph;
use crate::index::{entry_record_id, within_upper, IndexDef, RecordKind};
use crate::model::{Edge, Node};
use crate::query::{lookup_path, BuiltinValue, IndexKind, KeyRange, Params, Query, Record};
use crate::read::GraphRead;
use crate::record;
use crate::value::Value;

const NODE_BUILTINS: &[&str] = &["id"];
const EDGE_BUILTINS: &[&str] = &["timestamp", "source", "target"];

/// Which part of the matches to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Page {
    /// Matches to skip first.
    pub offset: usize,
    /// At most this many matches; `None` for all.
    pub limit: Option<usize>,
}

impl Page {
    /// Every match.
    pub fn all() -> Self {
        Page::default()
    }

    /// At most `limit` matches after skipping `offset`.
    pub fn new(offset: usize, limit: usize) -> Self {
        Page {
            offset,
            limit: Some(limit),
        }
    }
}

/// How a query will run, as [`Graph::explain_query`] reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPlan {
    /// The steps, first to last.
    pub steps: Vec<PlanStep>,
}

impl QueryPlan {
    /// True when the first step reads a secondary index.
    pub fn uses_index(&self) -> bool {
        matches!(
            self.steps.first(),
            Some(PlanStep::IndexSeek { .. } | PlanStep::IndexRange { .. })
        )
    }
}

/// One step of a [`QueryPlan`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PlanStep {
    /// Look up equal values in an index.
    IndexSeek {
        /// `label.property`.
        index: String,
        /// The keys looked up.
        keys: Vec<Value>,
        /// Records the seek returns.
        rows: usize,
    },
    /// Scan a range of an index.
    IndexRange {
        /// `label.property`.
        index: String,
        /// The ranges scanned, as text.
        ranges: Vec<String>,
        /// Records the scan returns.
        rows: usize,
    },
    /// Read every record of the label.
    LabelScan {
        /// The label.
        label: String,
        /// Records with the label.
        rows: usize,
    },
    /// Keep the records for which the whole expression is true.
    Filter {
        /// The expression in canonical form.
        expression: String,
    },
}

impl fmt::Display for QueryPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match step {
                PlanStep::IndexSeek { index, keys, rows } => {
                    write!(f, "index seek {index} in [")?;
                    for (k, key) in keys.iter().enumerate() {
                        write!(f, "{}{key}", if k > 0 { ", " } else { "" })?;
                    }
                    write!(f, "] (~{rows} rows)")?;
                }
                PlanStep::IndexRange {
                    index,
                    ranges,
                    rows,
                } => {
                    write!(
                        f,
                        "index range {index} {} (~{rows} rows)",
                        ranges.join(" or ")
                    )?;
                }
                PlanStep::LabelScan { label, rows } => {
                    write!(f, "label scan '{label}' ({rows} rows)")?
                }
                PlanStep::Filter { expression } => write!(f, "residual filter: {expression}")?,
            }
        }
        Ok(())
    }
}

/// How the candidates are found.
enum Access {
    Seek(IndexDef, Vec<Value>),
    Range(IndexDef, Vec<KeyRange>),
    Scan,
}

/// Picks the index to use: equality over ranges, fewer keys first; else a scan.
fn choose(indexes: &[IndexDef], kind: RecordKind, label: &str, query: &Query) -> Access {
    let builtins = if kind == RecordKind::Node {
        NODE_BUILTINS
    } else {
        EDGE_BUILTINS
    };
    let mut best: Option<(usize, Access)> = None;
    for predicate in query.index_predicates_for(builtins) {
        let Some(def) = indexes
            .iter()
            .find(|d| d.covers(kind, label) && d.path == predicate.path)
        else {
            continue;
        };
        let (cost, access) = match predicate.kind {
            IndexKind::Eq(keys) | IndexKind::In(keys) => {
                (keys.len(), Access::Seek(def.clone(), keys))
            }
            IndexKind::Range(ranges) => (1000 + ranges.len(), Access::Range(def.clone(), ranges)),
        };
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((cost, access));
        }
    }
    best.map_or(Access::Scan, |(_, access)| access)
}

struct NodeRecord<'a> {
    id: &'a str,
    properties: &'a Value,
}

impl Record for NodeRecord<'_> {
    fn property(&self, path: &[&str]) -> Option<&Value> {
        match self.properties {
            Value::Map(map) => lookup_path(map, path),
            _ => None,
        }
    }

    fn builtin(&self, name: &str) -> Option<BuiltinValue> {
        (name == "id").then(|| BuiltinValue::Value(Value::String(self.id.to_string())))
    }
}

struct EdgeRecord<'a> {
    source: &'a str,
    target: &'a str,
    created_at_ms: i64,
    properties: &'a Value,
}

impl Record for EdgeRecord<'_> {
    fn property(&self, path: &[&str]) -> Option<&Value> {
        match self.properties {
            Value::Map(map) => lookup_path(map, path),
            _ => None,
        }
    }

    fn builtin(&self, name: &str) -> Option<BuiltinValue> {
        match name {
            "timestamp" => Some(BuiltinValue::TimestampMillis(self.created_at_ms)),
            "source" => Some(BuiltinValue::Value(Value::String(self.source.to_string()))),
            "target" => Some(BuiltinValue::Value(Value::String(self.target.to_string()))),
            _ => None,
        }
    }
}

impl<S: Storage> GraphRead<'_, S> {
    /// Record ids (node slots or edge ids) the access path yields, ascending.
    /// Calls `visit` with each record id (node slot or edge id) the access
    /// path yields, until it breaks: index order for seeks and ranges (each
    /// record at most once: it has one value per index), insertion order for
    /// scans.
    fn candidates(
        &self,
        kind: RecordKind,
        label: &str,
        access: &Access,
        visit: &mut dyn FnMut(u32) -> ControlFlow<()>,
    ) -> Result<()> {
        let topo = &self.topo;
        let Some(label_id) = topo.label_id(label) else {
            return Ok(());
        };
        let mut take = |key: &[u8]| {
            let found = entry_record_id(key).and_then(|record_id| match kind {
                RecordKind::Node => core::str::from_utf8(record_id)
                    .ok()
                    .and_then(|id| topo.node(id)),
                RecordKind::Edge => record::edge_id_from_key(record_id).ok().map(|e| e as u32),
            });
            found.map_or(ControlFlow::Continue(()), &mut *visit)
        };
        let storage = &self.graph().inner().storage;
        match access {
            Access::Scan => {
                let mut ids: alloc::boxed::Box<dyn Iterator<Item = u32>> = match kind {
                    RecordKind::Node => alloc::boxed::Box::new(
                        topo.live_nodes()
                            .filter(|&n| topo.node_slot(n).label == label_id),
                    ),
                    RecordKind::Edge => {
                        alloc::boxed::Box::new((0..topo.edges.len() as u32).filter(|&e| {
                            topo.edge(u64::from(e))
                                .is_some_and(|slot| slot.label == label_id)
                        }))
                    }
                };
                let _ = ids.try_for_each(&mut *visit);
            }
            Access::Seek(def, keys) => {
                // `1` and `1.0` share a key: seek each distinct key once.
                let mut prefixes: Vec<Vec<u8>> = keys.iter().map(|k| def.value_prefix(k)).collect();
                prefixes.sort();
                prefixes.dedup();
                let mut stopped = false;
                for prefix in prefixes {
                    storage.scan_prefix(Keyspace::Index, &prefix, &mut |key, _| {
                        let flow = take(key);
                        stopped = flow.is_break();
                        flow
                    })?;
                    if stopped {
                        break;
                    }
                }
            }
            Access::Range(def, ranges) => {
                let mut stopped = false;
                for range in ranges {
                    let (start, class, upper) = def.range_bounds(range);
                    storage.scan_from(Keyspace::Index, &start, &mut |key, _| {
                        if !key.starts_with(&class) || !within_upper(key, upper.as_deref()) {
                            return ControlFlow::Break(());
                        }
                        let flow = take(key);
                        stopped = flow.is_break();
                        flow
                    })?;
                    if stopped {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// The page of records of `kind` and `label` matching `query`; `record`
    /// returns a candidate's properties, its [`Record`] view and the output value.
    fn run<T>(
        &self,
        kind: RecordKind,
        label: &str,
        query: &Query,
        page: Page,
        mut record: impl FnMut(u32, &mut dyn FnMut(&dyn Record) -> bool) -> Result<Option<T>>,
    ) -> Result<Vec<T>> {
        let access = choose(&self.topo.indexes, kind, label, query);
        let mut out = Vec::new();
        let mut skip = page.offset;
        let mut failure = None;
        self.candidates(kind, label, &access, &mut |id| {
            if page.limit.is_some_and(|limit| out.len() >= limit) {
                return ControlFlow::Break(());
            }
            // Matches before the page are skipped, not returned.
            let mut wanted = |r: &dyn Record| {
                if !query.matches(r) {
                    return false;
                }
                if skip > 0 {
                    skip -= 1;
                    return false;
                }
                true
            };
            match record(id, &mut wanted) {
                Ok(found) => {
                    out.extend(found);
                    ControlFlow::Continue(())
                }
                Err(err) => {
                    failure = Some(err);
                    ControlFlow::Break(())
                }
            }
        })?;
        match failure {
            Some(err) => Err(err),
            None => Ok(out),
        }
    }

    fn run_nodes(&self, label: &str, query: &Query, page: Page) -> Result<Vec<Node>> {
        self.run(RecordKind::Node, label, query, page, |slot, wanted| {
            let properties = self.node_properties(slot)?;
            let record = NodeRecord {
                id: &self.topo.node_slot(slot).id,
                properties: &properties,
            };
            Ok(wanted(&record).then(|| self.node_with(slot, Arc::clone(&properties))))
        })
    }

    fn run_edges(&self, label: &str, query: &Query, page: Page) -> Result<Vec<Edge>> {
        self.run(RecordKind::Edge, label, query, page, |id, wanted| {
            let properties = self.edge_properties(id)?;
            let slot = self.topo.edges[id as usize];
            let record = EdgeRecord {
                source: &self.topo.node_slot(slot.source).id,
                target: &self.topo.node_slot(slot.target).id,
                created_at_ms: slot.created_at_ms,
                properties: &properties,
            };
            Ok(wanted(&record).then(|| self.edge_with(id, Arc::clone(&properties))))
        })
    }

    fn explain(&self, kind: RecordKind, label: &str, query: &Query) -> Result<QueryPlan> {
        let access = choose(&self.topo.indexes, kind, label, query);
        let mut rows = 0;
        self.candidates(kind, label, &access, &mut |_| {
            rows += 1;
            ControlFlow::Continue(())
        })?;
        let first = match access {
            Access::Seek(def, keys) => PlanStep::IndexSeek {
                index: def.info().qualified(),
                keys,
                rows,
            },
            Access::Range(def, ranges) => PlanStep::IndexRange {
                index: def.info().qualified(),
                ranges: ranges.iter().map(describe_range).collect(),
                rows,
            },
            Access::Scan => PlanStep::LabelScan {
                label: label.to_string(),
                rows,
            },
        };
        Ok(QueryPlan {
            steps: alloc::vec![
                first,
                PlanStep::Filter {
                    expression: query.to_string()
                }
            ],
        })
    }
}

fn describe_range(range: &KeyRange) -> String {
    let lower = range.lower.as_ref().map_or(String::from("(-inf"), |b| {
        alloc::format!("{}{}", if b.inclusive { "[" } else { "(" }, b.value)
    });
    let upper = range.upper.as_ref().map_or(String::from("+inf)"), |b| {
        alloc::format!("{}{}", b.value, if b.inclusive { "]" } else { ")" })
    });
    alloc::format!("{lower}, {upper}")
}

impl<S: Storage> Graph<S> {
    fn parse_query(&self, expr: &str, params: impl Into<Params>) -> Result<Query> {
        self.check()?;
        Ok(Query::parse(expr, params)?)
    }

    /// The nodes labelled `label` for which `expr` is true.
    ///
    /// `expr` is a subset of openCypher's `WHERE` syntax (see [`crate::query`]):
    /// `"name = $1"`, `"age > 60 AND city IN ['Paris', 'Oslo']"`. Parameters
    /// are strings, coerced by what they are compared with. A secondary index
    /// on a property in a top-level `AND` is used when one exists.
    ///
    /// # Errors
    /// [`Error::Query`](crate::Error::Query) naming the column of a syntax
    /// error or the missing parameter; storage errors.
    pub async fn query_nodes<P: AsRef<str>>(
        &self,
        label: &str,
        expr: &str,
        params: &[P],
    ) -> Result<Vec<Node>> {
        self.query_nodes_with(label, expr, Params::from_texts(params), Page::all())
            .await
    }

    /// [`query_nodes`](Self::query_nodes) with typed or named parameters and a page.
    ///
    /// # Errors
    /// As [`query_nodes`](Self::query_nodes).
    pub async fn query_nodes_with(
        &self,
        label: &str,
        expr: &str,
        params: impl Into<Params>,
        page: Page,
    ) -> Result<Vec<Node>> {
        let _timer = crate::telemetry::read(crate::telemetry::ReadOp::Query);
        let query = self.parse_query(expr, params)?;
        self.read().run_nodes(label, &query, page)
    }

    /// The edges labelled `label` for which `expr` is true; edges also have
    /// the built-ins `timestamp` (creation time: seconds, or RFC 3339 text),
    /// `source` and `target`.
    ///
    /// # Errors
    /// As [`query_nodes`](Self::query_nodes).
    pub async fn query_edges<P: AsRef<str>>(
        &self,
        label: &str,
        expr: &str,
        params: &[P],
    ) -> Result<Vec<Edge>> {
        self.query_edges_with(label, expr, Params::from_texts(params), Page::all())
            .await
    }

    /// [`query_edges`](Self::query_edges) with typed or named parameters and a page.
    ///
    /// # Errors
    /// As [`query_nodes`](Self::query_nodes).
    pub async fn query_edges_with(
        &self,
        label: &str,
        expr: &str,
        params: impl Into<Params>,
        page: Page,
    ) -> Result<Vec<Edge>> {
        let _timer = crate::telemetry::read(crate::telemetry::ReadOp::Query);
        let query = self.parse_query(expr, params)?;
        self.read().run_edges(label, &query, page)
    }

    /// How [`query_nodes`](Self::query_nodes) would run this query: the index
    /// seek or range, or the label scan, with row counts, then the filter.
    ///
    /// # Errors
    /// As [`query_nodes`](Self::query_nodes).
    pub async fn explain_query<P: AsRef<str>>(
        &self,
        label: &str,
        expr: &str,
        params: &[P],
    ) -> Result<QueryPlan> {
        self.explain_query_with(label, expr, Params::from_texts(params))
            .await
    }

    /// [`explain_query`](Self::explain_query) with typed or named parameters.
    ///
    /// # Errors
    /// As [`query_nodes`](Self::query_nodes).
    pub async fn explain_query_with(
        &self,
        label: &str,
        expr: &str,
        params: impl Into<Params>,
    ) -> Result<QueryPlan> {
        let query = self.parse_query(expr, params)?;
        self.read().explain(RecordKind::Node, label, &query)
    }

    /// How [`query_edges`](Self::query_edges) would run this query.
    ///
    /// # Errors
    /// As [`query_nodes`](Self::query_nodes).
    pub async fn explain_edge_query<P: AsRef<str>>(
        &self,
        label: &str,
        expr: &str,
        params: &[P],
    ) -> Result<QueryPlan> {
        self.explain_edge_query_with(label, expr, Params::from_texts(params))
            .await
    }

    /// [`explain_edge_query`](Self::explain_edge_query) with typed or named parameters.
    ///
    /// # Errors
    /// As [`query_nodes`](Self::query_nodes).
    pub async fn explain_edge_query_with(
        &self,
        label: &str,
        expr: &str,
        params: impl Into<Params>,
    ) -> Result<QueryPlan> {
        let query = self.parse_query(expr, params)?;
        self.read().explain(RecordKind::Edge, label, &query)
    }
}
