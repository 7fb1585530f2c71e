//! Rebalance, drain and disaster recovery: planning over the store's state
//! and turning plans into operations.

use std::collections::HashMap;
use std::time::Duration;

use super::{Director, DirectorError, NodeShare, PlannedMove, RebalancePlan, Result};
use crate::model::{Client, ClientStatus, Node, NodeState, Operation, OperationKind, now_ms};
use crate::placement::{Mode, PlanClient, PlanNode, hash_bytes};

/// The planner's view of the cluster: dense indexes over nodes and zones.
struct View {
    nodes: Vec<Node>,
    clients: Vec<Client>,
    plan_nodes: Vec<PlanNode>,
    plan_clients: Vec<PlanClient>,
}

impl View {
    fn build(nodes: Vec<Node>, clients: Vec<Client>) -> View {
        let nodes: Vec<Node> = nodes
            .into_iter()
            .filter(|n| n.state != NodeState::Removed)
            .collect();
        let mut zones: HashMap<String, u32> = HashMap::new();
        for n in &nodes {
            let next = zones.len() as u32;
            zones.entry(n.zone.clone()).or_insert(next);
        }
        let node_index: HashMap<&str, u32> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i as u32))
            .collect();
        let plan_nodes = nodes
            .iter()
            .map(|n| PlanNode {
                key: hash_bytes(n.id.as_bytes()),
                zone: zones[&n.zone],
                weight: n.weight,
                accepts: n.accepts(),
                keeps: n.keeps(),
            })
            .collect();
        let clients: Vec<Client> = clients
            .into_iter()
            .filter(|c| c.status != ClientStatus::Deleted)
            .collect();
        let plan_clients = clients
            .iter()
            .map(|c| PlanClient {
                key: hash_bytes(c.minion_id.as_bytes()),
                // A zone without nodes gets an index no node has: stranded.
                zone: zones.get(&c.zone).copied().unwrap_or(u32::MAX),
                node: c
                    .moving_to
                    .as_deref()
                    .or(c.owner.as_deref())
                    .and_then(|o| node_index.get(o).copied()),
            })
            .collect();
        View {
            nodes,
            clients,
            plan_nodes,
            plan_clients,
        }
    }
}

impl Director {
    async fn plan(&self, mode: Mode) -> Result<(View, RebalancePlan)> {
        let view = View::build(self.list_nodes().await?, self.all_clients().await?);
        let plan = self
            .planner
            .plan(&view.plan_nodes, &view.plan_clients, mode);
        let mut before = vec![0u64; view.nodes.len()];
        for c in &view.plan_clients {
            if let Some(n) = c.node {
                before[n as usize] += 1;
            }
        }
        let moves = plan
            .moves
            .iter()
            // A client already moving stays on its move.
            .filter(|m| view.clients[m.client].move_id.is_none())
            .map(|m| {
                let c = &view.clients[m.client];
                PlannedMove {
                    minion_id: c.minion_id.clone(),
                    cluster_id: c.cluster_id,
                    from: c.owner.clone(),
                    to: view.nodes[m.to as usize].id.clone(),
                    reason: m.reason,
                }
            })
            .collect();
        let nodes = view
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| NodeShare {
                node: n.id.clone(),
                before: before[i],
                after: plan.loads[i],
                cap: plan.caps[i],
            })
            .collect();
        let stranded = plan
            .stranded
            .iter()
            .map(|&i| view.clients[i].minion_id.clone())
            .collect();
        let result = RebalancePlan {
            moves,
            clients: view.clients.len() as u64,
            nodes,
            stranded,
        };
        Ok((view, result))
    }

    /// The moves a rebalance would make now (dry run).
    pub async fn plan_rebalance(&self) -> Result<RebalancePlan> {
        Ok(self.plan(Mode::Rebalance).await?.1)
    }

    /// Plans and starts a rebalance.
    pub async fn apply_rebalance(&self) -> Result<Operation> {
        let (_, plan) = self.plan(Mode::Rebalance).await?;
        self.create_moves(OperationKind::Rebalance, plan.moves, None)
            .await
    }

    /// Drains a node: it takes no new clients, its clients move to the
    /// other nodes of its zone (bounded load holds), and it goes offline
    /// when empty. A deadline reports the drain failed if it is not done
    /// in time (its moves go on).
    pub async fn drain(&self, id: &str, deadline: Option<Duration>) -> Result<Operation> {
        let deadline = deadline.map(|d| now_ms() + d.as_millis() as i64);
        self.update_node(id, |node| match node.state {
            NodeState::Active => {
                node.enter(NodeState::Draining, now_ms());
                node.drain_deadline = deadline;
                Ok(())
            }
            NodeState::Draining => {
                node.drain_deadline = deadline;
                Ok(())
            }
            other => Err(DirectorError::Conflict(format!(
                "node {id} is {}: only an active node can be drained",
                other.as_str()
            ))),
        })
        .await?;
        let (_, plan) = self.plan(Mode::Evacuate).await?;
        let moves: Vec<PlannedMove> = plan
            .moves
            .into_iter()
            .filter(|m| m.from.as_deref() == Some(id))
            .collect();
        tracing::info!(node = %id, moves = moves.len(), "drain started");
        let op = self
            .create_moves(
                OperationKind::Drain {
                    node: id.to_owned(),
                },
                moves,
                deadline,
            )
            .await?;
        if op.total == 0 {
            self.finish_drain(id).await?;
        }
        Ok(op)
    }

    /// A drained node with no clients left goes offline.
    pub(super) async fn finish_drain(&self, id: &str) -> Result<()> {
        let held = self.held_by(id).await;
        if held > 0 {
            return Ok(());
        }
        self.update_node(id, |node| {
            if node.state == NodeState::Draining {
                node.enter(NodeState::Offline, now_ms());
                node.drain_deadline = None;
            }
            Ok(())
        })
        .await?;
        tracing::info!(node = %id, "drain done: node offline");
        Ok(())
    }

    /// Disaster recovery for a failed node: re-homes its clients, and only
    /// its clients, onto the healthy nodes of its zone.
    pub(super) async fn recover_from(&self, id: &str) -> Result<Operation> {
        let (_, plan) = self.plan(Mode::Evacuate).await?;
        let moves: Vec<PlannedMove> = plan
            .moves
            .into_iter()
            .filter(|m| m.from.as_deref() == Some(id))
            .collect();
        tracing::warn!(node = %id, moves = moves.len(), "disaster recovery: re-homing the failed node's clients");
        self.create_moves(
            OperationKind::DisasterRecovery {
                node: id.to_owned(),
            },
            moves,
            None,
        )
        .await
    }
}
