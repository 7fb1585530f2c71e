//! Real servers for tests, started from the machine's packages on loopback
//! in temporary directories and stopped on drop: PostgreSQL ([`postgres`])
//! and OpenSSH's sshd ([`sshd`]). The NATS server is the director's
//! (`director::bus::nats_server`).
//!
//! When a server's binary is missing, `start_for_test` fails the test under
//! CI (`CI=true`) and otherwise returns `None` after saying how to install
//! it (`scripts/deps/postgres-sshd.sh`).

pub mod postgres;
pub mod sshd;

use std::io::Write;
use std::time::Duration;

/// A TCP port free on 127.0.0.1 right now (the OS picks it).
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Whether the process runs as root.
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Fails under CI, else tells why the test is skipped.
pub(crate) fn missing(what: &str) {
    let how = "install it with `sudo scripts/deps/postgres-sshd.sh` at the workspace root";
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{what} not found (CI=true, so this fails): {how}"
    );
    let _ = writeln!(std::io::stderr(), "skipped: {what} not found; {how}");
}

/// Polls `ready` every 50 ms until it is true or `timeout` passes.
pub async fn wait_until<F, Fut>(timeout: Duration, mut ready: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if ready().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
