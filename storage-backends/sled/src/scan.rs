//! Scans: the entries a keyspace holds under its own sled keys and in
//! pages, each with the write-behind buffer's over sled's, merged in key order.

use std::cmp::Ordering;
use std::sync::atomic::Ordering::Relaxed;

use knowledge_graph_storage::{Keyspace, StorageError, Visitor};

use crate::pages::{self, Change};
use crate::{full_key, map_error, SledStorage};

impl SledStorage {
    /// Visits the entries of `keyspace` `>= start` under `prefix` in key
    /// order: those under their own sled keys and those in pages, merged.
    pub(crate) fn scan(
        &self,
        keyspace: Keyspace,
        start: &[u8],
        prefix: &[u8],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StorageError> {
        self.counters.scans.fetch_add(1, Relaxed);
        let _whole_groups = self.write_behind.scanning();
        let mut own = Stored::new(
            self,
            &full_key(keyspace, start),
            &full_key(keyspace, prefix),
        )
        .peekable();
        let pages = pages::scan_bounds(keyspace, start, prefix)
            .map(|(from, under)| Stored::new(self, &from, &under));
        let mut paged = PageEntries::new(pages, start, prefix).peekable();
        loop {
            let own_first = match (own.peek(), paged.peek()) {
                (None, None) => return Ok(()),
                // An error goes first, to end the scan.
                (Some(Err(_)), _) | (Some(_), None) => true,
                (_, Some(Err(_))) | (None, Some(_)) => false,
                (Some(Ok((key, _))), Some(Ok((paged_key, ..)))) => key[1..] < paged_key[..],
            };
            let flow = if own_first {
                let (key, value) = own.next().expect("peeked")?;
                visit(&key[1..], &value)
            } else {
                let (key, page, range) = paged.next().expect("peeked")?;
                visit(&key, &page[range])
            };
            if flow.is_break() {
                return Ok(());
            }
        }
    }
}

/// sled's entries `>= start` under `prefix` (sled keys) with the write-behind
/// buffer's over them, in key order.
struct Stored {
    buffered: std::iter::Peekable<std::vec::IntoIter<Change>>,
    tree: sled::Iter,
    next_stored: Option<(sled::IVec, sled::IVec)>,
    stored_done: bool,
    prefix: Vec<u8>,
}

impl Stored {
    fn new(storage: &SledStorage, start: &[u8], prefix: &[u8]) -> Stored {
        let buffered = storage.write_behind.range(start, prefix);
        Stored {
            buffered: buffered.into_iter().peekable(),
            tree: storage.tree.range(start..),
            next_stored: None,
            stored_done: false,
            prefix: prefix.to_vec(),
        }
    }

    fn fill(&mut self) -> Result<(), StorageError> {
        if self.next_stored.is_none() && !self.stored_done {
            match self.tree.next().transpose().map_err(map_error)? {
                Some(entry) if entry.0.starts_with(&self.prefix) => self.next_stored = Some(entry),
                _ => self.stored_done = true,
            }
        }
        Ok(())
    }
}

impl Iterator for Stored {
    type Item = Result<(sled::IVec, sled::IVec), StorageError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Err(err) = self.fill() {
                self.stored_done = true;
                return Some(Err(err));
            }
            let order = match (&self.next_stored, self.buffered.peek()) {
                (None, None) => return None,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((stored, _)), Some((buffered, _))) => stored[..].cmp(&buffered[..]),
            };
            match order {
                Ordering::Less => return self.next_stored.take().map(Ok),
                // The buffered write shadows what sled holds.
                Ordering::Equal => self.next_stored = None,
                Ordering::Greater => {}
            }
            if let Some((key, Some(value))) = self.buffered.next() {
                return Some(Ok((key.into(), value.into())));
            }
        }
    }
}

/// The entries `>= start` under `prefix` of the pages a [`Stored`] yields:
/// key, page and where in the page the value is.
struct PageEntries<'a> {
    pages: Option<Stored>,
    page: sled::IVec,
    entries: std::vec::IntoIter<pages::Entry>,
    start: &'a [u8],
    prefix: &'a [u8],
}

impl<'a> PageEntries<'a> {
    fn new(pages: Option<Stored>, start: &'a [u8], prefix: &'a [u8]) -> Self {
        PageEntries {
            pages,
            page: sled::IVec::default(),
            entries: Vec::new().into_iter(),
            start,
            prefix,
        }
    }
}

impl Iterator for PageEntries<'_> {
    type Item = Result<([u8; 8], sled::IVec, std::ops::Range<usize>), StorageError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            for (key, range) in self.entries.by_ref() {
                if key[..] >= *self.start && key.starts_with(self.prefix) {
                    return Some(Ok((key, self.page.clone(), range)));
                }
            }
            let (key, page) = match self.pages.as_mut()?.next()? {
                Ok(found) => found,
                Err(err) => return Some(Err(err)),
            };
            match pages::entries(&key, &page) {
                Ok(entries) => self.entries = entries.into_iter(),
                Err(err) => return Some(Err(err)),
            }
            self.page = page;
        }
    }
}
