//! [`Graph::verify_integrity`]: re-reads everything the storage holds and
//! checks it against itself and against the in-memory topology.
//!
//! Checked: every node, edge and change-log record decodes and passes its
//! checksum; every edge's endpoints are stored nodes; the topology holds
//! exactly the stored nodes and edges (same labels, endpoints, times) and its
//! adjacency lists list every edge once at each end; every secondary index
//! holds exactly the entries its records call for (missing and stale entries);
//! the counts agree. Writers wait while it runs (at the writer gate, up to
//! their lock timeout); readers do not.

use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::ops::ControlFlow;

use knowledge_graph_storage::{Keyspace, Storage};

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::index::{entry_record_id, IndexDef, RecordKind};
use crate::record;
use crate::topology::Topology;
use crate::value::Value;

/// Problems kept in a report; more are only counted.
const MAX_PROBLEMS: usize = 1000;

/// One inconsistency [`Graph::verify_integrity`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IntegrityProblem {
    /// A stored record fails its checksum or does not decode.
    CorruptRecord {
        /// `"nodes"`, `"edges"` or `"log"`.
        keyspace: &'static str,
        /// What is wrong, naming the record.
        detail: String,
    },
    /// An edge names a node that is not stored.
    DanglingEdge {
        /// The edge id.
        edge: u64,
        /// `"source"` or `"target"`.
        role: &'static str,
        /// The missing node id.
        node: String,
    },
    /// The in-memory topology disagrees with what is stored.
    TopologyMismatch {
        /// What disagrees, naming the node or edge.
        detail: String,
    },
    /// A record lacks an index entry it should have.
    MissingIndexEntry {
        /// The index, as `label.property`.
        index: String,
        /// The record: a node id or `#edge id`.
        record: String,
    },
    /// An index entry points at a record that does not have that value (or
    /// does not exist, or belongs to no index).
    StaleIndexEntry {
        /// The index, as `label.property` (`"(none)"` when no index owns it).
        index: String,
        /// The record it names.
        record: String,
    },
    /// A count kept in memory differs from what is stored.
    CountMismatch {
        /// `"nodes"` or `"edges"`.
        what: &'static str,
        /// Valid records in storage.
        stored: u64,
        /// The in-memory count.
        in_memory: u64,
    },
}

impl fmt::Display for IntegrityProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CorruptRecord { keyspace, detail } => {
                write!(f, "corrupt record in {keyspace}: {detail}")
            }
            Self::DanglingEdge { edge, role, node } => {
                write!(f, "edge #{edge} names missing {role} node '{node}'")
            }
            Self::TopologyMismatch { detail } => write!(f, "topology mismatch: {detail}"),
            Self::MissingIndexEntry { index, record } => {
                write!(f, "index {index} lacks the entry of record '{record}'")
            }
            Self::StaleIndexEntry { index, record } => {
                write!(f, "index {index} has a stale entry for record '{record}'")
            }
            Self::CountMismatch {
                what,
                stored,
                in_memory,
            } => write!(
                f,
                "{what}: {stored} stored but {in_memory} counted in memory"
            ),
        }
    }
}

/// What [`Graph::check_integrity`] and [`Graph::verify_integrity`] looked at and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IntegrityReport {
    /// Node records read.
    pub nodes: u64,
    /// Edge records read.
    pub edges: u64,
    /// Index entries read.
    pub index_entries: u64,
    /// Change-log entries read.
    pub log_entries: u64,
    /// The problems found (the first 1,000).
    pub problems: Vec<IntegrityProblem>,
    /// Problems found beyond those listed.
    pub unlisted_problems: u64,
}

impl IntegrityReport {
    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// Every problem found, listed or not.
    pub fn problem_count(&self) -> u64 {
        self.problems.len() as u64 + self.unlisted_problems
    }

    fn add(&mut self, problem: IntegrityProblem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.unlisted_problems += 1;
        }
    }
}

impl fmt::Display for IntegrityReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "checked {} nodes, {} edges, {} index entries, {} change-log entries: ",
            self.nodes, self.edges, self.index_entries, self.log_entries
        )?;
        if self.is_ok() {
            return write!(f, "no problems");
        }
        write!(f, "{} problems", self.problem_count())?;
        for problem in self.problems.iter().take(5) {
            write!(f, "; {problem}")?;
        }
        if self.problem_count() > 5 {
            write!(f, "; ...")?;
        }
        Ok(())
    }
}

