//! nodectl's configuration: one TOML file (see `dist/nodectl.toml` for a
//! commented sample), every field documented here. Paths to secrets (tokens,
//! the database password) point at files; the file itself never holds them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// This node's id in the cluster (`[a-z0-9-]`, 1-63 characters), as the
    /// director knows it.
    pub node_id: String,
    /// Where nodectl keeps its state: the node key `node.key` (created
    /// `0600` on first start) and the SSH control sockets.
    #[serde(default = "default_state_dir")]
    pub state_dir: PathBuf,
    /// How to reach the director.
    #[serde(default)]
    pub director: DirectorLink,
    /// Register the node with the director's admin API at start (a node that
    /// exists already is fine); left out, nodectl does not register.
    #[serde(default)]
    pub register: Option<Register>,
    /// Heartbeats.
    #[serde(default)]
    pub heartbeat: HeartbeatConfig,
    /// Change capture from the node's PostgreSQL; left out, none.
    #[serde(default)]
    pub database: Option<DatabaseConfig>,
    /// Where nanostates are and how they run.
    #[serde(default)]
    pub states: StatesConfig,
    /// The SSH runner.
    #[serde(default)]
    pub ssh: SshConfig,
    /// The nanostate to run when the director moves the node to a lifecycle
    /// state (`staged`, `active`, `draining`, `offline`, ...), by state.
    #[serde(default)]
    pub lifecycle: BTreeMap<String, Action>,
    /// The nanostate to run for other directive kinds (`expect-minion`,
    /// `release-minion`, ...), by kind. Kinds with none are logged and acked.
    #[serde(default)]
    pub directives: BTreeMap<String, Action>,
}

/// How to reach the director: the bus, its HTTP API, or both.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectorLink {
    /// The NATS bus (`nats://host:4222`, may hold `user:password@`, never
    /// logged). Heartbeats, node events and directives go over it.
    #[serde(default)]
    pub bus_url: Option<String>,
    /// The director's HTTP API (`https://director.example.com:8443`):
    /// registration, and heartbeats and node events when no bus is set.
    #[serde(default)]
    pub http_url: Option<String>,
    /// File holding the node token (bearer of `/node/v1`).
    #[serde(default)]
    pub node_token_file: Option<PathBuf>,
    /// File holding an admin token (bearer of `/api/v1`), for `register`.
    #[serde(default)]
    pub admin_token_file: Option<PathBuf>,
}

/// What to register the node as (`POST /api/v1/nodes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Register {
    /// The zone it joins (must exist).
    pub zone: String,
    /// Its SUSE Manager API, e.g. `https://suma1.example.com/rpc/api`.
    pub api_url: String,
    /// Host name Salt minions use as master; the director defaults it to
    /// the API URL's host.
    #[serde(default)]
    pub master: Option<String>,
    /// Capacity weight (> 0); the director defaults it to 1.
    #[serde(default)]
    pub weight: Option<f64>,
}

/// Heartbeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatConfig {
    /// Seconds between heartbeats.
    #[serde(default = "default_heartbeat_secs")]
    pub interval_secs: f64,
    /// Managed systems to report; left out, the count of `rhnServer` rows
    /// (needs `database`), else 0.
    #[serde(default)]
    pub systems: Option<u64>,
}

impl Default for HeartbeatConfig {
    fn default() -> Self {
        Self {
            interval_secs: default_heartbeat_secs(),
            systems: None,
        }
    }
}

/// The node's PostgreSQL and the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Connection string without the password, key=value or URL form, e.g.
    /// `host=localhost port=5432 dbname=susemanager user=spacewalk`.
    pub url: String,
    /// File holding the password, if one is needed.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// Seconds between outbox scans when no NOTIFY arrives.
    #[serde(default = "default_poll_secs")]
    pub poll_secs: f64,
    /// Outbox rows published per batch before they are marked.
    #[serde(default = "default_batch")]
    pub batch: u32,
    /// Install `sql/capture.sql` (outbox table and triggers) at start.
    #[serde(default = "yes")]
    pub install_capture: bool,
}

/// Nanostates: where they are and how they run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatesConfig {
    /// Directories searched (with their subdirectories) for `*.yaml` and
    /// `*.yml` state files.
    #[serde(default = "default_roots")]
    pub roots: Vec<PathBuf>,
    /// How the `service` module acts: `{action}` and `{name}` are replaced
    /// (the name shell-quoted).
    #[serde(default = "default_init_command")]
    pub init_command: String,
    /// Hosts a run works on at once.
    #[serde(default = "default_parallel")]
    pub parallel: usize,
    /// Seconds one command may take before it is killed and fails.
    #[serde(default = "default_command_timeout")]
    pub command_timeout_secs: f64,
}

impl Default for StatesConfig {
    fn default() -> Self {
        Self {
            roots: default_roots(),
            init_command: default_init_command(),
            parallel: default_parallel(),
            command_timeout_secs: default_command_timeout(),
        }
    }
}

/// The SSH runner (the system `ssh`, one multiplexed connection per host).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshConfig {
    /// Remote user when a host does not name one (`user@host`); left out,
    /// ssh's default.
    #[serde(default)]
    pub user: Option<String>,
    /// Private key to authenticate with (only that one is offered).
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// known_hosts file the host keys are checked against; left out, ssh's
    /// own (`~/.ssh/known_hosts`).
    #[serde(default)]
    pub known_hosts: Option<PathBuf>,
    /// Refuse hosts whose key is not in known_hosts (on by default; off
    /// accepts and records new hosts, still refusing changed keys).
    #[serde(default = "yes")]
    pub strict_host_key_checking: bool,
    /// Seconds to wait for a connection.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: f64,
    /// An ssh_config file to use instead of the user's and system's.
    #[serde(default)]
    pub config_file: Option<PathBuf>,
}

