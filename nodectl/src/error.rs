//! What nodectl's operations fail with: each variant names the file, URL,
//! subject or query concerned, never a payload, token or secret.

use std::path::PathBuf;

use director::bus::BusError;

use crate::nanostate::StateError;

/// A failed nodectl operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is unreadable or invalid.
    #[error("config {path}: {reason}")]
    Config {
        /// The configuration file (or `-` for one given as text).
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// A file could not be read or written.
    #[error("{what} {path}: {source}")]
    File {
        /// What the file is for (`key file`, `node token`, ...).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },

    /// The node key file exists but cannot be used.
    #[error("key file {path}: {reason}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A sealed box could not be made or opened.
    #[error("sealed box: {0}")]
    Seal(String),

    /// The node's database failed.
    #[error("database ({what}): {source}")]
    Database {
        /// What nodectl was doing.
        what: &'static str,
        /// What the client reported.
        #[source]
        source: tokio_postgres::Error,
    },

    /// A connection ended under nodectl.
    #[error("{0}: connection lost")]
    Disconnected(&'static str),

    /// The bus failed.
    #[error("bus ({what}): {source}")]
    Bus {
        /// What nodectl was doing.
        what: String,
        /// What the bus reported.
        #[source]
        source: BusError,
    },

    /// The director's HTTP API refused or failed a call.
    #[error("director {url}: {reason}")]
    Director {
        /// The URL called.
        url: String,
        /// The status or transport error (never the token).
        reason: String,
    },

    /// A nanostate could not be loaded, found or run.
    #[error(transparent)]
    State(#[from] StateError),
}

impl Error {
    /// Builds an [`Error::Bus`].
    pub(crate) fn bus(what: impl Into<String>, source: BusError) -> Self {
        Error::Bus {
            what: what.into(),
            source,
        }
    }

    /// Builds an [`Error::Database`].
    pub(crate) fn db(what: &'static str, source: tokio_postgres::Error) -> Self {
        Error::Database { what, source }
    }
}

/// Result of a nodectl operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;
