//! The gateway's configuration: a TOML file (every field optional, with the
//! defaults documented here), overridden by command-line flags and
//! environment variables in the binary.
//!
//! ```toml
//! listen = "0.0.0.0:443"
//! release = "master"          # the API the cluster presents: 4.3, 5.0, 5.1, master
//! zone = "default"            # the gateway's zone (shared reads, placement)
//!
//! [tls]                       # TLS on the listener; leave out for plain HTTP
//! cert = "/etc/suma-gateway/cert.pem"
//! key = "/etc/suma-gateway/key.pem"
//!
//! [upstream]                  # towards the nodes
//! ca = "/etc/suma-gateway/nodes-ca.pem"
//! accept_invalid_certs = false
//! timeout_ms = 30000
//! connect_timeout_ms = 3000
//! read_retries = 2
//! idle_ms = 4000              # below the nodes' own keep-alive limit
//!
//! [breaker]
//! failures_to_open = 5
//! open_ms = 10000
//!
//! [fanout]
//! max_in_flight = 16          # fan-out calls answered at once; 0: no bound
//! max_wait_ms = 30000         # how long one more waits for a turn
//! policy = "strict"           # or "partial"
//!
//! [limits]
//! max_body_bytes = 16777216
//! max_depth = 64
//!
//! [sessions]
//! lifetime_secs = 3600
//!
//! [metrics]                   # `/metrics` open to all when no token is set
//! token_file = "/etc/suma-gateway/metrics.token"   # or $GATEWAY_METRICS_TOKEN
//!
//! [state]                     # identity map and sessions without a director
//! store = "memory"            # or "redb:/var/lib/suma-gateway/state.redb"
//!
//! [[nodes]]                   # a static node list (a gateway without a director)
//! id = "node1"
//! zone = "default"
//! api_url = "https://suma1.example.com/rpc/api"
//!
//! # Or, instead of [state] and [[nodes]], a director (`director serve` with
//! # a gateway token): nodes, identity map, sessions and placement are its.
//! # [director]
//! # url = "https://director.example.com:8180"
//! # token_file = "/etc/suma-gateway/director.token"  # or $GATEWAY_DIRECTOR_TOKEN
//! # ca = "/etc/suma-gateway/director-ca.pem"
//! ```

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not TOML of this shape.
    #[error("configuration is not valid: {0}")]
    Toml(#[from] toml::de::Error),
    /// A value out of range or inconsistent.
    #[error("configuration is not valid: {0}")]
    Invalid(String),
}

/// Everything the gateway is started with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatewayConfig {
    /// Address to listen on (`127.0.0.1:0` when left out; the binary's
    /// `--listen` overrides it).
    pub listen: Option<String>,
    /// The API release the cluster presents (introspection and overload
    /// resolution): `4.3`, `5.0`, `5.1` or `master` (the default).
    pub release: ReleaseLabel,
    /// The gateway's zone: shared reads go to a node of it and new systems
    /// are placed in it. Default: the zone of the first node.
    pub zone: Option<String>,
    /// TLS on the listener; plain HTTP when left out.
    pub tls: Option<ListenerTls>,
    /// How the gateway talks to the nodes.
    pub upstream: UpstreamConfig,
    /// The circuit breaker kept per node.
    pub breaker: BreakerConfig,
    /// What a fan-out call does when nodes fail.
    pub fanout: FanoutConfig,
    /// Limits on client requests.
    pub limits: LimitsConfig,
    /// Cluster sessions.
    pub sessions: SessionConfig,
    /// Who may read `/metrics`.
    pub metrics: MetricsConfig,
    /// Where the identity map and sessions live when no director hands the
    /// gateway its store.
    pub state: StateConfig,
    /// The static node list of a gateway without a director.
    pub nodes: Vec<StaticNode>,
    /// The director whose nodes, identity map, sessions and placement the
    /// gateway uses (instead of `state` and `nodes`).
    pub director: Option<DirectorConfig>,
}

/// The director a gateway takes its cluster from, over the director's
/// gateway API (`/gateway/v1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectorConfig {
    /// The director's base URL, e.g. `https://director.example.com:8180`.
    pub url: String,
    /// File holding the director's gateway token (surrounding whitespace
    /// ignored).
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// Environment variable holding the token; wins over the file.
    #[serde(default = "default_director_token_env")]
    pub token_env: String,
    /// CA bundle (PEM) for the director's certificate, beside the system's
    /// roots.
    #[serde(default)]
    pub ca: Option<PathBuf>,
}

fn default_director_token_env() -> String {
    "GATEWAY_DIRECTOR_TOKEN".to_owned()
}

