//! nodectl without a bus, against the director's real HTTP API (in
//! process, on 127.0.0.1): it registers the node (and accepts "exists" on
//! restart), heartbeats its load counted from `rhnServer` with its public
//! key, and a system registered straight in the node's PostgreSQL joins the
//! director's clients through `POST /node/v1/events`.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use director::api::{ApiTokens, router};
use director::bus::LocalBus;
use director::cluster::{ClusterConfig, Director};
use director::model::Zone;
use director::store::Store;
use nodectl::config::Config;
use nodectl::shutdown;
use nodectl::testkit::wait_until;

use common::{database, register_system};

const ADMIN: &str = "admin-token-for-tests";
const NODE: &str = "node-token-for-tests";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_heartbeats_and_events_over_http() {
    let Some((pg, mut db)) = database().await else {
        return;
    };
    for n in 0..3 {
        register_system(&mut db, n).await;
    }
    let director = Arc::new(
        Director::new(
            Store::memory(),
            Arc::new(LocalBus::new()),
            ClusterConfig::default(),
        )
        .await
        .expect("director"),
    );
    director
        .put_zone(Zone {
            name: "eu".into(),
            description: String::new(),
            labels: Default::default(),
        })
        .await
        .expect("zone");
    let app = router(
        director.clone(),
        ApiTokens::new(ADMIN, "client-token-for-tests", NODE),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("admin-token"), format!("{ADMIN}\n")).expect("token");
    std::fs::write(dir.path().join("node-token"), NODE).expect("token");
    let text = format!(
        "node_id = \"suma7\"\nstate_dir = \"{d}/state\"\n\
         [director]\nhttp_url = \"{url}\"\nnode_token_file = \"{d}/node-token\"\n\
         admin_token_file = \"{d}/admin-token\"\n\
         [register]\nzone = \"eu\"\napi_url = \"https://suma7.example.test/rpc/api\"\nweight = 2.0\n\
         [heartbeat]\ninterval_secs = 0.2\n\
         [database]\nurl = \"{pg}\"\npoll_secs = 0.5\n",
        d = dir.path().display(),
        pg = pg.url(),
    );
    let config = Config::parse(&text, Path::new("test.toml")).expect("config");

    for round in 0..2 {
        let (trigger, stop) = shutdown::channel();
        let (ready, is_ready) = tokio::sync::oneshot::channel();
        let agent = tokio::spawn(nodectl::agent::run(config.clone(), stop, ready));
        is_ready.await.expect("agent ready");
        // Three systems at the start, one more registered each round.
        let systems = 4 + round;
        let joined = wait_until(Duration::from_secs(20), || {
            let director = director.clone();
            async move {
                let Ok(node) = director.get_node("suma7").await else {
                    return false;
                };
                node.load.is_some_and(|l| l.systems == systems as u64)
                    && director
                        .get_client(&format!("minion-{}.example.test", 100 + round))
                        .await
                        .is_ok()
            }
        });
        // A system registered straight on the node while nodectl runs.
        register_system(&mut db, 100 + round).await;
        assert!(
            joined.await,
            "round {round}: heartbeat load and the new client"
        );
        let node = director.get_node("suma7").await.expect("node");
        assert_eq!((node.zone.as_str(), node.weight), ("eu", 2.0));
        let key = nodectl::keys::NodeKey::load_or_create(&dir.path().join("state/node.key"))
            .expect("key")
            .public_key_base64();
        assert_eq!(node.public_key.as_deref(), Some(key.as_str()));
        trigger.fire();
        agent.await.expect("agent task").expect("clean stop");
    }
    // The systems there before capture was installed are not events (bulk
    // onboarding covers them); the ones registered since joined.
    assert!(director.get_client("minion-0.example.test").await.is_err());
}
