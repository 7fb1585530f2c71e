//! Clients: check-in, placement of new clients, look-ups, deletion.

use super::{Assignment, CheckIn, Director, DirectorError, MoveDirective, Result};
use crate::model::{Client, ClientStatus, Keys, MoveRecord, MoveState, Node, now_ms};
use crate::placement::{PlanNode, hash_bytes};

/// Longest minion id or fingerprint accepted.
const MAX_ID_LEN: usize = 255;

fn check_id(what: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() || value.len() > MAX_ID_LEN || value.chars().any(char::is_control) {
        return Err(DirectorError::Invalid(format!(
            "invalid {what}: 1-{MAX_ID_LEN} printable characters"
        )));
    }
    Ok(())
}

impl Director {
    /// A client agent checks in: the client is registered on first sight
    /// and placed on a node of its zone; every check-in answers its status,
    /// its node and any move it must carry out.
    pub async fn check_in(&self, req: CheckIn) -> Result<Assignment> {
        check_id("minion id", &req.minion_id)?;
        check_id("fingerprint", &req.fingerprint)?;
        let now = now_ms();
        let mut loads = self.placement.lock().await;
        let existing: Option<Client> = self.store.get_json(Keys::client(&req.minion_id)).await?;
        let mut client = match existing {
            Some(c) => {
                if c.fingerprint
                    .as_deref()
                    .is_some_and(|fp| fp != req.fingerprint)
                {
                    return Err(DirectorError::Conflict(format!(
                        "minion {} is registered with another key; delete the client to register it anew",
                        req.minion_id
                    )));
                }
                c
            }
            None => {
                let zone = req
                    .zone
                    .clone()
                    .unwrap_or_else(|| self.config.default_zone.clone());
                self.get_zone(&zone).await?;
                if let Some(other) = self
                    .store
                    .get(Keys::client_fingerprint(&req.fingerprint))
                    .await?
                {
                    return Err(DirectorError::Conflict(format!(
                        "this key is already registered for minion {}",
                        String::from_utf8_lossy(&other)
                    )));
                }
                Client {
                    minion_id: req.minion_id.clone(),
                    fingerprint: Some(req.fingerprint.clone()),
                    machine_id: req.machine_id.clone(),
                    zone,
                    status: ClientStatus::New,
                    owner: None,
                    moving_to: None,
                    move_id: None,
                    cluster_id: 0,
                    local_ids: Default::default(),
                    created: now,
                    updated: now,
                    last_checkin: None,
                }
            }
        };
        if client.status != ClientStatus::Deleted && client.owner.is_none() {
            let nodes = self.list_nodes().await?;
            let zone_nodes: Vec<&Node> = nodes.iter().filter(|n| n.zone == client.zone).collect();
            let plan_nodes: Vec<PlanNode> = zone_nodes
                .iter()
                .map(|n| PlanNode {
                    key: hash_bytes(n.id.as_bytes()),
                    zone: 0,
                    weight: n.weight,
                    accepts: n.accepts(),
                    keeps: n.keeps(),
                })
                .collect();
            let node_loads: Vec<u64> = zone_nodes
                .iter()
                .map(|n| loads.by_node.get(&n.id).copied().unwrap_or(0))
                .collect();
            let chosen = self
                .planner
                .place(
                    &plan_nodes,
                    &node_loads,
                    hash_bytes(client.minion_id.as_bytes()),
                    0,
                )
                .map(|i| zone_nodes[i as usize].id.clone());
            match chosen {
                Some(node) => {
                    client.cluster_id = self
                        .identity
                        .reserve_system(&client.minion_id, client.machine_id.as_deref(), &node)
                        .await?;
                    *loads.by_node.entry(node.clone()).or_default() += 1;
                    tracing::info!(minion = %client.minion_id, node = %node, cluster_id = client.cluster_id, "client placed");
                    client.owner = Some(node);
                    client.status = ClientStatus::New;
                }
                None => {
                    client.status = ClientStatus::Orphan;
                    tracing::warn!(minion = %client.minion_id, zone = %client.zone, "no accepting node in the client's zone");
                }
            }
        }
        client.last_checkin = Some(now);
        client.updated = now;
        if let Some(fp) = &client.fingerprint {
            self.store
                .put(Keys::client_fingerprint(fp), client.minion_id.as_bytes())
                .await?;
        }
        self.put_client(&client).await?;
        drop(loads);
        self.assignment(&client).await
    }

