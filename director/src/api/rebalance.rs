//! `/api/v1/rebalance`: plan (dry run) and apply a rebalance.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ApiResult;
use crate::cluster::{Director, RebalancePlan};
use crate::model::Operation;

/// The rebalance routes.
pub(crate) fn routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new()
        .routes(routes!(plan_rebalance))
        .routes(routes!(apply_rebalance))
}

/// The moves a rebalance would make now (dry run: nothing changes).
#[utoipa::path(get, path = "/api/v1/rebalance/plan", tag = "rebalance",
    responses((status = 200, description = "The plan", body = RebalancePlan)))]
async fn plan_rebalance(State(director): State<Arc<Director>>) -> ApiResult<Json<RebalancePlan>> {
    Ok(Json(director.plan_rebalance().await?))
}

/// Plans and starts a rebalance. Answers the operation; follow it under
/// `/api/v1/operations/{id}`.
#[utoipa::path(post, path = "/api/v1/rebalance", tag = "rebalance",
    responses((status = 202, description = "Rebalance started", body = Operation)))]
async fn apply_rebalance(
    State(director): State<Arc<Director>>,
) -> ApiResult<(StatusCode, Json<Operation>)> {
    Ok((
        StatusCode::ACCEPTED,
        Json(director.apply_rebalance().await?),
    ))
}
