//! Change capture end to end: a real PostgreSQL (Debian's, initdb in a temp
//! directory), a real nats-server with JetStream, and nodectl as a child
//! process, killed with SIGKILL while rows are being inserted. Every row's
//! event must arrive on the EVENTS stream exactly once.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use director::bus::nats_server::NatsServer;
use director::bus::{Bus, LocalBus, NatsBus};
use director::cluster::{ClusterConfig, Director};
use director::identity::{IdentityMap, SeenContent, SeenPackage, SharedRecord};
use director::model::{
    ChannelIdentity, ConfigChannelIdentity, ContentFilterIdentity, ErratumIdentity, ObjectKind,
    PackageIdentity, PackageName, RepositoryIdentity, SourcePackageIdentity,
};
use director::store::Store;
use nodectl::capture::{self, Database, event, outbox};
use nodectl::config::DatabaseConfig;
use nodectl::shutdown;
use nodectl::testkit::wait_until;
use nodectl::uplink::Uplink;

use common::{Nodectl, database, drain_events, register_system, register_systems, unpublished};

const ROWS: usize = 600;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_nodectl_mid_stream_loses_and_duplicates_nothing() {
    let Some((pg, db)) = database().await else {
        return;
    };
    let Some(nats) = NatsServer::start_for_test().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("nodectl.toml");
    std::fs::write(
        &config,
        format!(
            "node_id = \"n1\"\nstate_dir = \"{state}\"\n\
             [director]\nbus_url = \"{nats}\"\n\
             [heartbeat]\ninterval_secs = 1\n\
             [database]\nurl = \"{pg}\"\npoll_secs = 0.5\nbatch = 100\n\
             [states]\nroots = []\n",
            state = dir.path().join("state").display(),
            nats = nats.url(),
            pg = pg.url(),
        ),
    )
    .expect("config");
    let log = dir.path().join("nodectl.log");
    let bus = NatsBus::connect(nats.url()).await.expect("bus");
    let js = async_nats::jetstream::new(async_nats::connect(nats.url()).await.expect("nats"));
    let stored = || {
        let js = js.clone();
        async move {
            let mut stream = js.get_stream("EVENTS").await.expect("EVENTS stream");
            stream.info().await.map(|i| i.state.messages).unwrap_or(0)
        }
    };

    let mut nodectl = Nodectl::start(&config, &log);
    let url = pg.url();
    let inserter = tokio::spawn(async move {
        let (mut client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        let mut ids = Vec::with_capacity(ROWS);
        // Bulk registrations of 20 (a batch to publish before it is
        // marked, so a kill can land between the acks and the mark),
        // paced so the kills below land while rows keep coming.
        for start in (0..ROWS).step_by(20) {
            ids.extend(register_systems(&mut client, start..start + 20).await);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        ids
    });

    // Twice: wait until part of the stream is out, then SIGKILL nodectl
    // and start it again while the inserts go on.
    for threshold in [ROWS as u64 / 5, ROWS as u64 / 2] {
        let reached = wait_until(Duration::from_secs(60), || {
            let stored = stored();
            async move { stored.await >= threshold }
        })
        .await;
        assert!(
            reached,
            "{threshold} events never stored; log:\n{}",
            nodectl.log_text()
        );
        nodectl.kill();
        nodectl = Nodectl::start(&config, &log);
    }
    let ids = inserter.await.expect("inserter");
    let drained = wait_until(Duration::from_secs(60), || async {
        unpublished(&db).await == 0
    })
    .await;
    assert!(drained, "outbox not drained; log:\n{}", nodectl.log_text());
    let status = nodectl.terminate();
    assert!(status.success(), "clean exit on SIGTERM: {status}");

    let events = drain_events(&bus, "check-n1", "node.n1.event", Duration::from_secs(2)).await;
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    for e in &events {
        assert_eq!(e["event"], "system-registered", "{e}");
        assert_eq!(e["node"], "n1");
        *seen
            .entry(e["local_id"].as_i64().expect("local_id"))
            .or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "published twice: {twice:?}");
    let missing: Vec<_> = ids.iter().filter(|id| !seen.contains_key(id)).collect();
    assert!(missing.is_empty(), "lost: {missing:?}");
    assert_eq!(events.len(), ROWS);
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    eprintln!(
        "{} events, {} nodectl starts; publishes the stream dropped as duplicates: {}",
        events.len(),
        log.matches("change capture listening").count(),
        log.lines()
            .filter(|l| l.contains("outbox events published"))
            .filter_map(|l| l
                .split("duplicates=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse::<u64>()
                .ok())
            .sum::<u64>()
    );
}

/// A crash after the bus acked but before the rows were marked: on restart
/// the same keys go out again and the stream keeps one copy of each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn republished_rows_are_dropped_by_their_idempotency_key() {
    let Some((pg, mut db)) = database().await else {
        return;
    };
    let Some(nats) = NatsServer::start_for_test().await else {
        return;
    };
    outbox::install(&db).await.expect("install capture");
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(register_system(&mut db, n).await);
    }
    let bus: Arc<dyn Bus> = Arc::new(NatsBus::connect(nats.url()).await.expect("bus"));
    let uplink = Arc::new(Uplink::new("n1", Some(bus.clone()), None));
    // The crashed run: three published, none marked.
    for row in &outbox::pending(&db, 3).await.expect("pending") {
        let out = event::outgoing("n1", uplink.subjects(), row);
        let ack = uplink.deliver(&out).await.expect("deliver");
        assert!(matches!(
            ack,
            nodectl::uplink::Delivery::Stored {
                duplicate: false,
                ..
            }
        ));
    }
    assert_eq!(unpublished(&db).await, 5);

    let (trigger, run) = start_capture(&pg, uplink).await;
    assert!(
        wait_until(Duration::from_secs(20), || async {
            unpublished(&db).await == 0
        })
        .await
    );
    trigger.fire();
    run.await.expect("capture stops");

    let events = drain_events(
        bus.as_ref(),
        "dedup",
        "node.n1.event",
        Duration::from_secs(1),
    )
    .await;
    let got: Vec<i64> = events
        .iter()
        .map(|e| e["local_id"].as_i64().expect("id"))
        .collect();
    assert_eq!(got, ids, "each once, in order");
}

/// Shared data changes go to `node.<id>.change`; a registration whose
/// machine id is set later in its transaction is one event with the final
/// value; one deleted again before commit is none; passwords stay home.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_captured_table_yields_its_events() {
    let Some((pg, mut db)) = database().await else {
        return;
    };
    let bus: Arc<dyn Bus> = Arc::new(LocalBus::new());
    let uplink = Arc::new(Uplink::new("n1", Some(bus.clone()), None));
    let (trigger, run) = start_capture(&pg, uplink).await;

    db.batch_execute(
        "INSERT INTO web_customer (id, name) VALUES (2, 'Org 2');
         INSERT INTO web_contact (id, org_id, login, password) VALUES (1, 2, 'admin', '$6$secret-hash');
         UPDATE web_contact SET login = 'root' WHERE id = 1;
         UPDATE web_contact SET login = 'root' WHERE id = 1;
         INSERT INTO rhnChannel (label, name, org_id) VALUES ('sles15-pool', 'SLES 15 Pool', 2);
         INSERT INTO rhnRegToken (id, org_id, note, usage_limit) VALUES (5, 2, 'web servers', 10);
         INSERT INTO rhnActivationKey (token, reg_token_id) VALUES ('1-web', 5);
         DELETE FROM rhnChannel WHERE label = 'sles15-pool';",
    )
    .await
    .expect("shared data");
    let tx = db.transaction().await.expect("begin");
    tx.batch_execute(
        "INSERT INTO rhnServer (id, org_id, digital_server_id, name) VALUES (1000010042, 1, 'ID-42', 'late');
         INSERT INTO suseMinionInfo (server_id, minion_id) VALUES (1000010042, 'late.example.test');
         UPDATE rhnServer SET machine_id = 'final-machine-id' WHERE id = 1000010042;
         INSERT INTO rhnServer (id, org_id, digital_server_id, name) VALUES (1000010043, 1, 'ID-43', 'gone');
         INSERT INTO suseMinionInfo (server_id, minion_id) VALUES (1000010043, 'gone.example.test');
         DELETE FROM rhnServer WHERE id = 1000010043;",
    )
    .await
    .expect("systems");
    tx.commit().await.expect("commit");
    db.batch_execute("DELETE FROM rhnServer WHERE id = 1000010042")
        .await
        .expect("delete");
    assert!(
        wait_until(Duration::from_secs(20), || async {
            unpublished(&db).await == 0
        })
        .await
    );
    trigger.fire();
    run.await.expect("capture stops");

    let events = drain_events(
        bus.as_ref(),
        "t-events",
        "node.n1.event",
        Duration::from_millis(300),
    )
    .await;
    let summary: Vec<String> = events
        .iter()
        .map(|e| format!("{} {} {}", e["event"], e["local_id"], e["machine_id"]))
        .collect();
    assert_eq!(
        summary,
        [
            // The channel deleted: content the node numbers on its own.
            "\"content-deleted\" 101 null",
            "\"system-deleted\" 1000010043 null",
            "\"system-registered\" 1000010042 \"final-machine-id\"",
            "\"system-deleted\" 1000010042 null",
        ]
    );
    let changes = drain_events(
        bus.as_ref(),
        "t-changes",
        "node.n1.change",
        Duration::from_millis(300),
    )
    .await;
    let topics: Vec<&str> = changes
        .iter()
        .map(|c| c["topic"].as_str().expect("topic"))
        .collect();
    assert_eq!(
        topics,
        [
            "org.insert",
            "user.insert",
            "user.update",
            "channel.insert",
            "activation-key.insert",
            "activation-key-token.insert",
            "channel.delete",
        ],
        "the no-op update is not an event"
    );
    let text = serde_json::to_string(&changes).expect("json");
    assert!(
        !text.contains("secret-hash"),
        "password hashes stay home: {text}"
    );
    assert_eq!(changes[3]["payload"]["row"]["label"], "sles15-pool");
    assert_eq!(changes[5]["payload"]["row"]["token"], "1-web");
}

