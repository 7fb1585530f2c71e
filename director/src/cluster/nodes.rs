//! Nodes: registration, changes, lifecycle, cordon, removal, heartbeats.

use super::{Director, DirectorError, Heartbeat, NewNode, NodePatch, Result, SCAN_LIMIT};
use crate::model::{
    FOLLOW_RECORDS, FollowCount, Keys, Millis, Node, NodeState, SeedMark, Zone, now_ms,
};
use crate::remote::SeedReport;
use crate::store::{Store, Txn};

fn check_weight(weight: f64) -> Result<f64> {
    if weight.is_finite() && weight > 0.0 && weight <= 1e6 {
        Ok(weight)
    } else {
        Err(DirectorError::Invalid(format!(
            "invalid weight {weight}: must be a number above 0 and at most 1000000"
        )))
    }
}

fn check_url(url: &str) -> Result<()> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() > 8
        && !url.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(DirectorError::Invalid(format!(
            "invalid API URL {url:?}: expected http(s)://host[:port]/rpc/api"
        )))
    }
}

/// The host part of an URL (`https://host:port/path` -> `host`).
fn url_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or(host).to_owned()
    }
}

/// The nodes other than `id` that serve clients, active ones first
/// (`active`, `draining`): those a node that joins gets the shared data
/// from.
fn serving_besides<'a>(nodes: &'a [Node], id: &str) -> Vec<&'a str> {
    let mut serving: Vec<&Node> = nodes
        .iter()
        .filter(|n| n.id != id && matches!(n.state, NodeState::Active | NodeState::Draining))
        .collect();
    serving.sort_by_key(|n| n.state != NodeState::Active);
    serving.into_iter().map(|n| n.id.as_str()).collect()
}

/// How long after a node is staged a seed-node run may begin: the gateways
/// read the node list every second, and send a staged node every change
/// from then on. A run that began sooner may miss a change made between.
pub const STAGED_SETTLE_MS: Millis = 2000;

/// What the operator is told to pass to skip the seed check.
const UNSEEDED: &str =
    "or pass --unseeded (API: \"unseeded\": true) if it holds the shared data already";

/// The changes of shared data failed `node` missed since it failed: its
/// count grew (`misses` now), or a gateway queued one for it that is not
/// settled yet (`follows` now: still under way, or lost with a killed
/// gateway). Read before the node leaves the failed state, which drops
/// the marks. A count not kept (failed before it was) counts as none.
fn missed_while_failed(node: &Node, misses: u64, follows: &[(String, FollowCount)]) -> u64 {
    let missed = node
        .misses_at_failure
        .map_or(0, |then| misses.saturating_sub(then));
    let unsettled = node
        .follow_marks()
        .map_or(0, |marks| crate::model::unsettled_since(marks, follows).0);
    missed.saturating_add(unsettled)
}

