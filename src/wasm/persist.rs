//! IndexedDB persistence of a JS graph: `open`, `save`, autosave, `close`.
//!
//! The graph lives in memory; `save()` writes its snapshot through
//! [`IdbSnapshotStore`], which keeps the previous snapshot readable until the
//! new one is complete. The snapshot bytes are taken synchronously when
//! `save()` is called, so a save reflects exactly the writes before it.

use alloc::rc::{Rc, Weak};
use alloc::string::{String, ToString};
use core::cell::{Cell, RefCell};

use js_sys::{Function, Promise, Reflect};
use knowledge_graph_indexeddb::{IdbSnapshotStore, SnapshotStorage, WebLock};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::convert::{js_error, options_from_js};
use super::{JsGraph, JsKnowledgeGraph};
use crate::Graph;

/// Debounce delay of `autosave: true`.
const DEFAULT_AUTOSAVE_MS: u32 = 1000;

/// `KnowledgeGraph.open(name, options)`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OpenOptions {
    /// `true` (1 s), a delay in milliseconds, or `false`.
    #[serde(default)]
    autosave: Option<Autosave>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Autosave {
    On(bool),
    After(f64),
}

/// The IndexedDB side of a persisted graph.
pub(crate) struct Persistence {
    store: IdbSnapshotStore,
    lock: RefCell<Option<WebLock>>,
    /// The storage revision the last completed save captured.
    saved_revision: Cell<u64>,
    autosave_ms: Option<u32>,
    timer: RefCell<Option<JsValue>>,
    callback: RefCell<Option<Closure<dyn FnMut()>>>,
}

impl Persistence {
    fn dirty(&self, graph: &JsGraph) -> bool {
        graph.storage().revision() != self.saved_revision.get()
    }

    /// Called after every write: (re)starts the autosave timer.
    pub(crate) fn touched(self: &Rc<Self>, graph: &JsGraph) {
        let Some(delay) = self.autosave_ms else {
            return;
        };
        self.cancel_timer();
        if self.callback.borrow().is_none() {
            let weak: Weak<Persistence> = Rc::downgrade(self);
            let graph = graph.clone();
            let callback = Closure::<dyn FnMut()>::new(move || {
                let Some(persistence) = weak.upgrade() else {
                    return;
                };
                *persistence.timer.borrow_mut() = None;
                let Ok(bytes) = graph.to_snapshot() else {
                    return;
                };
                let revision = graph.storage().revision();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(err) = persistence.save_bytes(&bytes, revision).await {
                        report_autosave_error(&err);
                    }
                });
            });
            *self.callback.borrow_mut() = Some(callback);
        }
        let callback = self.callback.borrow();
        let Some(callback) = callback.as_ref() else {
            return;
        };
        if let Some(set_timeout) = global_function("setTimeout") {
            if let Ok(handle) = set_timeout.call2(
                &JsValue::NULL,
                callback.as_ref().unchecked_ref(),
                &JsValue::from(delay),
            ) {
                *self.timer.borrow_mut() = Some(handle);
            }
        }
    }

    fn cancel_timer(&self) {
        if let Some(handle) = self.timer.borrow_mut().take() {
            if let Some(clear) = global_function("clearTimeout") {
                let _ = clear.call1(&JsValue::NULL, &handle);
            }
        }
    }

    async fn save_bytes(&self, bytes: &[u8], revision: u64) -> Result<(), JsValue> {
        self.store
            .save(bytes)
            .await
            .map_err(|e| JsValue::from(js_error(e)))?;
        if revision > self.saved_revision.get() {
            self.saved_revision.set(revision);
        }
        Ok(())
    }

    /// Stops autosaving, releases the lock and the connection.
    fn shut(&self) {
        self.cancel_timer();
        self.callback.borrow_mut().take();
        self.lock.borrow_mut().take();
        self.store.close();
    }
}

impl Drop for Persistence {
    /// A graph freed without `close()`: no timer may fire into the dropped callback.
    fn drop(&mut self) {
        self.cancel_timer();
    }
}

fn global_function(name: &str) -> Option<Function> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()?
        .dyn_into()
        .ok()
}

fn report_autosave_error(err: &JsValue) {
    if let Some(error) = global_function("reportError") {
        let _ = error.call1(&JsValue::NULL, err);
    } else {
        let console = Reflect::get(&js_sys::global(), &"console".into()).unwrap_or(JsValue::NULL);
        if let Ok(log) = Reflect::get(&console, &"error".into()) {
            if let Some(log) = log.dyn_ref::<Function>() {
                let _ = log.call2(
                    &console,
                    &"maya-knowledge-graph autosave failed:".into(),
                    err,
                );
            }
        }
    }
}

