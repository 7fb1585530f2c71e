//! Errors of the store: each says which engine, file or key failed, never a
//! value (values may hold data a log must not see).

use std::path::PathBuf;

use super::key::KeyDisplay;

/// What went wrong in a store operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The redb database file failed.
    #[error("redb {path}: {source}", path = path.display())]
    Redb {
        /// The database file.
        path: PathBuf,
        /// What redb reported.
        #[source]
        source: Box<::redb::Error>,
    },

    /// The TiKV cluster failed.
    #[cfg(feature = "tikv")]
    #[error("tikv {endpoints}: {source}")]
    Tikv {
        /// The PD endpoints of the cluster, comma-separated.
        endpoints: String,
        /// What the TiKV client reported.
        #[source]
        source: Box<tikv_client::Error>,
    },

    /// A value could not be encoded or decoded as the expected type.
    #[error("record {key}: {source}", key = KeyDisplay(key))]
    Codec {
        /// The key of the record.
        key: Vec<u8>,
        /// What serde_json reported.
        #[source]
        source: serde_json::Error,
    },

    /// A read-modify-write kept losing races and gave up.
    #[error("{key}: gave up after {attempts} conflicting attempts", key = KeyDisplay(key))]
    Contention {
        /// The key everyone was fighting over.
        key: Vec<u8>,
        /// How many attempts were made.
        attempts: u32,
    },

    /// An empty key was passed; keys must have at least one byte.
    #[error("empty key: store keys must have at least one byte")]
    EmptyKey,

    /// An empty value was passed; values must have at least one byte (TiKV
    /// cannot tell an empty value from a missing key).
    #[error("{key}: empty value: store values must have at least one byte", key = KeyDisplay(key))]
    EmptyValue {
        /// The key it was meant for.
        key: Vec<u8>,
    },

    /// A counter reached `u64::MAX`.
    #[error("counter {key} overflowed", key = KeyDisplay(key))]
    CounterOverflow {
        /// The counter's key.
        key: Vec<u8>,
    },

    /// The director that serves its store to this process failed or
    /// refused ([`crate::remote::RemoteEngine`]).
    #[error("{endpoint}: {message}")]
    Remote {
        /// The director's base URL.
        endpoint: String,
        /// What failed (never a value).
        message: String,
    },

    /// A background task running a blocking engine call failed (it panicked
    /// or the runtime is shutting down).
    #[error("{engine}: store task failed: {source}")]
    Task {
        /// The engine that ran the task.
        engine: String,
        /// The join error.
        #[source]
        source: tokio::task::JoinError,
    },
}

impl StoreError {
    /// Builds a [`StoreError::Codec`] for `key`.
    pub(crate) fn codec(key: &[u8], source: serde_json::Error) -> Self {
        StoreError::Codec {
            key: key.to_vec(),
            source,
        }
    }
}
