//! The local Salt minion: restart it, and confirm it is connected to the
//! master its configuration names.
//!
//! # The connectivity check
//!
//! A move is confirmed when, within the confirm timeout, both hold:
//!
//! 1. **The daemon authenticated with the new master.** When the cached
//!    master key was set aside for the move, the restarted daemon writes
//!    `minion_master.pub` again only after the master it is configured for
//!    answered its authentication with an accepted key (a pending or
//!    rejected key, a wrong port, a stopped master: no file). Nothing else
//!    runs against the master before this, so the file is the daemon's own
//!    proof, not the check command's.
//! 2. **The check command succeeds**: by default `salt-call
//!    --retcode-passthrough test.ping`, which reads the same configuration
//!    (the new drop-in), authenticates with that master with the minion's
//!    own key, fetches its pillar from it, and exits 0 only when all of
//!    that worked. It is retried until the timeout, each run killed after
//!    its own limit (a `salt-call` facing a dead master retries for
//!    minutes).
//!
//! Why not the master's view (`salt-run manage.up`, `salt '<id>'
//! test.ping` on the node): the client cannot run commands on the node,
//! and the director hears from the node separately. Why not a socket
//! check (an established connection to the publish port): it proves a TCP
//! connection, not an accepted key, and needs the publish port the master
//! hands out during authentication.

use std::time::{Duration, Instant};

use crate::command;
use crate::config::{SaltConfig, secs};
use crate::error::Result;
use crate::master_key::MasterKey;

/// How often the cached master key is looked for.
const KEY_POLL: Duration = Duration::from_millis(200);

/// Restarts and checks the local minion.
#[derive(Debug, Clone)]
pub struct Minion {
    restart_command: Vec<String>,
    restart_timeout: Duration,
    check_command: Vec<String>,
    check_attempt_timeout: Duration,
    check_retry: Duration,
    confirm_timeout: Duration,
    master_key: MasterKey,
}

impl Minion {
    /// The minion `config` describes.
    pub fn new(config: &SaltConfig) -> Minion {
        Minion {
            restart_command: config.restart_command.clone(),
            restart_timeout: secs(config.restart_timeout_secs),
            check_command: config.check_command.clone(),
            check_attempt_timeout: secs(config.check_attempt_timeout_secs),
            check_retry: secs(config.check_retry_secs),
            confirm_timeout: secs(config.confirm_timeout_secs),
            master_key: MasterKey::new(&config.pki_dir()),
        }
    }

    /// Runs the restart command.
    pub async fn restart(&self) -> Result<()> {
        command::run("restart", &self.restart_command, self.restart_timeout).await
    }

    /// Confirms the minion is connected to the master its configuration
    /// names (`target` says which, for messages: `master b:4506`), waiting
    /// first for the daemon to cache the master key when `await_key`. The
    /// error says which step did not succeed in time and why.
    pub async fn confirm(&self, target: &str, await_key: bool) -> std::result::Result<(), String> {
        let started = Instant::now();
        let deadline = started + self.confirm_timeout;
        let late = |what: String| {
            format!(
                "minion not connected to {target} within {:.1}s: {what}",
                self.confirm_timeout.as_secs_f64()
            )
        };
        if await_key {
            while !self.master_key.exists() {
                if Instant::now() >= deadline {
                    return Err(late(format!(
                        "the daemon did not authenticate ({} not written)",
                        self.master_key.path().display()
                    )));
                }
                tokio::time::sleep(KEY_POLL).await;
            }
            tracing::debug!(
                to = target,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "minion daemon authenticated"
            );
        }
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let limit = self
                .check_attempt_timeout
                .min(remaining.max(Duration::from_millis(100)));
            let last = match command::run("check", &self.check_command, limit).await {
                Ok(()) => {
                    tracing::debug!(
                        to = target,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "minion check passed"
                    );
                    return Ok(());
                }
                Err(e) => e.to_string(),
            };
            if Instant::now() + self.check_retry >= deadline {
                return Err(late(last));
            }
            tracing::debug!(to = target, cause = %last, "minion check failed, retrying");
            tokio::time::sleep(self.check_retry).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minion(dir: &std::path::Path, check: &str, confirm_secs: f64) -> Minion {
        let config = SaltConfig {
            config_dir: dir.to_owned(),
            pki_dir: Some(dir.to_owned()),
            restart_command: vec!["true".into()],
            check_command: vec!["sh".into(), "-c".into(), check.into()],
            check_attempt_timeout_secs: 1.0,
            check_retry_secs: 0.05,
            confirm_timeout_secs: confirm_secs,
            ..SaltConfig::default()
        };
        Minion::new(&config)
    }

    #[tokio::test]
    async fn a_check_that_passes_after_retries_confirms() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("tries");
        // Fails twice, then passes.
        let check = format!(
            "echo x >> {m}; [ $(wc -l < {m}) -ge 3 ]",
            m = marker.display()
        );
        let m = minion(dir.path(), &check, 5.0);
        m.restart().await.unwrap();
        m.confirm("b", false).await.unwrap();
    }

    #[tokio::test]
    async fn a_check_that_keeps_failing_times_out_with_its_output() {
        let dir = tempfile::tempdir().unwrap();
        let m = minion(dir.path(), "echo no route; exit 1", 0.5);
        let err = m.confirm("master b:4506", false).await.unwrap_err();
        assert!(
            err.starts_with("minion not connected to master b:4506 within"),
            "{err}"
        );
        assert!(err.contains("no route"), "{err}");
    }

    #[tokio::test]
    async fn without_the_cached_key_the_check_never_runs() {
        let dir = tempfile::tempdir().unwrap();
        let ran = dir.path().join("ran");
        let m = minion(dir.path(), &format!("touch {}", ran.display()), 0.4);
        let err = m.confirm("b", true).await.unwrap_err();
        assert!(err.contains("did not authenticate"), "{err}");
        assert!(!ran.exists());

        std::fs::write(dir.path().join("minion_master.pub"), "key").unwrap();
        m.confirm("b", true).await.unwrap();
        assert!(ran.exists());
    }
}
