//! Ids of content every node holds under its own id: system groups
//! ([`super::group_ids`]) and packages ([`super::package_ids`]). Each has
//! one cluster id for all nodes, and every node a call goes to gets its
//! own id for it (a system call, a broadcast, a fan-out and a shared read
//! alike); each node's ids in an answer become the cluster ids.

use spec::Entry;
use xmlrpc::{MethodCall, Value};

use super::{Ctx, group_ids, package_ids};
use crate::error::GatewayError;

/// Whether calls of `entry` may carry shared-content ids.
pub(crate) fn involved(entry: &Entry) -> bool {
    group_ids::involved(entry) || package_ids::involved(entry)
}

/// `ctx`'s call as `node` is to get it: shared-content ids are the node's
/// own.
pub(crate) async fn call_for(ctx: &Ctx<'_>, node: &str) -> Result<MethodCall, GatewayError> {
    let mut call = ctx.call.clone();
    if involved(ctx.entry) {
        params_to_node(ctx, node, &mut call.params).await?;
    }
    Ok(call)
}

/// Rewrites the shared-content ids among `params` to `node`'s ids.
pub(crate) async fn params_to_node(
    ctx: &Ctx<'_>,
    node: &str,
    params: &mut [Value],
) -> Result<(), GatewayError> {
    group_ids::params_to_node(ctx, node, params).await?;
    package_ids::params_to_node(ctx, node, params).await
}

/// Rewrites every shared-content id `node` answered in `value` to its
/// cluster id.
pub(crate) async fn result_from_node(
    ctx: &Ctx<'_>,
    node: &str,
    value: &mut Value,
) -> Result<(), GatewayError> {
    group_ids::result_from_node(ctx, node, value).await?;
    package_ids::result_from_node(ctx, node, value).await
}