/// Refuses to let `node` follow the shared data (`staged`) or serve
/// (`active`) without the shared data the `serving` nodes hold: the
/// gateways broadcast system groups, configuration channels, activation
/// keys and users to the nodes that serve, so a node that joins later has
/// none of what came before (a client placed there could not register
/// with the cluster's activation keys).
///
/// - `new` to `staged`: a `gateway seed-node` run must have begun since
///   the node was added; `offline` to `staged`: one with `--update
///   --prune` (its copies are stale) since it went offline;
/// - `staged` to `active`: one with `--update --prune` must have begun since it
///   was staged (at least [`STAGED_SETTLE_MS`] after), when the gateways
///   send it every change (it carries what changed before), and the node
///   must have missed none of those changes since that run began
///   (`node-misses/<id>`, counted by the gateways), and every change the
///   gateways queued for it since must be settled, sent or counted
///   (`node-follows/<id>/<gateway>`): one a gateway was killed with is
///   never settled, and asks for another run;
/// - `new` or `offline` straight to `active`: refused, it would miss what
///   changes between the run and its activation.
///
/// Nothing is checked when no other node serves (nothing to copy from);
/// the operator may skip the check (`unseeded`, handled by the caller).
fn check_seeded(
    node: &Node,
    to: NodeState,
    serving: &[&str],
    misses: u64,
    follows: &[(String, FollowCount)],
) -> Result<()> {
    let Some(source) = serving.first() else {
        return Ok(());
    };
    if !matches!(to, NodeState::Staged | NodeState::Active)
        || !matches!(
            node.state,
            NodeState::New | NodeState::Staged | NodeState::Offline
        )
    {
        return Ok(());
    }
    let id = &node.id;
    let sync = node.needs_sync();
    let flag = if sync { " --update --prune" } else { "" };
    let seed = format!("gateway seed-node --from {source} --to {id}{flag}");
    let mark = node.seeded_in_state();
    let seeded = mark.is_some_and(|mark| mark.synced() || !sync);
    let missed = mark.map_or(0, |mark| misses.saturating_sub(mark.misses));
    let (unsettled, holders) = node.follow_marks().map_or((0, Vec::new()), |marks| {
        crate::model::unsettled_since(marks, follows)
    });
    let why = match (node.state, to) {
        (NodeState::Staged, _) if seeded && missed > 0 => format!(
            "node {id} missed {missed} change(s) of shared data since the last seed-node run \
             began (the gateways log each: `a staged or failed node did not take a change of \
             shared data`): run `{seed}` again, then activate it; {UNSEEDED}"
        ),
        (NodeState::Staged, _) if seeded && unsettled > 0 => format!(
            "node {id} has {unsettled} change(s) of shared data queued for it since the last \
             seed-node run began that the gateway(s) {} have neither sent nor counted as \
             missed yet: a running gateway settles them within seconds, so try again; one \
             that was killed lost them, then run `{seed}` again and activate it; {UNSEEDED}",
            holders.join(", ")
        ),
        (NodeState::Staged, _) if seeded => return Ok(()),
        (NodeState::Staged, _) => format!(
            "node {id} has had no seed-node run with --update --prune since it was staged: \
             run `{seed}` (it carries what changed or went before the gateways began to send \
             {id} every change), then activate it; {UNSEEDED}"
        ),
        (_, NodeState::Staged) if seeded => return Ok(()),
        (from, NodeState::Staged) => format!(
            "node {id} has had no seed-node run{with} since it became {}: {source} serves, so \
             copy the shared data first (`{seed}`), then stage it; {UNSEEDED}",
            from.as_str(),
            with = if sync { " with --update --prune" } else { "" },
        ),
        (from, _) => format!(
            "node {id} is {}: stage it before activating it (`{seed}`, set it staged, run \
             `gateway seed-node --from {source} --to {id} --update --prune`, then activate it): \
             activated straight, it would miss what changes between the seed-node run and \
             its activation; {UNSEEDED}",
            from.as_str()
        ),
    };
    Err(DirectorError::Conflict(why))
}

/// Each gateway's count of changes queued for node `id` and settled
/// (`node-follows/<id>/<gateway>`), by gateway: what the director checks
/// and what a `seed-node` run notes as it begins. [`FOLLOW_RECORDS`] or
/// more is refused: the ones left out would read as settled.
pub async fn read_follows(store: &Store, id: &str) -> Result<Vec<(String, FollowCount)>> {
    let FollowScan { follows, more } = scan_follows(store, id).await?;
    if more {
        return Err(DirectorError::Conflict(format!(
            "node {id} has {FOLLOW_RECORDS} or more follow records \
             (node-follows/{id}/...): remove the ones that no longer count with \
             `director node forget-follows {id}` (run it until none is left unread)"
        )));
    }
    Ok(follows)
}

/// The first [`FOLLOW_RECORDS`] follow records of a node, by gateway.
pub(super) struct FollowScan {
    /// The records read.
    pub follows: Vec<(String, FollowCount)>,
    /// Whether more may remain unread.
    pub more: bool,
}

/// Reads node `id`'s follow records, at most [`FOLLOW_RECORDS`] of them.
pub(super) async fn scan_follows(store: &Store, id: &str) -> Result<FollowScan> {
    let scanned = store
        .scan_prefix_json::<FollowCount>(Keys::node_follows_of(id), FOLLOW_RECORDS)
        .await?;
    Ok(FollowScan {
        more: scanned.len() >= FOLLOW_RECORDS,
        follows: crate::model::follows_by_gateway(id, scanned),
    })
}

impl Director {
    /// Every node (removed ones included), by id.
    pub async fn list_nodes(&self) -> Result<Vec<Node>> {
        Ok(self
            .store
            .scan_prefix_json::<Node>("node/", SCAN_LIMIT)
            .await?
            .into_iter()
            .map(|(_, n)| n)
            .collect())
    }

    /// One node.
    pub async fn get_node(&self, id: &str) -> Result<Node> {
        self.store
            .get_json(Keys::node(id))
            .await?
            .ok_or_else(|| DirectorError::not_found("node", id))
    }

