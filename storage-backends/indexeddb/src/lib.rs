//! Browser persistence for MAYA Knowledge Graph.
//!
//! A browser graph lives in memory, in a [`SnapshotStorage`], and is
//! persisted as one [snapshot](https://docs.rs/knowledge-graph/latest/knowledge_graph/snapshot/)
//! in IndexedDB by [`IdbSnapshotStore`] (WebAssembly only). The snapshot bytes
//! are produced and checked by the graph core; this crate only keeps them safe:
//!
//! * **No lost saves.** [`IdbSnapshotStore::save`] writes the new snapshot
//!   under a fresh key in one transaction, then flips the `current` pointer
//!   (and drops the old snapshot) in a second one. Each IndexedDB
//!   transaction is atomic, so a tab closed at any moment leaves `current`
//!   naming a complete snapshot: the old one, or the new one.
//! * **No transaction across an unrelated await.** Every transaction is
//!   created, given all its requests at once, and awaited only for its own
//!   completion.
//! * **One writer.** [`WebLock::acquire`] takes an exclusive Web Lock
//!   (`navigator.locks`) named after the graph, so a second tab or worker
//!   gets a clear error instead of racing the first.
//!
//! ```ignore
//! let store = IdbSnapshotStore::open("notes").await?;
//! if let Some(bytes) = store.load().await? { /* Graph::from_snapshot(&bytes, ..) */ }
//! store.save(&graph.to_snapshot()?).await?;
//! ```
#![no_std]
#![deny(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::alloc_instead_of_core
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod snapshot_storage;

pub use snapshot_storage::SnapshotStorage;

#[cfg(target_arch = "wasm32")]
mod idb;
#[cfg(target_arch = "wasm32")]
mod lock;

#[cfg(target_arch = "wasm32")]
pub use idb::{delete_database, IdbError, IdbSnapshotStore, StagedSnapshot};
#[cfg(target_arch = "wasm32")]
pub use lock::WebLock;
