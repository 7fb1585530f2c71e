//! The message bus between the director and the node agents: a narrow,
//! object-safe [`Bus`] trait with two engines that run the same [`suite`].
//!
//! | engine | type | what it is for |
//! |---|---|---|
//! | in-process | [`LocalBus`] | the default: one process, tests, a single-node cluster |
//! | NATS | [`NatsBus`] | director and satellites in different processes and hosts |
//!
//! # What the bus carries
//!
//! * **Events**, fire and forget: [`Bus::publish`] / [`Bus::subscribe`] with
//!   NATS-style subjects: `.`-separated tokens, `*` matches one token, `>`
//!   (last) matches one or more. At most once: a subscriber that is not there
//!   or falls too far behind misses them.
//! * **Requests**: [`Bus::request`] sends and waits for one reply, or fails
//!   with [`BusError::NoResponders`] or [`BusError::Timeout`]; a responder
//!   subscribes and answers with [`Bus::respond`].
//! * **Directives**, durable and in order: [`Bus::publish_directive`] appends
//!   to a stream (subjects under [`DIRECTIVE_PREFIX`]); [`Bus::directives`]
//!   opens a named consumer that receives every directive it has not acked,
//!   including those published while it was away, and [`DirectiveConsumer::ack`]
//!   marks one done for good.
//! * **Durable events**, acknowledged and de-duplicated: what node agents
//!   report (subjects [`EVENT_SUBJECTS`]). [`Bus::publish_event`] returns once
//!   the event stream stored the event; a second publish with the same
//!   idempotency key inside the de-duplication window stores nothing
//!   ([`EventAck::duplicate`]). [`Bus::events`] opens a named durable
//!   consumer over them, with the same catch-up and ack rules as directives.
//!   A plain [`Bus::publish`] to an event subject lands in the stream too
//!   (without de-duplication), as it does on NATS.
//!
//! Payloads are opaque bytes and are never logged nor put in errors.

mod error;
mod jetstream;
mod local;
mod local_directives;
mod local_events;
mod nats;
pub mod nats_server;
mod subject;
pub mod suite;

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{BoxStream, Stream, StreamExt};

pub use self::error::BusError;
pub use self::local::LocalBus;
pub use self::nats::NatsBus;
pub use self::subject::{DIRECTIVE_PREFIX, EVENT_SUBJECTS, subject_matches};

/// A message received from a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The subject it was published to.
    pub subject: String,
    /// Its payload.
    pub payload: Bytes,
    /// Where to send the answer, when it is a request (see [`Bus::respond`]).
    pub reply: Option<String>,
}

/// A directive delivered to a [`DirectiveConsumer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Its position in the directive stream: increasing, unique, the handle
    /// to [`DirectiveConsumer::ack`] it.
    pub seq: u64,
    /// The subject it was published to (under [`DIRECTIVE_PREFIX`]).
    pub subject: String,
    /// Its payload.
    pub payload: Bytes,
}

/// What the event stream answered to [`Bus::publish_event`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventAck {
    /// The event's position in the stream; for a duplicate, the position of
    /// the copy stored first.
    pub seq: u64,
    /// An event with the same idempotency key was stored already (inside the
    /// de-duplication window), so this one was dropped.
    pub duplicate: bool,
}

/// The messages of one subscription; dropping it unsubscribes.
pub struct Subscription {
    inner: BoxStream<'static, Message>,
}

impl Subscription {
    /// Wraps an engine's stream of messages.
    pub(crate) fn new(inner: impl Stream<Item = Message> + Send + 'static) -> Self {
        Self {
            inner: inner.boxed(),
        }
    }

    /// The next message, or `None` when the bus is gone.
    pub async fn next(&mut self) -> Option<Message> {
        self.inner.next().await
    }
}

impl Stream for Subscription {
    type Item = Message;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

/// A named, durable reader of the directive stream (see [`Bus::directives`])
/// or of the event stream (see [`Bus::events`]; its items are events, in
/// the same [`Directive`] shape).
///
/// Keep one live consumer per name. Dropping it hands the directives it
/// received but did not ack back to the stream, so the next consumer of that
/// name gets them again, in order.
#[async_trait]
pub trait DirectiveConsumer: Send {
    /// The consumer's name.
    fn name(&self) -> &str;

    /// Waits for the next directive this consumer has not received yet.
    /// Cancel-safe: dropping the future loses nothing.
    async fn next(&mut self) -> Result<Directive, BusError>;

    /// Marks the directive `seq` (received from this consumer) as done: no
    /// consumer of this name will receive it again.
    async fn ack(&mut self, seq: u64) -> Result<(), BusError>;
}

/// A message bus engine. Object-safe: the director holds an `Arc<dyn Bus>`.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// What this engine is and where it connects, for logs (no credentials).
    fn describe(&self) -> String;

    /// Publishes an event to `subject` (no wildcards).
    async fn publish(&self, subject: &str, payload: Bytes) -> Result<(), BusError>;

    /// Subscribes to every subject matching `pattern` (`*` and `>` allowed).
    /// Messages published after this returns are delivered.
    async fn subscribe(&self, pattern: &str) -> Result<Subscription, BusError>;

    /// Sends a request to `subject` and waits up to `timeout` for the first
    /// reply.
    async fn request(
        &self,
        subject: &str,
        payload: Bytes,
        timeout: Duration,
    ) -> Result<Bytes, BusError>;

    /// Appends a directive to the durable stream and returns its sequence
    /// number once the stream has stored it. `subject` must start with
    /// [`DIRECTIVE_PREFIX`].
    async fn publish_directive(&self, subject: &str, payload: Bytes) -> Result<u64, BusError>;

    /// Opens the durable consumer `name` (letters, digits, `-` and `_`) over
    /// the directives matching `filter`, creating it on first use. It
    /// starts with the oldest directive it has not acked.
    async fn directives(
        &self,
        name: &str,
        filter: &str,
    ) -> Result<Box<dyn DirectiveConsumer>, BusError>;

    /// Appends an event to the durable event stream and returns once the
    /// stream has stored it. `subject` must be inside [`EVENT_SUBJECTS`].
    ///
    /// `idempotency_key` (1-128 printable ASCII characters, e.g.
    /// `<node>:<outbox id>`) makes a retry safe: an event whose key the stream
    /// has seen inside its de-duplication window is not stored again and
    /// comes back with [`EventAck::duplicate`] set. The window is
    /// [`NatsBus::EVENT_DEDUP_WINDOW`] on NATS and the life of the bus on
    /// [`LocalBus`]; past it the same key is stored as a new event.
    async fn publish_event(
        &self,
        subject: &str,
        payload: Bytes,
        idempotency_key: &str,
    ) -> Result<EventAck, BusError>;

    /// Opens the durable consumer `name` (letters, digits, `-` and `_`) over
    /// the events matching `filter` (inside [`EVENT_SUBJECTS`], `*` for the
    /// node), creating it on first use. It starts with the oldest event it
    /// has not acked; [`DirectiveConsumer::ack`] marks one done for good.
    /// Consumer names are separate from the directive consumers'.
    async fn events(
        &self,
        name: &str,
        filter: &str,
    ) -> Result<Box<dyn DirectiveConsumer>, BusError>;

    /// Answers the request `request` with `payload`.
    async fn respond(&self, request: &Message, payload: Bytes) -> Result<(), BusError> {
        match &request.reply {
            Some(reply) => self.publish(reply, payload).await,
            None => Err(BusError::NotARequest {
                subject: request.subject.clone(),
            }),
        }
    }
}