    /// Registers a node.
    pub async fn add_node(&self, new: NewNode) -> Result<Node> {
        if !Zone::valid_name(&new.id) {
            return Err(DirectorError::Invalid(format!(
                "invalid node id {:?}: use 1-63 characters of a-z, 0-9 and -",
                new.id
            )));
        }
        check_url(&new.api_url)?;
        let weight = check_weight(new.weight.unwrap_or(1.0))?;
        self.get_zone(&new.zone).await?;
        let state = new.state.unwrap_or(NodeState::New);
        if !matches!(
            state,
            NodeState::New | NodeState::Staged | NodeState::Active
        ) {
            return Err(DirectorError::Invalid(format!(
                "a node starts as new, staged or active, not {}",
                state.as_str()
            )));
        }
        let mut vouched = false;
        if state != NodeState::New {
            let nodes = self.list_nodes().await?;
            if let Some(source) = serving_besides(&nodes, &new.id).first() {
                if !new.unseeded {
                    return Err(DirectorError::Conflict(format!(
                        "node {id} cannot join as {state} while {source} serves: add it as \
                         new, copy the shared data (`gateway seed-node --from {source} --to \
                         {id}`), stage it, run seed-node again with --update --prune and \
                         activate it; \
                         {UNSEEDED}",
                        id = new.id,
                        state = state.as_str(),
                    )));
                }
                vouched = true;
            }
        }
        let now = now_ms();
        let master = new.master.clone().unwrap_or_else(|| url_host(&new.api_url));
        let mut node = Node {
            id: new.id.clone(),
            number: 0,
            zone: new.zone,
            api_url: new.api_url,
            master,
            weight,
            state,
            cordoned: false,
            last_heartbeat: None,
            load: None,
            public_key: new.public_key,
            drain_deadline: None,
            state_since: Some(now),
            seeded: None,
            misses_at_failure: None,
            follows_at_failure: None,
            lacking: None,
            cordoned_lacking: false,
            created: now,
            updated: now,
        };
        let node_key = Keys::node(&node.id);
        let outcome = self
            .store
            .allocate_with(Keys::counter("node-number"), |n| {
                let mut record = node.clone();
                record.number = u32::try_from(n).unwrap_or(u32::MAX);
                Txn::new()
                    .check(&node_key, None)
                    .put_json(&node_key, &record)
                    .map(|t| t.put(Keys::node_number(record.number), record.id.as_bytes()))
            })
            .await?;
        match outcome {
            Ok(n) => node.number = u32::try_from(n).unwrap_or(u32::MAX),
            Err(_) => {
                return Err(DirectorError::Conflict(format!(
                    "node {} already exists",
                    node.id
                )));
            }
        }
        if vouched {
            tracing::warn!(node = %node.id, state = node.state.as_str(), "node joined beside serving nodes without a seed-node run: the operator says it holds the shared data (unseeded)");
        }
        tracing::info!(node = %node.id, zone = %node.zone, state = node.state.as_str(), "node added");
        Ok(node)
    }

    /// Applies a read-modify-write to a node record.
    pub(super) async fn update_node<F>(&self, id: &str, mut change: F) -> Result<Node>
    where
        F: FnMut(&mut Node) -> Result<()>,
    {
        let mut failure = None;
        let updated = self
            .store
            .update_json::<Node, _>(Keys::node(id), |current| {
                let mut node = current?;
                match change(&mut node) {
                    Ok(()) => {
                        node.updated = now_ms();
                        failure = None;
                        Some(node)
                    }
                    Err(e) => {
                        failure = Some(e);
                        Some(node)
                    }
                }
            })
            .await?;
        if let Some(e) = failure {
            return Err(e);
        }
        updated.ok_or_else(|| DirectorError::not_found("node", id))
    }

