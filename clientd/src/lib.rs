//! The client agent: runs on each managed system (a Salt minion) and keeps
//! its minion pointed at the node of the cluster the director assigns.
//!
//! It knows who it is ([`identity`]: minion id, the `pem_finger` of the
//! minion key, machine id), checks in with the director at start and
//! periodically ([`checkin`]), takes directives pushed over the bus when
//! one is configured ([`directives`]), and carries out moves
//! ([`repoint`]): an atomic `minion.d/` drop-in naming the new master
//! ([`dropin`]), a restart, a confirmation that the minion is connected
//! ([`minion`]), a rollback when it is not, and a report to the director.
//!
//! [`run`] is the whole agent; the `clientd` binary only parses its
//! command line and calls it.

pub mod agent;
mod atomic_file;
pub mod checkin;
pub mod command;
pub mod config;
pub mod directives;
pub mod director_api;
pub mod dropin;
pub mod error;
pub mod identity;
pub mod master_key;
pub mod minion;
pub mod repoint;
pub mod shutdown;
pub mod token;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

pub use self::agent::Agent;
pub use self::config::Config;
pub use self::error::{ClientdError, Result};
pub use self::identity::Identity;

/// Runs the agent `config` describes until `shutdown` completes.
pub async fn run(config: Config, shutdown: impl Future<Output = ()> + Send) -> Result<()> {
    let agent = Arc::new(Agent::new(config)?);
    serve(agent, shutdown).await;
    Ok(())
}

/// Runs an agent made with [`Agent::new`] until `shutdown` completes: the
/// check-in loop, and the bus listener when a bus is configured. A move
/// under way then is finished (it is bounded by the restart and confirm
/// timeouts, twice over for a rollback); past that grace it is abandoned,
/// the minion keeping whichever master config it had (a later start gets
/// the move again from the director).
pub async fn serve(agent: Arc<Agent>, shutdown: impl Future<Output = ()> + Send) {
    let (stop, stopped) = watch::channel(false);
    let mut tasks = vec![tokio::spawn(checkin::run(agent.clone(), stopped.clone()))];
    if let Some(bus) = agent.config().bus.clone() {
        tasks.push(tokio::spawn(directives::run(agent.clone(), bus, stopped)));
    }
    shutdown.await;
    let _ = stop.send(true);
    let grace = shutdown_grace(agent.config());
    for task in tasks {
        let abort = task.abort_handle();
        if tokio::time::timeout(grace, task).await.is_err() {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "work still running after the grace period, abandoned"
            );
            abort.abort();
        }
    }
}

/// How long a move may take: restart and confirm, twice for a rollback,
/// plus the report.
fn shutdown_grace(config: &Config) -> Duration {
    let s = &config.salt;
    let secs = 2.0
        * (s.restart_timeout_secs + s.confirm_timeout_secs + s.check_attempt_timeout_secs)
        + 3.0 * config.director.request_timeout_secs;
    Duration::from_secs_f64(secs)
}
