//! What can go wrong in the command-line client, each case saying what it
//! was doing. No variant ever carries the admin token.

use std::path::PathBuf;

use thiserror::Error;

/// An error of the command-line client.
#[derive(Debug, Error)]
pub enum CliError {
    /// Neither `--token`, `--token-file` nor `DIRECTOR_ADMIN_TOKEN` given.
    #[error(
        "no admin token: pass --token or --token-file, or set DIRECTOR_ADMIN_TOKEN or DIRECTOR_ADMIN_TOKEN_FILE"
    )]
    MissingToken,
    /// The token file could not be read.
    #[error("reading the admin token from {path}: {source}")]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The token (from the flag, the environment or the file) is empty.
    #[error("the admin token is empty")]
    EmptyToken,
    /// The token holds characters an HTTP header cannot carry.
    #[error("the admin token holds characters an HTTP header cannot carry")]
    BadToken,
    /// The `--ca-cert` file could not be read.
    #[error("reading the CA certificate {path}: {source}")]
    CaCertRead {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The `--ca-cert` file holds no usable PEM certificate.
    #[error("the CA certificate {path} is not a PEM certificate: {detail}")]
    CaCertParse {
        /// The file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// `--url` is not an http(s) URL.
    #[error("director URL {url:?}: {reason}")]
    BadUrl {
        /// What was given.
        url: String,
        /// Why it does not do.
        reason: String,
    },
    /// The HTTP client could not be set up (TLS roots, for instance).
    #[error("setting up the HTTP client: {detail}")]
    ClientSetup {
        /// Why.
        detail: String,
    },
    /// The request did not get an answer: connection refused, TLS failure,
    /// timeout.
    #[error("cannot reach the director at {url}: {detail}")]
    Unreachable {
        /// The request URL.
        url: String,
        /// The cause chain.
        detail: String,
    },
    /// The director answered with an error status.
    #[error("{message} (HTTP {status})")]
    Http {
        /// HTTP status code.
        status: u16,
        /// The director's `error` message (or the status reason).
        message: String,
    },
    /// The director answered with a body this client does not understand.
    #[error("unexpected answer from {url}: {detail}")]
    Decode {
        /// The request URL.
        url: String,
        /// Why.
        detail: String,
    },
    /// A change that needs confirmation, asked without `--yes` and without
    /// a terminal to ask on.
    #[error(
        "refusing to {action} without confirmation: pass --yes (standard input is not a terminal)"
    )]
    ConfirmationNeeded {
        /// What would have been done.
        action: &'static str,
    },
    /// Reading the operator's answer failed.
    #[error("reading the confirmation: {0}")]
    Prompt(std::io::Error),
    /// Writing the output failed (a closed pipe, for instance).
    #[error("writing the output: {0}")]
    Output(std::io::Error),
}

impl CliError {
    /// A transport error of `reqwest`, with its whole cause chain (reqwest
    /// keeps the interesting part, "connection refused", in its sources).
    pub(crate) fn unreachable(url: &reqwest::Url, err: reqwest::Error) -> CliError {
        CliError::Unreachable {
            url: url.to_string(),
            detail: cause_chain(&err.without_url()),
        }
    }
}

/// `err: cause: cause`, skipping causes already spelled out by the one
/// before.
pub(crate) fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_errors_read_as_the_server_message_and_status() {
        let err = CliError::Http {
            status: 404,
            message: "node n9 not found".into(),
        };
        assert_eq!(err.to_string(), "node n9 not found (HTTP 404)");
    }

    #[test]
    fn cause_chain_lists_every_distinct_cause() {
        let inner = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let outer = std::io::Error::other(CliError::Prompt(inner));
        assert_eq!(cause_chain(&outer), "reading the confirmation: refused");
    }
}