impl DirectorConfig {
    /// A director at `url` with the default token variable and no file.
    pub fn at(url: &str) -> DirectorConfig {
        DirectorConfig {
            url: url.to_owned(),
            token_file: None,
            token_env: default_director_token_env(),
            ca: None,
        }
    }

    /// The link to the director: the token from `env` (a lookup of
    /// environment variables) or the file, the CA bundle read. The token is
    /// never shown in an error.
    pub fn link(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<director::remote::DirectorLink, ConfigError> {
        let token = match env(&self.token_env).filter(|t| !t.trim().is_empty()) {
            Some(token) => zeroize::Zeroizing::new(token),
            None => {
                let Some(path) = &self.token_file else {
                    return Err(ConfigError::Invalid(format!(
                        "director.token_file is not set and ${} is empty: the gateway \
                         needs the director's gateway token",
                        self.token_env
                    )));
                };
                let text = std::fs::read_to_string(path).map_err(|e| {
                    ConfigError::Invalid(format!("director.token_file {}: {e}", path.display()))
                })?;
                if text.trim().is_empty() {
                    return Err(ConfigError::Invalid(format!(
                        "director.token_file {} is empty",
                        path.display()
                    )));
                }
                zeroize::Zeroizing::new(text)
            }
        };
        let ca = match &self.ca {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                ConfigError::Invalid(format!("director.ca {}: {e}", path.display()))
            })?),
            None => None,
        };
        director::remote::DirectorLink::new(&self.url, &token, ca.as_deref())
            .map_err(|e| ConfigError::Invalid(format!("director: {e}")))
    }
}

/// A release label (`master` by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReleaseLabel(pub spec::Release);

impl Default for ReleaseLabel {
    fn default() -> ReleaseLabel {
        ReleaseLabel(spec::Release::Master)
    }
}

impl TryFrom<String> for ReleaseLabel {
    type Error = spec::UnknownRelease;
    fn try_from(s: String) -> Result<ReleaseLabel, spec::UnknownRelease> {
        s.parse().map(ReleaseLabel)
    }
}

impl From<ReleaseLabel> for String {
    fn from(r: ReleaseLabel) -> String {
        r.0.label().to_owned()
    }
}

/// The listener's certificate and key (PEM files).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerTls {
    /// Certificate chain, PEM, leaf first.
    pub cert: PathBuf,
    /// Private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Talking to the nodes. They are reached directly: the proxy variables
/// (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`) are not used towards them,
/// and a node's URL may not carry a user name or password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpstreamConfig {
    /// Extra CA certificates (PEM) trusted for the nodes' HTTPS, on top of
    /// the system's roots.
    pub ca: Option<PathBuf>,
    /// Accept any certificate from the nodes (and any handshake signature).
    /// Off by default; only for labs.
    pub accept_invalid_certs: bool,
    /// Time one call to one node may take, in milliseconds (default
    /// 30000). For a fan-out listing passed on while the nodes still send
    /// it, only the time spent waiting for the node counts: the gateway
    /// reads each node's answer a few batches ahead of its own client, so
    /// a client that reads slowly does not time the nodes out; one that
    /// takes nothing of such an answer for this long loses it (logged;
    /// its connection is broken off, so the client sees an error, not a
    /// shorter document), and the nodes' connections are let go.
    pub timeout_ms: u64,
    /// Time to open a connection to a node, in milliseconds (default 3000):
    /// the name lookup, TCP and the TLS handshake together.
    pub connect_timeout_ms: u64,
    /// Extra attempts for idempotent reads that could not reach a node
    /// (default 2). Changes are never retried.
    pub read_retries: u32,
    /// How long a connection to a node waits open between calls for the
    /// next one, in milliseconds (default 4000); 0 closes each after its
    /// call. Keep it below the nodes' own limit, Apache's
    /// `KeepAliveTimeout` (5 s unless a node's configuration says
    /// otherwise): a node that closes an idle connection just as a call
    /// is written into it fails that call, and a change is never sent
    /// twice. Idle time counts from the end of the answer as the gateway
    /// read it: a listing passed on to a slow client is read a little
    /// after the node sent it, so leave a margin. A connection in steady
    /// use is kept however long it lives.
    pub idle_ms: u64,
}

impl Default for UpstreamConfig {
    fn default() -> UpstreamConfig {
        UpstreamConfig {
            ca: None,
            accept_invalid_certs: false,
            timeout_ms: 30_000,
            connect_timeout_ms: 3_000,
            read_retries: 2,
            idle_ms: 4_000,
        }
    }
}

