//! The NATS bus: core NATS for events and requests, a JetStream stream for
//! directives.
//!
//! Directives go to the file-backed stream [`NatsBus::STREAM`] (subjects
//! `directive.>`, every directive kept until the stream's limits are
//! changed by an operator). Each [`Bus::directives`] name is a durable pull
//! consumer with explicit acks, so a satellite that was down resumes with the
//! first directive it had not acked (see [`super::jetstream`]).
//!
//! Node events go to the file-backed stream [`NatsBus::EVENT_STREAM`]
//! (subjects [`EVENT_SUBJECTS`], kept [`NatsBus::EVENT_MAX_AGE`]), published
//! with a `Nats-Msg-Id` header so JetStream drops a copy it has seen inside
//! [`NatsBus::EVENT_DEDUP_WINDOW`]; [`Bus::events`] consumers work as the
//! directive consumers do.

use std::time::Duration;

use async_nats::client::RequestErrorKind;
use async_nats::jetstream::{self, message::PublishMessage, stream};
use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;

use super::jetstream::NatsConsumer;
use super::subject::{
    check_consumer, check_directive, check_event, check_idempotency_key, check_pattern,
    check_subject,
};
use super::{Bus, BusError, DirectiveConsumer, EVENT_SUBJECTS, EventAck, Message, Subscription};

/// The NATS bus engine. Clones share one connection.
#[derive(Debug, Clone)]
pub struct NatsBus {
    client: async_nats::Client,
    js: jetstream::Context,
    stream: stream::Stream,
    events: stream::Stream,
    /// The server URL without credentials, for logs and errors.
    url: String,
}

impl NatsBus {
    /// The JetStream stream that holds the directives.
    pub const STREAM: &str = "DIRECTIVES";
    /// How long a delivered directive may stay unacked before JetStream
    /// offers it again, when its consumer vanished without handing it back
    /// (a crash).
    pub const ACK_WAIT: Duration = Duration::from_secs(30);
    /// The JetStream stream that holds node events.
    pub const EVENT_STREAM: &str = "EVENTS";
    /// How long the event stream remembers an idempotency key: a copy
    /// published again inside it is dropped, one published later is stored
    /// again (consumers must then tolerate it; the director's are
    /// idempotent).
    pub const EVENT_DEDUP_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
    /// How long the event stream keeps an event, acked or not.
    pub const EVENT_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

    /// Connects to the NATS server at `url` (`nats://host:port`, may hold
    /// `user:password@`, which is never logged) and makes sure the directive
    /// and event streams exist. The server must have JetStream enabled.
    pub async fn connect(url: &str) -> Result<Self, BusError> {
        let shown = redact(url);
        let client = async_nats::ConnectOptions::new()
            .name("director")
            .connect(url)
            .await
            .map_err(|e| BusError::Connect {
                url: shown.clone(),
                source: e.into(),
            })?;
        Self::with_client(client, shown).await
    }

    /// Uses an existing client; `url` only names it in logs and errors.
    pub async fn with_client(client: async_nats::Client, url: String) -> Result<Self, BusError> {
        let js = jetstream::new(client.clone());
        let config = stream::Config {
            name: Self::STREAM.to_owned(),
            subjects: vec![format!("{}>", super::DIRECTIVE_PREFIX)],
            storage: stream::StorageType::File,
            retention: stream::RetentionPolicy::Limits,
            ..Default::default()
        };
        let stream = js
            .get_or_create_stream(config)
            .await
            .map_err(|e| BusError::nats(format!("stream {} at {url}", Self::STREAM), e))?;
        let config = stream::Config {
            name: Self::EVENT_STREAM.to_owned(),
            subjects: EVENT_SUBJECTS.iter().map(|s| (*s).to_owned()).collect(),
            storage: stream::StorageType::File,
            retention: stream::RetentionPolicy::Limits,
            max_age: Self::EVENT_MAX_AGE,
            duplicate_window: Self::EVENT_DEDUP_WINDOW,
            ..Default::default()
        };
        let events = js
            .get_or_create_stream(config)
            .await
            .map_err(|e| BusError::nats(format!("stream {} at {url}", Self::EVENT_STREAM), e))?;
        Ok(Self {
            client,
            js,
            stream,
            events,
            url,
        })
    }
}

