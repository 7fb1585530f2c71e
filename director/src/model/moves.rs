//! Client moves and the operations (drain, rebalance, disaster recovery)
//! that group them.

use serde::{Deserialize, Serialize};

use super::Millis;
use crate::placement::MoveReason;

/// Where a move is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MoveState {
    /// Planned, waiting for a slot (moves in flight are capped).
    Pending,
    /// Directives sent; waiting for the client and the nodes.
    Directed,
    /// The client is on its new node.
    Done,
    /// Gave up after its retries; see `error`.
    Failed,
    /// Superseded (the client was deleted or moved again).
    Canceled,
}

impl MoveState {
    /// Whether the move is over.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            MoveState::Done | MoveState::Failed | MoveState::Canceled
        )
    }
}

/// What a client agent reports about a move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum MoveOutcome {
    /// The minion is connected to the new master.
    Done,
    /// The minion could not connect and was rolled back.
    RolledBack {
        /// What went wrong.
        error: String,
    },
}

/// One client move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MoveRecord {
    /// Move id.
    pub id: u64,
    /// The client.
    pub minion_id: String,
    /// Its cluster system id (unchanged by the move).
    pub cluster_id: i32,
    /// Node it leaves.
    pub from: Option<String>,
    /// Node it goes to.
    pub to: String,
    /// Why.
    pub reason: MoveReason,
    /// Progress.
    pub state: MoveState,
    /// Directives sent so far.
    pub attempts: u32,
    /// The operation it belongs to.
    pub operation: Option<u64>,
    /// Created.
    pub created: Millis,
    /// Last changed.
    pub updated: Millis,
    /// When the current attempt times out.
    pub deadline: Option<Millis>,
    /// Last error.
    #[serde(default)]
    pub error: Option<String>,
}

/// What an operation does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum OperationKind {
    /// Move a node's clients away, then take it offline.
    Drain {
        /// The node.
        node: String,
    },
    /// Move clients so every node holds its share.
    Rebalance,
    /// Re-home the clients of a failed node.
    DisasterRecovery {
        /// The failed node.
        node: String,
    },
}

/// Where an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OperationState {
    /// Moves in progress.
    Running,
    /// Every move done.
    Done,
    /// Some moves failed or the deadline passed.
    Failed,
}

/// A drain, rebalance or disaster recovery and its progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Operation {
    /// Operation id.
    pub id: u64,
    /// What it does.
    #[serde(flatten)]
    pub kind: OperationKind,
    /// Progress.
    pub state: OperationState,
    /// Moves planned.
    pub total: u64,
    /// Moves done.
    pub done: u64,
    /// Moves failed.
    pub failed: u64,
    /// Started.
    pub created: Millis,
    /// Last changed.
    pub updated: Millis,
    /// Must finish by.
    pub deadline: Option<Millis>,
}
