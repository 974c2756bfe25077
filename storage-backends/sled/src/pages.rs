//! Edge records and change-log entries sixteen to a sled key.
//!
//! sled's cost is per key, not per byte: on this project's machines it
//! inserted 1.2M values of 66 bytes, one per key, in 5.1 s, and the same
//! bytes as 75,000 values of sixteen times the size in 0.37 s. Edge records
//! (most of a graph's records) and change-log entries are keyed by
//! big-endian ids written in order, so the 8-byte keys of those keyspaces
//! that differ only in the low four bits share one sled key, a *page*. Other
//! keys (node ids, index entries, keys of other lengths) have their own sled
//! key, as do values over [`INLINE_MAX`] bytes, which their page's slot
//! points to: a page stays small enough to rewrite for every change.
//!
//! A page's sled key is the keyspace tag with [`PAGE_BIT`] set, then the
//! first key it can hold (the low four bits cleared); its value is a bitmap
//! of the slots in use (`u16`, little-endian), then for each in slot order a
//! little-endian `u32` length and that many bytes, or [`ELSEWHERE`] for a
//! value under its own key. Pages sort in the order of the keys they hold, so
//! a scan reads them in order and merges them with the keyspace's own keys.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use knowledge_graph_storage::{Keyspace, StorageError};

use crate::journal::Group;

/// Keys of this length in a paged keyspace are paged.
const KEY_LEN: usize = 8;
const SLOTS: usize = 16;
/// Set in the tag of page keys, which keeps them apart from the keyspace's
/// own keys (keyspace tags are small; the backend's own keys start with 0xff).
const PAGE_BIT: u8 = 0x80;
/// Larger values are stored under their own key.
const INLINE_MAX: usize = 512;
/// The length that marks a slot whose value is under its own key.
const ELSEWHERE: u32 = u32::MAX;
/// Present once a database's paged keys are all in pages; databases written
/// before pages have their records moved in when first opened.
const MIGRATED_KEY: &[u8] = b"\xffmaya-pages";

/// The sled key of a page: tag, then the first key it can hold.
pub(crate) type PageKey = [u8; 1 + KEY_LEN];

/// Writes to pages, by page, in the order they were made: slot and value
/// (`None` deletes).
pub(crate) type PageWrites = BTreeMap<PageKey, Vec<(usize, Option<Vec<u8>>)>>;

/// A write under a sled key; `None` deletes.
pub(crate) type Change = (Vec<u8>, Option<Vec<u8>>);
/// Writes under sled keys, in order.
pub(crate) type Changes = Vec<Change>;

/// A key a page holds and where its value is in the page.
pub(crate) type Entry = ([u8; KEY_LEN], Range<usize>);

/// Whether the keyspace keeps its keys of [`KEY_LEN`] bytes in pages.
fn has_pages(keyspace: Keyspace) -> bool {
    matches!(keyspace, Keyspace::Edges | Keyspace::Log)
}

/// Whether `key` of `keyspace` lives in a page.
pub(crate) fn paged(keyspace: Keyspace, key: &[u8]) -> bool {
    has_pages(keyspace) && key.len() == KEY_LEN
}

/// The page holding a paged key, and the key's slot in it.
pub(crate) fn locate(keyspace: Keyspace, key: &[u8]) -> (PageKey, usize) {
    let mut page = [0u8; 1 + KEY_LEN];
    page[0] = keyspace.tag() | PAGE_BIT;
    page[1..].copy_from_slice(key);
    page[KEY_LEN] &= !(SLOTS as u8 - 1);
    (page, usize::from(key[KEY_LEN - 1]) % SLOTS)
}

/// The sled key of the value in `slot` of `page` when stored on its own.
fn own_key(page: &[u8], slot: usize) -> Vec<u8> {
    let mut key = page.to_vec();
    key[0] &= !PAGE_BIT;
    key[KEY_LEN] |= slot as u8;
    key
}

/// Where a scan of `keyspace` for keys `>= start` under `prefix` reads
/// pages: the sled keys to start from and to stay under, or `None` when no
/// paged key can match.
pub(crate) fn scan_bounds(
    keyspace: Keyspace,
    start: &[u8],
    prefix: &[u8],
) -> Option<(Vec<u8>, Vec<u8>)> {
    if !has_pages(keyspace) || prefix.len() > KEY_LEN {
        return None;
    }
    let bound = |key: &[u8]| {
        let mut sled_key = vec![keyspace.tag() | PAGE_BIT];
        sled_key.extend_from_slice(&key[..key.len().min(KEY_LEN)]);
        if sled_key.len() == 1 + KEY_LEN {
            sled_key[KEY_LEN] &= !(SLOTS as u8 - 1);
        }
        sled_key
    };
    Some((bound(start), bound(prefix)))
}

