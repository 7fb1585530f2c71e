//! Router tests (no socket) of the admin, client-agent and node-agent
//! resources: what each route does to the cluster and answers.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use director::api::{ApiTokens, router};
use director::bus::LocalBus;
use director::cluster::{ClusterConfig, Director};
use director::store::Store;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const ADMIN: &str = "admin-token-for-tests";
const CLIENT: &str = "client-token-for-tests";
const NODE: &str = "node-token-for-tests";
const METRICS: &str = "metrics-token-for-tests";

struct Api {
    app: Router,
    director: Arc<Director>,
}

impl Api {
    async fn new(config: ClusterConfig) -> Api {
        let director = Arc::new(
            Director::new(Store::memory(), Arc::new(LocalBus::new()), config)
                .await
                .unwrap(),
        );
        let app = router(
            director.clone(),
            ApiTokens::new(ADMIN, CLIENT, NODE).with_metrics(METRICS),
        );
        Api { app, director }
    }

    async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json");
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        let resp = self
            .app
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (status, json)
    }

    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call(ADMIN, method, path, body).await
    }

    async fn client(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call(CLIENT, method, path, body).await
    }

    async fn node(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call(NODE, method, path, body).await
    }

    /// Zone `z` and active node `id` in it (vouched for as holding the
    /// shared data: `unseeded`).
    async fn zone_and_node(&self, id: &str) {
        self.admin("PUT", "/api/v1/zones/z", Some(json!({}))).await;
        let (status, body) = self
            .admin("POST", "/api/v1/nodes", Some(json!({
                "id": id, "zone": "z", "api_url": format!("https://{id}.example/rpc/api"), "state": "active",
                "unseeded": true
            })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

async fn api() -> Api {
    Api::new(ClusterConfig {
        default_zone: "z".into(),
        ..ClusterConfig::default()
    })
    .await
}

#[tokio::test]
async fn zones_crud() {
    let api = api().await;
    let zone = json!({"name": "eu", "description": "Europe", "labels": {"tier": "1"}});
    let (status, body) = api.admin("POST", "/api/v1/zones", Some(zone.clone())).await;
    assert_eq!((status, &body), (StatusCode::CREATED, &zone));
    let (status, body) = api.admin("POST", "/api/v1/zones", Some(zone.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("zone eu already exists"),
        "{body}"
    );

    let (status, body) = api.admin("GET", "/api/v1/zones/eu", None).await;
    assert_eq!((status, &body), (StatusCode::OK, &zone));
    let (status, body) = api
        .admin(
            "PUT",
            "/api/v1/zones/eu",
            Some(json!({"description": "Europa"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"name": "eu", "description": "Europa", "labels": {}})
    );
    let (status, body) = api
        .admin("PUT", "/api/v1/zones/us", Some(json!({"name": "eu"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, list) = api.admin("GET", "/api/v1/zones", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    let (status, body) = api
        .admin("POST", "/api/v1/zones", Some(json!({"name": "Bad Name"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("invalid zone name"),
        "{body}"
    );

    let (status, body) = api.admin("DELETE", "/api/v1/zones/eu", None).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (status, body) = api.admin("GET", "/api/v1/zones/eu", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"error": "zone eu not found"}));
    let (status, _) = api.admin("DELETE", "/api/v1/zones/eu", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn nodes_lifecycle_cordon_drain_and_removal() {
    let api = api().await;
    api.zone_and_node("n1").await;
    let (status, body) = api
        .admin(
            "POST",
            "/api/v1/nodes",
            Some(json!({"id": "n1", "zone": "z", "api_url": "https://n1/rpc/api"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = api
        .admin(
            "POST",
            "/api/v1/nodes",
            Some(json!({"id": "n9", "zone": "nowhere", "api_url": "https://n9/rpc/api"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"error": "zone nowhere not found"})
        )
    );

    let (status, node) = api.admin("GET", "/api/v1/nodes/n1", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (node["state"].as_str(), node["master"].as_str()),
        (Some("active"), Some("n1.example"))
    );
    let (status, node) = api
        .admin("PATCH", "/api/v1/nodes/n1", Some(json!({"weight": 2.5})))
        .await;
    assert_eq!(
        (status, node["weight"].as_f64()),
        (StatusCode::OK, Some(2.5))
    );
    let (status, body) = api
        .admin("PATCH", "/api/v1/nodes/n1", Some(json!({"weight": -1})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, node) = api.admin("POST", "/api/v1/nodes/n1/cordon", None).await;
    assert_eq!(node["cordoned"], true);
    let (_, node) = api.admin("POST", "/api/v1/nodes/n1/uncordon", None).await;
    assert_eq!(node["cordoned"], false);

    let (status, body) = api.admin("DELETE", "/api/v1/zones/z", None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("still has node n1"),
        "{body}"
    );
    let (status, body) = api.admin("DELETE", "/api/v1/nodes/n1", None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    let (status, body) = api
        .admin(
            "POST",
            "/api/v1/nodes/n1/drain",
            Some(json!({"deadline_secs": -5})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // An empty node drains at once: the operation is done, the node offline.
    let (status, op) = api
        .admin(
            "POST",
            "/api/v1/nodes/n1/drain",
            Some(json!({"deadline_secs": 60})),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{op}");
    assert_eq!(
        (
            op["kind"].as_str(),
            op["node"].as_str(),
            op["total"].as_u64()
        ),
        (Some("drain"), Some("n1"), Some(0))
    );
    let (status, fetched) = api
        .admin("GET", &format!("/api/v1/operations/{}", op["id"]), None)
        .await;
    assert_eq!(
        (status, fetched["id"].clone()),
        (StatusCode::OK, op["id"].clone())
    );
    let (_, ops) = api.admin("GET", "/api/v1/operations", None).await;
    assert_eq!(ops.as_array().unwrap().len(), 1);
    let (_, node) = api.admin("GET", "/api/v1/nodes/n1", None).await;
    assert_eq!(node["state"], "offline");
    let (status, node) = api.admin("DELETE", "/api/v1/nodes/n1", None).await;
    assert_eq!(
        (status, node["state"].as_str()),
        (StatusCode::OK, Some("removed"))
    );
    let (_, nodes) = api.admin("GET", "/api/v1/nodes", None).await;
    assert_eq!(nodes.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn drain_without_a_body_has_no_deadline() {
    let api = api().await;
    api.zone_and_node("n1").await;
    let (status, op) = api.admin("POST", "/api/v1/nodes/n1/drain", None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{op}");
    assert_eq!(op["deadline"], Value::Null);
    let (status, body) = api.admin("POST", "/api/v1/nodes/nope/drain", None).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"error": "node nope not found"})
        )
    );
}

#[tokio::test]
async fn check_in_then_placement_and_client_look_ups() {
    let api = api().await;
    api.zone_and_node("n1").await;
    let (status, a) = api
        .client(
            "POST",
            "/client/v1/checkin",
            Some(json!({"minion_id": "web-1.example", "fingerprint": "fp-1"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(
        (a["node"].as_str(), a["master"].as_str()),
        (Some("n1"), Some("n1.example"))
    );
    let cluster_id = a["cluster_id"].as_i64().unwrap();
    assert!(cluster_id >= 1_000_010_000);

    let expected = json!({"minion_id": "web-1.example", "cluster_id": cluster_id, "node": "n1", "local_id": null, "moving_to": null, "left_copies": {}});
    let (status, p) = api
        .admin("GET", "/api/v1/placement/minions/web-1.example", None)
        .await;
    assert_eq!((status, &p), (StatusCode::OK, &expected));
    let (status, p) = api
        .admin(
            "GET",
            &format!("/api/v1/placement/systems/{cluster_id}"),
            None,
        )
        .await;
    assert_eq!((status, &p), (StatusCode::OK, &expected));

    // The node registers the system: the placement shows its local id.
    let event = json!({"event": "system-registered", "node": "n1", "local_id": 1000017, "minion_id": "web-1.example"});
    let (status, body) = api.node("POST", "/node/v1/events", Some(event)).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (_, p) = api
        .admin("GET", "/api/v1/placement/minions/web-1.example", None)
        .await;
    assert_eq!(p["local_id"], 1000017);

    let (status, body) = api
        .admin("GET", "/api/v1/placement/minions/nobody", None)
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"error": "placement of minion nobody not found"})
        )
    );
    let (status, _) = api.admin("GET", "/api/v1/placement/systems/42", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, a2) = api
        .client("GET", "/client/v1/assignment?fingerprint=fp-1", None)
        .await;
    assert_eq!(
        (status, a2["cluster_id"].as_i64()),
        (StatusCode::OK, Some(cluster_id))
    );
    assert_eq!(a2["status"], "onboarded");
    let (status, _) = api
        .client("GET", "/client/v1/assignment?fingerprint=fp-x", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Same minion, other key: refused.
    let (status, body) = api
        .client(
            "POST",
            "/client/v1/checkin",
            Some(json!({"minion_id": "web-1.example", "fingerprint": "fp-2"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    let (status, c) = api
        .admin("GET", "/api/v1/clients/web-1.example", None)
        .await;
    assert_eq!((status, c["owner"].as_str()), (StatusCode::OK, Some("n1")));
    let (status, c) = api
        .admin("DELETE", "/api/v1/clients/web-1.example", None)
        .await;
    assert_eq!(
        (status, c["status"].as_str()),
        (StatusCode::OK, Some("deleted"))
    );
    let (_, a3) = api
        .client(
            "POST",
            "/client/v1/checkin",
            Some(json!({"minion_id": "web-1.example", "fingerprint": "fp-1"})),
        )
        .await;
    assert_eq!(a3["status"], "deleted");
    let (status, _) = api.admin("DELETE", "/api/v1/clients/nobody", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn clients_are_listed_by_page() {
    let api = api().await;
    api.zone_and_node("n1").await;
    for i in 0..5 {
        let body = json!({"minion_id": format!("m{i}"), "fingerprint": format!("fp{i}")});
        let (status, _) = api.client("POST", "/client/v1/checkin", Some(body)).await;
        assert_eq!(status, StatusCode::OK);
    }
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["minion_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, all) = api.admin("GET", "/api/v1/clients", None).await;
    assert_eq!(ids(&all), ["m0", "m1", "m2", "m3", "m4"]);
    let (_, page) = api
        .admin("GET", "/api/v1/clients?limit=2&after=m1", None)
        .await;
    assert_eq!(ids(&page), ["m2", "m3"]);
    let (_, page) = api
        .admin("GET", "/api/v1/clients?zone=z&node=n1&limit=10000", None)
        .await;
    assert_eq!(ids(&page).len(), 5);
    let (_, page) = api.admin("GET", "/api/v1/clients?node=n2", None).await;
    assert_eq!(ids(&page).len(), 0);
    for bad in ["limit=0", "limit=10001", "limit=many"] {
        let (status, body) = api
            .admin("GET", &format!("/api/v1/clients?{bad}"), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}

#[tokio::test]
async fn heartbeats_and_status() {
    let api = api().await;
    api.zone_and_node("n1").await;
    let beat = json!({"node": "n1", "load": {"systems": 3, "load_avg": 0.5}});
    let (status, _) = api.node("POST", "/node/v1/heartbeat", Some(beat)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api
        .node(
            "POST",
            "/node/v1/heartbeat",
            Some(json!({"node": "ghost", "load": {"systems": 0, "load_avg": 0.0}})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, s) = api.admin("GET", "/api/v1/status", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["nodes"][0]["health"], "healthy");
    assert_eq!(s["nodes"][0]["load"]["systems"], 3);
    // The same for a Prometheus scraper, with its token.
    let (status, metrics) = api.call(METRICS, "GET", "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    let metrics = metrics.as_str().unwrap();
    for line in [
        "director_nodes{state=\"active\"} 1",
        "director_node_health{node=\"n1\",zone=\"z\",health=\"healthy\"} 1",
        "director_node_systems{node=\"n1\",zone=\"z\"} 3",
        "director_node_load_average{node=\"n1\",zone=\"z\"} 0.5",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
}

/// A node's follow records are shown and removed under
/// `/api/v1/nodes/{id}/follows`: a serving node's count nothing against it.
#[tokio::test]
async fn follow_records_are_shown_and_removed() {
    let api = api().await;
    api.zone_and_node("n1").await;
    for (gateway, queued, settled) in [("gw-a", 3, 1), ("gw-b", 2, 2)] {
        api.director
            .store()
            .put_json(
                director::model::Keys::node_follows("n1", gateway),
                &director::model::FollowCount { queued, settled },
            )
            .await
            .unwrap();
    }
    let (status, shown) = api.admin("GET", "/api/v1/nodes/n1/follows", None).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["held_against"], Value::Null);
    assert_eq!(shown["counted"], 0);
    assert_eq!(
        shown["records"][0],
        json!({"gateway": "gw-a", "queued": 3, "settled": 1, "counted": 0})
    );
    let (status, s) = api.admin("GET", "/api/v1/status", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["nodes"][0]["unsettled_changes"], 0);

    let path = "/api/v1/nodes/n1/follows?gateway=gw-a";
    let (status, done) = api.admin("DELETE", path, None).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["removed"][0]["gateway"], "gw-a");
    assert_eq!(done["kept"], json!([]));
    let (status, body) = api.admin("DELETE", path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = api
        .admin("DELETE", "/api/v1/nodes/n1/follows?gw=gw-b", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, done) = api.admin("DELETE", "/api/v1/nodes/n1/follows", None).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["removed"][0]["gateway"], "gw-b");
    let (status, shown) = api.admin("GET", "/api/v1/nodes/n1/follows", None).await;
    assert_eq!((status, &shown["records"]), (StatusCode::OK, &json!([])));
    let (status, _) = api.admin("GET", "/api/v1/nodes/ghost/follows", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The changes a node missed, by method, as the gateways record them: shown
/// with its follow records, cleared by an operator (answering what they
/// were) without touching the count the director compares.
#[tokio::test]
async fn missed_calls_are_shown_and_cleared() {
    use director::model::{Keys, MissedCall, MissedCalls};

    let api = api().await;
    api.zone_and_node("n1").await;
    let (status, shown) = api.admin("GET", "/api/v1/nodes/n1/follows", None).await;
    assert_eq!(
        (status, &shown["missed_calls"]),
        (StatusCode::OK, &json!([]))
    );
    let store = api.director.store();
    let calls = MissedCalls::from([
        (
            "systemgroup.create".to_owned(),
            MissedCall {
                count: 2,
                first: 10,
                last: 20,
            },
        ),
        (
            "activationkey.delete".to_owned(),
            MissedCall {
                count: 1,
                first: 15,
                last: 15,
            },
        ),
    ]);
    store
        .put_json(Keys::node_missed_calls("n1"), &calls)
        .await
        .unwrap();
    store
        .put_json(Keys::node_misses("n1"), &3u64)
        .await
        .unwrap();
    let rows = json!([
        {"method": "activationkey.delete", "count": 1, "first": 15, "last": 15},
        {"method": "systemgroup.create", "count": 2, "first": 10, "last": 20},
    ]);
    let (status, shown) = api.admin("GET", "/api/v1/nodes/n1/follows", None).await;
    assert_eq!((status, &shown["missed_calls"]), (StatusCode::OK, &rows));

    // Through 15: the method last counted at 20 (after the operator read
    // the list, say) is kept whole.
    let path = "/api/v1/nodes/n1/missed-calls";
    let (status, done) = api
        .admin("DELETE", &format!("{path}?through=15"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["cleared"], json!([rows[0]]));
    assert_eq!(done["kept"], json!([rows[1]]));
    let (_, shown) = api.admin("GET", "/api/v1/nodes/n1/follows", None).await;
    assert_eq!(shown["missed_calls"], json!([rows[1]]));
    let (status, body) = api
        .admin("DELETE", &format!("{path}?through=soon"), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, done) = api.admin("DELETE", path, None).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done, json!({"cleared": [rows[1]], "kept": []}));
    let (status, done) = api.admin("DELETE", path, None).await;
    assert_eq!(
        (status, done),
        (StatusCode::OK, json!({"cleared": [], "kept": []}))
    );
    let (_, shown) = api.admin("GET", "/api/v1/nodes/n1/follows", None).await;
    assert_eq!(shown["missed_calls"], json!([]));
    // A record that cannot be read hides nothing else, and is removed.
    store
        .put(Keys::node_missed_calls("n1"), b"not json".to_vec())
        .await
        .unwrap();
    let (status, shown) = api.admin("GET", "/api/v1/nodes/n1/follows", None).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["missed_calls"], json!([]));
    let (status, done) = api.admin("DELETE", path, None).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        store.get(Keys::node_missed_calls("n1")).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .get_json::<u64>(Keys::node_misses("n1"))
            .await
            .unwrap(),
        Some(3)
    );
    let (status, _) = api
        .admin("DELETE", "/api/v1/nodes/ghost/missed-calls", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Check-in, rebalance, the move reaching the client agent, its report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebalance_moves_clients_that_report_back() {
    let api = Api::new(ClusterConfig {
        default_zone: "z".into(),
        tick: Duration::from_millis(20),
        ..ClusterConfig::default()
    })
    .await;
    api.zone_and_node("n1").await;
    for i in 0..20 {
        let body = json!({"minion_id": format!("m{i:02}"), "fingerprint": format!("fp{i}")});
        api.client("POST", "/client/v1/checkin", Some(body)).await;
    }
    api.zone_and_node("n2").await;
    let (status, plan) = api.admin("GET", "/api/v1/rebalance/plan", None).await;
    assert_eq!(status, StatusCode::OK);
    let planned = plan["moves"].as_array().unwrap().len();
    assert!(planned > 0, "{plan}");
    let (status, op) = api.admin("POST", "/api/v1/rebalance", None).await;
    assert_eq!(
        (status, op["kind"].as_str()),
        (StatusCode::ACCEPTED, Some("rebalance"))
    );
    assert_eq!(op["total"].as_u64(), Some(planned as u64));

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let background = tokio::spawn(api.director.clone().run(async {
        let _ = stopped.await;
    }));
    // Wait for the executor to direct a move to some client.
    let mut directive = None;
    for _ in 0..200 {
        for i in 0..20 {
            let (_, a) = api
                .client(
                    "GET",
                    &format!("/client/v1/assignment?fingerprint=fp{i}"),
                    None,
                )
                .await;
            if !a["pending_move"].is_null() {
                directive = Some(a["pending_move"].clone());
                break;
            }
        }
        if directive.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let directive = directive.expect("a move directed to a client");
    let move_id = directive["move_id"].as_u64().unwrap();
    let minion = directive["minion_id"].as_str().unwrap();
    assert_eq!(directive["to"], "n2");

    let path = format!("/client/v1/moves/{move_id}/result");
    let (status, body) = api
        .client(
            "POST",
            &path,
            Some(json!({"minion_id": "someone-else", "outcome": "done"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, record) = api
        .client(
            "POST",
            &path,
            Some(json!({"minion_id": minion, "outcome": "done"})),
        )
        .await;
    assert_eq!(
        (status, record["state"].as_str()),
        (StatusCode::OK, Some("done")),
        "{record}"
    );
    let (status, record) = api
        .admin("GET", &format!("/api/v1/moves/{move_id}"), None)
        .await;
    assert_eq!(
        (status, record["state"].as_str()),
        (StatusCode::OK, Some("done"))
    );
    let (_, p) = api
        .admin("GET", &format!("/api/v1/placement/minions/{minion}"), None)
        .await;
    assert_eq!(p["moving_to"], Value::Null);

    let (status, all) = api.admin("GET", "/api/v1/moves?limit=10000", None).await;
    assert_eq!(
        (status, all.as_array().unwrap().len()),
        (StatusCode::OK, planned)
    );
    let (_, in_flight) = api
        .admin("GET", "/api/v1/moves?in_flight=true&limit=5", None)
        .await;
    assert!(in_flight.as_array().unwrap().len() <= 5);
    assert!(
        in_flight
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] != "done")
    );

    let (status, body) = api
        .client(
            "POST",
            "/client/v1/moves/999999/result",
            Some(json!({"minion_id": minion, "outcome": "rolled-back", "error": "no route"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"error": "move 999999 not found"})
        )
    );

    let _ = stop.send(());
    background.await.unwrap().unwrap();
}
