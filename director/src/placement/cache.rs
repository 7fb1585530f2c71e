//! The placement cache: cluster system id to owner node number, in front of
//! the store. Reads that miss go to the store; the director invalidates an
//! entry when it moves the client, so a hit is never stale for longer than
//! an in-flight move.
//!
//! Placement is small (a few bytes per client) and read on every routed
//! call, so this is a sharded hash map rather than an admission-policy
//! cache: a read is one uncontended read lock and one probe (moka measured
//! below 1 million lookups per second on this machine's cores, see the
//! placement benchmark). The capacity is a guard, not a policy: a shard
//! that outgrows its part of it is emptied and refills from the store.

use std::collections::HashMap;
use std::sync::RwLock;

const SHARDS: usize = 16;

/// Cluster system id to owner node number.
#[derive(Debug)]
pub struct PlacementCache {
    shards: Vec<RwLock<HashMap<i32, u32>>>,
    per_shard: usize,
}

impl PlacementCache {
    /// A cache holding about `capacity` entries at most.
    pub fn new(capacity: u64) -> PlacementCache {
        PlacementCache {
            shards: (0..SHARDS).map(|_| RwLock::new(HashMap::new())).collect(),
            per_shard: (capacity as usize / SHARDS).max(1),
        }
    }

    #[inline]
    fn shard(&self, system: i32) -> &RwLock<HashMap<i32, u32>> {
        // Cluster ids are sequential: the low bits spread them evenly.
        &self.shards[(system as u32 as usize) % SHARDS]
    }

    /// The owner of a system, if cached.
    #[inline]
    pub fn get(&self, system: i32) -> Option<u32> {
        let shard = self.shard(system).read().unwrap_or_else(|e| e.into_inner());
        shard.get(&system).copied()
    }

    /// Records an owner.
    pub fn insert(&self, system: i32, node: u32) {
        let mut shard = self
            .shard(system)
            .write()
            .unwrap_or_else(|e| e.into_inner());
        if shard.len() >= self.per_shard && !shard.contains_key(&system) {
            shard.clear();
        }
        shard.insert(system, node);
    }

    /// Forgets a system (it moved or was deleted).
    pub fn invalidate(&self, system: i32) {
        let mut shard = self
            .shard(system)
            .write()
            .unwrap_or_else(|e| e.into_inner());
        shard.remove(&system);
    }

    /// Forgets everything (a node's clients were re-homed).
    pub fn clear(&self) {
        for shard in &self.shards {
            shard.write().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PlacementCache;

    #[test]
    fn hits_misses_and_the_capacity_guard() {
        let cache = PlacementCache::new(32);
        cache.insert(1_000_010_000, 3);
        assert_eq!(cache.get(1_000_010_000), Some(3));
        cache.invalidate(1_000_010_000);
        assert_eq!(cache.get(1_000_010_000), None);
        for id in 0..1000 {
            cache.insert(id, 1);
        }
        let held = (0..1000).filter(|id| cache.get(*id).is_some()).count();
        assert!(held <= 32 + 16, "the guard bounds the cache: {held}");
        assert_eq!(cache.get(999), Some(1), "the newest entry is kept");
    }
}
