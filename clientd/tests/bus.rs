//! Directives over the bus (a real nats-server with JetStream): a move
//! published on `directive.client.<token>` is carried out and reported
//! without any check-in listing it; a directive for another minion sharing
//! the subject token is skipped.

mod support;

use std::time::Duration;

use bytes::Bytes;
use clientd::config::BusConfig;
use director::bus::nats_server::NatsServer;
use director::bus::{Bus, NatsBus};
use director::model::MoveOutcome;
use support::director::{FakeDirector, move_to};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_pushed_over_the_bus_are_carried_out_and_reported() {
    let Some(nats) = NatsServer::start_for_test().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let director = FakeDirector::start().await;
    let salt = support::fake_minion(dir.path(), "m1.example.com");
    let mut config = support::config(
        dir.path(),
        &director.url,
        &salt,
        vec!["true".into()],
        vec!["true".into()],
    );
    config.salt.forget_master_key = false;
    // Check-ins are rare here: the move must come over the bus.
    config.director.checkin_interval_secs = 3600.0;
    config.bus = Some(BusConfig {
        url: nats.url().to_owned(),
        retry_secs: 0.2,
    });

    let bus = NatsBus::connect(nats.url()).await.unwrap();
    let subject = clientd::directives::subject("m1.example.com");
    assert_eq!(subject, "directive.client.m1_example_com");
    let publish = |directive: director::cluster::MoveDirective| {
        let payload = serde_json::json!({ "kind": "move", "move": directive });
        let bus = bus.clone();
        let subject = subject.clone();
        async move {
            bus.publish_directive(&subject, Bytes::from(serde_json::to_vec(&payload).unwrap()))
                .await
                .unwrap()
        }
    };
    // Published before clientd runs: the durable consumer catches up.
    publish(move_to(5, "m1.example.com", "b.example.com")).await;

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let agent = tokio::spawn(clientd::run(config, async {
        let _ = stopped.await;
    }));
    assert_eq!(
        director.report(5, Duration::from_secs(20)).await.outcome,
        MoveOutcome::Done
    );
    // Same token, other minion: skipped. Then one more for this minion.
    publish(move_to(6, "m1_example_com", "c.example.com")).await;
    publish(move_to(7, "m1.example.com", "c.example.com")).await;
    assert_eq!(
        director.report(7, Duration::from_secs(20)).await.outcome,
        MoveOutcome::Done
    );
    let reported: Vec<u64> = director.seen().reports.iter().map(|(id, _)| *id).collect();
    assert_eq!(reported, [5, 7]);
    let dropin = std::fs::read_to_string(salt.join("minion.d/cluster-master.conf")).unwrap();
    assert!(dropin.contains("master: \"c.example.com\""), "{dropin}");
    assert_eq!(
        director.seen().checkins.len(),
        1,
        "only the check-in at start"
    );

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), agent)
        .await
        .expect("clientd stops")
        .unwrap()
        .unwrap();
}
