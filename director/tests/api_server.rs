//! Socket tests: `server::run` on 127.0.0.1:0 over a redb file, plain and
//! with TLS (a self-signed certificate made here), and the `director`
//! binary started as a black box.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use std::sync::Arc;

use director::api::ApiTokens;
use director::bus::LocalBus;
use director::cluster::{ClusterConfig, Director};
use director::config::{DirectorConfig, StoreConfig, TlsConfig};
use director::server::{ServeOptions, ServerError, run, serve};
use director::store::Store;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const ADMIN: &str = "admin-token-for-socket-tests";

/// A configuration over a redb file in `dir`, with the admin token in a
/// file and no environment variable to look at.
fn config(dir: &Path) -> DirectorConfig {
    let token = dir.join("admin.token");
    std::fs::write(&token, format!("{ADMIN}\n")).unwrap();
    let text = format!(
        r#"
shutdown_grace_secs = 1
[store]
engine = "redb"
path = {store:?}
[auth]
admin_token_file = {token:?}
admin_token_env = "DIRECTOR_TEST_UNSET_ADMIN_TOKEN"
client_token_env = "DIRECTOR_TEST_UNSET_CLIENT_TOKEN"
node_token_env = "DIRECTOR_TEST_UNSET_NODE_TOKEN"
gateway_token_env = "DIRECTOR_TEST_UNSET_GATEWAY_TOKEN"
"#,
        store = dir.join("director.redb"),
        token = token,
    );
    DirectorConfig::from_toml_str(&text).unwrap()
}

struct Running {
    base: String,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

async fn start(config: DirectorConfig, scheme: &str, host: &str) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(run(config, listener, async {
        let _ = stopped.await;
    }));
    Running {
        base: format!("{scheme}://{host}:{port}"),
        stop,
        task,
    }
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
    }
}

/// Retries until the server answers (it opens its store after binding).
async fn get_ok(client: &reqwest::Client, url: &str) -> String {
    for _ in 0..100 {
        if let Ok(resp) = client.get(url).send().await {
            assert!(resp.status().is_success(), "{url}: {}", resp.status());
            return resp.text().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} never answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_over_redb_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let server = start(config(dir.path()), "http", "127.0.0.1").await;
    assert_eq!(
        get_ok(&http, &format!("{}/healthz", server.base)).await,
        "ok"
    );
    let resp = http
        .post(format!("{}/api/v1/zones", server.base))
        .bearer_auth(ADMIN)
        .json(&json!({"name": "eu"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let resp = http
        .get(format!("{}/api/v1/zones", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    server.stop().await;

    let server = start(config(dir.path()), "http", "127.0.0.1").await;
    get_ok(&http, &format!("{}/healthz", server.base)).await;
    let zones: Value = http
        .get(format!("{}/api/v1/zones/eu", server.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(zones["name"], "eu");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_self_signed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert_pem = certified.cert.pem();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let mut config = config(dir.path());
    config.tls = Some(TlsConfig { cert, key });
    let server = start(config, "https", "127.0.0.1").await;

    let trusting = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap()])
        .build()
        .unwrap();
    assert_eq!(
        get_ok(&trusting, &format!("{}/healthz", server.base)).await,
        "ok"
    );
    let status: Value = trusting
        .get(format!("{}/api/v1/status", server.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["clients"], 0);

    // Neither a client that does not trust it nor plain HTTP gets in.
    let untrusting = reqwest::Client::builder()
        .tls_certs_only(Vec::<reqwest::Certificate>::new())
        .build()
        .unwrap();
    assert!(
        untrusting
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .is_err()
    );
    let plain = server.base.replacen("https", "http", 1);
    let answer = reqwest::get(format!("{plain}/healthz")).await;
    assert!(answer.is_err() || !answer.unwrap().status().is_success());
    server.stop().await;
}

#[tokio::test]
async fn startup_errors_name_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut no_token = config(dir.path());
    no_token.auth.admin_token_file = None;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let e = run(no_token, listener, async {})
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("DIRECTOR_TEST_UNSET_ADMIN_TOKEN"), "{e}");

    let mut bad_tls = config(dir.path());
    bad_tls.tls = Some(TlsConfig {
        cert: dir.path().join("absent-cert.pem"),
        key: dir.path().join("absent-key.pem"),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let e = run(bad_tls, listener, async {})
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("absent-cert.pem"), "{e}");

    let mut bad_store = config(dir.path());
    bad_store.store = StoreConfig::Redb {
        path: dir.path().join("no-such-dir/director.redb"),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let e = run(bad_store, listener, async {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("opening the store") && e.contains("no-such-dir"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_until_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_director"))
        .args(["serve", "--listen", "127.0.0.1:0", "--redb-path"])
        .arg(dir.path().join("director.redb"))
        .env("DIRECTOR_ADMIN_TOKEN", ADMIN)
        .env("RUST_LOG", "warn")
        .env_remove("DIRECTOR_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let base = line
        .trim()
        .strip_prefix("director listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let http = reqwest::Client::new();
    assert_eq!(get_ok(&http, &format!("{base}/healthz")).await, "ok");
    let resp = http
        .get(format!("{base}/api/v1/status"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
}

/// A client stuck in the middle of a request does not hold shutdown up
/// past the grace period.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_after_the_grace_period() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let director = Director::new(
        Store::memory(),
        Arc::new(LocalBus::new()),
        ClusterConfig::default(),
    )
    .await
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let options = ServeOptions {
        grace: Duration::from_millis(300),
        ..ServeOptions::default()
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(
        Arc::new(director),
        ApiTokens::new(ADMIN, "", ""),
        listener,
        options,
        async {
            let _ = stopped.await;
        },
    ));
    let http = reqwest::Client::new();
    get_ok(&http, &format!("http://{addr}/healthz")).await;
    let mut stuck = tokio::net::TcpStream::connect(addr).await.unwrap();
    stuck
        .write_all(
            format!(
                "POST /api/v1/zones HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n\
                 Content-Length: 100\r\n\r\n{{"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("shutdown ends")
        .unwrap()
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
    drop(stuck);
}
