//! The director's configuration: a TOML file, then environment variables
//! and command-line flags ([`ServeArgs`]) over it.
//!
//! ```toml
//! listen = "0.0.0.0:8180"
//!
//! [tls]                       # leave out for plain HTTP
//! cert = "/etc/director/tls/cert.pem"
//! key = "/etc/director/tls/key.pem"
//!
//! [store]
//! engine = "redb"             # or "tikv" with pd_endpoints = ["pd1:2379"]
//! path = "/var/lib/director/director.redb"
//!
//! [bus]
//! engine = "local"            # or "nats" with url = "nats://127.0.0.1:4222"
//!
//! [auth]                      # tokens come from files or environment variables, never from here
//! admin_token_file = "/etc/director/admin.token"
//! metrics_token_file = "/etc/director/metrics.token"   # for a Prometheus scraper
//! ```
//!
//! Every field has a default ([`DirectorConfig::default`]); unknown fields
//! are errors that name the field and line. Tokens are never written in
//! the file: each comes from the environment variable named by
//! `auth.<api>_token_env` (`DIRECTOR_ADMIN_TOKEN`, `DIRECTOR_CLIENT_TOKEN`,
//! `DIRECTOR_NODE_TOKEN`, `DIRECTOR_GATEWAY_TOKEN`, `DIRECTOR_METRICS_TOKEN` by default) or, when that is unset, from the file
//! `auth.<api>_token_file`. Tests build configurations with
//! [`DirectorConfig::from_toml_str`] and resolve tokens with
//! [`AuthConfig::tokens`] over an environment of their own.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::{ApiToken, ApiTokens, DEFAULT_BODY_LIMIT};
use crate::cluster::ClusterConfig;

/// Why a configuration could not be loaded. Each variant names the file
/// or the field at fault; none carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("config file {path}: {source}", path = path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration is not valid TOML of the expected shape.
    #[error("config {origin}: line {line}, column {column}: {message}")]
    Parse {
        /// The file, or `<string>`.
        origin: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What is wrong (names the field).
        message: String,
    },
    /// A field has a value the director cannot use.
    #[error("config field {field}: {message}")]
    Invalid {
        /// The field, as a TOML path (`store.pd_endpoints`).
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A token file could not be read or is empty.
    #[error("config field {field}: token file {path}: {message}", path = path.display())]
    TokenFile {
        /// The field naming the file.
        field: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong (never the content).
        message: String,
    },
    /// The admin token is not configured.
    #[error("no admin token: set the {env} environment variable or auth.admin_token_file")]
    MissingAdminToken {
        /// The environment variable that was looked up.
        env: String,
    },
    /// Two APIs have the same token.
    #[error("the {0} and {1} APIs have the same token: give each API its own")]
    SharedToken(&'static str, &'static str),
}

/// Everything the director process needs to know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DirectorConfig {
    /// Address the HTTP API listens on (`ip:port`; port 0 picks a free one).
    pub listen: SocketAddr,
    /// TLS for the HTTP API; plain HTTP when left out.
    pub tls: Option<TlsConfig>,
    /// Where the cluster state lives.
    pub store: StoreConfig,
    /// How the director talks to the node agents.
    pub bus: BusConfig,
    /// Placement, health and move tunables.
    pub cluster: ClusterConfig,
    /// Where the API tokens come from.
    pub auth: AuthConfig,
    /// Largest request body accepted, in bytes (larger ones get 413).
    pub body_limit_bytes: usize,
    /// Seconds requests in flight get to finish at shutdown before their
    /// connections are closed.
    pub shutdown_grace_secs: u64,
}

impl Default for DirectorConfig {
    fn default() -> DirectorConfig {
        DirectorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8180)),
            tls: None,
            store: StoreConfig::default(),
            bus: BusConfig::Local,
            cluster: ClusterConfig::default(),
            auth: AuthConfig::default(),
            body_limit_bytes: DEFAULT_BODY_LIMIT,
            shutdown_grace_secs: 10,
        }
    }
}

/// TLS of the HTTP API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM file with the certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM file with the private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// The store engine (`engine = "redb"` or `"tikv"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "engine", rename_all = "lowercase", deny_unknown_fields)]
pub enum StoreConfig {
    /// One embedded redb file: the default.
    Redb {
        /// The database file (created when missing).
        #[serde(default = "default_redb_path")]
        path: PathBuf,
    },
    /// A TiKV cluster (needs the `tikv` feature).
    Tikv {
        /// Its PD endpoints, `host:port`.
        pd_endpoints: Vec<String>,
    },
}

fn default_redb_path() -> PathBuf {
    PathBuf::from("./director.redb")
}

impl Default for StoreConfig {
    fn default() -> StoreConfig {
        StoreConfig::Redb {
            path: default_redb_path(),
        }
    }
}

/// The bus engine (`engine = "local"` or `"nats"`).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "engine", rename_all = "lowercase", deny_unknown_fields)]
pub enum BusConfig {
    /// In-process: the default; node agents reach the director over HTTP.
    #[default]
    Local,
    /// A NATS server with JetStream.
    Nats {
        /// Its URL, `nats://host:port` (may hold `user:password@`, which is
        /// never shown).
        url: String,
    },
}