    /// Changes a node's weight, URLs or state. A change of state must be one
    /// the lifecycle allows; draining goes through [`Director::drain`].
    pub async fn patch_node(&self, id: &str, patch: NodePatch) -> Result<Node> {
        if let Some(w) = patch.weight {
            check_weight(w)?;
        }
        if let Some(url) = &patch.api_url {
            check_url(url)?;
        }
        if patch.state == Some(NodeState::Draining) {
            return Err(DirectorError::Invalid(
                "use the drain operation to drain a node".into(),
            ));
        }
        if patch.state == Some(NodeState::Removed) {
            return Err(DirectorError::Invalid(
                "use node removal to remove a node".into(),
            ));
        }
        if let Some(NodeState::Offline) = patch.state {
            let held = self.held_by(id).await;
            if held > 0 {
                return Err(DirectorError::Conflict(format!(
                    "node {id} still owns {held} clients: drain it first"
                )));
            }
        }
        // Read before the change: a node that starts serving meanwhile is
        // not counted (the check is for operators, not against them).
        let nodes = match patch.state {
            Some(NodeState::Staged | NodeState::Active) => self.list_nodes().await?,
            _ => Vec::new(),
        };
        let serving = serving_besides(&nodes, id);
        // The follow records before the misses: a change settled between
        // the two reads as missed is seen in the count.
        let (follows, misses) = match patch.state {
            Some(NodeState::Active) => (self.follows_of(id).await?, self.misses_of(id).await?),
            _ => (Vec::new(), 0),
        };
        let mut unseeded = false;
        let mut lacked = 0;
        // Set active while failed with `unseeded`: what it lacked, now
        // taken as held.
        let mut vouched: Option<u64> = None;
        let node = self
            .update_node(id, |node| {
                // Each attempt starts afresh: a write that lost a race is
                // tried again on the node as it is then.
                (unseeded, lacked, vouched) = (false, 0, None);
                if let Some(state) = patch.state
                    && state != node.state
                {
                    if !node.state.may_become(state) {
                        return Err(DirectorError::Conflict(format!(
                            "node {id} cannot go from {} to {}",
                            node.state.as_str(),
                            state.as_str()
                        )));
                    }
                    if let Err(refused) = check_seeded(node, state, &serving, misses, &follows) {
                        if !patch.unseeded {
                            return Err(refused);
                        }
                        unseeded = true;
                    }
                    // Set active while failed: what it missed is counted
                    // as when it beats again (active and cordoned, never
                    // staged), unless the operator says it holds the
                    // shared data: then it lacks nothing.
                    if (node.state, state) == (NodeState::Failed, NodeState::Active) {
                        let missed = missed_while_failed(node, misses, &follows);
                        if patch.unseeded {
                            vouched = Some(missed.saturating_add(node.lacking.unwrap_or(0)));
                            node.lacks_nothing();
                        } else {
                            lacked = missed;
                        }
                    }
                    node.enter(state, now_ms());
                    node.lacks(lacked);
                }
                if let Some(w) = patch.weight {
                    node.weight = w;
                }
                if let Some(url) = &patch.api_url {
                    node.api_url.clone_from(url);
                }
                if let Some(master) = &patch.master {
                    node.master.clone_from(master);
                }
                Ok(())
            })
            .await?;
        if unseeded {
            tracing::warn!(node = %id, state = node.state.as_str(), "node changed state without the seed-node run the director asks for: the operator says it holds the shared data (unseeded)");
        }
        if lacked > 0 {
            tracing::error!(node = %id, missed = lacked, lacking = node.lacking.unwrap_or(lacked), "node set active while failed, lacking changes of shared data it missed meanwhile: cordoned (a new client could need what it lacks); drain it, then bring it in line as a node that joins");
        }
        if let Some(changes) = vouched.filter(|&n| n > 0) {
            tracing::warn!(node = %id, changes, "node set active while failed with --unseeded: the changes of shared data it missed are taken as held, not counted");
        }
        if patch.state == Some(NodeState::Active) {
            self.forget_settled_follows(id, follows).await;
        }
        tracing::info!(node = %id, state = node.state.as_str(), weight = node.weight, "node changed");
        Ok(node)
    }

