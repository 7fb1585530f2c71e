//! `/api/v1/placement`: where a system lives, by cluster system id or by
//! minion id, from the identity map and the client record.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiResult, ErrorBody};
use super::extract::ApiPath;
use crate::cluster::{Director, DirectorError};
use crate::model::SystemIdentity;

/// Where a system lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlacementInfo {
    /// Salt minion id, when known.
    pub minion_id: Option<String>,
    /// Cluster system id.
    pub cluster_id: i32,
    /// The node that holds it.
    pub node: String,
    /// Its system id on that node; none until the node has registered it.
    pub local_id: Option<i32>,
    /// The node it is moving to, while a move is in flight.
    pub moving_to: Option<String>,
    /// The copies it left on nodes it moved away from, while they are
    /// there: each node's id for its copy. The gateway neither lists nor
    /// routes to them; delete them once their settings are carried
    /// (`gateway carry-systems`).
    #[serde(default)]
    pub left_copies: BTreeMap<String, i32>,
}

/// The placement routes.
pub(crate) fn routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new()
        .routes(routes!(placement_of_system))
        .routes(routes!(placement_of_minion))
}

/// Completes an identity with the client record's move in flight.
async fn placement(director: &Director, identity: SystemIdentity) -> ApiResult<PlacementInfo> {
    let moving_to = match &identity.minion_id {
        Some(minion) => match director.get_client(minion).await {
            Ok(client) => client.moving_to,
            Err(DirectorError::NotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    Ok(PlacementInfo {
        minion_id: identity.minion_id,
        cluster_id: identity.cluster_id,
        node: identity.node,
        local_id: (identity.local_id != 0).then_some(identity.local_id),
        moving_to,
        left_copies: identity.left,
    })
}

async fn identity_of(
    director: &Director,
    cluster_id: i32,
) -> Result<SystemIdentity, DirectorError> {
    director
        .identity()
        .system(cluster_id)
        .await?
        .ok_or_else(|| DirectorError::NotFound {
            kind: "system",
            id: cluster_id.to_string(),
        })
}

/// Where a cluster system id lives.
#[utoipa::path(get, path = "/api/v1/placement/systems/{cluster_id}", tag = "placement",
    params(("cluster_id" = i32, Path, description = "Cluster system id")),
    responses(
        (status = 200, description = "Its placement", body = PlacementInfo),
        (status = 404, description = "No such system", body = ErrorBody)))]
async fn placement_of_system(
    State(director): State<Arc<Director>>,
    ApiPath(cluster_id): ApiPath<i32>,
) -> ApiResult<Json<PlacementInfo>> {
    let identity = identity_of(&director, cluster_id).await?;
    Ok(Json(placement(&director, identity).await?))
}

/// Where a minion's system lives.
#[utoipa::path(get, path = "/api/v1/placement/minions/{minion_id}", tag = "placement",
    params(("minion_id" = String, Path, description = "Salt minion id")),
    responses(
        (status = 200, description = "Its placement", body = PlacementInfo),
        (status = 404, description = "The minion has no cluster system id", body = ErrorBody)))]
async fn placement_of_minion(
    State(director): State<Arc<Director>>,
    ApiPath(minion_id): ApiPath<String>,
) -> ApiResult<Json<PlacementInfo>> {
    let cluster_id = director
        .identity()
        .system_by_minion(&minion_id)
        .await
        .map_err(DirectorError::from)?
        .ok_or_else(|| DirectorError::NotFound {
            kind: "placement of minion",
            id: minion_id.clone(),
        })?;
    let identity = identity_of(&director, cluster_id).await?;
    Ok(Json(placement(&director, identity).await?))
}
