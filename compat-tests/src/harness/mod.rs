//! Starting the built binaries for black-box tests.
//!
//! A started process is killed when its handle drops. Readiness is the
//! process's own "listening on" line on standard output, never a sleep.

mod rpc;

pub use rpc::{RpcClient, RpcError};

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a binary may take to print its listening line.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A running child process that announced `listening on <url>`.
#[derive(Debug)]
pub struct Running {
    child: Child,
    /// The base URL it announced, e.g. `http://127.0.0.1:40123`.
    pub base_url: String,
}

impl Running {
    /// Starts `program` with `args` and waits until it prints a line
    /// containing `listening on <url>`.
    pub fn start(program: &Path, args: &[&str]) -> std::io::Result<Running> {
        let mut child = Command::new(program)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent && let Some(rest) = line.split("listening on ").nth(1) {
                    let url = rest.split_whitespace().next().unwrap_or_default();
                    let base = url.trim_end_matches("/rpc/api").to_owned();
                    sent = tx.send(base).is_ok();
                }
            }
        });
        match rx.recv_timeout(READY_TIMEOUT) {
            Ok(base_url) => Ok(Running { child, base_url }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(std::io::Error::other(format!(
                    "{} did not announce its address within {READY_TIMEOUT:?}",
                    program.display()
                )))
            }
        }
    }

    /// The XML-RPC endpoint.
    pub fn rpc_url(&self) -> String {
        format!("{}/rpc/api", self.base_url)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process now and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}
