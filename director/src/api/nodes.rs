//! `/api/v1/nodes`: the nodes of the cluster and their lifecycle (patch,
//! cordon, drain, removal).

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::cluster::{
    Director, FollowsForgotten, MissedCallsForgotten, NewNode, NodeFollows, NodePatch,
};
use crate::model::{Millis, Node, Operation};

/// How to drain a node (`POST /api/v1/nodes/{id}/drain`); the body may be
/// left out.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrainRequest {
    /// Seconds the drain has before it is reported failed (its moves go
    /// on); none means no deadline.
    #[serde(default)]
    pub deadline_secs: Option<f64>,
}

/// Which follow records to remove (`DELETE /api/v1/nodes/{id}/follows`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ForgetFollows {
    /// Only this gateway's record (refused when changes in it count
    /// against the node); without it, every record none of whose changes
    /// does.
    #[serde(default)]
    pub gateway: Option<String>,
}

/// Which missed calls to clear (`DELETE /api/v1/nodes/{id}/missed-calls`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema, IntoParams,
)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ForgetMissed {
    /// Only the methods last counted at or before this time (milliseconds
    /// since the Unix epoch: the latest `last` read), so that a miss
    /// counted since is kept; without it, every one.
    #[serde(default)]
    pub through: Option<Millis>,
}

/// The node routes.
pub(crate) fn routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new()
        .routes(routes!(list_nodes, add_node))
        .routes(routes!(get_node, patch_node, remove_node))
        .routes(routes!(drain_node))
        .routes(routes!(cordon_node))
        .routes(routes!(uncordon_node))
        .routes(routes!(node_follows, forget_follows))
        .routes(routes!(forget_missed_calls))
}

/// Lists every node (removed ones included), by id.
#[utoipa::path(get, path = "/api/v1/nodes", tag = "nodes",
    responses((status = 200, description = "Every node, by id", body = [Node])))]
async fn list_nodes(State(director): State<Arc<Director>>) -> ApiResult<Json<Vec<Node>>> {
    Ok(Json(director.list_nodes().await?))
}

/// Registers a node.
#[utoipa::path(post, path = "/api/v1/nodes", tag = "nodes", request_body = NewNode,
    responses(
        (status = 201, description = "Registered", body = Node),
        (status = 400, description = "Invalid id, URL, weight or state", body = ErrorBody),
        (status = 404, description = "No such zone", body = ErrorBody),
        (status = 409, description = "The node exists, or it would join staged or active beside serving nodes without `unseeded`", body = ErrorBody)))]
async fn add_node(
    State(director): State<Arc<Director>>,
    ApiJson(new): ApiJson<NewNode>,
) -> ApiResult<(StatusCode, Json<Node>)> {
    Ok((StatusCode::CREATED, Json(director.add_node(new).await?)))
}

/// Shows one node.
#[utoipa::path(get, path = "/api/v1/nodes/{id}", tag = "nodes",
    params(("id" = String, Path, description = "Node id")),
    responses(
        (status = 200, description = "The node", body = Node),
        (status = 404, description = "No such node", body = ErrorBody)))]
async fn get_node(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Node>> {
    Ok(Json(director.get_node(&id).await?))
}

/// Changes a node's weight, URLs or lifecycle state.
#[utoipa::path(patch, path = "/api/v1/nodes/{id}", tag = "nodes", request_body = NodePatch,
    params(("id" = String, Path, description = "Node id")),
    responses(
        (status = 200, description = "The node as changed", body = Node),
        (status = 400, description = "Invalid change", body = ErrorBody),
        (status = 404, description = "No such node", body = ErrorBody),
        (status = 409, description = "The lifecycle does not allow it, or the node lacks the seed-node run it needs first (the message says which)", body = ErrorBody)))]
async fn patch_node(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<NodePatch>,
) -> ApiResult<Json<Node>> {
    Ok(Json(director.patch_node(&id, patch).await?))
}

/// Removes a node that holds no clients; its record stays as a tombstone.
#[utoipa::path(delete, path = "/api/v1/nodes/{id}", tag = "nodes",
    params(("id" = String, Path, description = "Node id")),
    responses(
        (status = 200, description = "The removed node", body = Node),
        (status = 404, description = "No such node", body = ErrorBody),
        (status = 409, description = "The node still owns clients or is not offline", body = ErrorBody)))]
