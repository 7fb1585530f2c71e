//! [`Gateway`]: what every request shares — configuration, the directory,
//! the node clients, metrics and the placer.

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, OnceLock, Weak};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use xmlrpc::{MethodCall, MethodResponse};

use crate::config::GatewayConfig;
use crate::directory::Directory;
use crate::error::GatewayError;
use crate::route::{self, FirstHealthy, Placer, Reply};
use crate::upstream::Upstreams;
use crate::upstream::metrics::Metrics;

/// The gateway: routes XML-RPC calls over the cluster. A clone is another
/// handle on the same gateway (for work that outlives a request).
#[derive(Debug, Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    cfg: GatewayConfig,
    directory: Arc<Directory>,
    upstreams: Upstreams,
    metrics: Arc<Metrics>,
    placer: Arc<dyn Placer>,
    versions: route::VersionCache,
    shared_read_turn: AtomicUsize,
    /// Turns for fan-out calls (`fanout.max_in_flight`); none: no bound.
    fanout_turns: Option<Arc<Semaphore>>,
    /// The queue of changes staged nodes follow, started on first use.
    follows: OnceLock<route::broadcast::FollowQueue>,
    /// This process's name among the gateways, new at each start: its
    /// follow records are `node-follows/<node>/<instance>`.
    instance: Arc<str>,
    /// The bearer token `/metrics` asks for; none: open.
    metrics_token: Option<director::api::ApiToken>,
}

/// A handle on a [`Gateway`] that does not keep it alive.
#[derive(Debug, Clone)]
pub(crate) struct WeakGateway(Weak<Inner>);

impl WeakGateway {
    /// The gateway, while it is still there.
    pub(crate) fn upgrade(&self) -> Option<Gateway> {
        self.0.upgrade().map(|inner| Gateway { inner })
    }
}

impl Gateway {
    /// A gateway over `directory` with the default placer.
    pub fn new(cfg: GatewayConfig, directory: Arc<Directory>) -> Gateway {
        Gateway::with_parts(cfg, directory, Arc::new(FirstHealthy), None)
    }

    fn with_parts(
        cfg: GatewayConfig,
        directory: Arc<Directory>,
        placer: Arc<dyn Placer>,
        metrics_token: Option<director::api::ApiToken>,
    ) -> Gateway {
        let metrics = Arc::new(Metrics::default());
        let fanout_turns = match cfg.fanout.max_in_flight {
            0 => None,
            n => Some(Arc::new(Semaphore::new(
                n.min(crate::config::MAX_FANOUT_IN_FLIGHT),
            ))),
        };
        Gateway {
            inner: Arc::new(Inner {
                upstreams: Upstreams::new(
                    cfg.upstream.clone(),
                    cfg.breaker.clone(),
                    metrics.clone(),
                ),
                cfg,
                directory,
                metrics,
                placer,
                versions: route::VersionCache::default(),
                shared_read_turn: AtomicUsize::new(0),
                fanout_turns,
                follows: OnceLock::new(),
                instance: format!("gw-{:016x}", rand::random::<u64>()).into(),
                metrics_token,
            }),
        }
    }

    /// Uses `placer` for new systems (the director's, when embedded). A
    /// gateway built anew: call it before any request.
    pub fn with_placer(self, placer: Arc<dyn Placer>) -> Gateway {
        let inner = &self.inner;
        let token = inner.metrics_token.clone();
        Gateway::with_parts(inner.cfg.clone(), inner.directory.clone(), placer, token)
    }

    /// Asks a scraper of `/metrics` for `token` (none: open). A gateway
    /// built anew: call it before any request.
    pub fn with_metrics_token(self, token: Option<director::api::ApiToken>) -> Gateway {
        let inner = &self.inner;
        let placer = inner.placer.clone();
        Gateway::with_parts(inner.cfg.clone(), inner.directory.clone(), placer, token)
    }

    /// The bearer token `/metrics` asks for, if any.
    pub(crate) fn metrics_token(&self) -> Option<&director::api::ApiToken> {
        self.inner.metrics_token.as_ref()
    }

