//! Import and export of whole graphs in interchange formats: JSON Lines,
//! Neo4j-admin-style CSV, graphology JSON, GraphML and our snapshot format.
//!
//! ```no_run
//! use knowledge_graph::interchange::{self, Format};
//! use knowledge_graph::{Graph, MemoryStorage};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let graph = Graph::new(MemoryStorage::new());
//! let summary = interchange::import_files(&graph, Format::JsonLines, &["people.jsonl"], &mut |_| {})?;
//! println!("{} nodes, {} edges", summary.nodes, summary.edges);
//! interchange::export_path(&graph, Format::GraphMl, "people.graphml", &mut |_| {})?;
//! # Ok(()) }
//! ```
//!
//! An import is all or nothing. Every file is parsed and validated first
//! (duplicate ids, ids already in the graph, edge endpoints, which may be
//! nodes defined later in the same import); only then is anything written,
//! as one batch, or for large imports as a sequence of batches that is undone
//! if one fails. Errors name the file and line (and column or field when
//! known): `nodes.jsonl:17: edge target 'zed' is not a node`.
//!
//! Records are held once, compactly, between parsing and writing, so 1M nodes
//! and 10M edges import in a few GB of memory.

// This module exists only with `std`; it uses std paths throughout.
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::boxed::Box;
use std::collections::HashMap;
use std::fmt;
use std::format;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::sync::Arc;
use std::vec::Vec;

use knowledge_graph_storage::Storage;

use crate::model::EdgeId;
use crate::value::Value;
use crate::{block_on, Graph};

mod csv;
mod graphml;
mod graphology;
mod jsonl;

/// Operations per commit when an import is written in several batches.
pub const CHUNK_OPS: usize = 200_000;

/// The formats [`import_files`] and [`export_path`] understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// One JSON object per line: `{"type":"node",...}` / `{"type":"edge",...}`.
    JsonLines,
    /// Neo4j-admin-import CSV, one file per label (export: a directory).
    Csv,
    /// graphology's serialized JSON.
    Graphology,
    /// GraphML XML.
    GraphMl,
    /// Our snapshot format (imports into an empty database only).
    Snapshot,
}

impl Format {
    /// The names [`Format::parse`] accepts.
    pub const NAMES: [&'static str; 5] = ["jsonl", "csv", "graphology", "graphml", "snapshot"];

    /// Parses a format name (`jsonl`, `csv`, `graphology`, `graphml`, `snapshot`).
    ///
    /// # Errors
    /// [`InterchangeError::Invalid`] naming the valid formats.
    pub fn parse(name: &str) -> Result<Format, InterchangeError> {
        match name.to_ascii_lowercase().as_str() {
            "jsonl" | "json-lines" | "jsonlines" | "ndjson" => Ok(Format::JsonLines),
            "csv" | "neo4j" => Ok(Format::Csv),
            "graphology" | "json" => Ok(Format::Graphology),
            "graphml" | "xml" => Ok(Format::GraphMl),
            "snapshot" | "maya" => Ok(Format::Snapshot),
            other => Err(InterchangeError::invalid(format!(
                "unknown format '{other}': expected one of {}",
                Format::NAMES.join(", ")
            ))),
        }
    }

    /// The format a path's extension suggests (a directory means CSV).
    pub fn guess(path: &Path) -> Option<Format> {
        if path.is_dir() {
            return Some(Format::Csv);
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Graphology),
            "graphml" | "xml" => Some(Format::GraphMl),
            "snapshot" | "mayasnap" | "snap" => Some(Format::Snapshot),
            _ => None,
        }
    }

    /// The name [`Format::parse`] accepts.
    pub fn name(self) -> &'static str {
        match self {
            Format::JsonLines => "jsonl",
            Format::Csv => "csv",
            Format::Graphology => "graphology",
            Format::GraphMl => "graphml",
            Format::Snapshot => "snapshot",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where in the input a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file (or stream) name.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column, or a field name, when known.
    pub column: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ":{column}")?;
        }
        Ok(())
    }
}

