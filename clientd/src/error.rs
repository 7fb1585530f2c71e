//! What can go wrong in the client agent, each error naming what failed.
//! Tokens never appear in them; a director's answer appears only as the
//! short error text the director chose to send.

use std::path::PathBuf;

/// The client agent's errors.
#[derive(Debug, thiserror::Error)]
pub enum ClientdError {
    /// The configuration file could not be read.
    #[error("config {path}: {source}", path = path.display())]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML or has unknown fields.
    #[error("config {path}: {source}", path = path.display())]
    ConfigParse {
        /// The file.
        path: PathBuf,
        /// The parser's message (line and field).
        source: Box<toml::de::Error>,
    },
    /// A configuration value is out of range.
    #[error("config: {field}: {reason}")]
    ConfigInvalid {
        /// The field, as written in the file (`director.url`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A file the agent needs could not be read or written.
    #[error("{what} {path}: {source}", path = path.display())]
    File {
        /// What the file is for (`minion public key`, `drop-in`).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file holds something the agent cannot use.
    #[error("{what} {path}: {reason}", path = path.display())]
    Invalid {
        /// What the file is for.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The minion id could not be found.
    #[error("minion id: {0}")]
    MinionId(String),
    /// The director could not be reached or refused a request.
    #[error("director {what}: {reason}")]
    Director {
        /// The request (`check-in`, `move 7 result`).
        what: String,
        /// What happened (transport error or HTTP status and error text).
        reason: String,
    },
    /// The HTTP client could not be set up (TLS roots, proxies).
    #[error("director client: {0}")]
    HttpClient(String),
    /// A command could not be run or failed.
    #[error("{what} `{command}`: {reason}")]
    Command {
        /// What the command is for (`restart`, `check`).
        what: &'static str,
        /// The program and its arguments.
        command: String,
        /// What happened (exit status and output tail, timeout, spawn error).
        reason: String,
    },
    /// The bus failed.
    #[error("bus: {0}")]
    Bus(#[from] director::bus::BusError),
}

/// Results of the client agent.
pub type Result<T, E = ClientdError> = std::result::Result<T, E>;

impl ClientdError {
    /// A [`ClientdError::File`] for `path`.
    pub(crate) fn file(
        what: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        ClientdError::File {
            what,
            path: path.into(),
            source,
        }
    }
}