impl UpstreamConfig {
    /// [`UpstreamConfig::timeout_ms`] as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// [`UpstreamConfig::connect_timeout_ms`] as a duration.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    /// [`UpstreamConfig::idle_ms`] as a duration.
    pub fn idle(&self) -> Duration {
        Duration::from_millis(self.idle_ms)
    }
}

/// The per-node circuit breaker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BreakerConfig {
    /// Consecutive failures (unreachable, timed out, an answer that broke
    /// off) that open the circuit (default 5).
    pub failures_to_open: u32,
    /// How long an open circuit refuses calls before one trial call is let
    /// through, in milliseconds (default 10000).
    pub open_ms: u64,
}

impl Default for BreakerConfig {
    fn default() -> BreakerConfig {
        BreakerConfig {
            failures_to_open: 5,
            open_ms: 10_000,
        }
    }
}

/// The largest `fanout.max_in_flight`.
pub const MAX_FANOUT_IN_FLIGHT: usize = 1_000_000;

/// Fan-out behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FanoutConfig {
    /// `strict` (the default): a node that cannot answer fails the call with
    /// a fault listing the failed nodes. `partial`: answer from the nodes
    /// that did, log and count the gap.
    ///
    /// Listings of systems are written while the nodes still send them. A
    /// node that fails after such an answer has started cannot be taken
    /// out of what was sent: under `strict` the answer is cut off (the
    /// connection closes before the document ends, which clients report
    /// as an error); under `partial` it goes on without that node's
    /// remaining systems, and the gap is logged and counted.
    pub policy: FanoutPolicy,
    /// Fan-out calls (listings over every node) answered at once (default
    /// 16; 0: no bound). Each one under way holds its nodes' answers, or
    /// for a listing of systems written while the nodes send it a few
    /// batches of each (about 30 MiB for 100,000 systems, see the README),
    /// so this bounds what a burst of scripts can take. More wait their
    /// turn, for up to `max_wait_ms`, then get a fault saying the gateway
    /// is busy. Over XML-RPC a turn lasts until the answer is written;
    /// over the REST API and within a `system.multicall`, until it is
    /// merged (it is then encoded and sent). The calls of one multicall
    /// take their turns one after another.
    pub max_in_flight: usize,
    /// How long a fan-out call waits for a turn, in milliseconds (default
    /// 30000).
    pub max_wait_ms: u64,
}

impl FanoutConfig {
    /// [`FanoutConfig::max_wait_ms`] as a duration.
    pub fn max_wait(&self) -> Duration {
        Duration::from_millis(self.max_wait_ms)
    }
}

impl Default for FanoutConfig {
    fn default() -> FanoutConfig {
        FanoutConfig {
            policy: FanoutPolicy::default(),
            max_in_flight: 16,
            max_wait_ms: 30_000,
        }
    }
}

/// See [`FanoutConfig::policy`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FanoutPolicy {
    /// Every node must answer.
    #[default]
    Strict,
    /// Answer from the nodes that could.
    Partial,
}

impl std::str::FromStr for FanoutPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<FanoutPolicy, String> {
        match s {
            "strict" => Ok(FanoutPolicy::Strict),
            "partial" => Ok(FanoutPolicy::Partial),
            other => Err(format!(
                "unknown fan-out policy `{other}` (strict, partial)"
            )),
        }
    }
}

/// Limits on what clients send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest request body, in bytes (default 16 MiB).
    pub max_body_bytes: usize,
    /// Deepest struct/array nesting in a request (default 64).
    pub max_depth: usize,
}

impl Default for LimitsConfig {
    fn default() -> LimitsConfig {
        LimitsConfig {
            max_body_bytes: xmlrpc::Limits::REQUEST.max_body_bytes,
            max_depth: xmlrpc::Limits::REQUEST.max_depth,
        }
    }
}

impl LimitsConfig {
    /// As the codec's limits.
    pub fn to_limits(&self) -> xmlrpc::Limits {
        xmlrpc::Limits {
            max_body_bytes: self.max_body_bytes,
            max_depth: self.max_depth,
        }
    }
}

/// Cluster sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// Lifetime of a session from its last use when `auth.login` names no
    /// duration, in seconds (default 3600, the server's).
    pub lifetime_secs: i64,
}

impl Default for SessionConfig {
    fn default() -> SessionConfig {
        SessionConfig {
            lifetime_secs: 3600,
        }
    }
}

/// `/metrics`: open to any client when no token is set, else only to a
/// scraper that sends it as a bearer token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// File holding the token (surrounding whitespace ignored).
    pub token_file: Option<PathBuf>,
    /// Environment variable holding the token; wins over the file.
    pub token_env: String,
}