/// Why an import or export failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum InterchangeError {
    /// The input is malformed or inconsistent at `at`; nothing was written.
    Input {
        /// Where.
        at: Location,
        /// What is wrong.
        detail: String,
    },
    /// Reading or writing a file failed.
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The graph refused the import or failed while exporting.
    Graph(crate::Error),
    /// A bad argument (unknown format, snapshot into a non-empty graph, ...).
    Invalid {
        /// What is wrong.
        detail: String,
    },
}

impl InterchangeError {
    pub(crate) fn invalid(detail: impl Into<String>) -> Self {
        InterchangeError::Invalid {
            detail: detail.into(),
        }
    }

    pub(crate) fn input(at: Location, detail: impl Into<String>) -> Self {
        InterchangeError::Input {
            at,
            detail: detail.into(),
        }
    }

    pub(crate) fn io(file: &str, source: std::io::Error) -> Self {
        InterchangeError::Io {
            file: file.to_string(),
            source,
        }
    }
}

impl fmt::Display for InterchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterchangeError::Input { at, detail } => write!(f, "{at}: {detail}"),
            InterchangeError::Io { file, source } => write!(f, "{file}: {source}"),
            InterchangeError::Graph(err) => fmt::Display::fmt(err, f),
            InterchangeError::Invalid { detail } => f.write_str(detail),
        }
    }
}

impl std::error::Error for InterchangeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InterchangeError::Io { source, .. } => Some(source),
            InterchangeError::Graph(err) => Some(err),
            _ => None,
        }
    }
}

impl From<crate::Error> for InterchangeError {
    fn from(err: crate::Error) -> Self {
        InterchangeError::Graph(err)
    }
}

/// Progress of a long import or export, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Input bytes read so far, of `total` when known.
    Reading {
        /// Bytes read.
        done: u64,
        /// Bytes in all inputs, when known.
        total: Option<u64>,
    },
    /// Records written to the graph so far, of `total`.
    Writing {
        /// Records committed.
        done: u64,
        /// Records to commit.
        total: u64,
    },
    /// Records exported so far, of `total`.
    Exporting {
        /// Records written.
        done: u64,
        /// Records to write.
        total: u64,
    },
}

/// What an import added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ImportSummary {
    /// Nodes added.
    pub nodes: u64,
    /// Edges added.
    pub edges: u64,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ExportSummary {
    /// Nodes written.
    pub nodes: u64,
    /// Edges written.
    pub edges: u64,
    /// The files written.
    pub files: Vec<PathBuf>,
}

/// A progress callback.
pub type ProgressFn<'a> = dyn FnMut(Progress) + 'a;

// ----- the parsed, validated import ------------------------------------------

/// Where a record came from, kept small: file index and line (or item index).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin {
    file: u32,
    /// 0: `line` is a line; otherwise `line` indexes [`ARRAYS`]`[item]` of a
    /// JSON document (graphology).
    item: u8,
    line: u64,
}

/// The arrays of a JSON document that [`Origin`]s can point into.
const ARRAYS: [&str; 3] = ["", "nodes", "edges"];

/// Properties between parsing and writing: the compact binary encoding
/// (a `Value::Map` with one entry is ~600 bytes in memory, ~20 encoded).
struct Packed(Box<[u8]>);

impl Packed {
    /// Rejects values the storage encoding cannot hold (nested too deeply).
    fn check(value: &Value) -> Result<(), String> {
        let depth = crate::value::codec::nesting_depth(value);
        if depth > crate::value::codec::MAX_DEPTH {
            return Err(format!(
                "properties nest {depth} levels deep; at most {} are stored",
                crate::value::codec::MAX_DEPTH
            ));
        }
        Ok(())
    }

    fn new(value: &Value) -> Packed {
        match value {
            Value::Null => Packed(Box::default()),
            other => Packed(crate::value::codec::encoded(other).into_boxed_slice()),
        }
    }

    fn unpack(&self) -> Result<Value, InterchangeError> {
        if self.0.is_empty() {
            return Ok(Value::Null);
        }
        crate::value::codec::decode(&self.0)
            .map_err(|e| InterchangeError::invalid(format!("internal: property encoding: {e}")))
    }
}

struct PendingNode {
    label: u32,
    id: Box<str>,
    properties: Packed,
}

