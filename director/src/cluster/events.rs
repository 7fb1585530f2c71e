//! What node agents tell the director over the bus: heartbeats on
//! `node.<id>.heartbeat` and database changes on `node.<id>.event`.

use std::sync::Arc;

use tokio::task::JoinHandle;

use super::{Director, DirectorError, Heartbeat, NodeEvent, Result};
use crate::model::{Client, ClientStatus, Keys, now_ms};

/// Subscribes to node heartbeats and events; returns the listener tasks.
pub(super) async fn listen(director: Arc<Director>) -> Result<Vec<JoinHandle<()>>> {
    let mut heartbeats = director.bus.subscribe("node.*.heartbeat").await?;
    let mut events = director.bus.subscribe("node.*.event").await?;
    let d = director.clone();
    let beats = tokio::spawn(async move {
        while let Some(msg) = heartbeats.next().await {
            match serde_json::from_slice::<Heartbeat>(&msg.payload) {
                Ok(beat) => {
                    if let Err(e) = d.heartbeat(beat).await {
                        tracing::warn!(subject = %msg.subject, cause = %e, "heartbeat refused");
                    }
                }
                Err(e) => tracing::warn!(subject = %msg.subject, cause = %e, "malformed heartbeat"),
            }
        }
    });
    let d = director;
    let changes = tokio::spawn(async move {
        while let Some(msg) = events.next().await {
            match serde_json::from_slice::<NodeEvent>(&msg.payload) {
                Ok(event) => {
                    if let Err(e) = d.node_event(event).await {
                        tracing::warn!(subject = %msg.subject, cause = %e, "node event not applied");
                    }
                }
                Err(e) => {
                    tracing::warn!(subject = %msg.subject, cause = %e, "malformed node event")
                }
            }
        }
    });
    Ok(vec![beats, changes])
}

impl Director {
    /// Applies a change a node agent reported. A system registered straight
    /// on a node joins the identity map and placement; one that registered
    /// after a move keeps its cluster id; a deletion on its owner deletes
    /// the client, one on a node it left only forgets the old local id.
    pub async fn node_event(&self, event: NodeEvent) -> Result<()> {
        match event {
            NodeEvent::SystemRegistered {
                node,
                local_id,
                minion_id,
                machine_id,
            } => {
                let zone = self.get_node(&node).await?.zone;
                let cluster_id = self
                    .identity
                    .system_for_local(&node, local_id, Some(&minion_id), machine_id.as_deref())
                    .await?;
                let mut loads = self.placement.lock().await;
                let now = now_ms();
                let mut client = match self
                    .store
                    .get_json::<Client>(Keys::client(&minion_id))
                    .await?
                {
                    Some(c) => c,
                    None => {
                        *loads.by_node.entry(node.clone()).or_default() += 1;
                        tracing::info!(minion = %minion_id, node = %node, cluster_id, "system registered straight on a node joins the cluster");
                        Client {
                            minion_id: minion_id.clone(),
                            fingerprint: None,
                            machine_id: machine_id.clone(),
                            zone,
                            status: ClientStatus::Onboarded,
                            owner: Some(node.clone()),
                            moving_to: None,
                            move_id: None,
                            cluster_id,
                            local_ids: Default::default(),
                            created: now,
                            updated: now,
                            last_checkin: None,
                        }
                    }
                };
                client.cluster_id = cluster_id;
                client.local_ids.insert(node.clone(), local_id);
                if client.owner.as_deref() == Some(node.as_str())
                    && client.status == ClientStatus::New
                {
                    client.status = ClientStatus::Onboarded;
                }
                client.updated = now;
                self.put_client(&client).await?;
                self.cache.invalidate(cluster_id);
                Ok(())
            }
            NodeEvent::SystemDeleted { node, local_id } => {
                let Some(cluster_id) = self.identity.system_by_local(&node, local_id).await? else {
                    return Ok(());
                };
                let identity = self.identity.system(cluster_id).await?;
                let Some(minion) = identity.and_then(|i| i.minion_id) else {
                    return Ok(());
                };
                let mut client = match self.get_client(&minion).await {
                    Ok(c) => c,
                    Err(DirectorError::NotFound { .. }) => return Ok(()),
                    Err(e) => return Err(e),
                };
                if client.owner.as_deref() == Some(node.as_str()) && client.move_id.is_none() {
                    self.delete_client(&minion).await?;
                } else {
                    client.local_ids.remove(&node);
                    client.updated = now_ms();
                    self.put_client(&client).await?;
                }
                Ok(())
            }
        }
    }
}