/// What a page's slot holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Slot {
    #[default]
    Empty,
    /// The value, at this range of the page.
    Here(Range<usize>),
    /// The value is under its own key.
    Elsewhere,
}

/// The value in a page's slot.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found<'a> {
    Absent,
    Here(&'a [u8]),
    /// Under its own key.
    Elsewhere,
}

/// What `slot` of a stored page holds.
///
/// # Errors
/// [`StorageError::Corrupt`] when the page is malformed.
pub(crate) fn value<'a>(
    page: &PageKey,
    bytes: &'a [u8],
    slot: usize,
) -> Result<Found<'a>, StorageError> {
    Ok(match &decode(page, bytes)?[slot] {
        Slot::Empty => Found::Absent,
        Slot::Here(range) => Found::Here(&bytes[range.clone()]),
        Slot::Elsewhere => Found::Elsewhere,
    })
}

/// The keys and value ranges of the values a stored page holds itself, in
/// key order (those under their own keys are read with those keys).
///
/// # Errors
/// [`StorageError::Corrupt`] when the page is malformed.
pub(crate) fn entries(page: &[u8], bytes: &[u8]) -> Result<Vec<Entry>, StorageError> {
    Ok(decode(page, bytes)?
        .into_iter()
        .enumerate()
        .filter_map(|(slot, found)| match found {
            Slot::Here(range) => {
                let mut key = [0u8; KEY_LEN];
                key.copy_from_slice(&own_key(page, slot)[1..]);
                Some((key, range))
            }
            Slot::Empty | Slot::Elsewhere => None,
        })
        .collect())
}

/// The page after `writes` to what it holds now (`current`): its new value
/// (`None` when left empty) and the writes to own keys that go with it.
///
/// # Errors
/// [`StorageError::Corrupt`] when `current` is malformed.
pub(crate) fn rewrite(
    page: &PageKey,
    current: Option<&[u8]>,
    writes: Vec<(usize, Option<Vec<u8>>)>,
) -> Result<(Option<Vec<u8>>, Changes), StorageError> {
    /// A slot's value; `None` for one under its own key.
    type Value<'a> = Option<Cow<'a, [u8]>>;
    let mut values: [Option<Value<'_>>; SLOTS] = Default::default();
    if let Some(bytes) = current {
        for (slot, found) in decode(page, bytes)?.into_iter().enumerate() {
            values[slot] = match found {
                Slot::Empty => None,
                Slot::Here(range) => Some(Some(Cow::Borrowed(&bytes[range]))),
                Slot::Elsewhere => Some(None),
            };
        }
    }
    let mut own = Changes::new();
    for (slot, value) in writes {
        let was_elsewhere = matches!(values[slot], Some(None));
        values[slot] = match value {
            Some(value) if value.len() > INLINE_MAX => {
                own.push((own_key(page, slot), Some(value)));
                Some(None)
            }
            value => {
                if was_elsewhere {
                    own.push((own_key(page, slot), None));
                }
                value.map(|value| Some(Cow::Owned(value)))
            }
        };
    }
    let used: u16 = (0..SLOTS)
        .filter(|&slot| values[slot].is_some())
        .fold(0, |bits, slot| bits | 1 << slot);
    if used == 0 {
        return Ok((None, own));
    }
    let size: usize = values.iter().flatten().flatten().map(|v| 4 + v.len()).sum();
    let mut out = Vec::with_capacity(2 + 4 * SLOTS + size);
    out.extend_from_slice(&used.to_le_bytes());
    for value in values.iter().flatten() {
        match value {
            // At most INLINE_MAX bytes, so the length fits.
            Some(bytes) => {
                out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                out.extend_from_slice(bytes);
            }
            None => out.extend_from_slice(&ELSEWHERE.to_le_bytes()),
        }
    }
    Ok((Some(out), own))
}

/// Whether [`append`] can do `writes` to a page as [`rewrite`] made it
/// (`bytes`): whether they only put values of at most [`INLINE_MAX`] bytes
/// in ascending slots past every slot in use, as records and log entries
/// are added in key order. Gives the page's new bitmap of used slots.
pub(crate) fn appendable(bytes: &[u8], writes: &[(usize, Option<Vec<u8>>)]) -> Option<u16> {
    let mut used = match bytes {
        [a, b, ..] => u16::from_le_bytes([*a, *b]),
        _ => return None,
    };
    for (slot, value) in writes {
        let past_used = *slot < SLOTS && used >> slot == 0;
        if !past_used || value.as_ref().is_none_or(|v| v.len() > INLINE_MAX) {
            return None;
        }
        used |= 1 << slot;
    }
    Some(used)
}

/// Makes room in `bytes`, a page as [`rewrite`] made it, for values as
/// large as those it holds in every slot past the last one in use, so
/// that [`append`]ing them does not move the page.
pub(crate) fn reserve(bytes: &mut Vec<u8>) {
    let used = match bytes[..] {
        [a, b, ..] => u16::from_le_bytes([a, b]),
        _ => return,
    };
    let past = SLOTS - used.leading_zeros() as usize;
    let average = (bytes.len() - 2) / (used.count_ones() as usize).max(1);
    bytes.reserve((SLOTS - past) * average);
}

/// [`rewrite`] in place, for `writes` that are [`appendable`] (which gave
/// `used`).
pub(crate) fn append(bytes: &mut Vec<u8>, used: u16, writes: &[(usize, Option<Vec<u8>>)]) {
    bytes[..2].copy_from_slice(&used.to_le_bytes());
    for value in writes.iter().filter_map(|(_, value)| value.as_ref()) {
        // At most INLINE_MAX bytes, so the length fits.
        bytes.extend_from_slice(&(value.len() as u32).to_le_bytes());
        bytes.extend_from_slice(value);
    }
}

/// What each slot of a stored page holds.
fn decode(page: &[u8], bytes: &[u8]) -> Result<[Slot; SLOTS], StorageError> {
    let mut slots: [Slot; SLOTS] = Default::default();
    let used = match bytes {
        [a, b, ..] => u16::from_le_bytes([*a, *b]),
        _ => return Err(malformed(page, "it is shorter than its header")),
    };
    if used == 0 {
        return Err(malformed(page, "it holds no values"));
    }
    let mut at = 2;
    for (slot, found) in slots.iter_mut().enumerate() {
        if used & (1 << slot) == 0 {
            continue;
        }
        let len = bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| malformed(page, "it ends inside a length"))?;
        at += 4;
        if len == ELSEWHERE {
            *found = Slot::Elsewhere;
            continue;
        }
        let end = at
            .checked_add(len as usize)
            .filter(|&end| end <= bytes.len() && len as usize <= INLINE_MAX)
            .ok_or_else(|| malformed(page, "a value runs past its end"))?;
        *found = Slot::Here(at..end);
        at = end;
    }
    if at != bytes.len() {
        return Err(malformed(page, "bytes follow its last value"));
    }
    Ok(slots)
}