    /// What a client is told about itself.
    pub async fn assignment(&self, client: &Client) -> Result<Assignment> {
        let master = match &client.owner {
            Some(node) => self.get_node(node).await.ok().map(|n| n.master),
            None => None,
        };
        let pending_move = match client.move_id {
            Some(id) => match self
                .store
                .get_json::<MoveRecord>(Keys::move_record(id))
                .await?
            {
                Some(m) if m.state == MoveState::Directed => {
                    let master = self.get_node(&m.to).await?.master;
                    Some(MoveDirective {
                        move_id: m.id,
                        minion_id: m.minion_id,
                        cluster_id: m.cluster_id,
                        from: m.from,
                        to: m.to,
                        master,
                        attempt: m.attempts,
                    })
                }
                _ => None,
            },
            None => None,
        };
        Ok(Assignment {
            minion_id: client.minion_id.clone(),
            cluster_id: client.cluster_id,
            status: client.status,
            node: client.owner.clone(),
            master,
            pending_move,
        })
    }

    /// One client, by minion id.
    pub async fn get_client(&self, minion_id: &str) -> Result<Client> {
        self.store
            .get_json(Keys::client(minion_id))
            .await?
            .ok_or_else(|| DirectorError::not_found("client", minion_id))
    }

    /// One client, by the fingerprint of its minion key.
    pub async fn client_by_fingerprint(&self, fingerprint: &str) -> Result<Client> {
        let minion = self
            .store
            .get(Keys::client_fingerprint(fingerprint))
            .await?
            .ok_or_else(|| DirectorError::not_found("client with fingerprint", fingerprint))?;
        self.get_client(&String::from_utf8_lossy(&minion)).await
    }

    /// One client, by cluster system id.
    pub async fn client_by_cluster_id(&self, cluster_id: i32) -> Result<Client> {
        let identity = self
            .identity
            .system(cluster_id)
            .await?
            .ok_or_else(|| DirectorError::not_found("system", cluster_id.to_string()))?;
        let minion = identity
            .minion_id
            .ok_or_else(|| DirectorError::not_found("client of system", cluster_id.to_string()))?;
        self.get_client(&minion).await
    }

    /// Clients, in minion id order, filtered by zone and owner node, at
    /// most `limit` after the minion id `after`.
    pub async fn list_clients(
        &self,
        zone: Option<&str>,
        node: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Client>> {
        let all = self.all_clients().await?;
        Ok(all
            .into_iter()
            .filter(|c| after.is_none_or(|a| c.minion_id.as_str() > a))
            .filter(|c| zone.is_none_or(|z| c.zone == z))
            .filter(|c| node.is_none_or(|n| c.owner.as_deref() == Some(n)))
            .take(limit)
            .collect())
    }

    /// Marks a client deleted: it leaves placement and the identity map;
    /// its agent is told `deleted` at its next check-in.
    pub async fn delete_client(&self, minion_id: &str) -> Result<Client> {
        let mut loads = self.placement.lock().await;
        let mut client = self.get_client(minion_id).await?;
        if let Some(owner) = client.moving_to.as_ref().or(client.owner.as_ref())
            && let Some(n) = loads.by_node.get_mut(owner)
        {
            *n = n.saturating_sub(1);
        }
        if client.cluster_id != 0 {
            self.identity.forget_system(client.cluster_id).await?;
            self.cache.invalidate(client.cluster_id);
        }
        let move_id = client.move_id.take();
        client.status = ClientStatus::Deleted;
        client.owner = None;
        client.moving_to = None;
        client.updated = now_ms();
        self.put_client(&client).await?;
        // The move it was on ends canceled, once the placement lock is
        // free again (finishing a move takes it); the client no longer
        // names the move, so finishing leaves it and the loads as they are.
        drop(loads);
        if let Some(id) = move_id {
            self.finish_move(id, MoveState::Canceled, Some("client deleted".into()))
                .await?;
        }
        tracing::info!(minion = %minion_id, "client deleted");
        Ok(client)
    }
}

impl Director {
    /// The node of `zone` that should take a new system whose minion id is
    /// not known yet (a profile created through the API): the accepting
    /// node with the most room below its weighted share, among
    /// `candidates` when given (the nodes a gateway can reach).
    pub async fn place_unkeyed(
        &self,
        zone: &str,
        candidates: Option<&[String]>,
    ) -> Result<Option<String>> {
        let nodes = self.list_nodes().await?;
        let loads = self.placement.lock().await;
        Ok(nodes
            .iter()
            .filter(|n| n.zone == zone && n.accepts())
            .filter(|n| candidates.is_none_or(|c| c.contains(&n.id)))
            .min_by(|a, b| {
                let fill =
                    |n: &Node| loads.by_node.get(&n.id).copied().unwrap_or(0) as f64 / n.weight;
                fill(a).total_cmp(&fill(b)).then(a.id.cmp(&b.id))
            })
            .map(|n| n.id.clone()))
    }
}