impl Default for SshConfig {
    fn default() -> Self {
        Self {
            user: None,
            key_file: None,
            known_hosts: None,
            strict_host_key_checking: true,
            connect_timeout_secs: default_connect_timeout(),
            config_file: None,
        }
    }
}

/// A nanostate to run and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// The state's id (found under `states.roots`).
    pub state: String,
    /// Hosts to run it on: `local`, or `[user@]host[:port]` over SSH.
    #[serde(default = "default_hosts")]
    pub hosts: Vec<String>,
}

fn default_state_dir() -> PathBuf {
    PathBuf::from("/var/lib/nodectl")
}
fn default_heartbeat_secs() -> f64 {
    10.0
}
fn default_poll_secs() -> f64 {
    5.0
}
fn default_batch() -> u32 {
    100
}
fn yes() -> bool {
    true
}
fn default_roots() -> Vec<PathBuf> {
    vec![PathBuf::from("/etc/nodectl/states")]
}
fn default_init_command() -> String {
    "systemctl {action} {name}".to_owned()
}
fn default_parallel() -> usize {
    8
}
fn default_command_timeout() -> f64 {
    600.0
}
fn default_connect_timeout() -> f64 {
    10.0
}
fn default_hosts() -> Vec<String> {
    vec!["local".to_owned()]
}

impl Config {
    /// Reads and checks the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Self::parse(&text, path)
    }

    /// Parses and checks configuration text; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let invalid = |reason: String| Error::Config {
            path: path.to_owned(),
            reason,
        };
        let config: Config = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        config.check().map_err(invalid)?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        let id_ok = !self.node_id.is_empty()
            && self.node_id.len() <= 63
            && self
                .node_id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            return Err(format!(
                "node_id {:?}: use 1-63 characters of a-z, 0-9 and -",
                self.node_id
            ));
        }
        positive("heartbeat.interval_secs", self.heartbeat.interval_secs)?;
        positive(
            "states.command_timeout_secs",
            self.states.command_timeout_secs,
        )?;
        positive("ssh.connect_timeout_secs", self.ssh.connect_timeout_secs)?;
        if self.states.parallel == 0 {
            return Err("states.parallel must be at least 1".into());
        }
        if let Some(db) = &self.database {
            positive("database.poll_secs", db.poll_secs)?;
            if db.batch == 0 {
                return Err("database.batch must be at least 1".into());
            }
        }
        if let Some(url) = &self.director.bus_url
            && !url.starts_with("nats://")
        {
            return Err("director.bus_url must be a nats:// URL".into());
        }
        if let Some(url) = &self.director.http_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err("director.http_url must be an http:// or https:// URL".into());
        }
        if self.director.bus_url.is_none()
            && self.director.http_url.is_some()
            && self.director.node_token_file.is_none()
        {
            return Err("director.node_token_file is needed to use http_url without a bus".into());
        }
        if self.register.is_some()
            && (self.director.http_url.is_none() || self.director.admin_token_file.is_none())
        {
            return Err("register needs director.http_url and director.admin_token_file".into());
        }
        for (what, table) in [
            ("lifecycle", &self.lifecycle),
            ("directives", &self.directives),
        ] {
            for (key, action) in table {
                if action.hosts.is_empty() {
                    return Err(format!("{what}.{key}.hosts: name at least one host"));
                }
            }
        }
        Ok(())
    }

    /// The heartbeat interval.
    pub fn heartbeat_interval(&self) -> Duration {
        Duration::from_secs_f64(self.heartbeat.interval_secs)
    }

    /// Where the node key lives.
    pub fn key_file(&self) -> PathBuf {
        self.state_dir.join("node.key")
    }
}

fn positive(field: &str, value: f64) -> Result<(), String> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(format!("{field} must be a positive number of seconds"))
    }
}

/// Reads a secret (token, password) from a file: the first line, trimmed.
pub fn read_secret(what: &'static str, path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::File {
        what,
        path: path.to_owned(),
        source,
    })?;
    Ok(text.lines().next().unwrap_or_default().trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_sample_parses() {
        let sample = include_str!("../dist/nodectl.toml");
        let config = Config::parse(sample, Path::new("dist/nodectl.toml")).expect("sample");
        assert_eq!(config.node_id, "suma1");
        assert!(config.ssh.strict_host_key_checking);
        assert_eq!(config.lifecycle["staged"].state, "stage-node");
    }

    #[test]
    fn a_minimal_config_gets_defaults() {
        let config = Config::parse("node_id = \"n1\"\n", Path::new("-")).expect("minimal");
        assert_eq!(config.heartbeat.interval_secs, 10.0);
        assert_eq!(config.states.init_command, "systemctl {action} {name}");
        assert!(config.database.is_none());
    }

    #[test]
    fn errors_name_the_file_and_field() {
        for (text, needle) in [
            ("node_id = \"N 1\"", "node_id"),
            ("node_id = \"n1\"\nbogus = 1", "bogus"),
            (
                "node_id = \"n1\"\n[director]\nbus_url = \"http://x\"",
                "bus_url",
            ),
            (
                "node_id = \"n1\"\n[register]\nzone = \"z\"\napi_url = \"u\"",
                "register",
            ),
        ] {
            let err = Config::parse(text, Path::new("/etc/nodectl.toml")).expect_err(text);
            let text = err.to_string();
            assert!(text.contains("/etc/nodectl.toml"), "{text}");
            assert!(text.contains(needle), "{text}");
        }
    }
}
