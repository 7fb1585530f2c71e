//! `broadcast` class: changes every node applies (users, activation keys,
//! system groups, configuration). Sent to every serving node in parallel;
//! all must succeed.
//!
//! When some fail, what succeeded is undone where the change has a known
//! inverse ([`undo_of`]: create <-> delete pairs), and the client gets a
//! fault naming the nodes that failed, why, and what was undone or could
//! not be. When every node answered the same fault (the key exists
//! everywhere, a bad argument), that fault is passed on exactly: nothing
//! changed anywhere. The session's keys on all nodes are obtained before
//! anything is sent, so a missing one fails the call before any change.
//!
//! A change every serving node applied is then sent to the staged nodes
//! too, in the background ([`follow_staged`]), so that a node prepared
//! with `seed-node` stays in step until it is activated; and to the
//! failed ones (heartbeats stopped), so that a server that was up all
//! along comes back active with every change (the director stages one
//! that missed some). That part is best effort:
//! what such a node does not take is logged and counted
//! (`gateway_staged_misses_total`; in the store, `node-misses/<node>`, and
//! by method in `node-missed-calls/<node>`, which `director node follows`
//! shows), and the call's answer is the serving
//! nodes', given without waiting for it. What is queued is counted in the
//! store before that answer, and settled there once sent or counted as
//! missed (`node-follows/<node>/<gateway>`, [`director::model::FollowCount`]):
//! a gateway killed with changes in its queue leaves them unsettled, and
//! the director does not activate a node that may lack them.
//!
//! A change that schedules an action on every node
//! (`system.appstreams.ssmEnable`) answers one cluster action id for all
//! of them, as a split call does; so does a recurring schedule made for a
//! system group or the organization (`recurring.*.create`): one cluster
//! schedule id for every node's copy; and an OS image imported on every
//! node (`image.importOSImage`): one cluster image id.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use director::model::{FollowCount, Keys, MissedCall, MissedCalls, add_missed_calls, now_ms};
use spec::{Entry, IdKind};
use tokio::sync::{mpsc, oneshot};
use xmlrpc::{Fault, MethodCall, Value};

use super::node_call::{call_node, node_key};
use super::system::join_parts;
use super::{Ctx, SessionCtx, group_ids, merge, shared_ids, translate};
use crate::directory::NodeInfo;
use crate::error::{BroadcastFailure, GatewayError, NodeFailures};
use crate::state::Gateway;
use crate::upstream::call_many::{RequestStrategy, call_many};

/// Where the argument of an undoing call comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UndoArg {
    /// The original call's parameter at this index.
    Param(usize),
    /// The original call's answer (e.g. the key `activationkey.create`
    /// made).
    Answer,
    /// The original call's parameter at this index, then the node's
    /// answer (`kickstart.profile.removeScript(ksLabel, scriptId)` of the
    /// script `addScript` added).
    ParamAndAnswer(usize),
}

/// The call that undoes a broadcast change: the method and its argument
/// after the session key.
pub(crate) fn undo_of(method: &str) -> Option<(&'static str, UndoArg)> {
    match method {
        "activationkey.create" => Some(("activationkey.delete", UndoArg::Answer)),
        "user.create" => Some(("user.delete", UndoArg::Param(1))),
        "systemgroup.create" => Some(("systemgroup.delete", UndoArg::Param(1))),
        "kickstart.keys.create" => Some(("kickstart.keys.delete", UndoArg::Param(1))),
        "recurring.custom.create" | "recurring.highstate.create" | "recurring.playbook.create" => {
            Some(("recurring.delete", UndoArg::Answer))
        }
        "recurringaction.create" => Some(("recurringaction.delete", UndoArg::Answer)),
        "image.importOSImage" => Some(("image.delete", UndoArg::Answer)),
        "kickstart.createProfile" | "kickstart.createProfileWithCustomUrl" => {
            Some(("kickstart.deleteProfile", UndoArg::Param(1)))
        }
        "kickstart.profile.addScript" => {
            Some(("kickstart.profile.removeScript", UndoArg::ParamAndAnswer(1)))
        }
        _ => None,
    }
}

