//! `system` class: calls naming client systems go to the node that owns
//! them. The same routing serves the `action` class, keyed on actions and
//! recurring schedules.
//!
//! - One id: looked up in the identity map (cached) and rewritten to the
//!   owner's local id. When the owner answers "no such system" for an id
//!   whose location came from the cache, the location is read again from
//!   the store and the call retried once if it moved (a drain or move by
//!   the director).
//! - A list of ids: looked up [`LOCATE_AT_ONCE`] at a time, split per
//!   owner node in the order of first appearance, the parts called in
//!   parallel, the answers merged in the client's
//!   order ([`super::merge::merge_split`]). An unknown id fails the whole
//!   call before anything is sent, as the server's single transaction
//!   would. When the split call schedules an action (one action id per
//!   node, room for one in the answer), the nodes' actions are joined
//!   under the first one's cluster id. When a split call that schedules
//!   actions fails on some nodes, the actions it made on the others are
//!   cancelled and the fault says so.
//! - An action that one call scheduled on several nodes: the call goes to
//!   every node that runs a part of it, and their answers are merged
//!   ([`super::merge::merge_parts`]).
//! - A recurring schedule, image, snapshot, ... ([`IdKind::has_copies`]):
//!   most live on one node; one made on several (a schedule for a system
//!   group or the organization, an OS image imported on every node) has
//!   a copy on each. A change (`update`, `delete`) goes to every copy
//!   ([`on_each_copy`]); a read (`lookupById`, `getDetails`) to the first
//!   copy whose node answers, since the copies are alike.
//! - A minion id: the map's owner, else each node in turn. A system-id
//!   certificate: each node in turn (only the issuing node accepts it);
//!   the first answer that is not a fault wins.
//!
//! On the XML-RPC wire ([`route_wire`]), a call on one system or action
//! whose answer needs at most its struct's id members rewritten is
//! answered with the node's own document, the cluster ids spliced in
//! ([`list_scan`]): no value tree is built or written for the most common
//! call through the gateway.

use std::future::Future;
use std::sync::Arc;

use futures::{StreamExt, stream};
use spec::{Entry, HttpVerb, IdForm, IdKind, IdPlace};
use xmlrpc::{MethodCall, Value};

use super::broadcast::failure_reason;
use super::list_scan::{self, ListShape, Scanned};
use super::node_call::{answer, call_node, call_node_as, node_in_cluster};
use super::{Ctx, Routed, merge, shared_ids, translate};
use crate::directory::{IdMemo, Location};
use crate::error::{BroadcastFailure, GatewayError, NodeFailures, is_not_found};
use crate::upstream::call_many::{Gathered, RequestStrategy, call_many};

/// How many ids of a list are looked up in the identity map at once: a
/// cold cache reads each from the store, over the network for a gateway
/// linked to a director, and a call may name thousands of systems.
const LOCATE_AT_ONCE: usize = 16;

/// Routes a `system` or `action` class call as [`route`] does, for the
/// wire: a call on one system or action of one node whose answer needs no
/// more than top-level id members rewritten ([`wire_shape`]) is answered
/// with the node's document as it wrote it, the ids spliced in. Every
/// other call, and an answer of another shape, takes the value path.
pub(crate) async fn route_wire(ctx: Ctx<'_>) -> Result<Routed, GatewayError> {
    let index = ctx.entry.route.param;
    let (kind, form) = index
        .and_then(|i| ctx.entry.ids.param(i))
        .map_or((IdKind::System, IdForm::Scalar), |p| (p.kind, p.form));
    if let Some(index) = index
        && form == IdForm::Scalar
        && !kind.has_copies()
        && let Some(shape) = wire_shape(ctx.entry)
    {
        let id = &ctx.call.params[index];
        let parts = translate::locate_current(ctx.gw.directory(), kind, id).await?;
        if let [loc] = &parts[..] {
            let shape = Arc::new(shape);
            return following_a_move(&ctx, kind, id, loc.clone(), |node| {
                on_node_wire(&ctx, node, shape.clone())
            })
            .await;
        }
    }
    route(ctx).await.map(Routed::Value)
}

