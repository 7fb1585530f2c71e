//! The master key the minion cached (`<pki_dir>/minion_master.pub`).
//!
//! A Salt minion refuses a master whose public key differs from the one it
//! cached ("The master key has changed, the salt master could have been
//! subverted"), so a move to another node's master must set the cached key
//! aside: the minion then accepts the new master's key on first contact,
//! as on its first start, and caches it. The old key is kept as
//! `minion_master.pub.previous` and comes back on rollback.
//!
//! The daemon writes the file only once it authenticated with a master, so
//! its return after a restart is the daemon's own proof of connection
//! (see [`crate::minion`]).

use std::path::{Path, PathBuf};

use crate::atomic_file;
use crate::error::{ClientdError, Result};

/// The minion's cached master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterKey {
    path: PathBuf,
    previous: PathBuf,
}

impl MasterKey {
    /// The cached master key in the minion key directory `pki_dir`.
    pub fn new(pki_dir: &Path) -> MasterKey {
        MasterKey {
            path: pki_dir.join("minion_master.pub"),
            previous: pki_dir.join("minion_master.pub.previous"),
        }
    }

    /// The cached key file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the minion has a master key cached.
    pub fn exists(&self) -> bool {
        self.path.is_file()
    }

    /// Moves the cached key to `.previous` (replacing an older one). With
    /// no cached key, a stale `.previous` is removed, so a rollback never
    /// brings back a key older than the master it returns to.
    pub fn set_aside(&self) -> Result<()> {
        if self.exists() {
            atomic_file::rename(&self.path, &self.previous)
                .map_err(|e| ClientdError::file("cached master key", &self.path, e))
        } else {
            atomic_file::remove(&self.previous)
                .map(|_| ())
                .map_err(|e| ClientdError::file("previous master key", &self.previous, e))
        }
    }

    /// Puts the key from before [`MasterKey::set_aside`] back, replacing
    /// whatever key the minion cached since; with none kept, removes the
    /// cached key so the minion accepts its old master's key afresh.
    pub fn restore(&self) -> Result<()> {
        if self.previous.is_file() {
            atomic_file::rename(&self.previous, &self.path)
                .map_err(|e| ClientdError::file("previous master key", &self.previous, e))
        } else {
            atomic_file::remove(&self.path)
                .map(|_| ())
                .map_err(|e| ClientdError::file("cached master key", &self.path, e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_aside_and_restore() {
        let dir = tempfile::tempdir().unwrap();
        let key = MasterKey::new(dir.path());
        std::fs::write(key.path(), "A").unwrap();
        key.set_aside().unwrap();
        assert!(!key.exists());
        // The minion caches the new master's key, then the move fails.
        std::fs::write(key.path(), "B").unwrap();
        key.restore().unwrap();
        assert_eq!(std::fs::read_to_string(key.path()).unwrap(), "A");
        assert!(!dir.path().join("minion_master.pub.previous").exists());
    }

    #[test]
    fn without_a_cached_key_nothing_stale_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let key = MasterKey::new(dir.path());
        std::fs::write(dir.path().join("minion_master.pub.previous"), "old").unwrap();
        key.set_aside().unwrap();
        std::fs::write(key.path(), "B").unwrap();
        key.restore().unwrap();
        assert!(!key.exists());
    }
}
