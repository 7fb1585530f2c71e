//! HTTP round trips against a tiny in-test director (axum on port 0) that
//! serves canned JSON and checks the bearer token: decoding, error
//! messages, and following operations to `done` and to `failed`.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::cli::{
    AdminClient, CliError, Command, GlobalArgs, NodeCommand, OperationCommand, Outcome,
    ProgressView, follow_operation, run,
};
use crate::cluster::ClusterStatus;
use crate::model::OperationState;

const TOKEN: &str = "test-admin-token";

/// Polls answered so far, per operation id.
type Polls = Arc<Mutex<HashMap<u64, usize>>>;

async fn start_director() -> String {
    let polls: Polls = Arc::default();
    let app = Router::new()
        .route("/api/v1/status", get(status))
        .route("/api/v1/operations/{id}", get(operation))
        .route("/api/v1/nodes/{id}/drain", post(drain))
        .with_state(polls);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn unauthorized(headers: &HeaderMap) -> Option<Response> {
    let expected = format!("Bearer {TOKEN}");
    let given = headers.get("authorization").and_then(|v| v.to_str().ok());
    (given != Some(expected.as_str())).then(|| {
        let body = Json(json!({ "error": "missing or wrong admin token" }));
        (StatusCode::UNAUTHORIZED, body).into_response()
    })
}

async fn status(headers: HeaderMap) -> Response {
    if let Some(denied) = unauthorized(&headers) {
        return denied;
    }
    Json(json!({
        "nodes": [{
            "id": "n1", "zone": "eu", "state": "active", "cordoned": false,
            "weight": 1.0, "clients": 12, "health": "healthy",
            "last_heartbeat": 1_700_000_000_000_i64,
            "load": { "systems": 12, "load_avg": 0.5 }
        }],
        "clients": 12, "moves_in_flight": 0, "operations_running": 1
    }))
    .into_response()
}

/// Operation 1 ends `done` on its third poll, operation 2 `failed` on its
/// second; any other id is unknown.
async fn operation(
    State(polls): State<Polls>,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Response {
    if let Some(denied) = unauthorized(&headers) {
        return denied;
    }
    let poll = {
        let mut polls = polls.lock().unwrap();
        let n = polls.entry(id).or_default();
        *n += 1;
        *n
    };
    let (state, done, failed) = match (id, poll) {
        (1, 1) => ("running", 0, 0),
        (1, 2) => ("running", 2, 0),
        (1, _) => ("done", 3, 0),
        (2, 1) => ("running", 1, 0),
        (2, _) => ("failed", 1, 2),
        _ => {
            let body = Json(json!({ "error": format!("operation {id} not found") }));
            return (StatusCode::NOT_FOUND, body).into_response();
        }
    };
    Json(operation_json(id, state, done, failed)).into_response()
}

fn operation_json(id: u64, state: &str, done: u64, failed: u64) -> Value {
    json!({
        "id": id, "kind": "drain", "node": "n1", "state": state,
        "total": 3, "done": done, "failed": failed,
        "created": 0, "updated": 0, "deadline": null
    })
}

async fn drain(Path(node): Path<String>, headers: HeaderMap, body: Json<Value>) -> Response {
    if let Some(denied) = unauthorized(&headers) {
        return denied;
    }
    assert_eq!(node, "n1");
    assert_eq!(body.0, json!({ "deadline_secs": 1800 }));
    Json(operation_json(1, "running", 0, 0)).into_response()
}

/// A writer the test reads back: the follower's progress lines.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<String> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines().map(str::to_owned).collect()
    }
}

fn client(url: &str, token: &str) -> AdminClient {
    AdminClient::new(&GlobalArgs::new(url, token)).unwrap()
}

#[tokio::test]
async fn status_decodes_with_the_bearer_token() {
    let url = start_director().await;
    let c = client(&url, TOKEN);
    let status: ClusterStatus = c.get(c.url(&["status"], &[])).await.unwrap();
    assert_eq!(status.nodes[0].id, "n1");
    assert_eq!(status.clients, 12);

    let outcome = run(&GlobalArgs::new(&url, TOKEN), Command::Status).await;
    assert_eq!(outcome.unwrap(), Outcome::Success);
}

#[tokio::test]
async fn a_wrong_token_gives_the_server_message_and_status_but_not_the_token() {
    let url = start_director().await;
    let c = client(&url, "wrong-secret");
    let err = c
        .get::<ClusterStatus>(c.url(&["status"], &[]))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "missing or wrong admin token (HTTP 401)");
    assert!(!format!("{err} {err:?}").contains("wrong-secret"));
}

#[tokio::test]
async fn following_ends_on_done_with_one_line_per_change() {
    let url = start_director().await;
    let captured = Captured::default();
    let mut view = ProgressView::lines(Box::new(captured.clone()));
    let op = follow_operation(&client(&url, TOKEN), 1, Duration::from_millis(5), &mut view)
        .await
        .unwrap();
    assert_eq!(op.state, OperationState::Done);
    assert_eq!(
        captured.lines(),
        [
            "drain of n1 (operation 1): running, 0/3 done, 0 failed",
            "drain of n1 (operation 1): running, 2/3 done, 0 failed",
            "drain of n1 (operation 1): done, 3/3 done, 0 failed",
        ]
    );
}

#[tokio::test]
async fn following_an_unknown_operation_fails_with_the_server_message() {
    let url = start_director().await;
    let mut view = ProgressView::lines(Box::new(Captured::default()));
    let err = follow_operation(
        &client(&url, TOKEN),
        99,
        Duration::from_millis(5),
        &mut view,
    )
    .await
    .unwrap_err();
    assert_eq!(err.to_string(), "operation 99 not found (HTTP 404)");
}

#[tokio::test]
async fn drain_wait_succeeds_and_a_failed_operation_exits_non_zero() {
    let url = start_director().await;
    let global = GlobalArgs::new(&url, TOKEN);
    let drain = Command::Node(NodeCommand::Drain {
        id: "n1".into(),
        deadline: Some(Duration::from_secs(1800)),
        wait: true,
    });
    assert_eq!(run(&global, drain).await.unwrap(), Outcome::Success);

    let show = Command::Operation(OperationCommand::Show { id: 2, wait: true });
    let outcome = run(&global, show).await.unwrap();
    assert_eq!(outcome, Outcome::OperationFailed);
    assert_ne!(outcome.exit_code(), std::process::ExitCode::SUCCESS);
}

#[tokio::test]
async fn an_unreachable_director_is_named_by_its_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let c = client(&url, TOKEN);
    let err = c
        .get::<ClusterStatus>(c.url(&["status"], &[]))
        .await
        .unwrap_err();
    assert!(matches!(err, CliError::Unreachable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&format!("{url}/api/v1/status")), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
}
