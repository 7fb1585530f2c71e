//! Talking to the director: over the bus when one is configured (plain
//! pub/sub heartbeats, node events on the durable event stream, directives
//! from it), else over its HTTP node API (`/node/v1`); registration always
//! goes to the HTTP admin API.

mod heartbeat;
mod http;

use std::sync::Arc;

use bytes::Bytes;
use director::bus::{Bus, NatsBus};
use director::cluster::{Heartbeat, NodeEvent, subject_token};

pub use self::heartbeat::{load_avg, run as heartbeats};
pub use self::http::HttpApi;

use crate::shutdown::Shutdown;
use crate::{Error, Result};

/// The subjects of one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subjects {
    /// `node.<token>.heartbeat` (plain pub/sub).
    pub heartbeat: String,
    /// `node.<token>.event` (event stream: what the director applies).
    pub event: String,
    /// `node.<token>.change` (event stream: other captured changes).
    pub change: String,
    /// `node.<token>.result` (plain pub/sub: directive outcomes).
    pub result: String,
    /// `directive.node.<token>` (public directives).
    pub directives: String,
    /// `directive.node.<token>.private` (sealed directives).
    pub private: String,
}

impl Subjects {
    /// The subjects of node `id` (its token: see `subject_token`).
    pub fn of(id: &str) -> Subjects {
        let t = subject_token(id);
        Subjects {
            heartbeat: format!("node.{t}.heartbeat"),
            event: format!("node.{t}.event"),
            change: format!("node.{t}.change"),
            result: format!("node.{t}.result"),
            directives: format!("directive.node.{t}"),
            private: format!("directive.node.{t}.private"),
        }
    }
}

/// One captured change ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    /// Subject on the event stream.
    pub subject: String,
    /// JSON payload.
    pub payload: Bytes,
    /// `<node>:<outbox id>`.
    pub key: String,
    /// The director's event, for the HTTP path (system events only).
    pub node_event: Option<NodeEvent>,
}

/// What became of an [`Outgoing`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The event stream stored it (or had it already: `duplicate`).
    Stored {
        /// Stream sequence.
        seq: u64,
        /// Stored before (a retry after a crash).
        duplicate: bool,
    },
    /// The director's HTTP API accepted it.
    Posted,
    /// Nothing can carry it (a non-system change without a bus): dropped.
    Skipped,
}

/// The way to the director.
#[derive(Clone)]
pub struct Uplink {
    subjects: Subjects,
    bus: Option<Arc<dyn Bus>>,
    http: Option<HttpApi>,
}

impl std::fmt::Debug for Uplink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uplink")
            .field("bus", &self.bus.as_ref().map(|b| b.describe()))
            .field("http", &self.http)
            .finish()
    }
}

impl Uplink {
    /// An uplink for node `id` over `bus` and/or `http`.
    pub fn new(id: &str, bus: Option<Arc<dyn Bus>>, http: Option<HttpApi>) -> Uplink {
        Uplink {
            subjects: Subjects::of(id),
            bus,
            http,
        }
    }

    /// The node's subjects.
    pub fn subjects(&self) -> &Subjects {
        &self.subjects
    }

    /// The bus, when there is one.
    pub fn bus(&self) -> Option<&Arc<dyn Bus>> {
        self.bus.as_ref()
    }

    /// Sends one heartbeat.
    pub async fn heartbeat(&self, beat: &Heartbeat) -> Result<()> {
        let json = serde_json::to_vec(beat).expect("a heartbeat serializes");
        if let Some(bus) = &self.bus {
            return bus
                .publish(&self.subjects.heartbeat, json.into())
                .await
                .map_err(|e| Error::bus("heartbeat", e));
        }
        match &self.http {
            Some(http) => http.node_post("/node/v1/heartbeat", json).await,
            None => Ok(()),
        }
    }

    /// Sends one captured change and says what became of it; returns only
    /// once it is stored (bus) or accepted (HTTP).
    pub async fn deliver(&self, out: &Outgoing) -> Result<Delivery> {
        if let Some(bus) = &self.bus {
            let ack = bus
                .publish_event(&out.subject, out.payload.clone(), &out.key)
                .await
                .map_err(|e| Error::bus(format!("event {}", out.key), e))?;
            return Ok(Delivery::Stored {
                seq: ack.seq,
                duplicate: ack.duplicate,
            });
        }
        match (&self.http, &out.node_event) {
            (Some(http), Some(event)) => {
                let json = serde_json::to_vec(event).expect("an event serializes");
                http.node_post("/node/v1/events", json).await?;
                Ok(Delivery::Posted)
            }
            _ => Ok(Delivery::Skipped),
        }
    }

    /// Publishes a directive's outcome on `node.<token>.result`, when there
    /// is a bus (fire and forget).
    pub async fn report(&self, payload: Bytes) {
        if let Some(bus) = &self.bus
            && let Err(e) = bus.publish(&self.subjects.result, payload).await
        {
            tracing::warn!(cause = %e, "directive result not published");
        }
    }
}

/// Connects to the NATS bus at `url`, retrying (1 s, doubling to 30 s)
/// until it answers or shutdown. `None` means shutdown came first.
pub async fn connect_bus(url: &str, node: &str, shutdown: &mut Shutdown) -> Option<NatsBus> {
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        let client = async_nats::ConnectOptions::new()
            .name(format!("nodectl-{node}"))
            .connect(url)
            .await;
        let result = match client {
            Ok(client) => NatsBus::with_client(client, redact(url)).await,
            Err(e) => Err(director::bus::BusError::Connect {
                url: redact(url),
                source: e.into(),
            }),
        };
        match result {
            Ok(bus) => return Some(bus),
            Err(e) => tracing::warn!(cause = %e, retry_in = ?wait, "bus not reachable"),
        }
        if !shutdown.sleep(wait).await {
            return None;
        }
        wait = (wait * 2).min(std::time::Duration::from_secs(30));
    }
}

/// `url` without a `user:password@` part.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_follow_the_director() {
        let s = Subjects::of("suma1");
        assert_eq!(s.event, "node.suma1.event");
        assert_eq!(s.private, "directive.node.suma1.private");
        assert_eq!(Subjects::of("a.b").heartbeat, "node.a_b.heartbeat");
        assert_eq!(redact("nats://u:p@h:1"), "nats://***@h:1");
    }
}
