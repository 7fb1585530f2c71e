//! The cluster at a glance.

use super::{ClusterStatus, Director, NodeStatus, Result, SCAN_LIMIT};
use crate::model::{Node, NodeState, OperationState};

impl Director {
    /// Per node: clients, weight and health; totals.
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
        let loads = self.placement.lock().await.by_node.clone();
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
        })
    }
}