#[wasm_bindgen(js_class = KnowledgeGraph)]
impl JsKnowledgeGraph {
    /// Opens graph `name`, persisted in IndexedDB: loads its last saved
    /// snapshot (or starts empty). Holds a Web Lock on the name while open,
    /// so a second tab or worker gets an error instead of racing this one.
    ///
    /// Rejects when IndexedDB is unavailable (Node: use `toSnapshot()` /
    /// `fromSnapshot()`), when the name is locked elsewhere, or when the
    /// stored snapshot is damaged.
    pub async fn open(
        name: String,
        #[wasm_bindgen(unchecked_optional_param_type = "OpenOptions")] options: Option<JsValue>,
    ) -> Result<JsKnowledgeGraph, JsError> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let options: OpenOptions = options_from_js(options, "open options", &["autosave"])?;
        let autosave_ms = match options.autosave {
            None | Some(Autosave::On(false)) => None,
            Some(Autosave::On(true)) => Some(DEFAULT_AUTOSAVE_MS),
            Some(Autosave::After(ms)) if ms.is_finite() && ms >= 0.0 => Some(ms as u32),
            Some(Autosave::After(ms)) => {
                return Err(JsError::new(&alloc::format!(
                    "autosave must be true, false or a delay in milliseconds, not {ms}"
                )))
            }
        };
        let lock = WebLock::acquire(&name).await.map_err(js_error)?;
        let store = IdbSnapshotStore::open(&name).await.map_err(js_error)?;
        let graph = match store.load().await.map_err(js_error)? {
            Some(bytes) => Graph::from_snapshot(&bytes, SnapshotStorage::new()).map_err(|err| {
                store.close();
                JsError::new(&alloc::format!(
                    "graph '{name}': the snapshot saved in indexeddb cannot be loaded: {err}"
                ))
            })?,
            None => Graph::open(SnapshotStorage::new()).map_err(js_error)?,
        };
        let persistence = Rc::new(Persistence {
            store,
            lock: RefCell::new(lock),
            saved_revision: Cell::new(graph.storage().revision()),
            autosave_ms,
            timer: RefCell::new(None),
            callback: RefCell::new(None),
        });
        Ok(Self::wrap(graph, Some(persistence)))
    }

    /// Deletes graph `name` and all its saved snapshots from IndexedDB.
    /// Close every open graph of that name first.
    #[wasm_bindgen(js_name = deleteDatabase)]
    pub async fn delete_database(name: String) -> Result<(), JsError> {
        knowledge_graph_indexeddb::delete_database(&name)
            .await
            .map_err(js_error)
    }

    /// Writes the graph to IndexedDB. Resolves once the new snapshot is
    /// current; if the tab closes before that, the previous one stays.
    /// The snapshot is taken when `save()` is called. Rejects for an
    /// in-memory graph.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn save(&self) -> Result<Promise, JsError> {
        let graph = self.graph()?;
        let Some(persistence) = self.persistence.clone() else {
            return Err(JsError::new(
                "this graph is in memory only: open it with KnowledgeGraph.open(name) to save it, or use toSnapshot()",
            ));
        };
        if !persistence.dirty(graph) {
            return Ok(Promise::resolve(&JsValue::UNDEFINED));
        }
        persistence.cancel_timer();
        let revision = graph.storage().revision();
        let bytes = graph.to_snapshot().map_err(js_error)?;
        Ok(future_to_promise(async move {
            persistence.save_bytes(&bytes, revision).await?;
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Closes the graph: with autosave on, saves unsaved changes first; then
    /// releases the Web Lock and the database. Every later call throws.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self) -> Promise {
        if self.closed.replace(true) {
            return Promise::resolve(&JsValue::UNDEFINED);
        }
        let Some(persistence) = self.persistence.clone() else {
            return Promise::resolve(&JsValue::UNDEFINED);
        };
        persistence.cancel_timer();
        let pending = if persistence.autosave_ms.is_some() && persistence.dirty(&self.graph) {
            let revision = self.graph.storage().revision();
            self.graph.to_snapshot().ok().map(|bytes| (bytes, revision))
        } else {
            None
        };
        future_to_promise(async move {
            let saved = match pending {
                Some((bytes, revision)) => persistence.save_bytes(&bytes, revision).await,
                None => Ok(()),
            };
            persistence.shut();
            saved.map(|()| JsValue::UNDEFINED)
        })
    }

    /// The IndexedDB name of a persisted graph; `undefined` for in-memory ones.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> Option<String> {
        self.persistence
            .as_ref()
            .map(|p| p.store.name().to_string())
    }

    /// True when a persisted graph has changes that no completed save holds.
    #[wasm_bindgen(getter, js_name = hasUnsavedChanges)]
    pub fn has_unsaved_changes(&self) -> bool {
        self.persistence
            .as_ref()
            .is_some_and(|p| p.dirty(&self.graph))
    }
}
