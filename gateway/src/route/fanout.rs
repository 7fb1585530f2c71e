//! `fanout` class: reads of per-node data. Every serving node is asked in
//! parallel; the answers, ids translated per node, are merged into the
//! answer one server would give ([`super::merge::merge_fanout`]).
//!
//! Nodes that give no answer (down, timed out, circuit open) follow the
//! configured policy: `strict` answers a fault listing them; `partial`
//! answers from the others, logs the gap and counts it per node in the
//! metrics. Node faults are answers: the merge takes the nodes that
//! succeeded, and only when none did is the first node's fault passed on
//! (a lookup that no node can satisfy fails as on one server).

use xmlrpc::{Fault, Value};

use super::node_call::call_node;
use super::{Ctx, merge, translate};
use crate::config::FanoutPolicy;
use crate::directory::NodeInfo;
use crate::error::{GatewayError, NodeFailures};
use crate::upstream::call_many::{RequestStrategy, call_many};

/// Merges of more items than this run off the I/O threads.
const LARGE_MERGE: usize = 2000;

/// What one node contributed.
enum Part {
    Value(Value),
    Fault(Fault),
}

/// Routes a `fanout` class call.
pub(crate) async fn route(ctx: Ctx<'_>) -> Result<Value, GatewayError> {
    let nodes = ctx.gw.directory().serving();
    if nodes.is_empty() {
        return Err(GatewayError::NoNode("this call"));
    }
    let ctx = &ctx;
    let gathered = call_many(
        nodes,
        RequestStrategy::ALL,
        |node: NodeInfo| async move { ask(ctx, &node).await },
        || GatewayError::NoNode("this call in time"),
    )
    .await;
    let mut failures = NodeFailures::default();
    for (node, e) in gathered.failed {
        match e {
            GatewayError::NodeUnavailable { source, .. } => {
                failures.0.push((node.id.to_string(), source.to_string()));
            }
            // Session and state errors are the client's or the cluster's,
            // not a node's: answer them.
            other => return Err(other),
        }
    }
    let mut values = Vec::with_capacity(gathered.ok.len());
    let mut first_fault = None;
    for (_, part) in gathered.ok {
        match part {
            Part::Value(v) => values.push(v),
            Part::Fault(f) => {
                first_fault.get_or_insert(f);
            }
        }
    }
    if !failures.0.is_empty() {
        match ctx.gw.config().fanout.policy {
            FanoutPolicy::Strict => return Err(GatewayError::Fanout(failures)),
            FanoutPolicy::Partial if values.is_empty() && first_fault.is_none() => {
                return Err(GatewayError::Fanout(failures));
            }
            FanoutPolicy::Partial => {
                for (node, why) in &failures.0 {
                    ctx.gw.metrics().fanout_gap(node);
                    tracing::warn!(node = %node, cause = %why, method = %ctx.method(), "fan-out answered without this node");
                }
            }
        }
    }
    if values.is_empty()
        && let Some(fault) = first_fault
    {
        return Err(GatewayError::Fault(fault));
    }
    let items: usize = values
        .iter()
        .map(|v| v.as_array().map_or(1, <[Value]>::len))
        .sum();
    let method = ctx.method();
    let merge = move || merge::merge_fanout(&method, values);
    Ok(if items > LARGE_MERGE {
        tokio::task::spawn_blocking(merge)
            .await
            .map_err(|_| GatewayError::NoNode("this call (merge failed)"))?
    } else {
        merge()
    })
}

/// One node's answer, ids translated.
async fn ask(ctx: &Ctx<'_>, node: &NodeInfo) -> Result<Part, GatewayError> {
    let ids = ctx.gw.directory().identity();
    let call = ctx.call.clone();
    match call_node(ctx.gw, node, call, ctx.session.as_ref(), true).await? {
        Ok(mut value) => {
            translate::result_from_node(ids, ctx.entry, &mut value, &node.id).await?;
            Ok(Part::Value(value))
        }
        Err(fault) => Ok(Part::Fault(fault)),
    }
}
