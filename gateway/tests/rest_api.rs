//! Router tests (no socket on the gateway side) of the HTTP (JSON) API:
//! a gateway over two in-process simulated nodes on loopback, called
//! through `gateway::router(..).oneshot(..)`.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use compat_tests::sim::{self, SimConfig};
use gateway::config::{GatewayConfig, StaticNode};
use gateway::{Directory, Gateway};
use http_body_util::BodyExt;
use serde_json::{Value as Json, json};
use tower::ServiceExt;

const API: &str = "/rhn/manager/api";
const SYSTEMS: usize = 6;

/// A gateway router over two simulated nodes; the nodes stop when dropped.
struct Cluster {
    app: Router,
    _stop: Vec<tokio::sync::oneshot::Sender<()>>,
}

async fn cluster() -> Cluster {
    let mut cfg = GatewayConfig::default();
    cfg.upstream.timeout_ms = 5_000;
    let mut stop = Vec::new();
    for (i, name) in ["alpha", "beta"].into_iter().enumerate() {
        let node = Arc::new(sim::Node::new(SimConfig {
            name: name.to_owned(),
            seed: 40 + i as u64,
            systems: SYSTEMS,
            ..SimConfig::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/rpc/api", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(sim::run(node, listener, async {
            let _ = rx.await;
        }));
        stop.push(tx);
        cfg.nodes
            .push(StaticNode::parse_flag(&format!("n{}={url}", i + 1)).unwrap());
    }
    let directory = Arc::new(Directory::from_config(&cfg).unwrap());
    Cluster {
        app: gateway::router(Arc::new(Gateway::new(cfg, directory))),
        _stop: stop,
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Json {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }

    /// The `result` of a successful envelope.
    fn result(&self) -> Json {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        let body = self.json();
        assert_eq!(body["success"], json!(true), "{body}");
        body["result"].clone()
    }
}

impl Cluster {
    async fn send(&self, method: &str, uri: &str, cookie: Option<&str>, body: &str) -> Answer {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(key) = cookie {
            req = req.header(header::COOKIE, format!("other=1; pxt-session-cookie={key}"));
        }
        let resp = self
            .app
            .clone()
            .oneshot(req.body(Body::from(body.to_owned())).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            text: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn get(&self, path: &str, cookie: &str) -> Answer {
        self.send("GET", &format!("{API}/{path}"), Some(cookie), "")
            .await
    }

    async fn post(&self, path: &str, cookie: &str, body: Json) -> Answer {
        self.send(
            "POST",
            &format!("{API}/{path}"),
            Some(cookie),
            &body.to_string(),
        )
        .await
    }

    /// Logs in over the HTTP API; the cookie's value.
    async fn login(&self) -> String {
        let a = self
            .send(
                "POST",
                &format!("{API}/auth/login"),
                None,
                r#"{"login":"admin","password":"admin"}"#,
            )
            .await;
        assert_eq!(
            (a.status, a.text.as_str()),
            (StatusCode::OK, r#"{"success":true}"#)
        );
        let cookie = a.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(
            cookie.ends_with("; Path=/; HttpOnly; SameSite=Lax"),
            "{cookie}"
        );
        let key = cookie
            .strip_prefix("pxt-session-cookie=")
            .and_then(|c| c.split(';').next())
            .unwrap();
        assert!(spec::is_session_key(key), "{key}");
        key.to_owned()
    }

    /// Calls over XML-RPC at `/rpc/api`.
    async fn xmlrpc(&self, name: &str, params: Vec<xmlrpc::Value>) -> xmlrpc::MethodResponse {
        let body = xmlrpc::encode_call(&xmlrpc::MethodCall {
            name: name.to_owned(),
            params,
        });
        let resp = self
            .app
            .clone()
            .oneshot(Request::post("/rpc/api").body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        xmlrpc::parse_response(&bytes, &xmlrpc::Limits::RESPONSE).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_cookie_and_the_envelope() {
    let c = cluster().await;
    let bad = c
        .send(
            "POST",
            &format!("{API}/auth/login"),
            None,
            r#"{"login":"admin","password":"nope"}"#,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        bad.json(),
        json!({"success": false, "message": "Either the password or username is incorrect."})
    );
    assert!(bad.headers.get(header::SET_COOKIE).is_none());
    let not_json = c
        .send("POST", &format!("{API}/auth/login"), None, "login=admin")
        .await;
    assert_eq!(
        (not_json.status, not_json.text.as_str()),
        (StatusCode::BAD_REQUEST, "")
    );

    // No cookie, a forged one: 401 with an empty body. Two calls need none.
    for cookie in [None, Some(format!("1x{}", "ab".repeat(32)))] {
        let a = c
            .send(
                "GET",
                &format!("{API}/system/listSystems"),
                cookie.as_deref(),
                "",
            )
            .await;
        assert_eq!((a.status, a.text.as_str()), (StatusCode::UNAUTHORIZED, ""));
    }
    let version = c
        .send("GET", &format!("{API}/api/getVersion"), None, "")
        .await
        .result();
    assert!(version.as_str().unwrap().parse::<f64>().unwrap() >= 10.8);
    assert!(
        c.send("GET", &format!("{API}/api/systemVersion"), None, "")
            .await
            .result()
            .is_string()
    );

    let key = c.login().await;
    let systems = c.get("system/listSystems", &key).await.result();
    let systems = systems.as_array().unwrap();
    assert_eq!(systems.len(), 2 * SYSTEMS);
    let ids: HashSet<i64> = systems.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), systems.len());
    let checkin = systems[0]["last_checkin"].as_str().unwrap();
    assert_eq!(
        (&checkin[4..5], &checkin[7..8], &checkin[10..11]),
        ("-", "-", "T"),
        "{checkin}"
    );

    // The sid from the query string, from a GET body, as a string.
    let sid = systems[0]["id"].as_i64().unwrap();
    let name = systems[0]["name"].clone();
    for (uri, body) in [
        (format!("system/getDetails?sid={sid}"), String::new()),
        (
            "system/getDetails".to_owned(),
            format!(r#"{{"sid": {sid}}}"#),
        ),
        (
            "system/getDetails".to_owned(),
            format!(r#"{{"sid": "{sid}"}}"#),
        ),
        (
            "system/getDetails?sid=nonsense".to_owned(),
            format!(r#"{{"sid": {sid}}}"#),
        ),
    ] {
        let details = c
            .send("GET", &format!("{API}/{uri}"), Some(&key), &body)
            .await
            .result();
        assert_eq!(details["id"], json!(sid), "{uri} {body}");
        assert_eq!(details["profile_name"], name);
    }

    // A fault is a 200 with the message, without the XML-RPC prefix.
    let missing = c.get("system/getDetails?sid=42", &key).await;
    assert_eq!(missing.status, StatusCode::OK);
    assert_eq!(
        missing.json(),
        json!({"success": false, "message": "No such system"})
    );

    // No overload takes it: wrong type, extra key, missing key.
    for uri in [
        "system/getDetails?sid=abc",
        "system/getDetails?sid=1&extra=2",
        "system/getDetails",
        "system/listSystems?sid=1",
    ] {
        let a = c.get(uri, &key).await;
        assert_eq!(
            (a.status, a.text.as_str()),
            (
                StatusCode::BAD_REQUEST,
                "No method exists with the matching parameters"
            ),
            "{uri}"
        );
    }
    let a = c
        .send(
            "GET",
            &format!("{API}/system/getDetails"),
            Some(&key),
            "[1]",
        )
        .await;
    assert_eq!(
        (a.status, a.text.as_str()),
        (StatusCode::BAD_REQUEST, "JSON body must be an object")
    );

    // Unknown names and the other verb.
    assert_eq!(
        c.get("system/noSuchMethod", &key).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("nosuch/namespace/call", &key).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("system/listsystems", &key).await.status,
        StatusCode::NOT_FOUND
    );
    let wrong = c.post("system/listSystems", &key, json!({})).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.headers[header::ALLOW], "GET");

    // Logout ends the session and clears the cookie.
    let out = c.get("auth/logout", &key).await;
    assert_eq!(
        (out.status, out.text.as_str()),
        (StatusCode::OK, r#"{"success":true}"#)
    );
    assert!(
        out.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        c.get("system/listSystems", &key).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_shared_with_xmlrpc() {
    let c = cluster().await;
    // XML-RPC login, cookie use.
    let key = c
        .xmlrpc("auth.login", vec!["admin".into(), "admin".into()])
        .await
        .unwrap();
    let key = key.as_str().unwrap().to_owned();
    let over_json = c.get("system/listSystems", &key).await.result();
    assert_eq!(over_json.as_array().unwrap().len(), 2 * SYSTEMS);

    // Cookie login, XML-RPC use: the same ids on both faces.
    let cookie = c.login().await;
    let over_xml = c
        .xmlrpc("system.listSystems", vec![cookie.clone().into()])
        .await
        .unwrap();
    let xml_ids: HashSet<i64> = over_xml
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_struct().unwrap().get("id").unwrap().as_i64().unwrap())
        .collect();
    let json_ids: HashSet<i64> = over_json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(xml_ids, json_ids);

    // Logged out over XML-RPC: the cookie is dead too.
    c.xmlrpc("auth.logout", vec![cookie.clone().into()])
        .await
        .unwrap();
    assert_eq!(
        c.get("system/listSystems", &cookie).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_package_install_across_nodes_with_an_iso_date() {
    let c = cluster().await;
    let key = c.login().await;
    let systems = c.get("system/listSystems", &key).await.result();
    let systems = systems.as_array().unwrap();
    let node = |s: &Json| {
        s["name"]
            .as_str()
            .unwrap()
            .split('.')
            .nth(1)
            .unwrap()
            .to_owned()
    };
    let first = &systems[0];
    let other = systems.iter().find(|s| node(s) != node(first)).unwrap();
    let targets = [first["id"].as_i64().unwrap(), other["id"].as_i64().unwrap()];

    let channels = c.get("channel/listSoftwareChannels", &key).await.result();
    let label = channels[0]["label"].as_str().unwrap();
    let packages = c
        .get(
            &format!("channel/software/listAllPackages?channelLabel={label}"),
            &key,
        )
        .await
        .result();
    let package = packages[0]["id"].as_i64().unwrap();

    // Query and body merged: `sids` repeated in the query, the rest in the
    // body; a zoned ISO date.
    let a = c
        .send(
            "POST",
            &format!(
                "{API}/system/schedulePackageInstall?sids={}&sids={}",
                targets[0], targets[1]
            ),
            Some(&key),
            &json!({"packageIds": [package], "earliestOccurrence": "2030-01-02T03:04:05+01:00"})
                .to_string(),
        )
        .await;
    let actions = a.result();
    let actions: Vec<i64> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_i64().unwrap())
        .collect();
    assert!(!actions.is_empty());
    let in_progress = c.get("schedule/listInProgressActions", &key).await.result();
    let listed: Vec<&Json> = in_progress
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| actions.contains(&a["id"].as_i64().unwrap()))
        .collect();
    assert_eq!(listed.len(), actions.len(), "{in_progress}");
    let earliest = listed[0]["earliest"].as_str().unwrap_or_default();
    assert!(
        earliest.is_empty() || earliest.starts_with("2030-01-02T02:04:05"),
        "{}",
        listed[0]
    );
}