struct PendingEdge {
    label: u32,
    source: Box<str>,
    target: Box<str>,
    properties: Packed,
    /// The creation time the input gives, else the import's commit time.
    created_at_ms: Option<i64>,
    origin: Origin,
}

/// Everything parsed so far; the parsers feed it, [`Pending::commit`] writes it.
pub(crate) struct Pending<'g, S: Storage> {
    graph: &'g Graph<S>,
    files: Vec<String>,
    labels: Vec<Arc<str>>,
    label_ids: HashMap<Arc<str>, u32>,
    nodes: Vec<PendingNode>,
    edges: Vec<PendingEdge>,
    /// Ids of the new nodes, with where each was defined.
    new_ids: HashMap<Box<str>, Origin>,
}

impl<'g, S: Storage> Pending<'g, S> {
    fn new(graph: &'g Graph<S>) -> Self {
        Pending {
            graph,
            files: Vec::new(),
            labels: Vec::new(),
            label_ids: HashMap::new(),
            nodes: Vec::new(),
            edges: Vec::new(),
            new_ids: HashMap::new(),
        }
    }

    /// Registers an input file; returns its index for [`Origin`]s.
    pub(crate) fn file(&mut self, name: &str) -> u32 {
        self.files.push(name.to_string());
        (self.files.len() - 1) as u32
    }

    pub(crate) fn at_line(file: u32, line: u64) -> Origin {
        Origin {
            file,
            item: 0,
            line,
        }
    }

    pub(crate) fn at_item(file: u32, array: &'static str, index: u64) -> Origin {
        Origin {
            file,
            item: ARRAYS.iter().position(|a| *a == array).unwrap_or(0) as u8,
            line: index,
        }
    }

    pub(crate) fn location(&self, origin: Origin, column: Option<String>) -> Location {
        let file = self
            .files
            .get(origin.file as usize)
            .cloned()
            .unwrap_or_default();
        if let Some(array) = ARRAYS
            .get(usize::from(origin.item))
            .filter(|_| origin.item > 0)
        {
            Location {
                file,
                line: None,
                column: Some(column.unwrap_or_else(|| format!("{array}[{}]", origin.line))),
            }
        } else {
            Location {
                file,
                line: Some(origin.line),
                column,
            }
        }
    }

    pub(crate) fn error(&self, origin: Origin, detail: impl Into<String>) -> InterchangeError {
        InterchangeError::input(self.location(origin, None), detail)
    }

    fn label(&mut self, label: &str) -> u32 {
        if let Some(&id) = self.label_ids.get(label) {
            return id;
        }
        let name: Arc<str> = Arc::from(label);
        let id = self.labels.len() as u32;
        self.labels.push(Arc::clone(&name));
        self.label_ids.insert(name, id);
        id
    }

    /// Queues a node, rejecting empty ids and labels and duplicate ids.
    pub(crate) fn node(
        &mut self,
        origin: Origin,
        label: &str,
        id: &str,
        properties: Value,
    ) -> Result<(), InterchangeError> {
        if id.is_empty() {
            return Err(self.error(origin, "node id is empty"));
        }
        if label.is_empty() {
            return Err(self.error(origin, format!("node '{id}' has an empty label")));
        }
        if let Some(first) = self.new_ids.get(id) {
            let first = self.location(*first, None);
            return Err(self.error(
                origin,
                format!("node '{id}' is defined twice (first at {first})"),
            ));
        }
        if block_on(self.graph.contains_node(id))? {
            return Err(self.error(
                origin,
                format!("node '{id}' already exists in the database"),
            ));
        }
        Packed::check(&properties).map_err(|d| self.error(origin, d))?;
        let label = self.label(label);
        self.new_ids.insert(Box::from(id), origin);
        self.nodes.push(PendingNode {
            label,
            id: Box::from(id),
            properties: Packed::new(&properties),
        });
        Ok(())
    }

