//! Planning client placement: where new clients go, and which clients move
//! when nodes join, drain, fail or change weight.
//!
//! The planner works on dense indexes (node `i` is `nodes[i]`) so that a
//! plan over a million clients is a few passes over flat arrays. Three
//! phases, each moving as little as it can:
//!
//! 1. Fill (rebalance only): a node well below its weighted share (a new
//!    node, one that came back) takes the clients that rendezvous hashing
//!    says prefer it over their current node, up to its share, most
//!    attached first. Nodes near their share take nothing, so a balanced
//!    cluster does not churn.
//! 2. Evacuate: clients with no node, or on a node that no longer keeps
//!    clients (draining, failed, removed), go to their highest-scoring
//!    accepting node of their zone that is below its cap.
//! 3. Shed (rebalance only): a node above its cap gives up its least
//!    attached clients to their best node with room.
//!
//! The cap of a node is `ceil((1 + epsilon) * N_zone * w / W_zone)`: bounded
//! load, so no node is ever planned above `1 + epsilon` times its weighted
//! share.

use super::hrw::{pair_hash, score};

/// A node as the planner sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanNode {
    /// Stable hash of the node id ([`super::hash_bytes`]).
    pub key: u64,
    /// Zone index.
    pub zone: u32,
    /// Capacity weight (> 0).
    pub weight: f64,
    /// Takes new clients (active and not cordoned).
    pub accepts: bool,
    /// Keeps the clients it has (false when draining, failed or removed).
    pub keeps: bool,
}

/// A client as the planner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanClient {
    /// Stable hash of the client's natural key (its minion id).
    pub key: u64,
    /// Zone index.
    pub zone: u32,
    /// Index of the node it is on, if any.
    pub node: Option<u32>,
}

/// Why a client moves.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum MoveReason {
    /// It had no node.
    Unplaced,
    /// Its node no longer keeps clients.
    Evacuate,
    /// An underfilled node it prefers takes it.
    Fill,
    /// Its node was above its cap.
    Shed,
}

/// One planned move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// Index into the clients given to the planner.
    pub client: usize,
    /// Node it leaves.
    pub from: Option<u32>,
    /// Node it goes to.
    pub to: u32,
    /// Why.
    pub reason: MoveReason,
}

/// Which phases run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Fill, evacuate and shed: a full rebalance.
    Rebalance,
    /// Evacuate only: drains and disaster recovery move nothing else.
    Evacuate,
}

/// The outcome of planning.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Moves, in the order they were planned.
    pub moves: Vec<Move>,
    /// Clients per node after the moves.
    pub loads: Vec<u64>,
    /// Cap per node.
    pub caps: Vec<u64>,
    /// Clients that have no accepting node in their zone.
    pub stranded: Vec<usize>,
}

/// The placement planner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Planner {
    /// Bounded-load slack: no node above `(1 + epsilon)` times its share.
    pub epsilon: f64,
}

impl Default for Planner {
    fn default() -> Planner {
        Planner { epsilon: 0.1 }
    }
}

/// Per-zone totals.
struct Zones {
    clients: Vec<u64>,
    weight: Vec<f64>,
}

impl Zones {
    fn of(nodes: &[PlanNode], clients: impl Iterator<Item = u32>) -> Zones {
        let count = nodes.iter().map(|n| n.zone as usize + 1).max().unwrap_or(0);
        let mut zones = Zones {
            clients: vec![0; count],
            weight: vec![0.0; count],
        };
        for zone in clients {
            if let Some(c) = zones.clients.get_mut(zone as usize) {
                *c += 1;
            }
        }
        for n in nodes.iter().filter(|n| n.accepts) {
            zones.weight[n.zone as usize] += n.weight;
        }
        zones
    }

    fn share(&self, node: &PlanNode) -> f64 {
        let z = node.zone as usize;
        if !node.accepts || self.weight[z] <= 0.0 {
            return 0.0;
        }
        self.clients[z] as f64 * node.weight / self.weight[z]
    }
}