/// The answer to a change every node applied: the first node's, unless it
/// carries ids. Action and schedule ids (a change that schedules an action
/// or makes a schedule on each node) are translated per node; one id per
/// node is joined under the first node's, lists of them are concatenated. Reschedule
/// information (a maintenance schedule or calendar changed) lists the
/// actions every node moved ([`merge::merge_rescheduled`]).
async fn answer_of_all(
    ctx: &Ctx<'_>,
    mut applied: Vec<(NodeInfo, Value)>,
) -> Result<Value, GatewayError> {
    if ctx.entry.ids.result.is_empty() {
        return Ok(applied.swap_remove(0).1);
    }
    let ids = ctx.gw.directory().identity();
    // System and action ids in the nodes' order (the cluster ids they
    // get are allocated in it); shared content ids of all nodes at once,
    // as finding one may list the node's content (a kickstart profile's
    // scripts).
    for (node, value) in &mut applied {
        translate::result_from_node(ids, ctx.entry, value, &node.id).await?;
    }
    let values =
        futures::future::try_join_all(applied.into_iter().map(async |(node, mut value)| {
            shared_ids::result_from_node(ctx, &node.id, &mut value).await?;
            Ok::<Value, GatewayError>(value)
        }))
        .await?;
    if let Some(shared) = merge::answers_shared(ctx.entry) {
        return Ok(merge::unite(values, shared));
    }
    if let Some(kind) = merge::whole_objects(ctx.entry)
        && let Some(first) = join_parts(ctx, kind, &values).await
    {
        return Ok(Value::Int(first));
    }
    if ctx.entry.returns_name.as_deref() == Some("reschedule information") {
        return Ok(merge::merge_rescheduled(values));
    }
    Ok(merge::merge_split(ctx.entry, &[], values))
}

/// `activationkey.create` without a key name: each server would make a
/// random one of its own, so the gateway makes one (as the server does:
/// 32 hex digits of random) and gives it to every node.
fn one_key_for_all(ctx: &mut Ctx<'_>) {
    if ctx.entry.namespace != "activationkey" || ctx.entry.method != "create" {
        return;
    }
    let Some(at) = ctx.entry.params.iter().position(|p| p.name == "key") else {
        return;
    };
    if let Some(Value::String(key)) = ctx.call.params.get_mut(at)
        && key.trim().is_empty()
    {
        let bytes: [u8; 16] = rand::random();
        *key = bytes.iter().map(|b| format!("{b:02x}")).collect();
    }
}

/// Routes a `broadcast` class call.
pub(crate) async fn route(mut ctx: Ctx<'_>) -> Result<Value, GatewayError> {
    one_key_for_all(&mut ctx);
    let gw = ctx.gw;
    let nodes = gw.directory().serving();
    if nodes.is_empty() {
        return Err(GatewayError::NoNode("this change"));
    }
    // Read with the serving ones: a node activated meanwhile gets the
    // change one way or the other.
    let staged = gw.directory().followers();
    if let Some(s) = &ctx.session {
        for node in &nodes {
            node_key(gw, s, node).await?;
        }
    }
    let ctx = &ctx;
    // Every node's group ids before anything changes: a group one node
    // lacks fails the change before any node applies it.
    // Asked of every node at once (a node's kickstart scripts need a
    // listing of their profile there).
    let calls =
        futures::future::try_join_all(nodes.iter().map(|node| shared_ids::call_for(ctx, &node.id)))
            .await?;
    let deleted = group_ids::deleting(ctx, &nodes[0].id).await;
    let calls = &calls;
    let at = |node: &NodeInfo| nodes.iter().position(|n| n.id == node.id);
    let gathered = call_many(
        nodes.clone(),
        RequestStrategy::ALL,
        |node: NodeInfo| async move {
            let Some(call) = at(&node).map(|i| calls[i].clone()) else {
                return Err(GatewayError::NoNode(
                    "this change (a node without its call)",
                ));
            };
            call_node(ctx.gw, &node, call, ctx.session.as_ref(), false).await
        },
        || GatewayError::NoNode("this change in time"),
    )
    .await;
    let mut applied: Vec<(NodeInfo, Value)> = Vec::new();
    let mut faults: Vec<(NodeInfo, Fault)> = Vec::new();
    for (node, answer) in gathered.ok {
        match answer {
            Ok(v) => applied.push((node, v)),
            Err(f) => {
                let f = shared_ids::fault_from_node(ctx, &node.id, f).await;
                faults.push((node, f));
            }
        }
    }
    if faults.is_empty() && gathered.failed.is_empty() {
        group_ids::forget_deleted(ctx, deleted).await;
        // And the nodes staged since: a seed-node run that began after the
        // gateways saw one staged may have read the source before the
        // serving nodes applied this change.
        let mut staged = staged;
        for node in gw.directory().followers() {
            if !staged.iter().chain(&nodes).any(|n| n.id == node.id) {
                staged.push(node);
            }
        }
        follow_staged(ctx, staged).await;
        return answer_of_all(ctx, applied).await;
    }
    if applied.is_empty()
        && gathered.failed.is_empty()
        && faults.windows(2).all(|w| w[0].1 == w[1].1)
    {
        return Err(GatewayError::Fault(faults.swap_remove(0).1));
    }
    let mut failed = NodeFailures::default();
    for (node, f) in &faults {
        failed.0.push((node.id.to_string(), fault_reason(f)));
    }
    for (node, e) in &gathered.failed {
        failed.0.push((node.id.to_string(), failure_reason(e)));
    }
    let method = ctx.method();
    let (undone, kept) = undo(ctx, &method, applied).await;
    if !kept.is_empty() {
        for node in &staged {
            staged_missed(
                ctx,
                node,
                "the change failed on a serving node and stays on others",
            );
        }
    }
    let failure = BroadcastFailure {
        code: faults.first().map_or(-1, |(_, f)| f.code),
        method,
        failed,
        undone,
        kept,
    };
    tracing::warn!(failure = %failure, "broadcast failed");
    Err(GatewayError::Broadcast(failure))
}

