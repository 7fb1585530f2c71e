//! `/client/v1`: the API of the client agents (one per managed system),
//! behind the client token: check-in, assignment look-up, move results.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::cluster::{Assignment, CheckIn, Director};
use crate::model::{MoveOutcome, MoveRecord};

/// Query of `GET /client/v1/assignment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// SHA-256 fingerprint of the minion public key.
    pub fingerprint: String,
}

/// A client agent's report on a move:
/// `{"minion_id": "m1", "outcome": "done"}` or
/// `{"minion_id": "m1", "outcome": "rolled-back", "error": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MoveReport {
    /// Salt minion id of the reporting client.
    pub minion_id: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: MoveOutcome,
}

/// The client-agent routes.
pub(crate) fn routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new()
        .routes(routes!(check_in))
        .routes(routes!(assignment))
        .routes(routes!(move_result))
}

/// Checks a client in: registers it on first sight, places it on a node of
/// its zone, and answers its node and any move it must carry out.
#[utoipa::path(post, path = "/client/v1/checkin", tag = "client-agent", request_body = CheckIn,
    responses(
        (status = 200, description = "The client's assignment", body = Assignment),
        (status = 400, description = "Invalid minion id or fingerprint", body = ErrorBody),
        (status = 404, description = "No such zone", body = ErrorBody),
        (status = 409, description = "The minion id or key is registered otherwise", body = ErrorBody)))]
async fn check_in(
    State(director): State<Arc<Director>>,
    ApiJson(request): ApiJson<CheckIn>,
) -> ApiResult<Json<Assignment>> {
    Ok(Json(director.check_in(request).await?))
}

/// The assignment of the client with this key fingerprint, without
/// checking in.
#[utoipa::path(get, path = "/client/v1/assignment", tag = "client-agent", params(AssignmentQuery),
    responses(
        (status = 200, description = "The client's assignment", body = Assignment),
        (status = 404, description = "No client with this fingerprint", body = ErrorBody)))]
async fn assignment(
    State(director): State<Arc<Director>>,
    ApiQuery(query): ApiQuery<AssignmentQuery>,
) -> ApiResult<Json<Assignment>> {
    let client = director.client_by_fingerprint(&query.fingerprint).await?;
    Ok(Json(director.assignment(&client).await?))
}

/// Reports the outcome of a move.
#[utoipa::path(post, path = "/client/v1/moves/{id}/result", tag = "client-agent",
    request_body = MoveReport,
    params(("id" = u64, Path, description = "Move id")),
    responses(
        (status = 200, description = "The move as updated", body = MoveRecord),
        (status = 404, description = "No such move", body = ErrorBody),
        (status = 409, description = "The move is for another minion", body = ErrorBody)))]
async fn move_result(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<u64>,
    ApiJson(report): ApiJson<MoveReport>,
) -> ApiResult<Json<MoveRecord>> {
    Ok(Json(
        director
            .report_move(id, &report.minion_id, report.outcome)
            .await?,
    ))
}
