//! The configuration file (TOML). Every field but `director.url` and
//! `director.token_file` has a default that fits a stock SUSE/openSUSE
//! `salt-minion`:
//!
//! ```toml
//! [director]
//! url = "https://director.example.com:8443"
//! token_file = "/etc/clientd/token"
//! ca_file = "/etc/clientd/director-ca.pem"
//! zone = "eu"
//! checkin_interval_secs = 300
//! checkin_jitter = 0.1
//!
//! [bus]
//! url = "nats://director.example.com:4222"
//!
//! [salt]
//! config_dir = "/etc/salt"
//! dropin_name = "cluster-master.conf"
//! restart_command = ["systemctl", "restart", "salt-minion"]
//! check_command = ["salt-call", "--retcode-passthrough", "test.ping"]
//! confirm_timeout_secs = 120
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{ClientdError, Result};

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The Salt minion id. Default: what the minion itself uses (`id` in its
    /// config files, else the `minion_id` file Salt caches in its config
    /// directory, else the host name as Salt derives it).
    #[serde(default)]
    pub minion_id: Option<String>,
    /// The file holding the machine id; a missing file means no machine id.
    #[serde(default = "default_machine_id_file")]
    pub machine_id_file: PathBuf,
    /// The director.
    pub director: DirectorConfig,
    /// The bus the director pushes directives on; without it, moves arrive
    /// at check-in only.
    #[serde(default)]
    pub bus: Option<BusConfig>,
    /// The local Salt minion.
    #[serde(default)]
    pub salt: SaltConfig,
}

/// Where the director is and how to talk to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectorConfig {
    /// Base URL of the director's API (`https://host:port`); the client API
    /// is under `/client/v1`.
    pub url: String,
    /// File holding the client token (sent as `Authorization: Bearer`,
    /// never logged). Surrounding whitespace is ignored.
    pub token_file: PathBuf,
    /// Extra CA certificates (PEM) trusted for the director, on top of the
    /// system's.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The zone this client belongs to; default: the director's default zone.
    #[serde(default)]
    pub zone: Option<String>,
    /// Seconds between check-ins (after the one at start).
    #[serde(default = "default_checkin_interval")]
    pub checkin_interval_secs: f64,
    /// Random spread of each interval, as a fraction of it (0 to 1): 0.1
    /// waits 90% to 110% of the interval, so clients restarted together do
    /// not check in together.
    #[serde(default = "default_checkin_jitter")]
    pub checkin_jitter: f64,
    /// Seconds one request to the director may take.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_secs: f64,
}

/// The NATS bus the director publishes directives on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusConfig {
    /// NATS server URL (`nats://host:port`, may hold `user:password@`,
    /// which is never logged).
    pub url: String,
    /// Seconds to wait before reconnecting after the bus failed.
    #[serde(default = "default_bus_retry")]
    pub retry_secs: f64,
}

/// The local Salt minion and how to re-point it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaltConfig {
    /// The minion's configuration directory (holds `minion`, `minion.d/`,
    /// `minion_id`).
    #[serde(default = "default_salt_config_dir")]
    pub config_dir: PathBuf,
    /// The minion's key directory (holds `minion.pub`, `minion_master.pub`);
    /// default: `<config_dir>/pki/minion`.
    #[serde(default)]
    pub pki_dir: Option<PathBuf>,
    /// Name of the drop-in under `<config_dir>/minion.d/` that names the
    /// master (must end in `.conf`, Salt's include pattern).
    #[serde(default = "default_dropin_name")]
    pub dropin_name: String,
    /// Whether a move sets the cached master key (`minion_master.pub`)
    /// aside, so the minion accepts the new master's key on first contact
    /// (Salt refuses a master whose key differs from the cached one). The
    /// old key is kept as `minion_master.pub.previous` and restored on
    /// rollback. Turn off only when all nodes share one master key.
    #[serde(default = "default_true")]
    pub forget_master_key: bool,
    /// Program and arguments that restart the minion.
    #[serde(default = "default_restart_command")]
    pub restart_command: Vec<String>,
    /// Seconds the restart command may take.
    #[serde(default = "default_restart_timeout")]
    pub restart_timeout_secs: f64,
    /// Program and arguments that succeed (exit 0) only when the minion can
    /// talk to the master its configuration names; run after the restart,
    /// until it succeeds or the confirm timeout passes.
    #[serde(default = "default_check_command")]
    pub check_command: Vec<String>,
    /// Seconds one run of the check command may take before it is killed.
    #[serde(default = "default_check_attempt_timeout")]
    pub check_attempt_timeout_secs: f64,
    /// Seconds between two runs of the check command.
    #[serde(default = "default_check_retry")]
    pub check_retry_secs: f64,
    /// Seconds a restarted minion has to prove it is connected to its new
    /// master before the move is rolled back (and again for the rollback).
    #[serde(default = "default_confirm_timeout")]
    pub confirm_timeout_secs: f64,
}

