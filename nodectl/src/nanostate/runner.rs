//! Where commands run: a [`Connection`] per host, opened once and used for
//! every command of a run on that host.

use std::time::Duration;

use async_trait::async_trait;
use tokio::io::AsyncWriteExt;

/// What one command gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// Exit code; none when killed.
    pub exit_code: Option<i32>,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
}

/// An open connection to one host.
#[async_trait]
pub trait Connection: Send {
    /// Runs `program` with `sh -s` (the program on standard input), up to
    /// `timeout`. An `Err` means the command could not be run at all.
    async fn exec(&mut self, program: &str, timeout: Duration) -> Result<Output, String>;

    /// Closes the connection.
    async fn close(self: Box<Self>);
}

/// The local runner: `sh -s` as a child process.
#[derive(Debug, Default)]
pub struct Local;

#[async_trait]
impl Connection for Local {
    async fn exec(&mut self, program: &str, timeout: Duration) -> Result<Output, String> {
        let mut child = tokio::process::Command::new("sh")
            .arg("-s")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            // Its own process group, so a timeout kills what it started too.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start sh: {e}"))?;
        let pid = child.id();
        let mut stdin = child.stdin.take().ok_or("no stdin pipe")?;
        let program = program.to_owned();
        // Written alongside the wait, so a chatty command cannot block it.
        let feed = tokio::spawn(async move {
            let _ = stdin.write_all(program.as_bytes()).await;
        });
        let waited = tokio::time::timeout(timeout, child.wait_with_output()).await;
        feed.abort();
        match waited {
            Ok(Ok(out)) => Ok(Output {
                exit_code: out.status.code(),
                stdout: out.stdout,
                stderr: out.stderr,
            }),
            Ok(Err(e)) => Err(format!("sh failed: {e}")),
            Err(_) => {
                if let Some(pid) = pid {
                    let _ = tokio::process::Command::new("kill")
                        .args(["-KILL", "--", &format!("-{pid}")])
                        .status()
                        .await;
                }
                Ok(Output {
                    exit_code: None,
                    stdout: Vec::new(),
                    stderr: format!("killed after {timeout:?}").into_bytes(),
                })
            }
        }
    }

    async fn close(self: Box<Self>) {}
}