/// Objects a node numbers itself that the cluster gave ids to leave the
/// director's identity map when their rows go, whatever deletes them: a
/// statement, a cascade from their system, minion or user, or Uyuni's way
/// of deleting a system (its snapshots and pins first). Nodectl's capture
/// feeds a real director over the bus.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_objects_leave_the_directors_identity_map() {
    let Some((pg, mut db)) = database().await else {
        return;
    };
    let system = register_system(&mut db, 1).await;
    // One row per kind; the ids are the tables' own.
    let rows: Vec<(ObjectKind, i64)> = {
        let mut rows = Vec::new();
        for (kind, insert) in [
            (
                ObjectKind::Action,
                "INSERT INTO rhnAction (org_id, name) VALUES (1, 'Package Install') RETURNING id::bigint",
            ),
            (
                ObjectKind::Schedule,
                "INSERT INTO suseRecurringAction (name, minion_id) VALUES ('nightly', $1::bigint) RETURNING id::bigint",
            ),
            (
                ObjectKind::Image,
                "INSERT INTO suseImageInfo (name, org_id) VALUES ('pos-image', 1) RETURNING id::bigint",
            ),
            (
                ObjectKind::Snapshot,
                "INSERT INTO rhnSnapshot (org_id, server_id, reason) VALUES (1, $1::bigint, 'before update') RETURNING id::bigint",
            ),
            (
                ObjectKind::AnsiblePath,
                "INSERT INTO suseAnsiblePath (server_id, path, type) VALUES ($1::bigint, '/srv/playbooks', 'playbook') RETURNING id::bigint",
            ),
            (
                ObjectKind::PackageProfile,
                "INSERT INTO rhnServerProfile (org_id, name) VALUES (1, 'golden') RETURNING id::bigint",
            ),
            (
                ObjectKind::PinnedSubscription,
                "INSERT INTO susePinnedSubscription (server_id, orderitem_id) VALUES ($1::bigint, 77) RETURNING id::bigint",
            ),
            (
                ObjectKind::XccdfScan,
                "INSERT INTO rhnXccdfTestresult (server_id, identifier) VALUES ($1::bigint, 'xccdf_org.open-scap_testresult_default') RETURNING id::bigint",
            ),
        ] {
            let row = if insert.contains("$1") {
                db.query_one(insert, &[&system]).await
            } else {
                db.query_one(insert, &[]).await
            };
            rows.push((kind, row.expect(insert).get::<_, i64>(0)));
        }
        db.batch_execute(
            "INSERT INTO web_contact (id, org_id, login) VALUES (5, 1, 'admin');
             INSERT INTO suseNotificationMessage (id, type) VALUES (1, 'OnboardingFailed');
             INSERT INTO suseUserNotification (id, user_id, message_id) VALUES (3, 5, 1);",
        )
        .await
        .expect("notification");
        rows.push((ObjectKind::Notification, 3));
        rows
    };

    let (director, bus) = RunningDirector::start().await;
    // The gateway named each object, and one object on another node with
    // the same local id, which stays.
    let ids = director.director.identity();
    let mut named = Vec::new();
    for &(kind, local) in &rows {
        let local = i32::try_from(local).expect("local id");
        named.push((
            kind,
            ids.object_for_local(kind, "n1", local).await.expect("id"),
        ));
    }
    let elsewhere = ids
        .object_for_local(
            ObjectKind::Image,
            "n2",
            i32::try_from(rows[2].1).expect("id"),
        )
        .await
        .expect("id");

    let uplink = Arc::new(Uplink::new("n1", Some(bus.clone()), None));
    let (trigger, run) = start_capture(&pg, uplink).await;
    // Plain deletes, a cascade from the notification's message, and the
    // system's deletion the way Uyuni does it (its snapshots and pins
    // first; the minion's schedule and Ansible path go by cascade).
    let tx = db.transaction().await.expect("begin");
    tx.batch_execute(&format!(
        "DELETE FROM rhnAction;
         DELETE FROM suseImageInfo;
         DELETE FROM rhnServerProfile;
         DELETE FROM suseNotificationMessage;
         DELETE FROM rhnSnapshot WHERE server_id = {system};
         DELETE FROM susePinnedSubscription WHERE server_id = {system};
         DELETE FROM rhnServer WHERE id = {system};"
    ))
    .await
    .expect("deletes");
    tx.commit().await.expect("commit");

    let still_mapped = || async {
        let mut left = Vec::new();
        for &(kind, id) in &named {
            if ids.object(kind, id).await.expect("read").is_some() {
                left.push(format!("{kind:?} {id}"));
            }
        }
        left
    };
    wait_until(Duration::from_secs(20), || async {
        still_mapped().await.is_empty()
    })
    .await;
    let left = still_mapped().await;
    assert!(
        left.is_empty(),
        "still mapped after their rows went: {left:?}"
    );
    assert!(
        ids.object(ObjectKind::Image, elsewhere)
            .await
            .expect("read")
            .is_some(),
        "the same local id on another node is another object"
    );
    trigger.fire();
    run.await.expect("capture stops");
    director.stop().await;
}