impl<S: Storage> Graph<S> {
    /// Checks the stored graph against itself and the in-memory state (see
    /// the [module docs](crate::IntegrityReport)) and fails if anything is wrong.
    ///
    /// # Errors
    /// [`Error::Integrity`] carrying the report when a problem is found;
    /// [`Error::Unavailable`] when the graph could not load its storage;
    /// storage errors.
    ///
    /// # Complexity
    /// One pass over every record; memory for the expected index entries.
    pub async fn verify_integrity(&self) -> Result<IntegrityReport> {
        let report = self.check_integrity()?;
        if report.is_ok() {
            Ok(report)
        } else {
            Err(Error::Integrity(Box::new(report)))
        }
    }

    /// [`verify_integrity`](Self::verify_integrity), returning the report
    /// whether or not it found problems.
    ///
    /// # Errors
    /// [`Error::LockTimeout`] when a writer keeps the gate; [`Error::Unavailable`];
    /// storage errors.
    pub fn check_integrity(&self) -> Result<IntegrityReport> {
        self.check()?;
        let inner = self.inner();
        // Writers wait at the gate, not at the topology lock, where readers
        // arriving after them would have to queue too.
        let _ticket = self.write_ticket()?;
        let topo = inner.topology.read();
        check(&inner.storage, &topo)
    }
}

