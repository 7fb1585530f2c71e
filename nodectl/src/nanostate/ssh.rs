//! The SSH runner: the system `ssh` (OpenSSH) through the openssh crate, one
//! multiplexed master connection per host reused for every command of a run.
//!
//! Key authentication only (`BatchMode=yes`: never a password prompt), host
//! keys checked against a known_hosts file, strictly by default: an unknown
//! host or a changed key is refused before any command runs.

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use openssh::{KnownHosts, Session, SessionBuilder, Stdio};
use tokio::io::AsyncWriteExt;

use super::StateError;
use super::runner::{Connection, Output};
use crate::config::SshConfig;

/// How to connect (from [`SshConfig`]).
#[derive(Debug, Clone)]
pub struct SshOptions {
    /// Default remote user.
    pub user: Option<String>,
    /// The only key offered.
    pub key_file: Option<PathBuf>,
    /// known_hosts file; none: ssh's own.
    pub known_hosts: Option<PathBuf>,
    /// Refuse unknown hosts (else accept and record them; changed keys are
    /// refused either way).
    pub strict: bool,
    /// Connection timeout.
    pub connect_timeout: Duration,
    /// An ssh_config to use instead of the default ones.
    pub config_file: Option<PathBuf>,
    /// Where the control sockets go; none: the system temp directory.
    pub control_dir: Option<PathBuf>,
}

impl SshOptions {
    /// Options from the configuration; control sockets under `state_dir`.
    pub fn from_config(config: &SshConfig, control_dir: Option<PathBuf>) -> SshOptions {
        SshOptions {
            user: config.user.clone(),
            key_file: config.key_file.clone(),
            known_hosts: config.known_hosts.clone(),
            strict: config.strict_host_key_checking,
            connect_timeout: Duration::from_secs_f64(config.connect_timeout_secs),
            config_file: config.config_file.clone(),
            control_dir,
        }
    }
}

/// A remote host: `[user@]host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Remote user, if named.
    pub user: Option<String>,
    /// Host name or address.
    pub host: String,
    /// Port, if not 22.
    pub port: Option<u16>,
}

impl Target {
    /// Parses `[user@]host[:port]`.
    pub fn parse(text: &str) -> Result<Target, StateError> {
        let bad = |reason: &str| StateError::Host {
            host: text.to_owned(),
            reason: reason.to_owned(),
        };
        let (user, rest) = match text.split_once('@') {
            Some((user, rest)) => (Some(user.to_owned()), rest),
            None => (None, text),
        };
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => {
                let port = port.parse::<u16>().map_err(|_| bad("bad port"))?;
                (host, Some(port))
            }
            None => (rest, None),
        };
        let clean = |s: &str| {
            !s.is_empty()
                && !s.starts_with('-')
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        };
        if !clean(host) || user.as_deref().is_some_and(|u| !clean(u)) {
            return Err(bad(
                "use [user@]host[:port] with letters, digits, '.', '_', '-'",
            ));
        }
        Ok(Target {
            user,
            host: host.to_owned(),
            port,
        })
    }
}

/// Opens the master connection to `target`; the error is ssh's own words
/// (host key verification failed, permission denied, ...).
pub async fn connect(target: &Target, options: &SshOptions) -> Result<SshConnection, String> {
    let mut builder = SessionBuilder::default();
    builder
        .known_hosts_check(if options.strict {
            KnownHosts::Strict
        } else {
            KnownHosts::Add
        })
        .connect_timeout(options.connect_timeout)
        .server_alive_interval(Duration::from_secs(15));
    if let Some(user) = target.user.as_ref().or(options.user.as_ref()) {
        builder.user(user.clone());
    }
    if let Some(port) = target.port {
        builder.port(port);
    }
    if let Some(key) = &options.key_file {
        builder.keyfile(key);
    }
    if let Some(known) = &options.known_hosts {
        builder.user_known_hosts_file(known);
    }
    if let Some(config) = &options.config_file {
        builder.config_file(config);
    }
    if let Some(dir) = &options.control_dir {
        builder.control_directory(dir);
    }
    let session = builder
        .connect(&target.host)
        .await
        .map_err(|e| ssh_error(&e))?;
    Ok(SshConnection { session })
}

/// An error with the cause chain: openssh puts ssh's stderr in the source.
fn ssh_error(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(cause.to_string().trim());
        source = cause.source();
    }
    text
}

/// A master connection to one host.
#[derive(Debug)]
pub struct SshConnection {
    session: Session,
}

#[async_trait]
impl Connection for SshConnection {
    async fn exec(&mut self, program: &str, timeout: Duration) -> Result<Output, String> {
        let run = async {
            let mut child = self
                .session
                .command("sh")
                .arg("-s")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .await
                .map_err(|e| ssh_error(&e))?;
            let mut stdin = child.stdin().take().ok_or("no stdin pipe")?;
            let feed = async move {
                let _ = stdin.write_all(program.as_bytes()).await;
                let _ = stdin.shutdown().await;
            };
            let (_, out) = futures::join!(feed, child.wait_with_output());
            let out = out.map_err(|e| ssh_error(&e))?;
            Ok(Output {
                exit_code: out.status.code(),
                stdout: out.stdout,
                stderr: out.stderr,
            })
        };
        match tokio::time::timeout(timeout, run).await {
            Ok(result) => result,
            Err(_) => Ok(Output {
                exit_code: None,
                stdout: Vec::new(),
                stderr: format!("no answer within {timeout:?}; the remote command may go on")
                    .into_bytes(),
            }),
        }
    }

    async fn close(self: Box<Self>) {
        if let Err(e) = self.session.close().await {
            tracing::debug!(cause = %e, "ssh master did not close cleanly");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(
            Target::parse("root@suma2.example.com:2222").expect("full"),
            Target {
                user: Some("root".into()),
                host: "suma2.example.com".into(),
                port: Some(2222)
            }
        );
        assert_eq!(Target::parse("10.0.0.1").expect("bare").port, None);
        for bad in ["", "-oProxyCommand=x", "a b", "h:port", "@h", "u@"] {
            assert!(Target::parse(bad).is_err(), "{bad:?}");
        }
    }
}