    /// Queues an edge; its endpoints are checked in [`Pending::validate`].
    pub(crate) fn edge(
        &mut self,
        origin: Origin,
        label: &str,
        source: &str,
        target: &str,
        properties: Value,
        created_at_ms: Option<i64>,
    ) -> Result<(), InterchangeError> {
        if label.is_empty() {
            return Err(self.error(origin, "edge label is empty"));
        }
        Packed::check(&properties).map_err(|d| self.error(origin, d))?;
        let label = self.label(label);
        self.edges.push(PendingEdge {
            label,
            source: Box::from(source),
            target: Box::from(target),
            properties: Packed::new(&properties),
            created_at_ms,
            origin,
        });
        Ok(())
    }

    /// Checks every edge's endpoints against the new nodes and the graph.
    fn validate(&self) -> Result<(), InterchangeError> {
        let known = |id: &str| -> Result<bool, InterchangeError> {
            Ok(self.new_ids.contains_key(id) || block_on(self.graph.contains_node(id))?)
        };
        for edge in &self.edges {
            for (role, id) in [("source", &edge.source), ("target", &edge.target)] {
                if !known(id)? {
                    return Err(
                        self.error(edge.origin, format!("edge {role} '{id}' is not a node"))
                    );
                }
            }
        }
        Ok(())
    }

    /// Validates, then writes everything: one batch, or batches of
    /// `chunk_ops` operations that are undone if one of them fails.
    fn commit(
        self,
        chunk_ops: usize,
        progress: &mut ProgressFn<'_>,
    ) -> Result<ImportSummary, InterchangeError> {
        self.validate()?;
        let Pending {
            graph,
            labels,
            nodes,
            edges,
            new_ids,
            ..
        } = self;
        let summary = ImportSummary {
            nodes: nodes.len() as u64,
            edges: edges.len() as u64,
        };
        let total = summary.nodes + summary.edges;
        progress(Progress::Writing { done: 0, total });
        // What an undo must remove: the nodes committed so far (their edges
        // go with them), and edges between nodes that were already there.
        let mut committed_nodes: Vec<Box<str>> = Vec::new();
        let mut old_to_old: Vec<EdgeId> = Vec::new();
        let mut done = 0u64;
        let mut nodes = nodes.into_iter().peekable();
        let mut edges = edges.into_iter().peekable();
        while nodes.peek().is_some() || edges.peek().is_some() {
            let mut batch = graph.batch();
            let mut chunk_nodes: Vec<Box<str>> = Vec::new();
            let mut edge_kinds: Vec<bool> = Vec::new();
            let filled = (|| -> Result<(), InterchangeError> {
                while batch.len() < chunk_ops.max(1) {
                    if let Some(node) = nodes.next() {
                        chunk_nodes.push(node.id.clone());
                        batch.ops.push(crate::txn::Op::AddNode {
                            label: labels[node.label as usize].to_string(),
                            id: node.id.into(),
                            properties: node.properties.unpack()?,
                        });
                    } else if let Some(edge) = edges.next() {
                        edge_kinds.push(
                            !new_ids.contains_key(&edge.source)
                                && !new_ids.contains_key(&edge.target),
                        );
                        batch.ops.push(crate::txn::Op::AddEdge {
                            label: labels[edge.label as usize].to_string(),
                            source: edge.source.into(),
                            target: edge.target.into(),
                            properties: edge.properties.unpack()?,
                            created_at_ms: edge.created_at_ms,
                        });
                    } else {
                        break;
                    }
                }
                Ok(())
            })();
            let n = batch.len() as u64;
            let result = filled.and_then(|()| block_on(batch.commit()).map_err(Into::into));
            match result {
                Ok(ids) => {
                    // `ids` are the added edges, in order.
                    old_to_old.extend(
                        ids.into_iter()
                            .zip(edge_kinds)
                            .filter_map(|(id, old)| old.then_some(id)),
                    );
                    committed_nodes.extend(chunk_nodes);
                }
                Err(err) => {
                    if done > 0 {
                        if let Err(undo_err) = undo(graph, chunk_ops, &old_to_old, &committed_nodes)
                        {
                            return Err(InterchangeError::invalid(format!(
                                "{err}; undoing the {done} records already written failed too ({undo_err}): the database holds part of the import"
                            )));
                        }
                    }
                    return Err(err);
                }
            }
            done += n;
            progress(Progress::Writing { done, total });
        }
        Ok(summary)
    }
}