impl Default for SaltConfig {
    fn default() -> Self {
        SaltConfig {
            config_dir: default_salt_config_dir(),
            pki_dir: None,
            dropin_name: default_dropin_name(),
            forget_master_key: true,
            restart_command: default_restart_command(),
            restart_timeout_secs: default_restart_timeout(),
            check_command: default_check_command(),
            check_attempt_timeout_secs: default_check_attempt_timeout(),
            check_retry_secs: default_check_retry(),
            confirm_timeout_secs: default_confirm_timeout(),
        }
    }
}

impl Config {
    /// Reads and checks the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| ClientdError::ConfigRead {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|e| match e {
            ClientdError::ConfigParse { source, .. } => ClientdError::ConfigParse {
                path: path.to_owned(),
                source,
            },
            other => other,
        })
    }

    /// Parses and checks configuration text (errors name no file).
    pub fn parse(text: &str) -> Result<Config> {
        let config: Config = toml::from_str(text).map_err(|e| ClientdError::ConfigParse {
            path: PathBuf::new(),
            source: Box::new(e),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the values serde cannot.
    pub fn validate(&self) -> Result<()> {
        let invalid = |field, reason: &str| {
            Err(ClientdError::ConfigInvalid {
                field,
                reason: reason.to_owned(),
            })
        };
        let d = &self.director;
        if !(d.url.starts_with("https://") || d.url.starts_with("http://")) {
            return invalid("director.url", "must start with https:// or http://");
        }
        if !(0.0..=1.0).contains(&d.checkin_jitter) {
            return invalid("director.checkin_jitter", "must be between 0 and 1");
        }
        for (field, secs) in [
            ("director.checkin_interval_secs", d.checkin_interval_secs),
            ("director.request_timeout_secs", d.request_timeout_secs),
            ("salt.restart_timeout_secs", self.salt.restart_timeout_secs),
            (
                "salt.check_attempt_timeout_secs",
                self.salt.check_attempt_timeout_secs,
            ),
            ("salt.check_retry_secs", self.salt.check_retry_secs),
            ("salt.confirm_timeout_secs", self.salt.confirm_timeout_secs),
        ] {
            if !(secs.is_finite() && secs > 0.0 && secs < 1e9) {
                return invalid(field, "must be a positive number of seconds");
            }
        }
        if let Some(bus) = &self.bus
            && !(bus.retry_secs.is_finite() && bus.retry_secs > 0.0 && bus.retry_secs < 1e9)
        {
            return invalid("bus.retry_secs", "must be a positive number of seconds");
        }
        let name = &self.salt.dropin_name;
        if !name.ends_with(".conf")
            || name.starts_with('.')
            || name.contains('/')
            || name.len() <= ".conf".len()
        {
            return invalid(
                "salt.dropin_name",
                "must be a plain file name ending in .conf",
            );
        }
        if self.salt.restart_command.is_empty() {
            return invalid("salt.restart_command", "must name a program");
        }
        if self.salt.check_command.is_empty() {
            return invalid("salt.check_command", "must name a program");
        }
        if matches!(&self.minion_id, Some(id) if id.trim().is_empty()) {
            return invalid("minion_id", "must not be empty");
        }
        Ok(())
    }
}

impl SaltConfig {
    /// The minion's key directory.
    pub fn pki_dir(&self) -> PathBuf {
        self.pki_dir
            .clone()
            .unwrap_or_else(|| self.config_dir.join("pki").join("minion"))
    }

    /// The minion's drop-in directory.
    pub fn minion_d(&self) -> PathBuf {
        self.config_dir.join("minion.d")
    }
}

/// Seconds as a [`Duration`] (validated positive and finite).
pub(crate) fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn default_machine_id_file() -> PathBuf {
    PathBuf::from("/etc/machine-id")
}
fn default_checkin_interval() -> f64 {
    300.0
}
fn default_checkin_jitter() -> f64 {
    0.1
}
fn default_request_timeout() -> f64 {
    30.0
}
fn default_bus_retry() -> f64 {
    5.0
}
fn default_salt_config_dir() -> PathBuf {
    PathBuf::from("/etc/salt")
}
fn default_dropin_name() -> String {
    "cluster-master.conf".to_owned()
}
fn default_true() -> bool {
    true
}
fn default_restart_command() -> Vec<String> {
    ["systemctl", "restart", "salt-minion"]
        .map(String::from)
        .to_vec()
}
fn default_restart_timeout() -> f64 {
    90.0
}
fn default_check_command() -> Vec<String> {
    ["salt-call", "--retcode-passthrough", "test.ping"]
        .map(String::from)
        .to_vec()
}
fn default_check_attempt_timeout() -> f64 {
    30.0
}
fn default_check_retry() -> f64 {
    5.0
}
fn default_confirm_timeout() -> f64 {
    120.0
}

#[cfg(test)]
mod tests;
