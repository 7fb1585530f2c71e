//! `/api/v1/zones`: the zones of the cluster.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath};
use crate::cluster::{Director, DirectorError};
use crate::model::Zone;

/// A zone's new content (`PUT /api/v1/zones/{name}`): the name is the
/// path's; a `name` in the body, when given, must be the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneUpdate {
    /// The zone's name; optional, must equal the path's.
    #[serde(default)]
    pub name: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Labels for operators and tooling.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// The zone routes.
pub(crate) fn routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new()
        .routes(routes!(list_zones, create_zone))
        .routes(routes!(get_zone, put_zone, delete_zone))
}

/// Lists every zone, by name.
#[utoipa::path(get, path = "/api/v1/zones", tag = "zones",
    responses((status = 200, description = "Every zone, by name", body = [Zone])))]
async fn list_zones(State(director): State<Arc<Director>>) -> ApiResult<Json<Vec<Zone>>> {
    Ok(Json(director.list_zones().await?))
}

/// Creates a zone; fails with 409 when it exists.
#[utoipa::path(post, path = "/api/v1/zones", tag = "zones", request_body = Zone,
    responses(
        (status = 201, description = "Created", body = Zone),
        (status = 400, description = "Invalid name", body = ErrorBody),
        (status = 409, description = "The zone exists", body = ErrorBody)))]
async fn create_zone(
    State(director): State<Arc<Director>>,
    ApiJson(zone): ApiJson<Zone>,
) -> ApiResult<(StatusCode, Json<Zone>)> {
    match director.get_zone(&zone.name).await {
        Ok(_) => {
            return Err(DirectorError::Conflict(format!(
                "zone {} already exists: use PUT /api/v1/zones/{} to change it",
                zone.name, zone.name
            ))
            .into());
        }
        Err(DirectorError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    Ok((StatusCode::CREATED, Json(director.put_zone(zone).await?)))
}

/// Shows one zone.
#[utoipa::path(get, path = "/api/v1/zones/{name}", tag = "zones",
    params(("name" = String, Path, description = "Zone name")),
    responses(
        (status = 200, description = "The zone", body = Zone),
        (status = 404, description = "No such zone", body = ErrorBody)))]
async fn get_zone(
    State(director): State<Arc<Director>>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<Zone>> {
    Ok(Json(director.get_zone(&name).await?))
}

/// Creates or replaces a zone.
#[utoipa::path(put, path = "/api/v1/zones/{name}", tag = "zones", request_body = ZoneUpdate,
    params(("name" = String, Path, description = "Zone name")),
    responses(
        (status = 200, description = "The zone as saved", body = Zone),
        (status = 400, description = "Invalid name, or the body names another zone", body = ErrorBody)))]
async fn put_zone(
    State(director): State<Arc<Director>>,
    ApiPath(name): ApiPath<String>,
    ApiJson(update): ApiJson<ZoneUpdate>,
) -> ApiResult<Json<Zone>> {
    if let Some(other) = update.name.as_deref()
        && other != name
    {
        return Err(ApiError::BadRequest(format!(
            "the body names zone {other:?} but the path names {name:?}"
        )));
    }
    let zone = Zone {
        name,
        description: update.description,
        labels: update.labels,
    };
    Ok(Json(director.put_zone(zone).await?))
}

/// Deletes a zone that has no nodes.
#[utoipa::path(delete, path = "/api/v1/zones/{name}", tag = "zones",
    params(("name" = String, Path, description = "Zone name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such zone", body = ErrorBody),
        (status = 409, description = "The zone still has nodes", body = ErrorBody)))]
async fn delete_zone(
    State(director): State<Arc<Director>>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<StatusCode> {
    director.delete_zone(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}
