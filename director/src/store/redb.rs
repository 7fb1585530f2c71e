//! The redb engine: one table in one file, the director's default store.
//!
//! Every write is its own redb write transaction committed with
//! [`Durability::Immediate`](::redb::Durability::Immediate) (redb's default):
//! once a call returns, the write survives a killed process or a power cut.
//! redb runs one write transaction at a time, so compare-and-swap and
//! [`Txn`]s read and write inside a single write transaction and are atomic
//! without retries. redb is blocking; each call runs on tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use async_trait::async_trait;

use super::{CasResult, Conflict, Engine, StoreError, Txn};

/// The one table holding every key.
const KV: TableDefinition<&[u8], &[u8]> = TableDefinition::new("kv");

/// A store engine over a redb database file.
#[derive(Clone)]
pub struct RedbEngine {
    db: Arc<Database>,
    path: Arc<PathBuf>,
}

impl std::fmt::Debug for RedbEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbEngine")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl RedbEngine {
    /// Opens the database at `path`, creating the file when it does not
    /// exist (its directory must). A file left by a killed process is
    /// repaired on open. Only one process may have the file open.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let fail = |e: ::redb::Error| StoreError::Redb {
            path: path.clone(),
            source: Box::new(e),
        };
        let db = Database::create(&path).map_err(|e| fail(e.into()))?;
        let txn = db.begin_write().map_err(|e| fail(e.into()))?;
        txn.open_table(KV).map_err(|e| fail(e.into()))?;
        txn.commit().map_err(|e| fail(e.into()))?;
        Ok(Self {
            db: Arc::new(db),
            path: Arc::new(path),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the blocking pool with the database, mapping redb
    /// errors to [`StoreError::Redb`].
    async fn blocking<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> Result<T, ::redb::Error> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        let outcome = tokio::task::spawn_blocking(move || work(&db))
            .await
            .map_err(|source| StoreError::Task {
                engine: self.describe(),
                source,
            })?;
        outcome.map_err(|e| StoreError::Redb {
            path: self.path.to_path_buf(),
            source: Box::new(e),
        })
    }
}

#[async_trait]
impl Engine for RedbEngine {
    fn describe(&self) -> String {
        format!("redb {}", self.path.display())
    }

    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let key = key.to_vec();
        self.blocking(move |db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(KV)?;
            Ok(table.get(key.as_slice())?.map(|v| v.value().to_vec()))
        })
        .await
    }

    async fn put(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let (key, value) = (key.to_vec(), value.to_vec());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            txn.open_table(KV)?
                .insert(key.as_slice(), value.as_slice())?;
            Ok(txn.commit()?)
        })
        .await
    }

    async fn delete(&self, key: &[u8]) -> Result<(), StoreError> {
        let key = key.to_vec();
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            txn.open_table(KV)?.remove(key.as_slice())?;
            Ok(txn.commit()?)
        })
        .await
    }

    async fn scan_prefix(
        &self,
        prefix: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        let prefix = prefix.to_vec();
        self.blocking(move |db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(KV)?;
            let mut found = Vec::new();
            for entry in table.range(prefix.as_slice()..)? {
                if found.len() >= limit {
                    break;
                }
                let (key, value) = entry?;
                if !key.value().starts_with(&prefix) {
                    break;
                }
                found.push((key.value().to_vec(), value.value().to_vec()));
            }
            Ok(found)
        })
        .await
    }

    async fn transact(&self, txn: Txn) -> Result<CasResult<Conflict>, StoreError> {
        let (checks, writes) = txn.into_parts();
        self.blocking(move |db| {
            let wtxn = db.begin_write()?;
            {
                let mut table = wtxn.open_table(KV)?;
                for check in checks {
                    let current = table.get(check.key.as_slice())?.map(|v| v.value().to_vec());
                    if current != check.expected {
                        drop(table);
                        wtxn.abort()?;
                        return Ok(Err(Conflict {
                            key: check.key,
                            current,
                        }));
                    }
                }
                for write in writes {
                    match write.value {
                        Some(value) => table.insert(write.key.as_slice(), value.as_slice())?,
                        None => table.remove(write.key.as_slice())?,
                    };
                }
            }
            wtxn.commit()?;
            Ok(Ok(()))
        })
        .await
    }
}