async fn remove_node(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Node>> {
    Ok(Json(director.remove_node(&id).await?))
}

/// Drains a node: its clients move to the other nodes of its zone, then it
/// goes offline. Answers the drain operation; follow it under
/// `/api/v1/operations/{id}`.
#[utoipa::path(post, path = "/api/v1/nodes/{id}/drain", tag = "nodes",
    request_body(content = Option<DrainRequest>, description = "Optional deadline"),
    params(("id" = String, Path, description = "Node id")),
    responses(
        (status = 202, description = "Drain started", body = Operation),
        (status = 400, description = "Invalid deadline", body = ErrorBody),
        (status = 404, description = "No such node", body = ErrorBody),
        (status = 409, description = "The node is not active", body = ErrorBody)))]
async fn drain_node(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<Option<DrainRequest>>,
) -> ApiResult<(StatusCode, Json<Operation>)> {
    let secs = request.unwrap_or_default().deadline_secs;
    let deadline = match secs {
        None => None,
        Some(secs) if secs > 0.0 => Duration::try_from_secs_f64(secs).ok(),
        Some(_) => None,
    };
    if secs.is_some() && deadline.is_none() {
        return Err(ApiError::BadRequest(
            "deadline_secs must be a positive number of seconds".into(),
        ));
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(director.drain(&id, deadline).await?),
    ))
}

/// Cordons a node: it keeps its clients and takes no new ones.
#[utoipa::path(post, path = "/api/v1/nodes/{id}/cordon", tag = "nodes",
    params(("id" = String, Path, description = "Node id")),
    responses(
        (status = 200, description = "The cordoned node", body = Node),
        (status = 404, description = "No such node", body = ErrorBody)))]
async fn cordon_node(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Node>> {
    Ok(Json(director.cordon(&id, true).await?))
}

/// Uncordons a node: it takes new clients again.
#[utoipa::path(post, path = "/api/v1/nodes/{id}/uncordon", tag = "nodes",
    params(("id" = String, Path, description = "Node id")),
    responses(
        (status = 200, description = "The uncordoned node", body = Node),
        (status = 404, description = "No such node", body = ErrorBody)))]
async fn uncordon_node(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Node>> {
    Ok(Json(director.cordon(&id, false).await?))
}

/// Shows the gateways' follow records of a node: per gateway process, the
/// changes of shared data it queued for the node while the node was
/// staged or failed, those it settled (sent, or counted as missed), and
/// those that count against the node now; and the changes it missed, by
/// method (`missed_calls`).
#[utoipa::path(get, path = "/api/v1/nodes/{id}/follows", tag = "nodes",
    params(("id" = String, Path, description = "Node id")),
    responses(
        (status = 200, description = "The node's follow records", body = NodeFollows),
        (status = 404, description = "No such node", body = ErrorBody),
        (status = 409, description = "10,000 or more records: remove the ones that no longer count first", body = ErrorBody)))]
async fn node_follows(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<NodeFollows>> {
    Ok(Json(director.node_follows(&id).await?))
}

/// Clears a node's missed calls by method (`missed_calls` of its follow
/// records), once they were redone on it: every one, or those last
/// counted at or before `through`. The count the director compares before
/// it activates a node is not touched.
#[utoipa::path(delete, path = "/api/v1/nodes/{id}/missed-calls", tag = "nodes",
    params(("id" = String, Path, description = "Node id"), ForgetMissed),
    responses(
        (status = 200, description = "The missed calls cleared and kept, by method", body = MissedCallsForgotten),
        (status = 400, description = "An unknown query parameter, or a time that is not a number", body = ErrorBody),
        (status = 404, description = "No such node", body = ErrorBody)))]
async fn forget_missed_calls(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ForgetMissed>,
) -> ApiResult<Json<MissedCallsForgotten>> {
    Ok(Json(
        director.forget_missed_calls(&id, query.through).await?,
    ))
}

/// Removes a node's follow records none of whose changes counts against
/// it (those of gateways killed while they followed it stay otherwise),
/// or one gateway's record.
#[utoipa::path(delete, path = "/api/v1/nodes/{id}/follows", tag = "nodes",
    params(("id" = String, Path, description = "Node id"), ForgetFollows),
    responses(
        (status = 200, description = "The records removed and kept", body = FollowsForgotten),
        (status = 400, description = "An unknown query parameter", body = ErrorBody),
        (status = 404, description = "No such node, or no record of that gateway", body = ErrorBody),
        (status = 409, description = "Changes in that gateway's record count against the node, or it is not among the first 10,000 records (the message says what to do)", body = ErrorBody)))]
async fn forget_follows(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ForgetFollows>,
) -> ApiResult<Json<FollowsForgotten>> {
    Ok(Json(
        director
            .forget_follows(&id, query.gateway.as_deref())
            .await?,
    ))
}
