//! The director's key-value store: a narrow byte-level [`Engine`] trait and the
//! typed [`Store`] wrapper the rest of the director uses.
//!
//! # Engines
//!
//! | engine | type | when |
//! |---|---|---|
//! | redb | [`RedbEngine`] | the default: one file, every commit is durable when it returns |
//! | TiKV | `TikvEngine` (feature `tikv`, on by default) | a replicated store shared by several directors |
//! | memory | [`MemoryEngine`] | unit tests of other modules; nothing survives the process |
//!
//! Every engine runs the same conformance [`suite`].
//!
//! # Key conventions
//!
//! * Keys and values are non-empty byte strings; keys are ordered bytewise. The director's keys are
//!   UTF-8 paths of `/`-separated segments, most general first
//!   (`<kind>/<id>[/<field>]`), so that [`Store::scan_prefix`] on `<kind>/`
//!   lists one kind. End a prefix with `/`: `node/` does not match `nodes/x`,
//!   but `node` does.
//! * Numbers inside keys that must sort numerically are zero-padded.
//! * Values written by the typed helpers are JSON; counters
//!   ([`Store::allocate_counter`]) are a JSON number under their own key.
//! * Secrets (passwords, tokens, keys) are never written to the store, and
//!   errors name keys, never values.
//!
//! # Atomicity
//!
//! Single-key operations are atomic on every engine. [`Store::compare_and_swap`]
//! and [`Store::transact`] (a small multi-key transaction: preconditions plus
//! writes, all or nothing) are atomic on every engine too, so the director can
//! allocate an id and write a record together with its index entries
//! ([`Store::allocate_with`]).

mod counter;
mod error;
pub(crate) mod key;
mod memory;
mod redb;
pub mod suite;
#[cfg(feature = "tikv")]
mod tikv;
mod txn;
mod typed;

use async_trait::async_trait;

pub use self::error::StoreError;
pub use self::memory::MemoryEngine;
pub use self::redb::RedbEngine;
#[cfg(feature = "tikv")]
pub use self::tikv::TikvEngine;
pub use self::txn::{Check, Conflict, Txn, Write};
pub use self::typed::Store;

/// The outcome of a conditional write: `Ok(())` when it was applied, or the
/// value that made it fail.
pub type CasResult<T> = Result<(), T>;

/// A storage engine: the few byte-level operations every backend provides.
///
/// Keys and values are non-empty (the [`Store`] wrapper checks this before
/// calling an engine: TiKV cannot tell an empty value from a missing key). Implementations must be safe to call from many tasks at once and
/// must never panic on a request: failures are [`StoreError`]s.
#[async_trait]
pub trait Engine: Send + Sync + 'static {
    /// What this engine is and where its data lives, for logs and errors
    /// (`"redb /var/lib/director/state.redb"`). Never holds credentials.
    fn describe(&self) -> String;

    /// Reads the value under `key`.
    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Writes `value` under `key`, replacing any value there.
    async fn put(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError>;

    /// Removes `key`; removing a missing key is not an error.
    async fn delete(&self, key: &[u8]) -> Result<(), StoreError>;

    /// Returns up to `limit` pairs whose key starts with `prefix`, in
    /// ascending key order. An empty prefix matches every key.
    async fn scan_prefix(
        &self,
        prefix: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError>;

    /// Applies `txn` atomically: when every check holds, every write is
    /// applied; otherwise nothing is written and the first failing check is
    /// returned with the key's current value.
    async fn transact(&self, txn: Txn) -> Result<CasResult<Conflict>, StoreError>;

    /// Replaces the value under `key` with `new` (`None` deletes it) when the
    /// current value is `expected` (`None`: the key must not exist). On a
    /// mismatch, returns the current value and writes nothing.
    ///
    /// The default implementation is a one-check, one-write [`Txn`].
    async fn compare_and_swap(
        &self,
        key: &[u8],
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<CasResult<Option<Vec<u8>>>, StoreError> {
        let txn = Txn::new()
            .check(key, expected.map(<[u8]>::to_vec))
            .write(key, new.map(<[u8]>::to_vec));
        Ok(self
            .transact(txn)
            .await?
            .map_err(|conflict| conflict.current))
    }
}