/// How long a staged node may take over a change it follows.
const FOLLOW_DEADLINE: Duration = Duration::from_secs(3);

/// Changes waiting for the staged nodes, in the order the gateway
/// answered them. Full, a change is not followed (a counted miss).
const FOLLOW_QUEUE: usize = 1024;

/// One change for the staged nodes to follow. Its call may hold a
/// password (`user.create`): it is never shown.
pub(crate) struct Follow {
    entry: &'static Entry,
    call: MethodCall,
    session: Option<SessionCtx>,
    staged: Vec<NodeInfo>,
}

impl std::fmt::Debug for Follow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let staged: Vec<&str> = self.staged.iter().map(|n| &*n.id).collect();
        f.debug_struct("Follow")
            .field("method", &self.entry.full_name())
            .field("staged", &staged)
            .finish_non_exhaustive()
    }
}

/// What a gateway's follow queue carries.
enum Queued {
    /// A change to send.
    Change(Follow),
    /// Answered once every change queued before it was sent or counted
    /// ([`finish_following`]).
    Flushed(oneshot::Sender<()>),
    /// Misses wait to be written to the store ([`tally`]).
    Tally,
}

/// A gateway's follow queue ([`follow_staged`]).
pub(crate) struct FollowQueue {
    queue: mpsc::Sender<Queued>,
    /// Set for good when the gateway begins to stop: a change made from
    /// then on (by a request still running after the grace period) is
    /// counted as missed at once, not queued behind the last flush.
    closing: AtomicBool,
    /// Set for good when the gateway stops and its time to send ran out:
    /// what is still queued is counted as missed, not sent.
    abandon: Arc<AtomicBool>,
    /// Misses per node not yet added to the store's `node-misses/<id>`:
    /// the sending task writes them, one increment per node at a time.
    missed: std::sync::Mutex<HashMap<Arc<str>, u64>>,
    /// The methods of those misses, not yet added to the store's
    /// `node-missed-calls/<id>`: changed and taken under `missed`'s lock,
    /// written after the counts, and not holding up settling (they are
    /// for the administrator to read).
    missed_calls: std::sync::Mutex<HashMap<Arc<str>, MissedCalls>>,
    /// Changes per node sent or counted as missed whose settling is not
    /// yet released: [`tally`] releases them once the node's misses are
    /// written.
    settle: std::sync::Mutex<HashMap<Arc<str>, u64>>,
    /// This gateway's totals per node since it started: changes counted
    /// as queued, and settlings released. Each write of a follow record
    /// sets it to at least these ([`write_count`]), so a write tried again
    /// after an unclear error counts nothing twice, and a record removed
    /// meanwhile is written whole again.
    counts: std::sync::Mutex<HashMap<Arc<str>, FollowCount>>,
    /// Nodes whose released settlings are not written yet.
    unwritten: std::sync::Mutex<HashSet<Arc<str>>>,
    /// Requests counting a change in the store before they queue it: a
    /// stopping gateway waits for them before its last flush.
    counting: AtomicUsize,
    /// One tally at a time: a node's settling is released only after a
    /// miss another tally is writing.
    tallying: tokio::sync::Mutex<()>,
    /// A [`Queued::Tally`] waits in the queue: one is enough.
    tally_queued: Arc<AtomicBool>,
}

