//! A fake director: an axum server speaking the client API
//! (`/client/v1`) with the director's own types, that lists one pending
//! move at check-in until the client reports on it, and records check-ins
//! and reports for the test to wait on.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use director::api::{AssignmentQuery, MoveReport};
use director::cluster::{Assignment, CheckIn, MoveDirective};
use director::model::{ClientStatus, MoveOutcome, MoveRecord, MoveState};
use director::placement::MoveReason;
use tokio::sync::watch;

/// The client token the fake director accepts.
pub const TOKEN: &str = "client-token-for-tests";

/// What the fake director saw.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    /// Check-ins, in order.
    pub checkins: Vec<CheckIn>,
    /// Reports, in order: move id and report.
    pub reports: Vec<(u64, MoveReport)>,
    /// Requests refused for a wrong or missing token.
    pub unauthorized: usize,
}

#[derive(Debug)]
struct Inner {
    pending: Mutex<Option<MoveDirective>>,
    seen: watch::Sender<Seen>,
}

/// A running fake director.
pub struct FakeDirector {
    /// Its base URL.
    pub url: String,
    inner: Arc<Inner>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeDirector {
    /// Starts one over plain HTTP on 127.0.0.1.
    pub async fn start() -> FakeDirector {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (inner, app) = Self::app();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        FakeDirector {
            url,
            inner,
            stop: Some(stop),
        }
    }

    /// Starts one over HTTPS with `tls` on 127.0.0.1; the URL names
    /// `localhost`.
    pub async fn start_tls(tls: axum_server::tls_rustls::RustlsConfig) -> FakeDirector {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let (inner, app) = Self::app();
        let handle = axum_server::Handle::new();
        let server = axum_server::from_tcp_rustls(listener, tls)
            .unwrap()
            .handle(handle.clone());
        tokio::spawn(async move {
            server.serve(app.into_make_service()).await.unwrap();
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = stopped.await;
            handle.shutdown();
        });
        FakeDirector {
            url: format!("https://localhost:{port}"),
            inner,
            stop: Some(stop),
        }
    }

    fn app() -> (Arc<Inner>, Router) {
        let inner = Arc::new(Inner {
            pending: Mutex::new(None),
            seen: watch::channel(Seen::default()).0,
        });
        let app = Router::new()
            .route("/client/v1/checkin", post(check_in))
            .route("/client/v1/assignment", get(assignment))
            .route("/client/v1/moves/{id}/result", post(move_result))
            .with_state(inner.clone());
        (inner, app)
    }

    /// Lists `directive` at check-in until the client reports on it.
    pub fn direct(&self, directive: MoveDirective) {
        *self.inner.pending.lock().unwrap() = Some(directive);
    }

    /// What it saw so far.
    pub fn seen(&self) -> Seen {
        self.inner.seen.borrow().clone()
    }

    /// Waits up to `timeout` for the report on move `move_id`.
    pub async fn report(&self, move_id: u64, timeout: Duration) -> MoveReport {
        let mut seen = self.inner.seen.subscribe();
        let found = tokio::time::timeout(
            timeout,
            seen.wait_for(|s| s.reports.iter().any(|(id, _)| *id == move_id)),
        )
        .await;
        match found {
            Ok(Ok(s)) => s
                .reports
                .iter()
                .find(|(id, _)| *id == move_id)
                .unwrap()
                .1
                .clone(),
            _ => panic!(
                "no report on move {move_id} within {timeout:?}; the director saw {:?}",
                self.seen()
            ),
        }
    }

    /// Waits up to `timeout` for `n` check-ins.
    pub async fn checkins(&self, n: usize, timeout: Duration) -> Vec<CheckIn> {
        let mut seen = self.inner.seen.subscribe();
        match tokio::time::timeout(timeout, seen.wait_for(|s| s.checkins.len() >= n)).await {
            Ok(Ok(s)) => s.checkins.clone(),
            _ => panic!(
                "fewer than {n} check-ins within {timeout:?}: {:?}",
                self.seen()
            ),
        }
    }
}

impl Drop for FakeDirector {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A move of `minion` to `master`.
pub fn move_to(move_id: u64, minion: &str, master: &str) -> MoveDirective {
    MoveDirective {
        move_id,
        minion_id: minion.to_owned(),
        cluster_id: 1_000_001,
        from: Some("node-a".into()),
        to: "node-b".into(),
        master: master.to_owned(),
        attempt: 1,
    }
}

fn authorized(inner: &Inner, headers: &HeaderMap) -> Result<(), StatusCode> {
    let ok = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {TOKEN}"));
    if ok {
        Ok(())
    } else {
        inner.seen.send_modify(|s| s.unauthorized += 1);
        Err(StatusCode::UNAUTHORIZED)
    }
}

fn assignment_of(inner: &Inner, minion_id: &str) -> Assignment {
    let pending = inner.pending.lock().unwrap().clone();
    Assignment {
        minion_id: minion_id.to_owned(),
        cluster_id: 1_000_001,
        status: ClientStatus::Onboarded,
        node: Some("node-a".into()),
        master: None,
        pending_move: pending.filter(|m| m.minion_id == minion_id),
    }
}

async fn check_in(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Json(request): Json<CheckIn>,
) -> Result<Json<Assignment>, StatusCode> {
    authorized(&inner, &headers)?;
    let answer = assignment_of(&inner, &request.minion_id);
    inner.seen.send_modify(|s| s.checkins.push(request));
    Ok(Json(answer))
}

async fn assignment(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Query(query): Query<AssignmentQuery>,
) -> Result<Json<Assignment>, StatusCode> {
    authorized(&inner, &headers)?;
    let minion = inner
        .seen
        .borrow()
        .checkins
        .iter()
        .find(|c| c.fingerprint == query.fingerprint)
        .map(|c| c.minion_id.clone())
        .ok_or(StatusCode::NOT_FOUND)?;
    Ok(Json(assignment_of(&inner, &minion)))
}

async fn move_result(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Json(report): Json<MoveReport>,
) -> Result<Json<MoveRecord>, StatusCode> {
    authorized(&inner, &headers)?;
    let directive = {
        let mut pending = inner.pending.lock().unwrap();
        let directive = pending.clone().filter(|m| m.move_id == id);
        if directive.is_some() {
            *pending = None;
        }
        directive
    };
    let record = MoveRecord {
        id,
        minion_id: report.minion_id.clone(),
        cluster_id: 1_000_001,
        from: Some("node-a".into()),
        to: directive.map(|d| d.to).unwrap_or_default(),
        reason: MoveReason::Fill,
        state: match &report.outcome {
            MoveOutcome::Done => MoveState::Done,
            MoveOutcome::RolledBack { .. } => MoveState::Failed,
        },
        attempts: 1,
        operation: None,
        created: 0,
        updated: 0,
        deadline: None,
        error: match &report.outcome {
            MoveOutcome::Done => None,
            MoveOutcome::RolledBack { error } => Some(error.clone()),
        },
    };
    inner.seen.send_modify(|s| s.reports.push((id, report)));
    Ok(Json(record))
}
