//! The conformance suite every bus engine runs: `suite::run(bus)` once per
//! engine, from that engine's tests.
//!
//! Subjects and consumer names carry a fresh token, so it can run against a
//! shared server. Waits are bounded by timeouts, never fixed sleeps; it
//! panics (as a test does) on the first deviation.

mod directives;
mod events;
mod messages;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use super::{Bus, BusError};

/// How long to wait for something that should arrive.
pub(super) const ARRIVES: Duration = Duration::from_secs(10);
/// How long to watch for something that should not arrive.
pub(super) const QUIET: Duration = Duration::from_millis(300);

/// Runs the whole suite against `bus`. Needs a multi-threaded tokio runtime.
pub async fn run(bus: Arc<dyn Bus>) {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let ns = format!("t{}x{nanos}", std::process::id());

    rejects_bad_names(bus.as_ref()).await;
    messages::pub_sub(bus.as_ref(), &ns).await;
    messages::request_reply(&bus, &ns).await;
    directives::directives(bus.as_ref(), &ns).await;
    events::rejects_bad_events(bus.as_ref()).await;
    events::events(bus.as_ref(), &ns).await;
}

async fn rejects_bad_names(bus: &dyn Bus) {
    let bad_subject = |r: Result<(), BusError>| matches!(r, Err(BusError::InvalidSubject { .. }));
    assert!(
        bad_subject(bus.publish("a.*", Bytes::new()).await),
        "wildcard publish"
    );
    assert!(
        bad_subject(bus.publish("a..b", Bytes::new()).await),
        "empty token"
    );
    assert!(
        bad_subject(bus.subscribe("a.>.b").await.map(drop)),
        "'>' not last"
    );
    assert!(bad_subject(
        bus.publish_directive("event.x", Bytes::new())
            .await
            .map(drop)
    ));
    let bad_consumer = bus.directives("no spaces", "directive.>").await.map(drop);
    assert!(matches!(
        bad_consumer,
        Err(BusError::InvalidConsumer { .. })
    ));
}
