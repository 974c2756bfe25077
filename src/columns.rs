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
use core::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::topology::LabelId;
use crate::value::{codec, Value};

/// One property of the nodes of one label, by node slot, dictionary-coded:
/// each slot holds the code of its value, each distinct value is kept once.
/// A filter then reads 4 bytes per candidate from an array that stays in
/// the processor's caches (400 KB for 100K nodes), and the few values it
/// meets (a city, an age) are shared and stay cached too; a vector of one
/// `Value` per node (each string on its own heap block) missed the cache
/// twice per candidate.
pub(crate) struct Column {
    pub label: LabelId,
    pub path: Vec<String>,
    /// The value code of the node in each slot: [`Column::NONE`] where the
    /// node lacks the property, has another label or the slot is free (and
    /// past the end).
    codes: Vec<u32>,
    /// The value of each code, and how many slots hold it (0: a free code,
    /// its value `Null`).
    values: Vec<(Value, u32)>,
    /// The code of each value held, found by the value (hashed by its
    /// encoding, which is not kept).
    code_of: HashTable<u32>,
    hasher: DefaultHashBuilder,
    /// Codes no slot holds, for reuse.
    free: Vec<u32>,
}

impl Column {
    const NONE: u32 = u32::MAX;

    /// A column of `path` for the nodes of `label`, from their `(slot, properties)`.
    pub fn build<'a>(
        label: LabelId,
        path: &[String],
        nodes: impl Iterator<Item = (u32, &'a Value)>,
    ) -> Self {
        let mut column = Column {
            label,
            path: path.to_vec(),
            codes: Vec::new(),
            values: Vec::new(),
            code_of: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            free: Vec::new(),
        };
        for (slot, properties) in nodes {
            column.set(slot, Some(properties));
        }
        column
    }

    /// The property of the node in `slot` (`None` for null or absent).
    #[inline]
    pub fn get(&self, slot: u32) -> Option<&Value> {
        match self.codes.get(slot as usize) {
            Some(&code) if code != Self::NONE => Some(&self.values[code as usize].0),
            _ => None,
        }
    }

    /// The dictionary code of the property of the node in `slot` (`None`
    /// for null or absent): nodes with equal values have equal codes.
    #[inline]
    pub fn code(&self, slot: u32) -> Option<u32> {
        self.codes
            .get(slot as usize)
            .copied()
            .filter(|&code| code != Self::NONE)
    }

    /// How many codes there are (distinct values held, and freed codes).
    pub fn codes(&self) -> usize {
        self.values.len()
    }

    /// True when this is the column of `path`.
    pub fn is(&self, path: &[&str]) -> bool {
        self.path.len() == path.len() && self.path.iter().zip(path).all(|(a, b)| a == b)
    }

    /// Records that the node in `slot` now has `properties` (`None`: it is gone).
    fn set(&mut self, slot: u32, properties: Option<&Value>) {
        let code = match properties.and_then(|p| value_at(p, &self.path)) {
            Some(value) if !value.is_null() => self.hold(value),
            _ => Self::NONE,
        };
        let at = slot as usize;
        if at >= self.codes.len() {
            if code == Self::NONE {
                return;
            }
            self.codes.resize(at + 1, Self::NONE);
        }
        let old = core::mem::replace(&mut self.codes[at], code);
        if old != Self::NONE {
            self.release(old);
        }
    }

    /// The code of `value`, counted as held once more.
    fn hold(&mut self, value: &Value) -> u32 {
        let hash = hash_of(&self.hasher, value);
        let values = &self.values;
        if let Some(&code) = self.code_of.find(hash, |&c| values[c as usize].0 == *value) {
            self.values[code as usize].1 += 1;
            return code;
        }
        let code = match self.free.pop() {
            Some(code) => {
                self.values[code as usize] = (value.clone(), 1);
                code
            }
            None => {
                self.values.push((value.clone(), 1));
                (self.values.len() - 1) as u32
            }
        };
        let (values, hasher) = (&self.values, &self.hasher);
        self.code_of
            .insert_unique(hash, code, |&c| hash_of(hasher, &values[c as usize].0));
        code
    }

    /// Counts `code` as held once less, freeing it when no slot holds it.
    fn release(&mut self, code: u32) {
        let (value, uses) = &mut self.values[code as usize];
        *uses -= 1;
        if *uses == 0 {
            let hash = hash_of(&self.hasher, value);
            *value = Value::Null;
            if let Ok(entry) = self.code_of.find_entry(hash, |&c| c == code) {
                entry.remove();
            }
            self.free.push(code);
        }
    }
}

/// A value's hash, by its encoding (equal values encode alike).
fn hash_of(hasher: &DefaultHashBuilder, value: &Value) -> u64 {
    let mut bytes = Vec::new();
    codec::encode(value, &mut bytes);
    hasher.hash_one(&bytes)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(value: Value) -> Value {
        let mut map = crate::value::Map::new();
        map.insert("p".into(), value);
        Value::Map(map)
    }

    fn column() -> Column {
        Column::build(0, &["p".into()], core::iter::empty())
    }

    #[test]
    fn values_are_kept_once_and_freed_with_their_last_slot() {
        let mut c = column();
        for slot in 0..10 {
            c.set(
                slot,
                Some(&record(Value::String(alloc::format!("city{}", slot % 3)))),
            );
        }
        assert_eq!(c.code_of.len(), 3, "three distinct values");
        assert_eq!(c.get(4), Some(&Value::String("city1".into())));
        assert_eq!(c.get(10), None, "past the end");
        // Int 1 and Float 1.0 are different values.
        c.set(0, Some(&record(Value::Int(1))));
        c.set(1, Some(&record(Value::Float(1.0))));
        assert_eq!(
            (c.get(0), c.get(1)),
            (Some(&Value::Int(1)), Some(&Value::Float(1.0)))
        );
        // Null, absence and removal hold no code.
        c.set(2, Some(&record(Value::Null)));
        c.set(3, Some(&Value::Map(Default::default())));
        c.set(4, None);
        assert_eq!((c.get(2), c.get(3), c.get(4)), (None, None, None));
        // One slot rewritten with ever new values keeps one code in use.
        let before = c.values.len();
        for n in 0..1000 {
            c.set(5, Some(&record(Value::Int(1000 + n))));
        }
        // (the new value is held before the old one is let go: two codes)
        assert!(
            c.values.len() <= before + 2,
            "freed codes are reused: {before} -> {}",
            c.values.len()
        );
        assert_eq!(c.get(5), Some(&Value::Int(1999)));
        let held: u32 = c.values.iter().map(|(_, uses)| uses).sum();
        let slots = (0..10).filter(|&s| c.get(s).is_some()).count();
        assert_eq!(held as usize, slots);
        assert_eq!(c.code_of.len(), c.values.len() - c.free.len());
    }
}
