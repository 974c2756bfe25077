//! Writes a group of changes to sled all or nothing, small groups without
//! `apply_batch`.
//!
//! sled's `apply_batch` writes and syncs its log once more than an insert
//! does: with a flush after each (`high_safety` commits), batches of two keys
//! ran at 60% of the rate of single inserts. So a small group of changes is
//! first written as one value under [`JOURNAL_KEY`] (a single insert, which
//! sled makes atomic), then key by key, then the journal entry is removed.
//! Large groups (a bulk commit) go to `apply_batch`: sled rewrites a value
//! on every change to its tree node, so a journal entry of megabytes made a
//! bulk import ten times slower; so do the write-behind buffer's drains
//! ([`batch`]), which readers' scans do not wait for. sled
//! recovers a prefix of its log, so after a crash either the journal entry
//! is missing and so is every change of its group, or it is there and
//! [`recover`] writes the group again: each change puts or deletes a whole
//! value, so writing it twice is writing it once. Readers never see a group
//! half written: point reads are served its values from the write-behind
//! buffer until it is written, and a journalled group waits for the scans
//! in progress, which a sled iterator alone would not keep from seeing part
//! of it.
//!
//! The entry is the number of changes (`u32`, little-endian), then the
//! changes one after another: key length (`u32`), key, then `0` for a delete
//! or `1`, value length (`u32`) and value for a put.

use std::collections::BTreeMap;

use knowledge_graph_storage::StorageError;

use crate::map_error;

/// The backend's own keys start with 0xff, which no keyspace tag uses.
const JOURNAL_KEY: &[u8] = b"\xffmaya-journal";
/// Groups whose journal entry would be larger go to `apply_batch`.
const JOURNAL_MAX: usize = 16 * 1024;

/// Changes under sled keys; `None` deletes.
pub(crate) type Group = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// A change read back from a journal entry: key, and value or `None`.
pub(crate) type Recorded<'a> = (&'a [u8], Option<&'a [u8]>);

/// How far a failed [`write`] got.
pub(crate) enum Failed {
    /// Nothing of the group reached sled.
    Before(StorageError),
    /// Part of it may have; its journal entry stays, and the next `write`
    /// or [`recover`] that completes leaves the database as if it had not
    /// failed.
    Part(StorageError),
}

impl From<Failed> for StorageError {
    fn from(failed: Failed) -> Self {
        match failed {
            Failed::Before(err) | Failed::Part(err) => err,
        }
    }
}

/// Writes `group` to `tree`: all of it, or after a crash, once [`recover`]
/// has run, none of it.
///
/// # Errors
/// [`Failed`], with sled's error.
pub(crate) fn write(tree: &sled::Tree, group: &Group) -> Result<(), Failed> {
    if group.len() == 1 {
        // One insert or remove is atomic by itself.
        return apply(tree, group.iter().map(|(k, v)| (&k[..], v.as_deref())))
            .map_err(Failed::Before);
    }
    if encoded_len(group) > JOURNAL_MAX {
        return batch(tree, group).map_err(Failed::Before);
    }
    tree.insert(JOURNAL_KEY, encode(group))
        .map_err(|err| Failed::Before(map_error(err)))?;
    apply(tree, group.iter().map(|(k, v)| (&k[..], v.as_deref()))).map_err(Failed::Part)?;
    tree.remove(JOURNAL_KEY)
        .map(drop)
        .map_err(|err| Failed::Part(map_error(err)))
}

/// Writes `group` with sled's `apply_batch`, all or nothing for readers and
/// after a crash alike.
///
/// # Errors
/// sled's; nothing is written then.
pub(crate) fn batch(tree: &sled::Tree, group: &Group) -> Result<(), StorageError> {
    let mut batch = sled::Batch::default();
    for (key, value) in group {
        match value {
            Some(value) => batch.insert(&key[..], &value[..]),
            None => batch.remove(&key[..]),
        }
    }
    tree.apply_batch(batch).map_err(map_error)
}

/// Finishes writing the group a crash interrupted, if any. Call before
/// anything reads the tree.
///
/// # Errors
/// sled's; [`StorageError::Corrupt`] when the journal entry is malformed.
pub(crate) fn recover(tree: &sled::Tree) -> Result<(), StorageError> {
    let Some(entry) = tree.get(JOURNAL_KEY).map_err(map_error)? else {
        return Ok(());
    };
    apply(tree, decode(&entry)?.into_iter())?;
    tree.remove(JOURNAL_KEY).map_err(map_error)?;
    tree.flush().map_err(map_error)?;
    Ok(())
}

/// Writes `changes` key by key, **not atomically** (see `write` for that).
///
/// # Errors
/// sled's; the changes before the failing one stay written.
pub(crate) fn apply<'a>(
    tree: &sled::Tree,
    changes: impl Iterator<Item = Recorded<'a>>,
) -> Result<(), StorageError> {
    for (key, value) in changes {
        match value {
            Some(value) => tree.insert(key, value).map(drop),
            None => tree.remove(key).map(drop),
        }
        .map_err(map_error)?;
    }
    Ok(())
}

fn encoded_len(group: &Group) -> usize {
    4 + group
        .iter()
        .map(|(k, v)| 9 + k.len() + v.as_ref().map_or(0, Vec::len))
        .sum::<usize>()
}