/// Binds `node`'s `local_id` to the content named `name` in the identity
/// map, as a gateway that saw it would.
async fn bind<R: SharedRecord<Content = str>>(
    ids: &IdentityMap,
    node: &str,
    local_id: i32,
    name: &str,
) {
    let seen = [SeenContent {
        local_id,
        content: name,
    }];
    ids.content_for_locals::<R>(node, &seen)
        .await
        .expect("bind");
}

/// `node`'s id for the content of cluster id `id`, which the map keeps.
async fn part_on<R: SharedRecord>(ids: &IdentityMap, id: i32, node: &str) -> Option<i32> {
    ids.content::<R>(id)
        .await
        .expect("read")
        .expect("kept")
        .local_on(node)
}

/// Shared content the node deletes (a package, erratum, software channel,
/// repository, content filter, configuration channel or source package:
/// removed, or an
/// orphan cleaned up) loses the node's part in the director's identity
/// map; the cluster id stays, with the parts of other nodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_shared_content_loses_its_node_part() {
    let Some((pg, db)) = database().await else {
        return;
    };
    db.batch_execute("INSERT INTO web_customer (id, name) VALUES (7, 'Org 7')")
        .await
        .expect("org");
    let mut local = Vec::new();
    for insert in [
        "INSERT INTO rhnPackage (org_id) VALUES (NULL) RETURNING id::bigint",
        "INSERT INTO rhnPackage (org_id) VALUES (NULL) RETURNING id::bigint",
        "INSERT INTO rhnErrata (advisory, advisory_name) VALUES ('SUSE-SU-2025:0001-1', 'SUSE-SU-2025:0001-1') RETURNING id::bigint",
        "INSERT INTO rhnChannel (label, name) VALUES ('gone-x86_64', 'Gone') RETURNING id::bigint",
        "INSERT INTO rhnContentSource (org_id, label, source_url) VALUES (NULL, 'gone-mirror', 'https://mirror.example.com/gone') RETURNING id::bigint",
        "INSERT INTO suseContentFilter (org_id, name) VALUES (7, 'gone-filter') RETURNING id::bigint",
        "INSERT INTO rhnConfigChannel (org_id, confchan_type_id, name, label, description) \
         VALUES (7, 1, 'Gone', 'gone-files', 'gone') RETURNING id::bigint",
        "INSERT INTO rhnPackageSource (org_id, source_rpm_id) VALUES (7, 1) RETURNING id::bigint",
    ] {
        let row = db.query_one(insert, &[]).await.expect(insert);
        local.push(i32::try_from(row.get::<_, i64>(0)).expect("local id"));
    }
    let (director, bus) = RunningDirector::start().await;
    // The gateway saw both packages and the erratum on n1 and on n2.
    let package = |name: &str| PackageName {
        name: name.into(),
        epoch: String::new(),
        version: "1.0".into(),
        release: "1.1".into(),
        arch: "x86_64".into(),
    };
    let (bash, vim) = (package("bash"), package("vim"));
    let ids = director.director.identity();
    let mut packages = Vec::new();
    for (node, offset) in [("n1", 0), ("n2", 1000)] {
        let seen = [
            SeenPackage {
                local_id: local[0] + offset,
                content: &bash,
            },
            SeenPackage {
                local_id: local[1] + offset,
                content: &vim,
            },
        ];
        packages = ids
            .content_for_locals::<PackageIdentity>(node, &seen)
            .await
            .expect("bind");
        bind::<ErratumIdentity>(ids, node, local[2] + offset, "SUSE-SU-2025:0001-1").await;
        bind::<ChannelIdentity>(ids, node, local[3] + offset, "gone-x86_64").await;
        bind::<RepositoryIdentity>(ids, node, local[4] + offset, "gone-mirror").await;
        bind::<ContentFilterIdentity>(ids, node, local[5] + offset, "gone-filter").await;
        bind::<ConfigChannelIdentity>(ids, node, local[6] + offset, "gone-files").await;
        bind::<SourcePackageIdentity>(ids, node, local[7] + offset, "gone-1.0-1.1.src.rpm").await;
    }

    let uplink = Arc::new(Uplink::new("n1", Some(bus.clone()), None));
    let (trigger, run) = start_capture(&pg, uplink).await;
    db.batch_execute(&format!(
        "DELETE FROM rhnPackage WHERE id = {};
         DELETE FROM rhnErrata;
         DELETE FROM rhnChannel WHERE label = 'gone-x86_64';
         DELETE FROM rhnContentSource;
         DELETE FROM suseContentFilter;
         DELETE FROM rhnConfigChannel;
         DELETE FROM rhnPackageSource;",
        local[0]
    ))
    .await
    .expect("deletes");
    let n1_parts = || async {
        [
            part_on::<PackageIdentity>(ids, packages[0], "n1").await,
            part_on::<ErratumIdentity>(ids, 1, "n1").await,
            part_on::<ChannelIdentity>(ids, 1, "n1").await,
            part_on::<RepositoryIdentity>(ids, 1, "n1").await,
            part_on::<ContentFilterIdentity>(ids, 1, "n1").await,
            part_on::<ConfigChannelIdentity>(ids, 1, "n1").await,
            part_on::<SourcePackageIdentity>(ids, 1, "n1").await,
        ]
    };
    wait_until(Duration::from_secs(20), || async {
        n1_parts().await == [None; 7]
    })
    .await;
    assert_eq!(n1_parts().await, [None; 7], "n1's parts are forgotten");
    let vim = ids
        .content::<PackageIdentity>(packages[1])
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        vim.local_on("n1"),
        Some(local[1]),
        "the package kept is kept"
    );
    let bash = ids
        .content::<PackageIdentity>(packages[0])
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        bash.local_on("n2"),
        Some(local[0] + 1000),
        "n2's part stays"
    );
    assert_eq!(
        ids.content_by_local::<ErratumIdentity>("n2", &[local[2] + 1000])
            .await
            .expect("read"),
        [Some(1)]
    );
    trigger.fire();
    run.await.expect("capture stops");
    director.stop().await;
}

