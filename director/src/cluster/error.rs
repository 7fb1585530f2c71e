//! What the director's operations can fail with.

use crate::bus::BusError;
use crate::identity::IdentityError;
use crate::store::StoreError;

/// A failed director operation. The variants map onto HTTP statuses at the
/// API edge (404, 409, 400, 503).
#[derive(Debug, thiserror::Error)]
pub enum DirectorError {
    /// The named thing does not exist.
    #[error("{kind} {id} not found")]
    NotFound {
        /// `zone`, `node`, `client`, `move`, `operation`.
        kind: &'static str,
        /// Its id.
        id: String,
    },
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The request is malformed.
    #[error("{0}")]
    Invalid(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The bus failed.
    #[error("bus: {0}")]
    Bus(#[from] BusError),
    /// The identity map failed.
    #[error("identity map: {0}")]
    Identity(#[from] IdentityError),
}

impl DirectorError {
    pub(crate) fn not_found(kind: &'static str, id: impl Into<String>) -> DirectorError {
        DirectorError::NotFound {
            kind,
            id: id.into(),
        }
    }
}

/// Result of a director operation.
pub type Result<T, E = DirectorError> = std::result::Result<T, E>;
