//! `/api/v1/status` (the cluster at a glance) and `/healthz` (liveness).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ApiResult;
use crate::cluster::{ClusterStatus, Director};

/// The admin status route.
pub(crate) fn routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new().routes(routes!(status))
}

/// The unauthenticated liveness route.
pub(crate) fn health_routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new().routes(routes!(healthz))
}

/// Per node: clients, weight and health; totals.
#[utoipa::path(get, path = "/api/v1/status", tag = "status",
    responses((status = 200, description = "The cluster at a glance", body = ClusterStatus)))]
async fn status(State(director): State<Arc<Director>>) -> ApiResult<Json<ClusterStatus>> {
    Ok(Json(director.status().await?))
}

/// Liveness: the process serves HTTP. Needs no token.
#[utoipa::path(get, path = "/healthz", tag = "status",
    responses((status = 200, description = "Alive", body = String, content_type = "text/plain")))]
async fn healthz() -> &'static str {
    "ok"
}
