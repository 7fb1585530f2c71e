//! Starting the built binaries for black-box tests.
//!
//! A started process is killed when its handle drops. Readiness is the
//! process's own "listening on" line on standard output, never a sleep.

mod rpc;

pub use rpc::{RpcClient, RpcError};

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

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
        let mut cmd = Command::new(program);
        cmd.args(args).stderr(Stdio::inherit());
        Running::spawn(cmd, program, None)
    }

    /// [`Running::start`] with `env` added to its environment, keeping
    /// what it writes to standard error in the answered [`Log`] (and
    /// passing it on to this process's standard error).
    pub fn start_logged(
        program: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> std::io::Result<(Running, Log)> {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .envs(env.iter().copied())
            .stderr(Stdio::piped());
        let log = Log::default();
        let running = Running::spawn(cmd, program, Some(log.clone()))?;
        Ok((running, log))
    }

    /// Spawns `cmd` and waits for its listening line; its standard error,
    /// when piped, is read into `log` from the start (a process that wrote
    /// more than a pipe holds before that line would stall otherwise).
    fn spawn(mut cmd: Command, program: &Path, log: Option<Log>) -> std::io::Result<Running> {
        let mut child = cmd.stdout(Stdio::piped()).spawn()?;
        if let (Some(log), Some(stderr)) = (log, child.stderr.take()) {
            std::thread::spawn(move || {
                // Read to the end whatever the bytes: a line that is not
                // UTF-8 must neither end the log early nor leave the pipe
                // undrained.
                let mut stderr = BufReader::new(stderr);
                let mut raw = Vec::new();
                while stderr.read_until(b'\n', &mut raw).is_ok_and(|n| n > 0) {
                    let line = String::from_utf8_lossy(&raw).trim_end().to_owned();
                    eprintln!("{line}");
                    log.lock().lines.push(line);
                    raw.clear();
                }
                log.lock().closed = true;
            });
        }
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

/// The lines a process started with [`Running::start_logged`] wrote to
/// standard error so far.
#[derive(Debug, Clone, Default)]
pub struct Log(Arc<Mutex<Lines>>);

#[derive(Debug, Default)]
struct Lines {
    lines: Vec<String>,
    /// The process closed its standard error (it ended).
    closed: bool,
}

impl Log {
    fn lock(&self) -> std::sync::MutexGuard<'_, Lines> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.lock().lines.clone()
    }

    /// Every line the process wrote, once it ended (waiting up to
    /// `timeout` for the last ones to be read); `None` if they were not
    /// all read in time.
    pub fn all_lines(&self, timeout: Duration) -> Option<Vec<String>> {
        self.poll(timeout, |held| held.closed.then(|| held.lines.clone()))
    }

    /// The first line holding every one of `parts`, waiting up to
    /// `timeout` for it (the process writes as it goes).
    pub fn wait_for(&self, parts: &[&str], timeout: Duration) -> Option<String> {
        self.poll(timeout, |held| {
            held.lines
                .iter()
                .find(|line| parts.iter().all(|p| line.contains(p)))
                .cloned()
        })
    }

    /// What `check` finds in the lines, looked at every 20 ms until it
    /// finds something or `timeout` runs out.
    fn poll<T>(&self, timeout: Duration, check: impl Fn(&Lines) -> Option<T>) -> Option<T> {
        let started = Instant::now();
        loop {
            let found = check(&self.lock());
            if found.is_some() || started.elapsed() > timeout {
                return found;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A simulated node (`uyuni-sim` at `program`) of zone `lab`.
pub fn lab_sim(program: &Path, name: &str, seed: &str, systems: usize) -> Running {
    let systems = systems.to_string();
    let args = [
        "--name",
        name,
        "--seed",
        seed,
        "--systems",
        &systems,
        "--zone",
        "lab",
    ];
    Running::start(program, &args).expect("uyuni-sim starts")
}

/// The gateway binary at `program` on a free port, in front of `sims` as
/// the static nodes `n1@lab`, `n2@lab`, ..., with `flags` added.
pub fn lab_gateway(program: &Path, sims: &[&Running], flags: &[&str]) -> Running {
    let mut args = vec!["--listen".to_owned(), "127.0.0.1:0".to_owned()];
    args.extend(flags.iter().map(|f| (*f).to_owned()));
    for (i, s) in sims.iter().enumerate() {
        args.push("--node".to_owned());
        args.push(format!("n{}@lab={}", i + 1, s.rpc_url()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Running::start(program, &args).expect("gateway starts")
}

/// The gateway binary at `program` on a free port, linked to the director
/// at `director_url` (`[director]` in a configuration file named `name`
/// in `dir`, the token in a file beside it).
pub fn linked_gateway(
    program: &Path,
    director_url: &str,
    token: &str,
    dir: &Path,
    name: &str,
) -> Running {
    let token_file = dir.join(format!("{name}.token"));
    std::fs::write(&token_file, token).expect("token file");
    let config = dir.join(format!("{name}.toml"));
    let text = format!("[director]\nurl = {director_url:?}\ntoken_file = {token_file:?}\n");
    std::fs::write(&config, text).expect("gateway configuration");
    let config = config.to_str().expect("a UTF-8 path");
    Running::start(program, &["--config", config, "--listen", "127.0.0.1:0"])
        .expect("gateway starts")
}

/// Runs `python/<script>` (a checks script) against `url`, telling it to
/// expect `systems` systems; its output, which must end in
/// `N passed, 0 failed`.
pub fn python_checks(script: &str, url: &str, systems: usize) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("python")
        .join(script);
    let out = Command::new("python3")
        .arg(path)
        .arg(url)
        .arg(systems.to_string())
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{script} against {url}:\n{stdout}{stderr}");
    assert!(
        out.status.success() && stdout.contains(" passed, 0 failed"),
        "{script} failed against {url}:\n{stdout}\n{stderr}"
    );
    stdout
}
