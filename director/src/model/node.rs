//! Nodes: the SUSE Manager servers of the cluster, their lifecycle, health
//! and load.

use serde::{Deserialize, Serialize};

use super::Millis;

/// Where a node is in its life.
///
/// `new -> staged -> active -> draining -> offline -> removed`, with
/// `failed` entered from `active` or `draining` when heartbeats stop and
/// left when they resume: back to `active`, or to `staged` when it missed
/// changes of shared data meanwhile and holds no clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NodeState {
    /// Registered, not prepared yet.
    New,
    /// Prepared (shared data synchronized), not taking clients yet.
    Staged,
    /// Serving clients.
    Active,
    /// Handing its clients to others; goes offline when empty.
    Draining,
    /// Empty and out of service.
    Offline,
    /// Heartbeats stopped: its clients are re-homed (disaster recovery).
    Failed,
    /// Gone from the cluster (kept as a tombstone for the audit trail).
    Removed,
}

impl NodeState {
    /// Every state, in lifecycle order.
    pub const ALL: [NodeState; 7] = [
        NodeState::New,
        NodeState::Staged,
        NodeState::Active,
        NodeState::Draining,
        NodeState::Offline,
        NodeState::Failed,
        NodeState::Removed,
    ];

    /// Whether an operator may move a node from `self` to `to`.
    pub fn may_become(self, to: NodeState) -> bool {
        use NodeState::*;
        matches!(
            (self, to),
            (New, Staged)
                | (New, Active)
                | (Staged, Active)
                | (Staged, Offline)
                | (Active, Draining)
                | (Draining, Active)
                | (Draining, Offline)
                | (Offline, Staged)
                | (Offline, Active)
                | (Active, Failed)
                | (Draining, Failed)
                | (Failed, Active)
                | (Failed, Offline)
                | (New, Removed)
                | (Staged, Removed)
                | (Offline, Removed)
                | (Failed, Removed)
        )
    }

    /// Lower-case name, as the API shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::New => "new",
            NodeState::Staged => "staged",
            NodeState::Active => "active",
            NodeState::Draining => "draining",
            NodeState::Offline => "offline",
            NodeState::Failed => "failed",
            NodeState::Removed => "removed",
        }
    }
}

/// What a node reports with each heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct NodeLoad {
    /// Client systems the node manages.
    pub systems: u64,
    /// One-minute load average.
    pub load_avg: f64,
}

/// A node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Node {
    /// Unique id (`[a-z0-9-]`).
    pub id: String,
    /// Dense number, allocated once (caches key on it).
    pub number: u32,
    /// Zone it belongs to.
    pub zone: String,
    /// Its SUSE Manager API (`https://host/rpc/api`).
    pub api_url: String,
    /// Host name Salt minions use as their master.
    #[serde(default)]
    pub master: String,
    /// Capacity weight (> 0): shares are proportional to it.
    pub weight: f64,
    /// Lifecycle state.
    pub state: NodeState,
    /// Cordoned: keeps its clients, takes no new ones.
    #[serde(default)]
    pub cordoned: bool,
    /// Last heartbeat.
    #[serde(default)]
    pub last_heartbeat: Option<Millis>,
    /// Load from the last heartbeat.
    #[serde(default)]
    pub load: Option<NodeLoad>,
    /// The node agent's X25519 public key (base64) for sealed directives.
    #[serde(default)]
    pub public_key: Option<String>,
    /// Deadline of a drain in progress.
    #[serde(default)]
    pub drain_deadline: Option<Millis>,
    /// When it entered its current state (absent in records written
    /// before it was kept: [`Node::since`] falls back to `created`).
    #[serde(default)]
    pub state_since: Option<Millis>,
    /// The last `gateway seed-node` run that copied the shared data onto
    /// it in full.
    #[serde(default)]
    pub seeded: Option<SeedMark>,
    /// Its count of missed changes of shared data (`node-misses/<id>`)
    /// when it failed: one that missed more by the time it beats again
    /// comes back `staged`, not `active`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misses_at_failure: Option<u64>,
    /// Each gateway's count of changes queued for it when it failed
    /// ([`super::FollowMarks`]): one queued since and not settled when
    /// it beats again may be lacking, and counts as missed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows_at_failure: Option<super::FollowMarks>,
    /// Changes of shared data it missed while it was failed and still
    /// lacks: it came back `active` to serve the clients it held, and was
    /// cordoned then (a new client could need what it lacks, an
    /// activation key made meanwhile, say). Cleared as it goes `offline`
    /// (drained), `staged` or `new`: it is then seeded as a joining node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lacking: Option<u64>,
    /// The director cordoned it for what it lacks, not an operator: the
    /// cordon is lifted with the count. An operator's cordon or uncordon
    /// takes it over.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cordoned_lacking: bool,
    /// Created.
    pub created: Millis,
    /// Last changed.
    pub updated: Millis,
}

