//! TLS towards the director: a director with a certificate from a private
//! CA is trusted through `director.ca_file` and refused without it; the
//! token is sent and never shown in errors.

mod support;

use std::sync::Arc;
use std::time::Duration;

use clientd::director_api::DirectorClient;
use director::cluster::CheckIn;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use support::director::{FakeDirector, TOKEN};

async fn tls_director() -> (FakeDirector, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_pem = certified.cert.pem();
    let key = PrivateKeyDer::try_from(certified.signing_key.serialize_der()).unwrap();
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(certified.cert.der().to_vec())],
        key,
    )
    .unwrap();
    let director = FakeDirector::start_tls(axum_server::tls_rustls::RustlsConfig::from_config(
        Arc::new(server),
    ))
    .await;
    (director, cert_pem)
}

fn check_in() -> CheckIn {
    CheckIn {
        minion_id: "m1".into(),
        fingerprint: "aa:bb".into(),
        machine_id: None,
        zone: None,
    }
}

#[tokio::test]
async fn the_extra_ca_is_trusted_and_required() {
    let dir = tempfile::tempdir().unwrap();
    let (director, cert_pem) = tls_director().await;
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, cert_pem).unwrap();
    let mut config = support::config(dir.path(), &director.url, dir.path(), vec![], vec![]);

    config.director.ca_file = Some(ca);
    let client = DirectorClient::new(&config.director).unwrap();
    let assignment = client.check_in(&check_in()).await.unwrap();
    assert_eq!(assignment.minion_id, "m1");
    let found = client.assignment("aa:bb").await.unwrap();
    assert_eq!(found.cluster_id, assignment.cluster_id);

    config.director.ca_file = None;
    let untrusting = DirectorClient::new(&config.director).unwrap();
    let err = untrusting
        .check_in(&check_in())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("director check-in:"), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(!err.contains(TOKEN), "{err}");
    assert_eq!(director.checkins(1, Duration::from_secs(1)).await.len(), 1);
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    let director = FakeDirector::start().await;
    let config = support::config(dir.path(), &director.url, dir.path(), vec![], vec![]);
    std::fs::write(&config.director.token_file, "wrong-secret\n").unwrap();
    let client = DirectorClient::new(&config.director).unwrap();
    let err = client.check_in(&check_in()).await.unwrap_err().to_string();
    assert_eq!(err, "director check-in: HTTP 401 Unauthorized");
    assert!(!format!("{client:?}").contains("wrong-secret"));
    assert_eq!(director.seen().unauthorized, 1);
}

#[tokio::test]
async fn a_ca_file_without_certificates_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = support::config(
        dir.path(),
        "https://localhost:1",
        dir.path(),
        vec![],
        vec![],
    );
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "not a certificate\n").unwrap();
    config.director.ca_file = Some(ca);
    let err = DirectorClient::new(&config.director)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("CA file") && err.contains("no PEM certificate"),
        "{err}"
    );
}