/// The shape [`on_node_wire`] splices `entry`'s answers to: `None` when
/// its translation is more than rewriting integer members of the result's
/// struct (or of each struct of a returned list) by the identity map.
fn wire_shape(entry: &'static Entry) -> Option<ListShape> {
    let plain = !shared_ids::involved(entry)
        && entry.ids.result.iter().all(|r| {
            matches!(r.place, IdPlace::Field(_))
                // A schedule's entity is a system or a group by its type.
                && r.kind != IdKind::Schedule
        });
    if plain { ListShape::of(entry) } else { None }
}

/// Calls `on` with `loc`'s node; when that node answers "no such system"
/// for a system whose location came from the cache, the location is read
/// again from the store and `on` called once more if it moved.
async fn following_a_move<T, F, Fut>(
    ctx: &Ctx<'_>,
    kind: IdKind,
    id: &Value,
    loc: Location,
    on: F,
) -> Result<T, GatewayError>
where
    F: Fn(Arc<str>) -> Fut,
    Fut: Future<Output = Result<T, GatewayError>>,
{
    match on(loc.node.clone()).await {
        Err(GatewayError::Fault(f)) if kind == IdKind::System && f.code == -208 => {
            let Some(cid) = id.as_i64().and_then(|i| i32::try_from(i).ok()) else {
                return Err(GatewayError::Fault(f));
            };
            let ids = ctx.gw.directory().identity();
            ids.invalidate_system(cid);
            let fresh = translate::locate(ids, kind, id).await?;
            if fresh == loc {
                return Err(GatewayError::Fault(f));
            }
            tracing::info!(system = cid, from = %loc.node, to = %fresh.node, "system moved; calling its new owner");
            on(fresh.node).await
        }
        other => other,
    }
}

/// [`on_node`] for the wire, for a call [`wire_shape`] gives `shape` for:
/// the node's answer scanned, its id members translated and spliced into
/// its own bytes. An answer that is not a struct or a list of structs
/// takes the value path.
async fn on_node_wire(
    ctx: &Ctx<'_>,
    node_id: Arc<str>,
    shape: Arc<ListShape>,
) -> Result<Routed, GatewayError> {
    let gw = ctx.gw;
    let node = node_in_cluster(gw, &node_id)?;
    let ids = gw.directory().identity();
    let mut params = ctx.call.params.clone();
    translate::params_to_node(ids, ctx.entry, &mut params, &node_id).await?;
    let call = MethodCall {
        name: ctx.call.name.clone(),
        params,
    };
    let decode = |body| list_scan::scan(body, shape.clone());
    let mut list = match call_node_as(gw, &node, call, ctx.session.as_ref(), false, decode).await? {
        // No shared ids (`wire_shape`): the node's fault as it is.
        Err(fault) => return Err(GatewayError::Fault(fault)),
        Ok(Scanned::Struct(list) | Scanned::List(list)) => list,
        Ok(Scanned::Other(body)) => {
            let mut value = crate::upstream::parse(body)
                .await
                .map_err(|source| GatewayError::NodeUnavailable {
                    node: node_id.to_string(),
                    source,
                })?
                .map_err(GatewayError::Fault)?;
            translate::result_from_node(ids, ctx.entry, &mut value, &node_id).await?;
            return Ok(Routed::Value(value));
        }
    };
    list_scan::translate(ids, &shape, &mut list, &node_id, &mut IdMemo::default()).await?;
    // A long list (events, packages) is copied off the I/O threads.
    let document = if list.body.len() > crate::upstream::BLOCKING_PARSE_BYTES {
        tokio::task::spawn_blocking(move || list.into_document())
            .await
            .map_err(|_| GatewayError::NoNode("this call (answer failed)"))?
    } else {
        list.into_document()
    };
    Ok(Routed::Encoded(axum::body::Body::from(document)))
}

