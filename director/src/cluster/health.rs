//! Failure detection: a node whose heartbeats stopped is failed, and its
//! clients are re-homed.

use super::{Director, Health, Result};
use crate::model::{Node, NodeState, now_ms};

impl Director {
    /// A node's health now.
    pub fn health_of(&self, node: &Node) -> Health {
        if node.state == NodeState::Failed {
            return Health::Failed;
        }
        let Some(last) = node.last_heartbeat else {
            return Health::Unknown;
        };
        let timeout = self.config.heartbeat_timeout.as_millis() as i64;
        if now_ms() - last > timeout / 2 {
            Health::Late
        } else {
            Health::Healthy
        }
    }

    /// Marks nodes failed whose heartbeats stopped and starts disaster
    /// recovery for each. Nodes never heard from are left alone (a cluster
    /// run without node agents has no heartbeats at all).
    pub(super) async fn check_health(&self) -> Result<()> {
        let timeout = self.config.heartbeat_timeout.as_millis() as i64;
        let now = now_ms();
        for node in self.list_nodes().await? {
            let silent = node.last_heartbeat.is_some_and(|t| now - t > timeout);
            if silent && matches!(node.state, NodeState::Active | NodeState::Draining) {
                // What it missed from here on is told apart when it beats
                // again. A count that cannot be read does not hold up the
                // failure: the node then comes back active, as before.
                let follows = match self.follows_of(&node.id).await {
                    Ok(follows) => Some(crate::model::marks_of(&follows)),
                    Err(e) => {
                        tracing::warn!(node = %node.id, error = %e, "could not read the changes the gateways queued for the node as it failed");
                        None
                    }
                };
                let misses = match self.misses_of(&node.id).await {
                    Ok(count) => Some(count),
                    Err(e) => {
                        tracing::warn!(node = %node.id, error = %e, "could not read the node's count of missed changes as it failed");
                        None
                    }
                };
                let mut failed = false;
                self.update_node(&node.id, |n| {
                    // It may have beaten since the list was read.
                    let still_silent = n.last_heartbeat.is_some_and(|t| now - t > timeout);
                    failed =
                        still_silent && matches!(n.state, NodeState::Active | NodeState::Draining);
                    if failed {
                        n.enter(NodeState::Failed, now_ms());
                        n.misses_at_failure = misses;
                        n.follows_at_failure = follows.clone();
                    }
                    Ok(())
                })
                .await?;
                if failed {
                    tracing::error!(node = %node.id, silent_ms = now - node.last_heartbeat.unwrap_or(now), missed_changes = ?misses, "node failed: heartbeats stopped");
                    self.recover_from(&node.id).await?;
                }
            }
        }
        Ok(())
    }
}