    /// Answers one call as `/rpc/api` does (strings are trimmed here).
    pub async fn call(&self, mut call: MethodCall) -> MethodResponse {
        call.trim_string_params();
        let (class, answer) = route::handle(self, call).await;
        self.inner.metrics.request(class, answer.is_err());
        answer
    }

    /// Answers one call for the wire, as `/rpc/api` sends it (strings
    /// are trimmed here): a fan-out of lists comes back as the encoded
    /// document, merged from the nodes' own bytes and written as the client
    /// reads it, and any other fan-out answer encoded under its turn
    /// (`fanout.max_in_flight`); everything else as the value
    /// [`Gateway::call`] answers.
    pub async fn answer(&self, mut call: MethodCall) -> Reply {
        call.trim_string_params();
        let (class, reply) = route::handle_wire(self, call).await;
        self.inner
            .metrics
            .request(class, matches!(reply, Reply::Value(Err(_))));
        reply
    }

    /// A turn to answer a fan-out call (`fanout.max_in_flight`): at once
    /// while fewer are under way, else when one ends, waiting up to
    /// `fanout.max_wait_ms`; then [`GatewayError::Busy`]. `None`: no bound.
    pub(crate) async fn fanout_turn(&self) -> Result<Option<OwnedSemaphorePermit>, GatewayError> {
        let Some(turns) = &self.inner.fanout_turns else {
            return Ok(None);
        };
        if let Ok(turn) = turns.clone().try_acquire_owned() {
            return Ok(Some(turn));
        }
        self.inner.metrics.fanout_waits();
        let fanout = &self.inner.cfg.fanout;
        match tokio::time::timeout(fanout.max_wait(), turns.clone().acquire_owned()).await {
            Ok(Ok(turn)) => Ok(Some(turn)),
            _ => {
                self.inner.metrics.fanout_refused();
                let under_way = fanout.max_in_flight;
                tracing::warn!(
                    under_way,
                    "a fan-out call found no turn within fanout.max_wait_ms: refused as busy"
                );
                Err(GatewayError::Busy(under_way))
            }
        }
    }

    /// Fan-out calls under way and the bound (`fanout.max_in_flight`; 0:
    /// none), for the metrics.
    pub(crate) fn fanout_in_flight(&self) -> (usize, usize) {
        let max = self.inner.cfg.fanout.max_in_flight;
        match &self.inner.fanout_turns {
            Some(turns) => (max.saturating_sub(turns.available_permits()), max),
            None => (0, 0),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &GatewayConfig {
        &self.inner.cfg
    }

    /// The directory.
    pub fn directory(&self) -> &Arc<Directory> {
        &self.inner.directory
    }

    /// The metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.inner.metrics
    }

    /// The node clients.
    pub fn upstreams(&self) -> &Upstreams {
        &self.inner.upstreams
    }

    /// The API release the gateway presents.
    pub fn release(&self) -> spec::Release {
        self.inner.cfg.release.0
    }

    /// The gateway's zone: configured, else the first node's.
    pub fn zone(&self) -> Option<String> {
        self.inner
            .cfg
            .zone
            .clone()
            .or_else(|| self.inner.directory.nodes().first().map(|n| n.zone.clone()))
    }

    pub(crate) fn placer(&self) -> &Arc<dyn Placer> {
        &self.inner.placer
    }

    pub(crate) fn versions(&self) -> &route::VersionCache {
        &self.inner.versions
    }

    pub(crate) fn downgrade(&self) -> WeakGateway {
        WeakGateway(Arc::downgrade(&self.inner))
    }

    pub(crate) fn follows(&self) -> &OnceLock<route::broadcast::FollowQueue> {
        &self.inner.follows
    }

    /// This process's name among the gateways (`gw-<16 hex digits>`), new
    /// at each start: the last part of its follow records'
    /// keys (`node-follows/<node>/<instance>`).
    pub fn instance(&self) -> &str {
        &self.inner.instance
    }

    pub(crate) fn shared_read_turn(&self) -> &AtomicUsize {
        &self.inner.shared_read_turn
    }
}
