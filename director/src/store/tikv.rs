//! The TiKV engine, over tikv-client's transactional API.
//!
//! Why transactions and not the raw API: raw compare-and-swap is atomic only
//! in "atomic mode" and covers one key, while the director also needs small
//! multi-key transactions (allocate an id, write the record and its index
//! together). Every operation here is an optimistic Percolator transaction:
//!
//! * reads (`get`, `scan_prefix`) use a read-only snapshot at a fresh
//!   timestamp, so they see every write committed before they started;
//! * writes (`put`, `delete`, [`Txn`]s, hence compare-and-swap) begin an
//!   optimistic transaction, read the checked keys at its start timestamp,
//!   lock the checked keys they do not write (so a concurrent change to them
//!   is a conflict too), buffer the writes and commit. A write-write conflict
//!   found at commit means another writer got there first: the whole attempt
//!   is retried from a fresh timestamp, up to [`MAX_ATTEMPTS`] times.
//!
//! Transactions are created with drop check `None`: a request future dropped
//! half-way (a client that went away) must not panic the process. An
//! optimistic transaction holds no lock before commit, so nothing is left
//! behind; a commit cut short is cleaned up by TiKV's lock resolution.

use std::time::Duration;

use async_trait::async_trait;
use tikv_client::{
    BoundRange, CheckLevel, Config, Key, Transaction, TransactionClient, TransactionOptions,
};

use super::key::prefix_end;
use super::{CasResult, Conflict, Engine, StoreError, Txn};

/// Commit attempts before a conflicting write gives up.
const MAX_ATTEMPTS: u32 = 100;
/// Timeout of one request to PD or TiKV.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest gRPC response accepted: scans of many 1 MiB values must fit.
const MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;

/// A store engine over a TiKV cluster.
pub struct TikvEngine {
    client: TransactionClient,
    endpoints: String,
}

impl std::fmt::Debug for TikvEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TikvEngine")
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

impl TikvEngine {
    /// Connects to the cluster whose PD servers are at `pd_endpoints`
    /// (`host:port`; give all of them, so one PD being down is survivable).
    pub async fn connect(pd_endpoints: Vec<String>) -> Result<Self, StoreError> {
        let endpoints = pd_endpoints.join(",");
        let config = Config::default()
            .with_timeout(REQUEST_TIMEOUT)
            .with_grpc_max_decoding_message_size(MAX_RESPONSE_BYTES);
        match TransactionClient::new_with_config(pd_endpoints, config).await {
            Ok(client) => Ok(Self { client, endpoints }),
            Err(e) => Err(fail(&endpoints, e)),
        }
    }

    fn fail(&self, e: tikv_client::Error) -> StoreError {
        fail(&self.endpoints, e)
    }

