//! The minion drop-in that names the master: `<config_dir>/minion.d/<name>`
//! (`cluster-master.conf` by default), one `master:` line that overrides
//! the main `minion` file (Salt includes `minion.d/*.conf` after it).
//!
//! Every change is atomic (a temporary file in the same directory, synced,
//! then renamed over the target), and the minion is never left without a
//! master configuration:
//!
//! * [`DropIn::point_at`] keeps the drop-in it replaces as
//!   `<name>.previous` (not a `.conf` file, so Salt ignores it). When there
//!   was no drop-in, a stale `.previous` is removed, so the file on disk
//!   always says what a rollback returns to.
//! * [`DropIn::rollback`] renames `.previous` back over the drop-in, or,
//!   when there was none before, removes the drop-in so the master of the
//!   main `minion` file applies again, as it did before the move.
//!
//! Re-pointing at the master the drop-in already names changes nothing and
//! keeps `.previous`: a move retried after a crash still rolls back to the
//! master from before it.

use std::path::PathBuf;

use crate::atomic_file;
use crate::error::{ClientdError, Result};

/// The drop-in naming the master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropIn {
    /// The drop-in file.
    path: PathBuf,
    /// The drop-in it replaced.
    previous: PathBuf,
}

/// What [`DropIn::point_at`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointChange {
    /// The drop-in named that master already.
    Unchanged,
    /// The drop-in was written; the one before (if any) is `.previous`.
    Written,
}

/// What [`DropIn::rollback`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollback {
    /// The previous drop-in is back; it names this master.
    Restored(Option<String>),
    /// There was no drop-in before: it is gone, the main config applies.
    Removed,
}

impl DropIn {
    /// The drop-in `name` in the directory `minion_d` (created if missing).
    pub fn new(minion_d: PathBuf, name: &str) -> DropIn {
        DropIn {
            path: minion_d.join(name),
            previous: minion_d.join(format!("{name}.previous")),
        }
    }

    /// The drop-in file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The file the replaced drop-in is kept in.
    pub fn previous_path(&self) -> &std::path::Path {
        &self.previous
    }

    /// The drop-in's text for `master` (`host`, `host:port`, `[v6]:port`).
    pub fn render(master: &str) -> String {
        // A JSON string is a YAML double-quoted scalar.
        let quoted = serde_json::to_string(master).unwrap_or_default();
        format!(
            "# Written by clientd: the Salt master this minion belongs to, as the\n\
             # cluster director assigned it. Replaced on each move; the one before\n\
             # is kept next to it with `.previous` appended.\n\
             master: {quoted}\n"
        )
    }

    /// The master the drop-in names now, if there is a drop-in.
    pub fn master(&self) -> Result<Option<String>> {
        let Some(content) = self.read()? else {
            return Ok(None);
        };
        let doc: yaml_serde::Value =
            yaml_serde::from_slice(&content).map_err(|e| self.invalid(e.to_string()))?;
        Ok(doc
            .get("master")
            .and_then(|m| m.as_str())
            .map(str::to_owned))
    }

    /// Makes the drop-in name `master` (checked with [`check_master`]).
    pub fn point_at(&self, master: &str) -> Result<PointChange> {
        check_master(master).map_err(|reason| self.invalid(reason))?;
        let new = Self::render(master);
        let current = self.read()?;
        if current.as_deref() == Some(new.as_bytes()) {
            return Ok(PointChange::Unchanged);
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| self.file_error(e))?;
        }
        match current {
            Some(old) => atomic_file::write(&self.previous, &old)
                .map_err(|e| ClientdError::file("previous drop-in", &self.previous, e))?,
            None => {
                atomic_file::remove(&self.previous)
                    .map_err(|e| ClientdError::file("previous drop-in", &self.previous, e))?;
            }
        }
        atomic_file::write(&self.path, new.as_bytes()).map_err(|e| self.file_error(e))?;
        Ok(PointChange::Written)
    }

    /// Puts back the drop-in from before the last [`DropIn::point_at`].
    pub fn rollback(&self) -> Result<Rollback> {
        let exists = atomic_file::read(&self.previous)
            .map_err(|e| ClientdError::file("previous drop-in", &self.previous, e))?
            .is_some();
        if exists {
            atomic_file::rename(&self.previous, &self.path).map_err(|e| self.file_error(e))?;
            Ok(Rollback::Restored(self.master()?))
        } else {
            atomic_file::remove(&self.path).map_err(|e| self.file_error(e))?;
            Ok(Rollback::Removed)
        }
    }

    fn read(&self) -> Result<Option<Vec<u8>>> {
        atomic_file::read(&self.path).map_err(|e| self.file_error(e))
    }

    fn file_error(&self, e: std::io::Error) -> ClientdError {
        ClientdError::file("drop-in", &self.path, e)
    }

    fn invalid(&self, reason: String) -> ClientdError {
        ClientdError::Invalid {
            what: "drop-in",
            path: self.path.clone(),
            reason,
        }
    }
}

