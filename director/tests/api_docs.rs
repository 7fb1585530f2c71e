//! Router tests (no socket) of the OpenAPI document and Swagger UI.

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

async fn app() -> Router {
    let director = Director::new(
        Store::memory(),
        Arc::new(LocalBus::new()),
        ClusterConfig::default(),
    )
    .await
    .unwrap();
    router(Arc::new(director), ApiTokens::new("a", "c", "n"))
}

async fn get(app: &Router, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let req = Request::get(path).body(Body::empty()).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// Every route: method, path, security scheme, tag.
const ROUTES: &[(&str, &str, Option<&str>, &str)] = &[
    ("get", "/api/v1/zones", Some("admin_token"), "zones"),
    ("post", "/api/v1/zones", Some("admin_token"), "zones"),
    ("get", "/api/v1/zones/{name}", Some("admin_token"), "zones"),
    ("put", "/api/v1/zones/{name}", Some("admin_token"), "zones"),
    (
        "delete",
        "/api/v1/zones/{name}",
        Some("admin_token"),
        "zones",
    ),
    ("get", "/api/v1/nodes", Some("admin_token"), "nodes"),
    ("post", "/api/v1/nodes", Some("admin_token"), "nodes"),
    ("get", "/api/v1/nodes/{id}", Some("admin_token"), "nodes"),
    ("patch", "/api/v1/nodes/{id}", Some("admin_token"), "nodes"),
    ("delete", "/api/v1/nodes/{id}", Some("admin_token"), "nodes"),
    (
        "post",
        "/api/v1/nodes/{id}/drain",
        Some("admin_token"),
        "nodes",
    ),
    (
        "post",
        "/api/v1/nodes/{id}/cordon",
        Some("admin_token"),
        "nodes",
    ),
    (
        "post",
        "/api/v1/nodes/{id}/uncordon",
        Some("admin_token"),
        "nodes",
    ),
    (
        "get",
        "/api/v1/nodes/{id}/follows",
        Some("admin_token"),
        "nodes",
    ),
    (
        "delete",
        "/api/v1/nodes/{id}/follows",
        Some("admin_token"),
        "nodes",
    ),
    (
        "delete",
        "/api/v1/nodes/{id}/missed-calls",
        Some("admin_token"),
        "nodes",
    ),
    ("get", "/api/v1/clients", Some("admin_token"), "clients"),
    (
        "get",
        "/api/v1/clients/{minion_id}",
        Some("admin_token"),
        "clients",
    ),
    (
        "delete",
        "/api/v1/clients/{minion_id}",
        Some("admin_token"),
        "clients",
    ),
    (
        "get",
        "/api/v1/placement/systems/{cluster_id}",
        Some("admin_token"),
        "placement",
    ),
    (
        "get",
        "/api/v1/placement/minions/{minion_id}",
        Some("admin_token"),
        "placement",
    ),
    (
        "get",
        "/api/v1/rebalance/plan",
        Some("admin_token"),
        "rebalance",
    ),
    (
        "post",
        "/api/v1/rebalance",
        Some("admin_token"),
        "rebalance",
    ),
    (
        "get",
        "/api/v1/operations",
        Some("admin_token"),
        "operations",
    ),
    (
        "get",
        "/api/v1/operations/{id}",
        Some("admin_token"),
        "operations",
    ),
    ("get", "/api/v1/moves", Some("admin_token"), "operations"),
    (
        "get",
        "/api/v1/moves/{id}",
        Some("admin_token"),
        "operations",
    ),
    ("get", "/api/v1/status", Some("admin_token"), "status"),
    (
        "post",
        "/client/v1/checkin",
        Some("client_token"),
        "client-agent",
    ),
    (
        "get",
        "/client/v1/assignment",
        Some("client_token"),
        "client-agent",
    ),
    (
        "post",
        "/client/v1/moves/{id}/result",
        Some("client_token"),
        "client-agent",
    ),
    (
        "post",
        "/node/v1/heartbeat",
        Some("node_token"),
        "node-agent",
    ),
    ("post", "/node/v1/events", Some("node_token"), "node-agent"),
    (
        "post",
        "/gateway/v1/store",
        Some("gateway_token"),
        "gateway",
    ),
    (
        "post",
        "/gateway/v1/placement",
        Some("gateway_token"),
        "gateway",
    ),
    (
        "post",
        "/gateway/v1/nodes/{id}/seeded",
        Some("gateway_token"),
        "gateway",
    ),
    (
        "post",
        "/gateway/v1/nodes/{id}/copies-deleted",
        Some("gateway_token"),
        "gateway",
    ),
    ("get", "/healthz", None, "status"),
    ("get", "/metrics", Some("metrics_token"), "status"),
];

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let (status, headers, text) = get(&app().await, "/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for scheme in ["admin_token", "client_token", "node_token", "gateway_token"] {
        let s = &doc["components"]["securitySchemes"][scheme];
        assert_eq!(
            (s["type"].as_str(), s["scheme"].as_str()),
            (Some("http"), Some("bearer")),
            "{scheme}"
        );
    }
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (method, path, scheme, tag) in ROUTES {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is missing");
        assert!(
            op["tags"].as_array().unwrap().iter().any(|t| t == tag),
            "{method} {path}: {}",
            op["tags"]
        );
        assert!(
            op["description"].is_string() || op["summary"].is_string(),
            "{method} {path} undocumented"
        );
        match scheme {
            Some(scheme) => {
                assert!(
                    op["security"][0][scheme].is_array(),
                    "{method} {path}: {}",
                    op["security"]
                );
                assert!(op["responses"]["401"].is_object(), "{method} {path}");
            }
            None => assert!(op["security"].is_null(), "{method} {path}"),
        }
    }
    for item in paths.values() {
        operations += item.as_object().unwrap().len();
    }
    assert_eq!(
        operations,
        ROUTES.len(),
        "routes documented but not listed here"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["schemas"]["Operation"].is_object());
    let drain = &doc["paths"]["/api/v1/nodes/{id}/drain"]["post"];
    assert!(drain["responses"]["202"]["content"]["application/json"].is_object());
    assert_eq!(serde_json::to_value(director::api::openapi()).unwrap(), doc);
}

#[tokio::test]
async fn swagger_ui_is_served_with_its_assets() {
    let app = app().await;
    let (status, headers, _) = get(&app, "/docs").await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(headers[header::LOCATION], "/docs/");
    let (status, headers, html) = get(&app, "/docs/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(html.contains("swagger-ui"), "{html}");
    let scripts: Vec<&str> = html
        .split("src=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert!(scripts.len() >= 2, "{html}");
    for script in scripts {
        let path = format!("/docs/{}", script.trim_start_matches("./"));
        let (status, headers, body) = get(&app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("javascript"),
            "{path}"
        );
        assert!(body.len() > 100, "{path}");
    }
    let (_, _, init) = get(&app, "/docs/swagger-initializer.js").await;
    assert!(init.contains("/openapi.json"), "{init}");
}
