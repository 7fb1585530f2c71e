//! Router tests (no socket) of malformed requests: each is refused with a
//! JSON message that never repeats what the request carried.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use director::api::{ApiTokens, RouterOptions, router_with};
use director::bus::LocalBus;
use director::cluster::{ClusterConfig, Director};
use director::store::Store;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const ADMIN: &str = "admin-token-for-tests";
const CLIENT: &str = "client-token-for-tests";
const NODE: &str = "node-token-for-tests";
const SECRET: &str = "hunter2-Pa55w0rd";

async fn app() -> Router {
    let director = Director::new(
        Store::memory(),
        Arc::new(LocalBus::new()),
        ClusterConfig::default(),
    )
    .await
    .unwrap();
    router_with(
        Arc::new(director),
        ApiTokens::new(ADMIN, CLIENT, NODE),
        RouterOptions { body_limit: 4096 },
    )
}

async fn send(
    app: &Router,
    token: &str,
    method: &str,
    path: &str,
    body: impl Into<Body>,
) -> (StatusCode, String) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let content_type = resp.headers().get(header::CONTENT_TYPE).cloned();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    assert_eq!(
        content_type.as_ref().and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "{status}: {text}"
    );
    (status, text)
}

fn error_of(text: &str) -> String {
    let json: Value = serde_json::from_str(text).unwrap();
    json["error"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn bad_bodies_are_refused_without_echo() {
    let app = app().await;
    let bodies = [
        // Truncated JSON.
        (
            format!(r#"{{"minion_id": "m1", "fingerprint": "{SECRET}""#),
            StatusCode::BAD_REQUEST,
        ),
        // Not JSON at all.
        (format!("password={SECRET}"), StatusCode::BAD_REQUEST),
        // Unknown field carrying the secret as its name and value.
        (
            format!(r#"{{"minion_id": "m1", "fingerprint": "f", "{SECRET}": "{SECRET}"}}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // Wrong type.
        (
            format!(r#"{{"minion_id": ["{SECRET}"], "fingerprint": "f"}}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!(
                r#"{{"minion_id": "m1", "fingerprint": "f", "zone": 5, "machine_id": {{"{SECRET}": 1}}}}"#
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // Missing field.
        (
            format!(r#"{{"minion_id": "{SECRET}"}}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (body, expected) in bodies {
        let (status, text) = send(&app, CLIENT, "POST", "/client/v1/checkin", body.clone()).await;
        assert_eq!(status, expected, "{body} -> {text}");
        assert!(!text.contains("hunter2"), "{body} -> {text}");
        assert!(!error_of(&text).is_empty());
    }
    let (_, text) = send(
        &app,
        CLIENT,
        "POST",
        "/client/v1/checkin",
        format!(r#"{{"minion_id": "{SECRET}"}}"#),
    )
    .await;
    assert!(
        error_of(&text).contains("missing field `fingerprint`"),
        "{text}"
    );
    let (_, text) = send(
        &app,
        CLIENT,
        "POST",
        "/client/v1/checkin",
        "{\"minion_id\": 5, \"fingerprint\": \"f\"}",
    )
    .await;
    assert!(error_of(&text).contains("expected a string"), "{text}");

    // Enum values are not echoed either.
    let report = format!(r#"{{"minion_id": "m1", "outcome": "{SECRET}"}}"#);
    let (status, text) = send(&app, CLIENT, "POST", "/client/v1/moves/1/result", report).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text.contains("hunter2"), "{text}");
    let node = format!(
        r#"{{"id": "n1", "zone": "z", "api_url": "https://n1/rpc/api", "weight": "{SECRET}"}}"#
    );
    let (status, text) = send(&app, ADMIN, "POST", "/api/v1/nodes", node).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text.contains("hunter2"), "{text}");
}

#[tokio::test]
async fn large_bodies_are_refused() {
    let app = app().await;
    let big = format!(
        r#"{{"minion_id": "m1", "fingerprint": "{}"}}"#,
        "x".repeat(8192)
    );
    let (status, text) = send(&app, CLIENT, "POST", "/client/v1/checkin", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(&text), "request body too large");
}

#[tokio::test]
async fn bad_paths_and_queries_are_400s() {
    let app = app().await;
    let (status, text) = send(
        &app,
        ADMIN,
        "GET",
        "/api/v1/moves/not-a-number",
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_of(&text).contains("expected u64"), "{text}");
    let (status, _) = send(
        &app,
        ADMIN,
        "GET",
        "/api/v1/placement/systems/99999999999",
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, text) = send(
        &app,
        ADMIN,
        "GET",
        "/api/v1/moves?in_flight=maybe",
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&text),
        "invalid query string: in_flight: provided string was not `true` or `false`"
    );
    let (status, text) = send(
        &app,
        ADMIN,
        "GET",
        "/api/v1/moves?limit=20000",
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&text), "limit must be between 1 and 10000");
    let (status, _) = send(&app, CLIENT, "GET", "/client/v1/assignment", Body::empty()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn domain_errors_map_to_their_statuses() {
    let app = app().await;
    let (status, text) = send(&app, ADMIN, "GET", "/api/v1/operations/7", Body::empty()).await;
    assert_eq!(
        (status, error_of(&text).as_str()),
        (StatusCode::NOT_FOUND, "operation 7 not found")
    );
    let (status, text) = send(&app, ADMIN, "PUT", "/api/v1/zones/-x", "{}").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_of(&text).contains("invalid zone name"), "{text}");
    send(&app, ADMIN, "PUT", "/api/v1/zones/z", "{}").await;
    let node = r#"{"id": "n1", "zone": "z", "api_url": "https://n1/rpc/api"}"#;
    let (status, _) = send(&app, ADMIN, "POST", "/api/v1/nodes", node).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, text) = send(&app, ADMIN, "POST", "/api/v1/nodes", node).await;
    assert_eq!(
        (status, error_of(&text).as_str()),
        (StatusCode::CONFLICT, "node n1 already exists")
    );
    // A new node cannot be drained.
    let (status, text) = send(&app, ADMIN, "POST", "/api/v1/nodes/n1/drain", Body::empty()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        error_of(&text).contains("only an active node can be drained"),
        "{text}"
    );
    let (status, text) = send(
        &app,
        ADMIN,
        "PATCH",
        "/api/v1/nodes/n1",
        r#"{"state": "draining"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error_of(&text).contains("use the drain operation"),
        "{text}"
    );
}
