//! Re-pointing the minion at another master, with rollback:
//!
//! 1. set the cached master key aside (see [`crate::master_key`]), unless
//!    the drop-in names that master already or the configuration says the
//!    nodes share one master key;
//! 2. write the drop-in naming the new master (the old one kept, see
//!    [`crate::dropin`]);
//! 3. restart the minion and confirm it is connected to the new master
//!    (see [`crate::minion`]);
//! 4. if any step failed: put the old drop-in and key back, restart, and
//!    confirm the minion is back on its old master.
//!
//! The outcome is what the director is told: `done`, or `rolled-back` with
//! what failed (and whether the rollback itself was confirmed).

use director::model::MoveOutcome;

use crate::config::SaltConfig;
use crate::dropin::{DropIn, Rollback, check_master};
use crate::master_key::MasterKey;
use crate::minion::Minion;

/// Moves the local minion between masters.
#[derive(Debug, Clone)]
pub struct Repointer {
    dropin: DropIn,
    master_key: MasterKey,
    forget_master_key: bool,
    minion: Minion,
}

impl Repointer {
    /// The re-pointer for the minion `config` describes.
    pub fn new(config: &SaltConfig) -> Repointer {
        Repointer {
            dropin: DropIn::new(config.minion_d(), &config.dropin_name),
            master_key: MasterKey::new(&config.pki_dir()),
            forget_master_key: config.forget_master_key,
            minion: Minion::new(config),
        }
    }

    /// The drop-in it writes.
    pub fn dropin(&self) -> &DropIn {
        &self.dropin
    }

    /// Moves the minion to `master` and says how it went. Never leaves the
    /// minion without a master configuration.
    pub async fn repoint(&self, master: &str) -> MoveOutcome {
        if let Err(reason) = check_master(master) {
            return rolled_back(format!("{reason}; nothing changed"));
        }
        let current = match self.dropin.master() {
            Ok(current) => current,
            Err(e) => return rolled_back(format!("{e}; nothing changed")),
        };
        let changing = current.as_deref() != Some(master);
        tracing::info!(
            master,
            from = current.as_deref().unwrap_or("(main config)"),
            "re-pointing the minion"
        );
        if changing
            && self.forget_master_key
            && let Err(e) = self.master_key.set_aside()
        {
            return rolled_back(format!("{e}; nothing changed"));
        }
        let failure = match self.switch(master, changing).await {
            Ok(()) => {
                tracing::info!(master, "minion connected to its new master");
                return MoveOutcome::Done;
            }
            Err(failure) => failure,
        };
        tracing::warn!(master, cause = %failure, "move failed, rolling back");
        rolled_back(self.roll_back(failure).await)
    }

    /// Steps 2 and 3.
    async fn switch(&self, master: &str, changing: bool) -> Result<(), String> {
        self.dropin.point_at(master).map_err(|e| e.to_string())?;
        self.minion.restart().await.map_err(|e| e.to_string())?;
        let await_key = changing && self.forget_master_key;
        self.minion
            .confirm(&format!("master {master}"), await_key)
            .await
    }

    /// Step 4; returns the error to report.
    async fn roll_back(&self, failure: String) -> String {
        let restored = match self.dropin.rollback() {
            Ok(restored) => restored,
            Err(e) => {
                // The drop-in still names the new master: a master config
                // all the same, and the director will try again.
                tracing::error!(cause = %e, "rollback failed: the drop-in still names the new master");
                return format!("{failure}; rollback failed: {e}");
            }
        };
        if self.forget_master_key
            && let Err(e) = self.master_key.restore()
        {
            tracing::error!(cause = %e, "rollback could not restore the cached master key");
            return format!("{failure}; rollback could not restore the master key: {e}");
        }
        let previous = match restored {
            Rollback::Restored(Some(master)) => format!("master {master}"),
            Rollback::Restored(None) | Rollback::Removed => {
                "the master of the main minion config".to_owned()
            }
        };
        let confirmed = async {
            self.minion.restart().await.map_err(|e| e.to_string())?;
            // With no cached key left, the daemon caches its old master's
            // key again once it authenticated.
            self.minion
                .confirm(&previous, !self.master_key.exists())
                .await
        }
        .await;
        match confirmed {
            Ok(()) => {
                tracing::info!(master = %previous, "rolled back: minion connected to its previous master");
                format!("{failure}; rolled back to {previous}")
            }
            Err(e) => {
                tracing::error!(master = %previous, cause = %e, "rolled back, but the minion is not confirmed on its previous master");
                format!("{failure}; rolled back to {previous}, unconfirmed: {e}")
            }
        }
    }
}