impl Default for MetricsConfig {
    fn default() -> MetricsConfig {
        MetricsConfig {
            token_file: None,
            token_env: "GATEWAY_METRICS_TOKEN".to_owned(),
        }
    }
}

impl MetricsConfig {
    /// The token `/metrics` asks for, from `env` (a lookup of environment
    /// variables) or the file; `None` when neither is set. A file that
    /// cannot be read or holds no token is an error (never showing what
    /// it holds): a scraper's token must not turn into an open endpoint.
    pub fn token(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<director::api::ApiToken>, ConfigError> {
        if let Some(token) = env(&self.token_env).and_then(|t| director::api::ApiToken::new(&t)) {
            return Ok(Some(token));
        }
        let Some(path) = &self.token_file else {
            return Ok(None);
        };
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
            ConfigError::Invalid(format!("metrics.token_file {}: {e}", path.display()))
        })?);
        match director::api::ApiToken::new(&text) {
            Some(token) => Ok(Some(token)),
            None => Err(ConfigError::Invalid(format!(
                "metrics.token_file {} is empty",
                path.display()
            ))),
        }
    }
}

/// The local store of a gateway without a director.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StateConfig {
    /// `memory` (the default: nothing survives a restart) or
    /// `redb:<path>` (one file).
    pub store: String,
}

impl Default for StateConfig {
    fn default() -> StateConfig {
        StateConfig {
            store: "memory".to_owned(),
        }
    }
}

/// One node of a static node list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticNode {
    /// Node id (`[a-z0-9-]`).
    pub id: String,
    /// Zone (default `default`).
    #[serde(default = "default_zone")]
    pub zone: String,
    /// Its XML-RPC endpoint, e.g. `https://suma1.example.com/rpc/api`.
    pub api_url: String,
}

fn default_zone() -> String {
    "default".to_owned()
}

impl StaticNode {
    /// Parses the command line's `id=url` (zone `default`) or
    /// `id@zone=url`.
    pub fn parse_flag(s: &str) -> Result<StaticNode, String> {
        let (name, url) = s
            .split_once('=')
            .ok_or_else(|| format!("expected id=url or id@zone=url, got `{s}`"))?;
        let (id, zone) = name.split_once('@').unwrap_or((name, "default"));
        if id.is_empty() || url.is_empty() {
            return Err(format!("expected id=url or id@zone=url, got `{s}`"));
        }
        Ok(StaticNode {
            id: id.to_owned(),
            zone: zone.to_owned(),
            api_url: url.to_owned(),
        })
    }
}