fn check<S: Storage>(storage: &S, topo: &Topology) -> Result<IntegrityReport> {
    let mut report = IntegrityReport::default();
    let mut expected: BTreeSet<Vec<u8>> = BTreeSet::new();
    let mut node_seen = vec![false; topo.nodes.len()];
    let mut edge_seen = vec![false; topo.edges.len()];
    let (mut nodes_ok, mut edges_ok) = (0u64, 0u64);

    storage.scan_prefix(Keyspace::Nodes, b"", &mut |key, value| {
        report.nodes += 1;
        let decoded = record::node_id_from_key(key).and_then(|id| {
            let header = record::node_header(id, value)?;
            let what = format!("node '{id}'");
            let properties = record::properties(&what, value, header.props_at)?;
            Ok((id, header.label, properties))
        });
        let (id, label, properties) = match decoded {
            Ok(decoded) => decoded,
            Err(err) => {
                report.add(corrupt("nodes", &err));
                return ControlFlow::Continue(());
            }
        };
        nodes_ok += 1;
        match topo.node(id) {
            None => report.add(mismatch(format!("node '{id}' is stored but not in memory"))),
            Some(slot) => {
                node_seen[slot as usize] = true;
                let in_memory = topo.label(topo.node_slot(slot).label);
                if **in_memory != *label {
                    report.add(mismatch(format!(
                        "node '{id}' has label '{label}' in storage but '{in_memory}' in memory"
                    )));
                }
            }
        }
        expect(
            &mut expected,
            topo,
            RecordKind::Node,
            label,
            key,
            &properties,
        );
        ControlFlow::Continue(())
    })?;

    storage.scan_prefix(Keyspace::Edges, b"", &mut |key, value| {
        report.edges += 1;
        let decoded = record::edge_id_from_key(key).and_then(|id| {
            let h = record::edge_header(id, value)?;
            let what = format!("edge #{id}");
            let properties = record::properties(&what, value, h.props_at)?;
            Ok((id, h, properties))
        });
        let (id, h, properties) = match decoded {
            Ok(decoded) => decoded,
            Err(err) => {
                report.add(corrupt("edges", &err));
                return ControlFlow::Continue(());
            }
        };
        edges_ok += 1;
        for (role, node) in [("source", h.source), ("target", h.target)] {
            let stored = topo
                .node(node)
                .is_some_and(|slot| node_seen[slot as usize]);
            if !stored {
                report.add(IntegrityProblem::DanglingEdge {
                    edge: id,
                    role,
                    node: node.to_string(),
                });
            }
        }
        if id >= topo.next_edge {
            report.add(mismatch(format!(
                "edge #{id} is not below the next edge id {}",
                topo.next_edge
            )));
        }
        match topo.edge(id) {
            None => report.add(mismatch(format!(
                "edge #{id} is stored but not in memory"
            ))),
            Some(slot) => {
                edge_seen[id as usize] = true;
                let source = &topo.node_slot(slot.source).id;
                let target = &topo.node_slot(slot.target).id;
                let label = topo.label(slot.label);
                if **source != *h.source
                    || **target != *h.target
                    || **label != *h.label
                    || slot.created_at_ms != h.created_at_ms
                {
                    report.add(mismatch(format!(
                        "edge #{id} is '{}' {} -> {} in storage but '{label}' {source} -> {target} in memory",
                        h.label, h.source, h.target
                    )));
                }
            }
        }
        expect(&mut expected, topo, RecordKind::Edge, h.label, key, &properties);
        ControlFlow::Continue(())
    })?;

    for slot in topo.live_nodes() {
        if !node_seen[slot as usize] {
            report.add(mismatch(format!(
                "node '{}' is in memory but not stored",
                topo.node_slot(slot).id
            )));
        }
    }
    check_adjacency(topo, &edge_seen, &mut report);
    for (what, stored, in_memory) in [
        ("nodes", nodes_ok, topo.node_count() as u64),
        ("edges", edges_ok, topo.edge_count as u64),
    ] {
        if stored != in_memory {
            report.add(IntegrityProblem::CountMismatch {
                what,
                stored,
                in_memory,
            });
        }
    }

    // Queries read the in-memory copy of the entries: it must hold exactly
    // the entries the records call for, each pointing at its record.
    let mut held = 0;
    for (key, record) in topo.index_entries() {
        if expected.contains(key) && topo.index_entry_target(key) == Some(record) {
            held += 1;
        } else {
            let (index, record) = describe_entry(topo, key);
            report.add(mismatch(format!(
                "index {index} holds a wrong entry for record '{record}' in memory"
            )));
        }
    }
    if held < expected.len() {
        report.add(mismatch(format!(
            "{} index entries the records call for are missing from memory or point elsewhere",
            expected.len() - held
        )));
    }

    // Both sides are in key order: one merge finds missing and stale entries.
    let mut wanted = expected.into_iter().peekable();
    storage.scan_prefix(Keyspace::Index, b"", &mut |key, _| {
        report.index_entries += 1;
        while let Some(next) = wanted.next_if(|w| w.as_slice() < key) {
            report.add(index_problem(topo, &next, true));
        }
        if wanted.next_if(|w| w.as_slice() == key).is_none() {
            report.add(index_problem(topo, key, false));
        }
        ControlFlow::Continue(())
    })?;
    for missing in wanted {
        report.add(index_problem(topo, &missing, true));
    }

    storage.scan_prefix(Keyspace::Log, b"", &mut |key, value| {
        report.log_entries += 1;
        let checked =
            crate::changelog::sequence_of(key).and_then(|seq| crate::changelog::decode(seq, value));
        match checked {
            Err(err) => report.add(corrupt("log", &err)),
            Ok(change) if change.sequence > topo.log_seq => report.add(corrupt(
                "log",
                &format!(
                    "change-log entry #{} is newer than the last commit #{}",
                    change.sequence, topo.log_seq
                ),
            )),
            Ok(_) => {}
        }
        ControlFlow::Continue(())
    })?;
    Ok(report)
}

