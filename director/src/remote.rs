//! A gateway's link to a director running as another process: the
//! director's store, served to gateways at `/gateway/v1/store` behind the
//! gateway token, and its placement of new systems at
//! `/gateway/v1/placement`.
//!
//! Gateway replicas share the director's identity map, sessions and node
//! list through it, whatever engine the director runs on: on the embedded
//! redb default no other process may open the file, and with TiKV a
//! gateway could open the cluster itself but would still need placement.
//!
//! [`DirectorLink::store`] is a [`Store`] whose engine ([`RemoteEngine`])
//! sends each operation as one request ([`StoreOp`]) and reads one answer
//! ([`StoreOutcome`]); keys and values travel base64-encoded. The
//! director's store runs every operation as its own engine does, so the
//! remote engine passes the same conformance suite.
//!
//! A request the director never received is tried again after a short
//! back-off (0.1, 0.3, 0.9 s); so is a read whose answer was lost or that
//! the director answered 502-504. A write whose answer was lost is not:
//! it may have been applied.
//!
//! The gateway token reaches only the keys a gateway uses
//! ([`crate::model::GatewayReach`]), but those hold the sessions' node
//! session keys: guard it, and use TLS between gateways and the director.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

use crate::model::{Millis, SeedMark};
use crate::store::{CasResult, Conflict, Engine, Store, StoreError, Txn};

/// How long one request to the director may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long connecting to the director may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Largest answer read from the director: a scan of a big node's whole
/// identity index is a few MiB; anything far beyond is refused, not held.
const MAX_ANSWER: usize = 256 * 1024 * 1024;

/// Bytes on the wire: a base64 string (standard alphabet, padded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct B64(pub Vec<u8>);

impl Serialize for B64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for B64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<B64, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        STANDARD
            .decode(text.as_bytes())
            .map(B64)
            .map_err(|_| serde::de::Error::custom("not base64 (standard alphabet, padded)"))
    }
}

/// One precondition of a [`StoreOp::Transact`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WireCheck {
    /// The key.
    #[schema(value_type = String, format = Byte)]
    pub key: B64,
    /// The value it must hold; absent or `null`: the key must not exist.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Byte)]
    pub expected: Option<B64>,
}

/// One write of a [`StoreOp::Transact`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WireWrite {
    /// The key.
    #[schema(value_type = String, format = Byte)]
    pub key: B64,
    /// The new value; absent or `null` deletes the key.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Byte)]
    pub value: Option<B64>,
}

/// A key and its value, as a scan answers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WirePair {
    /// The key.
    #[schema(value_type = String, format = Byte)]
    pub key: B64,
    /// Its value.
    #[schema(value_type = String, format = Byte)]
    pub value: B64,
}

/// One store operation, as a gateway asks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum StoreOp {
    /// Read one key: answers [`StoreOutcome::Value`].
    Get {
        /// The key.
        #[schema(value_type = String, format = Byte)]
        key: B64,
    },
    /// Write one key: answers [`StoreOutcome::Done`].
    Put {
        /// The key.
        #[schema(value_type = String, format = Byte)]
        key: B64,
        /// The value (non-empty).
        #[schema(value_type = String, format = Byte)]
        value: B64,
    },
    /// Remove one key: answers [`StoreOutcome::Done`].
    Delete {
        /// The key.
        #[schema(value_type = String, format = Byte)]
        key: B64,
    },
    /// The pairs under a prefix, in key order: answers
    /// [`StoreOutcome::Pairs`].
    Scan {
        /// The prefix (empty: every key).
        #[schema(value_type = String, format = Byte)]
        prefix: B64,
        /// At most this many pairs; absent: all.
        #[serde(default)]
        limit: Option<u64>,
    },
    /// Checks, then writes, all or nothing: answers
    /// [`StoreOutcome::Applied`] or [`StoreOutcome::Conflict`].
    Transact {
        /// Preconditions on current values.
        #[serde(default)]
        checks: Vec<WireCheck>,
        /// Writes, applied in order when every check holds.
        #[serde(default)]
        writes: Vec<WireWrite>,
    },
}

