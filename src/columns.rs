//! Property columns for node queries: one property of the nodes of one label,
//! held by node slot, so a query filter reads one array entry per candidate
//! instead of finding the candidate's record in the cache and the property in
//! the record.
//!
//! A column is built once the queries that lacked it have examined as many
//! candidates as the label has nodes (building one reads every node once,
//! so a workload never pays more than about twice what it would have with
//! the column from the start); commits keep it up to date; the least recently
//! used goes when more than [`GraphOptions::query_columns`] would be kept.
//!
//! [`GraphOptions::query_columns`]: crate::GraphOptions::query_columns

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::topology::LabelId;
use crate::value::Value;

/// One property of the nodes of one label, by node slot.
pub(crate) struct Column {
    pub label: LabelId,
    pub path: Vec<String>,
    /// The property of the node in each slot; `Null` where the node lacks
    /// it, has another label or the slot is free (and past the end).
    values: Vec<Value>,
}

impl Column {
    /// A column of `path` for the nodes of `label`, from their `(slot, properties)`.
    pub fn build<'a>(
        label: LabelId,
        path: &[String],
        nodes: impl Iterator<Item = (u32, &'a Value)>,
    ) -> Self {
        let mut column = Column {
            label,
            path: path.to_vec(),
            values: Vec::new(),
        };
        for (slot, properties) in nodes {
            column.set(slot, Some(properties));
        }
        column
    }

    /// The property of the node in `slot` (`None` for null or absent).
    pub fn get(&self, slot: u32) -> Option<&Value> {
        self.values
            .get(slot as usize)
            .filter(|value| !value.is_null())
    }

    /// True when this is the column of `path`.
    pub fn is(&self, path: &[&str]) -> bool {
        self.path.len() == path.len() && self.path.iter().zip(path).all(|(a, b)| a == b)
    }

    /// Records that the node in `slot` now has `properties` (`None`: it is gone).
    fn set(&mut self, slot: u32, properties: Option<&Value>) {
        let value = properties
            .and_then(|p| value_at(p, &self.path))
            .cloned()
            .unwrap_or(Value::Null);
        let at = slot as usize;
        if at >= self.values.len() {
            if value.is_null() {
                return;
            }
            self.values.resize(at + 1, Value::Null);
        }
        self.values[at] = value;
    }
}

/// The value at `path` in a record's properties (`None` when absent).
fn value_at<'a>(properties: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter()
        .try_fold(properties, |value, segment| match value {
            Value::Map(map) => map.get(segment.as_str()),
            _ => None,
        })
}

/// The columns kept, and what queries paid for want of the others.
#[derive(Default)]
pub(crate) struct Columns {
    /// Most columns kept; 0 turns them off.
    capacity: usize,
    /// Each with the tick it was last used at.
    kept: Vec<(Arc<Column>, u64)>,
    /// Candidates examined without a column, per label and path.
    rent: Vec<(LabelId, Vec<String>, u64)>,
    tick: u64,
}

impl Columns {
    /// At most this many label and path pairs have their rent tracked.
    const RENTERS: usize = 64;
    /// Labels with more nodes get no columns: a query building one holds
    /// writers back while it reads every node of the label.
    const MAX_NODES: usize = 1 << 20;

    /// Columns kept.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity;
        self.kept.truncate(capacity);
    }

    /// The columns of `paths` for `label` if all are kept; those kept are
    /// marked used either way.
    pub fn find(&mut self, label: LabelId, paths: &[&[String]]) -> Option<Vec<Arc<Column>>> {
        self.tick += 1;
        let tick = self.tick;
        let found: Vec<Option<Arc<Column>>> = paths
            .iter()
            .map(|path| {
                let at = self.position(label, path)?;
                let (column, used) = &mut self.kept[at];
                *used = tick;
                Some(Arc::clone(column))
            })
            .collect();
        found.into_iter().collect()
    }

    /// True when a column of `path` for `label` is kept.
    pub fn has(&self, label: LabelId, path: &[String]) -> bool {
        self.position(label, path).is_some()
    }

    fn position(&self, label: LabelId, path: &[String]) -> Option<usize> {
        self.kept
            .iter()
            .position(|(c, _)| c.label == label && c.path == path)
    }

    /// True when `path` of `label` has paid for its column: queries without
    /// it examined at least `nodes` (the label's node count) candidates.
    pub fn due(&self, label: LabelId, path: &[String], nodes: usize) -> bool {
        self.capacity > 0
            && nodes <= Self::MAX_NODES
            && self
                .rent_of(label, path)
                .is_some_and(|at| self.rent[at].2 >= nodes as u64)
    }

    /// Adds `candidates` to what `paths` of `label` have paid.
    pub fn pay(&mut self, label: LabelId, paths: &[&[String]], candidates: u64) {
        if self.capacity == 0 {
            return;
        }
        for path in paths {
            if self.has(label, path) {
                continue;
            }
            match self.rent_of(label, path) {
                Some(at) => self.rent[at].2 += candidates,
                None => {
                    if self.rent.len() >= Self::RENTERS {
                        self.rent.clear();
                    }
                    self.rent.push((label, path.to_vec(), candidates));
                }
            }
        }
    }

    fn rent_of(&self, label: LabelId, path: &[String]) -> Option<usize> {
        self.rent
            .iter()
            .position(|(l, p, _)| *l == label && p == path)
    }

    /// Keeps a new column, dropping the least recently used beyond capacity.
    pub fn insert(&mut self, column: Column) {
        if let Some(at) = self.rent_of(column.label, &column.path) {
            self.rent.swap_remove(at);
        }
        self.tick += 1;
        if self.kept.len() >= self.capacity {
            if let Some(oldest) = (0..self.kept.len()).min_by_key(|&i| self.kept[i].1) {
                self.kept.swap_remove(oldest);
            }
        }
        if self.capacity > 0 {
            self.kept.push((Arc::new(column), self.tick));
        }
    }

    /// True when some column covers nodes of `label` (commits then report
    /// their changes to those nodes).
    pub fn covers(&self, label: LabelId) -> bool {
        self.kept.iter().any(|(c, _)| c.label == label)
    }

    /// Applies a commit's node changes: the node of `label` in `slot` now
    /// has these properties (`None`: it was removed).
    pub fn update(&mut self, changes: Vec<(u32, LabelId, Option<Value>)>) {
        for (slot, label, properties) in changes {
            // Readers hold columns only under the topology's read lock, which
            // the committing writer excludes; a column still shared is dropped.
            self.kept.retain_mut(|(column, _)| {
                if column.label != label {
                    return true;
                }
                match Arc::get_mut(column) {
                    Some(column) => {
                        column.set(slot, properties.as_ref());
                        true
                    }
                    None => false,
                }
            });
        }
    }
}
