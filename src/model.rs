//! The records users read back: [`Node`] and [`Edge`].

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::value::{from_value_ref, Value};

/// The stable identifier of an edge, assigned when it is added and never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EdgeId(pub u64);

impl fmt::Display for EdgeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A node: a label, a unique string id and its properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The node's id, unique in the graph.
    pub id: String,
    /// The node's label (its type, e.g. `"user"`).
    pub label: String,
    /// The properties it was stored with (usually a [`Value::Map`]), shared
    /// with the record cache: reading a node copies no property data.
    pub properties: Arc<Value>,
}

impl Node {
    /// The node's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The node's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// One property by name.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.properties.get(key)
    }

    /// The properties converted back to the type they were stored from.
    ///
    /// # Errors
    /// [`Error::Value`](crate::Error::Value) when they do not fit `T`.
    pub fn properties_as<T: DeserializeOwned>(&self) -> Result<T> {
        Ok(from_value_ref(&self.properties)?)
    }
}

/// A directed, labelled edge between two nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// The edge's stable id.
    pub id: EdgeId,
    /// The edge's label (e.g. `"follows"`).
    pub label: String,
    /// Id of the node it leaves.
    pub source: String,
    /// Id of the node it enters.
    pub target: String,
    /// Its properties ([`Value::Null`] when added with `None`), shared with
    /// the record cache.
    pub properties: Arc<Value>,
    /// When it was added, in milliseconds since the Unix epoch.
    pub created_at_ms: i64,
}

impl Edge {
    /// The edge's id.
    pub fn id(&self) -> EdgeId {
        self.id
    }

    /// The edge's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Id of the node it leaves.
    ///
    /// # Errors
    /// Never in this version; the `Result` lets edges read lazily from storage report failures.
    pub fn source(&self) -> Result<String> {
        Ok(self.source.clone())
    }

    /// Id of the node it enters.
    ///
    /// # Errors
    /// Never in this version; see [`Edge::source`].
    pub fn target(&self) -> Result<String> {
        Ok(self.target.clone())
    }

    /// When it was added, in whole seconds since the Unix epoch.
    pub fn timestamp(&self) -> i64 {
        self.created_at_ms.div_euclid(1000)
    }

    /// When it was added, in milliseconds since the Unix epoch.
    pub fn timestamp_millis(&self) -> i64 {
        self.created_at_ms
    }

    /// One property by name.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.properties.get(key)
    }

    /// The properties converted back to the type they were stored from.
    ///
    /// # Errors
    /// [`Error::Value`](crate::Error::Value) when they do not fit `T`.
    pub fn properties_as<T: DeserializeOwned>(&self) -> Result<T> {
        Ok(from_value_ref(&self.properties)?)
    }
}
