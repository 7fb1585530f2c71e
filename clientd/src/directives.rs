//! Directives pushed over the bus: the durable consumer
//! `clientd-<minion>` over `directive.client.<minion token>`, payloads
//! `{"kind": "move", "move": MoveDirective}`.
//!
//! A directive is acked once it was handled: a move carried out and its
//! outcome reported, or a directive this agent does not take (another
//! minion sharing the subject token, an unknown kind, a payload it cannot
//! read). A move whose report did not get through is left unacked, so the
//! bus offers it again (its outcome is remembered, see [`crate::agent`]).
//! When the bus fails, the agent reconnects after `bus.retry_secs`; check-ins
//! go on meanwhile.

use std::sync::Arc;

use director::bus::{Bus, NatsBus};
use director::cluster::{MoveDirective, subject_token};
use serde::Deserialize;
use tokio::sync::watch;

use crate::agent::Agent;
use crate::config::{BusConfig, secs};
use crate::error::Result;

/// A directive for a client agent.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum ClientDirective {
    /// Move the minion.
    Move {
        /// What to do.
        #[serde(rename = "move")]
        directive: MoveDirective,
    },
}

/// The subject the director sends this minion's directives to.
pub fn subject(minion_id: &str) -> String {
    format!("directive.client.{}", subject_token(minion_id))
}

/// The durable consumer name for this minion: letters, digits, `-` and
/// `_`, at most 64 characters. An id with other characters (dots, in
/// host names) gets them replaced and a hash of the whole id appended, so
/// two minions never share a consumer.
pub fn consumer_name(minion_id: &str) -> String {
    let plain = minion_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if plain && minion_id.len() <= 64 - "clientd-".len() {
        return format!("clientd-{minion_id}");
    }
    use sha2::Digest;
    let hash = hex::encode(&sha2::Sha256::digest(minion_id.as_bytes())[..6]);
    let clean: String = minion_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64 - "clientd-".len() - 1 - hash.len())
        .collect();
    format!("clientd-{clean}-{hash}")
}

/// Handles directives from the bus until `stop` turns true.
pub async fn run(agent: Arc<Agent>, bus: BusConfig, mut stop: watch::Receiver<bool>) {
    let retry = secs(bus.retry_secs);
    loop {
        // Not raced against `stop`: `serve` watches it itself, between
        // directives, so a move under way is finished.
        let served = serve(&agent, &bus.url, &mut stop).await;
        match served {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(cause = %e, retry_secs = retry.as_secs_f64(), "directive bus failed")
            }
        }
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => return,
            () = tokio::time::sleep(retry) => {}
        }
    }
}

/// Connects and handles directives; Ok when stopped.
async fn serve(agent: &Agent, url: &str, stop: &mut watch::Receiver<bool>) -> Result<()> {
    let minion = &agent.identity().minion_id;
    let client = async_nats::ConnectOptions::new()
        .name(format!("clientd {minion}"))
        .connect(url)
        .await
        .map_err(|e| director::bus::BusError::Connect {
            url: redact(url),
            source: e.into(),
        })?;
    let bus = NatsBus::with_client(client, redact(url)).await?;
    let mut consumer = bus
        .directives(&consumer_name(minion), &subject(minion))
        .await?;
    tracing::info!(bus = %bus.describe(), subject = %subject(minion), "listening for directives");
    loop {
        let directive = tokio::select! {
            _ = stop.wait_for(|stop| *stop) => return Ok(()),
            directive = consumer.next() => directive?,
        };
        if handle(agent, &directive.payload).await {
            consumer.ack(directive.seq).await?;
        }
    }
}

/// Handles one directive; whether to ack it.
async fn handle(agent: &Agent, payload: &[u8]) -> bool {
    let directive = match serde_json::from_slice::<ClientDirective>(payload) {
        Ok(ClientDirective::Move { directive }) => directive,
        Err(e) => {
            tracing::warn!(cause = %e, "unreadable directive skipped");
            return true;
        }
    };
    if directive.minion_id != agent.identity().minion_id {
        // Another minion whose id maps to the same subject token.
        return true;
    }
    match agent.handle_move(&directive).await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(move_id = directive.move_id, cause = %e, "move not reported; the bus will offer it again");
            false
        }
    }
}

/// `url` without a `user:password@` part.
fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let shown = match rest.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => rest.to_owned(),
    };
    if scheme.is_empty() {
        shown
    } else {
        format!("{scheme}://{shown}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_and_consumer_names() {
        assert_eq!(
            subject("web1.example.com"),
            "directive.client.web1_example_com"
        );
        assert_eq!(consumer_name("web1"), "clientd-web1");
        let fqdn = consumer_name("web1.example.com");
        assert!(fqdn.starts_with("clientd-web1_example_com-"), "{fqdn}");
        assert_eq!(fqdn.len(), "clientd-web1_example_com-".len() + 12);
        assert_ne!(consumer_name("a.b"), consumer_name("a_b"));
        assert_ne!(consumer_name("a.b"), consumer_name("a@b"));
        let long = consumer_name(&"x".repeat(100));
        assert_eq!(long.len(), 64);
        assert!(
            long.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn directives_parse_as_the_director_sends_them() {
        let payload = br#"{"kind":"move","move":{"move_id":7,"minion_id":"m1","cluster_id":1000001,
            "from":"n1","to":"n2","master":"n2.example.com","attempt":1}}"#;
        let ClientDirective::Move { directive } = serde_json::from_slice(payload).unwrap();
        assert_eq!(directive.move_id, 7);
        assert_eq!(directive.master, "n2.example.com");
        assert!(serde_json::from_slice::<ClientDirective>(br#"{"kind":"reboot"}"#).is_err());
    }

    #[test]
    fn bus_urls_lose_their_credentials() {
        assert_eq!(redact("nats://u:p@h:4222"), "nats://***@h:4222");
        assert_eq!(redact("h:4222"), "h:4222");
    }
}
