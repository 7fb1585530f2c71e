//! Counters on the [`Store`]: atomic increments, alone or together with the
//! writes that use the new value (an id and the record it names).

use super::typed::{MAX_ATTEMPTS, contention, decode, encode, non_empty};
use super::{Conflict, Store, StoreError, Txn};

impl Store {
    /// Atomically increments the counter under `key` (a missing counter is
    /// 0) and returns the new value: concurrent callers, in this process or
    /// others sharing the store, each get a distinct value.
    pub async fn allocate_counter(&self, key: impl AsRef<[u8]>) -> Result<u64, StoreError> {
        let key = key.as_ref();
        match self.allocate_with(key, |_| Ok(Txn::new())).await? {
            Ok(value) => Ok(value),
            // Only the counter itself is checked, and its conflicts are retried.
            Err(_) => Err(contention(key)),
        }
    }

    /// Allocates the next value of the counter under `key` and, in the same
    /// atomic transaction, applies the checks and writes that `build` returns
    /// for that value (typically the new record and its index entries).
    ///
    /// When another caller moved the counter meanwhile, it retries with a
    /// fresh value, so `build` may run more than once. When one of `build`'s
    /// own checks fails (say, a name that must not be taken yet), nothing is
    /// written and that [`Conflict`] is returned; an error from `build` is
    /// returned at once.
    pub async fn allocate_with<F>(
        &self,
        key: impl AsRef<[u8]>,
        mut build: F,
    ) -> Result<Result<u64, Conflict>, StoreError>
    where
        F: FnMut(u64) -> Result<Txn, StoreError>,
    {
        let key = non_empty(key.as_ref())?;
        let mut current = self.get(key).await?;
        for _ in 0..MAX_ATTEMPTS {
            let value: u64 = match &current {
                Some(raw) => decode(key, raw)?,
                None => 0,
            };
            let next = value
                .checked_add(1)
                .ok_or_else(|| StoreError::CounterOverflow { key: key.to_vec() })?;
            let (checks, writes) = build(next)?.into_parts();
            let mut txn = Txn::new()
                .check(key, current.clone())
                .put(key, encode(key, &next)?);
            for check in checks {
                txn = txn.check(check.key, check.expected);
            }
            for write in writes {
                txn = txn.write(write.key, write.value);
            }
            match self.transact(txn).await? {
                Ok(()) => return Ok(Ok(next)),
                Err(conflict) if conflict.key == key => current = conflict.current,
                Err(conflict) => return Ok(Err(conflict)),
            }
            tokio::task::yield_now().await;
        }
        Err(contention(key))
    }
}
