//! [`IdbSnapshotStore`]: snapshots in one IndexedDB object store.
//!
//! Layout of database `maya-knowledge-graph:<name>`, object store `snapshots`:
//!
//! ```text
//! "current"      -> generation number (f64) of the snapshot to load
//! "snapshot:<g>" -> Uint8Array, the snapshot bytes of generation g
//! ```

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{prelude::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, IdbDatabase, IdbFactory, IdbObjectStore, IdbOpenDbRequest, IdbRequest,
    IdbTransaction, IdbTransactionMode,
};

const STORE: &str = "snapshots";
const CURRENT: &str = "current";
const SCHEMA_VERSION: u32 = 1;

/// What went wrong talking to IndexedDB.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdbError {
    /// This environment has no `indexedDB` (Node, some edge runtimes).
    Unavailable {
        /// Why it is missing.
        detail: String,
    },
    /// Another tab or worker holds the graph's lock.
    Locked {
        /// The graph's name.
        name: String,
    },
    /// A request or transaction failed.
    Request {
        /// What was being done, e.g. `"write snapshot"`.
        operation: &'static str,
        /// The browser's error (`QuotaExceededError: ...`).
        detail: String,
    },
    /// The `current` pointer names a snapshot that is not stored.
    Missing {
        /// The graph's name.
        name: String,
        /// The generation `current` names.
        generation: u64,
    },
}

impl fmt::Display for IdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdbError::Unavailable { detail } => {
                write!(f, "indexeddb is not available here: {detail}")
            }
            IdbError::Locked { name } => write!(
                f,
                "graph '{name}' is already open in another tab or worker (it holds the web lock); close it there first"
            ),
            IdbError::Request { operation, detail } => {
                write!(f, "indexeddb failed to {operation}: {detail}")
            }
            IdbError::Missing { name, generation } => write!(
                f,
                "graph '{name}': the current snapshot (generation {generation}) is missing from indexeddb"
            ),
        }
    }
}

impl core::error::Error for IdbError {}

/// A browser error as text: `Name: message` for DOM exceptions and errors.
pub(crate) fn describe(value: &JsValue) -> String {
    if let Some(exception) = value.dyn_ref::<DomException>() {
        return format!("{}: {}", exception.name(), exception.message());
    }
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return format!(
            "{}: {}",
            String::from(error.name()),
            String::from(error.message())
        );
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

fn request_error(operation: &'static str) -> impl Fn(JsValue) -> IdbError {
    move |err| IdbError::Request {
        operation,
        detail: describe(&err),
    }
}

/// The `indexedDB` factory of the current global (window or worker).
fn factory() -> Result<IdbFactory, IdbError> {
    let unavailable = |detail: &str| IdbError::Unavailable {
        detail: detail.to_string(),
    };
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("indexedDB"))
        .map_err(|e| unavailable(&describe(&e)))?;
    if value.is_undefined() || value.is_null() {
        return Err(unavailable(
            "this global has no `indexedDB`; use toSnapshot()/fromSnapshot() instead",
        ));
    }
    Ok(value.unchecked_into())
}

/// Resolves when `request` succeeds, fails with its error otherwise.
async fn request_done(request: &IdbRequest, operation: &'static str) -> Result<JsValue, IdbError> {
    // The promise's own resolve/reject are the handlers: no Rust closure to keep alive.
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    match outcome {
        Ok(_) => request.result().map_err(request_error(operation)),
        Err(_) => Err(IdbError::Request {
            operation,
            detail: request
                .error()
                .ok()
                .flatten()
                .map_or_else(|| "request failed".to_string(), |e| describe(&e)),
        }),
    }
}

/// Resolves when `tx` commits; fails when it errors or aborts.
async fn transaction_done(tx: &IdbTransaction, operation: &'static str) -> Result<(), IdbError> {
    let promise = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    tx.set_oncomplete(None);
    tx.set_onerror(None);
    tx.set_onabort(None);
    outcome.map(drop).map_err(|_| IdbError::Request {
        operation,
        detail: tx
            .error()
            .map_or_else(|| "transaction aborted".to_string(), |e| describe(&e)),
    })
}

fn database_name(name: &str) -> String {
    format!("maya-knowledge-graph:{name}")
}

fn snapshot_key(generation: u64) -> JsValue {
    JsValue::from_str(&format!("snapshot:{generation}"))
}

/// A snapshot written by [`IdbSnapshotStore::stage`] but not yet current.
#[derive(Debug)]
#[must_use = "a staged snapshot is not loaded until it is published"]
pub struct StagedSnapshot {
    generation: u64,
}