/// A director on the embedded store and an in-process bus, running until
/// [`RunningDirector::stop`].
struct RunningDirector {
    director: Arc<Director>,
    stop: tokio::sync::oneshot::Sender<()>,
    run: tokio::task::JoinHandle<Result<(), director::cluster::DirectorError>>,
}

impl RunningDirector {
    async fn start() -> (RunningDirector, Arc<dyn Bus>) {
        let bus: Arc<dyn Bus> = Arc::new(LocalBus::new());
        let director = Arc::new(
            Director::new(Store::memory(), bus.clone(), ClusterConfig::default())
                .await
                .expect("director"),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let run = tokio::spawn(director.clone().run(async {
            let _ = stopped.await;
        }));
        let running = RunningDirector {
            director,
            stop,
            run,
        };
        (running, bus)
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.run.await.expect("join").expect("director run");
    }
}

/// Nodectl's capture of node `n1`, publishing through `uplink`, once it is
/// ready; it stops when the trigger fires.
async fn start_capture(
    pg: &nodectl::testkit::postgres::PgServer,
    uplink: Arc<Uplink>,
) -> (shutdown::Trigger, tokio::task::JoinHandle<()>) {
    let (trigger, stop) = shutdown::channel();
    let (ready, is_ready) = tokio::sync::oneshot::channel();
    let config = db_config(pg);
    let run = tokio::spawn(capture::run(
        Database::from_config(&config).expect("database"),
        config,
        "n1".into(),
        uplink,
        stop,
        Some(ready),
    ));
    is_ready.await.expect("capture ready");
    (trigger, run)
}

fn db_config(pg: &nodectl::testkit::postgres::PgServer) -> DatabaseConfig {
    DatabaseConfig {
        url: pg.url(),
        password_file: None,
        poll_secs: 0.5,
        batch: 2,
        install_capture: true,
    }
}