impl GatewayConfig {
    /// Reads a configuration from TOML text and checks it.
    pub fn from_toml_str(text: &str) -> Result<GatewayConfig, ConfigError> {
        let cfg: GatewayConfig = toml::from_str(text)?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks values a TOML type cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(m.to_owned()));
        if self.upstream.timeout_ms == 0 || self.upstream.connect_timeout_ms == 0 {
            return bad("upstream timeouts must be above 0");
        }
        if self.breaker.failures_to_open == 0 {
            return bad("breaker.failures_to_open must be at least 1");
        }
        if self.fanout.max_in_flight > MAX_FANOUT_IN_FLIGHT {
            return bad("fanout.max_in_flight must be at most 1000000 (0: no bound)");
        }
        if self.sessions.lifetime_secs <= 0 {
            return bad("sessions.lifetime_secs must be above 0");
        }
        if self.limits.max_body_bytes == 0 || self.limits.max_depth == 0 {
            return bad("limits must be above 0");
        }
        if self.state.store != "memory" && !self.state.store.starts_with("redb:") {
            return bad("state.store must be `memory` or `redb:<path>`");
        }
        if self.director.is_some() {
            if !self.nodes.is_empty() {
                return bad("give either a director or a static node list ([[nodes]]), not both");
            }
            if self.state.store != "memory" {
                return bad(
                    "with a director, the identity map and sessions are the director's: \
                     leave state.store out",
                );
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for node in &self.nodes {
            if !seen.insert(&node.id) {
                return Err(ConfigError::Invalid(format!(
                    "node `{}` is listed twice",
                    node.id
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metrics_token_comes_from_the_environment_or_its_file() {
        let none = |_: &str| None;
        assert!(MetricsConfig::default().token(none).unwrap().is_none());
        let env = |name: &str| (name == "GATEWAY_METRICS_TOKEN").then(|| "from-env\n".to_owned());
        let token = MetricsConfig::default().token(env).unwrap().unwrap();
        assert!(token.matches("from-env"));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("metrics.token");
        std::fs::write(&file, "from-file\n").unwrap();
        let cfg = MetricsConfig {
            token_file: Some(file.clone()),
            ..MetricsConfig::default()
        };
        assert!(cfg.token(none).unwrap().unwrap().matches("from-file"));
        assert!(
            cfg.token(env).unwrap().unwrap().matches("from-env"),
            "the variable wins"
        );
        std::fs::write(&file, "  \n").unwrap();
        let empty = cfg.token(none).unwrap_err().to_string();
        assert!(empty.contains("is empty"), "{empty}");
        let missing = MetricsConfig {
            token_file: Some(dir.path().join("absent")),
            ..MetricsConfig::default()
        };
        assert!(
            missing.token(none).is_err(),
            "never an open endpoint by mistake"
        );
    }

    #[test]
    fn the_documented_sample_parses() {
        let doc = include_str!("config.rs");
        let sample: String = doc
            .lines()
            .skip_while(|l| !l.starts_with("//! ```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| l.trim_start_matches("//!").trim_start())
            .map(|l| format!("{l}\n"))
            .collect();
        let cfg = GatewayConfig::from_toml_str(&sample).unwrap();
        assert_eq!(cfg.fanout.policy, FanoutPolicy::Strict);
        assert_eq!(cfg.nodes.len(), 1);
        assert_eq!(cfg.release.0, spec::Release::Master);
        assert!(cfg.tls.is_some());
    }

    #[test]
    fn defaults_and_refusals() {
        let cfg = GatewayConfig::from_toml_str("").unwrap();
        assert_eq!(cfg.sessions.lifetime_secs, 3600);
        assert!(!cfg.upstream.accept_invalid_certs);
        assert!(GatewayConfig::from_toml_str("nosuch = 1").is_err());
        assert!(GatewayConfig::from_toml_str("release = \"9.9\"").is_err());
        assert!(GatewayConfig::from_toml_str("[fanout]\npolicy = \"some\"").is_err());
        let twice = "[[nodes]]\nid='a'\napi_url='x'\n[[nodes]]\nid='a'\napi_url='y'\n";
        assert!(GatewayConfig::from_toml_str(twice).is_err());
    }

    #[test]
    fn a_director_replaces_the_static_list_and_the_local_store() {
        let cfg = GatewayConfig::from_toml_str("[director]\nurl = 'http://d:8180'\n").unwrap();
        let director = cfg.director.unwrap();
        assert_eq!(director.token_env, "GATEWAY_DIRECTOR_TOKEN");
        let both = "[director]\nurl='http://d'\n[[nodes]]\nid='a'\napi_url='x'\n";
        let err = GatewayConfig::from_toml_str(both).unwrap_err().to_string();
        assert!(err.contains("not both"), "{err}");
        let stored = "[state]\nstore='redb:/x'\n[director]\nurl='http://d'\n";
        assert!(GatewayConfig::from_toml_str(stored).is_err());
    }

    #[test]
    fn the_director_token_comes_from_env_then_file_and_is_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("director.token");
        let mut cfg = DirectorConfig::at("http://d:8180");
        let none = |_: &str| None;
        let err = cfg.link(none).unwrap_err().to_string();
        assert!(err.contains("GATEWAY_DIRECTOR_TOKEN"), "{err}");
        cfg.token_file = Some(file.clone());
        assert!(cfg.link(none).is_err(), "a missing file");
        std::fs::write(&file, " \n").unwrap();
        assert!(cfg.link(none).unwrap_err().to_string().contains("empty"));
        std::fs::write(&file, "from-file-s3cret\n").unwrap();
        let link = cfg.link(none).unwrap();
        assert_eq!(link.url(), "http://d:8180");
        assert!(!format!("{link:?}").contains("s3cret"));
        let env = |k: &str| (k == "GATEWAY_DIRECTOR_TOKEN").then(|| "from-env".to_owned());
        assert!(cfg.link(env).is_ok());
        cfg.url = "d:8180".into();
        let err = cfg.link(env).unwrap_err().to_string();
        assert!(err.contains("not an http(s) URL"), "{err}");
    }

    #[test]
    fn node_flags() {
        let n = StaticNode::parse_flag("n1=http://h/rpc/api").unwrap();
        assert_eq!((n.id.as_str(), n.zone.as_str()), ("n1", "default"));
        let n = StaticNode::parse_flag("n2@eu=http://h/rpc/api").unwrap();
        assert_eq!(n.zone, "eu");
        assert!(StaticNode::parse_flag("nourl").is_err());
    }
}