fn encode(group: &Group) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(group));
    out.extend_from_slice(&(group.len() as u32).to_le_bytes());
    for (key, value) in group {
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(key);
        match value {
            Some(value) => {
                out.push(1);
                out.extend_from_slice(&(value.len() as u32).to_le_bytes());
                out.extend_from_slice(value);
            }
            None => out.push(0),
        }
    }
    out
}

fn decode(mut bytes: &[u8]) -> Result<Vec<Recorded<'_>>, StorageError> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], StorageError> {
        if bytes.len() < n {
            return Err(StorageError::corrupt(
                "the sled write journal is truncated: the database cannot finish its last write",
            ));
        }
        let (head, rest) = bytes.split_at(n);
        *bytes = rest;
        Ok(head)
    }
    fn length(bytes: &mut &[u8]) -> Result<usize, StorageError> {
        let b = take(bytes, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    let count = length(&mut bytes)?;
    let mut changes = Vec::with_capacity(count.min(bytes.len()));
    for _ in 0..count {
        let len = length(&mut bytes)?;
        let key = take(&mut bytes, len)?;
        let value =
            match take(&mut bytes, 1)? {
                [0] => None,
                [1] => {
                    let len = length(&mut bytes)?;
                    Some(take(&mut bytes, len)?)
                }
                _ => return Err(StorageError::corrupt(
                    "the sled write journal is malformed: a change is neither a put nor a delete",
                )),
            };
        changes.push((key, value));
    }
    if !bytes.is_empty() {
        return Err(StorageError::corrupt(
            "the sled write journal is malformed: bytes follow its last change",
        ));
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group() -> Group {
        let mut group = Group::new();
        group.insert(b"\x01a".to_vec(), Some(b"one".to_vec()));
        group.insert(b"\x01b".to_vec(), None);
        group.insert(b"\x02c".to_vec(), Some(vec![]));
        group
    }

    #[test]
    fn a_group_is_written_and_its_journal_entry_removed() {
        let tree = sled::Config::new().temporary(true).open().unwrap();
        tree.insert(b"\x01b", &b"gone"[..]).unwrap();
        assert!(write(&tree, &group()).is_ok());
        let all: Vec<_> = tree.iter().map(Result::unwrap).collect();
        assert_eq!(
            all,
            [
                (b"\x01a"[..].into(), b"one"[..].into()),
                (b"\x02c"[..].into(), b""[..].into())
            ]
        );
    }

    #[test]
    fn a_large_group_is_written_whole_without_a_journal_entry() {
        let tree = sled::Config::new().temporary(true).open().unwrap();
        let group: Group = (0..1_000u32)
            .map(|i| (i.to_be_bytes().to_vec(), Some(vec![1; 100])))
            .collect();
        assert!(encoded_len(&group) > JOURNAL_MAX);
        assert!(write(&tree, &group).is_ok());
        assert_eq!(tree.len(), 1_000);
        assert!(!tree.contains_key(JOURNAL_KEY).unwrap());
    }

    #[test]
    fn recovery_writes_an_interrupted_group_again() {
        let tree = sled::Config::new().temporary(true).open().unwrap();
        // A crash after the journal entry and the first change.
        tree.insert(b"\x01b", &b"gone"[..]).unwrap();
        tree.insert(JOURNAL_KEY, encode(&group())).unwrap();
        tree.insert(b"\x01a", &b"one"[..]).unwrap();
        recover(&tree).unwrap();
        let after: Vec<_> = tree.iter().map(Result::unwrap).collect();
        let expected = sled::Config::new().temporary(true).open().unwrap();
        assert!(write(&expected, &group()).is_ok());
        let expected: Vec<_> = expected.iter().map(Result::unwrap).collect();
        assert_eq!(after, expected);
        recover(&tree).unwrap();
        assert_eq!(tree.iter().count(), expected.len());
    }

    #[test]
    fn opening_a_database_finishes_its_interrupted_write() {
        use knowledge_graph_storage::{Keyspace, Storage};
        let dir = tempfile::tempdir().unwrap();
        {
            let tree = sled::open(dir.path()).unwrap();
            tree.insert(b"\x01b", &b"gone"[..]).unwrap();
            tree.insert(JOURNAL_KEY, encode(&group())).unwrap();
            tree.flush().unwrap();
        }
        let storage = crate::SledStorage::open(dir.path()).unwrap();
        assert_eq!(
            storage.get(Keyspace::Nodes, b"a").unwrap(),
            Some(b"one".to_vec())
        );
        assert_eq!(storage.get(Keyspace::Nodes, b"b").unwrap(), None);
        assert_eq!(storage.get(Keyspace::Edges, b"c").unwrap(), Some(vec![]));
    }

    #[test]
    fn a_damaged_journal_entry_is_an_error() {
        let entry = encode(&group());
        let mut damaged: Vec<Vec<u8>> = (0..entry.len()).map(|cut| entry[..cut].to_vec()).collect();
        damaged.push([&entry[..], b"x"].concat());
        for bytes in damaged {
            let tree = sled::Config::new().temporary(true).open().unwrap();
            tree.insert(JOURNAL_KEY, &bytes[..]).unwrap();
            let err = recover(&tree).unwrap_err();
            assert!(
                matches!(err, StorageError::Corrupt { .. }),
                "{bytes:?}: {err}"
            );
        }
        let mut bad = entry.clone();
        bad[4 + 4 + 2] = 7; // the first change's put-or-delete byte
        let tree = sled::Config::new().temporary(true).open().unwrap();
        tree.insert(JOURNAL_KEY, bad).unwrap();
        assert!(recover(&tree).unwrap_err().to_string().contains("neither"));
    }
}
