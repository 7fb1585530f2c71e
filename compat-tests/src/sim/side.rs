//! The simulator's own side endpoint, under `/uyuni-sim/v1`. Not part of the
//! SUSE Manager API: it stands for what happens outside the API on a real
//! node, a Salt minion registering or a system being removed, so that tests
//! can move systems between nodes.
//!
//! - `GET /uyuni-sim/v1/info`: `{name, zone, release, systems}`.
//! - `POST /uyuni-sim/v1/systems` with `{"minion_id", "machine_id", "hostname"}`:
//!   registers a system as a minion registering with the server would; a
//!   minion id already registered keeps its system (re-registration).
//!   Answers `201 {"id", "created": true}` or `200 {"id", "created": false}`.
//! - `GET /uyuni-sim/v1/systems/{id}`: `{id, minion_id, machine_id, hostname}`.
//! - `GET /uyuni-sim/v1/minions/{minion_id}`: the same, by minion id.
//! - `DELETE /uyuni-sim/v1/systems/{id}`: removes it (`204`, or `404`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::Node;
use super::clock::now_secs;
use super::model::System;

/// A registration, as a minion presents itself.
#[derive(Debug, Deserialize)]
pub struct Registration {
    /// Salt minion id.
    pub minion_id: String,
    /// `/etc/machine-id`.
    pub machine_id: String,
    /// Fully qualified host name.
    pub hostname: String,
}

/// A system as the side endpoint shows it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SystemInfo {
    /// Server id on this node.
    pub id: i32,
    /// Salt minion id.
    pub minion_id: String,
    /// Machine id.
    pub machine_id: String,
    /// Host name.
    pub hostname: String,
}

pub(super) fn routes() -> Router<Arc<Node>> {
    Router::new()
        .route("/info", get(info))
        .route("/systems", post(register))
        .route("/systems/{id}", get(get_system).delete(remove))
        .route("/minions/{minion_id}", get(get_by_minion))
}

async fn info(State(node): State<Arc<Node>>) -> Response {
    let config = node.config();
    let systems = node.read().systems.len();
    Json(serde_json::json!({
        "name": config.name,
        "zone": config.zone,
        "release": format!("{:?}", config.release),
        "systems": systems,
    }))
    .into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

async fn register(State(node): State<Arc<Node>>, body: axum::body::Bytes) -> Response {
    let Ok(reg) = serde_json::from_slice::<Registration>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "expected a JSON object with string fields minion_id, machine_id and hostname",
        );
    };
    if reg.minion_id.trim().is_empty() || reg.hostname.trim().is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "minion_id and hostname must not be empty",
        );
    }
    let mut data = node.write();
    if let Some(&id) = data.by_minion.get(&reg.minion_id) {
        // The minion registers again with the profile it had: the server
        // keeps the profile and counts it a check-in.
        let now = now_secs();
        if let Some(system) = data.systems.get_mut(&id) {
            system.last_checkin = now;
        }
        return (
            StatusCode::OK,
            Json(serde_json::json!({ "id": id, "created": false })),
        )
            .into_response();
    }
    let now = now_secs();
    let id = data.add_system(System {
        id: 0,
        name: reg.hostname.clone(),
        hostname: reg.hostname,
        minion_id: reg.minion_id,
        machine_id: reg.machine_id,
        created: now,
        last_checkin: now,
        last_boot: now,
        release: "15.6".to_owned(),
        description: "Registered through the simulator's side endpoint".to_owned(),
    });
    (
        StatusCode::CREATED,
        Json(serde_json::json!({ "id": id, "created": true })),
    )
        .into_response()
}

fn system_info(s: &System) -> SystemInfo {
    SystemInfo {
        id: s.id,
        minion_id: s.minion_id.clone(),
        machine_id: s.machine_id.clone(),
        hostname: s.hostname.clone(),
    }
}

async fn get_system(State(node): State<Arc<Node>>, Path(id): Path<i32>) -> Response {
    match node.read().systems.get(&id) {
        Some(s) => Json(system_info(s)).into_response(),
        None => error(StatusCode::NOT_FOUND, "no such system"),
    }
}

async fn get_by_minion(State(node): State<Arc<Node>>, Path(minion_id): Path<String>) -> Response {
    let data = node.read();
    match data
        .by_minion
        .get(&minion_id)
        .and_then(|id| data.systems.get(id))
    {
        Some(s) => Json(system_info(s)).into_response(),
        None => error(StatusCode::NOT_FOUND, "no such minion"),
    }
}

async fn remove(State(node): State<Arc<Node>>, Path(id): Path<i32>) -> Response {
    match node.write().remove_system(id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => error(StatusCode::NOT_FOUND, "no such system"),
    }
}
