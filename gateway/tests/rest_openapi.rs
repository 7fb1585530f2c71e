//! Router tests (no socket) of `/openapi.json` and Swagger UI at `/docs`:
//! the document covers every method name of the presented release, with
//! typed parameters, request bodies, result schemas, the cookie scheme and
//! a tag per namespace; Swagger UI comes from vendored assets and reads the
//! document from the same origin.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gateway::config::{GatewayConfig, ReleaseLabel};
use gateway::{Directory, Gateway};
use http_body_util::BodyExt;
use serde_json::{Value as Json, json};
use spec::Release;
use tower::ServiceExt;

fn app(release: Release) -> Router {
    let cfg = GatewayConfig {
        release: ReleaseLabel(release),
        ..GatewayConfig::default()
    };
    let directory = Arc::new(Directory::from_config(&cfg).unwrap());
    gateway::router(Arc::new(Gateway::new(cfg, directory)))
}

async fn get(app: &Router, path: &str) -> (StatusCode, String, String) {
    let resp = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, ctype, String::from_utf8_lossy(&bytes).into_owned())
}

async fn document(release: Release) -> Json {
    let (status, ctype, text) = get(&app(release), "/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ctype, "application/json");
    serde_json::from_str(&text).unwrap()
}

fn operations(doc: &Json) -> impl Iterator<Item = (&String, &String, &Json)> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .iter()
                .map(move |(verb, op)| (path, verb, op))
        })
}

#[tokio::test]
async fn every_method_name_is_a_typed_path() {
    let doc = document(Release::Master).await;
    assert_eq!(doc["openapi"], json!("3.1.0"));
    let names: HashSet<String> = spec::spec()
        .entries_in(Release::Master)
        .map(|e| e.full_name())
        .collect();
    let ops: Vec<_> = operations(&doc).collect();
    assert_eq!(ops.len(), names.len());
    assert_eq!(doc["paths"].as_object().unwrap().len(), names.len());

    let tags: HashSet<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let namespaces: HashSet<&str> = spec::spec()
        .entries_in(Release::Master)
        .map(|e| e.namespace.as_str())
        .collect();
    assert_eq!(tags, namespaces);

    for (path, verb, op) in &ops {
        let id = op["operationId"].as_str().unwrap();
        assert!(names.contains(id), "{id}");
        let (ns, method) = id.rsplit_once('.').unwrap();
        assert_eq!(
            **path,
            format!("/rhn/manager/api/{}/{method}", ns.replace('.', "/"))
        );
        assert_eq!(op["tags"], json!([ns]));
        let entry = &spec::spec().overloads(id)[0];
        assert_eq!(**verb, format!("{:?}", entry.http).to_lowercase(), "{id}");
        assert!(op["responses"]["200"].is_object(), "{id}");
    }

    let scheme = &doc["components"]["securitySchemes"]["pxt-session-cookie"];
    assert_eq!(
        (&scheme["type"], &scheme["in"], &scheme["name"]),
        (
            &json!("apiKey"),
            &json!("cookie"),
            &json!("pxt-session-cookie")
        )
    );
    assert_eq!(doc["security"], json!([{"pxt-session-cookie": []}]));
}

#[tokio::test]
async fn parameters_bodies_and_results_are_typed() {
    let doc = document(Release::Master).await;
    let op =
        |path: &str, verb: &str| doc["paths"][format!("/rhn/manager/api/{path}")][verb].clone();

    let details = op("system/getDetails", "get");
    assert_eq!(
        details["parameters"],
        json!([{"name": "sid", "in": "query", "required": true,
               "schema": {"type": "integer", "format": "int32",
                          "minimum": i32::MIN, "maximum": i32::MAX}}])
    );
    assert_eq!(
        details["responses"]["401"]["$ref"],
        json!("#/components/responses/Unauthorized")
    );
    let result = &details["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(result["required"], json!(["success"]));
    let fields = &result["properties"]["result"]["properties"];
    assert_eq!(fields["hostname"]["type"], json!("string"));

    let list = op("system/listSystems", "get");
    let items = &list["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["result"]
        ["items"];
    assert_eq!(items["properties"]["id"]["type"], json!("integer"));
    assert_eq!(items["properties"]["last_checkin"]["type"], json!("string"));

    // Overloads: optional query keys, `oneOf` bodies, arrays repeated.
    let events = op("system/listSystemEvents", "get");
    let params = events["parameters"].as_array().unwrap();
    let required: Vec<(&str, bool)> = params
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["required"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        required,
        [
            ("sid", true),
            ("earliestDate", false),
            ("actionType", false)
        ]
    );
    assert_eq!(params[1]["schema"]["format"], json!("date-time"));
    let active = op("system/listActiveSystemsDetails", "get");
    assert_eq!(
        active["parameters"][0]["schema"]["items"]["type"],
        json!("integer")
    );
    assert_eq!(active["parameters"][0]["explode"], json!(true));

    let install = op("system/schedulePackageInstall", "post");
    let body = &install["requestBody"];
    assert_eq!(body["required"], json!(true));
    let alternatives = body["content"]["application/json"]["schema"]["oneOf"]
        .as_array()
        .unwrap();
    assert_eq!(alternatives.len(), 4);
    assert!(
        alternatives
            .iter()
            .all(|a| a["additionalProperties"] == json!(false))
    );
    assert!(
        alternatives
            .iter()
            .any(|a| a["properties"]["sid"]["type"] == json!("integer")
                && a["properties"]["earliestOccurrence"]["format"] == json!("date-time"))
    );

    let create = op("activationkey/create", "post");
    let alt = &create["requestBody"]["content"]["application/json"]["schema"]["oneOf"][0];
    assert_eq!(
        alt["properties"]["entitlements"]["items"]["type"],
        json!("string")
    );
    assert_eq!(
        alt["properties"]["universalDefault"]["type"],
        json!("boolean")
    );

    // Gateway-answered and public calls.
    assert_eq!(op("api/getVersion", "get")["security"], json!([]));
    let login = op("auth/login", "post");
    assert_eq!(login["security"], json!([]));
    assert!(login["responses"]["200"]["headers"]["Set-Cookie"].is_object());
    assert!(op("auth/logout", "get").is_object());
}

#[tokio::test]
async fn the_document_follows_the_presented_release() {
    let old = document(Release::V4_3).await;
    let new = document(Release::Master).await;
    let under = |doc: &Json, prefix: &str| {
        doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .any(|p| p.starts_with(&format!("/rhn/manager/api/{prefix}/")))
    };
    // `sync.master` left after 5.0, `access` came in 5.1.
    assert!(under(&old, "sync/master") && !under(&new, "sync/master"));
    assert!(!under(&old, "access") && under(&new, "access"));
}

#[tokio::test]
async fn swagger_ui_is_served_from_vendored_assets() {
    let app = app(Release::Master);
    let (status, _, _) = get(&app, "/docs").await;
    assert!(status.is_redirection());
    let (status, ctype, html) = get(&app, "/docs/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(html.contains("swagger-ui"), "{html}");
    let (status, _, init) = get(&app, "/docs/swagger-initializer.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(init.contains("\"/openapi.json\""), "{init}");
    assert!(init.contains("\"tryItOutEnabled\": true"), "{init}");
    for asset in ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"] {
        let (status, _, body) = get(&app, asset).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(body.len() > 10_000, "{asset}");
    }
}
