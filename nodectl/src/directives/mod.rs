//! Directives from the director, on two durable subjects of the node:
//! `directive.node.<token>` (public) and `directive.node.<token>.private`
//! (sealed to the node key). Each is handled (see [`handle`]), its result
//! published on `node.<token>.result`, then acked — also when it failed or
//! was refused, so one bad directive does not block the ones after it. A
//! directive whose handling was cut short (nodectl killed) comes back on
//! restart: nanostates should be safe to run twice.

pub mod handle;
pub mod parse;

use std::sync::Arc;
use std::time::Duration;

use director::bus::{Bus, DirectiveConsumer};
use director::cluster::subject_token;

pub use self::handle::{DirectiveResult, Handler, Outcome};
pub use self::parse::seal_directive;

use crate::shutdown::Shutdown;
use crate::uplink::Uplink;

/// Follows both directive subjects until shutdown.
pub async fn run(bus: Arc<dyn Bus>, handler: Handler, uplink: Arc<Uplink>, shutdown: Shutdown) {
    let token = subject_token(&handler.config.node_id);
    let subjects = uplink.subjects().clone();
    let public = tokio::spawn(follow(
        bus.clone(),
        format!("nodectl-{token}"),
        subjects.directives,
        false,
        handler.clone(),
        uplink.clone(),
        shutdown.clone(),
    ));
    let private = tokio::spawn(follow(
        bus,
        format!("nodectl-{token}-private"),
        subjects.private,
        true,
        handler,
        uplink,
        shutdown,
    ));
    let _ = futures::join!(public, private);
}

/// Opens the consumer `name` (retrying) and handles its directives.
async fn follow(
    bus: Arc<dyn Bus>,
    name: String,
    subject: String,
    sealed: bool,
    handler: Handler,
    uplink: Arc<Uplink>,
    mut shutdown: Shutdown,
) {
    let mut backoff = Duration::from_secs(1);
    loop {
        let opened = tokio::select! {
            () = shutdown.fired() => return,
            opened = bus.directives(&name, &subject) => opened,
        };
        match opened {
            Ok(consumer) => {
                backoff = Duration::from_secs(1);
                if consume(consumer, sealed, &handler, &uplink, &mut shutdown).await {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(consumer = %name, cause = %e, "cannot open directive consumer")
            }
        }
        if !shutdown.sleep(backoff).await {
            return;
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

/// Handles directives until shutdown (true) or a bus error (false).
async fn consume(
    mut consumer: Box<dyn DirectiveConsumer>,
    sealed: bool,
    handler: &Handler,
    uplink: &Uplink,
    shutdown: &mut Shutdown,
) -> bool {
    loop {
        let next = tokio::select! {
            () = shutdown.fired() => return true,
            next = consumer.next() => next,
        };
        let directive = match next {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(consumer = consumer.name(), cause = %e, "directive stream failed");
                return false;
            }
        };
        let result = handler.handle(&directive, sealed).await;
        tracing::info!(
            subject = %result.subject,
            seq = result.seq,
            kind = result.kind.as_deref().unwrap_or("?"),
            outcome = ?result.outcome,
            detail = %result.detail,
            "directive handled"
        );
        let json = serde_json::to_vec(&result).expect("results serialize");
        uplink.report(json.into()).await;
        if let Err(e) = consumer.ack(directive.seq).await {
            tracing::warn!(consumer = consumer.name(), cause = %e, "directive not acked; it will come again");
            return false;
        }
    }
}