/// Removes what a failed multi-batch import had already committed.
fn undo<S: Storage>(
    graph: &Graph<S>,
    chunk_ops: usize,
    old_to_old: &[EdgeId],
    nodes: &[Box<str>],
) -> Result<(), InterchangeError> {
    let chunk_ops = chunk_ops.max(1);
    for chunk in old_to_old.chunks(chunk_ops) {
        let mut batch = graph.batch();
        for &id in chunk {
            if block_on(graph.get_edge(id))?.is_some() {
                batch.remove_edge(id);
            }
        }
        block_on(batch.commit())?;
    }
    for chunk in nodes.chunks(chunk_ops) {
        let mut batch = graph.batch();
        for id in chunk {
            if block_on(graph.contains_node(id))? {
                batch.remove_node(id);
            }
        }
        block_on(batch.commit())?;
    }
    Ok(())
}

/// How [`import_with`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportOptions {
    /// Operations per commit ([`CHUNK_OPS`]). An import that fits in one
    /// commit is atomic by construction; a larger one is undone batch by
    /// batch if a later batch fails (a crash in between leaves the batches
    /// written so far).
    pub chunk_ops: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            chunk_ops: CHUNK_OPS,
        }
    }
}

impl ImportOptions {
    /// Operations per commit.
    pub fn chunk_ops(mut self, ops: usize) -> Self {
        self.chunk_ops = ops;
        self
    }
}

// ----- entry points -------------------------------------------------------------

/// A named input: a file, or any reader with a name for messages.
pub struct Input<'r> {
    /// The name used in error messages (usually the path).
    pub name: String,
    /// The bytes.
    pub reader: Box<dyn Read + 'r>,
    /// Length in bytes, when known (for progress).
    pub len: Option<u64>,
}

impl<'r> Input<'r> {
    /// An input from any reader.
    pub fn new(name: impl Into<String>, reader: impl Read + 'r) -> Self {
        Input {
            name: name.into(),
            reader: Box::new(reader),
            len: None,
        }
    }

    /// Opens a file.
    ///
    /// # Errors
    /// [`InterchangeError::Io`] naming the file.
    pub fn open(path: &Path) -> Result<Input<'static>, InterchangeError> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| InterchangeError::io(&name, e))?;
        let len = file.metadata().ok().map(|m| m.len());
        Ok(Input {
            name,
            reader: Box::new(BufReader::with_capacity(1 << 20, file)),
            len,
        })
    }
}

/// Counts bytes read, reporting progress every few MB.
pub(crate) struct Counting<'a, 'p, R> {
    inner: R,
    pub(crate) read: &'a mut u64,
    total: Option<u64>,
    reported: u64,
    progress: &'a mut ProgressFn<'p>,
}

impl<R: Read> Read for Counting<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.read += n as u64;
        if *self.read - self.reported >= 4 << 20 {
            self.reported = *self.read;
            (self.progress)(Progress::Reading {
                done: *self.read,
                total: self.total,
            });
        }
        Ok(n)
    }
}

/// Imports `inputs` (all in `format`) into `graph`, all or nothing.
///
/// CSV inputs may mix node and edge files (told apart by their headers).
/// [`Format::Snapshot`] is refused here: use [`import_snapshot`], which
/// needs the storage rather than an open graph.
///
/// # Errors
/// [`InterchangeError::Input`] naming the file and line of the first problem
/// (the graph is unchanged), [`InterchangeError::Io`], [`InterchangeError::Graph`].
pub fn import<S: Storage>(
    graph: &Graph<S>,
    format: Format,
    inputs: Vec<Input<'_>>,
    progress: &mut ProgressFn<'_>,
) -> Result<ImportSummary, InterchangeError> {
    import_with(graph, format, inputs, ImportOptions::default(), progress)
}