/// Routes a `system` or `action` class call on its routed parameter.
pub(crate) async fn route(ctx: Ctx<'_>) -> Result<Value, GatewayError> {
    let Some(index) = ctx.entry.route.param else {
        return Err(GatewayError::NoNode("a call without an owner"));
    };
    let (kind, form) = ctx
        .entry
        .ids
        .param(index)
        .map_or((IdKind::System, IdForm::Scalar), |p| (p.kind, p.form));
    match form {
        IdForm::Scalar => scalar(&ctx, kind, &ctx.call.params[index]).await,
        IdForm::StructId | IdForm::StructServerId => {
            let id = match (&ctx.call.params[index], form.member()) {
                (Value::Struct(props), Some(member)) => props.get(member).cloned(),
                _ => None,
            };
            // Without an id, any node answers the server's own fault.
            match id {
                Some(id) => scalar(&ctx, kind, &id).await,
                None => each_in_turn(&ctx).await,
            }
        }
        IdForm::Array => split(&ctx, kind, index).await,
        IdForm::MinionId => {
            let minion = ctx.call.params.get(index).and_then(Value::as_str);
            let ids = ctx.gw.directory().identity();
            let owner = match minion {
                Some(m) => ids.system_by_minion(m).await?,
                None => None,
            };
            match owner {
                Some(cid) => {
                    let parts = translate::locate_current(
                        ctx.gw.directory(),
                        IdKind::System,
                        &Value::Int(cid),
                    )
                    .await?;
                    on_node(&ctx, &parts[0].node, ctx.call.params.clone()).await
                }
                None => each_in_turn(&ctx).await,
            }
        }
        IdForm::ClientCert => each_in_turn(&ctx).await,
    }
}

/// Calls `ctx`'s method with `params` on node `node_id`: ids translated
/// both ways, the session swapped.
pub(crate) async fn on_node(
    ctx: &Ctx<'_>,
    node_id: &str,
    mut params: Vec<Value>,
) -> Result<Value, GatewayError> {
    let gw = ctx.gw;
    let node = node_in_cluster(gw, node_id)?;
    let ids = gw.directory().identity();
    translate::params_to_node(ids, ctx.entry, &mut params, node_id).await?;
    shared_ids::params_to_node(ctx, node_id, &mut params).await?;
    let call = MethodCall {
        name: ctx.call.name.clone(),
        params,
    };
    let mut value = match call_node(gw, &node, call, ctx.session.as_ref(), false).await? {
        Ok(value) => value,
        Err(fault) => {
            return Err(GatewayError::Fault(
                shared_ids::fault_from_node(ctx, node_id, fault).await,
            ));
        }
    };
    translate::result_from_node(ids, ctx.entry, &mut value, node_id).await?;
    shared_ids::result_from_node(ctx, node_id, &mut value).await?;
    Ok(value)
}

async fn scalar(ctx: &Ctx<'_>, kind: IdKind, id: &Value) -> Result<Value, GatewayError> {
    let parts = translate::locate_current(ctx.gw.directory(), kind, id).await?;
    // Only for the calls that reach several nodes: not on the path of
    // one system's call.
    let nodes = || -> Vec<Arc<str>> { parts.iter().map(|p| p.node.clone()).collect() };
    if kind.has_copies() {
        let answer = match ctx.entry.http {
            HttpVerb::Get => on_first_answering(ctx, nodes()).await,
            _ => on_each_copy(ctx, nodes(), kind, id).await,
        };
        // The server's "does not exist" names the id it was given: here
        // the cluster id, not a node's.
        return match answer {
            Err(GatewayError::Fault(f)) if is_not_found(kind, &f) => {
                Err(translate::no_such(kind, id.as_i64().unwrap_or_default()))
            }
            other => other,
        };
    }
    if parts.len() > 1 {
        return on_each_part(ctx, nodes()).await;
    }
    following_a_move(ctx, kind, id, parts[0].clone(), |node| async move {
        on_node(ctx, &node, ctx.call.params.clone()).await
    })
    .await
}

