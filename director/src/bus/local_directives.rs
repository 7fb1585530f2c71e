//! The in-process engine's directive stream: an append-only log in memory
//! with, per consumer name, the set of acked sequence numbers.
//!
//! "Durable" here means durable across consumers coming and going inside one
//! process; the log dies with the process (use NATS for more), and it keeps
//! every directive for as long as the process lives.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::watch;

use super::subject::subject_matches;
use super::{BusError, Directive, DirectiveConsumer};

/// The log shared by a [`LocalBus`](super::LocalBus) and its consumers.
#[derive(Debug)]
pub(super) struct DirectiveLog {
    state: Mutex<LogState>,
    /// The last sequence number appended; wakes waiting consumers.
    head: watch::Sender<u64>,
}

#[derive(Debug, Default)]
struct LogState {
    /// Directive `seq` is at index `seq - 1`.
    entries: Vec<Directive>,
    /// Per consumer name, the sequence numbers it has acked.
    acked: HashMap<String, BTreeSet<u64>>,
}

impl DirectiveLog {
    pub(super) fn new() -> Self {
        Self {
            state: Mutex::new(LogState::default()),
            head: watch::Sender::new(0),
        }
    }

    fn state(&self) -> MutexGuard<'_, LogState> {
        // Nothing panics while holding the lock; the state stays consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends a directive and returns its sequence number.
    pub(super) fn append(&self, subject: &str, payload: Bytes) -> u64 {
        let seq = {
            let mut state = self.state();
            let seq = state.entries.len() as u64 + 1;
            state.entries.push(Directive {
                seq,
                subject: subject.to_owned(),
                payload,
            });
            seq
        };
        self.head.send_replace(seq);
        seq
    }

    /// Opens the consumer `name` over `filter`, from the start of the log.
    pub(super) fn consumer(self: &Arc<Self>, name: &str, filter: &str) -> LocalConsumer {
        LocalConsumer {
            log: Arc::clone(self),
            name: name.to_owned(),
            filter: filter.to_owned(),
            cursor: 0,
            awaiting_ack: BTreeSet::new(),
            head: self.head.subscribe(),
        }
    }

    /// The first directive after `cursor` matching `filter` that `name` has
    /// not acked.
    fn next_after(&self, name: &str, filter: &str, cursor: u64) -> Option<Directive> {
        let state = self.state();
        let acked = state.acked.get(name);
        let start = usize::try_from(cursor).unwrap_or(usize::MAX);
        state
            .entries
            .get(start..)?
            .iter()
            .find(|d| {
                subject_matches(filter, &d.subject) && !acked.is_some_and(|a| a.contains(&d.seq))
            })
            .cloned()
    }

    fn ack(&self, name: &str, seq: u64) {
        self.state()
            .acked
            .entry(name.to_owned())
            .or_default()
            .insert(seq);
    }
}

/// A consumer of the in-process directive log.
#[derive(Debug)]
pub(super) struct LocalConsumer {
    log: Arc<DirectiveLog>,
    name: String,
    filter: String,
    /// The last sequence number handed out by this consumer.
    cursor: u64,
    /// Handed out, not acked yet.
    awaiting_ack: BTreeSet<u64>,
    head: watch::Receiver<u64>,
}

#[async_trait]
impl DirectiveConsumer for LocalConsumer {
    fn name(&self) -> &str {
        &self.name
    }

    async fn next(&mut self) -> Result<Directive, BusError> {
        loop {
            // Mark the head seen before looking, so an append that lands
            // after the look wakes the wait below.
            self.head.borrow_and_update();
            if let Some(directive) = self.log.next_after(&self.name, &self.filter, self.cursor) {
                self.cursor = directive.seq;
                self.awaiting_ack.insert(directive.seq);
                return Ok(directive);
            }
            // The sender lives in the log this consumer holds: never closed.
            let _ = self.head.changed().await;
        }
    }

    async fn ack(&mut self, seq: u64) -> Result<(), BusError> {
        if !self.awaiting_ack.remove(&seq) {
            return Err(BusError::UnknownDirective {
                consumer: self.name.clone(),
                seq,
            });
        }
        self.log.ack(&self.name, seq);
        Ok(())
    }
}
