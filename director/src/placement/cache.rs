//! The placement cache: cluster system id to owner node number, in front of
//! the store. Reads that miss go to the store; the director invalidates an
//! entry when it moves the client, so a hit is never stale for longer than
//! an in-flight move.

use moka::sync::Cache;

/// Cluster system id to owner node number.
#[derive(Debug, Clone)]
pub struct PlacementCache {
    inner: Cache<i32, u32>,
}

impl PlacementCache {
    /// A cache holding at most `capacity` entries.
    pub fn new(capacity: u64) -> PlacementCache {
        PlacementCache {
            inner: Cache::builder().max_capacity(capacity).build(),
        }
    }

    /// The owner of a system, if cached.
    #[inline]
    pub fn get(&self, system: i32) -> Option<u32> {
        self.inner.get(&system)
    }

    /// Records an owner.
    pub fn insert(&self, system: i32, node: u32) {
        self.inner.insert(system, node);
    }

    /// Forgets a system (it moved or was deleted).
    pub fn invalidate(&self, system: i32) {
        self.inner.invalidate(&system);
    }
}
