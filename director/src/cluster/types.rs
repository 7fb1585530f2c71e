//! What the director's operations take and answer: the shapes of the admin
//! and client APIs.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{
    ClientStatus, ContentKind, Millis, MissedCalls, NodeLoad, NodeState, ObjectKind,
};
use crate::placement::MoveReason;

/// A node to add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNode {
    /// Unique id (`[a-z0-9-]`, 1-63 characters).
    pub id: String,
    /// Zone (must exist).
    pub zone: String,
    /// Its SUSE Manager API, e.g. `https://suma1.example.com/rpc/api`.
    pub api_url: String,
    /// Host name Salt minions use as master; defaults to the API URL's host.
    #[serde(default)]
    pub master: Option<String>,
    /// Capacity weight (> 0, default 1).
    #[serde(default)]
    pub weight: Option<f64>,
    /// The node agent's X25519 public key (base64), for sealed directives.
    #[serde(default)]
    pub public_key: Option<String>,
    /// Initial state: `new` (default), `staged` or `active`. While other
    /// nodes serve, `staged` and `active` need `unseeded`: a node joins as
    /// `new` and is seeded (`gateway seed-node`) before it is staged.
    #[serde(default)]
    pub state: Option<NodeState>,
    /// The node holds the shared data already (restored, or prepared as
    /// the others were): skip the check that a `gateway seed-node` run
    /// copied it before the node is staged or activated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unseeded: bool,
}

/// Changes to a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NodePatch {
    /// New capacity weight (> 0).
    #[serde(default)]
    pub weight: Option<f64>,
    /// New API URL.
    #[serde(default)]
    pub api_url: Option<String>,
    /// New master host name.
    #[serde(default)]
    pub master: Option<String>,
    /// New lifecycle state (only transitions the lifecycle allows). While
    /// other nodes serve, `staged` and `active` need a `gateway seed-node`
    /// run in the state the node leaves, or `unseeded`.
    #[serde(default)]
    pub state: Option<NodeState>,
    /// The node holds the shared data already: skip the check that a
    /// `gateway seed-node` run copied it; a failed node set active lacks
    /// nothing it missed ([`crate::model::Node::lacking`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unseeded: bool,
}

/// A client agent's check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// Salt minion id.
    pub minion_id: String,
    /// SHA-256 fingerprint of the minion public key (Salt's `pem_finger`).
    pub fingerprint: String,
    /// `/etc/machine-id`.
    #[serde(default)]
    pub machine_id: Option<String>,
    /// Zone, when the client knows it; else the director's default zone.
    #[serde(default)]
    pub zone: Option<String>,
}

/// What a client is told at check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Assignment {
    /// Salt minion id.
    pub minion_id: String,
    /// Cluster system id.
    pub cluster_id: i32,
    /// Status.
    pub status: ClientStatus,
    /// The node it belongs to.
    pub node: Option<String>,
    /// That node's master host name: what the minion must point at.
    pub master: Option<String>,
    /// A move it must carry out now, if any.
    pub pending_move: Option<MoveDirective>,
}

/// The directive a client agent gets to move its minion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MoveDirective {
    /// Move id (report the outcome under it).
    pub move_id: u64,
    /// Salt minion id.
    pub minion_id: String,
    /// Cluster system id.
    pub cluster_id: i32,
    /// Node it leaves.
    pub from: Option<String>,
    /// Node it goes to.
    pub to: String,
    /// The new master host name.
    pub master: String,
    /// Attempt number (1 for the first).
    pub attempt: u32,
}

/// A node agent's heartbeat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    /// Node id.
    pub node: String,
    /// Its load.
    pub load: NodeLoad,
    /// Its agent's public key, when it has one (first heartbeat).
    #[serde(default)]
    pub public_key: Option<String>,
}

