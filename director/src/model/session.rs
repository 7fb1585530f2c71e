//! Gateway sessions: one cluster session key standing for a session on
//! every node.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Millis;

/// A gateway session. Never holds the password: a gateway that must log in
/// to a node that joined later does so only while it still has the
/// password in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewaySession {
    /// Session id (the number before the `x` of the key).
    pub id: u64,
    /// SHA-256 of the full cluster key, hex: the key itself is not stored,
    /// so a store dump does not hand out live sessions of the cluster.
    pub key_sha256: String,
    /// Login.
    pub user: String,
    /// Session key on each node.
    pub node_keys: BTreeMap<String, String>,
    /// Created.
    pub created: Millis,
    /// Expires unless used again.
    pub expires: Millis,
    /// Lifetime in seconds, renewed by each use.
    pub lifetime_secs: i64,
}