impl Planner {
    /// The cap of each node for these totals.
    fn caps(&self, nodes: &[PlanNode], zones: &Zones) -> Vec<u64> {
        nodes
            .iter()
            .map(|n| {
                let share = zones.share(n);
                if share <= 0.0 {
                    0
                } else {
                    ((1.0 + self.epsilon) * share).ceil().max(1.0) as u64
                }
            })
            .collect()
    }

    /// Plans moves for `clients` over `nodes`.
    pub fn plan(&self, nodes: &[PlanNode], clients: &[PlanClient], mode: Mode) -> Plan {
        let zones = Zones::of(nodes, clients.iter().map(|c| c.zone));
        let caps = self.caps(nodes, &zones);
        let mut loads = vec![0u64; nodes.len()];
        let mut homeless = Vec::new();
        for (i, c) in clients.iter().enumerate() {
            match c.node {
                Some(n) if nodes.get(n as usize).is_some_and(|n| n.keeps) => loads[n as usize] += 1,
                _ => homeless.push(i),
            }
        }
        let mut plan = Plan {
            caps,
            ..Plan::default()
        };
        if mode == Mode::Rebalance {
            self.fill(nodes, clients, &zones, &mut loads, &mut plan);
        }
        // Evacuate in a stable order so that equal inputs give equal plans.
        homeless.sort_by_key(|&i| clients[i].key);
        for i in homeless {
            let c = clients[i];
            match best_with_room(nodes, &loads, &plan.caps, c, None) {
                Some(to) => {
                    loads[to as usize] += 1;
                    let reason = if c.node.is_some() {
                        MoveReason::Evacuate
                    } else {
                        MoveReason::Unplaced
                    };
                    plan.moves.push(Move {
                        client: i,
                        from: c.node,
                        to,
                        reason,
                    });
                }
                None => plan.stranded.push(i),
            }
        }
        if mode == Mode::Rebalance {
            self.shed(nodes, clients, &mut loads, &mut plan);
        }
        plan.loads = loads;
        plan
    }

    fn fill(
        &self,
        nodes: &[PlanNode],
        clients: &[PlanClient],
        zones: &Zones,
        loads: &mut [u64],
        plan: &mut Plan,
    ) {
        // Receivers: accepting nodes below their share by more than half
        // the slack; each may take up to its deficit.
        let mut deficit = vec![0u64; nodes.len()];
        let mut receivers: Vec<Vec<u32>> = vec![Vec::new(); zones.clients.len()];
        for (i, n) in nodes.iter().enumerate() {
            let share = zones.share(n);
            if n.accepts && (loads[i] as f64) < share * (1.0 - self.epsilon / 2.0) {
                deficit[i] = (share.floor() as u64).saturating_sub(loads[i]);
                if deficit[i] > 0 {
                    receivers[n.zone as usize].push(i as u32);
                }
            }
        }
        if receivers.iter().all(Vec::is_empty) {
            return;
        }
        // Candidates: clients whose best receiver outscores their node.
        let mut candidates: Vec<Vec<(f64, usize)>> = vec![Vec::new(); nodes.len()];
        for (i, c) in clients.iter().enumerate() {
            let Some(cur) = c
                .node
                .filter(|&n| nodes.get(n as usize).is_some_and(|n| n.keeps))
            else {
                continue;
            };
            let zone_receivers = &receivers[c.zone as usize];
            if zone_receivers.is_empty() {
                continue;
            }
            let current = &nodes[cur as usize];
            let mut best = score(current.weight, pair_hash(current.key, c.key));
            let mut to = None;
            for &r in zone_receivers {
                let node = &nodes[r as usize];
                let s = score(node.weight, pair_hash(node.key, c.key));
                if s > best {
                    best = s;
                    to = Some(r);
                }
            }
            if let Some(r) = to {
                candidates[r as usize].push((best, i));
            }
        }
        for (r, mut wanted) in candidates.into_iter().enumerate() {
            if wanted.is_empty() {
                continue;
            }
            wanted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for (_, i) in wanted.into_iter().take(deficit[r] as usize) {
                let from = clients[i].node.expect("candidates have a node");
                loads[from as usize] -= 1;
                loads[r] += 1;
                plan.moves.push(Move {
                    client: i,
                    from: Some(from),
                    to: r as u32,
                    reason: MoveReason::Fill,
                });
            }
        }
    }