#[async_trait]
impl Bus for NatsBus {
    fn describe(&self) -> String {
        format!("nats {}", self.url)
    }

    async fn publish(&self, subject: &str, payload: Bytes) -> Result<(), BusError> {
        check_subject(subject)?;
        self.client
            .publish(subject.to_owned(), payload)
            .await
            .map_err(|e| BusError::nats(subject, e))
    }

    async fn subscribe(&self, pattern: &str) -> Result<Subscription, BusError> {
        check_pattern(pattern)?;
        let subscriber = self
            .client
            .subscribe(pattern.to_owned())
            .await
            .map_err(|e| BusError::nats(pattern, e))?;
        // A round trip, so the server has the subscription when we return.
        self.client
            .flush()
            .await
            .map_err(|e| BusError::nats(pattern, e))?;
        Ok(Subscription::new(subscriber.map(|m| Message {
            subject: m.subject.to_string(),
            payload: m.payload,
            reply: m.reply.map(|r| r.to_string()),
        })))
    }

    async fn request(
        &self,
        subject: &str,
        payload: Bytes,
        timeout: Duration,
    ) -> Result<Bytes, BusError> {
        check_subject(subject)?;
        let request = async_nats::Request::new()
            .payload(payload)
            .timeout(Some(timeout));
        match self.client.send_request(subject.to_owned(), request).await {
            Ok(reply) => Ok(reply.payload),
            Err(e) => Err(match e.kind() {
                RequestErrorKind::TimedOut => BusError::Timeout {
                    subject: subject.to_owned(),
                    timeout,
                },
                RequestErrorKind::NoResponders => BusError::NoResponders {
                    subject: subject.to_owned(),
                },
                _ => BusError::nats(subject, e),
            }),
        }
    }

    async fn publish_directive(&self, subject: &str, payload: Bytes) -> Result<u64, BusError> {
        check_directive(subject, false)?;
        let ack = self
            .js
            .publish(subject.to_owned(), payload)
            .await
            .map_err(|e| BusError::nats(subject, e))?
            .await
            .map_err(|e| BusError::nats(subject, e))?;
        Ok(ack.sequence)
    }

    async fn directives(
        &self,
        name: &str,
        filter: &str,
    ) -> Result<Box<dyn DirectiveConsumer>, BusError> {
        check_consumer(name)?;
        check_directive(filter, true)?;
        Ok(Box::new(
            NatsConsumer::open(&self.stream, name, filter, Self::ACK_WAIT).await?,
        ))
    }

    async fn publish_event(
        &self,
        subject: &str,
        payload: Bytes,
        idempotency_key: &str,
    ) -> Result<EventAck, BusError> {
        check_event(subject, false)?;
        check_idempotency_key(idempotency_key)?;
        let publish = PublishMessage::build()
            .payload(payload)
            .message_id(idempotency_key);
        let ack = self
            .js
            .send_publish(subject.to_owned(), publish)
            .await
            .map_err(|e| BusError::nats(subject, e))?
            .await
            .map_err(|e| BusError::nats(subject, e))?;
        Ok(EventAck {
            seq: ack.sequence,
            duplicate: ack.duplicate,
        })
    }

    async fn events(
        &self,
        name: &str,
        filter: &str,
    ) -> Result<Box<dyn DirectiveConsumer>, BusError> {
        check_consumer(name)?;
        check_event(filter, true)?;
        Ok(Box::new(
            NatsConsumer::open(&self.events, name, filter, Self::ACK_WAIT).await?,
        ))
    }
}

/// `url` without a `user:password@` part.
fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    match rest.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(redact("nats://u:p@h:4222"), "nats://***@h:4222");
        assert_eq!(redact("u:p@h:4222"), "***@h:4222");
        assert_eq!(redact("nats://h:4222"), "nats://h:4222");
    }

    #[tokio::test]
    async fn a_missing_server_is_an_error_naming_the_url_not_the_password() {
        // Port 1 on loopback: nothing listens there.
        let err = NatsBus::connect("nats://user:hunter2@127.0.0.1:1")
            .await
            .expect_err("nothing listens on port 1");
        let text = err.to_string();
        assert!(
            text.starts_with("nats connect nats://***@127.0.0.1:1"),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "{text}");
    }
}
