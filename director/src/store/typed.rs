//! [`Store`]: the handle the director uses, with typed (JSON) helpers and
//! read-modify-write loops over any [`Engine`].

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{CasResult, Conflict, Engine, MemoryEngine, RedbEngine, StoreError, Txn};

/// How often a read-modify-write retries after losing a race before it gives
/// up with [`StoreError::Contention`]. Every lost race means another caller
/// won, so the store as a whole always progresses.
pub(super) const MAX_ATTEMPTS: u32 = 1_000;

/// A cheap-to-clone handle on a store engine.
#[derive(Clone)]
pub struct Store {
    engine: Arc<dyn Engine>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Store")
            .field(&self.engine.describe())
            .finish()
    }
}

impl Store {
    /// Wraps an engine.
    pub fn new(engine: impl Engine) -> Self {
        Self {
            engine: Arc::new(engine),
        }
    }

    /// Wraps an engine that is already shared.
    pub fn from_arc(engine: Arc<dyn Engine>) -> Self {
        Self { engine }
    }

    /// A store on a fresh [`MemoryEngine`].
    pub fn memory() -> Self {
        Self::new(MemoryEngine::new())
    }

    /// A store on the redb file at `path` (see [`RedbEngine::open`]).
    pub fn open_redb(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Ok(Self::new(RedbEngine::open(path)?))
    }

    /// What engine this is and where its data lives.
    pub fn describe(&self) -> String {
        self.engine.describe()
    }

    /// Reads the raw value under `key`.
    pub async fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>, StoreError> {
        self.engine.get(non_empty(key.as_ref())?).await
    }

    /// Writes the raw `value` under `key`. Keys and values must not be empty.
    pub async fn put(
        &self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<(), StoreError> {
        let key = non_empty(key.as_ref())?;
        self.engine
            .put(key, non_empty_value(key, value.as_ref())?)
            .await
    }

    /// Removes `key` (no error when it is missing).
    pub async fn delete(&self, key: impl AsRef<[u8]>) -> Result<(), StoreError> {
        self.engine.delete(non_empty(key.as_ref())?).await
    }

    /// Up to `limit` raw pairs whose key starts with `prefix`, in key order.
    pub async fn scan_prefix(
        &self,
        prefix: impl AsRef<[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        self.engine.scan_prefix(prefix.as_ref(), limit).await
    }

    /// Atomically replaces `expected` (`None`: absent) by `new` (`None`:
    /// delete) under `key`; on a mismatch returns the current value.
    pub async fn compare_and_swap(
        &self,
        key: impl AsRef<[u8]>,
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<CasResult<Option<Vec<u8>>>, StoreError> {
        let key = non_empty(key.as_ref())?;
        let expected = expected.map(|v| non_empty_value(key, v)).transpose()?;
        let new = new.map(|v| non_empty_value(key, v)).transpose()?;
        self.engine.compare_and_swap(key, expected, new).await
    }

    /// Applies a multi-key [`Txn`] atomically (see [`Engine::transact`]).
    pub async fn transact(&self, txn: Txn) -> Result<CasResult<Conflict>, StoreError> {
        txn.validate()?;
        self.engine.transact(txn).await
    }

    /// Reads and decodes the JSON record under `key`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        key: impl AsRef<[u8]>,
    ) -> Result<Option<T>, StoreError> {
        let key = key.as_ref();
        self.get(key)
            .await?
            .map(|raw| decode(key, &raw))
            .transpose()
    }

    /// Encodes `value` as JSON and writes it under `key`.
    pub async fn put_json<T: Serialize + ?Sized>(
        &self,
        key: impl AsRef<[u8]>,
        value: &T,
    ) -> Result<(), StoreError> {
        let key = key.as_ref();
        self.put(key, encode(key, value)?).await
    }

    /// Compare-and-swap of JSON records: compares the stored bytes with the
    /// encoding of `expected`, so use types that encode deterministically
    /// (structs, `BTreeMap`; not `HashMap`). [`Store::update_json`] has no
    /// such caveat. On a mismatch returns the decoded current record.
    pub async fn cas_json<T: Serialize + DeserializeOwned>(
        &self,
        key: impl AsRef<[u8]>,
        expected: Option<&T>,
        new: Option<&T>,
    ) -> Result<CasResult<Option<T>>, StoreError> {
        let key = key.as_ref();
        let expected = expected.map(|v| encode(key, v)).transpose()?;
        let new = new.map(|v| encode(key, v)).transpose()?;
        match self
            .compare_and_swap(key, expected.as_deref(), new.as_deref())
            .await?
        {
            Ok(()) => Ok(Ok(())),
            Err(current) => Ok(Err(current.map(|raw| decode(key, &raw)).transpose()?)),
        }
    }

    /// Read-modify-write of one JSON record: `change` gets the current record
    /// (or `None`) and returns the new one (`None` deletes). Retried on
    /// conflicting writers, so `change` may run more than once. Returns what
    /// was written.
    pub async fn update_json<T, F>(
        &self,
        key: impl AsRef<[u8]>,
        mut change: F,
    ) -> Result<Option<T>, StoreError>
    where
        T: Serialize + DeserializeOwned,
        F: FnMut(Option<T>) -> Option<T>,
    {
        let key = key.as_ref();
        let mut current = self.get(key).await?;
        for _ in 0..MAX_ATTEMPTS {
            let record = current.as_deref().map(|raw| decode(key, raw)).transpose()?;
            let next = change(record);
            let encoded = next.as_ref().map(|v| encode(key, v)).transpose()?;
            match self
                .compare_and_swap(key, current.as_deref(), encoded.as_deref())
                .await?
            {
                Ok(()) => return Ok(next),
                Err(now) => current = now,
            }
            tokio::task::yield_now().await;
        }
        Err(contention(key))
    }

    /// Up to `limit` decoded JSON records whose key starts with `prefix`, in
    /// key order.
    pub async fn scan_prefix_json<T: DeserializeOwned>(
        &self,
        prefix: impl AsRef<[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, T)>, StoreError> {
        self.scan_prefix(prefix, limit)
            .await?
            .into_iter()
            .map(|(key, raw)| {
                let value = decode(&key, &raw)?;
                Ok((key, value))
            })
            .collect()
    }
}

pub(super) fn non_empty(key: &[u8]) -> Result<&[u8], StoreError> {
    if key.is_empty() {
        Err(StoreError::EmptyKey)
    } else {
        Ok(key)
    }
}

fn non_empty_value<'v>(key: &[u8], value: &'v [u8]) -> Result<&'v [u8], StoreError> {
    if value.is_empty() {
        Err(StoreError::EmptyValue { key: key.to_vec() })
    } else {
        Ok(value)
    }
}

pub(super) fn encode<T: Serialize + ?Sized>(key: &[u8], value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::codec(key, e))
}

pub(super) fn decode<T: DeserializeOwned>(key: &[u8], raw: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(raw).map_err(|e| StoreError::codec(key, e))
}

pub(super) fn contention(key: &[u8]) -> StoreError {
    StoreError::Contention {
        key: key.to_vec(),
        attempts: MAX_ATTEMPTS,
    }
}
