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
//!
//! Answers for the wire ([`route_wire`]) take a faster path when every
//! node answers a list of structs: the lists are scanned, not parsed
//! ([`super::list_scan`]), merged by their sort keys and written from the
//! nodes' own bytes as the client reads them ([`super::list_merge`]).
//! Listings of systems (ordered by name, then id) are merged while the
//! nodes still send them ([`super::list_stream`]). Any other answer
//! (counts, structs, lists of ids or strings) takes the value path, as do
//! listings of actions or schedules where parts of one (made by one call
//! on several nodes) appear on several nodes: the value path makes them
//! one item. Both give the same answer, except that a node failing after
//! a streamed answer has started cuts it off (`strict`) or leaves the
//! rest of its items out (`partial`). Listings of recurring schedules
//! made on every node (a system group's or the organization's) show each
//! once, under its one cluster id.

use std::future::Future;
use std::sync::Arc;

use xmlrpc::{Fault, Value};

use super::list_merge::{ListWriter, merged_order};
use super::list_scan::{self, ListShape, NodeList, Scanned};
use super::merge::Order;
use super::node_call::{call_node, call_node_as};
use super::{Ctx, Routed, list_stream, merge, shared_ids, translate};
use crate::config::FanoutPolicy;
use crate::directory::{IdMemo, NodeInfo};
use crate::error::{GatewayError, NodeFailures};
use crate::upstream::call_many::{RequestStrategy, call_many};

/// Merges of more items than this run off the I/O threads.
const LARGE_MERGE: usize = 2000;

/// Routes a `fanout` class call.
pub(crate) async fn route(ctx: Ctx<'_>) -> Result<Value, GatewayError> {
    let ctx = &ctx;
    let values = gather(ctx, |node| async move {
        // A group this node does not have: its fault is its answer.
        let call = match shared_ids::call_for(ctx, &node.id).await {
            Err(GatewayError::Fault(fault)) => return Ok(Err(fault)),
            other => other?,
        };
        match call_node(ctx.gw, &node, call, ctx.session.as_ref(), true).await? {
            Ok(mut value) => {
                let ids = ctx.gw.directory().identity();
                translate::result_from_node(ids, ctx.entry, &mut value, &node.id).await?;
                shared_ids::result_from_node(ctx, &node.id, &mut value).await?;
                Ok(Ok(value))
            }
            Err(fault) => Ok(Err(fault)),
        }
    })
    .await?;
    merge_values(ctx, values.into_iter().map(|(_, v)| v).collect()).await
}

/// Routes a `fanout` class call for the wire: lists of structs merged
/// from the nodes' bytes, anything else as [`route`] does.
pub(crate) async fn route_wire(ctx: Ctx<'_>) -> Result<Routed, GatewayError> {
    let order = merge::order_of(&ctx.method());
    let shape = ListShape::of(ctx.entry).map(Arc::new);
    // No shape for nested ids (the duplicate groups of `Order::Groups`) or
    // group ids: those take the value path, as do other calls about groups
    // and listings of shared objects, which are united.
    let bytewise = !shared_ids::involved(ctx.entry) && merge::answers_shared(ctx.entry).is_none();
    let Some(shape) = shape.filter(|_| bytewise) else {
        return route(ctx).await.map(Routed::Value);
    };
    let ctx = &ctx;
    if order == Order::NameThenId && merge::listed_objects(ctx.entry).is_none() {
        return list_stream::route(ctx, shape).await;
    }
    let parts = gather(ctx, |node| {
        let shape = shape.clone();
        async move {
            let call = ctx.call.clone();
            let decode = |body| list_scan::scan(body, shape.clone());
            let answer =
                call_node_as(ctx.gw, &node, call, ctx.session.as_ref(), true, decode).await?;
            let Ok(Scanned::List(mut list)) = answer else {
                return Ok(answer);
            };
            let ids = ctx.gw.directory().identity();
            list_scan::translate(ids, &shape, &mut list, &node.id, &mut IdMemo::default()).await?;
            Ok(Ok(Scanned::List(list)))
        }
    })
    .await?;
    if parts.iter().all(|(_, p)| matches!(p, Scanned::List(_)))
        && !(merge::listed_objects(ctx.entry).is_some() && lists_one_object_twice(&parts))
    {
        let lists: Vec<NodeList> = parts
            .into_iter()
            .filter_map(|(_, p)| match p {
                Scanned::List(l) => Some(l),
                Scanned::Struct(_) | Scanned::Other(_) => None,
            })
            .collect();
        let items: usize = lists.iter().map(|l| l.items.len()).sum();
        let merge = move || {
            let merged = merged_order(&lists, order);
            ListWriter::new(lists, merged)
        };
        let writer = if items > LARGE_MERGE {
            tokio::task::spawn_blocking(merge)
                .await
                .map_err(|_| GatewayError::NoNode("this call (merge failed)"))?
        } else {
            merge()
        };
        return Ok(Routed::Encoded(writer.into_body()));
    }
    // Some node answered something else: every answer takes the value path.
    let ids = ctx.gw.directory().identity();
    let mut values = Vec::with_capacity(parts.len());
    for (node, part) in parts {
        let body = match part {
            Scanned::List(l) | Scanned::Struct(l) => l.body,
            Scanned::Other(body) => body,
        };
        let mut value = crate::upstream::parse(body)
            .await
            .map_err(|source| GatewayError::NodeUnavailable {
                node: node.id.to_string(),
                source,
            })?
            .map_err(GatewayError::Fault)?;
        translate::result_from_node(ids, ctx.entry, &mut value, &node.id).await?;
        values.push(value);
    }
    merge_values(ctx, values).await.map(Routed::Value)
}

