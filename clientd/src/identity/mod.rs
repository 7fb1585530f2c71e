//! Who this client is: the Salt minion id, the fingerprint of the minion's
//! public key, and the machine id.

mod fingerprint;
mod minion_id;

use std::path::Path;

pub use self::fingerprint::{pem_finger_file, pem_finger_text};
pub use self::minion_id::find as find_minion_id;

use crate::config::Config;
use crate::error::{ClientdError, Result};

/// The client's identity, as it checks in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Salt minion id.
    pub minion_id: String,
    /// SHA-256 fingerprint of `<pki_dir>/minion.pub` (Salt's `key.finger`).
    pub fingerprint: String,
    /// The machine id, when the machine has one.
    pub machine_id: Option<String>,
}

impl Identity {
    /// Finds the identity `config` describes. The minion must have generated
    /// its key (it does on its first start).
    pub fn load(config: &Config) -> Result<Identity> {
        let minion_id = match &config.minion_id {
            Some(id) => id.trim().to_owned(),
            None => minion_id::find(&config.salt.config_dir)?,
        };
        Ok(Identity {
            minion_id,
            fingerprint: Self::fingerprint(config)?,
            machine_id: machine_id(&config.machine_id_file)?,
        })
    }

    /// The fingerprint of the minion's public key now (the key may be
    /// regenerated while the agent runs).
    pub fn fingerprint(config: &Config) -> Result<String> {
        pem_finger_file(&config.salt.pki_dir().join("minion.pub"))
    }
}

/// The machine id in `path` (`/etc/machine-id`: 32 hex digits), or `None`
/// when the file does not exist or is empty (a machine still booting for
/// the first time).
pub fn machine_id(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let id = text.trim();
            if id.is_empty() || id == "uninitialized" {
                return Ok(None);
            }
            if id.len() > 128 || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(ClientdError::Invalid {
                    what: "machine id",
                    path: path.to_owned(),
                    reason: "not a single-line id".into(),
                });
            }
            Ok(Some(id.to_owned()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ClientdError::file("machine id", path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_ids_are_trimmed_and_may_be_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("machine-id");
        assert_eq!(machine_id(&path).unwrap(), None);
        std::fs::write(&path, "0123456789abcdef0123456789abcdef\n").unwrap();
        assert_eq!(
            machine_id(&path).unwrap().as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        std::fs::write(&path, "uninitialized\n").unwrap();
        assert_eq!(machine_id(&path).unwrap(), None);
        std::fs::write(&path, "two\nlines\n").unwrap();
        assert!(machine_id(&path).is_err());
    }

    #[test]
    fn identity_from_a_config() {
        let dir = tempfile::tempdir().unwrap();
        let salt = dir.path().join("salt");
        std::fs::create_dir_all(salt.join("pki/minion")).unwrap();
        std::fs::write(
            salt.join("pki/minion/minion.pub"),
            include_str!("../../tests/fixtures/minion.pub"),
        )
        .unwrap();
        std::fs::write(salt.join("minion_id"), "m1.example.com\n").unwrap();
        std::fs::write(dir.path().join("machine-id"), "abc\n").unwrap();
        let config = Config::parse(&format!(
            r#"
            machine_id_file = "{dir}/machine-id"
            [director]
            url = "http://127.0.0.1:1"
            token_file = "{dir}/token"
            [salt]
            config_dir = "{dir}/salt"
            "#,
            dir = dir.path().display()
        ))
        .unwrap();
        let id = Identity::load(&config).unwrap();
        assert_eq!(id.minion_id, "m1.example.com");
        assert_eq!(
            id.fingerprint,
            include_str!("../../tests/fixtures/minion.pub.finger").trim()
        );
        assert_eq!(id.machine_id.as_deref(), Some("abc"));
    }
}
