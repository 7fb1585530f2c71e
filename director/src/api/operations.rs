//! `/api/v1/operations` and `/api/v1/moves`: drains, rebalances and
//! disaster recoveries, and the client moves they are made of.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::clients::page_size;
use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiPath, ApiQuery};
use crate::cluster::Director;
use crate::model::{MoveRecord, Operation};

/// Filters and paging of `GET /api/v1/moves`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MoveQuery {
    /// Only moves not finished yet.
    #[serde(default)]
    pub in_flight: Option<bool>,
    /// At most this many, newest first (default 1000, at most 10000).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The operation and move routes.
pub(crate) fn routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new()
        .routes(routes!(list_operations))
        .routes(routes!(get_operation))
        .routes(routes!(list_moves))
        .routes(routes!(get_move))
}

/// Lists every operation, oldest first.
#[utoipa::path(get, path = "/api/v1/operations", tag = "operations",
    responses((status = 200, description = "Every operation, oldest first", body = [Operation])))]
async fn list_operations(State(director): State<Arc<Director>>) -> ApiResult<Json<Vec<Operation>>> {
    Ok(Json(director.list_operations().await?))
}

/// Shows one operation and its progress.
#[utoipa::path(get, path = "/api/v1/operations/{id}", tag = "operations",
    params(("id" = u64, Path, description = "Operation id")),
    responses(
        (status = 200, description = "The operation", body = Operation),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 404, description = "No such operation", body = ErrorBody)))]
async fn get_operation(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<u64>,
) -> ApiResult<Json<Operation>> {
    Ok(Json(director.get_operation(id).await?))
}

/// Lists moves, newest first.
#[utoipa::path(get, path = "/api/v1/moves", tag = "operations", params(MoveQuery),
    responses(
        (status = 200, description = "Moves, newest first", body = [MoveRecord]),
        (status = 400, description = "Invalid limit", body = ErrorBody)))]
async fn list_moves(
    State(director): State<Arc<Director>>,
    ApiQuery(query): ApiQuery<MoveQuery>,
) -> ApiResult<Json<Vec<MoveRecord>>> {
    let limit = page_size(query.limit)?;
    let moves = director
        .list_moves(query.in_flight.unwrap_or(false), limit)
        .await?;
    Ok(Json(moves))
}

/// Shows one move.
#[utoipa::path(get, path = "/api/v1/moves/{id}", tag = "operations",
    params(("id" = u64, Path, description = "Move id")),
    responses(
        (status = 200, description = "The move", body = MoveRecord),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 404, description = "No such move", body = ErrorBody)))]
async fn get_move(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<u64>,
) -> ApiResult<Json<MoveRecord>> {
    Ok(Json(director.get_move(id).await?))
}