impl fmt::Debug for BusConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BusConfig::Local => f.write_str("Local"),
            BusConfig::Nats { url } => f
                .debug_struct("Nats")
                .field("url", &redact_userinfo(url))
                .finish(),
        }
    }
}

/// `scheme://user:password@host` -> `scheme://<redacted>@host`.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://<redacted>@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// Where each API's token comes from: the environment variable named
/// here, when set, else the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// File holding the admin token (surrounding whitespace ignored).
    pub admin_token_file: Option<PathBuf>,
    /// Environment variable holding the admin token; overrides the file.
    pub admin_token_env: String,
    /// File holding the client-agent token; without any client token the
    /// client API refuses every request.
    pub client_token_file: Option<PathBuf>,
    /// Environment variable holding the client-agent token.
    pub client_token_env: String,
    /// File holding the node-agent token; without any node token the node
    /// API refuses every request.
    pub node_token_file: Option<PathBuf>,
    /// Environment variable holding the node-agent token.
    pub node_token_env: String,
    /// File holding the gateway token; without any gateway token the
    /// gateway API (the store, placement) refuses every request, and
    /// gateways can only run inside the director's process.
    pub gateway_token_file: Option<PathBuf>,
    /// Environment variable holding the gateway token.
    pub gateway_token_env: String,
    /// File holding the token of `/metrics`, for a Prometheus scraper
    /// (`authorization: {credentials_file: ...}`); without any, `/metrics`
    /// refuses every request.
    pub metrics_token_file: Option<PathBuf>,
    /// Environment variable holding the metrics token.
    pub metrics_token_env: String,
}

impl Default for AuthConfig {
    fn default() -> AuthConfig {
        AuthConfig {
            admin_token_file: None,
            admin_token_env: "DIRECTOR_ADMIN_TOKEN".into(),
            client_token_file: None,
            client_token_env: "DIRECTOR_CLIENT_TOKEN".into(),
            node_token_file: None,
            node_token_env: "DIRECTOR_NODE_TOKEN".into(),
            gateway_token_file: None,
            gateway_token_env: "DIRECTOR_GATEWAY_TOKEN".into(),
            metrics_token_file: None,
            metrics_token_env: "DIRECTOR_METRICS_TOKEN".into(),
        }
    }
}

