//! A small multi-key transaction: preconditions on current values plus a list
//! of writes, applied all together or not at all.

use serde::Serialize;

use super::StoreError;

/// A precondition: the value under `key` must be `expected` (`None`: the key
/// must not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The key to check.
    pub key: Vec<u8>,
    /// The value it must hold, or `None` for "absent".
    pub expected: Option<Vec<u8>>,
}

/// A write: store `value` under `key`, or delete the key when `value` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    /// The key to write.
    pub key: Vec<u8>,
    /// The new value, or `None` to delete.
    pub value: Option<Vec<u8>>,
}

/// Why a transaction was not applied: the first failing check's key and the
/// value found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The key whose check failed.
    pub key: Vec<u8>,
    /// Its current value (`None`: absent).
    pub current: Option<Vec<u8>>,
}

/// A transaction: every [`Check`] is evaluated against the state before any
/// write; when all hold, the [`Write`]s are applied in order (a later write to
/// the same key wins), atomically.
///
/// ```
/// use director::store::Txn;
///
/// let txn = Txn::new()
///     .check("counter/node", Some(b"41".to_vec()))
///     .put("counter/node", "42")
///     .put("node/42", r#"{"name":"n42"}"#)
///     .put("node-by-name/n42", "42");
/// assert_eq!(txn.checks().len(), 1);
/// assert_eq!(txn.writes().len(), 3);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Txn {
    checks: Vec<Check>,
    writes: Vec<Write>,
}

impl Txn {
    /// An empty transaction.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a precondition: `key` must currently hold `expected`
    /// (`None`: must not exist).
    pub fn check(mut self, key: impl AsRef<[u8]>, expected: Option<Vec<u8>>) -> Self {
        self.checks.push(Check {
            key: key.as_ref().to_vec(),
            expected,
        });
        self
    }

    /// Adds a write of `value` (`None` deletes) under `key`.
    pub fn write(mut self, key: impl AsRef<[u8]>, value: Option<Vec<u8>>) -> Self {
        self.writes.push(Write {
            key: key.as_ref().to_vec(),
            value,
        });
        self
    }

    /// Adds a write of `value` under `key`.
    pub fn put(self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        let value = value.as_ref().to_vec();
        self.write(key, Some(value))
    }

    /// Adds a deletion of `key`.
    pub fn delete(self, key: impl AsRef<[u8]>) -> Self {
        self.write(key, None)
    }

    /// Adds a write of `value` encoded as JSON under `key`.
    pub fn put_json<T: Serialize + ?Sized>(
        self,
        key: impl AsRef<[u8]>,
        value: &T,
    ) -> Result<Self, StoreError> {
        let bytes = serde_json::to_vec(value).map_err(|e| StoreError::codec(key.as_ref(), e))?;
        Ok(self.put(key, bytes))
    }

    /// The preconditions, in the order they were added.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// The writes, in the order they were added.
    pub fn writes(&self) -> &[Write] {
        &self.writes
    }

    /// Refuses empty keys and empty values (see [`StoreError::EmptyValue`]).
    pub(crate) fn validate(&self) -> Result<(), StoreError> {
        let keys = self
            .checks
            .iter()
            .map(|c| &c.key)
            .chain(self.writes.iter().map(|w| &w.key));
        if keys.into_iter().any(Vec::is_empty) {
            return Err(StoreError::EmptyKey);
        }
        let values = self.checks.iter().map(|c| (&c.key, &c.expected));
        let values = values.chain(self.writes.iter().map(|w| (&w.key, &w.value)));
        for (key, value) in values {
            if value.as_ref().is_some_and(Vec::is_empty) {
                return Err(StoreError::EmptyValue { key: key.clone() });
            }
        }
        Ok(())
    }

    /// Splits the transaction into its checks and writes.
    pub(crate) fn into_parts(self) -> (Vec<Check>, Vec<Write>) {
        (self.checks, self.writes)
    }
}