/// The answer to a [`StoreOp`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StoreOutcome {
    /// The value read (`null`: no such key).
    Value {
        /// The value.
        #[schema(value_type = Option<String>, format = Byte)]
        value: Option<B64>,
    },
    /// The write or removal was made.
    Done,
    /// The pairs scanned.
    Pairs {
        /// In ascending key order.
        pairs: Vec<WirePair>,
    },
    /// The transaction was applied.
    Applied,
    /// A check failed and nothing was written: the first failing key and
    /// its current value.
    Conflict {
        /// The key.
        #[schema(value_type = String, format = Byte)]
        key: B64,
        /// Its current value (`null`: absent).
        #[schema(value_type = Option<String>, format = Byte)]
        current: Option<B64>,
    },
}

impl StoreOp {
    /// Runs the operation on `store` (the director's own).
    pub async fn run(self, store: &Store) -> Result<StoreOutcome, StoreError> {
        Ok(match self {
            StoreOp::Get { key } => StoreOutcome::Value {
                value: store.get(&key.0).await?.map(B64),
            },
            StoreOp::Put { key, value } => {
                store.put(&key.0, &value.0).await?;
                StoreOutcome::Done
            }
            StoreOp::Delete { key } => {
                store.delete(&key.0).await?;
                StoreOutcome::Done
            }
            StoreOp::Scan { prefix, limit } => {
                let limit = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
                let pairs = store.scan_prefix(&prefix.0, limit).await?;
                StoreOutcome::Pairs {
                    pairs: pairs
                        .into_iter()
                        .map(|(key, value)| WirePair {
                            key: B64(key),
                            value: B64(value),
                        })
                        .collect(),
                }
            }
            StoreOp::Transact { checks, writes } => {
                let mut txn = Txn::new();
                for c in checks {
                    txn = txn.check(&c.key.0, c.expected.map(|v| v.0));
                }
                for w in writes {
                    txn = txn.write(&w.key.0, w.value.map(|v| v.0));
                }
                match store.transact(txn).await? {
                    Ok(()) => StoreOutcome::Applied,
                    Err(conflict) => StoreOutcome::Conflict {
                        key: B64(conflict.key),
                        current: conflict.current.map(B64),
                    },
                }
            }
        })
    }
}

/// Where a new system goes, as a gateway asks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlaceRequest {
    /// The zone of the gateway that asks.
    pub zone: String,
    /// The nodes the gateway can reach; absent: any node of the zone.
    #[serde(default)]
    pub candidates: Option<Vec<String>>,
}

/// The director's answer to a [`PlaceRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlaceAnswer {
    /// The node that gets the system; `null`: no node of the zone takes
    /// new systems.
    pub node: Option<String>,
}

/// A `gateway seed-node` run that copied the shared data from `from`
/// without a failure, as the gateway reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedReport {
    /// The serving node the run copied from.
    pub from: String,
    /// The seeded node's `state_since` ([`crate::model::Node::since`]) as
    /// the run read it when it began.
    pub since: Millis,
    /// How long ago the run began, by the gateway's clock (milliseconds):
    /// the director dates the run's start by its own clock from it.
    #[serde(default)]
    pub elapsed_ms: u64,
    /// The run updated what the node held otherwise (`--update`).
    #[serde(default)]
    pub update: bool,
    /// The run removed what only the node held (`--prune`).
    #[serde(default)]
    pub prune: bool,
    /// The node's count of missed changes (`node-misses/<id>`) as the run
    /// read it when it began.
    #[serde(default)]
    pub misses: u64,
    /// Each gateway's count of changes queued for the node
    /// (`node-follows/<id>/<gateway>`) as the run read them when it
    /// began, before the misses.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub follows: crate::model::FollowMarks,
}

/// Copies moved systems left on a node, which a gateway deleted there
/// (`gateway carry-systems --delete-copies`), for the director to forget
/// at once rather than when the node's agent reports the deletions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopiesDeleted {
    /// The node's ids of the deleted copies (at most
    /// [`CopiesDeleted::MAX`]).
    pub local_ids: Vec<i32>,
}

impl CopiesDeleted {
    /// Local ids in one request.
    pub const MAX: usize = 1000;
}

/// What the director did with a [`CopiesDeleted`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CopiesForgotten {
    /// Copies it forgot: local id -> the cluster id of the system they
    /// were copies of.
    pub forgotten: BTreeMap<i32, i32>,
    /// Local ids a system's cluster id is bound to on that node: those are
    /// the systems themselves, not copies, and the director keeps them
    /// (their deletion, when the node's agent reports it, deletes them
    /// from the cluster as any other).
    pub systems: Vec<i32>,
    /// Local ids the map knows nothing of (forgotten already).
    pub unknown: Vec<i32>,
}