impl StagedSnapshot {
    /// The generation it was written as.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

/// One graph's snapshots in IndexedDB.
///
/// Not `Send`: it lives on the thread (tab or worker) that opened it.
#[derive(Debug)]
pub struct IdbSnapshotStore {
    name: String,
    db: IdbDatabase,
    /// Generation `current` pointed at when last read or written by us.
    current: Cell<u64>,
    /// Next generation to stage; grows synchronously, so overlapping saves
    /// never write the same key.
    next: Cell<u64>,
}

impl IdbSnapshotStore {
    /// Opens (creating if needed) the database of graph `name`.
    ///
    /// # Errors
    /// [`IdbError::Unavailable`] without IndexedDB, [`IdbError::Request`]
    /// when the browser refuses (private mode, blocked upgrade, quota).
    pub async fn open(name: &str) -> Result<Self, IdbError> {
        let request = factory()?
            .open_with_u32(&database_name(name), SCHEMA_VERSION)
            .map_err(request_error("open the database"))?;
        let db = open_request_done(&request).await?;
        // Another context deleting or upgrading the database: let it, rather
        // than block it forever; our later saves then fail with a clear error.
        let close = Reflect::get(&db, &"close".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .map(|f| f.bind0(&db));
        if let Some(close) = &close {
            db.set_onversionchange(Some(close));
        }
        let store = IdbSnapshotStore {
            name: name.to_string(),
            db,
            current: Cell::new(0),
            next: Cell::new(1),
        };
        let current = store.read_current().await?;
        store.current.set(current);
        store.next.set(current + 1);
        Ok(store)
    }

    /// The graph's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The generation of the snapshot [`load`](Self::load) returns (0: none yet).
    pub fn generation(&self) -> u64 {
        self.current.get()
    }

    fn transaction(
        &self,
        mode: IdbTransactionMode,
    ) -> Result<(IdbTransaction, IdbObjectStore), IdbError> {
        let tx = self
            .db
            .transaction_with_str_and_mode(STORE, mode)
            .map_err(request_error("start a transaction"))?;
        let store = tx
            .object_store(STORE)
            .map_err(request_error("open the object store"))?;
        Ok((tx, store))
    }

    async fn read_current(&self) -> Result<u64, IdbError> {
        let (_tx, store) = self.transaction(IdbTransactionMode::Readonly)?;
        let request = store
            .get(&JsValue::from_str(CURRENT))
            .map_err(request_error("read the current pointer"))?;
        let value = request_done(&request, "read the current pointer").await?;
        Ok(value.as_f64().map_or(0, |g| g as u64))
    }

    /// The current snapshot's bytes, or `None` when nothing was saved yet.
    ///
    /// # Errors
    /// [`IdbError::Request`], or [`IdbError::Missing`] when the pointer names
    /// a snapshot that is gone (only possible if something outside this
    /// crate edited the database).
    pub async fn load(&self) -> Result<Option<Vec<u8>>, IdbError> {
        // Two read transactions; under the web lock nobody flips the pointer
        // in between, and without one a flip is caught by re-reading it.
        for _ in 0..3 {
            let generation = self.read_current().await?;
            self.current.set(generation);
            if self.next.get() <= generation {
                self.next.set(generation + 1);
            }
            if generation == 0 {
                return Ok(None);
            }
            let (_tx, store) = self.transaction(IdbTransactionMode::Readonly)?;
            let request = store
                .get(&snapshot_key(generation))
                .map_err(request_error("read the snapshot"))?;
            let value = request_done(&request, "read the snapshot").await?;
            if let Some(array) = value.dyn_ref::<Uint8Array>() {
                return Ok(Some(array.to_vec()));
            }
            if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
                return Ok(Some(Uint8Array::new(buffer).to_vec()));
            }
            if !value.is_undefined() {
                return Err(IdbError::Request {
                    operation: "read the snapshot",
                    detail: format!("stored value is not bytes: {value:?}"),
                });
            }
        }
        Err(IdbError::Missing {
            name: self.name.clone(),
            generation: self.current.get(),
        })
    }

    /// Saves `bytes` as the current snapshot: [`stage`](Self::stage), then
    /// [`publish`](Self::publish).
    ///
    /// # Errors
    /// [`IdbError::Request`]; the previous snapshot stays current then.
    pub async fn save(&self, bytes: &[u8]) -> Result<(), IdbError> {
        let staged = self.stage(bytes).await?;
        self.publish(staged).await
    }

    /// Step one of a save: writes `bytes` under a fresh generation, in its
    /// own transaction. Nothing loads it until it is published.
    ///
    /// # Errors
    /// [`IdbError::Request`] (e.g. `QuotaExceededError`).
    pub async fn stage(&self, bytes: &[u8]) -> Result<StagedSnapshot, IdbError> {
        let generation = self.next.get();
        self.next.set(generation + 1);
        let value = Uint8Array::from(bytes);
        let (tx, store) = self.transaction(IdbTransactionMode::Readwrite)?;
        store
            .put_with_key(&value, &snapshot_key(generation))
            .map_err(request_error("write the snapshot"))?;
        transaction_done(&tx, "write the snapshot").await?;
        Ok(StagedSnapshot { generation })
    }

