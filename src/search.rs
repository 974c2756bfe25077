//! Property queries over one label: planning (secondary index or label scan),
//! execution with the whole expression as a residual filter, and `explain`.
//!
//! The same [`choose`] decides for [`Graph::explain_query`] and for the
//! executor, so the plan a user reads is the plan that runs. An index only
//! narrows the candidates; candidates are checked against the full
//! expression, so the set of answers is identical with and without indexes.
//! Their order is deterministic but follows the access path: index order
//! (by value, then id) for an index, insertion order for a label scan. Pages
//! stop reading as soon as they are full.
//!
//! When the expression reads nothing but the indexed property, one record
//! per index key is checked for all the records under that key: their
//! values are equal (or numerically equal numbers, `2` and `2.0`), which no
//! expression tells apart.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::ops::ControlFlow;

use knowledge_graph_storage::Storage;

use crate::cache::RecordKey;
use crate::columns::Column;
use crate::error::Result;
use crate::graph::Graph;
use crate::index::{prefix_end, IndexDef, RecordKind};
use crate::model::{Edge, Node};
use crate::query::eval::Prepared;
use crate::query::{lookup_path, BuiltinValue, IndexKind, KeyRange, Params, Query, Record};
use crate::read::GraphRead;
use crate::topology::{LabelId, NodeIndex};
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
    /// The filter reads these properties from property columns kept in
    /// memory, and only the matches' records (see [`GraphOptions::query_columns`]).
    ///
    /// [`GraphOptions::query_columns`]: crate::GraphOptions::query_columns
    PropertyColumns {
        /// The property paths, segments joined with `.`.
        properties: Vec<String>,
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
                PlanStep::PropertyColumns { properties } => write!(
                    f,
                    "filter reads property columns: {}",
                    properties.join(", ")
                )?,
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

/// The distinct entry prefixes of a seek's keys, in order (`1` and `1.0`
/// share one).
fn seek_prefixes(def: &IndexDef, keys: &[Value]) -> Vec<Vec<u8>> {
    let mut prefixes: Vec<Vec<u8>> = keys.iter().map(|k| def.value_prefix(k)).collect();
    prefixes.sort();
    prefixes.dedup();
    prefixes
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
    /// Calls `visit` with each record id (node slot or edge id) the access
    /// path yields, until it breaks: index order for seeks and ranges (each
    /// record at most once: it has one value per index), insertion order for
    /// scans. Indexes are read from the topology's copy of their entries
    /// (or its sorted arrays, see [`GraphRead::index_records`]).
    fn candidates(
        &self,
        kind: RecordKind,
        label: LabelId,
        access: &Access,
        visit: &mut dyn FnMut(u32) -> ControlFlow<()>,
    ) {
        let topo = &self.topo;
        match access {
            Access::Scan => {
                let _ = match kind {
                    RecordKind::Node => topo.nodes_labelled(label).try_for_each(visit),
                    RecordKind::Edge => topo.edges_labelled(label).try_for_each(visit),
                };
            }
            Access::Seek(def, keys) => {
                for prefix in &seek_prefixes(def, keys) {
                    let end = prefix_end(prefix);
                    if self.index_records(prefix, end.as_deref(), visit).is_break() {
                        break;
                    }
                }
            }
            Access::Range(def, ranges) => {
                for range in ranges {
                    let (start, class, upper) = def.range_bounds(range);
                    let end = match (prefix_end(&class), upper.as_deref().and_then(prefix_end)) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    if self.index_records(&start, end.as_deref(), visit).is_break() {
                        break;
                    }
                }
            }
        }
    }

    /// The page of records of `kind` and `label` that `matcher` accepts
    /// among the candidates of `access`, and how many candidates it examined.
    ///
    /// Candidates are taken in chunks, so what judging them waits for (their
    /// slots, cached records or column entries) can be read for the whole
    /// chunk at once, the cache misses overlapping instead of coming one
    /// after another.
    fn run<T>(
        &self,
        kind: RecordKind,
        label: LabelId,
        access: &Access,
        query: &Query,
        page: Page,
        matcher: &mut dyn Matcher<T>,
    ) -> Result<(Vec<T>, u64)> {
        const CHUNK: usize = 32;
        if let Access::Seek(def, keys) = access {
            if query.property_paths().iter().all(|path| *path == def.path) {
                return self.run_by_key(def, keys, page, matcher);
            }
        }
        let mut out = Vec::new();
        let mut skip = page.offset;
        let mut examined = 0u64;
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut keep = Vec::with_capacity(CHUNK);
        let mut matched = Vec::with_capacity(CHUNK);
        let mut failure = None;
        let mut filter =
            |chunk: &mut Vec<u32>, skip: &mut usize, out: &mut Vec<T>| -> Result<bool> {
                examined += chunk.len() as u64;
                keep.clear();
                matcher.judge(chunk, &mut keep)?;
                matched.clear();
                let room = page
                    .limit
                    .map_or(usize::MAX, |limit| limit.saturating_sub(out.len()));
                // Matches before the page are skipped, not returned.
                for (at, _) in keep.iter().enumerate().filter(|(_, &kept)| kept) {
                    if *skip > 0 {
                        *skip -= 1;
                    } else if matched.len() < room {
                        matched.push(at);
                    }
                }
                if !matched.is_empty() {
                    matcher.output(chunk, &matched, out)?;
                }
                chunk.clear();
                Ok(page.limit.is_none_or(|limit| out.len() < limit))
            };
        // Enough candidates to fill the page if all match, at most a chunk.
        let wanted_now = |skip: usize, out: &Vec<T>| {
            page.limit.map_or(CHUNK, |limit| {
                (limit.saturating_sub(out.len()) + skip).clamp(1, CHUNK)
            })
        };
        let mut more = page.limit != Some(0);
        if more {
            self.candidates(kind, label, access, &mut |id| {
                chunk.push(id);
                if chunk.len() < wanted_now(skip, &out) {
                    return ControlFlow::Continue(());
                }
                match filter(&mut chunk, &mut skip, &mut out) {
                    Ok(true) => ControlFlow::Continue(()),
                    Ok(false) => {
                        more = false;
                        ControlFlow::Break(())
                    }
                    Err(err) => {
                        failure = Some(err);
                        ControlFlow::Break(())
                    }
                }
            });
        }
        if let Some(err) = failure {
            return Err(err);
        }
        if more && !chunk.is_empty() {
            filter(&mut chunk, &mut skip, &mut out)?;
        }
        Ok((out, examined))
    }

    /// [`run`](Self::run) for a seek whose query reads nothing but the
    /// indexed property: the first record under each key is judged for all
    /// the records under it, which are output a run at a time.
    fn run_by_key<T>(
        &self,
        def: &IndexDef,
        keys: &[Value],
        page: Page,
        matcher: &mut dyn Matcher<T>,
    ) -> Result<(Vec<T>, u64)> {
        let mut out = Vec::new();
        let (mut skip, mut examined) = (page.offset, 0);
        let mut keep = Vec::with_capacity(1);
        let mut failure = None;
        let full = |out: &Vec<T>| page.limit.is_some_and(|limit| out.len() >= limit);
        for prefix in &seek_prefixes(def, keys) {
            if full(&out) {
                break;
            }
            let mut matches = None;
            let mut take = |records: &[u32], out: &mut Vec<T>| -> Result<bool> {
                let Some(first) = records.first() else {
                    return Ok(true);
                };
                if matches.is_none() {
                    examined += 1;
                    keep.clear();
                    matcher.judge(core::slice::from_ref(first), &mut keep)?;
                    matches = Some(keep[0]);
                }
                if matches == Some(false) {
                    return Ok(false);
                }
                let skipped = skip.min(records.len());
                skip -= skipped;
                let room = page
                    .limit
                    .map_or(usize::MAX, |limit| limit.saturating_sub(out.len()));
                let records = &records[skipped..];
                matcher.output_unjudged(&records[..room.min(records.len())], out)?;
                Ok(!full(out))
            };
            let end = prefix_end(prefix);
            let _ = self.index_runs(prefix, end.as_deref(), &mut |records| match take(
                records, &mut out,
            ) {
                Ok(true) => ControlFlow::Continue(()),
                Ok(false) => ControlFlow::Break(()),
                Err(err) => {
                    failure = Some(err);
                    ControlFlow::Break(())
                }
            });
            if let Some(err) = failure {
                return Err(err);
            }
        }
        Ok((out, examined))
    }

    /// Reads the topology of a node (its slot and id) or an edge (its slot
    /// and its endpoints' ids), which building its record will wait for.
    fn touch_slot(&self, kind: RecordKind, id: u32) -> u8 {
        let topo = &self.topo;
        let node = |slot: u32| first_byte(topo.node_slot(slot).id.as_bytes());
        match kind {
            RecordKind::Node => node(id),
            RecordKind::Edge => {
                let edge = topo.edges[id as usize];
                node(edge.source) ^ node(edge.target)
            }
        }
    }

    /// The properties of the nodes in `slots` (or the edges with `ids`), in
    /// order: the cached ones looked up under one lock, the rest loaded.
    fn properties_of(
        &self,
        kind: RecordKind,
        ids: &[u32],
        out: &mut Vec<Arc<Value>>,
    ) -> Result<()> {
        let touched = ids
            .iter()
            .fold(0, |acc, &id| acc ^ self.touch_slot(kind, id));
        let mut found = Vec::with_capacity(ids.len());
        self.graph().inner().cache.get_many(
            ids.iter().map(|&id| match kind {
                RecordKind::Node => RecordKey::node(id),
                RecordKind::Edge => RecordKey::edge(u64::from(id)),
            }),
            &mut found,
        );
        for (&id, cached) in ids.iter().zip(found) {
            out.push(match (cached, kind) {
                (Some(properties), _) => properties,
                (None, RecordKind::Node) => self.node_properties(id)?,
                (None, RecordKind::Edge) => self.edge_properties(id)?,
            });
        }
        core::hint::black_box(touched);
        Ok(())
    }

    /// The property columns of `paths` for the nodes of `label_id`, if they
    /// are kept or have been paid for (then built here); `None` otherwise.
    fn columns(&self, label_id: LabelId, paths: &[&[String]]) -> Result<Option<Vec<Arc<Column>>>> {
        let topo = &self.topo;
        if paths.is_empty() {
            return Ok(None);
        }
        let mut columns = topo.columns.lock();
        if let Some(found) = columns.find(label_id, paths) {
            return Ok(Some(found));
        }
        let nodes = topo.nodes_per_label[label_id as usize];
        let missing: Vec<&[String]> = paths
            .iter()
            .filter(|path| !columns.has(label_id, path))
            .copied()
            .collect();
        if paths.len() > columns.capacity()
            || !missing
                .iter()
                .all(|path| columns.due(label_id, path, nodes))
        {
            return Ok(None);
        }
        // Every node of the label read once, without filling the record cache.
        let slots: Vec<u32> = topo.nodes_labelled(label_id).collect();
        let records = slots
            .iter()
            .map(|&slot| self.node_properties_uncached(slot))
            .collect::<Result<Vec<_>>>()?;
        for path in missing {
            let nodes = slots.iter().copied().zip(records.iter().map(|p| &**p));
            columns.insert(Column::build(label_id, path, nodes));
        }
        Ok(columns.find(label_id, paths))
    }

    fn run_nodes<T: NodeResult>(&self, label: &str, query: &Query, page: Page) -> Result<Vec<T>> {
        let Some(label_id) = self.topo.label_id(label) else {
            return Ok(Vec::new());
        };
        let access = choose(&self.topo.indexes, RecordKind::Node, label, query);
        let paths = node_properties(query);
        if let Some(columns) = self.columns(label_id, &paths)? {
            let prepared = query.prepare(&|path| columns.iter().position(|c| c.path == path));
            let mut matcher = ColumnMatcher {
                read: self,
                query,
                untabulated: prepared.is_some(),
                prepared,
                columns,
                slots: Vec::new(),
                properties: Vec::new(),
                judged: 0,
            };
            return Ok(self
                .run(
                    RecordKind::Node,
                    label_id,
                    &access,
                    query,
                    page,
                    &mut matcher,
                )?
                .0);
        }
        let mut matcher = RecordMatcher {
            read: self,
            kind: RecordKind::Node,
            query,
            properties: Vec::new(),
            record: |slot: u32, properties: &Value, wanted: &mut dyn FnMut(&dyn Record) -> bool| {
                wanted(&NodeRecord {
                    id: &self.topo.node_slot(slot).id,
                    properties,
                })
            },
            output: |slot: u32, properties: &Arc<Value>| T::with(self, slot, properties),
            unjudged: |slots: &[u32], scratch: &mut Vec<Arc<Value>>, out: &mut Vec<T>| {
                T::read(self, slots, scratch, out)
            },
        };
        let (nodes, examined) = self.run(
            RecordKind::Node,
            label_id,
            &access,
            query,
            page,
            &mut matcher,
        )?;
        self.topo.columns.lock().pay(label_id, &paths, examined);
        Ok(nodes)
    }

    fn run_edges(&self, label: &str, query: &Query, page: Page) -> Result<Vec<Edge>> {
        let Some(label_id) = self.topo.label_id(label) else {
            return Ok(Vec::new());
        };
        let access = choose(&self.topo.indexes, RecordKind::Edge, label, query);
        let mut matcher = RecordMatcher {
            read: self,
            kind: RecordKind::Edge,
            query,
            properties: Vec::new(),
            record: |id: u32, properties: &Value, wanted: &mut dyn FnMut(&dyn Record) -> bool| {
                let slot = self.topo.edges[id as usize];
                wanted(&EdgeRecord {
                    source: &self.topo.node_slot(slot.source).id,
                    target: &self.topo.node_slot(slot.target).id,
                    created_at_ms: slot.created_at_ms,
                    properties,
                })
            },
            output: |id: u32, properties: &Arc<Value>| self.edge_with(id, Arc::clone(properties)),
            unjudged: |ids: &[u32], scratch: &mut Vec<Arc<Value>>, out: &mut Vec<Edge>| {
                scratch.clear();
                self.properties_of(RecordKind::Edge, ids, scratch)?;
                out.extend(
                    ids.iter()
                        .zip(scratch.iter())
                        .map(|(&id, properties)| self.edge_with(id, Arc::clone(properties))),
                );
                Ok(())
            },
        };
        Ok(self
            .run(
                RecordKind::Edge,
                label_id,
                &access,
                query,
                page,
                &mut matcher,
            )?
            .0)
    }

    fn explain(&self, kind: RecordKind, label: &str, query: &Query) -> Result<QueryPlan> {
        let access = choose(&self.topo.indexes, kind, label, query);
        let label_id = self.topo.label_id(label);
        let mut rows = 0;
        if let Some(label_id) = label_id {
            self.candidates(kind, label_id, &access, &mut |_| {
                rows += 1;
                ControlFlow::Continue(())
            });
        }
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
        let mut steps = alloc::vec![
            first,
            PlanStep::Filter {
                expression: query.to_string()
            }
        ];
        // The columns kept now (more may be built as queries pay for them).
        let paths = node_properties(query);
        let kept = |label| {
            let columns = self.topo.columns.lock();
            paths.iter().all(|path| columns.has(label, path))
        };
        if kind == RecordKind::Node && !paths.is_empty() && label_id.is_some_and(kept) {
            steps.push(PlanStep::PropertyColumns {
                properties: paths.iter().map(|path| path.join(".")).collect(),
            });
        }
        Ok(QueryPlan { steps })
    }
}

/// The property paths a node query reads (its built-ins aside).
fn node_properties(query: &Query) -> Vec<&[String]> {
    query
        .property_paths()
        .into_iter()
        .filter(|path| !matches!(path, [name] if NODE_BUILTINS.contains(&name.as_str())))
        .collect()
}

/// Which candidates of a chunk match, and what a match becomes.
trait Matcher<T> {
    /// Pushes, for each candidate of `chunk`, whether it matches.
    fn judge(&mut self, chunk: &[u32], keep: &mut Vec<bool>) -> Result<()>;
    /// Pushes the results of the matches at these positions of `chunk`.
    fn output(&mut self, chunk: &[u32], matched: &[usize], out: &mut Vec<T>) -> Result<()>;
    /// Pushes the results of `records`, matches known without judging them.
    fn output_unjudged(&mut self, records: &[u32], out: &mut Vec<T>) -> Result<()>;
}

/// Judges candidates on their whole records.
struct RecordMatcher<'r, 'g, S: Storage, R, O, U> {
    read: &'r GraphRead<'g, S>,
    kind: RecordKind,
    query: &'r Query,
    /// The records of the chunk being judged.
    properties: Vec<Arc<Value>>,
    /// Calls `wanted` with a candidate's [`Record`] view.
    record: R,
    /// The result for a match whose record is at hand.
    output: O,
    /// Pushes the results for matches whose records have not been read
    /// (the `Vec` is room for them).
    unjudged: U,
}

impl<S, R, O, U, T> Matcher<T> for RecordMatcher<'_, '_, S, R, O, U>
where
    S: Storage,
    R: Fn(u32, &Value, &mut dyn FnMut(&dyn Record) -> bool) -> bool,
    O: Fn(u32, &Arc<Value>) -> T,
    U: Fn(&[u32], &mut Vec<Arc<Value>>, &mut Vec<T>) -> Result<()>,
{
    fn judge(&mut self, chunk: &[u32], keep: &mut Vec<bool>) -> Result<()> {
        self.properties.clear();
        self.read
            .properties_of(self.kind, chunk, &mut self.properties)?;
        let touched = self.properties.iter().fold(0, |acc, p| acc ^ touch(p));
        core::hint::black_box(touched);
        let query = self.query;
        for (&id, properties) in chunk.iter().zip(&self.properties) {
            keep.push((self.record)(id, properties, &mut |r| query.matches(r)));
        }
        Ok(())
    }

    fn output(&mut self, chunk: &[u32], matched: &[usize], out: &mut Vec<T>) -> Result<()> {
        out.extend(
            matched
                .iter()
                .map(|&at| (self.output)(chunk[at], &self.properties[at])),
        );
        Ok(())
    }

    fn output_unjudged(&mut self, records: &[u32], out: &mut Vec<T>) -> Result<()> {
        (self.unjudged)(records, &mut self.properties, out)
    }
}

/// Judges nodes on property columns; reads the records of matches only.
struct ColumnMatcher<'r, 'g, S: Storage> {
    read: &'r GraphRead<'g, S>,
    query: &'r Query,
    /// The query with its properties resolved to `columns`, when it takes that form.
    prepared: Option<Prepared<'r>>,
    columns: Vec<Arc<Column>>,
    /// Room for the matches of a chunk and their records, reused.
    slots: Vec<u32>,
    properties: Vec<Arc<Value>>,
    /// Candidates judged so far.
    judged: usize,
    /// Whether some step of `prepared` is still to be tabulated.
    untabulated: bool,
}

impl<S: Storage> ColumnMatcher<'_, '_, S> {
    /// Gives the prepared steps on one property a table of answers by code
    /// once their column has at most [`CODES_PER_CANDIDATE`] codes per
    /// candidate met so far (`candidates`): a table costs a byte per code,
    /// and a code's answer is worked out once, when a candidate first has it.
    fn tabulate(&mut self, candidates: usize) {
        let Some(prepared) = &mut self.prepared else {
            return;
        };
        let columns = &self.columns;
        self.untabulated = prepared.tabulate(&|at| {
            let codes = columns[at].codes();
            (codes <= candidates.saturating_mul(CODES_PER_CANDIDATE)).then_some(codes)
        });
    }
}

/// How many dictionary codes a table of answers may have per candidate
/// judged (see [`ColumnMatcher::tabulate`]).
const CODES_PER_CANDIDATE: usize = 64;

impl<S: Storage, T: NodeResult> Matcher<T> for ColumnMatcher<'_, '_, S> {
    fn judge(&mut self, chunk: &[u32], keep: &mut Vec<bool>) -> Result<()> {
        // The chunk's codes first, so their cache misses overlap (values
        // are shared, and few distinct ones stay cached).
        let touched = self.columns.iter().fold(0, |acc, column| {
            chunk
                .iter()
                .fold(acc, |acc, &slot| acc ^ column.code(slot).unwrap_or(0))
        });
        core::hint::black_box(touched);
        self.judged += chunk.len();
        if self.untabulated {
            self.tabulate(self.judged);
        }
        let columns = &self.columns;
        // Tables joined by AND: a candidate matches when each answers true
        // for its code, read without the general evaluator.
        if let Some(prepared) = &self.prepared {
            if let Some(tables) = prepared.conjunction() {
                for &slot in chunk {
                    keep.push(tables.iter().all(|table| {
                        let column = &columns[table.property()];
                        table.answer(column.code(slot), || column.get(slot)) == Some(true)
                    }));
                }
                return Ok(());
            }
        }
        for &slot in chunk {
            keep.push(match &self.prepared {
                Some(prepared) => prepared
                    .matches_coded(&|at| columns[at].get(slot), &|at| columns[at].code(slot)),
                None => self.query.matches(&ColumnRecord {
                    slot,
                    read: self.read,
                    columns,
                }),
            });
        }
        Ok(())
    }

    fn output(&mut self, chunk: &[u32], matched: &[usize], out: &mut Vec<T>) -> Result<()> {
        self.slots.clear();
        self.slots.extend(matched.iter().map(|&at| chunk[at]));
        T::read(self.read, &self.slots, &mut self.properties, out)
    }

    fn output_unjudged(&mut self, records: &[u32], out: &mut Vec<T>) -> Result<()> {
        T::read(self.read, records, &mut self.properties, out)
    }
}

/// What a node query returns per match: the whole [`Node`], or its
/// [`NodeIndex`] (no record read).
trait NodeResult: Sized {
    /// Pushes the results for `slots`, whose records have not been read
    /// (`scratch` is room for them).
    fn read<S: Storage>(
        read: &GraphRead<'_, S>,
        slots: &[u32],
        scratch: &mut Vec<Arc<Value>>,
        out: &mut Vec<Self>,
    ) -> Result<()>;

    /// The result for `slot`, whose record is at hand.
    fn with<S: Storage>(read: &GraphRead<'_, S>, slot: u32, properties: &Arc<Value>) -> Self;
}

impl NodeResult for Node {
    fn read<S: Storage>(
        read: &GraphRead<'_, S>,
        slots: &[u32],
        scratch: &mut Vec<Arc<Value>>,
        out: &mut Vec<Self>,
    ) -> Result<()> {
        scratch.clear();
        read.properties_of(RecordKind::Node, slots, scratch)?;
        out.extend(
            slots
                .iter()
                .zip(scratch.iter())
                .map(|(&slot, properties)| Self::with(read, slot, properties)),
        );
        Ok(())
    }

    fn with<S: Storage>(read: &GraphRead<'_, S>, slot: u32, properties: &Arc<Value>) -> Self {
        read.node_with(slot, Arc::clone(properties))
    }
}

impl NodeResult for NodeIndex {
    fn read<S: Storage>(
        _: &GraphRead<'_, S>,
        slots: &[u32],
        _: &mut Vec<Arc<Value>>,
        out: &mut Vec<Self>,
    ) -> Result<()> {
        out.extend(slots.iter().map(|&slot| NodeIndex(slot)));
        Ok(())
    }

    fn with<S: Storage>(_: &GraphRead<'_, S>, slot: u32, _: &Arc<Value>) -> Self {
        NodeIndex(slot)
    }
}

/// A node as its property columns show it.
struct ColumnRecord<'a, 'g, S: Storage> {
    slot: u32,
    read: &'a GraphRead<'g, S>,
    columns: &'a [Arc<Column>],
}

impl<S: Storage> Record for ColumnRecord<'_, '_, S> {
    fn property(&self, path: &[&str]) -> Option<&Value> {
        self.columns
            .iter()
            .find(|column| column.is(path))?
            .get(self.slot)
    }

    fn builtin(&self, name: &str) -> Option<BuiltinValue> {
        let id = &self.read.topo.node_slot(self.slot).id;
        NodeRecord {
            id,
            properties: &Value::Null,
        }
        .builtin(name)
    }
}

fn first_byte(bytes: &[u8]) -> u8 {
    bytes.first().copied().unwrap_or(0)
}

/// Reads the first byte of the first few keys and text values of a record's
/// properties (their heap blocks are what evaluating it will wait for).
fn touch(properties: &Value) -> u8 {
    let Value::Map(map) = properties else {
        return 0;
    };
    map.iter().take(8).fold(0, |acc, (key, value)| {
        let text = match value {
            Value::String(text) => first_byte(text.as_bytes()),
            _ => 0,
        };
        acc ^ first_byte(key.as_bytes()) ^ text
    })
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

impl<S: Storage> GraphRead<'_, S> {
    /// [`Graph::query_nodes`] for hot loops: the indices of the matching
    /// nodes, in the same order, without reading or copying their records
    /// (judging reads the property columns or records it needs). A page
    /// narrows them as in [`Graph::query_nodes_with`].
    ///
    /// ```
    /// # use knowledge_graph::{Graph, MemoryStorage, Page};
    /// # knowledge_graph::block_on(async {
    /// let graph = Graph::new(MemoryStorage::new());
    /// graph.add_node("user", "ada", &serde_json::json!({ "age": 36 })).await?;
    /// graph.add_node("user", "bob", &serde_json::json!({ "age": 25 })).await?;
    /// let view = graph.read();
    /// let found = view.query_node_indices("user", "age > $1", &["30"], Page::all())?;
    /// let ids: Vec<&str> = found.iter().map(|&n| view.node_id(n)).collect();
    /// assert_eq!(ids, ["ada"]);
    /// # Ok::<(), knowledge_graph::Error>(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Errors
    /// As [`Graph::query_nodes`].
    pub fn query_node_indices(
        &self,
        label: &str,
        expr: &str,
        params: impl Into<Params>,
        page: Page,
    ) -> Result<Vec<NodeIndex>> {
        let _timer = crate::telemetry::read(crate::telemetry::ReadOp::Query);
        let query = self.graph().parse_query(expr, params)?;
        self.run_nodes(label, &query, page)
    }
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
