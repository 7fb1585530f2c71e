//! Events and requests: wildcards, no cross-talk, replies and timeouts.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;

use super::{ARRIVES, QUIET};
use crate::bus::{Bus, BusError, Subscription};

async fn next_payload(sub: &mut Subscription, what: &str) -> String {
    let message = tokio::time::timeout(ARRIVES, sub.next())
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing within {ARRIVES:?}"))
        .unwrap_or_else(|| panic!("{what}: subscription ended"));
    String::from_utf8(message.payload.to_vec()).expect("utf-8 payload")
}

/// Collects payloads until `end`.
async fn payloads_until_end(sub: &mut Subscription, what: &str) -> Vec<String> {
    let mut got = Vec::new();
    loop {
        let payload = next_payload(sub, what).await;
        if payload == "end" {
            return got;
        }
        got.push(payload);
    }
}

pub(super) async fn pub_sub(bus: &dyn Bus, ns: &str) {
    let mut exact = bus
        .subscribe(&format!("{ns}.ev.a"))
        .await
        .expect("subscribe");
    let mut star = bus
        .subscribe(&format!("{ns}.ev.*"))
        .await
        .expect("subscribe");
    let mut tail = bus
        .subscribe(&format!("{ns}.ev.>"))
        .await
        .expect("subscribe");
    let mut other = bus
        .subscribe(&format!("{ns}.other.>"))
        .await
        .expect("subscribe");
    let dropped = bus
        .subscribe(&format!("{ns}.ev.>"))
        .await
        .expect("subscribe");
    drop(dropped);

    for (subject, payload) in [
        ("ev.a", "1"),
        ("ev.a.b", "2"),
        ("ev", "3"),
        ("other.x", "4"),
        ("other.end", "end"),
        ("ev.a", "end"),
    ] {
        let subject = format!("{ns}.{subject}");
        bus.publish(&subject, Bytes::from(payload))
            .await
            .expect("publish");
    }
    assert_eq!(payloads_until_end(&mut exact, "exact").await, ["1"]);
    assert_eq!(
        payloads_until_end(&mut star, "*").await,
        ["1"],
        "'*' is one token"
    );
    assert_eq!(
        payloads_until_end(&mut tail, ">").await,
        ["1", "2"],
        "'>' is 1+ tokens"
    );
    assert_eq!(
        payloads_until_end(&mut other, "other").await,
        ["4"],
        "no cross-talk"
    );

    bus.publish(&format!("{ns}.ev.b"), Bytes::from("x"))
        .await
        .expect("publish");
    let message = tokio::time::timeout(ARRIVES, star.next())
        .await
        .expect("arrives");
    let message = message.expect("open");
    assert_eq!(message.subject, format!("{ns}.ev.b"));
    assert_eq!(message.reply, None, "an event is not a request");
    let not_a_request = bus.respond(&message, Bytes::new()).await;
    assert!(matches!(not_a_request, Err(BusError::NotARequest { .. })));
}

pub(super) async fn request_reply(bus: &Arc<dyn Bus>, ns: &str) {
    let mut requests = bus
        .subscribe(&format!("{ns}.svc.echo"))
        .await
        .expect("subscribe");
    let responder = Arc::clone(bus);
    let echo = tokio::spawn(async move {
        while let Some(request) = requests.next().await {
            let mut answer = b"echo:".to_vec();
            answer.extend_from_slice(&request.payload);
            responder
                .respond(&request, answer.into())
                .await
                .expect("respond");
        }
    });

    let mut calls = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (bus, subject) = (Arc::clone(bus), format!("{ns}.svc.echo"));
        calls.spawn(async move {
            let payload = Bytes::from(format!("ping{i}"));
            let reply = bus
                .request(&subject, payload, ARRIVES)
                .await
                .expect("request");
            assert_eq!(
                reply,
                Bytes::from(format!("echo:ping{i}")),
                "each caller its own reply"
            );
        });
    }
    while let Some(call) = calls.join_next().await {
        call.expect("request task");
    }

    let started = Instant::now();
    let nobody = bus
        .request(&format!("{ns}.svc.none"), Bytes::new(), QUIET)
        .await;
    assert!(
        matches!(
            nobody,
            Err(BusError::NoResponders { .. } | BusError::Timeout { .. })
        ),
        "nobody listening: {nobody:?}"
    );
    assert!(started.elapsed() < ARRIVES, "gave up in time");

    let _silent = bus
        .subscribe(&format!("{ns}.svc.silent"))
        .await
        .expect("subscribe");
    let started = Instant::now();
    let silent = bus
        .request(&format!("{ns}.svc.silent"), Bytes::new(), QUIET)
        .await;
    assert!(
        matches!(silent, Err(BusError::Timeout { .. })),
        "silent responder: {silent:?}"
    );
    assert!(started.elapsed() >= QUIET, "waited the whole timeout");
    assert!(started.elapsed() < ARRIVES, "and not much longer");
    echo.abort();
}