/// Checks a master as a directive names it: a host name or address,
/// optionally with `:port` (`[v6]:port` for IPv6), nothing YAML or a shell
/// could read otherwise.
pub fn check_master(master: &str) -> std::result::Result<(), String> {
    let ok = !master.is_empty()
        && master.len() <= 255
        && master
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']'))
        && !master.starts_with(['-', '.', ':']);
    if ok {
        Ok(())
    } else {
        Err(format!("invalid master {master:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropin() -> (tempfile::TempDir, DropIn) {
        let dir = tempfile::tempdir().unwrap();
        let d = DropIn::new(dir.path().join("minion.d"), "cluster-master.conf");
        (dir, d)
    }

    fn content(path: &std::path::Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }

    #[test]
    fn moves_keep_the_previous_drop_in_and_roll_back_to_it() {
        let (_dir, d) = dropin();
        assert_eq!(d.point_at("a.example.com").unwrap(), PointChange::Written);
        assert_eq!(d.master().unwrap().as_deref(), Some("a.example.com"));
        assert_eq!(content(d.previous_path()), None);

        assert_eq!(
            d.point_at("b.example.com:4506").unwrap(),
            PointChange::Written
        );
        assert_eq!(d.master().unwrap().as_deref(), Some("b.example.com:4506"));
        assert_eq!(
            content(d.previous_path()),
            Some(DropIn::render("a.example.com"))
        );

        assert_eq!(
            d.rollback().unwrap(),
            Rollback::Restored(Some("a.example.com".into()))
        );
        assert_eq!(content(d.path()), Some(DropIn::render("a.example.com")));
        assert_eq!(content(d.previous_path()), None);
    }

    #[test]
    fn rolling_back_the_first_drop_in_removes_it() {
        let (_dir, d) = dropin();
        // A stale `.previous` from long ago must not come back.
        std::fs::create_dir_all(d.path().parent().unwrap()).unwrap();
        std::fs::write(d.previous_path(), "master: stale\n").unwrap();
        d.point_at("b.example.com").unwrap();
        assert_eq!(content(d.previous_path()), None);
        assert_eq!(d.rollback().unwrap(), Rollback::Removed);
        assert_eq!(content(d.path()), None);
        assert_eq!(d.master().unwrap(), None);
    }

    #[test]
    fn pointing_at_the_same_master_again_keeps_the_previous_one() {
        let (_dir, d) = dropin();
        d.point_at("a").unwrap();
        d.point_at("b").unwrap();
        assert_eq!(d.point_at("b").unwrap(), PointChange::Unchanged);
        assert_eq!(d.rollback().unwrap(), Rollback::Restored(Some("a".into())));
    }

    #[test]
    fn the_drop_in_is_yaml_salt_reads_and_other_files_are_not_conf() {
        let (dir, d) = dropin();
        d.point_at("[::1]:4506").unwrap();
        d.point_at("127.0.0.1:4506").unwrap();
        let text = content(d.path()).unwrap();
        assert!(text.ends_with("master: \"127.0.0.1:4506\"\n"), "{text}");
        let confs: Vec<_> = std::fs::read_dir(dir.path().join("minion.d"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".conf"))
            .collect();
        assert_eq!(confs, ["cluster-master.conf"]);
    }

    #[test]
    fn masters_that_could_inject_config_are_refused_untouched() {
        let (_dir, d) = dropin();
        d.point_at("a").unwrap();
        for bad in ["", "a\nid: evil", "a b", "-x", "a;rm", "a\"b"] {
            let err = d.point_at(bad).unwrap_err().to_string();
            assert!(err.contains("invalid master"), "{bad:?}: {err}");
        }
        assert_eq!(d.master().unwrap().as_deref(), Some("a"));
        assert_eq!(content(d.previous_path()), None);
    }
}
