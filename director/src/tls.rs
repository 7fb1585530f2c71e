//! TLS for the HTTP API: a rustls server configuration from PEM files, on
//! the ring crypto provider (chosen explicitly: other crates of the
//! process may enable another provider, and rustls then has no default).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::TlsConfig;

/// Why the TLS configuration could not be built. Never carries key
/// material.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate file is unreadable or not PEM certificates.
    #[error("TLS certificate {path}: {message}", path = path.display())]
    Certificate {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The key file is unreadable or holds no private key.
    #[error("TLS key {path}: {message}", path = path.display())]
    Key {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// rustls refused the pair (key does not match, unsupported algorithm).
    #[error("TLS certificate {cert} with key {key}: {source}", cert = cert.display(), key = key.display())]
    Rustls {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// What rustls reported.
        source: rustls::Error,
    },
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let failed = |message: String| TlsError::Certificate {
        path: path.to_owned(),
        message,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| failed(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| failed(e.to_string()))?;
    if certs.is_empty() {
        return Err(failed("no PEM certificate in the file".into()));
    }
    Ok(certs)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    // Not the PEM error's text: it may quote a line of the key file.
    if let Err(e) = std::fs::metadata(path) {
        return Err(TlsError::Key {
            path: path.to_owned(),
            message: e.to_string(),
        });
    }
    PrivateKeyDer::from_pem_file(path).map_err(|_| TlsError::Key {
        path: path.to_owned(),
        message: "no PEM private key (PKCS#8, PKCS#1 or SEC1) in the file".into(),
    })
}

/// The rustls server configuration for `tls`: its certificate chain and
/// key, TLS 1.2 and 1.3, HTTP/1.1 by ALPN, no client certificates.
pub fn server_config(tls: &TlsConfig) -> Result<Arc<ServerConfig>, TlsError> {
    let certs = certificates(&tls.cert)?;
    let key = private_key(&tls.key)?;
    let rejected = |source| TlsError::Rustls {
        cert: tls.cert.clone(),
        key: tls.key.clone(),
        source,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(rejected)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(rejected)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file_not_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("cert.pem");
        let key = dir.path().join("key.pem");
        std::fs::write(&cert, "not a certificate").unwrap();
        std::fs::write(&key, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n").unwrap();
        let tls = TlsConfig {
            cert: cert.clone(),
            key: key.clone(),
        };
        let e = server_config(&tls).unwrap_err().to_string();
        assert!(
            e.contains("cert.pem") && e.contains("no PEM certificate"),
            "{e}"
        );

        let missing = TlsConfig {
            cert: dir.path().join("missing.pem"),
            key,
        };
        let e = server_config(&missing).unwrap_err().to_string();
        assert!(e.contains("missing.pem"), "{e}");
    }
}