async fn split(ctx: &Ctx<'_>, kind: IdKind, index: usize) -> Result<Value, GatewayError> {
    let items: Vec<Value> = ctx.call.params[index]
        .as_array()
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut groups: Vec<(Arc<str>, Vec<Value>)> = Vec::new();
    // Ids the server passes over when it lacks them: sent to one node,
    // which lacks them too.
    let mut unknown = Vec::new();
    let directory = ctx.gw.directory();
    // Owned items: futures borrowing from the stream's own items are not
    // `Send` for every lifetime, which the router needs.
    let mut located =
        stream::iter(items.iter().cloned().enumerate())
            .map(|(at, item)| async move {
                (at, translate::locate_current(directory, kind, &item).await)
            })
            .buffered(LOCATE_AT_ONCE);
    // An id listed twice is looked up twice, perhaps at once: both find
    // the same location (a recheck empties the cached one before it reads
    // the store again).
    while let Some((at, found)) = located.next().await {
        let item = &items[at];
        let parts = match found {
            Err(GatewayError::NoSuchObject { .. }) if translate::passes_over_unknown(kind) => {
                unknown.push(item.clone());
                continue;
            }
            found => found?,
        };
        // An action of several nodes goes to each of them.
        for loc in parts.iter() {
            match groups.iter_mut().find(|(n, _)| *n == loc.node) {
                Some((_, group)) => group.push(item.clone()),
                None => groups.push((loc.node.clone(), vec![item.clone()])),
            }
        }
    }
    if let Some((_, group)) = groups.first_mut() {
        group.append(&mut unknown);
    }
    match groups.len() {
        0 => {
            // An empty list: any node answers it as the server would.
            let node = ctx
                .gw
                .directory()
                .serving()
                .into_iter()
                .next()
                .ok_or(GatewayError::NoNode("this call"))?;
            on_node(ctx, &node.id, ctx.call.params.clone()).await
        }
        1 => on_node(ctx, &groups[0].0, ctx.call.params.clone()).await,
        _ => {
            let gathered = call_many(
                groups.clone(),
                RequestStrategy::ALL,
                |(node, group)| {
                    let mut params = ctx.call.params.clone();
                    params[index] = Value::Array(group);
                    async move { on_node(ctx, &node, params).await }
                },
                || GatewayError::NoNode("this call in time"),
            )
            .await;
            if !gathered.failed.is_empty() {
                let applied: Vec<(Arc<str>, Value)> = gathered
                    .ok
                    .into_iter()
                    .map(|((node, _), v)| (node, v))
                    .collect();
                let failed = gathered
                    .failed
                    .into_iter()
                    .map(|((node, _), e)| (node, e))
                    .collect();
                return Err(split_failed(ctx, failed, applied).await);
            }
            let parts: Vec<Value> = gathered.ok.into_iter().map(|((_, _), v)| v).collect();
            if let Some(kind) = merge::whole_objects(ctx.entry)
                && let Some(first) = join_parts(ctx, kind, &parts).await
            {
                return Ok(Value::Int(first));
            }
            Ok(merge::merge_split(ctx.entry, &items, parts))
        }
    }
}

/// The error of a split call that failed on some nodes. When it scheduled
/// actions on the others, they are cancelled there (the client, told the
/// call failed, would otherwise find them running, or schedule them twice
/// on trying again), and the fault names the nodes that failed and where
/// the actions were cancelled or still stand. Anything else is the first
/// failure, as it is.
async fn split_failed(
    ctx: &Ctx<'_>,
    failed: Vec<(Arc<str>, GatewayError)>,
    applied: Vec<(Arc<str>, Value)>,
) -> GatewayError {
    let method = ctx.method();
    if applied.is_empty() || merge::whole_objects(ctx.entry) != Some(IdKind::Action) {
        if !applied.is_empty() {
            let applied: Vec<&str> = applied.iter().map(|(n, _)| &**n).collect();
            tracing::warn!(failed = %failed[0].0, ?applied, %method, "split call failed on one node after others answered");
        }
        return failed
            .into_iter()
            .next()
            .map_or(GatewayError::NoNode("this call"), |(_, e)| e);
    }
    let mut failure = failure_of(method, &failed);
    for (node, answer) in applied {
        match cancel_actions(ctx, &node, &answer).await {
            Ok(()) => failure
                .undone
                .push((node.to_string(), "schedule.cancelActions".to_owned())),
            Err(e) => {
                tracing::error!(node = %node, error = %e, "cancelling the actions of a failed split call failed");
                failure.kept.push(node.to_string());
            }
        }
    }
    tracing::warn!(failure = %failure, "split call failed");
    GatewayError::Broadcast(failure)
}