impl Node {
    /// When it entered its current state.
    pub fn since(&self) -> Millis {
        self.state_since.unwrap_or(self.created)
    }

    /// Moves it to `state` at `now`. Each entry gets a later
    /// [`Node::since`] than the one before, even within a millisecond, so
    /// that a [`SeedMark`] of the state it leaves never holds for the next.
    pub fn enter(&mut self, state: NodeState, now: Millis) {
        if state != NodeState::Failed {
            self.misses_at_failure = None;
            self.follows_at_failure = None;
        }
        if !matches!(
            state,
            NodeState::Active | NodeState::Draining | NodeState::Failed
        ) {
            self.lacks_nothing();
        }
        let since = now.max(self.since().saturating_add(1));
        self.state = state;
        self.state_since = Some(since);
    }

    /// Records that it lacks `missed` more changes of shared data, back
    /// serving from a failure ([`Node::lacking`]), and cordons it when an
    /// operator has not: a new client could need one of them.
    pub fn lacks(&mut self, missed: u64) {
        if missed == 0 {
            return;
        }
        self.lacking = Some(self.lacking.unwrap_or(0).saturating_add(missed));
        if !self.cordoned {
            self.cordoned = true;
            self.cordoned_lacking = true;
        }
    }

    /// Clears [`Node::lacking`], and the cordon the director set for it.
    pub fn lacks_nothing(&mut self) {
        self.lacking = None;
        if std::mem::take(&mut self.cordoned_lacking) {
            self.cordoned = false;
        }
    }

    /// The seed-node run that began while it was in its current state, if
    /// one was recorded: what it copied is complete up to that run, and
    /// (while staged) the gateways' following carries on from there.
    pub fn seeded_in_state(&self) -> Option<&SeedMark> {
        self.seeded
            .as_ref()
            .filter(|mark| mark.since == self.since() && mark.state == self.state)
    }

    /// The marks its follow records are held against now
    /// ([`super::unsettled_since`]): while staged, those of its last
    /// seed-node run (a change queued since and not settled keeps it from
    /// being activated), or none yet (every unsettled change counts: a run
    /// under way takes its marks from the records as they are); while
    /// failed, those taken as it failed (one queued since and not settled
    /// counts as missed when it beats again). `None`: no record counts
    /// against it now (it serves, is new or offline, or failed before the
    /// marks were kept).
    pub fn follow_marks(&self) -> Option<&super::FollowMarks> {
        static NO_MARKS: super::FollowMarks = super::FollowMarks::new();
        match self.state {
            NodeState::Staged => Some(
                self.seeded_in_state()
                    .map_or(&NO_MARKS, |mark| &mark.follows),
            ),
            NodeState::Failed => self.follows_at_failure.as_ref(),
            _ => None,
        }
    }

    /// Whether the next step needs a seed-node run with `--update
    /// --prune`: a node back from `offline` holds copies as old as its
    /// last day of service, and of what was deleted meanwhile; a staged
    /// one, of what changed or went between the first run and its
    /// staging. Only a `new` node's first run may just add.
    pub fn needs_sync(&self) -> bool {
        self.state != NodeState::New
    }

    /// Takes new clients.
    pub fn accepts(&self) -> bool {
        self.state == NodeState::Active && !self.cordoned
    }

    /// Keeps the clients it has.
    pub fn keeps(&self) -> bool {
        self.state == NodeState::Active
    }
}

/// A `gateway seed-node` run that copied everything it copies onto a node
/// without a failure, as the gateway reported it to the director.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeedMark {
    /// The serving node it copied from.
    pub from: String,
    /// When the director recorded it (the run's end).
    pub at: Millis,
    /// The node's state when the run began.
    pub state: NodeState,
    /// The node's [`Node::since`] when the run began: the mark holds for
    /// that stay in that state only.
    pub since: Millis,
    /// When the run began, by the director's clock.
    #[serde(default)]
    pub began: Millis,
    /// The run also updated what the node held otherwise
    /// (`seed-node --update`): a node back from `offline`, and a staged
    /// one, need such a run.
    #[serde(default)]
    pub update: bool,
    /// The run also removed what only the node held (`seed-node
    /// --prune`), needed with `update`.
    #[serde(default)]
    pub prune: bool,
    /// The node's count of missed changes when the run began: a staged
    /// node that missed more since is not activated.
    #[serde(default)]
    pub misses: u64,
    /// Each gateway's count of changes queued for the node when the run
    /// began: a staged node with changes queued since that no gateway
    /// settled yet (sent, or counted as missed) is not activated.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub follows: super::FollowMarks,
}

impl SeedMark {
    /// Whether the run brought the node fully in line: `--update --prune`.
    pub fn synced(&self) -> bool {
        self.update && self.prune
    }
}
