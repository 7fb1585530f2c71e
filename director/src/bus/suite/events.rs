//! The durable event stream: acknowledged publishes, de-duplication by
//! idempotency key, catch-up after absence, acks that hold, filters, and
//! plain publishes to event subjects landing in the stream.

use bytes::Bytes;

use super::{ARRIVES, QUIET};
use crate::bus::{Bus, BusError, DirectiveConsumer};

async fn next_event(consumer: &mut dyn DirectiveConsumer) -> (u64, String, String) {
    let event = tokio::time::timeout(ARRIVES, consumer.next())
        .await
        .unwrap_or_else(|_| panic!("consumer {}: nothing within {ARRIVES:?}", consumer.name()))
        .expect("next event");
    let payload = String::from_utf8(event.payload.to_vec()).expect("utf-8 payload");
    (event.seq, event.subject, payload)
}

async fn assert_quiet(consumer: &mut dyn DirectiveConsumer, why: &str) {
    if let Ok(extra) = tokio::time::timeout(QUIET, consumer.next()).await {
        panic!("{why}: unexpected {extra:?}");
    }
}

pub(super) async fn events(bus: &dyn Bus, ns: &str) {
    let (a_event, a_change, b_event) = (
        format!("node.{ns}-a.event"),
        format!("node.{ns}-a.change"),
        format!("node.{ns}-b.event"),
    );
    let mut stored = Vec::new();
    for i in 0..6 {
        let key = format!("{ns}-a:{i}");
        let ack = bus
            .publish_event(&a_event, format!("e{i}").into(), &key)
            .await
            .expect("publish event");
        assert!(!ack.duplicate, "first publish of {key}");
        // A retry of the same event (the publisher crashed before it
        // recorded the ack): acked, not stored again.
        let again = bus
            .publish_event(&a_event, format!("e{i}").into(), &key)
            .await
            .expect("publish event again");
        assert!(again.duplicate, "second publish of {key}");
        assert_eq!(again.seq, ack.seq, "a duplicate names the stored copy");
        stored.push(ack.seq);
    }
    assert!(
        stored.windows(2).all(|w| w[0] < w[1]),
        "increasing sequences"
    );
    bus.publish_event(&a_change, "c0".into(), &format!("{ns}-a:c0"))
        .await
        .expect("publish change");
    bus.publish_event(&b_event, "b0".into(), &format!("{ns}-b:0"))
        .await
        .expect("publish other node");
    // A plain publish to an event subject is stored too (no de-duplication).
    bus.publish(&a_event, Bytes::from("plain"))
        .await
        .expect("plain publish");

    // The consumer did not exist while those were published.
    let name = format!("{ns}-events");
    let filter = format!("node.{ns}-a.event");
    let mut consumer = bus.events(&name, &filter).await.expect("open consumer");
    let mut received = Vec::new();
    for i in 0..6 {
        let (seq, subject, payload) = next_event(consumer.as_mut()).await;
        assert_eq!(
            (subject.as_str(), payload),
            (a_event.as_str(), format!("e{i}")),
            "in order, once each, only its filter"
        );
        received.push(seq);
    }
    assert_eq!(received, stored, "sequences as acked to the publisher");
    let (plain, _, payload) = next_event(consumer.as_mut()).await;
    assert_eq!(payload, "plain", "the plain publish is in the stream");
    // No wait for more here: a pull left pending when a JetStream consumer
    // is dropped may swallow a handed-back event until the ack wait.
    for &seq in &received[..3] {
        consumer.ack(seq).await.expect("ack");
    }
    let twice = consumer.ack(received[0]).await;
    assert!(
        matches!(twice, Err(BusError::UnknownDirective { .. })),
        "acked twice"
    );

    // Restart: the acked three stay done, the rest come back in order.
    drop(consumer);
    let mut consumer = bus.events(&name, &filter).await.expect("reopen consumer");
    for &expected in received[3..].iter().chain([&plain]) {
        let (seq, _, _) = next_event(consumer.as_mut()).await;
        assert_eq!(seq, expected, "unacked event again, in order");
        consumer.ack(seq).await.expect("ack");
    }
    assert_quiet(consumer.as_mut(), "after every event was acked").await;
    drop(consumer);

    // A wildcard over every node's events, from the start: its own state.
    let mut all = bus
        .events(&format!("{ns}-all"), "node.*.event")
        .await
        .expect("open wildcard consumer");
    let mut mine = Vec::new();
    while mine.len() < 8 {
        let (_, subject, payload) = next_event(all.as_mut()).await;
        if subject.starts_with(&format!("node.{ns}-")) {
            mine.push(payload);
        }
    }
    assert_eq!(mine[..6], ["e0", "e1", "e2", "e3", "e4", "e5"]);
    assert_eq!(mine[6..], ["b0", "plain"], "events only, changes apart");

    let mut changes = bus
        .events(&format!("{ns}-changes"), &a_change)
        .await
        .expect("open change consumer");
    assert_eq!(next_event(changes.as_mut()).await.2, "c0");
    assert_quiet(changes.as_mut(), "one change").await;
}

pub(super) async fn rejects_bad_events(bus: &dyn Bus) {
    let bad_subject = |r: Result<(), BusError>| matches!(r, Err(BusError::InvalidSubject { .. }));
    assert!(bad_subject(
        bus.publish_event("node.n1.heartbeat", Bytes::new(), "k")
            .await
            .map(drop)
    ));
    assert!(bad_subject(
        bus.publish_event("directive.node.n1", Bytes::new(), "k")
            .await
            .map(drop)
    ));
    assert!(bad_subject(bus.events("c", "node.>").await.map(drop)));
    let bad_key = bus
        .publish_event("node.n1.event", Bytes::new(), "has space")
        .await;
    assert!(matches!(
        bad_key,
        Err(BusError::InvalidIdempotencyKey { .. })
    ));
    let bad_consumer = bus.events("no spaces", "node.*.event").await.map(drop);
    assert!(matches!(
        bad_consumer,
        Err(BusError::InvalidConsumer { .. })
    ));
}
