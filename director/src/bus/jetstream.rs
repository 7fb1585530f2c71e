//! A directive consumer over a JetStream durable pull consumer.
//!
//! It pulls one directive at a time, when asked, so JetStream counts as
//! delivered only what the caller actually received. Acks are confirmed by
//! the server (double ack), so an acked directive is never offered again,
//! even to a consumer created right after. Dropping the consumer NAKs what
//! it received but did not ack: JetStream offers those again at once, in
//! order, to the next consumer of the same name. A consumer that dies
//! without dropping (a crash) gets them back after the ack wait.

use std::collections::BTreeMap;
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull};
use async_nats::jetstream::message::Acker;
use async_nats::jetstream::{AckKind, stream};
use async_trait::async_trait;
use futures::{FutureExt, StreamExt};

use super::{BusError, Directive, DirectiveConsumer};

/// How long one pull waits on the server before it is renewed.
const PULL_EXPIRES: Duration = Duration::from_secs(10);

/// A durable JetStream consumer of directives.
pub(super) struct NatsConsumer {
    name: String,
    consumer: PullConsumer,
    /// The pull under way, kept across calls so that a cancelled
    /// [`DirectiveConsumer::next`] loses nothing.
    pull: Option<pull::Batch>,
    /// Received, not acked yet: sequence to ack handle.
    awaiting_ack: BTreeMap<u64, Acker>,
}

impl NatsConsumer {
    /// Creates the durable consumer `name` on `stream`, or updates it to
    /// `filter` when it exists: its ack state is kept either way.
    pub(super) async fn open(
        stream: &stream::Stream,
        name: &str,
        filter: &str,
        ack_wait: Duration,
    ) -> Result<Self, BusError> {
        let config = pull::Config {
            durable_name: Some(name.to_owned()),
            filter_subject: filter.to_owned(),
            deliver_policy: DeliverPolicy::All,
            ack_policy: AckPolicy::Explicit,
            ack_wait,
            ..Default::default()
        };
        let consumer = stream
            .create_consumer(config)
            .await
            .map_err(|e| BusError::nats(format!("consumer {name}"), e))?;
        Ok(Self {
            name: name.to_owned(),
            consumer,
            pull: None,
            awaiting_ack: BTreeMap::new(),
        })
    }

    fn error(&self, source: impl Into<super::error::Source>) -> BusError {
        BusError::nats(format!("consumer {}", self.name), source)
    }
}

#[async_trait]
impl DirectiveConsumer for NatsConsumer {
    fn name(&self) -> &str {
        &self.name
    }

    async fn next(&mut self) -> Result<Directive, BusError> {
        loop {
            let pull = match &mut self.pull {
                Some(pull) => pull,
                None => {
                    let pull = self
                        .consumer
                        .batch()
                        .max_messages(1)
                        .expires(PULL_EXPIRES)
                        .messages()
                        .await
                        .map_err(|e| self.error(e))?;
                    self.pull.insert(pull)
                }
            };
            let received = pull.next().await;
            self.pull = None;
            let message = match received {
                Some(Ok(message)) => message,
                Some(Err(e)) => return Err(self.error(e)),
                // The pull expired empty: renew it.
                None => continue,
            };
            let seq = message.info().map_err(|e| self.error(e))?.stream_sequence;
            let (message, acker) = message.split();
            self.awaiting_ack.insert(seq, acker);
            return Ok(Directive {
                seq,
                subject: message.subject.to_string(),
                payload: message.payload,
            });
        }
    }

    async fn ack(&mut self, seq: u64) -> Result<(), BusError> {
        let Some(acker) = self.awaiting_ack.get(&seq) else {
            return Err(BusError::UnknownDirective {
                consumer: self.name.clone(),
                seq,
            });
        };
        acker.double_ack().await.map_err(|e| self.error(e))?;
        self.awaiting_ack.remove(&seq);
        Ok(())
    }
}

impl Drop for NatsConsumer {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            if !self.awaiting_ack.is_empty() {
                tracing::warn!(
                    consumer = %self.name,
                    unacked = self.awaiting_ack.len(),
                    "directive consumer dropped outside a runtime: unacked directives return after the ack wait"
                );
            }
            return;
        };
        let mut unacked: Vec<Acker> = std::mem::take(&mut self.awaiting_ack)
            .into_values()
            .collect();
        // A directive that reached the pull but was never handed out.
        if let Some(mut pull) = self.pull.take()
            && let Some(Some(Ok(message))) = pull.next().now_or_never()
        {
            unacked.push(message.split().1);
        }
        if unacked.is_empty() {
            return;
        }
        let name = self.name.clone();
        runtime.spawn(async move {
            for acker in unacked {
                if let Err(e) = acker.ack_with(AckKind::Nak(None)).await {
                    tracing::warn!(consumer = %name, cause = %e, "could not hand back a directive; it returns after the ack wait");
                }
            }
        });
    }
}
