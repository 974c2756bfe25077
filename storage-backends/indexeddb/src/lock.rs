//! [`WebLock`]: an exclusive Web Lock held for as long as a graph is open.

use alloc::format;
use alloc::string::ToString;
use core::cell::RefCell;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{prelude::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::idb::{describe, IdbError};

/// An exclusive `navigator.locks` lock on one graph name, released on drop
/// (and by the browser when the tab or worker goes away).
#[derive(Debug)]
pub struct WebLock {
    release: Function,
}

impl WebLock {
    /// Takes the lock for graph `name` without waiting.
    ///
    /// # Returns
    /// `Ok(None)` when this environment has no Web Locks API (nothing then
    /// protects against two writers; every save is still atomic, so the last
    /// save wins and nothing is corrupted).
    ///
    /// # Errors
    /// [`IdbError::Locked`] when another tab or worker holds it;
    /// [`IdbError::Request`] when the browser refuses the request.
    pub async fn acquire(name: &str) -> Result<Option<WebLock>, IdbError> {
        let Some((locks, request)) = lock_manager() else {
            return Ok(None);
        };
        let failed = |err: JsValue| IdbError::Request {
            operation: "take the web lock",
            detail: describe(&err),
        };
        // `hold` stays pending until we release; returning it from the
        // callback keeps the lock.
        let mut release = None;
        let hold = Promise::new(&mut |resolve, _| release = Some(resolve));
        let granted_slot: RefCell<Option<(Function, Function)>> = RefCell::new(None);
        let granted = Promise::new(&mut |resolve, reject| {
            *granted_slot.borrow_mut() = Some((resolve, reject));
        });
        let (on_granted, on_failed) = granted_slot
            .into_inner()
            .ok_or_else(|| failed(JsValue::from_str("promise executor did not run")))?;
        let notify = on_granted.clone();
        let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
            let got_it = !lock.is_null() && !lock.is_undefined();
            let _ = notify.call1(&JsValue::NULL, &JsValue::from_bool(got_it));
            if got_it {
                hold.into()
            } else {
                JsValue::UNDEFINED
            }
        });
        let options = Object::new();
        let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
        let _ = Reflect::set(&options, &"mode".into(), &"exclusive".into());
        let lock_name = JsValue::from_str(&format!("maya-knowledge-graph:{name}"));
        let pending = request
            .call3(&locks, &lock_name, &options, &callback)
            .map_err(failed)?;
        // A rejected request (e.g. an opaque origin) fails `granted` too.
        if let Ok(catch) = Reflect::get(&pending, &"catch".into()) {
            if let Some(catch) = catch.dyn_ref::<Function>() {
                let _ = catch.call1(&pending, &on_failed);
            }
        }
        let got_it = JsFuture::from(granted).await.map_err(failed)?;
        if got_it.as_bool() != Some(true) {
            return Err(IdbError::Locked {
                name: name.to_string(),
            });
        }
        let release = release.ok_or_else(|| failed(JsValue::from_str("no release handle")))?;
        Ok(Some(WebLock { release }))
    }

    /// True when this environment has the Web Locks API.
    pub fn supported() -> bool {
        lock_manager().is_some()
    }
}

impl Drop for WebLock {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::NULL);
    }
}

/// `navigator.locks` and its `request` method, when both exist.
fn lock_manager() -> Option<(JsValue, Function)> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    if navigator.is_undefined() || navigator.is_null() {
        return None;
    }
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    if locks.is_undefined() || locks.is_null() {
        return None;
    }
    let request = Reflect::get(&locks, &"request".into()).ok()?;
    let request: Function = request.dyn_into().ok()?;
    Some((locks, request))
}
