//! Bulk onboarding of the systems a node already has (a node joining the
//! cluster with its clients, or the demo seeding its nodes).

use super::{Director, Result};
use crate::model::{Client, ClientStatus, Keys, SystemIdentity, now_ms};
use crate::store::Txn;

/// Systems written per store transaction.
const BATCH: usize = 512;

/// A system a node already has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedSystem {
    /// Its id on the node.
    pub local_id: i32,
    /// Salt minion id.
    pub minion_id: String,
    /// Machine id.
    pub machine_id: Option<String>,
}

impl Director {
    /// Onboards a node's existing systems in bulk: each joins the identity
    /// map and placement with that node as owner, as if the node's agent
    /// had reported each registration, in a few large transactions. Systems
    /// the cluster knows already (by local id or minion id) go through the
    /// one-by-one path, which keeps their cluster ids. Returns how many
    /// systems were onboarded.
    pub async fn import_systems(&self, node: &str, systems: Vec<ImportedSystem>) -> Result<u64> {
        let zone = self.get_node(node).await?.zone;
        let mut onboarded = 0u64;
        for chunk in systems.chunks(BATCH) {
            let first = self
                .identity
                .reserve_system_block(chunk.len() as u32)
                .await?;
            let now = now_ms();
            let mut txn = Txn::new();
            for (i, s) in chunk.iter().enumerate() {
                let cluster_id = first + i as i32;
                let identity = SystemIdentity {
                    cluster_id,
                    node: node.to_owned(),
                    local_id: s.local_id,
                    minion_id: Some(s.minion_id.clone()),
                    machine_id: s.machine_id.clone(),
                    left: Default::default(),
                };
                let client = Client {
                    minion_id: s.minion_id.clone(),
                    fingerprint: None,
                    machine_id: s.machine_id.clone(),
                    zone: zone.clone(),
                    status: ClientStatus::Onboarded,
                    owner: Some(node.to_owned()),
                    moving_to: None,
                    move_id: None,
                    cluster_id,
                    local_ids: [(node.to_owned(), s.local_id)].into(),
                    created: now,
                    updated: now,
                    last_checkin: None,
                };
                let local = Keys::system_local(node, s.local_id);
                let minion = Keys::system_minion(&s.minion_id);
                let client_key = Keys::client(&s.minion_id);
                txn = txn
                    .check(&local, None)
                    .check(&minion, None)
                    .check(&client_key, None)
                    .put_json(Keys::system(cluster_id), &identity)?
                    .put(&local, cluster_id.to_string())
                    .put(&minion, cluster_id.to_string())
                    .put_json(&client_key, &client)?;
            }
            let mut loads = self.placement.lock().await;
            if self.store.transact(txn).await?.is_ok() {
                *loads.by_node.entry(node.to_owned()).or_default() += chunk.len() as u64;
                onboarded += chunk.len() as u64;
                continue;
            }
            drop(loads);
            // Some were known: one by one (the reserved block is skipped).
            for s in chunk {
                self.node_event(super::NodeEvent::SystemRegistered {
                    node: node.to_owned(),
                    local_id: s.local_id,
                    minion_id: s.minion_id.clone(),
                    machine_id: s.machine_id.clone(),
                })
                .await?;
                onboarded += 1;
            }
        }
        tracing::info!(node = %node, systems = onboarded, "systems onboarded");
        Ok(onboarded)
    }
}
