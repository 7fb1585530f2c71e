//! The agent: this client's identity, its director, and the moves it
//! carries out, whether they come at check-in or over the bus.
//!
//! Moves run one at a time. Each (move id, attempt) is carried out once:
//! when the same directive comes again (the bus redelivers it, or the
//! director still lists it at check-in because a report was lost), the
//! recorded outcome is reported again instead of moving the minion twice.
//! A new attempt of a move is carried out anew.

use std::collections::VecDeque;

use director::cluster::{Assignment, CheckIn, MoveDirective};
use director::model::{ClientStatus, MoveOutcome};
use tokio::sync::Mutex;

use crate::config::Config;
use crate::director_api::DirectorClient;
use crate::error::{ClientdError, Result};
use crate::identity::Identity;
use crate::repoint::Repointer;

/// How many move outcomes are remembered.
const MOVE_LOG: usize = 64;
/// Tries to report a move's outcome before leaving it to the next
/// check-in (or bus redelivery).
const REPORT_TRIES: u32 = 3;

/// The client agent.
#[derive(Debug)]
pub struct Agent {
    config: Config,
    identity: Identity,
    director: DirectorClient,
    repointer: Repointer,
    moves: Mutex<MoveLog>,
    last_status: std::sync::Mutex<Option<(ClientStatus, Option<String>)>>,
}

#[derive(Debug, Default)]
struct MoveLog {
    /// (move id, attempt) and its outcome, oldest first.
    done: VecDeque<((u64, u32), MoveOutcome)>,
}

impl Agent {
    /// The agent `config` describes: finds the identity, reads the token,
    /// sets up the director client.
    pub fn new(config: Config) -> Result<Agent> {
        let identity = Identity::load(&config)?;
        let director = DirectorClient::new(&config.director)?;
        let repointer = Repointer::new(&config.salt);
        Ok(Agent {
            config,
            identity,
            director,
            repointer,
            moves: Mutex::new(MoveLog::default()),
            last_status: std::sync::Mutex::new(None),
        })
    }

    /// Who this client is.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Checks in with the director and carries out the move it lists, if
    /// any; answers the assignment.
    pub async fn check_in(&self) -> Result<Assignment> {
        let request = CheckIn {
            minion_id: self.identity.minion_id.clone(),
            // Read again each time: the minion may have a new key.
            fingerprint: Identity::fingerprint(&self.config)?,
            machine_id: self.identity.machine_id.clone(),
            zone: self.config.director.zone.clone(),
        };
        let assignment = self.director.check_in(&request).await?;
        self.note_status(&assignment);
        if let Some(directive) = &assignment.pending_move {
            self.handle_move(directive).await?;
        }
        Ok(assignment)
    }

    /// Carries out a move (or recalls its outcome, see the module docs) and
    /// reports the outcome to the director. Fails when the directive is for
    /// another minion or the report did not get through.
    pub async fn handle_move(&self, directive: &MoveDirective) -> Result<MoveOutcome> {
        if directive.minion_id != self.identity.minion_id {
            return Err(ClientdError::Director {
                what: format!("move {}", directive.move_id),
                reason: format!(
                    "directive for minion {:?}, this is {:?}",
                    directive.minion_id, self.identity.minion_id
                ),
            });
        }
        let key = (directive.move_id, directive.attempt);
        let mut log = self.moves.lock().await;
        let outcome = match log.done.iter().find(|(k, _)| *k == key) {
            Some((_, outcome)) => outcome.clone(),
            None => {
                tracing::info!(
                    move_id = directive.move_id,
                    attempt = directive.attempt,
                    to = %directive.to,
                    master = %directive.master,
                    "moving the minion"
                );
                let outcome = self.repointer.repoint(&directive.master).await;
                if log.done.len() == MOVE_LOG {
                    log.done.pop_front();
                }
                log.done.push_back((key, outcome.clone()));
                outcome
            }
        };
        self.report(directive.move_id, &outcome).await?;
        Ok(outcome)
    }

    async fn report(&self, move_id: u64, outcome: &MoveOutcome) -> Result<()> {
        let mut wait = std::time::Duration::from_millis(500);
        let mut tries = 0;
        loop {
            tries += 1;
            match self
                .director
                .report_move(move_id, &self.identity.minion_id, outcome)
                .await
            {
                Ok(record) => {
                    tracing::info!(move_id, state = ?record.state, outcome = ?outcome, "move reported");
                    return Ok(());
                }
                Err(e) if tries < REPORT_TRIES => {
                    tracing::warn!(move_id, cause = %e, "move report failed, retrying");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn note_status(&self, a: &Assignment) {
        let now = (a.status, a.node.clone());
        let mut last = self.last_status.lock().unwrap_or_else(|e| e.into_inner());
        if last.as_ref() != Some(&now) {
            match a.status {
                ClientStatus::Deleted => {
                    tracing::warn!(
                        cluster_id = a.cluster_id,
                        "the director deleted this client"
                    )
                }
                ClientStatus::Orphan => {
                    tracing::warn!(
                        cluster_id = a.cluster_id,
                        "no node of this client's zone takes it"
                    )
                }
                _ => tracing::info!(
                    cluster_id = a.cluster_id,
                    status = ?a.status,
                    node = a.node.as_deref().unwrap_or("-"),
                    master = a.master.as_deref().unwrap_or("-"),
                    "assignment"
                ),
            }
            *last = Some(now);
        }
    }
}