fn malformed(page: &[u8], why: &str) -> StorageError {
    StorageError::corrupt(format!(
        "the page of records at sled key {page:02x?} is malformed: {why}"
    ))
}

/// Moves the records of paged keyspaces that a database written before
/// pages holds under their own keys into pages, in atomic batches (a crash
/// part way leaves each record readable, and the next open finishes), then
/// marks the database as moved. Does nothing on a database already marked.
///
/// # Errors
/// sled errors; [`StorageError::Corrupt`] for a malformed page.
pub(crate) fn migrate(tree: &sled::Tree) -> Result<(), StorageError> {
    const CHUNK: usize = 4_096;
    if tree.contains_key(MIGRATED_KEY).map_err(crate::map_error)? {
        return Ok(());
    }
    for keyspace in Keyspace::ALL.into_iter().filter(|&ks| has_pages(ks)) {
        let tag = [keyspace.tag()];
        let mut from = tag.to_vec();
        loop {
            let mut old = Vec::new();
            for entry in tree.range(&from[..]..) {
                let (key, value) = entry.map_err(crate::map_error)?;
                if !key.starts_with(&tag) || old.len() == CHUNK {
                    break;
                }
                if paged(keyspace, &key[1..]) {
                    old.push((key, value));
                }
            }
            let Some((last, _)) = old.last() else { break };
            from = [&last[..], &[0]].concat();
            let mut writes = PageWrites::new();
            let mut group = Group::new();
            for (key, value) in old {
                let (page, slot) = locate(keyspace, &key[1..]);
                writes
                    .entry(page)
                    .or_default()
                    .push((slot, Some(value.to_vec())));
                group.insert(key.to_vec(), None);
            }
            for (page, writes) in writes {
                let current = tree.get(page).map_err(crate::map_error)?;
                let (bytes, own) = rewrite(&page, current.as_deref(), writes)?;
                group.insert(page.to_vec(), bytes);
                // A value too large for its page keeps its key.
                group.extend(own);
            }
            crate::journal::write(tree, &group)?;
        }
    }
    tree.insert(MIGRATED_KEY, &[1u8][..])
        .map_err(crate::map_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: u64) -> [u8; 8] {
        id.to_be_bytes()
    }

    #[test]
    fn neighbouring_ids_share_a_page_in_key_order() {
        let (page, slot) = locate(Keyspace::Edges, &key(0x1234_5678_9abc_def7));
        assert_eq!(slot, 7);
        let (same, other) = locate(Keyspace::Edges, &key(0x1234_5678_9abc_def0));
        assert_eq!((same, other), (page, 0));
        let (next, _) = locate(Keyspace::Edges, &key(0x1234_5678_9abc_df00));
        assert!(page < next);
        assert_eq!(page[0], Keyspace::Edges.tag() | PAGE_BIT);
        assert!(!paged(Keyspace::Edges, b"short"));
        assert!(!paged(Keyspace::Nodes, &key(1)));
    }

    /// Rewrites `page` and checks that what it tells to write elsewhere
    /// is exactly `own`.
    fn rewritten(
        page: &PageKey,
        current: Option<&[u8]>,
        writes: Vec<(usize, Option<Vec<u8>>)>,
        own: &[(usize, Option<&[u8]>)],
    ) -> Option<Vec<u8>> {
        let (bytes, changes) = rewrite(page, current, writes).unwrap();
        let expected: Changes = own
            .iter()
            .map(|(slot, value)| (own_key(page, *slot), value.map(<[u8]>::to_vec)))
            .collect();
        assert_eq!(changes, expected);
        bytes
    }

    /// `append` does what `rewrite` does whenever `appendable` says it can.
    #[test]
    fn appending_in_place_agrees_with_rewriting() {
        let (page, _) = locate(Keyspace::Log, &key(48));
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |below: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % below
        };
        let mut appended = 0;
        for _ in 0..5_000 {
            let writes = |count: u64, next: &mut dyn FnMut(u64) -> u64| {
                (0..count)
                    .map(|_| {
                        let slot = next(SLOTS as u64) as usize;
                        let value = match next(8) {
                            0 => None,
                            1 => Some(vec![1; INLINE_MAX + 1]),
                            n => Some(vec![n as u8; next(40) as usize]),
                        };
                        (slot, value)
                    })
                    .collect::<Vec<_>>()
            };
            let before = writes(1 + next(4), &mut next);
            let Some(current) = rewrite(&page, None, before).unwrap().0 else {
                continue;
            };
            let mut later = writes(1 + next(3), &mut next);
            if next(2) == 0 {
                // Mostly ascending slots past the last one used, as records are added.
                let used = u16::from_le_bytes([current[0], current[1]]);
                let past = 16 - used.leading_zeros() as usize;
                for (at, (slot, _)) in later.iter_mut().enumerate() {
                    *slot = (past + at).min(SLOTS - 1);
                }
            }
            if let Some(used) = appendable(&current, &later) {
                appended += 1;
                let mut bytes = current.clone();
                append(&mut bytes, used, &later);
                let (rewritten, own) = rewrite(&page, Some(&current), later).unwrap();
                assert!(own.is_empty());
                assert_eq!(Some(bytes), rewritten);
            }
        }
        assert!(appended > 500, "only {appended} appends");
    }

    #[test]
    fn a_rewritten_page_reads_back_its_values() {
        let (page, _) = locate(Keyspace::Edges, &key(32));
        let big = vec![9u8; INLINE_MAX + 1];
        let first = rewritten(
            &page,
            None,
            vec![
                (3, Some(b"three".to_vec())),
                (0, Some(vec![])),
                (15, Some(b"f".to_vec())),
                (7, Some(big.clone())),
            ],
            &[(7, Some(&big))],
        )
        .unwrap();
        assert_eq!(value(&page, &first, 3).unwrap(), Found::Here(b"three"));
        assert_eq!(value(&page, &first, 0).unwrap(), Found::Here(b""));
        assert_eq!(value(&page, &first, 1).unwrap(), Found::Absent);
        assert_eq!(value(&page, &first, 7).unwrap(), Found::Elsewhere);
        assert_eq!(
            own_key(&page, 7),
            [&[Keyspace::Edges.tag()][..], &key(39)].concat()
        );
        let keys: Vec<u64> = entries(&page, &first)
            .unwrap()
            .into_iter()
            .map(|(key, _)| u64::from_be_bytes(key))
            .collect();
        assert_eq!(keys, [32, 35, 47]);
        // A value moving back into the page deletes its own key.
        let second = rewritten(
            &page,
            Some(&first),
            vec![
                (3, None),
                (15, Some(b"g".to_vec())),
                (7, Some(b"small".to_vec())),
            ],
            &[(7, None)],
        )
        .unwrap();
        assert_eq!(value(&page, &second, 3).unwrap(), Found::Absent);
        assert_eq!(value(&page, &second, 15).unwrap(), Found::Here(b"g"));
        assert_eq!(value(&page, &second, 7).unwrap(), Found::Here(b"small"));
        let third = rewritten(
            &page,
            Some(&second),
            vec![(0, Some(big.clone()))],
            &[(0, Some(&big))],
        )
        .unwrap();
        let emptied = rewritten(
            &page,
            Some(&third),
            vec![(0, None), (15, None), (7, None)],
            &[(0, None)],
        );
        assert_eq!(emptied, None);
    }

    #[test]
    fn malformed_pages_are_errors_not_panics() {
        let (page, _) = locate(Keyspace::Edges, &key(0));
        let good = rewritten(
            &page,
            None,
            vec![
                (1, Some(b"abc".to_vec())),
                (4, Some(b"de".to_vec())),
                (9, Some(vec![0; INLINE_MAX + 1])),
            ],
            &[(9, Some(&[0; INLINE_MAX + 1]))],
        )
        .unwrap();
        let mut bad: Vec<Vec<u8>> = (0..good.len()).map(|n| good[..n].to_vec()).collect();
        bad.push([&good[..], b"x"].concat());
        bad.push(vec![0, 0]);
        let mut huge = good.clone();
        huge[2..6].copy_from_slice(&(u32::MAX - 1).to_le_bytes());
        bad.push(huge);
        for bytes in bad {
            let err = value(&page, &bytes, 1).unwrap_err();
            assert!(
                matches!(err, StorageError::Corrupt { .. }),
                "{bytes:?}: {err}"
            );
            assert!(entries(&page, &bytes).is_err());
            assert!(rewrite(&page, Some(&bytes), vec![]).is_err());
        }
    }

    #[test]
    fn migration_moves_records_under_their_own_keys_into_pages_once() {
        let tree = sled::Config::new().temporary(true).open().unwrap();
        let (edges, log) = (Keyspace::Edges.tag(), Keyspace::Log.tag());
        let record = |id: u64| {
            let len = if id % 1_000 == 0 { INLINE_MAX + 10 } else { 8 };
            let mut value = id.to_le_bytes().to_vec();
            value.resize(len, 0);
            value
        };
        for id in 0..10_000u64 {
            tree.insert([&[edges][..], &key(id * 3)].concat(), record(id))
                .unwrap();
        }
        tree.insert([&[log][..], &key(5)].concat(), record(5))
            .unwrap();
        tree.insert([edges, b'k'], &b"not paged"[..]).unwrap();
        migrate(&tree).unwrap();
        let own: Vec<_> = tree
            .scan_prefix([edges])
            .keys()
            .map(Result::unwrap)
            .collect();
        let mut expected: Vec<sled::IVec> = (0..10_000u64)
            .step_by(1_000)
            .map(|id| [&[edges][..], &key(id * 3)].concat().into())
            .collect();
        expected.push([edges, b'k'][..].into());
        assert_eq!(
            own, expected,
            "only values too big for a page keep their own keys"
        );
        for (keyspace, id, stored_as) in [
            (Keyspace::Edges, 1u64, 3u64),
            (Keyspace::Edges, 4_095, 4_095 * 3),
            (Keyspace::Edges, 9_999, 9_999 * 3),
            (Keyspace::Edges, 2_000, 2_000 * 3),
            (Keyspace::Log, 5, 5),
        ] {
            let (page, slot) = locate(keyspace, &key(stored_as));
            let bytes = tree.get(page).unwrap().unwrap();
            let found = value(&page, &bytes, slot).unwrap();
            if id % 1_000 == 0 {
                assert_eq!(found, Found::Elsewhere);
            } else {
                assert_eq!(found, Found::Here(&record(id)));
            }
        }
        let in_pages: usize = tree
            .scan_prefix([edges | PAGE_BIT])
            .map(|entry| {
                let (page, bytes) = entry.unwrap();
                entries(&page, &bytes).unwrap().len()
            })
            .sum();
        assert_eq!(in_pages, 10_000 - 10);
        // Marked: a record written under its own key later is not moved.
        tree.insert([&[edges][..], &key(1)].concat(), &b"later"[..])
            .unwrap();
        migrate(&tree).unwrap();
        assert!(tree.contains_key([&[edges][..], &key(1)].concat()).unwrap());
    }
}
