//! Detects sled silently losing flushed data.
//!
//! When sled cannot read part of its log it recovers to the last point it can
//! read, which may be empty, and reports nothing. So every applied batch also
//! bumps a write counter stored in sled, and after a flush the counter is
//! recorded in `maya-graph.marker` beside sled's files (at most every 100 ms,
//! and always on close). On open, sled must hold the marker's id and at least
//! the recorded count; otherwise opening fails with a corruption error instead
//! of presenting an older or empty graph, unless `repair_on_open` accepts what
//! sled recovered.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use knowledge_graph_storage::StorageError;
use parking_lot::Mutex;

use crate::map_error;

/// Keys of the backend's own records (no keyspace uses tag 0xff).
const ID_KEY: &[u8] = b"\xffmaya-graph-id";
const WRITES_KEY: &[u8] = b"\xffmaya-writes";
const FILE: &str = "maya-graph.marker";
const MIN_INTERVAL: Duration = Duration::from_millis(100);

pub(crate) struct Marker {
    file: PathBuf,
    id: String,
    writes: AtomicU64,
    last_recorded: Mutex<Option<Instant>>,
}

impl Marker {
    pub(crate) fn open(
        db: &sled::Db,
        dir: &Path,
        path: &str,
        repair: bool,
    ) -> Result<Marker, StorageError> {
        let file = dir.join(FILE);
        let stored_id = db
            .get(ID_KEY)
            .map_err(map_error)?
            .map(|v| String::from_utf8_lossy(&v).into_owned());
        let stored_writes = db
            .get(WRITES_KEY)
            .map_err(map_error)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map_or(0, u64::from_le_bytes);
        let recorded = std::fs::read_to_string(&file).ok();
        if let (Some(recorded), false) = (&recorded, repair) {
            let (id, writes) = parse(recorded).ok_or_else(|| {
                StorageError::corrupt(format!(
                    "'{}' is damaged: expected an id and a write count; open with repair_on_open(true) to rewrite it",
                    file.display()
                ))
            })?;
            let problem = match &stored_id {
                None => Some("sled recovered an empty database".to_string()),
                Some(stored) if *stored != id => {
                    Some("sled holds a different database".to_string())
                }
                _ if stored_writes < writes => Some(format!(
                    "{writes} writes were flushed but sled recovered only {stored_writes}"
                )),
                _ => None,
            };
            if let Some(problem) = problem {
                return Err(StorageError::corrupt(format!(
                    "sled database '{path}' lost flushed data ({problem}): its files are damaged; restore a backup, or open with repair_on_open(true) to keep what sled recovered"
                )));
            }
        }
        let id = match stored_id {
            Some(id) if recorded.is_some() || stored_writes > 0 => id,
            _ => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos());
                let id = format!("{nanos:x}-{:x}", std::process::id());
                db.insert(ID_KEY, id.as_bytes()).map_err(map_error)?;
                db.flush().map_err(map_error)?;
                id
            }
        };
        let marker = Marker {
            file,
            id,
            writes: AtomicU64::new(stored_writes),
            last_recorded: Mutex::new(None),
        };
        marker.flushed(stored_writes, true)?;
        Ok(marker)
    }

    /// The counter entry to add to the next batch.
    pub(crate) fn next_write(&self) -> (Vec<u8>, Option<Vec<u8>>) {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        (WRITES_KEY.to_vec(), Some(n.to_le_bytes().to_vec()))
    }

    /// Batches applied so far.
    pub(crate) fn writes(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// Records that every batch up to `writes` is durable in sled.
    pub(crate) fn flushed(&self, writes: u64, always: bool) -> Result<(), StorageError> {
        let mut last = self.last_recorded.lock();
        if !always && last.is_some_and(|at| at.elapsed() < MIN_INTERVAL) {
            return Ok(());
        }
        let temp = self.file.with_extension("marker.tmp");
        std::fs::write(
            &temp,
            format!("maya-graph 1\nid {}\nflushed-writes {writes}\n", self.id),
        )
        .and_then(|()| std::fs::rename(&temp, &self.file))
        .map_err(StorageError::backend)?;
        *last = Some(Instant::now());
        Ok(())
    }
}

fn parse(text: &str) -> Option<(String, u64)> {
    let mut lines = text.lines();
    if lines.next()? != "maya-graph 1" {
        return None;
    }
    let id = lines.next()?.strip_prefix("id ")?.to_string();
    let writes = lines
        .next()?
        .strip_prefix("flushed-writes ")?
        .parse()
        .ok()?;
    Some((id, writes))
}
