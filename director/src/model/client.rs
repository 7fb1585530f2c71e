//! Client systems: Salt minions managed by the cluster.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Millis;

/// Where a client is in its life, as its agent is told at check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClientStatus {
    /// Known, not yet on its node.
    New,
    /// On its assigned node.
    Onboarded,
    /// Its node is gone and no other could take it (no accepting node in
    /// its zone).
    Orphan,
    /// Deleted from the cluster.
    Deleted,
}

/// A managed client system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Client {
    /// Salt minion id (the natural key).
    pub minion_id: String,
    /// SHA-256 fingerprint of the minion's public key, as Salt prints it.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// `/etc/machine-id`.
    #[serde(default)]
    pub machine_id: Option<String>,
    /// Zone.
    pub zone: String,
    /// Status.
    pub status: ClientStatus,
    /// The node that owns it now.
    #[serde(default)]
    pub owner: Option<String>,
    /// The node it is moving to, while a move is in flight.
    #[serde(default)]
    pub moving_to: Option<String>,
    /// The move in flight.
    #[serde(default)]
    pub move_id: Option<u64>,
    /// Cluster system id, stable across moves.
    pub cluster_id: i32,
    /// Its system id on each node that has held it.
    #[serde(default)]
    pub local_ids: BTreeMap<String, i32>,
    /// Created.
    pub created: Millis,
    /// Last changed.
    pub updated: Millis,
    /// Last check-in of its agent.
    #[serde(default)]
    pub last_checkin: Option<Millis>,
}