/// Whether two of the scanned lists hold an item with the same id: parts
/// of one action or schedule made on several nodes, which the value path
/// joins.
fn lists_one_object_twice(parts: &[(NodeInfo, Scanned)]) -> bool {
    let mut seen = std::collections::HashSet::new();
    parts
        .iter()
        .filter_map(|(_, p)| match p {
            Scanned::List(l) => Some(l),
            Scanned::Struct(_) | Scanned::Other(_) => None,
        })
        .flat_map(|l| l.items.iter().filter_map(|item| item.id))
        .any(|id| !seen.insert(id))
}

/// Asks every serving node with `ask` and applies the fan-out policy:
/// the answers of the nodes that answered, in node order; the first
/// fault when every node that answered answered one.
pub(super) async fn gather<'c, T, F, Fut>(
    ctx: &'c Ctx<'_>,
    ask: F,
) -> Result<Vec<(NodeInfo, T)>, GatewayError>
where
    F: Fn(NodeInfo) -> Fut,
    Fut: Future<Output = Result<Result<T, Fault>, GatewayError>> + 'c,
{
    let nodes = ctx.gw.directory().serving();
    if nodes.is_empty() {
        return Err(GatewayError::NoNode("this call"));
    }
    let gathered = call_many(nodes, RequestStrategy::ALL, ask, || {
        GatewayError::NoNode("this call in time")
    })
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
    for (node, part) in gathered.ok {
        match part {
            Ok(v) => values.push((node, v)),
            Err(f) => {
                first_fault.get_or_insert(f);
            }
        }
    }
    apply_policy(ctx, failures, values.is_empty() && first_fault.is_none())?;
    if values.is_empty()
        && let Some(fault) = first_fault
    {
        return Err(GatewayError::Fault(fault));
    }
    Ok(values)
}

/// Applies the fan-out policy to the nodes that gave no answer: under
/// `strict`, or when `nothing_else` was answered, a fault naming them;
/// under `partial`, the gap logged and counted per node.
pub(super) fn apply_policy(
    ctx: &Ctx<'_>,
    failures: NodeFailures,
    nothing_else: bool,
) -> Result<(), GatewayError> {
    if failures.0.is_empty() {
        return Ok(());
    }
    match ctx.gw.config().fanout.policy {
        FanoutPolicy::Strict => Err(GatewayError::Fanout(failures)),
        FanoutPolicy::Partial if nothing_else => Err(GatewayError::Fanout(failures)),
        FanoutPolicy::Partial => {
            for (node, why) in &failures.0 {
                ctx.gw.metrics().fanout_gap(node);
                tracing::warn!(node = %node, cause = %why, method = %ctx.method(), "fan-out answered without this node");
            }
            Ok(())
        }
    }
}

/// Merges translated answers ([`merge::merge_fanout`]), off the I/O
/// threads when large.
pub(super) async fn merge_values(ctx: &Ctx<'_>, values: Vec<Value>) -> Result<Value, GatewayError> {
    let items: usize = values
        .iter()
        .map(|v| v.as_array().map_or(1, <[Value]>::len))
        .sum();
    let method = ctx.method();
    let entry = ctx.entry;
    let merge = move || {
        if let Some(shared) = merge::answers_shared(entry) {
            return merge::unite(values, shared);
        }
        let mut merged = merge::merge_fanout(&method, values);
        if let (Some(listed), Value::Array(items)) = (merge::listed_objects(entry), &mut merged) {
            merge::join_listed(items, &listed);
        }
        merged
    };
    Ok(if items > LARGE_MERGE {
        tokio::task::spawn_blocking(merge)
            .await
            .map_err(|_| GatewayError::NoNode("this call (merge failed)"))?
    } else {
        merge()
    })
}