fn rolled_back(error: String) -> MoveOutcome {
    MoveOutcome::RolledBack { error }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minion whose "daemon" is a restart script that caches a master key
    /// when the drop-in names a master listed in `reachable`, and whose
    /// check passes under the same condition.
    fn setup(reachable: &str) -> (tempfile::TempDir, Repointer) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let conf = d.join("minion.d/cluster-master.conf");
        let key = d.join("pki/minion_master.pub");
        std::fs::create_dir_all(d.join("pki")).unwrap();
        let master = format!(
            "m=$(sed -n 's/^master: \"\\(.*\\)\"$/\\1/p' {conf} 2>/dev/null); m=${{m:-main}}",
            conf = conf.display()
        );
        let ok = format!("{master}; case ' {reachable} ' in *\" $m \"*) exit 0;; esac; exit 1");
        let restart = format!(
            "{master}; case ' {reachable} ' in *\" $m \"*) [ -f {key} ] || echo \"key of $m\" > {key};; esac",
            key = key.display()
        );
        let config = SaltConfig {
            config_dir: d.to_owned(),
            pki_dir: Some(d.join("pki")),
            restart_command: vec!["sh".into(), "-c".into(), restart],
            check_command: vec!["sh".into(), "-c".into(), ok],
            check_attempt_timeout_secs: 2.0,
            check_retry_secs: 0.05,
            confirm_timeout_secs: 0.6,
            ..SaltConfig::default()
        };
        (dir, Repointer::new(&config))
    }

    fn read(dir: &tempfile::TempDir, path: &str) -> Option<String> {
        std::fs::read_to_string(dir.path().join(path)).ok()
    }

    #[tokio::test]
    async fn a_reachable_master_is_done() {
        let (dir, r) = setup("main b");
        std::fs::write(dir.path().join("pki/minion_master.pub"), "key of main\n").unwrap();
        assert_eq!(r.repoint("b").await, MoveOutcome::Done);
        assert_eq!(r.dropin().master().unwrap().as_deref(), Some("b"));
        assert_eq!(
            read(&dir, "pki/minion_master.pub").as_deref(),
            Some("key of b\n")
        );
        assert_eq!(
            read(&dir, "pki/minion_master.pub.previous").as_deref(),
            Some("key of main\n")
        );
    }

    #[tokio::test]
    async fn an_unreachable_master_rolls_back_to_the_previous_drop_in_and_key() {
        let (dir, r) = setup("a");
        assert_eq!(r.repoint("a").await, MoveOutcome::Done);
        let MoveOutcome::RolledBack { error } = r.repoint("b").await else {
            panic!("not rolled back");
        };
        assert!(
            error.contains("minion not connected to master b"),
            "{error}"
        );
        assert!(error.ends_with("rolled back to master a"), "{error}");
        assert_eq!(r.dropin().master().unwrap().as_deref(), Some("a"));
        assert_eq!(
            read(&dir, "pki/minion_master.pub").as_deref(),
            Some("key of a\n")
        );
    }

    #[tokio::test]
    async fn a_first_move_that_fails_returns_to_the_main_config() {
        let (dir, r) = setup("main");
        let MoveOutcome::RolledBack { error } = r.repoint("b").await else {
            panic!("not rolled back");
        };
        assert!(
            error.ends_with("rolled back to the master of the main minion config"),
            "{error}"
        );
        assert_eq!(read(&dir, "minion.d/cluster-master.conf"), None);
        assert_eq!(
            read(&dir, "pki/minion_master.pub").as_deref(),
            Some("key of main\n")
        );
    }

    #[tokio::test]
    async fn an_unconfirmed_rollback_says_so() {
        let (_dir, r) = setup("");
        let MoveOutcome::RolledBack { error } = r.repoint("b").await else {
            panic!("not rolled back");
        };
        assert!(error.contains("unconfirmed"), "{error}");
    }

    #[tokio::test]
    async fn an_invalid_master_changes_nothing() {
        let (dir, r) = setup("a");
        r.repoint("a").await;
        let MoveOutcome::RolledBack { error } = r.repoint("a\nid: x").await else {
            panic!("not rolled back");
        };
        assert!(error.contains("nothing changed"), "{error}");
        assert_eq!(
            read(&dir, "pki/minion_master.pub").as_deref(),
            Some("key of a\n")
        );
    }
}