/// A change on a node that its agent reports (from the node's database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case", tag = "event")]
pub enum NodeEvent {
    /// A system registered on the node.
    SystemRegistered {
        /// Node id.
        node: String,
        /// Its id on that node.
        local_id: i32,
        /// Salt minion id.
        minion_id: String,
        /// Machine id.
        #[serde(default)]
        machine_id: Option<String>,
    },
    /// A system was deleted on the node.
    SystemDeleted {
        /// Node id.
        node: String,
        /// Its id on that node.
        local_id: i32,
    },
    /// An object the node numbers itself (an action, schedule, image,
    /// snapshot, ...) was deleted on the node, by whatever deleted it: an
    /// API call, the web UI, a cleanup task or the deletion of its system.
    ObjectDeleted {
        /// Node id.
        node: String,
        /// What kind of object.
        kind: ObjectKind,
        /// Its id on that node.
        local_id: i32,
    },
    /// A package, erratum or software channel was deleted on the node (a
    /// channel removed, an orphan cleaned up): the node's id for it names
    /// nothing now.
    ContentDeleted {
        /// Node id.
        node: String,
        /// Package, erratum or channel.
        kind: ContentKind,
        /// Its id on that node.
        local_id: i32,
    },
}

/// One move of a rebalance plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlannedMove {
    /// Salt minion id.
    pub minion_id: String,
    /// Cluster system id.
    pub cluster_id: i32,
    /// Node it leaves.
    pub from: Option<String>,
    /// Node it goes to.
    pub to: String,
    /// Why.
    pub reason: MoveReason,
}

/// A node's load before and after a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NodeShare {
    /// Node id.
    pub node: String,
    /// Clients now.
    pub before: u64,
    /// Clients after the plan.
    pub after: u64,
    /// Bounded-load cap.
    pub cap: u64,
}

/// A rebalance plan (dry run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RebalancePlan {
    /// Moves, in the order they would run.
    pub moves: Vec<PlannedMove>,
    /// Clients considered.
    pub clients: u64,
    /// Per node.
    pub nodes: Vec<NodeShare>,
    /// Clients with no accepting node in their zone.
    pub stranded: Vec<String>,
}

/// A node's health as the director sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Health {
    /// Heartbeats arrive.
    Healthy,
    /// No heartbeat for more than half the timeout.
    Late,
    /// Failed (heartbeats stopped).
    Failed,
    /// Never heard from.
    Unknown,
}

impl Health {
    /// Every health, in order.
    pub const ALL: [Health; 4] = [
        Health::Healthy,
        Health::Late,
        Health::Failed,
        Health::Unknown,
    ];

    /// Its API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Late => "late",
            Health::Failed => "failed",
            Health::Unknown => "unknown",
        }
    }
}

/// One node in the cluster status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NodeStatus {
    /// Node id.
    pub id: String,
    /// Zone.
    pub zone: String,
    /// Lifecycle state.
    pub state: NodeState,
    /// Cordoned.
    pub cordoned: bool,
    /// Capacity weight.
    pub weight: f64,
    /// Clients it owns.
    pub clients: u64,
    /// Health.
    pub health: Health,
    /// Last heartbeat.
    pub last_heartbeat: Option<Millis>,
    /// Load from the last heartbeat.
    pub load: Option<NodeLoad>,
    /// Changes of shared data it missed while it followed them (staged or
    /// failed), as the gateways counted them (`node-misses/<id>`); ever
    /// growing: compare it with a seed-node run's count.
    #[serde(default)]
    pub missed_changes: u64,
    /// Changes of shared data the gateways queued for it and have neither
    /// sent nor counted as missed, that count against it now
    /// ([`crate::model::Node::follow_marks`]): while staged, they keep it
    /// from being activated; while failed, they count as missed when it
    /// beats again. Under way (settled within seconds) or lost with a
    /// killed gateway (`director node follows <id>` shows which).
    /// `None`: its records could not be read (the director's log says
    /// why).
    #[serde(default)]
    pub unsettled_changes: Option<u64>,
    /// Changes of shared data it missed while it was failed and still
    /// lacks, back active for the clients it held
    /// ([`crate::model::Node::lacking`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lacking: Option<u64>,
}