    /// Step two of a save: makes a staged snapshot current and deletes the
    /// one it replaces, in one transaction (atomic: both or neither). A
    /// snapshot older than the current one (an overtaken save) is deleted
    /// instead.
    ///
    /// # Errors
    /// [`IdbError::Request`]; the previous snapshot stays current then.
    pub async fn publish(&self, staged: StagedSnapshot) -> Result<(), IdbError> {
        if staged.generation <= self.current.get() {
            let (tx, store) = self.transaction(IdbTransactionMode::Readwrite)?;
            store
                .delete(&snapshot_key(staged.generation))
                .map_err(request_error("delete an overtaken snapshot"))?;
            return transaction_done(&tx, "delete an overtaken snapshot").await;
        }
        // Older generations, including strays of interrupted saves (newer
        // ones may be another context's save in flight, so they stay). Read
        // in a transaction of its own that completes before the next begins.
        let stale = self.stored_generations().await?;
        let tx = self.strict_transaction()?;
        let store = tx
            .object_store(STORE)
            .map_err(request_error("open the object store"))?;
        store
            .put_with_key(
                &JsValue::from_f64(staged.generation as f64),
                &JsValue::from_str(CURRENT),
            )
            .map_err(request_error("flip the current pointer"))?;
        for generation in stale.into_iter().filter(|&g| g < staged.generation) {
            store
                .delete(&snapshot_key(generation))
                .map_err(request_error("delete an old snapshot"))?;
        }
        transaction_done(&tx, "flip the current pointer").await?;
        self.current.set(staged.generation);
        Ok(())
    }

    /// A readwrite transaction with `durability: "strict"` where the browser
    /// supports it, so a published pointer survives a power cut.
    fn strict_transaction(&self) -> Result<IdbTransaction, IdbError> {
        let options = js_sys::Object::new();
        let _ = Reflect::set(&options, &"durability".into(), &"strict".into());
        let open: Function = Reflect::get(&self.db, &"transaction".into())
            .map_err(request_error("start a transaction"))?
            .unchecked_into();
        open.call3(&self.db, &STORE.into(), &"readwrite".into(), &options)
            .map(JsCast::unchecked_into)
            .map_err(request_error("start a transaction"))
    }

    /// Generations of every stored snapshot, current or not.
    pub async fn stored_generations(&self) -> Result<Vec<u64>, IdbError> {
        let (_tx, store) = self.transaction(IdbTransactionMode::Readonly)?;
        let request = store
            .get_all_keys()
            .map_err(request_error("list the snapshots"))?;
        let keys = request_done(&request, "list the snapshots").await?;
        Ok(js_sys::Array::from(&keys)
            .iter()
            .filter_map(|key| key.as_string())
            .filter_map(|key| key.strip_prefix("snapshot:")?.parse().ok())
            .collect())
    }

    /// Closes the connection (the data stays).
    pub fn close(&self) {
        self.db.close();
    }
}

impl Drop for IdbSnapshotStore {
    fn drop(&mut self) {
        self.db.set_onversionchange(None);
        self.db.close();
    }
}

async fn open_request_done(request: &IdbOpenDbRequest) -> Result<IdbDatabase, IdbError> {
    let upgrade_target = request.clone();
    let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |_event| {
        if let Ok(db) = upgrade_target.result() {
            let db: IdbDatabase = db.unchecked_into();
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
        request.set_onblocked(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    request.set_onupgradeneeded(None);
    request.set_onblocked(None);
    drop(upgrade);
    match outcome {
        Ok(_) => request
            .result()
            .map(JsCast::unchecked_into)
            .map_err(request_error("open the database")),
        Err(event) => Err(IdbError::Request {
            operation: "open the database",
            detail: request.error().ok().flatten().map_or_else(
                || {
                    if event
                        .dyn_ref::<web_sys::Event>()
                        .is_some_and(|e| e.type_() == "blocked")
                    {
                        "blocked by another connection that does not close".to_string()
                    } else {
                        "request failed".to_string()
                    }
                },
                |e| describe(&e),
            ),
        }),
    }
}

/// Deletes graph `name`'s database and every snapshot in it.
///
/// # Errors
/// [`IdbError::Unavailable`], [`IdbError::Request`].
pub async fn delete_database(name: &str) -> Result<(), IdbError> {
    let request = factory()?
        .delete_database(&database_name(name))
        .map_err(request_error("delete the database"))?;
    request_done(&request, "delete the database")
        .await
        .map(drop)
}