    /// Records a `gateway seed-node` run that copied the shared data onto
    /// node `id` without a failure. `run.since` is the node's
    /// [`Node::since`] as the run read it when it began: a node that
    /// changed state during the run is refused (409), and so is a run that
    /// began less than [`STAGED_SETTLE_MS`] after the node was staged
    /// (before every gateway sent it each change). A run recorded already
    /// (the gateway sent it again after a lost answer) is taken as it is.
    pub async fn record_seed(&self, id: &str, run: &SeedReport) -> Result<Node> {
        let from = run.from.as_str();
        if id == from {
            return Err(DirectorError::Invalid(format!(
                "node {id} cannot be seeded from itself"
            )));
        }
        let source = self.get_node(from).await?;
        if !matches!(source.state, NodeState::Active | NodeState::Draining) {
            return Err(DirectorError::Conflict(format!(
                "node {from} is {}: seed from a node that serves (active or draining)",
                source.state.as_str()
            )));
        }
        let now = now_ms();
        let elapsed = Millis::try_from(run.elapsed_ms).unwrap_or(Millis::MAX);
        let began = now.saturating_sub(elapsed);
        let node = self
            .update_node(id, |node| {
                if node.state == NodeState::Removed {
                    return Err(DirectorError::Conflict(format!("node {id} was removed")));
                }
                // Sent again after a lost answer; or a lesser run in the
                // same stay, which must not undo a full one.
                let recorded = node.seeded.as_ref().is_some_and(|m| {
                    m.since == run.since
                        && (m.from == from
                            && m.update == run.update
                            && m.prune == run.prune
                            && m.misses == run.misses
                            && m.follows == run.follows
                            || m.synced() && !(run.update && run.prune))
                });
                if recorded {
                    return Ok(());
                }
                if node.since() != run.since {
                    return Err(DirectorError::Conflict(format!(
                        "node {id} became {} while it was being seeded: run seed-node again",
                        node.state.as_str()
                    )));
                }
                if node.state == NodeState::Staged && began < run.since + STAGED_SETTLE_MS {
                    return Err(DirectorError::Conflict(format!(
                        "the run began {:.1} s after node {id} was staged, before every gateway \
                         sent it each change (they read the node list every second; allow {} \
                         s): run seed-node again",
                        (began - run.since) as f64 / 1000.0,
                        STAGED_SETTLE_MS / 1000
                    )));
                }
                node.seeded = Some(SeedMark {
                    from: from.to_owned(),
                    at: now,
                    state: node.state,
                    since: run.since,
                    began,
                    update: run.update,
                    prune: run.prune,
                    misses: run.misses,
                    follows: run.follows.clone(),
                });
                Ok(())
            })
            .await?;
        tracing::info!(node = %id, from, state = node.state.as_str(), update = run.update, prune = run.prune, "seed-node run recorded");
        Ok(node)
    }

    /// Cordons (`true`) or uncordons a node: a cordoned node keeps its
    /// clients and takes no new ones.
    pub async fn cordon(&self, id: &str, cordoned: bool) -> Result<Node> {
        let mut was = cordoned;
        let node = self
            .update_node(id, |node| {
                was = node.cordoned;
                node.cordoned = cordoned;
                // The operator's from now on.
                node.cordoned_lacking = false;
                Ok(())
            })
            .await?;
        tracing::info!(node = %id, cordoned, "cordon changed");
        if let (true, false, Some(lacking)) = (was, cordoned, node.lacking) {
            tracing::warn!(node = %id, lacking, "uncordoned a node that lacks changes of shared data it missed while it was failed: a new client that needs one of them fails on it");
        }
        Ok(node)
    }

    /// Removes a node that holds no clients (drained, offline, failed and
    /// re-homed, or never used). Its record stays as a tombstone.
    pub async fn remove_node(&self, id: &str) -> Result<Node> {
        let held = self.held_by(id).await;
        if held > 0 {
            return Err(DirectorError::Conflict(format!(
                "node {id} still owns {held} clients: drain it first"
            )));
        }
        let node = self
            .update_node(id, |node| {
                if node.state != NodeState::Removed && !node.state.may_become(NodeState::Removed) {
                    return Err(DirectorError::Conflict(format!(
                        "node {id} is {}: take it offline (drain) before removing it",
                        node.state.as_str()
                    )));
                }
                node.enter(NodeState::Removed, now_ms());
                Ok(())
            })
            .await?;
        tracing::info!(node = %id, "node removed");
        Ok(node)
    }

    /// The count of changes of shared data node `id` missed while it
    /// followed them (staged or failed), as the gateways keep it.
    pub(super) async fn misses_of(&self, id: &str) -> Result<u64> {
        Ok(self
            .store
            .get_json::<u64>(Keys::node_misses(id))
            .await?
            .unwrap_or(0))
    }

    /// Each gateway's count of changes queued for node `id` and settled
    /// (`node-follows/<id>/<gateway>`), by gateway ([`read_follows`]).
    pub(super) async fn follows_of(&self, id: &str) -> Result<Vec<(String, FollowCount)>> {
        read_follows(&self.store, id).await
    }

    /// Removes node `id`'s follow records that held nothing unsettled when
    /// `follows` were read (as it starts serving): those of gateways killed
    /// with an empty queue would pile up otherwise. A record that changed
    /// since is kept unless settled still; a running gateway writes its
    /// totals whole again with its next change ([`FollowCount`]).
    async fn forget_settled_follows(&self, id: &str, follows: Vec<(String, FollowCount)>) {
        for (gateway, count) in follows {
            if count.unsettled() > 0 {
                continue;
            }
            let removed = self
                .store
                .update_json(
                    Keys::node_follows(id, &gateway),
                    FollowCount::kept_unsettled,
                )
                .await;
            if let Err(e) = removed {
                tracing::warn!(node = %id, gateway, error = %e, "could not remove a settled follow record");
            }
        }
    }

