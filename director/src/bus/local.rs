//! The in-process bus: subscriptions are bounded channels matched against
//! each published subject; requests use a private inbox subject, as in NATS.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::mpsc;

use super::local_directives::DirectiveLog;
use super::local_events::EventLog;
use super::subject::{
    check_consumer, check_directive, check_event, check_idempotency_key, check_pattern,
    check_subject, subject_matches,
};
use super::{Bus, BusError, DirectiveConsumer, EventAck, Message, Subscription};

/// Messages a subscription buffers before new ones are dropped for it (a
/// slow subscriber loses events, as on NATS, instead of stalling everyone).
const SUBSCRIPTION_BUFFER: usize = 4096;

/// The in-process bus engine. Clones share the same bus.
#[derive(Debug, Clone, Default)]
pub struct LocalBus {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    subscriptions: Mutex<Vec<Route>>,
    next_inbox: AtomicU64,
    directives: Arc<DirectiveLog>,
    events: EventLog,
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            subscriptions: Mutex::new(Vec::new()),
            next_inbox: AtomicU64::new(1),
            directives: Arc::new(DirectiveLog::new()),
            events: EventLog::new(),
        }
    }
}

/// One subscription: its pattern and the channel to its [`Subscription`].
#[derive(Debug)]
struct Route {
    pattern: String,
    tx: mpsc::Sender<Message>,
}

impl LocalBus {
    /// A new, empty bus.
    pub fn new() -> Self {
        Self::default()
    }

    fn routes(&self) -> MutexGuard<'_, Vec<Route>> {
        // Nothing panics while holding the lock; the list stays consistent.
        self.inner
            .subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a route and returns the receiving end.
    fn route(&self, pattern: &str, buffer: usize) -> mpsc::Receiver<Message> {
        let (tx, rx) = mpsc::channel(buffer);
        self.routes().push(Route {
            pattern: pattern.to_owned(),
            tx,
        });
        rx
    }

    /// Delivers a message to every matching subscription; returns how many
    /// matched. Forgets subscriptions that were dropped.
    fn deliver(&self, subject: &str, payload: Bytes, reply: Option<String>) -> usize {
        let mut routes = self.routes();
        routes.retain(|route| !route.tx.is_closed());
        let mut matched = 0;
        for route in routes
            .iter()
            .filter(|r| subject_matches(&r.pattern, subject))
        {
            matched += 1;
            let message = Message {
                subject: subject.to_owned(),
                payload: payload.clone(),
                reply: reply.clone(),
            };
            if route.tx.try_send(message).is_err() {
                tracing::warn!(subject, pattern = %route.pattern, "slow subscriber: message dropped");
            }
        }
        matched
    }
}

#[async_trait]
impl Bus for LocalBus {
    fn describe(&self) -> String {
        "in-process bus".to_owned()
    }

    async fn publish(&self, subject: &str, payload: Bytes) -> Result<(), BusError> {
        check_subject(subject)?;
        // As on NATS: a plain publish to an event subject is stored too.
        if check_event(subject, false).is_ok() {
            self.inner.events.append(subject, payload.clone(), None);
        }
        self.deliver(subject, payload, None);
        Ok(())
    }

    async fn subscribe(&self, pattern: &str) -> Result<Subscription, BusError> {
        check_pattern(pattern)?;
        let mut rx = self.route(pattern, SUBSCRIPTION_BUFFER);
        Ok(Subscription::new(futures::stream::poll_fn(move |cx| {
            rx.poll_recv(cx)
        })))
    }

    async fn request(
        &self,
        subject: &str,
        payload: Bytes,
        timeout: Duration,
    ) -> Result<Bytes, BusError> {
        check_subject(subject)?;
        let n = self.inner.next_inbox.fetch_add(1, Ordering::Relaxed);
        let inbox = format!("_INBOX.local.{n}");
        let mut replies = self.route(&inbox, 1);
        if self.deliver(subject, payload, Some(inbox)) == 0 {
            return Err(BusError::NoResponders {
                subject: subject.to_owned(),
            });
        }
        match tokio::time::timeout(timeout, replies.recv()).await {
            Ok(Some(reply)) => Ok(reply.payload),
            Ok(None) | Err(_) => Err(BusError::Timeout {
                subject: subject.to_owned(),
                timeout,
            }),
        }
    }

    async fn publish_directive(&self, subject: &str, payload: Bytes) -> Result<u64, BusError> {
        check_directive(subject, false)?;
        Ok(self.inner.directives.append(subject, payload))
    }

    async fn directives(
        &self,
        name: &str,
        filter: &str,
    ) -> Result<Box<dyn DirectiveConsumer>, BusError> {
        check_consumer(name)?;
        check_directive(filter, true)?;
        Ok(Box::new(self.inner.directives.consumer(name, filter)))
    }

    async fn publish_event(
        &self,
        subject: &str,
        payload: Bytes,
        idempotency_key: &str,
    ) -> Result<EventAck, BusError> {
        check_event(subject, false)?;
        check_idempotency_key(idempotency_key)?;
        let ack = self
            .inner
            .events
            .append(subject, payload.clone(), Some(idempotency_key));
        // Live subscribers see it too, as they would on NATS.
        if !ack.duplicate {
            self.deliver(subject, payload, None);
        }
        Ok(ack)
    }

    async fn events(
        &self,
        name: &str,
        filter: &str,
    ) -> Result<Box<dyn DirectiveConsumer>, BusError> {
        check_consumer(name)?;
        check_event(filter, true)?;
        Ok(Box::new(self.inner.events.consumer(name, filter)))
    }
}
