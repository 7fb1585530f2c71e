//! Runs the configured commands (restart, check) with a time limit, and
//! says how they failed: exit status and the tail of their output.
//!
//! The output is read while the command runs but not waited for after it
//! exits: a restart command that starts a daemon may leave the daemon
//! holding the pipes. A command past its time limit is killed (the process
//! itself, not what it started).

use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

use crate::error::{ClientdError, Result};

/// How much output is kept for an error message.
const OUTPUT_TAIL: usize = 600;
/// How long output is still collected after the command exited.
const OUTPUT_GRACE: Duration = Duration::from_millis(300);

/// Runs `argv` (program and arguments) for `what` (`restart`, `check`),
/// waiting up to `timeout`. Ok when it exits 0.
pub async fn run(what: &'static str, argv: &[String], timeout: Duration) -> Result<()> {
    let shown = argv.join(" ");
    let failed = |reason: String| ClientdError::Command {
        what,
        command: shown.clone(),
        reason,
    };
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| failed("empty command".into()))?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed(format!("cannot start: {e}")))?;
    let output = Arc::new(Mutex::new(Vec::new()));
    let readers = [
        child.stdout.take().map(|o| collect(o, output.clone())),
        child.stderr.take().map(|e| collect(e, output.clone())),
    ];
    let status = tokio::time::timeout(timeout, child.wait()).await;
    // Give the pipes a moment to drain, without waiting on a daemon that
    // inherited them.
    for reader in readers.into_iter().flatten() {
        let _ = tokio::time::timeout(OUTPUT_GRACE, reader).await;
    }
    let tail = tail(&output.lock().unwrap_or_else(|e| e.into_inner()));
    match status {
        Err(_) => {
            let _ = child.start_kill();
            Err(failed(with_output(
                format!("no answer within {:.1}s, killed", timeout.as_secs_f64()),
                &tail,
            )))
        }
        Ok(Err(e)) => Err(failed(format!("cannot wait for it: {e}"))),
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(failed(with_output(describe(status), &tail))),
    }
}

fn collect(
    mut pipe: impl AsyncRead + Unpin + Send + 'static,
    into: Arc<Mutex<Vec<u8>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf).await {
            if n == 0 {
                break;
            }
            let mut out = into.lock().unwrap_or_else(|e| e.into_inner());
            out.extend_from_slice(&buf[..n]);
            // Keep only what the tail can use.
            if out.len() > 4 * OUTPUT_TAIL {
                let cut = out.len() - OUTPUT_TAIL;
                out.drain(..cut);
            }
        }
    })
}

fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => format!("ended by {status}"),
    }
}

/// The last [`OUTPUT_TAIL`] bytes of `output` as one trimmed line.
fn tail(output: &[u8]) -> String {
    let start = output.len().saturating_sub(OUTPUT_TAIL);
    let text = String::from_utf8_lossy(&output[start..]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn with_output(reason: String, tail: &str) -> String {
    if tail.is_empty() {
        reason
    } else {
        format!("{reason}; output: {tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[tokio::test]
    async fn success_failure_and_output() {
        run("check", &sh("exit 0"), Duration::from_secs(5))
            .await
            .unwrap();
        let err = run(
            "check",
            &sh("echo nope >&2; exit 3"),
            Duration::from_secs(5),
        )
        .await
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "check `sh -c echo nope >&2; exit 3`: exit status 3; output: nope"
        );
    }

    #[tokio::test]
    async fn a_slow_command_is_killed_at_its_limit() {
        let started = std::time::Instant::now();
        let err = run(
            "check",
            &sh("echo waiting; exec sleep 30"),
            Duration::from_millis(300),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("no answer within 0.3s, killed"), "{err}");
        assert!(err.contains("waiting"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_daemon_holding_the_pipes_does_not_hold_the_caller() {
        let started = std::time::Instant::now();
        // The background `sleep` keeps stdout open after `sh` exits.
        run(
            "restart",
            &sh("sleep 5 & echo started"),
            Duration::from_secs(4),
        )
        .await
        .unwrap();
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[tokio::test]
    async fn a_missing_program_is_named() {
        let err = run(
            "restart",
            &["/nonexistent/x".into()],
            Duration::from_secs(1),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("restart `/nonexistent/x`: cannot start"),
            "{err}"
        );
    }
}