    async fn begin(&self) -> Result<Transaction, StoreError> {
        let options = TransactionOptions::new_optimistic().drop_check(CheckLevel::None);
        self.client
            .begin_with_options(options)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn snapshot(&self) -> Result<tikv_client::Snapshot, StoreError> {
        let now = self
            .client
            .current_timestamp()
            .await
            .map_err(|e| self.fail(e))?;
        let options = TransactionOptions::new_optimistic()
            .read_only()
            .drop_check(CheckLevel::None);
        Ok(self.client.snapshot(now, options))
    }

    /// One attempt at `txn`: `Ok(Ok(Ok(())))` committed, `Ok(Ok(Err(_)))` a
    /// check failed, `Ok(Err(e))` a conflict worth retrying, `Err` a failure.
    async fn attempt(
        &self,
        txn: &Txn,
    ) -> Result<Result<CasResult<Conflict>, tikv_client::Error>, StoreError> {
        let mut tx = self.begin().await?;
        let outcome = self.attempt_in(&mut tx, txn).await;
        if !matches!(outcome, Ok(Ok(()))) {
            // Nothing was prewritten, so this only marks the transaction done.
            let _ = tx.rollback().await;
        }
        match outcome {
            Ok(result) => Ok(Ok(result)),
            Err(e) if is_conflict(&e) => Ok(Err(e)),
            Err(e) => Err(self.fail(e)),
        }
    }

    async fn attempt_in(
        &self,
        tx: &mut Transaction,
        txn: &Txn,
    ) -> Result<CasResult<Conflict>, tikv_client::Error> {
        for check in txn.checks() {
            let current = tx.get(check.key.clone()).await?;
            if current != check.expected {
                return Ok(Err(Conflict {
                    key: check.key.clone(),
                    current,
                }));
            }
        }
        let written = |key: &Vec<u8>| txn.writes().iter().any(|w| &w.key == key);
        let read_only: Vec<Key> = txn
            .checks()
            .iter()
            .filter(|c| !written(&c.key))
            .map(|c| Key::from(c.key.clone()))
            .collect();
        if !read_only.is_empty() {
            tx.lock_keys(read_only).await?;
        }
        for write in txn.writes() {
            match &write.value {
                Some(value) => tx.put(write.key.clone(), value.clone()).await?,
                None => tx.delete(write.key.clone()).await?,
            }
        }
        tx.commit().await?;
        Ok(Ok(()))
    }
}

#[async_trait]
impl Engine for TikvEngine {
    fn describe(&self) -> String {
        format!("tikv {}", self.endpoints)
    }

    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let mut snapshot = self.snapshot().await?;
        snapshot.get(key.to_vec()).await.map_err(|e| self.fail(e))
    }

    async fn put(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let txn = Txn::new().put(key, value);
        self.transact(txn).await.map(|_| ())
    }

    async fn delete(&self, key: &[u8]) -> Result<(), StoreError> {
        self.transact(Txn::new().delete(key)).await.map(|_| ())
    }

    async fn scan_prefix(
        &self,
        prefix: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        let start = Key::from(prefix.to_vec());
        let mut snapshot = self.snapshot().await?;
        let range: BoundRange = match prefix_end(prefix) {
            Some(end) => (start..Key::from(end)).into(),
            None => (start..).into(),
        };
        let pairs = snapshot
            .scan(range, limit)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(pairs
            .map(|pair| {
                let (key, value) = pair.into();
                (Vec::from(key), value)
            })
            .collect())
    }

    async fn transact(&self, txn: Txn) -> Result<CasResult<Conflict>, StoreError> {
        for attempt in 0..MAX_ATTEMPTS {
            match self.attempt(&txn).await? {
                Ok(result) => return Ok(result),
                Err(e) => {
                    tracing::debug!(engine = %self.describe(), attempt, cause = %e, "tikv write conflict, retrying")
                }
            }
            // Back off a little, more each time, so racing writers spread out.
            tokio::time::sleep(Duration::from_millis(u64::from(attempt.min(20)))).await;
        }
        let first_key = txn.writes().first().map(|w| w.key.clone());
        let first_key = first_key.or_else(|| txn.checks().first().map(|c| c.key.clone()));
        Err(StoreError::Contention {
            key: first_key.unwrap_or_default(),
            attempts: MAX_ATTEMPTS,
        })
    }
}

fn fail(endpoints: &str, e: tikv_client::Error) -> StoreError {
    StoreError::Tikv {
        endpoints: endpoints.to_owned(),
        source: Box::new(e),
    }
}

/// Whether `e` says another transaction won a race (write conflict, a lock
/// still held, a retryable key error): worth trying again from scratch.
fn is_conflict(e: &tikv_client::Error) -> bool {
    use tikv_client::Error;
    match e {
        Error::KeyError(key_error) => {
            key_error.conflict.is_some()
                || key_error.locked.is_some()
                || !key_error.retryable.is_empty()
        }
        Error::MultipleKeyErrors(errors) | Error::ExtractedErrors(errors) => {
            !errors.is_empty() && errors.iter().all(is_conflict)
        }
        Error::ResolveLockError(_) => true,
        _ => false,
    }
}
