//! Ids of content every node holds under its own id: system groups
//! ([`super::group_ids`]), packages ([`super::package_ids`]), errata,
//! software channels, repositories, content filters, configuration
//! channels and source packages ([`super::named_ids`]), kickstart scripts
//! ([`super::script_ids`]). Each has
//! one cluster id for all nodes, and every node a call goes to gets its
//! own id for it (a system call, a broadcast, a fan-out and a shared read
//! alike); each node's ids in an answer become the cluster ids.

use crate::directory::{
    ChannelIdentity, ConfigChannelIdentity, ContentFilterIdentity, ErratumIdentity,
    RepositoryIdentity, SourcePackageIdentity,
};
use director::model::NodeState;
use spec::{Entry, IdKind};
use xmlrpc::{Fault, MethodCall, Value};

use super::node_call::{answer, call_node, node_in_cluster};
use super::{Ctx, group_ids, named_ids, package_ids, script_ids};
use crate::error::GatewayError;

/// Runs `$body` once for every kind of content named by one string
/// ([`named_ids::Named`]), with `$kind` standing for its record type: a
/// new kind is added here alone.
macro_rules! each_named {
    ($kind:ident => $body:expr) => {{
        {
            type $kind = ErratumIdentity;
            $body;
        }
        {
            type $kind = ChannelIdentity;
            $body;
        }
        {
            type $kind = RepositoryIdentity;
            $body;
        }
        {
            type $kind = ContentFilterIdentity;
            $body;
        }
        {
            type $kind = ConfigChannelIdentity;
            $body;
        }
        {
            type $kind = SourcePackageIdentity;
            $body;
        }
    }};
}

/// Whether calls of `entry` may carry shared-content ids.
pub(crate) fn involved(entry: &Entry) -> bool {
    // Groups also reach here through recurring schedules' entities.
    group_ids::involved(entry)
        || entry.ids.params.iter().any(|p| p.kind.is_shared())
        || entry.ids.result.iter().any(|r| r.kind.is_shared())
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
    package_ids::params_to_node(ctx, node, params).await?;
    each_named!(R => named_ids::params_to_node::<R>(ctx, node, params).await?);
    script_ids::params_to_node(ctx, node, params).await?;
    Ok(())
}

/// Rewrites every shared-content id `node` answered in `value` to its
/// cluster id.
pub(crate) async fn result_from_node(
    ctx: &Ctx<'_>,
    node: &str,
    value: &mut Value,
) -> Result<(), GatewayError> {
    group_ids::result_from_node(ctx, node, value).await?;
    package_ids::result_from_node(ctx, node, value).await?;
    each_named!(R => named_ids::result_from_node::<R>(ctx, node, value).await?);
    script_ids::result_from_node(ctx, node, value).await?;
    Ok(())
}

/// `fault`, `node`'s answer to `ctx`'s call, with the node's id of the
/// content the call names given back as the cluster id
/// ([`named_ids::fault_from_node`]).
pub(crate) async fn fault_from_node(ctx: &Ctx<'_>, node: &str, fault: Fault) -> Fault {
    if !involved(ctx.entry) {
        return fault;
    }
    let mut fault = fault;
    each_named!(R => fault = named_ids::fault_from_node::<R>(ctx, node, fault).await);
    script_ids::fault_from_node(ctx, node, fault).await
}

/// The values among `params` that carry ids of `kind`: each item of an
/// array parameter, or the parameter itself.
pub(crate) fn param_slots<'p>(
    entry: &Entry,
    kind: IdKind,
    params: &'p mut [Value],
) -> Vec<&'p mut Value> {
    let indexes: Vec<usize> = entry
        .ids
        .params
        .iter()
        .filter(|p| p.kind == kind)
        .map(|p| p.index)
        .collect();
    let mut slots = Vec::new();
    for (i, param) in params.iter_mut().enumerate() {
        if !indexes.contains(&i) {
            continue;
        }
        match param {
            Value::Array(items) => slots.extend(items.iter_mut()),
            one => slots.push(one),
        }
    }
    slots
}

/// Calls `method` on `node` with `args` after the session key, in `ctx`'s
/// session, to learn what `node` holds (`what` names it in the error of a
/// call without a session). The node's fault is the answer. A staged or
/// failed node is asked as it follows the change `ctx` makes: no other
/// call reaches one.
pub(crate) async fn ask(
    ctx: &Ctx<'_>,
    node: &str,
    what: &'static str,
    method: &str,
    args: Vec<Value>,
) -> Result<Value, GatewayError> {
    let gw = ctx.gw;
    let mut info = node_in_cluster(gw, node)?;
    // As `Directory::followers` hands it out.
    info.following = matches!(info.state, NodeState::Staged | NodeState::Failed);
    let (Some(session), Some(key)) = (ctx.session.as_ref(), ctx.call.params.first()) else {
        return Err(GatewayError::NoNode(what));
    };
    let mut params = vec![key.clone()];
    params.extend(args);
    let call = MethodCall {
        name: method.to_owned(),
        params,
    };
    answer(call_node(gw, &info, call, Some(session), true).await?)
}
