//! `/node/v1`: the API of the node agents, behind the node token: the HTTP
//! alternative to sending heartbeats and node events over the bus.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiResult, ErrorBody};
use super::extract::ApiJson;
use crate::cluster::{Director, Heartbeat, NodeEvent};

/// The node-agent routes.
pub(crate) fn routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new()
        .routes(routes!(heartbeat))
        .routes(routes!(event))
}

/// Records a node's heartbeat and load.
#[utoipa::path(post, path = "/node/v1/heartbeat", tag = "node-agent", request_body = Heartbeat,
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, description = "No such node", body = ErrorBody),
        (status = 409, description = "The node was removed", body = ErrorBody)))]
async fn heartbeat(
    State(director): State<Arc<Director>>,
    ApiJson(beat): ApiJson<Heartbeat>,
) -> ApiResult<StatusCode> {
    director.heartbeat(beat).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a change on a node (a system registered or deleted there).
#[utoipa::path(post, path = "/node/v1/events", tag = "node-agent", request_body = NodeEvent,
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, description = "No such node", body = ErrorBody)))]
async fn event(
    State(director): State<Arc<Director>>,
    ApiJson(event): ApiJson<NodeEvent>,
) -> ApiResult<StatusCode> {
    director.node_event(event).await?;
    Ok(StatusCode::NO_CONTENT)
}
