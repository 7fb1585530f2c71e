//! The cluster at a glance.

use std::collections::HashMap;
use std::sync::PoisonError;
use std::time::Duration;

use super::{ClusterStatus, Director, NodeStatus, Result, SCAN_LIMIT};
use crate::model::{Node, NodeState, OperationState};

/// How long [`Director::status`] waits for the placement lock before it
/// shows the clients per node of its last look: a drain or rebalance holds
/// the lock while it plans its moves (a store read and write per client,
/// seconds for thousands of them, more on TiKV), longer than a metrics
/// scrape may wait.
pub(super) const PLACEMENT_WAIT: Duration = Duration::from_millis(250);

impl Director {
    /// Per node: clients, weight and health; totals. The clients per node
    /// are those of the last look while a placement change is under way
    /// ([`ClusterStatus::placement_busy`]).
    pub async fn status(&self) -> Result<ClusterStatus> {
        let nodes = self.list_nodes().await?;
        let misses: std::collections::HashMap<String, u64> = self
            .store
            .scan_prefix_json::<u64>("node-misses/", SCAN_LIMIT)
            .await?
            .into_iter()
            .map(|(key, n)| {
                (
                    String::from_utf8_lossy(&key["node-misses/".len()..]).into_owned(),
                    n,
                )
            })
            .collect();
        let (loads, placement_busy) = self.loads_now().await;
        let mut nodes: Vec<(Node, NodeStatus)> = nodes
            .into_iter()
            .filter(|n| n.state != NodeState::Removed)
            .map(|n| {
                let status = NodeStatus {
                    clients: loads.get(&n.id).copied().unwrap_or(0),
                    missed_changes: misses.get(&n.id).copied().unwrap_or(0),
                    unsettled_changes: None,
                    lacking: n.lacking,
                    health: self.health_of(&n),
                    id: n.id.clone(),
                    zone: n.zone.clone(),
                    state: n.state,
                    cordoned: n.cordoned,
                    weight: n.weight,
                    last_heartbeat: n.last_heartbeat,
                    load: n.load,
                };
                (n, status)
            })
            .collect();
        self.count_unsettled(&mut nodes).await;
        let nodes = nodes.into_iter().map(|(_, status)| status).collect();
        let clients = loads.values().sum();
        let moves_in_flight = self.active_moves.lock().await.len() as u64;
        let operations_running = self
            .list_operations()
            .await?
            .iter()
            .filter(|o| o.state == OperationState::Running)
            .count() as u64;
        Ok(ClusterStatus {
            nodes,
            clients,
            moves_in_flight,
            operations_running,
            placement_busy,
        })
    }

    /// The clients per node, and whether they are those of the last look
    /// because a placement change has held the lock for
    /// [`PLACEMENT_WAIT`].
    async fn loads_now(&self) -> (HashMap<String, u64>, bool) {
        match tokio::time::timeout(PLACEMENT_WAIT, self.placement.lock()).await {
            Ok(placement) => {
                let loads = placement.by_node.clone();
                drop(placement);
                self.saw_loads(&loads);
                (loads, false)
            }
            Err(_) => {
                let seen = self
                    .seen_loads
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                (seen.clone(), true)
            }
        }
    }

    /// Records `loads` as the clients per node a look at the cluster
    /// shows while the placement lock is held (a drain planning its moves
    /// records each batch).
    pub(super) fn saw_loads(&self, loads: &HashMap<String, u64>) {
        *self
            .seen_loads
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = loads.clone();
    }
}
