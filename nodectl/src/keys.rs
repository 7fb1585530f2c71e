//! The node's X25519 key pair and sealed boxes (libsodium's
//! `crypto_box_seal`: an ephemeral sender key, XSalsa20-Poly1305).
//!
//! The private key lives in a file created `0600` on first start (base64 of
//! its 32 bytes); a key file that group or others may read is refused, as
//! ssh does. The key is never logged: [`NodeKey`]'s `Debug` shows only the
//! public half. The public key travels in heartbeats and registration, so
//! the director can seal what only this node may read.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use crypto_box::aead::OsRng;
use crypto_box::{PublicKey, SecretKey};

use crate::{Error, Result};

/// The node's key pair.
#[derive(Clone)]
pub struct NodeKey {
    secret: SecretKey,
}

impl std::fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeKey")
            .field("public", &self.public_key_base64())
            .finish_non_exhaustive()
    }
}

impl NodeKey {
    /// A fresh random key pair (not stored anywhere).
    pub fn generate() -> NodeKey {
        NodeKey {
            secret: SecretKey::generate(&mut OsRng),
        }
    }

    /// Loads the key at `path`, or creates it (mode `0600`, parent
    /// directories `0700`) when there is none.
    pub fn load_or_create(path: &Path) -> Result<NodeKey> {
        let file_error = |source| Error::File {
            what: "key file",
            path: path.to_owned(),
            source,
        };
        match std::fs::metadata(path) {
            Ok(meta) => {
                if meta.permissions().mode() & 0o077 != 0 {
                    return Err(Error::Key {
                        path: path.to_owned(),
                        reason: "readable by group or others: chmod 600 it".into(),
                    });
                }
                let text = std::fs::read_to_string(path).map_err(file_error)?;
                Self::from_base64(text.trim()).ok_or_else(|| Error::Key {
                    path: path.to_owned(),
                    reason: "not the base64 of 32 bytes".into(),
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::DirBuilder::new()
                        .recursive(true)
                        .mode(0o700)
                        .create(dir)
                        .map_err(file_error)?;
                }
                let key = Self::generate();
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(file_error)?;
                writeln!(file, "{}", B64.encode(key.secret.to_bytes())).map_err(file_error)?;
                file.sync_all().map_err(file_error)?;
                tracing::info!(path = %path.display(), public_key = %key.public_key_base64(), "created the node key");
                Ok(key)
            }
            Err(e) => Err(file_error(e)),
        }
    }

    fn from_base64(text: &str) -> Option<NodeKey> {
        let bytes: [u8; 32] = B64.decode(text).ok()?.try_into().ok()?;
        Some(NodeKey {
            secret: SecretKey::from_bytes(bytes),
        })
    }

    /// The public key, base64 (what the director stores for the node).
    pub fn public_key_base64(&self) -> String {
        B64.encode(self.secret.public_key().as_bytes())
    }

    /// Opens a sealed box made for this key.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>> {
        self.secret.unseal(sealed).map_err(|_| {
            Error::Seal("cannot open: not sealed to this node's key, or altered".into())
        })
    }
}

/// Seals `plaintext` to the base64 X25519 `public_key`: only the holder of
/// the matching private key can open it.
pub fn seal(public_key: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
    let bytes: [u8; 32] = B64
        .decode(public_key.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::Seal("public key is not the base64 of 32 bytes".into()))?;
    PublicKey::from_bytes(bytes)
        .seal(&mut OsRng, plaintext)
        .map_err(|_| Error::Seal("sealing failed".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_boxes_open_only_with_the_right_key() {
        let key = NodeKey::generate();
        let sealed = seal(&key.public_key_base64(), b"password=hunter2").expect("seal");
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"), "not in clear");
        assert_eq!(key.open(&sealed).expect("open"), b"password=hunter2");
        assert!(NodeKey::generate().open(&sealed).is_err(), "another key");
        let mut altered = sealed.clone();
        altered[40] ^= 1;
        assert!(key.open(&altered).is_err(), "altered");
        assert!(seal("not base64!", b"x").is_err());
    }

    #[test]
    fn the_key_file_is_created_0600_and_reloaded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state/node.key");
        let key = NodeKey::load_or_create(&path).expect("create");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = NodeKey::load_or_create(&path).expect("load");
        assert_eq!(again.public_key_base64(), key.public_key_base64());
        assert!(!format!("{key:?}").contains(&B64.encode(key.secret.to_bytes())));

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = NodeKey::load_or_create(&path).expect_err("too open");
        assert!(err.to_string().contains("chmod 600"), "{err}");
    }
}
