//! Nodes: the SUSE Manager servers of the cluster, their lifecycle, health
//! and load.

use serde::{Deserialize, Serialize};

use super::Millis;

/// Where a node is in its life.
///
/// `new -> staged -> active -> draining -> offline -> removed`, with
/// `failed` entered from `active` or `draining` when heartbeats stop and
/// left back to `active` when they resume.
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
    /// Whether an operator may move a node from `self` to `to`.
    pub fn may_become(self, to: NodeState) -> bool {
        use NodeState::*;
        matches!(
            (self, to),
            (New, Staged)
                | (New, Active)
                | (Staged, Active)
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
    /// Created.
    pub created: Millis,
    /// Last changed.
    pub updated: Millis,
}

impl Node {
    /// Takes new clients.
    pub fn accepts(&self) -> bool {
        self.state == NodeState::Active && !self.cordoned
    }

    /// Keeps the clients it has.
    pub fn keeps(&self) -> bool {
        self.state == NodeState::Active
    }
}
