//! clientd against real Salt: two salt-masters and a salt-minion on
//! loopback, a fake director. clientd moves the minion from master A to
//! master B (B accepts its key and reaches it), back to A, and, with B
//! stopped, tries again and rolls back to A (A reaches it again); the
//! director hears `done`, `done`, `rolled-back`. On the way, clientd's key
//! fingerprint is checked against Salt's own.

mod support;

use std::time::{Duration, Instant};

use clientd::identity::{Identity, pem_finger_text};
use director::model::MoveOutcome;
use support::director::{FakeDirector, move_to};
use support::salt::{Master, Minion, require_salt, wait_until};

const MINION: &str = "client1.example.com";
const MOVE_TIMEOUT: Duration = Duration::from_secs(90);
const REACH_TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_between_real_masters_and_rolls_back_when_the_new_one_is_down() {
    let Some(bin) = require_salt() else { return };
    let t0 = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let a = Master::new(&bin, &tmp.path().join("master-a"));
    let b = Master::new(&bin, &tmp.path().join("master-b"));
    let minion = Minion::new(&bin, &tmp.path().join("minion"), MINION, &a);
    a.start().await;
    b.start().await;
    minion.start().await;
    wait_until("master A to reach the minion", REACH_TIMEOUT, || {
        a.pings(MINION)
    })
    .await;
    eprintln!("setup: {:?}", t0.elapsed());

    let director = FakeDirector::start().await;
    let config = support::config(
        tmp.path(),
        &director.url,
        &minion.config_dir,
        minion.restart_command(),
        minion.check_command(),
    );

    // Identity: the id from the minion's config, Salt's fingerprints.
    let identity = Identity::load(&config).unwrap();
    assert_eq!(identity.minion_id, MINION);
    assert_eq!(
        identity.fingerprint,
        minion.key_finger().await,
        "vs salt-call key.finger"
    );
    assert_eq!(
        pem_finger_text(&a.stored_key(MINION)),
        a.key_finger(MINION).await,
        "vs salt-key -f (Salt 3008 hashes the whole PEM there)"
    );

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let agent = tokio::spawn(clientd::run(config, async {
        let _ = stopped.await;
    }));
    let checkin = &director.checkins(1, Duration::from_secs(10)).await[0];
    assert_eq!(checkin.fingerprint, identity.fingerprint);
    assert_eq!(checkin.zone.as_deref(), Some("test"));

    // 1. A -> B.
    let t = Instant::now();
    director.direct(move_to(1, MINION, &b.address()));
    let report = director.report(1, MOVE_TIMEOUT).await;
    assert_eq!(report.outcome, MoveOutcome::Done);
    assert_eq!(report.minion_id, MINION);
    assert!(
        b.accepted().await.contains(&MINION.to_owned()),
        "B lists the key as accepted"
    );
    wait_until("master B to reach the minion", REACH_TIMEOUT, || {
        b.pings(MINION)
    })
    .await;
    let dropin = minion.config_dir.join("minion.d/cluster-master.conf");
    let text = std::fs::read_to_string(&dropin).unwrap();
    assert!(
        text.contains(&format!("master: \"{}\"", b.address())),
        "{text}"
    );
    eprintln!("move A -> B done: {:?}", t.elapsed());

    // 2. B -> A.
    let t = Instant::now();
    director.direct(move_to(2, MINION, &a.address()));
    assert_eq!(
        director.report(2, MOVE_TIMEOUT).await.outcome,
        MoveOutcome::Done
    );
    wait_until("master A to reach the minion again", REACH_TIMEOUT, || {
        a.pings(MINION)
    })
    .await;
    let previous = std::fs::read_to_string(dropin.with_extension("conf.previous")).unwrap();
    assert!(previous.contains(&b.address()), "{previous}");
    eprintln!("move B -> A done: {:?}", t.elapsed());

    // 3. B is down: A -> B rolls back to A.
    let t = Instant::now();
    tokio::task::block_in_place(|| b.stop());
    director.direct(move_to(3, MINION, &b.address()));
    let report = director.report(3, MOVE_TIMEOUT).await;
    let MoveOutcome::RolledBack { error } = report.outcome else {
        panic!("move to a stopped master reported {:?}", report.outcome);
    };
    assert!(
        error.contains(&format!("minion not connected to master {}", b.address())),
        "{error}"
    );
    assert!(
        error.ends_with(&format!("rolled back to master {}", a.address())),
        "{error}"
    );
    let text = std::fs::read_to_string(&dropin).unwrap();
    assert!(
        text.contains(&a.address()),
        "the drop-in names A again: {text}"
    );
    wait_until(
        "master A to reach the minion after the rollback",
        REACH_TIMEOUT,
        || a.pings(MINION),
    )
    .await;
    eprintln!("move A -> stopped B rolled back: {:?}", t.elapsed());

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), agent)
        .await
        .expect("clientd stops")
        .unwrap()
        .unwrap();
    eprintln!("total: {:?}", t0.elapsed());
}
