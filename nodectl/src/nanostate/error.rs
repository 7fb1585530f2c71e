//! What loading, finding or running a nanostate fails with.

use std::path::PathBuf;

/// A nanostate problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// A state file is invalid: where, which field, what is wrong.
    #[error("{}:{line}:{column}: {field}: {message}", file.display())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The field, as a path (`state.install[0].file.mode`), or `-` when
        /// the YAML itself is malformed.
        field: String,
        /// What is wrong.
        message: String,
    },

    /// A state file or root could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },

    /// Two files define the same id.
    #[error("state {id} is defined twice: {} and {}", first.display(), second.display())]
    Duplicate {
        /// The id.
        id: String,
        /// The file found first.
        first: PathBuf,
        /// The other one.
        second: PathBuf,
    },

    /// No state has this id.
    #[error("no state {id} under {roots}")]
    NotFound {
        /// The id asked for.
        id: String,
        /// The roots searched, comma-separated.
        roots: String,
    },

    /// A host name cannot be used.
    #[error("host {host:?}: {reason}")]
    Host {
        /// The host as given.
        host: String,
        /// What is wrong.
        reason: String,
    },
}