/// Cancels on `node` the actions whose cluster ids `scheduled` holds (one
/// id, or a list of them).
async fn cancel_actions(ctx: &Ctx<'_>, node: &str, scheduled: &Value) -> Result<(), GatewayError> {
    let cluster: Vec<&Value> = match scheduled {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    let ids = ctx.gw.directory().identity();
    let mut locals = Vec::with_capacity(cluster.len());
    for id in cluster {
        let mut id = id.clone();
        translate::to_local(ids, IdKind::Action, &mut id, node).await?;
        locals.push(id);
    }
    let (Some(info), Some(key)) = (ctx.gw.directory().node(node), ctx.call.params.first()) else {
        return Err(GatewayError::NoNode("the cancelling of actions"));
    };
    let call = MethodCall {
        name: "schedule.cancelActions".to_owned(),
        params: vec![key.clone(), Value::Array(locals)],
    };
    answer(call_node(ctx.gw, &info, call, ctx.session.as_ref(), false).await?).map(|_| ())
}

/// One call made an action or a schedule (`kind`) on each of several
/// nodes: its answer has room for one id, so the other nodes' objects
/// become parts of the first node's
/// ([`crate::directory::CachedIdentity::join_parts`]) and calls naming it
/// reach every part. `None` when the parts are not one id each.
pub(crate) async fn join_parts(ctx: &Ctx<'_>, kind: IdKind, parts: &[Value]) -> Option<i32> {
    let object = translate::object_kind(kind)?;
    let ids: Vec<i32> = parts
        .iter()
        .map(|p| match p {
            Value::Int(id) => Some(*id),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let (&first, others) = ids.split_first()?;
    let others: Vec<i32> = others.iter().copied().filter(|id| *id != first).collect();
    match ctx
        .gw
        .directory()
        .identity()
        .join_parts(object, first, &others)
        .await
    {
        Ok(true) => {}
        // The objects are made whatever happens here: answer the first,
        // whose id reaches its own node's part at least.
        Ok(false) => {
            tracing::warn!(kind = object.label(), id = first, others = ?others, method = %ctx.method(), "the parts this call made could not be joined under one id; its id reaches the first node's part only");
        }
        Err(e) => {
            tracing::warn!(kind = object.label(), id = first, others = ?others, method = %ctx.method(), error = %e, "the parts this call made could not be joined under one id; its id reaches the first node's part only");
        }
    }
    Some(first)
}

/// Calls `ctx`'s method with its own parameters on each of `nodes`, in
/// parallel.
async fn on_all(ctx: &Ctx<'_>, nodes: Vec<Arc<str>>) -> Gathered<Arc<str>, Value, GatewayError> {
    call_many(
        nodes,
        RequestStrategy::ALL,
        |node| async move { on_node(ctx, &node, ctx.call.params.clone()).await },
        || GatewayError::NoNode("this call in time"),
    )
    .await
}

/// The failure of `method` on the nodes of `failed`, nothing undone or
/// kept yet; its fault code is the first node fault's, else -1.
fn failure_of(method: String, failed: &[(Arc<str>, GatewayError)]) -> BroadcastFailure {
    BroadcastFailure {
        method,
        code: failed
            .iter()
            .find_map(|(_, e)| match e {
                GatewayError::Fault(f) => Some(f.code),
                _ => None,
            })
            .unwrap_or(-1),
        failed: NodeFailures(
            failed
                .iter()
                .map(|(node, e)| (node.to_string(), failure_reason(e)))
                .collect(),
        ),
        undone: Vec::new(),
        kept: Vec::new(),
    }
}

/// Calls `ctx`'s method on each of `nodes` (the nodes that run parts of
/// the action it names), in parallel, and merges their answers
/// ([`merge::merge_parts`]). Any node failing fails the call.
async fn on_each_part(ctx: &Ctx<'_>, nodes: Vec<Arc<str>>) -> Result<Value, GatewayError> {
    let gathered = on_all(ctx, nodes).await;
    if let Some((_, e)) = gathered.failed.into_iter().next() {
        return Err(e);
    }
    Ok(merge::merge_parts(
        gathered.ok.into_iter().map(|(_, v)| v).collect(),
    ))
}

/// Calls `ctx`'s change of object `id` (a schedule, an image, ...: `kind`)
/// on each of `nodes` (the nodes holding its copies; one for most), in
/// parallel. For `delete`, a copy already gone (the server's "does not
/// exist") counts as deleted, so that a delete that failed on one node can
/// be repeated until every copy is gone. When some nodes fail after others
/// changed their copy, the fault names both: the server has no inverse of
/// an update or a delete to undo them with.
async fn on_each_copy(
    ctx: &Ctx<'_>,
    nodes: Vec<Arc<str>>,
    kind: IdKind,
    id: &Value,
) -> Result<Value, GatewayError> {
    let gathered = on_all(ctx, nodes).await;
    let deleting = ctx.entry.method == "delete";
    let mut changed: Vec<Arc<str>> = gathered.ok.iter().map(|(n, _)| n.clone()).collect();
    let mut failed = Vec::new();
    for (node, e) in gathered.failed {
        match e {
            GatewayError::Fault(f) if deleting && is_not_found(kind, &f) => {
                changed.push(node);
            }
            e => failed.push((node, e)),
        }
    }
    if failed.is_empty() {
        return match gathered.ok.into_iter().next() {
            Some((_, value)) => Ok(value),
            // Gone everywhere: as a server that never had it.
            None => Err(translate::no_such(kind, id.as_i64().unwrap_or_default())),
        };
    }
    if changed.is_empty() {
        return Err(failed.swap_remove(0).1);
    }
    let mut failure = failure_of(ctx.method(), &failed);
    failure.kept = changed.iter().map(|n| n.to_string()).collect();
    tracing::warn!(failure = %failure, kind = kind.plural(), "a change of an object's copies failed on some nodes");
    Err(GatewayError::Broadcast(failure))
}

/// Calls `ctx`'s method on the first of `nodes` (the nodes holding copies
/// of one schedule, image, ...) that can be reached; a fault is the answer.
async fn on_first_answering(ctx: &Ctx<'_>, nodes: Vec<Arc<str>>) -> Result<Value, GatewayError> {
    in_turn(ctx, nodes, |e| {
        matches!(e, GatewayError::NodeUnavailable { .. })
    })
    .await
}

/// Tries each serving node in turn; the first answer that is not a fault
/// wins, else the first fault.
async fn each_in_turn(ctx: &Ctx<'_>) -> Result<Value, GatewayError> {
    let nodes = ctx.gw.directory().serving();
    in_turn(ctx, nodes.into_iter().map(|n| n.id).collect(), |_| true).await
}

/// Calls `ctx`'s call on `nodes` in turn until one answers with anything
/// but an error `next` passes on to the next node; when every node's
/// error was passed on, the first of them.
async fn in_turn(
    ctx: &Ctx<'_>,
    nodes: Vec<Arc<str>>,
    next: impl Fn(&GatewayError) -> bool,
) -> Result<Value, GatewayError> {
    let mut first_error = None;
    for node in nodes {
        match on_node(ctx, &node, ctx.call.params.clone()).await {
            Err(e) if next(&e) => {
                first_error.get_or_insert(e);
            }
            answer => return answer,
        }
    }
    Err(first_error.unwrap_or(GatewayError::NoNode("this call")))
}