    fn shed(&self, nodes: &[PlanNode], clients: &[PlanClient], loads: &mut [u64], plan: &mut Plan) {
        let over: Vec<usize> = (0..nodes.len())
            .filter(|&i| nodes[i].keeps && loads[i] > plan.caps[i].max(1) && nodes[i].accepts)
            .collect();
        if over.is_empty() {
            return;
        }
        let moved: std::collections::HashSet<usize> = plan.moves.iter().map(|m| m.client).collect();
        for n in over {
            let node = &nodes[n];
            let mut residents: Vec<(f64, usize)> = clients
                .iter()
                .enumerate()
                .filter(|(i, c)| c.node == Some(n as u32) && !moved.contains(i))
                .map(|(i, c)| (score(node.weight, pair_hash(node.key, c.key)), i))
                .collect();
            // Least attached first.
            residents.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (_, i) in residents {
                if loads[n] <= plan.caps[n] {
                    break;
                }
                if let Some(to) =
                    best_with_room(nodes, loads, &plan.caps, clients[i], Some(n as u32))
                {
                    loads[n] -= 1;
                    loads[to as usize] += 1;
                    plan.moves.push(Move {
                        client: i,
                        from: Some(n as u32),
                        to,
                        reason: MoveReason::Shed,
                    });
                }
            }
        }
    }

    /// Picks the node for one new client of `zone` given current loads: its
    /// highest-scoring accepting node below the cap the cluster will have
    /// with this client counted.
    pub fn place(
        &self,
        nodes: &[PlanNode],
        loads: &[u64],
        client_key: u64,
        zone: u32,
    ) -> Option<u32> {
        let in_zone: u64 = nodes
            .iter()
            .zip(loads)
            .filter(|(n, _)| n.zone == zone)
            .map(|(_, l)| *l)
            .sum();
        let weight: f64 = nodes
            .iter()
            .filter(|n| n.zone == zone && n.accepts)
            .map(|n| n.weight)
            .sum();
        let caps: Vec<u64> = nodes
            .iter()
            .map(|n| {
                if n.zone != zone || !n.accepts || weight <= 0.0 {
                    0
                } else {
                    ((1.0 + self.epsilon) * (in_zone + 1) as f64 * n.weight / weight)
                        .ceil()
                        .max(1.0) as u64
                }
            })
            .collect();
        let client = PlanClient {
            key: client_key,
            zone,
            node: None,
        };
        best_with_room(nodes, loads, &caps, client, None)
    }
}

/// The highest-scoring accepting node of the client's zone below its cap,
/// other than `except`; when every such node is at its cap (possible only
/// when caps round down), the least loaded relative to its weight.
fn best_with_room(
    nodes: &[PlanNode],
    loads: &[u64],
    caps: &[u64],
    client: PlanClient,
    except: Option<u32>,
) -> Option<u32> {
    let mut best: Option<(f64, u32)> = None;
    let mut fallback: Option<(f64, u32)> = None;
    for (i, n) in nodes.iter().enumerate() {
        if n.zone != client.zone || !n.accepts || except == Some(i as u32) {
            continue;
        }
        let fill = loads[i] as f64 / n.weight;
        if fallback.is_none_or(|(f, _)| fill < f) {
            fallback = Some((fill, i as u32));
        }
        if loads[i] >= caps[i] {
            continue;
        }
        let s = score(n.weight, pair_hash(n.key, client.key));
        if best.is_none_or(|(b, _)| s > b) {
            best = Some((s, i as u32));
        }
    }
    best.or(fallback).map(|(_, i)| i)
}