/// Every live edge must be stored and listed once in its source's out list
/// and once in its target's in list; every list entry must be such an edge.
fn check_adjacency(topo: &Topology, edge_seen: &[bool], report: &mut IntegrityReport) {
    let mut outs = vec![0u8; topo.edges.len()];
    let mut ins = vec![0u8; topo.edges.len()];
    for slot in topo.live_nodes() {
        let node = topo.node_slot(slot);
        for (outgoing, list) in [(true, &node.out), (false, &node.inc)] {
            for adj in list {
                let edge = topo.edge(u64::from(adj.edge));
                let fits = edge.is_some_and(|e| {
                    let (here, there) = if outgoing {
                        (e.source, e.target)
                    } else {
                        (e.target, e.source)
                    };
                    here == slot && there == adj.node
                });
                if !fits {
                    report.add(mismatch(format!(
                        "node '{}' lists edge #{} that does not {} it",
                        node.id,
                        adj.edge,
                        if outgoing { "leave" } else { "enter" }
                    )));
                    continue;
                }
                let count = if outgoing { &mut outs } else { &mut ins };
                count[adj.edge as usize] = count[adj.edge as usize].saturating_add(1);
            }
        }
    }
    for (id, edge) in topo.edges.iter().enumerate() {
        if !edge.is_live() {
            continue;
        }
        if !edge_seen[id] {
            report.add(mismatch(format!("edge #{id} is in memory but not stored")));
        }
        if outs[id] != 1 || ins[id] != 1 {
            report.add(mismatch(format!(
                "edge #{id} appears {} times in its source's out list and {} times in its target's in list",
                outs[id], ins[id]
            )));
        }
    }
}

/// Adds the index entries a record with these properties should have.
fn expect(
    expected: &mut BTreeSet<Vec<u8>>,
    topo: &Topology,
    kind: RecordKind,
    label: &str,
    key: &[u8],
    properties: &Value,
) {
    for def in topo.indexes.iter().filter(|d| d.covers(kind, label)) {
        if let Some(value) = def.value_of(properties) {
            expected.insert(def.entry_key(value, key));
        }
    }
}

fn index_problem(topo: &Topology, entry: &[u8], missing: bool) -> IntegrityProblem {
    let (index, record) = describe_entry(topo, entry);
    if missing {
        IntegrityProblem::MissingIndexEntry { index, record }
    } else {
        IntegrityProblem::StaleIndexEntry { index, record }
    }
}

/// The index (`label.property`) and the record an entry names, as text.
fn describe_entry(topo: &Topology, entry: &[u8]) -> (String, String) {
    let def: Option<&IndexDef> = topo.indexes.iter().find(|d| entry.starts_with(&d.prefix()));
    let index = def.map_or_else(|| String::from("(none)"), |d| d.info().qualified());
    let record = match (def.map(|d| d.kind), entry_record_id(entry)) {
        (Some(RecordKind::Edge), Some(id)) => match record::edge_id_from_key(id) {
            Ok(id) => format!("#{id}"),
            Err(_) => String::from("(unreadable)"),
        },
        (_, Some(id)) => String::from_utf8_lossy(id).into_owned(),
        (_, None) => String::from("(unreadable)"),
    };
    (index, record)
}

fn corrupt(keyspace: &'static str, err: &dyn fmt::Display) -> IntegrityProblem {
    IntegrityProblem::CorruptRecord {
        keyspace,
        detail: err.to_string(),
    }
}

fn mismatch(detail: String) -> IntegrityProblem {
    IntegrityProblem::TopologyMismatch { detail }
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use super::*;
    use crate::topology::IndexChange;
    use crate::{block_on, Graph, MemoryStorage};

    #[test]
    fn in_memory_index_entries_that_differ_from_the_records_are_reported() {
        let graph = Graph::new(MemoryStorage::new());
        let mut city = crate::value::Map::new();
        city.insert("city".into(), Value::String("Oslo".into()));
        for id in ["a", "b"] {
            block_on(graph.add_node("user", id, &Value::Map(city.clone()))).unwrap();
        }
        block_on(graph.create_index("user", "city")).unwrap();
        assert!(graph.check_integrity().unwrap().is_ok());

        let mut topo = graph.inner().topology.write();
        let (kept, lost) = {
            let mut entries = topo.index_entries();
            let first = entries.next().unwrap();
            let second = entries.next().unwrap();
            ((first.0.to_vec(), first.1), second.0.to_vec())
        };
        topo.apply_index_changes(vec![
            // Points at the other node's slot.
            IndexChange::Put(kept.0, kept.1 ^ 1),
            IndexChange::Delete(lost),
        ]);
        drop(topo);
        let report = graph.check_integrity().unwrap();
        let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "topology mismatch: index user.city holds a wrong entry for record 'a' in memory",
                "topology mismatch: 2 index entries the records call for are missing from memory or point elsewhere",
            ]
        );
    }
}