/// Reads one token: the variable when set and non-empty, else the file.
fn resolve_token(
    field: &'static str,
    file: Option<&Path>,
    var: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ApiToken>, ConfigError> {
    if let Some(token) = env(var).as_deref().and_then(ApiToken::new) {
        return Ok(Some(token));
    }
    let Some(path) = file else {
        return Ok(None);
    };
    let failed = |message: String| ConfigError::TokenFile {
        field,
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o004 != 0
        {
            tracing::warn!(field, path = %path.display(), "token file is readable by everyone");
        }
    }
    ApiToken::new(&text)
        .map(Some)
        .ok_or_else(|| failed("the file is empty".into()))
}

impl AuthConfig {
    /// The tokens, read from `env` (a lookup of environment variables:
    /// `|name| std::env::var(name).ok()` in the process) and the token
    /// files. The admin token must be set; all must differ.
    pub fn tokens(&self, env: impl Fn(&str) -> Option<String>) -> Result<ApiTokens, ConfigError> {
        let tokens = ApiTokens {
            admin: resolve_token(
                "auth.admin_token_file",
                self.admin_token_file.as_deref(),
                &self.admin_token_env,
                &env,
            )?,
            client: resolve_token(
                "auth.client_token_file",
                self.client_token_file.as_deref(),
                &self.client_token_env,
                &env,
            )?,
            node: resolve_token(
                "auth.node_token_file",
                self.node_token_file.as_deref(),
                &self.node_token_env,
                &env,
            )?,
            gateway: resolve_token(
                "auth.gateway_token_file",
                self.gateway_token_file.as_deref(),
                &self.gateway_token_env,
                &env,
            )?,
            metrics: resolve_token(
                "auth.metrics_token_file",
                self.metrics_token_file.as_deref(),
                &self.metrics_token_env,
                &env,
            )?,
        };
        if tokens.admin.is_none() {
            return Err(ConfigError::MissingAdminToken {
                env: self.admin_token_env.clone(),
            });
        }
        if let Some((a, b)) = tokens.shared_pair() {
            return Err(ConfigError::SharedToken(a, b));
        }
        Ok(tokens)
    }
}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl DirectorConfig {
    /// Parses and checks a configuration from TOML text.
    pub fn from_toml_str(text: &str) -> Result<DirectorConfig, ConfigError> {
        Self::parse(text, "<string>")
    }

    /// Reads, parses and checks the configuration file at `path`.
    pub fn load(path: &Path) -> Result<DirectorConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    fn parse(text: &str, origin: &str) -> Result<DirectorConfig, ConfigError> {
        let config: DirectorConfig = toml::from_str(text).map_err(|e| {
            let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
            ConfigError::Parse {
                origin: origin.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what the types alone do not.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, message: &str| {
            Err(ConfigError::Invalid {
                field,
                message: message.to_owned(),
            })
        };
        if self.body_limit_bytes == 0 {
            return invalid("body_limit_bytes", "must be at least 1");
        }
        if !(self.cluster.epsilon > 0.0 && self.cluster.epsilon.is_finite()) {
            return invalid("cluster.epsilon", "must be a positive number");
        }
        match &self.store {
            StoreConfig::Redb { path } if path.as_os_str().is_empty() => {
                return invalid("store.path", "must name a file");
            }
            StoreConfig::Tikv { pd_endpoints } if pd_endpoints.is_empty() => {
                return invalid("store.pd_endpoints", "must list at least one host:port");
            }
            _ => {}
        }
        if let BusConfig::Nats { url } = &self.bus
            && url.trim().is_empty()
        {
            return invalid("bus.url", "must be a nats:// URL");
        }
        Ok(())
    }
}

/// The flags of `director serve`; each also reads an environment variable
/// and overrides the configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct ServeArgs {
    /// TOML configuration file (defaults apply without one).
    #[arg(short, long, env = "DIRECTOR_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on, `ip:port` (overrides `listen`).
    #[arg(long, env = "DIRECTOR_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// TLS certificate chain, PEM (overrides `tls.cert`; needs --tls-key).
    #[arg(
        long,
        env = "DIRECTOR_TLS_CERT",
        value_name = "PEM",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key, PEM (overrides `tls.key`; needs --tls-cert).
    #[arg(
        long,
        env = "DIRECTOR_TLS_KEY",
        value_name = "PEM",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// Use the redb store in this file.
    #[arg(
        long,
        env = "DIRECTOR_REDB_PATH",
        value_name = "FILE",
        conflicts_with = "tikv_pd"
    )]
    pub redb_path: Option<PathBuf>,
    /// Use the TiKV store with these PD endpoints (comma-separated).
    #[arg(
        long,
        env = "DIRECTOR_TIKV_PD",
        value_name = "HOST:PORT,..",
        value_delimiter = ','
    )]
    pub tikv_pd: Vec<String>,
    /// Use the NATS bus at this URL.
    #[arg(
        long,
        env = "DIRECTOR_NATS_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub nats_url: Option<String>,
    /// File holding the admin token (overrides `auth.admin_token_file`).
    #[arg(long, env = "DIRECTOR_ADMIN_TOKEN_FILE", value_name = "FILE")]
    pub admin_token_file: Option<PathBuf>,
    /// File holding the client-agent token.
    #[arg(long, env = "DIRECTOR_CLIENT_TOKEN_FILE", value_name = "FILE")]
    pub client_token_file: Option<PathBuf>,
    /// File holding the node-agent token.
    #[arg(long, env = "DIRECTOR_NODE_TOKEN_FILE", value_name = "FILE")]
    pub node_token_file: Option<PathBuf>,
    /// File holding the gateway token.
    #[arg(long, env = "DIRECTOR_GATEWAY_TOKEN_FILE", value_name = "FILE")]
    pub gateway_token_file: Option<PathBuf>,
    /// File holding the metrics token (`/metrics`, for a Prometheus
    /// scraper).
    #[arg(long, env = "DIRECTOR_METRICS_TOKEN_FILE", value_name = "FILE")]
    pub metrics_token_file: Option<PathBuf>,
}

impl ServeArgs {
    /// Puts the flags over `config`.
    pub fn apply(&self, config: &mut DirectorConfig) {
        if let Some(listen) = self.listen {
            config.listen = listen;
        }
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            config.tls = Some(TlsConfig {
                cert: cert.clone(),
                key: key.clone(),
            });
        }
        if let Some(path) = &self.redb_path {
            config.store = StoreConfig::Redb { path: path.clone() };
        }
        if !self.tikv_pd.is_empty() {
            config.store = StoreConfig::Tikv {
                pd_endpoints: self.tikv_pd.clone(),
            };
        }
        if let Some(url) = &self.nats_url {
            config.bus = BusConfig::Nats { url: url.clone() };
        }
        let auth = &mut config.auth;
        for (flag, field) in [
            (&self.admin_token_file, &mut auth.admin_token_file),
            (&self.client_token_file, &mut auth.client_token_file),
            (&self.node_token_file, &mut auth.node_token_file),
            (&self.gateway_token_file, &mut auth.gateway_token_file),
            (&self.metrics_token_file, &mut auth.metrics_token_file),
        ] {
            if flag.is_some() {
                field.clone_from(flag);
            }
        }
    }

    /// The configuration: the file (or the defaults), then the flags.
    pub fn load(&self) -> Result<DirectorConfig, ConfigError> {
        let mut config = match &self.config {
            Some(path) => DirectorConfig::load(path)?,
            None => DirectorConfig::default(),
        };
        self.apply(&mut config);
        config.validate()?;
        Ok(config)
    }
}