    /// Records a heartbeat. A failed node that beats again is active again,
    /// with no clients: it gets clients back only through a rebalance. One
    /// that missed changes of shared data while it was failed (its count
    /// grew, or a gateway queued one for it that it has not settled yet:
    /// still under way, or lost with a killed gateway) and holds no
    /// clients comes back `staged` instead: as `active`
    /// it would lack them, and a later change of one of those items would
    /// fail on it, and so for the whole cluster. It follows changes from
    /// then on, and is activated as a joining node is, after a `seed-node
    /// --update --prune` run. One that still holds clients (their moves
    /// failed, or its zone had no room) comes back `active` to serve them,
    /// cordoned, the count kept on it ([`Node::lacking`], with what it
    /// lacked from an earlier failure), and the log says to drain it and
    /// bring it in line. A node without clients that lacks changes from
    /// an earlier failure comes back `staged` too.
    pub async fn heartbeat(&self, beat: Heartbeat) -> Result<Node> {
        let now = now_ms();
        let mut failed = false;
        let node = self
            .update_node(&beat.node, |node| {
                if node.state == NodeState::Removed {
                    return Err(DirectorError::Conflict(format!(
                        "node {} was removed",
                        node.id
                    )));
                }
                node.last_heartbeat = Some(now);
                node.load = Some(beat.load);
                if let Some(key) = &beat.public_key {
                    node.public_key = Some(key.clone());
                }
                failed = node.state == NodeState::Failed;
                Ok(())
            })
            .await?;
        if !failed {
            return Ok(node);
        }
        // Read once the beat is recorded: a read that fails leaves the
        // node failed until its next beat.
        let follows = self.follows_of(&node.id).await?;
        let misses = self.misses_of(&node.id).await?;
        let held = self.held_by(&node.id).await;
        let mut recovered = None;
        let node = self
            .update_node(&beat.node, |node| {
                recovered = None;
                if node.state != NodeState::Failed {
                    return Ok(());
                }
                let missed = missed_while_failed(node, misses, &follows);
                // What it lacks from an earlier failure counts too.
                let lacks = missed.saturating_add(node.lacking.unwrap_or(0));
                let state = if lacks > 0 && held == 0 {
                    NodeState::Staged
                } else {
                    NodeState::Active
                };
                node.enter(state, now);
                if state == NodeState::Active {
                    node.lacks(missed);
                }
                recovered = Some((missed, lacks));
                Ok(())
            })
            .await?;
        let id = &node.id;
        match recovered {
            Some((_, 0)) => {
                tracing::warn!(node = %id, "node recovered: active again, clients return only through a rebalance");
            }
            Some((missed, lacks)) if node.state == NodeState::Staged => {
                tracing::error!(node = %id, missed, lacking = lacks, "node recovered, but it lacks changes of shared data it missed while it was failed: staged, not active (it follows changes and takes no calls); bring it in line with `gateway seed-node --from <a serving node> --to {id} --update --prune`, then `director node set {id} --state active`");
            }
            Some((missed, lacks)) => {
                tracing::error!(node = %id, missed, lacking = lacks, clients = held, cordoned = node.cordoned, "node recovered, but it lacks changes of shared data it missed while it was failed: active again to serve the clients it still holds (cordoned when it missed new ones: a new client could need what it lacks), though a change of what it lacks will fail on it; drain it (it goes offline when empty), then bring it in line as a node that joins (`gateway seed-node --from <a serving node> --to {id} --update --prune`, staged, again, active)");
            }
            None => {}
        }
        Ok(node)
    }

    /// How many clients node `id` holds by the placement.
    pub(super) async fn held_by(&self, id: &str) -> u64 {
        let placement = self.placement.lock().await;
        placement.by_node.get(id).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::url_host;

    #[test]
    fn hosts_of_urls() {
        assert_eq!(
            url_host("https://suma1.example.com/rpc/api"),
            "suma1.example.com"
        );
        assert_eq!(url_host("http://127.0.0.1:8080/rpc/api"), "127.0.0.1");
        assert_eq!(url_host("https://u:p@h.example:443/x"), "h.example");
        assert_eq!(url_host("http://[::1]:80/rpc/api"), "[::1]");
    }
}
