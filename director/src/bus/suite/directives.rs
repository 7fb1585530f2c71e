//! The durable directive stream: catch-up after absence, order, acks that
//! hold across restarts, filters.

use super::{ARRIVES, QUIET};
use crate::bus::{Bus, BusError, DirectiveConsumer};

async fn next_directive(consumer: &mut dyn DirectiveConsumer) -> (u64, String) {
    let directive = tokio::time::timeout(ARRIVES, consumer.next())
        .await
        .unwrap_or_else(|_| panic!("consumer {}: nothing within {ARRIVES:?}", consumer.name()))
        .expect("next directive");
    let payload = String::from_utf8(directive.payload.to_vec()).expect("utf-8 payload");
    (directive.seq, payload)
}

async fn assert_quiet(consumer: &mut dyn DirectiveConsumer, why: &str) {
    if let Ok(extra) = tokio::time::timeout(QUIET, consumer.next()).await {
        panic!("{why}: unexpected {extra:?}");
    }
}

pub(super) async fn directives(bus: &dyn Bus, ns: &str) {
    let (n1, n2) = (
        format!("directive.{ns}.node.n1"),
        format!("directive.{ns}.node.n2"),
    );
    let mut published = Vec::new();
    for i in 0..10 {
        let seq = bus
            .publish_directive(&n1, format!("d{i}").into())
            .await
            .expect("publish");
        published.push(seq);
        if i % 3 == 0 {
            bus.publish_directive(&n2, format!("other{i}").into())
                .await
                .expect("publish");
        }
    }
    assert!(
        published.windows(2).all(|w| w[0] < w[1]),
        "increasing sequences"
    );

    // The consumer did not exist while those were published.
    let name = format!("{ns}-n1");
    let mut consumer = bus.directives(&name, &n1).await.expect("open consumer");
    let mut received = Vec::new();
    for i in 0..10 {
        let (seq, payload) = next_directive(consumer.as_mut()).await;
        assert_eq!(payload, format!("d{i}"), "in order, only its own subject");
        received.push(seq);
    }
    assert_eq!(received, published, "sequences as published");
    for &seq in &received[..5] {
        consumer.ack(seq).await.expect("ack");
    }
    let twice = consumer.ack(received[0]).await;
    assert!(
        matches!(twice, Err(BusError::UnknownDirective { .. })),
        "acked twice"
    );
    let unknown = consumer.ack(received[9] + 1000).await;
    assert!(
        matches!(unknown, Err(BusError::UnknownDirective { .. })),
        "never received"
    );

    // Restart: the acked five stay done, the other five come back in order.
    drop(consumer);
    let mut consumer = bus.directives(&name, &n1).await.expect("reopen consumer");
    for (i, &expected) in received.iter().enumerate().skip(5) {
        let (seq, payload) = next_directive(consumer.as_mut()).await;
        assert_eq!(
            (seq, payload),
            (expected, format!("d{i}")),
            "unacked directive again"
        );
        consumer.ack(seq).await.expect("ack");
    }
    assert_quiet(consumer.as_mut(), "after every directive was acked").await;

    // A directive published while the consumer waits (its wait was just
    // cancelled by the timeout above: cancelling loses nothing).
    let live = bus
        .publish_directive(&n1, "live".into())
        .await
        .expect("publish");
    assert_eq!(
        next_directive(consumer.as_mut()).await,
        (live, "live".to_owned())
    );
    consumer.ack(live).await.expect("ack");

    // Restart while idle, publish while it is away: nothing old, the new one.
    assert_quiet(consumer.as_mut(), "idle").await;
    drop(consumer);
    let away = bus
        .publish_directive(&n1, "away".into())
        .await
        .expect("publish");
    let mut consumer = bus.directives(&name, &n1).await.expect("reopen consumer");
    assert_eq!(
        next_directive(consumer.as_mut()).await,
        (away, "away".to_owned())
    );
    consumer.ack(away).await.expect("ack");
    drop(consumer);

    let mut other = bus
        .directives(&format!("{ns}-n2"), &n2)
        .await
        .expect("open consumer");
    for i in [0, 3, 6, 9] {
        assert_eq!(next_directive(other.as_mut()).await.1, format!("other{i}"));
    }
    assert_quiet(other.as_mut(), "filter n2").await;
}
