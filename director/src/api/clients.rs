//! `/api/v1/clients`: the managed client systems.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiPath, ApiQuery};
use crate::cluster::Director;
use crate::model::Client;

/// Page size when none is asked for.
pub const DEFAULT_PAGE: usize = 1000;
/// Largest page one request may ask for.
pub const MAX_PAGE: usize = 10_000;

/// Checks a requested page size: default [`DEFAULT_PAGE`], 1 to [`MAX_PAGE`].
pub(crate) fn page_size(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit.unwrap_or(DEFAULT_PAGE) {
        n @ 1..=MAX_PAGE => Ok(n),
        _ => Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_PAGE}"
        ))),
    }
}

/// Filters and paging of `GET /api/v1/clients`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientQuery {
    /// Only clients of this zone.
    #[serde(default)]
    pub zone: Option<String>,
    /// Only clients owned by this node.
    #[serde(default)]
    pub node: Option<String>,
    /// Only clients whose minion id sorts after this one: pass the last
    /// minion id of a page to get the next page.
    #[serde(default)]
    pub after: Option<String>,
    /// At most this many (default 1000, at most 10000).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The client routes.
pub(crate) fn routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new()
        .routes(routes!(list_clients))
        .routes(routes!(get_client, delete_client))
}

/// Lists clients in minion id order, one page at a time.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", params(ClientQuery),
    responses(
        (status = 200, description = "One page of clients, by minion id", body = [Client]),
        (status = 400, description = "Invalid limit", body = ErrorBody)))]
async fn list_clients(
    State(director): State<Arc<Director>>,
    ApiQuery(query): ApiQuery<ClientQuery>,
) -> ApiResult<Json<Vec<Client>>> {
    let limit = page_size(query.limit)?;
    let clients = director
        .list_clients(
            query.zone.as_deref(),
            query.node.as_deref(),
            query.after.as_deref(),
            limit,
        )
        .await?;
    Ok(Json(clients))
}

/// Shows one client.
#[utoipa::path(get, path = "/api/v1/clients/{minion_id}", tag = "clients",
    params(("minion_id" = String, Path, description = "Salt minion id")),
    responses(
        (status = 200, description = "The client", body = Client),
        (status = 404, description = "No such client", body = ErrorBody)))]
async fn get_client(
    State(director): State<Arc<Director>>,
    ApiPath(minion_id): ApiPath<String>,
) -> ApiResult<Json<Client>> {
    Ok(Json(director.get_client(&minion_id).await?))
}

/// Deletes a client: it leaves placement and the identity map, and its
/// agent is told `deleted` at its next check-in.
#[utoipa::path(delete, path = "/api/v1/clients/{minion_id}", tag = "clients",
    params(("minion_id" = String, Path, description = "Salt minion id")),
    responses(
        (status = 200, description = "The client, marked deleted", body = Client),
        (status = 404, description = "No such client", body = ErrorBody)))]
async fn delete_client(
    State(director): State<Arc<Director>>,
    ApiPath(minion_id): ApiPath<String>,
) -> ApiResult<Json<Client>> {
    Ok(Json(director.delete_client(&minion_id).await?))
}