/// [`import`] with explicit [`ImportOptions`].
///
/// # Errors
/// As [`import`].
pub fn import_with<S: Storage>(
    graph: &Graph<S>,
    format: Format,
    inputs: Vec<Input<'_>>,
    options: ImportOptions,
    progress: &mut ProgressFn<'_>,
) -> Result<ImportSummary, InterchangeError> {
    if format == Format::Snapshot {
        return Err(InterchangeError::invalid(
            "a snapshot is imported with import_snapshot (into empty storage), not into an open graph",
        ));
    }
    let total = inputs.iter().map(|i| i.len).sum::<Option<u64>>();
    let mut pending = Pending::new(graph);
    let mut read = 0u64;
    // Order of files never matters: endpoints are checked once everything
    // is read, and nodes are written before edges.
    for input in inputs {
        let file = pending.file(&input.name);
        let reader = Counting {
            inner: input.reader,
            read: &mut read,
            total,
            reported: 0,
            progress,
        };
        match format {
            Format::JsonLines => jsonl::read(&mut pending, file, reader)?,
            Format::Csv => csv::read(&mut pending, file, reader)?,
            Format::Graphology => graphology::read(&mut pending, file, reader)?,
            Format::GraphMl => graphml::read(&mut pending, file, reader)?,
            Format::Snapshot => unreachable_snapshot()?,
        }
    }
    progress(Progress::Reading {
        done: read,
        total: Some(read),
    });
    pending.commit(options.chunk_ops, progress)
}

fn unreachable_snapshot() -> Result<(), InterchangeError> {
    Err(InterchangeError::invalid("snapshot input is handled apart"))
}

/// [`import`] from paths; for CSV a path may be a directory (its `*.csv` files).
///
/// # Errors
/// As [`import`].
pub fn import_files<S: Storage, P: AsRef<Path>>(
    graph: &Graph<S>,
    format: Format,
    paths: &[P],
    progress: &mut ProgressFn<'_>,
) -> Result<ImportSummary, InterchangeError> {
    let mut inputs = Vec::new();
    for path in paths {
        let path = path.as_ref();
        if path.is_dir() {
            for file in csv_files_in(path)? {
                inputs.push(Input::open(&file)?);
            }
        } else {
            inputs.push(Input::open(path)?);
        }
    }
    import(graph, format, inputs, progress)
}

fn csv_files_in(dir: &Path) -> Result<Vec<PathBuf>, InterchangeError> {
    let name = dir.display().to_string();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| InterchangeError::io(&name, e))? {
        let path = entry.map_err(|e| InterchangeError::io(&name, e))?.path();
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
            && path.is_file()
        {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(InterchangeError::invalid(format!(
            "{name}: the directory holds no .csv files"
        )));
    }
    Ok(files)
}

/// Loads a snapshot file into `storage`, which must hold no graph, and opens it.
///
/// # Errors
/// [`InterchangeError::Graph`] for a damaged snapshot or non-empty storage
/// (nothing is written then), [`InterchangeError::Io`].
pub fn import_snapshot<S: Storage>(path: &Path, storage: S) -> Result<Graph<S>, InterchangeError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| InterchangeError::io(&name, e))?;
    Graph::from_snapshot(&bytes, storage).map_err(|err| match err {
        crate::Error::Corrupt { detail } => InterchangeError::input(
            Location {
                file: name.clone(),
                line: None,
                column: None,
            },
            detail,
        ),
        other => InterchangeError::Graph(other),
    })
}

/// Writes the whole graph in `format` to `writer` (not CSV, which is one
/// file per label: use [`export_path`]).
///
/// # Errors
/// [`InterchangeError::Io`], [`InterchangeError::Graph`], and
/// [`InterchangeError::Invalid`] for CSV or data the format cannot hold.
pub fn export<S: Storage, W: Write>(
    graph: &Graph<S>,
    format: Format,
    name: &str,
    writer: W,
    progress: &mut ProgressFn<'_>,
) -> Result<ExportSummary, InterchangeError> {
    let mut writer = BufWriter::with_capacity(1 << 20, writer);
    let (nodes, edges) = match format {
        Format::JsonLines => jsonl::write(graph, name, &mut writer, progress)?,
        Format::Graphology => graphology::write(graph, name, &mut writer, progress)?,
        Format::GraphMl => graphml::write(graph, name, &mut writer, progress)?,
        Format::Snapshot => {
            let bytes = graph.to_snapshot()?;
            writer
                .write_all(&bytes)
                .map_err(|e| InterchangeError::io(name, e))?;
            (
                block_on(graph.count_nodes())? as u64,
                block_on(graph.count_edges())? as u64,
            )
        }
        Format::Csv => {
            return Err(InterchangeError::invalid(
                "CSV export writes one file per label: give a directory (export_path)",
            ))
        }
    };
    writer.flush().map_err(|e| InterchangeError::io(name, e))?;
    Ok(ExportSummary {
        nodes,
        edges,
        files: Vec::new(),
    })
}