/// Why a [`DirectorLink`] could not be set up or answered.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The director URL is not an absolute `http(s)` URL without
    /// credentials (the token authenticates; a URL is shown in logs).
    #[error("director URL {0:?} is not an http(s) URL without user or password")]
    BadUrl(String),
    /// The token cannot go into an HTTP header.
    #[error("the gateway token holds characters an HTTP header cannot carry")]
    BadToken,
    /// The CA bundle holds no certificate.
    #[error("the director CA bundle holds no certificate")]
    BadCa,
    /// The HTTP client could not be built.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    /// The director did not answer, or refused.
    #[error("director {url}: {message}")]
    Request {
        /// The director's base URL.
        url: String,
        /// What failed (never a request body).
        message: String,
    },
}

/// A gateway's authenticated link to one director.
#[derive(Clone)]
pub struct DirectorLink {
    inner: Arc<LinkInner>,
}

struct LinkInner {
    http: reqwest::Client,
    base: String,
    authorization: HeaderValue,
}

impl std::fmt::Debug for DirectorLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectorLink")
            .field("url", &self.inner.base)
            .finish_non_exhaustive()
    }
}

impl DirectorLink {
    /// A link to the director at `url` (its base URL, e.g.
    /// `https://director:8180`) with the gateway token; `ca_pem` adds
    /// trusted roots for its TLS certificate.
    pub fn new(url: &str, token: &str, ca_pem: Option<&[u8]>) -> Result<DirectorLink, LinkError> {
        let base = url.trim().trim_end_matches('/').to_owned();
        let Ok(parsed) = reqwest::Url::parse(&base) else {
            return Err(LinkError::BadUrl(crate::config::redact_userinfo(&base)));
        };
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.host_str().is_none()
            || !parsed.username().is_empty()
            || parsed.password().is_some()
        {
            return Err(LinkError::BadUrl(crate::config::redact_userinfo(&base)));
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.trim()))
            .map_err(|_| LinkError::BadToken)?;
        authorization.set_sensitive(true);
        let mut builder = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("director-link/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = ca_pem {
            let roots = reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|roots| !roots.is_empty())
                .ok_or(LinkError::BadCa)?;
            builder = builder.tls_certs_merge(roots);
        }
        let http = builder
            .build()
            .map_err(|e| LinkError::Client(e.to_string()))?;
        Ok(DirectorLink {
            inner: Arc::new(LinkInner {
                http,
                base,
                authorization,
            }),
        })
    }

    /// The director's base URL.
    pub fn url(&self) -> &str {
        &self.inner.base
    }

    /// Whether the token travels unencrypted to another machine: plain
    /// HTTP to a host that is not a loopback address or `localhost`.
    pub fn exposes_token(&self) -> bool {
        let Ok(url) = reqwest::Url::parse(&self.inner.base) else {
            return true;
        };
        let host = url.host_str().unwrap_or_default();
        let local = host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        url.scheme() == "http" && !local
    }

    /// The director's store, over this link.
    pub fn store(&self) -> Store {
        Store::new(RemoteEngine { link: self.clone() })
    }

    /// Asks the director which node of `zone` gets a new system, among
    /// `candidates` when given.
    pub async fn place(
        &self,
        zone: &str,
        candidates: Option<Vec<String>>,
    ) -> Result<Option<String>, LinkError> {
        let answer: PlaceAnswer = self
            .post(
                "/gateway/v1/placement",
                &PlaceRequest {
                    zone: zone.to_owned(),
                    candidates,
                },
                Retry::Reads,
            )
            .await?;
        Ok(answer.node)
    }

    /// Tells the director that a `gateway seed-node` run copied the
    /// shared data onto node `id` without a failure (`run` says from
    /// where, when and how). Sent again when the answer was lost: the
    /// director takes a run it holds already as recorded.
    pub async fn record_seed(&self, id: &str, run: &SeedReport) -> Result<SeedMark, LinkError> {
        if !crate::model::Zone::valid_name(id) {
            return Err(LinkError::Request {
                url: self.inner.base.clone(),
                message: format!("{id:?} is not a node id"),
            });
        }
        let path = format!("/gateway/v1/nodes/{id}/seeded");
        self.post(&path, run, Retry::Reads).await
    }

    /// Tells the director that the copies moved systems left on node `id`
    /// as `local_ids` were deleted there, in requests of at most
    /// [`CopiesDeleted::MAX`]; what it did with them. Sent again when an
    /// answer was lost: a copy forgotten already is `unknown` then.
    pub async fn copies_deleted(
        &self,
        id: &str,
        local_ids: &[i32],
    ) -> Result<CopiesForgotten, LinkError> {
        if !crate::model::Zone::valid_name(id) {
            return Err(LinkError::Request {
                url: self.inner.base.clone(),
                message: format!("{id:?} is not a node id"),
            });
        }
        let path = format!("/gateway/v1/nodes/{id}/copies-deleted");
        let mut all = CopiesForgotten::default();
        for chunk in local_ids.chunks(CopiesDeleted::MAX) {
            let body = CopiesDeleted {
                local_ids: chunk.to_vec(),
            };
            let answer: CopiesForgotten = self.post(&path, &body, Retry::Reads).await?;
            all.forgotten.extend(answer.forgotten);
            all.systems.extend(answer.systems);
            all.unknown.extend(answer.unknown);
        }
        Ok(all)
    }

    /// Posts `body` to `path` and reads the answer, trying again after
    /// [`BACKOFF`] when the failure is one `retry` allows.
    async fn post<Q: Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &Q,
        retry: Retry,
    ) -> Result<A, LinkError> {
        let mut waits = BACKOFF.iter();
        loop {
            let failure = match self.attempt(path, body).await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            match waits.next() {
                Some(wait) if failure.may_retry(retry) => {
                    tracing::debug!(director = %self.inner.base, path, cause = %failure.message, "director request failed; trying again");
                    tokio::time::sleep(*wait).await;
                }
                _ => {
                    return Err(LinkError::Request {
                        url: self.inner.base.clone(),
                        message: failure.message,
                    });
                }
            }
        }
    }

    async fn attempt<Q: Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &Q,
    ) -> Result<A, Failure> {
        let response = self
            .inner
            .http
            .post(format!("{}{path}", self.inner.base))
            .header(AUTHORIZATION, self.inner.authorization.clone())
            .json(body)
            .send()
            .await
            .map_err(Failure::from_reqwest)?;
        let status = response.status();
        let bytes = read_capped(response).await.map_err(|f| Failure {
            message: format!("{path}: {}", f.message),
            ..f
        })?;
        if !status.is_success() {
            let said = serde_json::from_slice::<crate::api::ErrorBody>(&bytes)
                .map(|b| b.error)
                .unwrap_or_else(|_| "no error message".to_owned());
            return Err(Failure {
                message: format!("{path}: HTTP {}: {said}", status.as_u16()),
                unsent: false,
                transient: matches!(status.as_u16(), 502..=504),
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| Failure {
            message: format!("{path}: unexpected answer: {e}"),
            unsent: false,
            transient: false,
        })
    }
}

/// How long to wait before each new try of a failed request: a director
/// restarting, or a store hiccup, is ridden over for about 1.3 s; then
/// the failure is the caller's.
const BACKOFF: [Duration; 3] = [
    Duration::from_millis(100),
    Duration::from_millis(300),
    Duration::from_millis(900),
];

/// Which failed requests are tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Only a request the director never received (the connection was
    /// refused or reset while connecting): safe for any request, writes
    /// included.
    Unsent,
    /// Also a request whose answer was lost (connection closed) or that
    /// the director answered 502, 503 or 504: only for requests that
    /// change nothing. Never a timeout: it would multiply the wait.
    Reads,
}