/// One gateway's follow record for a node (`node-follows/<node>/<gateway>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FollowRecord {
    /// The gateway process (`gw-<16 hex>`, new at each start: its log
    /// names it).
    pub gateway: String,
    /// Changes it queued for the node since it started.
    pub queued: u64,
    /// Of those, the ones it sent or counted as missed.
    pub settled: u64,
    /// Of the unsettled ones, those that count against the node now
    /// ([`NodeFollows::held_against`]).
    pub counted: u64,
}

/// What the unsettled changes of a node's follow records are held against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowHold {
    /// Its last seed-node run while staged: one queued since keeps it
    /// from being activated.
    SeedRun,
    /// Staged, with no seed-node run recorded yet: every unsettled change
    /// counts (a run under way takes its marks from the records as they
    /// are).
    Unseeded,
    /// Its failure: one queued since counts as missed when it beats again.
    Failure,
}

impl FollowHold {
    /// When the changes that count were queued, as a message says it.
    pub fn since(self) -> &'static str {
        match self {
            FollowHold::SeedRun => "since its last seed-node run began",
            FollowHold::Unseeded => "while it is staged with no seed-node run recorded yet",
            FollowHold::Failure => "since it failed",
        }
    }
}

/// A node's follow records (`GET /api/v1/nodes/{id}/follows`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NodeFollows {
    /// The node.
    pub node: String,
    /// Its state.
    pub state: NodeState,
    /// What unsettled changes count against; none: none counts now (it
    /// serves, is new or offline, or failed before this was kept).
    pub held_against: Option<FollowHold>,
    /// One record per gateway process that followed it and did not remove
    /// its record (at a clean stop, or the director's at activation), by
    /// gateway.
    pub records: Vec<FollowRecord>,
    /// Changes counted against it in all.
    pub counted: u64,
    /// The changes of shared data it missed, by method, as the gateways
    /// counted them since an operator last cleared them (`DELETE
    /// /api/v1/nodes/{id}/missed-calls`): what to redo on it where a
    /// seed-node run does not carry it.
    #[serde(default)]
    pub missed_calls: Vec<MissedCallRow>,
}

/// What `DELETE /api/v1/nodes/{id}/missed-calls` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MissedCallsForgotten {
    /// The methods cleared, with what they held.
    pub cleared: Vec<MissedCallRow>,
    /// The methods kept: last counted after `through`.
    pub kept: Vec<MissedCallRow>,
}

/// One method's missed changes on a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MissedCallRow {
    /// The method (`namespace.method`).
    pub method: String,
    /// How many of its changes the node missed.
    pub count: u64,
    /// When the first was counted (milliseconds since the Unix epoch).
    pub first: Millis,
    /// When the last was counted.
    pub last: Millis,
}

impl MissedCallRow {
    /// The rows of a stored record, in method order.
    pub fn rows(calls: MissedCalls) -> Vec<MissedCallRow> {
        calls
            .into_iter()
            .map(|(method, call)| MissedCallRow {
                method,
                count: call.count,
                first: call.first,
                last: call.last,
            })
            .collect()
    }
}

/// What `DELETE /api/v1/nodes/{id}/follows` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FollowsForgotten {
    /// The records removed: none of their changes counted against the
    /// node.
    pub removed: Vec<FollowRecord>,
    /// The records kept: changes in them count against the node.
    pub kept: Vec<FollowRecord>,
    /// More records remain unread (a read takes 10,000).
    pub more: bool,
}

/// The whole cluster at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClusterStatus {
    /// Nodes.
    pub nodes: Vec<NodeStatus>,
    /// Clients in all.
    pub clients: u64,
    /// Moves pending or directed.
    pub moves_in_flight: u64,
    /// Operations running.
    pub operations_running: u64,
    /// The clients per node (and in all) are those of the director's last
    /// look: a placement change (a drain or rebalance planning its moves)
    /// was under way and held them longer than a look may wait.
    #[serde(default)]
    pub placement_busy: bool,
}
