//! Errors of the bus: each names the subject, consumer or server involved,
//! never a payload.

use std::time::Duration;

/// A boxed error from an engine's client library.
pub(crate) type Source = Box<dyn std::error::Error + Send + Sync>;

/// What went wrong on the bus.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BusError {
    /// Connecting to the NATS server failed.
    #[error("nats connect {url}: {source}")]
    Connect {
        /// The server URL.
        url: String,
        /// What the client reported.
        #[source]
        source: Source,
    },

    /// A NATS operation on `subject` failed.
    #[error("nats {subject}: {source}")]
    Nats {
        /// The subject, stream or consumer concerned.
        subject: String,
        /// What the client reported.
        #[source]
        source: Source,
    },

    /// A subject or pattern is malformed.
    #[error("invalid subject {subject:?}: {reason}")]
    InvalidSubject {
        /// The offending subject.
        subject: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A consumer name is malformed.
    #[error("invalid consumer name {name:?}: use letters, digits, '-' and '_'")]
    InvalidConsumer {
        /// The offending name.
        name: String,
    },

    /// An idempotency key is malformed.
    #[error("invalid idempotency key {key:?}: use 1-128 printable ASCII characters, no spaces")]
    InvalidIdempotencyKey {
        /// The offending key.
        key: String,
    },

    /// Nobody is subscribed to the subject of a request.
    #[error("request {subject}: no responders")]
    NoResponders {
        /// The request's subject.
        subject: String,
    },

    /// A request got no reply in time.
    #[error("request {subject}: no reply within {timeout:?}")]
    Timeout {
        /// The request's subject.
        subject: String,
        /// How long it waited.
        timeout: Duration,
    },

    /// [`Bus::respond`](super::Bus::respond) was given a message that is not
    /// a request.
    #[error("message on {subject} is not a request: it has no reply subject")]
    NotARequest {
        /// The message's subject.
        subject: String,
    },

    /// `ack` named a sequence this consumer did not receive, or acked twice.
    #[error("consumer {consumer}: directive {seq} is not awaiting an ack here")]
    UnknownDirective {
        /// The consumer.
        consumer: String,
        /// The sequence number.
        seq: u64,
    },
}

impl BusError {
    /// Builds a [`BusError::Nats`].
    pub(crate) fn nats(subject: impl Into<String>, source: impl Into<Source>) -> Self {
        BusError::Nats {
            subject: subject.into(),
            source: source.into(),
        }
    }
}
