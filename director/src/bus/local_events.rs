//! The in-process engine's event stream: the same append-only log as the
//! directives (see [`super::local_directives`]), plus the idempotency keys
//! it has stored.
//!
//! The de-duplication window is the life of the bus: every key is kept, as
//! is every event, until the process ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;

use super::EventAck;
use super::local_directives::{DirectiveLog, LocalConsumer};

/// The event log shared by a [`LocalBus`](super::LocalBus) and its
/// consumers.
#[derive(Debug)]
pub(super) struct EventLog {
    log: Arc<DirectiveLog>,
    /// Idempotency key to the sequence of the event stored with it.
    keys: Mutex<HashMap<String, u64>>,
}

impl EventLog {
    pub(super) fn new() -> Self {
        Self {
            log: Arc::new(DirectiveLog::new()),
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn keys(&self) -> MutexGuard<'_, HashMap<String, u64>> {
        // Nothing panics while holding the lock; the map stays consistent.
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends an event unless `key` was stored before. The key lock is held
    /// across the append, so two racing publishes of one key store it once.
    pub(super) fn append(&self, subject: &str, payload: Bytes, key: Option<&str>) -> EventAck {
        let mut keys = self.keys();
        if let Some(&seq) = key.and_then(|k| keys.get(k)) {
            return EventAck {
                seq,
                duplicate: true,
            };
        }
        let seq = self.log.append(subject, payload);
        if let Some(key) = key {
            keys.insert(key.to_owned(), seq);
        }
        EventAck {
            seq,
            duplicate: false,
        }
    }

    /// Opens the consumer `name` over `filter`, from the start of the log.
    pub(super) fn consumer(&self, name: &str, filter: &str) -> LocalConsumer {
        self.log.consumer(name, filter)
    }
}
