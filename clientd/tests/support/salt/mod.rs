//! Real Salt for tests: masters and a minion from the workspace's Salt
//! virtualenv (`scripts/deps/salt.sh` makes `<workspace>/.venv-salt`), each
//! under its own temporary `root_dir`, on loopback with ports of their own,
//! run as the current user. They run daemonized (`-d`) with a pid file, as
//! a service manager would run them, and are stopped (SIGTERM, then SIGKILL)
//! when dropped.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::process::Command;

mod master;
mod minion;

pub use master::Master;
pub use minion::Minion;

/// How long a daemon may take to come up.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The Salt virtualenv's `bin` directory. When it is missing this fails
/// the test under CI (`CI=true`) and otherwise returns `None` after saying
/// the test is skipped and how to install Salt.
pub fn require_salt() -> Option<PathBuf> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../.venv-salt/bin")
        .canonicalize()
        .ok()
        .filter(|bin| bin.join("salt-minion").is_file());
    if bin.is_none() {
        let how = "install it with `scripts/deps/salt.sh` (PyPI salt==3008.3 into .venv-salt)";
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Salt not found (CI=true, so this fails): {how}"
        );
        eprintln!("Salt test skipped: Salt not found; {how}");
    }
    bin
}

/// A free TCP port on 127.0.0.1 (free when asked), never the same one twice
/// in a test process.
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap();
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// Polls `ready` every 200 ms until it is true; panics after `timeout`
/// saying what was awaited.
pub async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut ready: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if ready().await {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Runs a Salt command line; its stdout when it exits 0 within `timeout`.
pub async fn salt_cmd(program: &Path, args: &[&str], timeout: Duration) -> Result<String, String> {
    let run = Command::new(program).args(args).kill_on_drop(true).output();
    match tokio::time::timeout(timeout, run).await {
        Err(_) => Err(format!("{} {args:?}: timed out", program.display())),
        Ok(Err(e)) => Err(format!("{} {args:?}: {e}", program.display())),
        Ok(Ok(out)) if out.status.success() => Ok(String::from_utf8_lossy(&out.stdout).into()),
        Ok(Ok(out)) => Err(format!(
            "{} {args:?}: {}: {}{}",
            program.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )),
    }
}

pub(super) fn user() -> String {
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Sends SIGTERM to the process in `pidfile`, SIGKILL if it is still there
/// after 15 s.
pub(super) fn stop_pidfile(pidfile: &Path) {
    let Ok(pid) = std::fs::read_to_string(pidfile) else {
        return;
    };
    let pid = pid.trim().to_owned();
    let alive = || Path::new(&format!("/proc/{pid}")).exists();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    let deadline = Instant::now() + Duration::from_secs(15);
    while alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    if alive() {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status();
    }
    let _ = std::fs::remove_file(pidfile);
}
