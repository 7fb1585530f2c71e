//! `/gateway/v1`: the API of gateways that run as processes of their own,
//! behind the gateway token ([`crate::remote`] is their side): the
//! director's store, so that every gateway replica shares its identity
//! map, sessions and node list, its placement of new systems, and the
//! record of `gateway seed-node` runs, and the copies of moved systems a
//! gateway deleted (`gateway carry-systems --delete-copies`).
//!
//! The token reaches only the keys a gateway uses ([`GatewayReach`]): it
//! reads and writes sessions and the identity map, reads the node list,
//! and is refused (403) everything else: clients, moves, operations,
//! zones, node numbers, a scan of the whole store. Of a node's record it
//! writes only the record of a seed-node run, through its own route.

use std::sync::Arc;

use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath};
use crate::cluster::{Director, DirectorError};
use crate::model::{GatewayReach, SeedMark};
use crate::remote::{
    CopiesDeleted, CopiesForgotten, PlaceAnswer, PlaceRequest, SeedReport, StoreOp, StoreOutcome,
};
use crate::store::StoreError;
use crate::store::key::KeyDisplay;

/// Largest store request: a value of a few MiB, base64-encoded. The
/// director's own records are far smaller.
const STORE_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Largest report of deleted copies: [`CopiesDeleted::MAX`] ids of up to
/// 11 characters each, with room to spare.
const COPIES_BODY_LIMIT: usize = 64 * 1024;

/// The gateway routes.
pub(crate) fn routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new()
        .routes(routes!(store))
        .route_layer(DefaultBodyLimit::max(STORE_BODY_LIMIT))
        .routes(routes!(place))
        .routes(routes!(seeded))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(copies_deleted))
                .route_layer(DefaultBodyLimit::max(COPIES_BODY_LIMIT)),
        )
}

/// Runs one operation on the director's store (keys and values in base64).
#[utoipa::path(post, path = "/gateway/v1/store", tag = "gateway", request_body = StoreOp,
    responses(
        (status = 200, description = "What the operation found or did", body = StoreOutcome),
        (status = 403, description = "A key the gateway token does not reach", body = ErrorBody),
        (status = 422, description = "An empty key or value", body = ErrorBody)))]
async fn store(
    State(director): State<Arc<Director>>,
    ApiJson(op): ApiJson<StoreOp>,
) -> ApiResult<Json<StoreOutcome>> {
    within_reach(&op)?;
    match op.run(director.store()).await {
        Ok(outcome) => Ok(Json(outcome)),
        Err(e @ (StoreError::EmptyKey | StoreError::EmptyValue { .. })) => {
            Err(ApiError::Unprocessable(e.to_string()))
        }
        Err(e) => Err(DirectorError::Store(e).into()),
    }
}

/// The node of a zone that gets a new system (placement by load).
#[utoipa::path(post, path = "/gateway/v1/placement", tag = "gateway", request_body = PlaceRequest,
    responses((status = 200, description = "The chosen node, or none", body = PlaceAnswer)))]
async fn place(
    State(director): State<Arc<Director>>,
    ApiJson(req): ApiJson<PlaceRequest>,
) -> ApiResult<Json<PlaceAnswer>> {
    let node = director
        .place_unkeyed(&req.zone, req.candidates.as_deref())
        .await?;
    Ok(Json(PlaceAnswer { node }))
}

/// Records a `gateway seed-node` run that copied the shared data onto a
/// node without a failure: the node may then be staged (or, when the run
/// began while it was staged, activated).
#[utoipa::path(post, path = "/gateway/v1/nodes/{id}/seeded", tag = "gateway", request_body = SeedReport,
    params(("id" = String, Path, description = "The node that was seeded")),
    responses(
        (status = 200, description = "The run, as recorded", body = SeedMark),
        (status = 404, description = "No such node (the seeded one or the source)", body = ErrorBody),
        (status = 409, description = "The source does not serve, or the node changed state during the run", body = ErrorBody)))]
async fn seeded(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<String>,
    ApiJson(report): ApiJson<SeedReport>,
) -> ApiResult<Json<SeedMark>> {
    let node = director.record_seed(&id, &report).await?;
    node.seeded
        .map(Json)
        .ok_or_else(|| ApiError::from(DirectorError::not_found("seed record of node", &id)))
}

/// Forgets the copies moved systems left on a node, which the gateway
/// deleted there (`gateway carry-systems --delete-copies`): the identity
/// map's record of each copy and its client's local id on that node. A
/// local id a system's cluster id is bound to there is the system itself,
/// and kept.
#[utoipa::path(post, path = "/gateway/v1/nodes/{id}/copies-deleted", tag = "gateway", request_body = CopiesDeleted,
    params(("id" = String, Path, description = "The node the copies were deleted on")),
    responses(
        (status = 200, description = "What was forgotten, and what was kept", body = CopiesForgotten),
        (status = 404, description = "No such node", body = ErrorBody),
        (status = 400, description = "More local ids than one request takes", body = ErrorBody),
        (status = 413, description = "A body larger than any list of ids")))]
async fn copies_deleted(
    State(director): State<Arc<Director>>,
    ApiPath(id): ApiPath<String>,
    ApiJson(deleted): ApiJson<CopiesDeleted>,
) -> ApiResult<Json<CopiesForgotten>> {
    Ok(Json(
        director.copies_deleted(&id, &deleted.local_ids).await?,
    ))
}

/// Refuses an operation that touches a key beyond the gateway token's
/// reach: reads need [`GatewayReach::Read`], writes (a transaction's
/// included) [`GatewayReach::ReadWrite`], a scan a prefix inside one the
/// gateway reads.
fn within_reach(op: &StoreOp) -> ApiResult<()> {
    let need = |key: &[u8], reach: GatewayReach| {
        if GatewayReach::of(key) >= reach {
            return Ok(());
        }
        let what = if reach == GatewayReach::Read {
            "read"
        } else {
            "write"
        };
        Err(ApiError::Forbidden(format!(
            "the gateway token may not {what} {}",
            KeyDisplay(key)
        )))
    };
    match op {
        StoreOp::Get { key } => need(&key.0, GatewayReach::Read),
        StoreOp::Put { key, .. } | StoreOp::Delete { key } => need(&key.0, GatewayReach::ReadWrite),
        StoreOp::Scan { prefix, .. } if GatewayReach::may_scan(&prefix.0) => Ok(()),
        StoreOp::Scan { prefix, .. } if prefix.0.is_empty() => Err(ApiError::Forbidden(
            "the gateway token may not scan the whole store".to_owned(),
        )),
        StoreOp::Scan { prefix, .. } => Err(ApiError::Forbidden(format!(
            "the gateway token may not scan the keys under {}",
            KeyDisplay(&prefix.0)
        ))),
        StoreOp::Transact { checks, writes } => match GatewayReach::first_refused(
            checks.iter().map(|c| c.key.0.as_slice()),
            writes.iter().map(|w| w.key.0.as_slice()),
        ) {
            Some((key, reach)) => need(key, reach),
            None => Ok(()),
        },
    }
}
