//! The cluster identity map over the store: cluster system and action ids
//! to node and local id and back, allocated atomically.
//!
//! Both the director and every gateway replica write here: when two of them
//! see the same unknown local id at once, the store's transaction lets one
//! allocate and the other read the winner's id, so they agree.

use crate::model::{ActionIdentity, FIRST_CLUSTER_SYSTEM_ID, Keys, SystemIdentity};
use crate::store::{Store, StoreError, Txn};

/// Why the identity map refused.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The 32-bit id space is used up.
    #[error("no {kind} ids left: the cluster allocated every id that fits a 32-bit int")]
    Exhausted {
        /// `system` or `action`.
        kind: &'static str,
    },
    /// Writers kept racing on the same entry.
    #[error("identity of {what} kept changing under concurrent writers")]
    Contention {
        /// What was being resolved.
        what: String,
    },
}

/// How many times a racing allocation is re-read before giving up.
const ATTEMPTS: usize = 16;

/// The identity map.
#[derive(Debug, Clone)]
pub struct IdentityMap {
    store: Store,
}

fn cluster_system_id(n: u64) -> Result<i32, IdentityError> {
    let id = i64::from(FIRST_CLUSTER_SYSTEM_ID) + n as i64 - 1;
    i32::try_from(id).map_err(|_| IdentityError::Exhausted { kind: "system" })
}

fn cluster_action_id(n: u64) -> Result<i32, IdentityError> {
    i32::try_from(n).map_err(|_| IdentityError::Exhausted { kind: "action" })
}

fn parse_id(raw: &[u8]) -> Option<i32> {
    std::str::from_utf8(raw).ok()?.parse().ok()
}

impl IdentityMap {
    /// The identity map in `store`.
    pub fn new(store: Store) -> IdentityMap {
        IdentityMap { store }
    }

    /// Where a cluster system id lives.
    pub async fn system(&self, cluster_id: i32) -> Result<Option<SystemIdentity>, IdentityError> {
        Ok(self.store.get_json(Keys::system(cluster_id)).await?)
    }

    /// The cluster id of a node-local system id, if allocated.
    pub async fn system_by_local(
        &self,
        node: &str,
        local_id: i32,
    ) -> Result<Option<i32>, IdentityError> {
        let raw = self.store.get(Keys::system_local(node, local_id)).await?;
        Ok(raw.as_deref().and_then(parse_id))
    }

    /// The cluster id of a minion, if allocated.
    pub async fn system_by_minion(&self, minion_id: &str) -> Result<Option<i32>, IdentityError> {
        let raw = self.store.get(Keys::system_minion(minion_id)).await?;
        Ok(raw.as_deref().and_then(parse_id))
    }