/// One failed try of a request.
struct Failure {
    /// What failed (never a request body).
    message: String,
    /// The director never received the request.
    unsent: bool,
    /// The failure may pass: a lost answer or a 502/503/504.
    transient: bool,
}

impl Failure {
    fn from_reqwest(e: reqwest::Error) -> Failure {
        let timeout = e.is_timeout();
        Failure {
            unsent: e.is_connect() && !timeout,
            transient: !timeout,
            message: describe_reqwest(e),
        }
    }

    fn may_retry(&self, retry: Retry) -> bool {
        self.unsent || (retry == Retry::Reads && self.transient)
    }
}

/// The answer's body, refused beyond [`MAX_ANSWER`] bytes.
async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, Failure> {
    let too_large = || Failure {
        message: format!("the answer exceeds {} MiB", MAX_ANSWER >> 20),
        unsent: false,
        transient: false,
    };
    let declared = response.content_length().unwrap_or(0);
    if declared > MAX_ANSWER as u64 {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    // A cut-off answer is a lost one: retried for reads only.
    let cut_off = |e: reqwest::Error| Failure {
        message: describe_reqwest(e),
        unsent: false,
        transient: true,
    };
    while let Some(chunk) = response.chunk().await.map_err(cut_off)? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A reqwest error with its causes, without the URL (it could hold
/// credentials); never a body.
fn describe_reqwest(e: reqwest::Error) -> String {
    crate::cli::error::cause_chain(&e.without_url())
}

/// The store engine of a [`DirectorLink`]: every operation is one request
/// to the director, which runs it on its own store.
#[derive(Debug)]
pub struct RemoteEngine {
    link: DirectorLink,
}

impl RemoteEngine {
    async fn run(&self, op: StoreOp) -> Result<StoreOutcome, StoreError> {
        // A write whose answer was lost may have been applied: sending it
        // again could undo a later writer's value or see its own write as
        // a conflict.
        let retry = match op {
            StoreOp::Get { .. } | StoreOp::Scan { .. } => Retry::Reads,
            _ => Retry::Unsent,
        };
        self.link
            .post("/gateway/v1/store", &op, retry)
            .await
            .map_err(|e| StoreError::Remote {
                endpoint: self.link.url().to_owned(),
                message: match e {
                    LinkError::Request { message, .. } => message,
                    other => other.to_string(),
                },
            })
    }

    fn unexpected(&self, outcome: &StoreOutcome) -> StoreError {
        StoreError::Remote {
            endpoint: self.link.url().to_owned(),
            message: format!("unexpected answer {outcome:?}"),
        }
    }
}

#[async_trait]
impl Engine for RemoteEngine {
    fn describe(&self) -> String {
        format!("director store at {}", self.link.url())
    }

    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self
            .run(StoreOp::Get {
                key: B64(key.to_vec()),
            })
            .await?
        {
            StoreOutcome::Value { value } => Ok(value.map(|v| v.0)),
            other => Err(self.unexpected(&other)),
        }
    }

    async fn put(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let op = StoreOp::Put {
            key: B64(key.to_vec()),
            value: B64(value.to_vec()),
        };
        match self.run(op).await? {
            StoreOutcome::Done => Ok(()),
            other => Err(self.unexpected(&other)),
        }
    }

    async fn delete(&self, key: &[u8]) -> Result<(), StoreError> {
        match self
            .run(StoreOp::Delete {
                key: B64(key.to_vec()),
            })
            .await?
        {
            StoreOutcome::Done => Ok(()),
            other => Err(self.unexpected(&other)),
        }
    }

    async fn scan_prefix(
        &self,
        prefix: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        let op = StoreOp::Scan {
            prefix: B64(prefix.to_vec()),
            limit: (limit != usize::MAX).then(|| u64::try_from(limit).unwrap_or(u64::MAX)),
        };
        match self.run(op).await? {
            StoreOutcome::Pairs { pairs } => {
                Ok(pairs.into_iter().map(|p| (p.key.0, p.value.0)).collect())
            }
            other => Err(self.unexpected(&other)),
        }
    }

    async fn transact(&self, txn: Txn) -> Result<CasResult<Conflict>, StoreError> {
        let op = StoreOp::Transact {
            checks: txn
                .checks()
                .iter()
                .map(|c| WireCheck {
                    key: B64(c.key.clone()),
                    expected: c.expected.clone().map(B64),
                })
                .collect(),
            writes: txn
                .writes()
                .iter()
                .map(|w| WireWrite {
                    key: B64(w.key.clone()),
                    value: w.value.clone().map(B64),
                })
                .collect(),
        };
        match self.run(op).await? {
            StoreOutcome::Applied => Ok(Ok(())),
            StoreOutcome::Conflict { key, current } => Ok(Err(Conflict {
                key: key.0,
                current: current.map(|v| v.0),
            })),
            other => Err(self.unexpected(&other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_read_as_documented() {
        let op: StoreOp = serde_json::from_str(r#"{"op":"scan","prefix":"bm9kZS8="}"#).unwrap();
        assert_eq!(
            op,
            StoreOp::Scan {
                prefix: B64(b"node/".to_vec()),
                limit: None
            }
        );
        let op: StoreOp = serde_json::from_str(
            r#"{"op":"transact","checks":[{"key":"YQ=="}],"writes":[{"key":"YQ==","value":"Yg=="}]}"#,
        )
        .unwrap();
        assert_eq!(
            op,
            StoreOp::Transact {
                checks: vec![WireCheck {
                    key: B64(b"a".to_vec()),
                    expected: None
                }],
                writes: vec![WireWrite {
                    key: B64(b"a".to_vec()),
                    value: Some(B64(b"b".to_vec()))
                }],
            }
        );
        let err = serde_json::from_str::<StoreOp>(r#"{"op":"get","key":"not base64!"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not base64"), "{err}");
    }

    #[test]
    fn links_refuse_what_they_cannot_use() {
        assert!(matches!(
            DirectorLink::new("director:8180", "t", None),
            Err(LinkError::BadUrl(_))
        ));
        assert!(matches!(
            DirectorLink::new("ftp://director", "t", None),
            Err(LinkError::BadUrl(_))
        ));
        assert!(matches!(
            DirectorLink::new("http://director", "bad\ntoken", None),
            Err(LinkError::BadToken)
        ));
        assert!(matches!(
            DirectorLink::new("http://director", "t", Some(b"no pem here")),
            Err(LinkError::BadCa)
        ));
        let err = DirectorLink::new("https://gw:pa55word@director:8180", "t", None)
            .unwrap_err()
            .to_string();
        assert!(
            !err.contains("pa55word") && err.contains("<redacted>@director"),
            "{err}"
        );
        let link = DirectorLink::new("http://director:8180/", "s3cret", None).unwrap();
        assert_eq!(link.url(), "http://director:8180");
        assert!(!format!("{link:?}").contains("s3cret"));
        assert!(link.exposes_token());
        for local in [
            "http://127.0.0.1:8180",
            "http://[::1]:8180",
            "http://localhost",
            "https://director",
        ] {
            assert!(
                !DirectorLink::new(local, "t", None).unwrap().exposes_token(),
                "{local}"
            );
        }
    }

    /// How a fake director treats each request it reads.
    #[derive(Clone, Copy)]
    enum Fake {
        /// Answers 503, as the director does when its store fails.
        Unavailable,
        /// Closes the connection without an answer: the request may have
        /// been applied, the answer is lost.
        LosesTheAnswer,
    }

    /// A fake director on a free port; answers its URL and the count of
    /// requests it has read in full.
    async fn fake_director(fake: Fake) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let count = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&count);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    // One request per connection: its head, then as many
                    // body bytes as it declares.
                    let mut read = Vec::new();
                    let mut buf = [0_u8; 4096];
                    let body_end = loop {
                        let Ok(n) = stream.read(&mut buf).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        read.extend_from_slice(&buf[..n]);
                        let Some(head) = read.windows(4).position(|w| w == b"\r\n\r\n") else {
                            continue;
                        };
                        let text = String::from_utf8_lossy(&read[..head]).to_ascii_lowercase();
                        let length: usize = text
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        break head + 4 + length;
                    };
                    while read.len() < body_end {
                        match stream.read(&mut buf).await {
                            Ok(n) if n > 0 => read.extend_from_slice(&buf[..n]),
                            _ => return,
                        }
                    }
                    seen.fetch_add(1, Ordering::SeqCst);
                    if let Fake::Unavailable = fake {
                        let body = r#"{"error":"the store is unavailable"}"#;
                        let answer = format!(
                            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = stream.write_all(answer.as_bytes()).await;
                    }
                });
            }
        });
        (url, count)
    }

    /// A write whose answer was lost or refused with 503 may have been
    /// applied: it is sent once. A read is tried again after each wait of
    /// the back-off.
    #[tokio::test]
    async fn writes_are_sent_once_reads_are_tried_again() {
        use std::sync::atomic::Ordering;

        for fake in [Fake::Unavailable, Fake::LosesTheAnswer] {
            let (url, count) = fake_director(fake).await;
            let store = DirectorLink::new(&url, "t", None).unwrap().store();

            let err = store.put(b"sys/1", b"v").await.unwrap_err().to_string();
            assert_eq!(count.load(Ordering::SeqCst), 1, "put: {err}");
            store
                .transact(Txn::new().put(b"sys/1", b"w"))
                .await
                .unwrap_err();
            assert_eq!(count.load(Ordering::SeqCst), 2, "transact");
            store.delete(b"sys/1").await.unwrap_err();
            assert_eq!(count.load(Ordering::SeqCst), 3, "delete");

            let err = store.get(b"sys/1").await.unwrap_err().to_string();
            assert_eq!(
                count.load(Ordering::SeqCst),
                3 + 1 + BACKOFF.len(),
                "get: {err}"
            );
            if let Fake::Unavailable = fake {
                assert!(err.contains("HTTP 503: the store is unavailable"), "{err}");
            }
        }
    }
}
