//! Router tests (no socket) of the four APIs' bearer tokens: each API
//! takes its own token and no other.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use director::api::{ApiTokens, router};
use director::bus::LocalBus;
use director::cluster::{ClusterConfig, Director};
use director::store::Store;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const ADMIN: &str = "admin-token-for-tests";
const CLIENT: &str = "client-token-for-tests";
const NODE: &str = "node-token-for-tests";
const GATEWAY: &str = "gateway-token-for-tests";

async fn app_with(tokens: ApiTokens) -> Router {
    let director = Director::new(
        Store::memory(),
        Arc::new(LocalBus::new()),
        ClusterConfig::default(),
    )
    .await
    .unwrap();
    router(Arc::new(director), tokens)
}

async fn app() -> Router {
    app_with(ApiTokens::new(ADMIN, CLIENT, NODE).with_gateway(GATEWAY)).await
}

/// Sends a request with an optional `Authorization` header value.
async fn send(
    app: &Router,
    method: &str,
    path: &str,
    auth: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(auth) = auth {
        req = req.header(header::AUTHORIZATION, auth);
    }
    let body = if method == "POST" {
        req = req.header(header::CONTENT_TYPE, "application/json");
        Body::from("{}")
    } else {
        Body::empty()
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// One route of each API.
const ADMIN_ROUTE: (&str, &str) = ("GET", "/api/v1/zones");
const CLIENT_ROUTE: (&str, &str) = ("POST", "/client/v1/checkin");
const NODE_ROUTE: (&str, &str) = ("POST", "/node/v1/heartbeat");
const GATEWAY_ROUTE: (&str, &str) = ("POST", "/gateway/v1/store");

#[tokio::test]
async fn every_api_refuses_missing_wrong_and_foreign_tokens() {
    let app = app().await;
    let cases = [
        (ADMIN_ROUTE, "admin", [CLIENT, NODE, GATEWAY]),
        (CLIENT_ROUTE, "client", [ADMIN, NODE, GATEWAY]),
        (NODE_ROUTE, "node", [ADMIN, CLIENT, GATEWAY]),
        (GATEWAY_ROUTE, "gateway", [ADMIN, CLIENT, NODE]),
    ];
    for ((method, path), api, foreign) in cases {
        let wrong = bearer("not-the-token");
        let mut attempts = vec![
            None,
            Some(wrong.as_str()),
            Some("Bearer "),
            Some("Basic YTpi"),
        ];
        let foreign: Vec<String> = foreign.iter().map(|t| bearer(t)).collect();
        attempts.extend(foreign.iter().map(|s| Some(s.as_str())));
        for auth in attempts {
            let (status, headers, body) = send(&app, method, path, auth).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {auth:?}"
            );
            let json: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                json["error"],
                format!("missing or invalid bearer token for the {api} API")
            );
            assert!(
                headers[header::WWW_AUTHENTICATE]
                    .to_str()
                    .unwrap()
                    .starts_with("Bearer"),
            );
        }
    }
}

#[tokio::test]
async fn every_api_takes_its_own_token() {
    let app = app().await;
    let (status, _, body) = send(&app, ADMIN_ROUTE.0, ADMIN_ROUTE.1, Some(&bearer(ADMIN))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, "[]");
    // Past authentication, the empty bodies are refused for what they are.
    for ((method, path), token) in [
        (CLIENT_ROUTE, CLIENT),
        (NODE_ROUTE, NODE),
        (GATEWAY_ROUTE, GATEWAY),
    ] {
        let (status, _, body) = send(&app, method, path, Some(&bearer(token))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
    }
    // The scheme is case-insensitive.
    let (status, _, _) = send(
        &app,
        "GET",
        "/api/v1/status",
        Some(&format!("bearer {ADMIN}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_api_without_a_token_refuses_everything() {
    let app = app_with(ApiTokens::new(ADMIN, "", "")).await;
    for (method, path) in [CLIENT_ROUTE, NODE_ROUTE, GATEWAY_ROUTE] {
        for auth in [None, Some(bearer(ADMIN)), Some("Bearer ".to_owned())] {
            let (status, _, _) = send(&app, method, path, auth.as_deref()).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} with {auth:?}");
        }
    }
}

#[tokio::test]
async fn open_routes_need_no_token() {
    let app = app().await;
    let (status, _, body) = send(&app, "GET", "/healthz", None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    let (status, _, _) = send(&app, "GET", "/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
}

/// `/metrics` shows what the admin API's status does, to its own token
/// alone: the listener is the agents' too.
#[tokio::test]
async fn metrics_need_their_own_token() {
    let app = app_with(
        ApiTokens::new(ADMIN, CLIENT, NODE)
            .with_gateway(GATEWAY)
            .with_metrics("metrics-token-for-tests"),
    )
    .await;
    for auth in [None, Some(bearer(ADMIN)), Some(bearer(CLIENT))] {
        let (status, _, _) = send(&app, "GET", "/metrics", auth.as_deref()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
    }
    let auth = bearer("metrics-token-for-tests");
    let (status, headers, body) = send(&app, "GET", "/metrics", Some(&auth)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{headers:?}"
    );
    assert!(body.contains("director_clients 0\n"), "{body}");
}

#[tokio::test]
async fn unknown_paths_are_json_404s() {
    let app = app().await;
    let (status, _, body) = send(&app, "GET", "/nope", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["error"], "no such resource");
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = app().await;
    let (_, headers, _) = send(&app, "GET", "/healthz", None).await;
    let id = headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 16, "{id}");
    let req = Request::get("/healthz")
        .header("x-request-id", "caller-chosen-1")
        .body(Body::empty())
        .unwrap();
    let resp = app.oneshot(req).await.unwrap();
    assert_eq!(resp.headers()["x-request-id"], "caller-chosen-1");
}
