//! The cluster identity map: cluster-wide system and action ids.
//!
//! Nodes number their systems and actions independently, so the same local
//! id means different things on two nodes. The cluster gives each system
//! and action its own id, allocated once, that fits a signed 32-bit int
//! (clients refuse larger ones) and stays the same when the system moves.

use serde::{Deserialize, Serialize};

/// Cluster system ids start here, where a single server's start, so that
/// tools expecting server-like ids keep working.
pub const FIRST_CLUSTER_SYSTEM_ID: i32 = 1_000_010_000;

/// Where a cluster system id lives now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SystemIdentity {
    /// Cluster system id.
    pub cluster_id: i32,
    /// Owner node.
    pub node: String,
    /// Its id on the owner node.
    pub local_id: i32,
    /// Salt minion id, when known.
    #[serde(default)]
    pub minion_id: Option<String>,
    /// Machine id, when known.
    #[serde(default)]
    pub machine_id: Option<String>,
}

/// Where a cluster action id lives.
///
/// One call that schedules an action on systems of several nodes makes one
/// action on each of them; the client gets one action id for all of them,
/// as from one server. The first node's action is `node` and `local_id`,
/// the others are in `also`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionIdentity {
    /// Cluster action id.
    pub cluster_id: i32,
    /// Node that runs it.
    pub node: String,
    /// Its id on that node.
    pub local_id: i32,
    /// The same action's parts on other nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<ActionPart>,
}

/// One node's part of an action scheduled on several nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionPart {
    /// Node that runs this part.
    pub node: String,
    /// Its id on that node.
    pub local_id: i32,
}

impl ActionIdentity {
    /// Every part: (node, local id), the first node's first.
    pub fn parts(&self) -> impl Iterator<Item = (&str, i32)> {
        std::iter::once((self.node.as_str(), self.local_id))
            .chain(self.also.iter().map(|p| (p.node.as_str(), p.local_id)))
    }
}
