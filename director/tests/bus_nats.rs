//! The NATS bus engine runs the shared bus suite against a real
//! `nats-server` started for the test (see `director::bus::nats_server`).

use std::sync::Arc;

use director::bus::nats_server::NatsServer;
use director::bus::{Bus, NatsBus, suite};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_bus_passes_the_bus_suite() {
    let Some(server) = NatsServer::start_for_test().await else {
        return;
    };
    let bus = NatsBus::connect(server.url()).await.expect("connect");
    suite::run(Arc::new(bus)).await;
}

/// A satellite that was down: directives published through one connection
/// reach a consumer that first appears on another, and its acks hold for
/// the connection after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directives_outlive_connections() {
    let Some(server) = NatsServer::start_for_test().await else {
        return;
    };
    let director = NatsBus::connect(server.url()).await.expect("connect");
    let mut seqs = Vec::new();
    for i in 0..3 {
        let payload = format!("d{i}").into();
        seqs.push(
            director
                .publish_directive("directive.node.n7", payload)
                .await
                .expect("publish"),
        );
    }

    let satellite = NatsBus::connect(server.url()).await.expect("connect");
    let mut consumer = satellite
        .directives("node-n7", "directive.node.n7")
        .await
        .expect("open");
    let first = consumer.next().await.expect("next");
    assert_eq!((first.seq, first.payload.as_ref()), (seqs[0], &b"d0"[..]));
    consumer.ack(first.seq).await.expect("ack");
    drop(consumer);
    drop(satellite);

    let satellite = NatsBus::connect(server.url()).await.expect("reconnect");
    let mut consumer = satellite
        .directives("node-n7", "directive.node.n7")
        .await
        .expect("open");
    for (i, &seq) in seqs.iter().enumerate().skip(1) {
        let directive = consumer.next().await.expect("next");
        assert_eq!(
            (directive.seq, directive.payload),
            (seq, format!("d{i}").into())
        );
    }
}
