//! The director's store served to gateways (`/gateway/v1/store`): the
//! shared store suite through [`director::remote::RemoteEngine`] against a
//! director on 127.0.0.1:0 over a redb file, the gateway token, and
//! placement.

use std::sync::Arc;

use director::api::ApiTokens;
use director::bus::LocalBus;
use director::cluster::{ClusterConfig, Director, DirectorError, NewNode, NodeEvent};
use director::model::{NodeState, Zone};
use director::remote::{DirectorLink, SeedReport};
use director::server::{ServeOptions, serve};
use director::store::{Store, StoreError, Txn, suite};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const ADMIN: &str = "admin-token-for-remote-tests";
const GATEWAY: &str = "gateway-token-for-remote-tests";

struct Running {
    url: String,
    director: Arc<Director>,
    _stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

async fn start() -> Running {
    start_on(TcpListener::bind("127.0.0.1:0").await.unwrap()).await
}

async fn start_on(listener: TcpListener) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_redb(dir.path().join("director.redb")).unwrap();
    let director = Arc::new(
        Director::new(store, Arc::new(LocalBus::new()), ClusterConfig::default())
            .await
            .unwrap(),
    );
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve(
        director.clone(),
        ApiTokens::new(ADMIN, "", "").with_gateway(GATEWAY),
        listener,
        ServeOptions::default(),
        async {
            let _ = stopped.await;
        },
    ));
    Running {
        url,
        director,
        _stop: stop,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_remote_engine_passes_the_store_suite() {
    let director = start().await;
    let link = DirectorLink::new(&director.url, GATEWAY, None).unwrap();
    let store = link.store();
    assert_eq!(
        store.describe(),
        format!("director store at {}", director.url)
    );
    // The gateway token reaches only the gateway's prefixes: the suite
    // runs under an object index of a kind no one reads.
    suite::run_under(store, "obj-local/suite/").await;
}

#[tokio::test]
async fn writes_through_the_link_are_the_directors_own() {
    let director = start().await;
    let remote = DirectorLink::new(&director.url, GATEWAY, None)
        .unwrap()
        .store();
    remote.put("sys-minion/probe-one", b"1").await.unwrap();
    assert_eq!(
        director
            .director
            .store()
            .get("sys-minion/probe-one")
            .await
            .unwrap(),
        Some(b"1".to_vec())
    );
    director
        .director
        .store()
        .put("sys-minion/probe-two", b"2")
        .await
        .unwrap();
    let seen = remote
        .scan_prefix("sys-minion/probe-", usize::MAX)
        .await
        .unwrap();
    assert_eq!(
        seen,
        vec![
            (b"sys-minion/probe-one".to_vec(), b"1".to_vec()),
            (b"sys-minion/probe-two".to_vec(), b"2".to_vec()),
        ]
    );
}

#[tokio::test]
async fn the_gateway_token_reaches_only_the_gateways_keys() {
    let director = start().await;
    let own = director.director.store();
    own.put("node/n1", b"{}").await.unwrap();
    own.put("client/m1", b"{}").await.unwrap();
    own.put("client-fp/f1", b"\"m1\"").await.unwrap();
    let remote = DirectorLink::new(&director.url, GATEWAY, None)
        .unwrap()
        .store();
    let refused = |err: StoreError, said: &str| {
        let text = err.to_string();
        assert!(text.contains("HTTP 403") && text.contains(said), "{text}");
    };

    // Nodes are read, never written.
    assert_eq!(remote.get("node/n1").await.unwrap(), Some(b"{}".to_vec()));
    assert_eq!(remote.scan_prefix("node/", 10).await.unwrap().len(), 1);
    refused(
        remote.put("node/n1", b"{\"forged\":1}").await.unwrap_err(),
        "may not write node/n1",
    );
    refused(
        remote.delete("node/n1").await.unwrap_err(),
        "may not write node/n1",
    );

    // Clients are read (where the director places each), never written.
    assert_eq!(remote.get("client/m1").await.unwrap(), Some(b"{}".to_vec()));
    assert_eq!(remote.scan_prefix("client/", 10).await.unwrap().len(), 1);
    refused(
        remote
            .put("client/m1", b"{\"owner\":\"n9\"}")
            .await
            .unwrap_err(),
        "may not write client/m1",
    );

    // Fingerprints, operations and the node numbering are out of reach.
    refused(
        remote.get("client-fp/f1").await.unwrap_err(),
        "may not read client-fp/f1",
    );
    refused(
        remote.scan_prefix("client", 10).await.unwrap_err(),
        "may not scan the keys under client",
    );
    refused(
        remote.scan_prefix("", 10).await.unwrap_err(),
        "may not scan the whole store",
    );
    refused(
        remote
            .allocate_counter("counter/node-number")
            .await
            .unwrap_err(),
        "may not read counter/node-number",
    );

    // A transaction is refused whole when one of its keys is out of reach.
    let mixed = Txn::new()
        .put("sys-minion/m1", b"7")
        .put("op/0000000001", b"{}");
    refused(
        remote.transact(mixed).await.unwrap_err(),
        "may not write op/0000000001",
    );
    assert_eq!(own.get("sys-minion/m1").await.unwrap(), None);
    assert_eq!(own.get("node/n1").await.unwrap(), Some(b"{}".to_vec()));

    // What a gateway does: sessions, identities, cluster id counters.
    assert_eq!(
        remote.allocate_counter("counter/system-id").await.unwrap(),
        1
    );
    remote
        .transact(
            Txn::new()
                .put("sys-minion/m1", b"1")
                .put("session/1", b"{}"),
        )
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_said_so() {
    let director = start().await;
    for token in [ADMIN, "not-the-token"] {
        let remote = DirectorLink::new(&director.url, token, None)
            .unwrap()
            .store();
        let err = remote.get("node/n1").await.unwrap_err();
        assert!(matches!(err, StoreError::Remote { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("HTTP 401")
                && text.contains("missing or invalid bearer token for the gateway API"),
            "{text}"
        );
        assert!(!text.contains(token), "{text}");
    }
    // Nothing listens: the link says where it failed.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let err = DirectorLink::new(&url, GATEWAY, None)
        .unwrap()
        .store()
        .get("node/n1")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.starts_with(&url), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_that_comes_up_within_the_back_off_is_reached() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let remote = DirectorLink::new(&format!("http://{addr}"), GATEWAY, None)
        .unwrap()
        .store();
    // The director starts 250 ms after the first refused connection: a
    // read and a write (never received while refused) both get through.
    let late = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        start_on(TcpListener::bind(addr).await.unwrap()).await
    });
    assert_eq!(remote.get("sys-minion/late").await.unwrap(), None);
    let director = late.await.unwrap();
    remote.put("sys-minion/late", b"3").await.unwrap();
    assert_eq!(
        director
            .director
            .store()
            .get("sys-minion/late")
            .await
            .unwrap(),
        Some(b"3".to_vec())
    );
}

#[tokio::test]
async fn placement_answers_the_emptiest_accepting_node_of_the_zone() {
    let director = start().await;
    nodes(
        &director.director,
        &[("n1", NodeState::Active), ("n2", NodeState::Active)],
    )
    .await;
    let link = DirectorLink::new(&director.url, GATEWAY, None).unwrap();
    let any = link.place("default", None).await.unwrap();
    assert!(matches!(any.as_deref(), Some("n1" | "n2")), "{any:?}");
    assert_eq!(
        link.place("default", Some(vec!["n2".into()]))
            .await
            .unwrap()
            .as_deref(),
        Some("n2")
    );
    assert_eq!(link.place("elsewhere", None).await.unwrap(), None);
}

/// A gateway's `seed-node` reports its run over the link; the director
/// records it for the state the node began the run in and refuses a run
/// that raced a change of state, or one from a node that does not serve.
#[tokio::test]
async fn a_gateway_records_a_seed_node_run() {
    let director = start().await;
    let d = &director.director;
    nodes(d, &[("n1", NodeState::Active), ("n2", NodeState::New)]).await;
    let link = DirectorLink::new(&director.url, GATEWAY, None).unwrap();
    let n2 = d.get_node("n2").await.unwrap();
    let why = refused(&link, "n2", &run("n1", n2.since() - 1)).await;
    assert!(
        why.contains("HTTP 409") && why.contains("became new while it was being seeded"),
        "{why}"
    );
    let why = refused(
        &link,
        "n1",
        &run("n2", d.get_node("n1").await.unwrap().since()),
    )
    .await;
    assert!(why.contains("seed from a node that serves"), "{why}");
    let why = refused(&link, "n2", &run("n9", n2.since())).await;
    assert!(why.contains("HTTP 404"), "{why}");

    let mark = link
        .record_seed("n2", &run("n1", n2.since()))
        .await
        .unwrap();
    assert_eq!(
        (mark.from.as_str(), mark.state, mark.since),
        ("n1", NodeState::New, n2.since())
    );
    assert_eq!(
        d.get_node("n2").await.unwrap().seeded_in_state(),
        Some(&mark)
    );
    // The admin token is not the gateway's.
    let admin = DirectorLink::new(&director.url, ADMIN, None).unwrap();
    let why = refused(&admin, "n2", &run("n1", n2.since())).await;
    assert!(why.contains("HTTP 401"), "{why}");
    // Not a node id: refused before it is sent.
    let why = refused(&link, "../zones", &run("n1", n2.since())).await;
    assert!(why.contains("is not a node id"), "{why}");
}

/// A gateway that deleted the copies moved systems left on a node tells
/// the director, which forgets them (the identity map's record and the
/// client's local id there) and keeps what is not a copy.
#[tokio::test]
async fn a_gateway_reports_the_copies_it_deleted() {
    let director = start().await;
    let d = &director.director;
    nodes(d, &[("n1", NodeState::Active), ("n2", NodeState::Active)]).await;
    let registered = |node: &str, local_id| NodeEvent::SystemRegistered {
        node: node.into(),
        local_id,
        minion_id: "web1.example.test".into(),
        machine_id: None,
    };
    // Registered on n1, then (moved) on n2: n1 keeps a copy.
    d.node_event(registered("n1", 11)).await.unwrap();
    d.node_event(registered("n2", 22)).await.unwrap();
    let client = d.get_client("web1.example.test").await.unwrap();
    assert_eq!(client.local_ids.len(), 2);
    let id = client.cluster_id;
    assert_eq!(d.identity().left_copy("n1", 11).await.unwrap(), Some(id));

    let link = DirectorLink::new(&director.url, GATEWAY, None).unwrap();
    let answer = link.copies_deleted("n1", &[11, 99]).await.unwrap();
    assert_eq!(answer.forgotten, [(11, id)].into());
    assert_eq!((answer.systems, answer.unknown), (vec![], vec![99]));
    assert_eq!(d.identity().left_copy("n1", 11).await.unwrap(), None);
    let record = d.identity().system(id).await.unwrap().unwrap();
    assert!(record.left.is_empty(), "{record:?}");
    let client = d.get_client("web1.example.test").await.unwrap();
    assert_eq!(client.local_ids, [("n2".to_owned(), 22)].into());
    // Sent again (an answer lost): nothing left to forget.
    let again = link.copies_deleted("n1", &[11]).await.unwrap();
    assert_eq!((again.forgotten.len(), again.unknown), (0, vec![11]));
    // The system itself is no copy: kept.
    let live = link.copies_deleted("n2", &[22]).await.unwrap();
    assert_eq!(live.systems, vec![22]);
    let record = d.identity().system(id).await.unwrap().unwrap();
    assert_eq!((record.node.as_str(), record.local_id), ("n2", 22));
    // An unknown node, a request too large, the wrong token.
    let why = link
        .copies_deleted("n9", &[1])
        .await
        .unwrap_err()
        .to_string();
    assert!(why.contains("HTTP 404"), "{why}");
    let too_many = vec![1; director::remote::CopiesDeleted::MAX + 1];
    assert!(matches!(
        d.copies_deleted("n1", &too_many).await,
        Err(DirectorError::Invalid(_))
    ));
    // Over HTTP (the link splits a longer list): 400 with a message, and
    // a body far larger than any list answers 413.
    let post = |ids: Vec<i32>| {
        reqwest::Client::new()
            .post(format!(
                "{}/gateway/v1/nodes/n1/copies-deleted",
                director.url
            ))
            .bearer_auth(GATEWAY)
            .json(&serde_json::json!({ "local_ids": ids }))
            .send()
    };
    let res = post(too_many).await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("at most 1000"));
    let res = post(vec![1_000_000_000; 20_000]).await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    let admin = DirectorLink::new(&director.url, ADMIN, None).unwrap();
    let why = admin
        .copies_deleted("n1", &[11])
        .await
        .unwrap_err()
        .to_string();
    assert!(why.contains("HTTP 401"), "{why}");
}

/// Zone `default` with `nodes` in it (vouched for: `unseeded`).
async fn nodes(d: &Director, nodes: &[(&str, NodeState)]) {
    d.put_zone(Zone {
        name: "default".into(),
        description: String::new(),
        labels: Default::default(),
    })
    .await
    .unwrap();
    for (id, state) in nodes {
        d.add_node(NewNode {
            id: (*id).into(),
            zone: "default".into(),
            api_url: format!("http://{id}.test/rpc/api"),
            master: None,
            weight: None,
            public_key: None,
            state: Some(*state),
            unseeded: true,
        })
        .await
        .unwrap();
    }
}

/// Why `link` could not record `run` for node `id`.
async fn refused(link: &DirectorLink, id: &str, run: &SeedReport) -> String {
    link.record_seed(id, run).await.unwrap_err().to_string()
}

fn run(from: &str, since: i64) -> SeedReport {
    SeedReport {
        from: from.into(),
        since,
        elapsed_ms: 0,
        update: false,
        prune: false,
        misses: 0,
        follows: Default::default(),
    }
}