impl std::fmt::Debug for FollowQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FollowQueue")
            .field(
                "queued",
                &(self.queue.max_capacity() - self.queue.capacity()),
            )
            .field("closing", &self.closing.load(Ordering::Relaxed))
            .field("abandon", &self.abandon.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// How long a stopping gateway goes on sending the changes its staged
/// nodes wait for ([`finish_following`]).
pub(crate) const FOLLOW_DRAIN: Duration = Duration::from_secs(10);

/// How long a stopping gateway waits, once its time to send ran out, for
/// the change under way and the count of the rest.
const FOLLOW_LAST: Duration = Duration::from_secs(FOLLOW_DEADLINE.as_secs() + 1);

/// Sends what the staged nodes wait for before the gateway stops, within
/// `within`; then what is still queued is logged and counted as missed
/// (`the gateway stopped before sending it`) while the change under way
/// finishes (at most [`FOLLOW_LAST`] more). A change made after this
/// began is counted at once. Call it once the gateway takes no more
/// requests; it leaves the queue closed for good.
pub(crate) async fn finish_following(gw: &Gateway, within: Duration) {
    let follows = follow_queue(gw);
    follows.closing.store(true, Ordering::SeqCst);
    // A request counting a change now queues it before the flush below.
    let waiting = tokio::time::Instant::now();
    while follows.counting.load(Ordering::SeqCst) > 0 && waiting.elapsed() < within {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let queued = follows.queue.max_capacity() - follows.queue.capacity();
    if queued > 0 {
        tracing::info!(
            queued,
            "sending the changes staged nodes wait for before stopping"
        );
    }
    let (done, flushed) = oneshot::channel();
    let mut all_sent = std::pin::pin!(async {
        if follows.queue.send(Queued::Flushed(done)).await.is_err() || flushed.await.is_err() {
            tracing::error!(
                "the task sending changes to staged nodes ended early: what it held was lost uncounted"
            );
        }
    });
    if tokio::time::timeout(within, &mut all_sent).await.is_ok() {
        settle_all(gw).await;
        forget_records(gw).await;
        return;
    }
    follows.abandon.store(true, Ordering::Relaxed);
    tracing::warn!(within = ?within, "stopping before the staged nodes got every change: the rest are counted as missed");
    if tokio::time::timeout(FOLLOW_LAST, all_sent).await.is_err() {
        tracing::warn!(
            "stopped while a change for the staged nodes was under way: the rest were not counted (the director sees them unsettled)"
        );
        return;
    }
    settle_all(gw).await;
    forget_records(gw).await;
}

/// Writes what is left to write of misses and settlings, trying again
/// for up to [`FOLLOW_LAST`] when the store fails.
async fn settle_all(gw: &Gateway) {
    let follows = follow_queue(gw);
    let pending = || {
        !lock(&follows.missed).is_empty()
            || !lock(&follows.missed_calls).is_empty()
            || !lock(&follows.settle).is_empty()
            || !lock(&follows.unwritten).is_empty()
    };
    let started = tokio::time::Instant::now();
    while pending() && started.elapsed() < FOLLOW_LAST {
        tally(gw).await;
        if pending() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Removes this gateway's follow records that hold nothing unsettled, as
/// it stops: a record left behind is one with changes it never settled,
/// which the director goes on seeing.
async fn forget_records(gw: &Gateway) {
    let follows = follow_queue(gw);
    let nodes: Vec<Arc<str>> = lock(&follows.counts).keys().cloned().collect();
    for node in nodes {
        let kept = gw
            .directory()
            .store()
            .update_json(
                Keys::node_follows(&node, gw.instance()),
                FollowCount::kept_unsettled,
            )
            .await;
        match kept {
            Ok(Some(count)) => {
                tracing::warn!(node = %node, unsettled = count.unsettled(), "stopping with changes for a following node neither sent nor counted")
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(node = %node, error = %e, "could not remove this gateway's follow record")
            }
        }
    }
}

/// The content of `mutex`, also after a panic while it was held.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The gateway's follow queue, and the task that sends what it holds in
/// order ([`follow`]), started on first use.
fn follow_queue(gw: &Gateway) -> &FollowQueue {
    gw.follows().get_or_init(|| {
        let (queue, mut changes) = mpsc::channel::<Queued>(FOLLOW_QUEUE);
        let abandon = Arc::new(AtomicBool::new(false));
        let abandoned = abandon.clone();
        let tally_queued = Arc::new(AtomicBool::new(false));
        let tally_taken = tally_queued.clone();
        let weak = gw.downgrade();
        tokio::spawn(async move {
            while let Some(queued) = changes.recv().await {
                let Some(gw) = weak.upgrade() else {
                    return;
                };
                let change = match queued {
                    Queued::Change(change) => change,
                    Queued::Tally => {
                        tally_taken.store(false, Ordering::Relaxed);
                        tally(&gw).await;
                        continue;
                    }
                    Queued::Flushed(done) => {
                        // What comes after the last flush came in as the
                        // gateway stopped: count it rather than send it.
                        abandoned.store(true, Ordering::Relaxed);
                        tally(&gw).await;
                        let _ = done.send(());
                        continue;
                    }
                };
                let ctx = Ctx {
                    gw: &gw,
                    call: change.call,
                    entry: change.entry,
                    session: change.session,
                };
                let nodes: Vec<Arc<str>> = change.staged.iter().map(|n| n.id.clone()).collect();
                if abandoned.load(Ordering::Relaxed) {
                    for node in &change.staged {
                        staged_missed(&ctx, node, "the gateway stopped before sending it");
                    }
                } else {
                    follow(&ctx, change.staged).await;
                }
                settled(follow_queue(&gw), nodes);
                tally(&gw).await;
            }
        });
        tracing::info!(gateway = %gw.instance(), "following staged and failed nodes: this gateway's records are node-follows/<node>/{}", gw.instance());
        FollowQueue {
            queue,
            closing: AtomicBool::new(false),
            abandon,
            missed: std::sync::Mutex::default(),
            missed_calls: std::sync::Mutex::default(),
            settle: std::sync::Mutex::default(),
            counts: std::sync::Mutex::default(),
            unwritten: std::sync::Mutex::default(),
            counting: AtomicUsize::new(0),
            tallying: tokio::sync::Mutex::new(()),
            tally_queued,
        }
    })
}

/// Queues a change every serving node applied for each of `staged`: the
/// client's answer waits for it to be counted in the store
/// ([`count_queued`]), not for it to be sent. One task per gateway sends
/// the queued changes in order ([`follow`]), so that a staged node gets
/// them in the order this gateway made them; it ends with the gateway.
async fn follow_staged(ctx: &Ctx<'_>, staged: Vec<NodeInfo>) {
    if staged.is_empty() {
        return;
    }
    let follows = follow_queue(ctx.gw);
    // Seen by a stopping gateway before it looks at `closing`.
    follows.counting.fetch_add(1, Ordering::SeqCst);
    let _counted = Counting(&follows.counting);
    if follows.closing.load(Ordering::SeqCst) {
        for node in &staged {
            staged_missed(ctx, node, "the gateway stopped before sending it");
        }
        return;
    }
    let counted =
        futures::future::join_all(staged.iter().map(|node| count_queued(ctx.gw, node))).await;
    let mut queued = Vec::with_capacity(staged.len());
    for (node, counted) in staged.into_iter().zip(counted) {
        match counted {
            Ok(()) => queued.push(node),
            Err(e) => {
                // Maybe counted after all (an unclear error): settled as
                // missed, after the miss.
                let why = format!("it could not be counted in the store before it was queued: {e}");
                staged_missed(ctx, &node, &why);
                settled(follows, [node.id.clone()]);
            }
        }
    }
    if queued.is_empty() {
        return;
    }
    let staged = queued;
    let change = Follow {
        entry: ctx.entry,
        call: ctx.call.clone(),
        session: ctx.session.as_ref().map(SessionCtx::detached),
        staged,
    };
    let refused = match follows.queue.try_send(Queued::Change(change)) {
        Ok(()) => None,
        Err(mpsc::error::TrySendError::Full(queued)) => {
            Some((queued, "too many changes wait for the staged nodes"))
        }
        Err(mpsc::error::TrySendError::Closed(queued)) => {
            Some((queued, "the task sending changes to staged nodes ended"))
        }
    };
    if let Some((Queued::Change(change), why)) = refused {
        // Settled as missed: the miss first ([`tally`] releases a
        // node's settling only once no miss of it waits).
        for node in &change.staged {
            staged_missed(ctx, node, why);
        }
        settled(follows, change.staged.iter().map(|n| n.id.clone()));
    }
}

/// Marks a request counting a change (see [`FollowQueue::counting`])
/// until dropped.
struct Counting<'a>(&'a AtomicUsize);

impl Drop for Counting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts a change queued for `node` in this gateway's follow record
/// (`node-follows/<node>/<gateway>`), before the change's call answers:
/// should the gateway be killed before it settles the change, the
/// director sees it unsettled.
async fn count_queued(gw: &Gateway, node: &NodeInfo) -> Result<(), director::store::StoreError> {
    lock(&follow_queue(gw).counts)
        .entry(node.id.clone())
        .or_default()
        .queued += 1;
    write_count(gw, &node.id).await
}

/// Writes this gateway's totals for `node` to its follow record: each
/// count becomes at least the total (they only grow), so writing twice
/// counts nothing twice.
async fn write_count(gw: &Gateway, node: &Arc<str>) -> Result<(), director::store::StoreError> {
    let totals = lock(&follow_queue(gw).counts)
        .get(node)
        .copied()
        .unwrap_or_default();
    gw.directory()
        .store()
        .update_json::<FollowCount, _>(Keys::node_follows(node, gw.instance()), |held| {
            let held = held.unwrap_or_default();
            Some(FollowCount {
                queued: held.queued.max(totals.queued),
                settled: held.settled.max(totals.settled),
            })
        })
        .await
        .map(drop)
}

/// Notes one change for each of `nodes` as settled (sent, or counted as
/// missed), for [`tally`] to write after their misses.
fn settled(follows: &FollowQueue, nodes: impl IntoIterator<Item = Arc<str>>) {
    let mut settle = lock(&follows.settle);
    for node in nodes {
        *settle.entry(node).or_default() += 1;
    }
}

/// Sends the change of `ctx` to each of `staged`, in parallel, each
/// within [`FOLLOW_DEADLINE`]. A staged node that does not
/// take it (its circuit breaker is open, no session on it and no password
/// held here, unreachable or slow, a fault) is logged and counted
/// (`gateway_staged_misses_total`), and so is a change not followed:
/// one without a session (`org.createFirst`), one naming systems
/// (`saltkey.*`), one that makes node objects (actions, recurring
/// schedules, images), whose cluster ids stand for the serving nodes'
/// copies only. The answer's content ids are bound for the node; other ids
/// in it (the actions a maintenance change moved) are left alone.
async fn follow(ctx: &Ctx<'_>, staged: Vec<NodeInfo>) {
    let ids = &ctx.entry.ids;
    let names_systems = ids.params.iter().any(|p| p.kind == IdKind::System)
        || ids.result.iter().any(|r| r.kind == IdKind::System);
    let makes_objects = merge::whole_objects(ctx.entry).is_some()
        || (ids.result.iter().any(|r| r.kind.is_node_object())
            && ctx.entry.returns_name.as_deref() != Some("reschedule information"));
    let not_followed = if ctx.session.is_none() {
        Some("a change without a session is not followed")
    } else if names_systems {
        Some("a change naming systems is not followed")
    } else if makes_objects {
        Some("a change that makes node objects is not followed")
    } else {
        None
    };
    if let Some(why) = not_followed {
        // Nothing seed-node would repair: logged and in this gateway's
        // metrics, not in the store's count the director checks.
        for node in &staged {
            note_miss(ctx, node, why, false);
        }
        return;
    }
    let binds_content = !ids.result.iter().any(|r| r.kind.is_node_object());
    let sends = staged.into_iter().map(|node| async move {
        if ctx.gw.directory().serves(&node.id) {
            // Activated (or back from failed) since the change was queued:
            // broadcasts reach it directly now, and this older change could
            // undo a newer one.
            staged_missed(ctx, &node, "it serves now; the change came too late");
            return;
        }
        if ctx.gw.upstreams().is_open(&node.id) {
            staged_missed(ctx, &node, "its circuit breaker is open");
            return;
        }
        let sent = tokio::time::timeout(FOLLOW_DEADLINE, async {
            if let Some(s) = &ctx.session {
                node_key(ctx.gw, s, &node).await?;
            }
            let call = shared_ids::call_for(ctx, &node.id).await?;
            call_node(ctx.gw, &node, call, ctx.session.as_ref(), false).await
        })
        .await;
        let missed = match sent {
            Err(_) => Some(format!("no answer within {} s", FOLLOW_DEADLINE.as_secs())),
            Ok(Ok(Ok(mut answer))) if binds_content => {
                let ids = ctx.gw.directory().identity();
                match translate::result_from_node(ids, ctx.entry, &mut answer, &node.id).await {
                    Ok(()) => shared_ids::result_from_node(ctx, &node.id, &mut answer)
                        .await
                        .err()
                        .map(|e| e.to_string()),
                    Err(e) => Some(e.to_string()),
                }
            }
            Ok(Ok(Ok(_))) => None,
            Ok(Ok(Err(fault))) => Some(fault_reason(&fault)),
            Ok(Err(e)) => Some(failure_reason(&e)),
        };
        if let Some(why) = missed {
            staged_missed(ctx, &node, &why);
        }
    });
    futures::future::join_all(sends).await;
}

/// Logs and counts a change a staged or failed node `node` did not take
/// and a `seed-node` run would carry: in this gateway's metrics, and in
/// the shared store (`node-misses/<id>`, written by the sending task,
/// [`tally`]), where the director sees it before it activates the node.
fn staged_missed(ctx: &Ctx<'_>, node: &NodeInfo, why: &str) {
    note_miss(ctx, node, why, true);
}

/// Logs a missed change and counts it in this gateway's metrics, and, when
/// `for_store`, among the misses the sending task adds to the store. A
/// failed node's misses are logged at debug level: one that is down
/// misses every change, and the counts say so.
fn note_miss(ctx: &Ctx<'_>, node: &NodeInfo, why: &str, for_store: bool) {
    const MISSED: &str = "a staged or failed node did not take a change of shared data";
    if node.state == director::model::NodeState::Failed {
        tracing::debug!(node = %node.id, method = %ctx.method(), cause = %why, "{MISSED}");
    } else {
        tracing::warn!(node = %node.id, method = %ctx.method(), cause = %why, "{MISSED}");
    }
    ctx.gw.metrics().staged_miss(&node.id);
    if for_store {
        let follows = follow_queue(ctx.gw);
        let now = now_ms();
        let call = MissedCall {
            count: 1,
            first: now,
            last: now,
        };
        {
            // Under one lock with the count: a tally takes both at once.
            let mut missed = lock(&follows.missed);
            *missed.entry(node.id.clone()).or_default() += 1;
            add_calls(
                &follows.missed_calls,
                &node.id,
                &MissedCalls::from([(ctx.method(), call)]),
            );
        }
        // Wakes the sending task when it waits; busy, it tallies after
        // the change under way.
        if !follows.tally_queued.swap(true, Ordering::Relaxed)
            && follows.queue.try_send(Queued::Tally).is_err()
        {
            follows.tally_queued.store(false, Ordering::Relaxed);
        }
    }
}

/// Adds `calls` to `node`'s in `pending`.
fn add_calls(
    pending: &std::sync::Mutex<HashMap<Arc<str>, MissedCalls>>,
    node: &Arc<str>,
    calls: &MissedCalls,
) {
    add_missed_calls(lock(pending).entry(node.clone()).or_default(), calls);
}

/// Adds the misses counted since the last tally to the store's
/// `node-misses/<id>`, one increment per node, and their methods to
/// `node-missed-calls/<id>`; then the changes settled to this gateway's
/// `node-follows/<id>/<gateway>`: a node's settling is written only once
/// its misses are counted, so that the director never sees a change
/// settled and its miss not counted. A write that fails is logged and
/// kept, and tried again a second later; one whose outcome is unclear
/// (the store failed to answer after it wrote) is added again, as every
/// count is.
async fn tally(gw: &Gateway) {
    /// How long a failed write waits before it is tried again.
    const AGAIN: Duration = Duration::from_secs(1);
    let follows = follow_queue(gw);
    let _one = follows.tallying.lock().await;
    let store = gw.directory().store();
    let (pending, calls) = {
        let mut missed = lock(&follows.missed);
        let calls = std::mem::take(&mut *lock(&follows.missed_calls));
        (std::mem::take(&mut *missed), calls)
    };
    let mut behind = HashSet::new();
    for (node, n) in pending {
        let counted = store
            .update_json::<u64, _>(Keys::node_misses(&node), |held| {
                Some(held.unwrap_or(0).saturating_add(n))
            })
            .await;
        if let Err(e) = counted {
            tracing::warn!(node = %node, missed = n, error = %e, "missed changes could not be counted in the store; trying again");
            behind.insert(node.clone());
            *lock(&follows.missed).entry(node).or_default() += n;
        }
    }
    // Only read by the administrator: a failed write is tried again, and
    // holds no settling up. A node whose count is behind keeps its
    // methods for the next tally, so that they never come before it.
    let mut again = false;
    for (node, calls) in calls {
        if behind.contains(&node) {
            add_calls(&follows.missed_calls, &node, &calls);
            continue;
        }
        let added = store
            .update_json::<MissedCalls, _>(Keys::node_missed_calls(&node), |held| {
                let mut held = held.unwrap_or_default();
                add_missed_calls(&mut held, &calls);
                Some(held)
            })
            .await;
        if let Err(e) = added {
            tracing::warn!(node = %node, error = %e, "the methods of missed changes could not be recorded in the store; trying again");
            add_calls(&follows.missed_calls, &node, &calls);
            again = true;
        }
    }
    let settling = std::mem::take(&mut *lock(&follows.settle));
    for (node, n) in settling {
        // A miss counted since the misses were taken comes first.
        if behind.contains(&node) || lock(&follows.missed).contains_key(&node) {
            behind.insert(node.clone());
            *lock(&follows.settle).entry(node).or_default() += n;
            continue;
        }
        lock(&follows.counts)
            .entry(node.clone())
            .or_default()
            .settled += n;
        lock(&follows.unwritten).insert(node);
    }
    let unwritten: Vec<Arc<str>> = lock(&follows.unwritten).drain().collect();
    for node in unwritten {
        if let Err(e) = write_count(gw, &node).await {
            tracing::warn!(node = %node, error = %e, "changes sent to a following node could not be settled in the store; trying again");
            lock(&follows.unwritten).insert(node.clone());
            behind.insert(node);
        }
    }
    if (again || !behind.is_empty()) && !follows.tally_queued.swap(true, Ordering::Relaxed) {
        let queue = follows.queue.clone();
        let tally_queued = follows.tally_queued.clone();
        tokio::spawn(async move {
            tokio::time::sleep(AGAIN).await;
            if queue.send(Queued::Tally).await.is_err() {
                tally_queued.store(false, Ordering::Relaxed);
            }
        });
    }
}

/// Why a call failed on a node, in short: its fault, or why it could not
/// be reached.
pub(crate) fn failure_reason(e: &GatewayError) -> String {
    match e {
        GatewayError::Fault(f) => fault_reason(f),
        GatewayError::NodeUnavailable { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

/// A node's fault as a short reason (without the redstone prefix).
fn fault_reason(f: &Fault) -> String {
    let text = f
        .string
        .strip_prefix("redstone.xmlrpc.XmlRpcFault: ")
        .unwrap_or(&f.string);
    format!("fault {}: {text}", f.code)
}

/// Undoes the change on the nodes that applied it; returns the nodes undone
/// (with the undoing method) and the nodes where it stays.
async fn undo(
    ctx: &Ctx<'_>,
    method: &str,
    applied: Vec<(NodeInfo, Value)>,
) -> (Vec<(String, String)>, Vec<String>) {
    let Some((undo_method, arg)) = undo_of(method) else {
        return (
            Vec::new(),
            applied.iter().map(|(n, _)| n.id.to_string()).collect(),
        );
    };
    let mut undone = Vec::new();
    let mut kept = Vec::new();
    for (node, answer) in applied {
        // The node's own answer: its id of what it made.
        let args = match arg {
            UndoArg::Answer => Some(vec![answer]),
            UndoArg::Param(i) => ctx.call.params.get(i).cloned().map(|p| vec![p]),
            UndoArg::ParamAndAnswer(i) => ctx.call.params.get(i).cloned().map(|p| vec![p, answer]),
        };
        let (Some(args), Some(key)) = (args, ctx.call.params.first().cloned()) else {
            kept.push(node.id.to_string());
            continue;
        };
        let mut params = vec![key];
        params.extend(args);
        let call = MethodCall {
            name: undo_method.to_owned(),
            params,
        };
        match call_node(ctx.gw, &node, call, ctx.session.as_ref(), false).await {
            Ok(Ok(_)) => undone.push((node.id.to_string(), undo_method.to_owned())),
            other => {
                tracing::error!(node = %node.id, outcome = ?other.map(|r| r.map(|_| ())), "undoing a broadcast change failed");
                kept.push(node.id.to_string());
            }
        }
    }
    (undone, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_pairs() {
        assert_eq!(
            undo_of("activationkey.create"),
            Some(("activationkey.delete", UndoArg::Answer))
        );
        assert_eq!(
            undo_of("user.create"),
            Some(("user.delete", UndoArg::Param(1)))
        );
        assert_eq!(undo_of("user.setDetails"), None);
        // Every undoing method exists in the spec.
        for m in [
            "activationkey.create",
            "user.create",
            "systemgroup.create",
            "kickstart.keys.create",
            "recurring.highstate.create",
            "recurringaction.create",
            "image.importOSImage",
            "kickstart.createProfile",
            "kickstart.createProfileWithCustomUrl",
            "kickstart.profile.addScript",
        ] {
            let (undo, _) = undo_of(m).unwrap();
            assert!(!spec::spec().overloads(undo).is_empty(), "{undo}");
        }
    }
}
