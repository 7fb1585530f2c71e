//! An in-memory engine over a `BTreeMap`: for unit tests of the modules built
//! on the store. Nothing survives the process.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use super::key::prefix_end;
use super::{CasResult, Conflict, Engine, StoreError, Txn};

/// A store engine that keeps everything in memory.
#[derive(Debug, Default)]
pub struct MemoryEngine {
    map: Mutex<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemoryEngine {
    /// An empty engine.
    pub fn new() -> Self {
        Self::default()
    }

    fn map(&self) -> MutexGuard<'_, BTreeMap<Vec<u8>, Vec<u8>>> {
        // No code path panics while holding the lock, and a map is never left
        // half-updated by one, so a poisoned lock is still consistent.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Engine for MemoryEngine {
    fn describe(&self) -> String {
        "memory".to_owned()
    }

    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.map().get(key).cloned())
    }

    async fn put(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.map().insert(key.to_vec(), value.to_vec());
        Ok(())
    }

    async fn delete(&self, key: &[u8]) -> Result<(), StoreError> {
        self.map().remove(key);
        Ok(())
    }

    async fn scan_prefix(
        &self,
        prefix: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        let end = prefix_end(prefix);
        let upper = match &end {
            Some(end) => Bound::Excluded(end.as_slice()),
            None => Bound::Unbounded,
        };
        let map = self.map();
        Ok(map
            .range::<[u8], _>((Bound::Included(prefix), upper))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn transact(&self, txn: Txn) -> Result<CasResult<Conflict>, StoreError> {
        let (checks, writes) = txn.into_parts();
        let mut map = self.map();
        for check in checks {
            let current = map.get(&check.key);
            if current != check.expected.as_ref() {
                let current = current.cloned();
                return Ok(Err(Conflict {
                    key: check.key,
                    current,
                }));
            }
        }
        for write in writes {
            match write.value {
                Some(value) => map.insert(write.key, value),
                None => map.remove(&write.key),
            };
        }
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, suite};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn memory_engine_passes_the_store_suite() {
        suite::run(Store::new(MemoryEngine::new())).await;
    }
}
