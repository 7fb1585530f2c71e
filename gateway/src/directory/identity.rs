//! The identity map with moka caches both ways: cluster id to node and
//! local id, and node and local id to cluster id, for systems and actions.
//!
//! A local id the map does not know yet gets a cluster id allocated in the
//! store's transaction (two gateways seeing it at once agree on one). The
//! cluster-to-location cache is short-lived and dropped for an id whose
//! node answered "no such system", so that a system moved by the director
//! is found at its new home under the same cluster id.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use director::identity::{IdentityError, IdentityMap};
use director::store::Store;
use moka::sync::Cache;

/// How many ids each cache holds.
const CAPACITY: u64 = 2_000_000;
/// How long a cluster id's location is trusted without asking the store.
const LOCATION_TTL: Duration = Duration::from_secs(30);
/// How long a node-local id's cluster id is kept (it never changes while
/// the system stays on that node).
const CLUSTER_ID_TTL: Duration = Duration::from_secs(600);

/// Where a cluster id lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The node.
    pub node: Arc<str>,
    /// The id on that node.
    pub local: i32,
}

/// The identity map and its caches.
#[derive(Debug)]
pub struct CachedIdentity {
    map: IdentityMap,
    numbers: RwLock<HashMap<Arc<str>, u32>>,
    system_at: Cache<i32, Location>,
    system_of: Cache<u64, i32>,
    action_at: Cache<i32, Location>,
    action_of: Cache<u64, i32>,
}

fn cache<K, V>(ttl: Duration) -> Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder()
        .max_capacity(CAPACITY)
        .time_to_live(ttl)
        .build()
}

impl CachedIdentity {
    /// The identity map in `store`.
    pub fn new(store: Store) -> CachedIdentity {
        CachedIdentity {
            map: IdentityMap::new(store),
            numbers: RwLock::new(HashMap::new()),
            system_at: cache(LOCATION_TTL),
            system_of: cache(CLUSTER_ID_TTL),
            action_at: cache(LOCATION_TTL),
            action_of: cache(CLUSTER_ID_TTL),
        }
    }

    /// A dense number for a node id, for compact cache keys.
    fn key(&self, node: &str, local: i32) -> u64 {
        let known = self
            .numbers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(node)
            .copied();
        let number = match known {
            Some(n) => n,
            None => {
                let mut numbers = self.numbers.write().unwrap_or_else(|e| e.into_inner());
                let next = numbers.len() as u32;
                *numbers.entry(Arc::from(node)).or_insert(next)
            }
        };
        (u64::from(number) << 32) | u64::from(local as u32)
    }

    /// Where cluster system `id` lives; `None` when the map does not know it.
    pub async fn system_location(&self, id: i32) -> Result<Option<Location>, IdentityError> {
        if let Some(loc) = self.system_at.get(&id) {
            return Ok(Some(loc));
        }
        let Some(record) = self.map.system(id).await? else {
            return Ok(None);
        };
        let loc = Location {
            node: Arc::from(record.node.as_str()),
            local: record.local_id,
        };
        self.system_at.insert(id, loc.clone());
        Ok(Some(loc))
    }

    /// Forgets the cached location of cluster system `id`.
    pub fn invalidate_system(&self, id: i32) {
        self.system_at.invalidate(&id);
    }

    /// The cluster id of system `local` on `node`, allocated when new.
    /// `minion` and `machine` are recorded with a new id (and let the map
    /// recognise a system that moved).
    pub async fn system_id(
        &self,
        node: &str,
        local: i32,
        minion: Option<&str>,
        machine: Option<&str>,
    ) -> Result<i32, IdentityError> {
        let key = self.key(node, local);
        if let Some(id) = self.system_of.get(&key) {
            return Ok(id);
        }
        let id = self
            .map
            .system_for_local(node, local, minion, machine)
            .await?;
        self.system_of.insert(key, id);
        self.system_at.insert(
            id,
            Location {
                node: Arc::from(node),
                local,
            },
        );
        Ok(id)
    }

    /// The cached cluster id of system `local` on `node`, without asking
    /// the store.
    pub fn cached_system_id(&self, node: &str, local: i32) -> Option<i32> {
        self.system_of.get(&self.key(node, local))
    }

    /// The cluster id of a minion, if the map knows it.
    pub async fn system_by_minion(&self, minion: &str) -> Result<Option<i32>, IdentityError> {
        self.map.system_by_minion(minion).await
    }

    /// Where cluster action `id` lives.
    pub async fn action_location(&self, id: i32) -> Result<Option<Location>, IdentityError> {
        if let Some(loc) = self.action_at.get(&id) {
            return Ok(Some(loc));
        }
        let Some(record) = self.map.action(id).await? else {
            return Ok(None);
        };
        let loc = Location {
            node: Arc::from(record.node.as_str()),
            local: record.local_id,
        };
        self.action_at.insert(id, loc.clone());
        Ok(Some(loc))
    }

    /// The cluster id of action `local` on `node`, allocated when new.
    pub async fn action_id(&self, node: &str, local: i32) -> Result<i32, IdentityError> {
        let key = self.key(node, local);
        if let Some(id) = self.action_of.get(&key) {
            return Ok(id);
        }
        let id = self.map.action_for_local(node, local).await?;
        self.action_of.insert(key, id);
        self.action_at.insert(
            id,
            Location {
                node: Arc::from(node),
                local,
            },
        );
        Ok(id)
    }

    /// The cached cluster id of action `local` on `node`.
    pub fn cached_action_id(&self, node: &str, local: i32) -> Option<i32> {
        self.action_of.get(&self.key(node, local))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn equal_local_ids_on_two_nodes_get_two_cluster_ids() {
        let ids = CachedIdentity::new(Store::memory());
        let a = ids
            .system_id("n1", 1_000_010_000, None, None)
            .await
            .unwrap();
        let b = ids
            .system_id("n2", 1_000_010_000, None, None)
            .await
            .unwrap();
        assert_ne!(a, b);
        assert_eq!(
            ids.system_id("n1", 1_000_010_000, None, None)
                .await
                .unwrap(),
            a
        );
        assert_eq!(ids.cached_system_id("n2", 1_000_010_000), Some(b));
        let loc = ids.system_location(b).await.unwrap().unwrap();
        assert_eq!((&*loc.node, loc.local), ("n2", 1_000_010_000));
        assert_eq!(ids.system_location(12345).await.unwrap(), None);
        let x = ids.action_id("n1", 1).await.unwrap();
        let y = ids.action_id("n2", 1).await.unwrap();
        assert_ne!(x, y);
        assert_eq!(
            ids.action_location(y).await.unwrap().unwrap().node.as_ref(),
            "n2"
        );
    }

    #[tokio::test]
    async fn two_gateways_on_one_store_agree() {
        let store = Store::memory();
        let g1 = CachedIdentity::new(store.clone());
        let g2 = CachedIdentity::new(store);
        let (a, b) = tokio::join!(
            g1.system_id("n1", 7, None, None),
            g2.system_id("n1", 7, None, None)
        );
        assert_eq!(a.unwrap(), b.unwrap());
    }
}