    /// The cluster id for a system seen on `node` as `local_id`, allocating
    /// one when the map does not know it yet. When the minion id is given
    /// and already has a cluster id (the system moved to this node and
    /// registered anew), that id is rebound to the new node and local id:
    /// a system keeps its cluster id across moves.
    pub async fn system_for_local(
        &self,
        node: &str,
        local_id: i32,
        minion_id: Option<&str>,
        machine_id: Option<&str>,
    ) -> Result<i32, IdentityError> {
        for _ in 0..ATTEMPTS {
            if let Some(id) = self.system_by_local(node, local_id).await? {
                return Ok(id);
            }
            if let Some(minion) = minion_id
                && let Some(id) = self.system_by_minion(minion).await?
            {
                self.rebind_system(id, node, local_id).await?;
                return Ok(id);
            }
            let local_key = Keys::system_local(node, local_id);
            let outcome = self
                .store
                .allocate_with(Keys::counter("system-id"), |n| {
                    let id = cluster_system_id(n).map_err(|_| StoreError::CounterOverflow {
                        key: Keys::counter("system-id").into_bytes(),
                    })?;
                    let record = SystemIdentity {
                        cluster_id: id,
                        node: node.to_owned(),
                        local_id,
                        minion_id: minion_id.map(str::to_owned),
                        machine_id: machine_id.map(str::to_owned),
                    };
                    let mut txn = Txn::new()
                        .check(&local_key, None)
                        .put_json(Keys::system(id), &record)?
                        .put(&local_key, id.to_string());
                    if let Some(minion) = minion_id {
                        let key = Keys::system_minion(minion);
                        txn = txn.check(&key, None).put(key, id.to_string());
                    }
                    Ok(txn)
                })
                .await;
            match outcome {
                Ok(Ok(n)) => return cluster_system_id(n),
                // Someone else allocated this local id or minion meanwhile:
                // read theirs on the next round.
                Ok(Err(_conflict)) => continue,
                Err(StoreError::CounterOverflow { .. }) => {
                    return Err(IdentityError::Exhausted { kind: "system" });
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(IdentityError::Contention {
            what: format!("system {local_id} on node {node}"),
        })
    }

    /// Reserves a cluster id for a client that is known before any node
    /// has registered it (a client agent checking in first). The record
    /// names the assigned node with local id 0 until the node reports the
    /// system, which [`IdentityMap::system_for_local`] then binds. Returns
    /// the existing id when the minion already has one.
    pub async fn reserve_system(
        &self,
        minion_id: &str,
        machine_id: Option<&str>,
        node: &str,
    ) -> Result<i32, IdentityError> {
        let minion_key = Keys::system_minion(minion_id);
        for _ in 0..ATTEMPTS {
            if let Some(id) = self.system_by_minion(minion_id).await? {
                return Ok(id);
            }
            let outcome = self
                .store
                .allocate_with(Keys::counter("system-id"), |n| {
                    let id = cluster_system_id(n).map_err(|_| StoreError::CounterOverflow {
                        key: Keys::counter("system-id").into_bytes(),
                    })?;
                    let record = SystemIdentity {
                        cluster_id: id,
                        node: node.to_owned(),
                        local_id: 0,
                        minion_id: Some(minion_id.to_owned()),
                        machine_id: machine_id.map(str::to_owned),
                    };
                    Txn::new()
                        .check(&minion_key, None)
                        .put_json(Keys::system(id), &record)
                        .map(|t| t.put(&minion_key, id.to_string()))
                })
                .await;
            match outcome {
                Ok(Ok(n)) => return cluster_system_id(n),
                Ok(Err(_conflict)) => continue,
                Err(StoreError::CounterOverflow { .. }) => {
                    return Err(IdentityError::Exhausted { kind: "system" });
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(IdentityError::Contention {
            what: format!("minion {minion_id}"),
        })
    }

    /// Reserves `count` consecutive cluster system ids at once (bulk
    /// onboarding) and returns the first. The caller writes the records.
    pub async fn reserve_system_block(&self, count: u32) -> Result<i32, IdentityError> {
        let key = Keys::counter("system-id");
        for _ in 0..ATTEMPTS {
            let current = self.store.get(&key).await?;
            let value: u64 = match &current {
                Some(raw) => serde_json::from_slice(raw)
                    .map_err(|e| IdentityError::Store(StoreError::codec(key.as_bytes(), e)))?,
                None => 0,
            };
            let next = value + u64::from(count);
            cluster_system_id(next)?;
            let txn = Txn::new().check(&key, current).put(&key, next.to_string());
            if self.store.transact(txn).await?.is_ok() {
                return cluster_system_id(value + 1);
            }
        }
        Err(IdentityError::Contention {
            what: "the system id counter".into(),
        })
    }

    /// Points a cluster system id at a new node and local id (the system
    /// moved), keeping the id. The old local index entry is removed.
    pub async fn rebind_system(
        &self,
        cluster_id: i32,
        node: &str,
        local_id: i32,
    ) -> Result<(), IdentityError> {
        let key = Keys::system(cluster_id);
        for _ in 0..ATTEMPTS {
            let Some(raw) = self.store.get(&key).await? else {
                return Ok(());
            };
            let mut record: SystemIdentity = serde_json::from_slice(&raw)
                .map_err(|e| IdentityError::Store(StoreError::codec(key.as_bytes(), e)))?;
            if record.node == node && record.local_id == local_id {
                return Ok(());
            }
            let old_local = Keys::system_local(&record.node, record.local_id);
            record.node = node.to_owned();
            record.local_id = local_id;
            let txn = Txn::new()
                .check(&key, Some(raw))
                .put_json(&key, &record)?
                .delete(old_local)
                .put(Keys::system_local(node, local_id), cluster_id.to_string());
            if self.store.transact(txn).await?.is_ok() {
                return Ok(());
            }
        }
        Err(IdentityError::Contention {
            what: format!("cluster system {cluster_id}"),
        })
    }

    /// Removes a cluster system id and its index entries (the system was
    /// deleted from the cluster).
    pub async fn forget_system(&self, cluster_id: i32) -> Result<(), IdentityError> {
        let key = Keys::system(cluster_id);
        let Some(raw) = self.store.get(&key).await? else {
            return Ok(());
        };
        let record: SystemIdentity = serde_json::from_slice(&raw)
            .map_err(|e| IdentityError::Store(StoreError::codec(key.as_bytes(), e)))?;
        let mut txn = Txn::new()
            .check(&key, Some(raw))
            .delete(&key)
            .delete(Keys::system_local(&record.node, record.local_id));
        if let Some(minion) = &record.minion_id {
            txn = txn.delete(Keys::system_minion(minion));
        }
        self.store
            .transact(txn)
            .await?
            .map_err(|_| IdentityError::Contention {
                what: format!("cluster system {cluster_id}"),
            })
    }

    /// Where a cluster action id lives.
    pub async fn action(&self, cluster_id: i32) -> Result<Option<ActionIdentity>, IdentityError> {
        Ok(self.store.get_json(Keys::action(cluster_id)).await?)
    }

    /// The cluster id for an action seen on `node` as `local_id`, allocating
    /// one when unknown.
    pub async fn action_for_local(&self, node: &str, local_id: i32) -> Result<i32, IdentityError> {
        let local_key = Keys::action_local(node, local_id);
        for _ in 0..ATTEMPTS {
            if let Some(raw) = self.store.get(&local_key).await?
                && let Some(id) = parse_id(&raw)
            {
                return Ok(id);
            }
            let outcome = self
                .store
                .allocate_with(Keys::counter("action-id"), |n| {
                    let id = cluster_action_id(n).map_err(|_| StoreError::CounterOverflow {
                        key: Keys::counter("action-id").into_bytes(),
                    })?;
                    let record = ActionIdentity {
                        cluster_id: id,
                        node: node.to_owned(),
                        local_id,
                    };
                    Txn::new()
                        .check(&local_key, None)
                        .put_json(Keys::action(id), &record)
                        .map(|t| t.put(&local_key, id.to_string()))
                })
                .await;
            match outcome {
                Ok(Ok(n)) => return cluster_action_id(n),
                Ok(Err(_conflict)) => continue,
                Err(StoreError::CounterOverflow { .. }) => {
                    return Err(IdentityError::Exhausted { kind: "action" });
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(IdentityError::Contention {
            what: format!("action {local_id} on node {node}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn ids_are_allocated_once_and_survive_moves() {
        let map = IdentityMap::new(Store::memory());
        let a = map
            .system_for_local("n1", 1_000_010_000, Some("m1"), None)
            .await
            .unwrap();
        assert_eq!(a, FIRST_CLUSTER_SYSTEM_ID);
        assert_eq!(
            map.system_for_local("n1", 1_000_010_000, Some("m1"), None)
                .await
                .unwrap(),
            a
        );
        let b = map
            .system_for_local("n2", 1_000_010_000, Some("m2"), None)
            .await
            .unwrap();
        assert_ne!(a, b, "equal local ids on two nodes get two cluster ids");
        // m1 registers on n2 after a move: same cluster id, new home.
        let moved = map
            .system_for_local("n2", 1_000_010_001, Some("m1"), None)
            .await
            .unwrap();
        assert_eq!(moved, a);
        let record = map.system(a).await.unwrap().unwrap();
        assert_eq!(
            (record.node.as_str(), record.local_id),
            ("n2", 1_000_010_001)
        );
        assert_eq!(
            map.system_by_local("n1", 1_000_010_000).await.unwrap(),
            None
        );
        map.forget_system(a).await.unwrap();
        assert_eq!(map.system(a).await.unwrap(), None);
        assert_eq!(map.system_by_minion("m1").await.unwrap(), None);
    }

    #[tokio::test]
    async fn concurrent_allocators_agree() {
        let map = Arc::new(IdentityMap::new(Store::memory()));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let map = map.clone();
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                for local in 0..20 {
                    ids.push(map.system_for_local("n1", local, None, None).await.unwrap());
                    ids.push(map.action_for_local("n1", local).await.unwrap());
                }
                ids
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.push(t.await.unwrap());
        }
        assert!(
            all.windows(2).all(|w| w[0] == w[1]),
            "every task saw the same ids"
        );
        let mut unique = all[0].clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 40, "20 systems and 20 actions, no id twice");
    }
}