/// Writes the whole graph in `format` to `path` (for CSV, a directory that
/// receives `nodes_<Label>.csv` and `edges_<LABEL>.csv`).
///
/// # Errors
/// As [`export`].
pub fn export_path<S: Storage>(
    graph: &Graph<S>,
    format: Format,
    path: impl AsRef<Path>,
    progress: &mut ProgressFn<'_>,
) -> Result<ExportSummary, InterchangeError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    if format == Format::Csv {
        std::fs::create_dir_all(path).map_err(|e| InterchangeError::io(&name, e))?;
        return csv::write(graph, path, progress);
    }
    let file = File::create(path).map_err(|e| InterchangeError::io(&name, e))?;
    let mut summary = export(graph, format, &name, file, progress)?;
    summary.files.push(path.to_path_buf());
    Ok(summary)
}

// ----- shared helpers -----------------------------------------------------------

/// Reads every node, then every edge, in chunks, calling `node` and `edge`.
pub(crate) fn for_each_record<S: Storage>(
    graph: &Graph<S>,
    progress: &mut ProgressFn<'_>,
    mut node: impl FnMut(&crate::Node) -> Result<(), InterchangeError>,
    mut edge: impl FnMut(&crate::Edge) -> Result<(), InterchangeError>,
) -> Result<(u64, u64), InterchangeError> {
    let nodes = block_on(graph.get_nodes(None, None))?;
    let edge_count = block_on(graph.count_edges())? as u64;
    let total = nodes.len() as u64 + edge_count;
    let mut done = 0u64;
    for n in &nodes {
        node(n)?;
        done += 1;
        if done % 65_536 == 0 {
            progress(Progress::Exporting { done, total });
        }
    }
    let node_count = nodes.len() as u64;
    drop(nodes);
    let mut edges_written = 0u64;
    // Edges in id order, without materialising all of them at once.
    let ids: Vec<EdgeId> = {
        let view = graph.read();
        let mut ids = Vec::with_capacity(edge_count as usize);
        for index in view.nodes() {
            ids.extend(view.out_edges(index));
        }
        ids.sort_unstable();
        ids
    };
    for id in ids {
        if let Some(e) = block_on(graph.get_edge(id))? {
            edge(&e)?;
            edges_written += 1;
            done += 1;
            if done % 65_536 == 0 {
                progress(Progress::Exporting { done, total });
            }
        }
    }
    progress(Progress::Exporting { done, total });
    Ok((node_count, edges_written))
}

/// The properties of a record as a map (`Null` is an empty map).
pub(crate) fn properties_map<'v>(
    properties: &'v Value,
    what: &dyn Fn() -> String,
    format: Format,
) -> Result<std::borrow::Cow<'v, crate::value::Map>, InterchangeError> {
    match properties {
        Value::Map(map) => Ok(std::borrow::Cow::Borrowed(map)),
        Value::Null => Ok(std::borrow::Cow::Owned(crate::value::Map::new())),
        other => Err(InterchangeError::invalid(format!(
            "{} has properties that are not an object ({other}); {format} holds only objects, use jsonl",
            what()
        ))),
    }
}

/// A node's properties from a parsed map: kept as a map, even when empty.
pub(crate) fn node_properties(map: crate::value::Map) -> Value {
    Value::Map(map)
}

/// An edge's properties from a parsed map: `Null` when empty (as `add_edge(.., None)`).
pub(crate) fn edge_properties(map: crate::value::Map) -> Value {
    if map.is_empty() {
        Value::Null
    } else {
        Value::Map(map)
    }
}
