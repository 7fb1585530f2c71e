//! [`Gateway`]: what every request shares — configuration, the directory,
//! the node clients, metrics and the placer.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use xmlrpc::{MethodCall, MethodResponse};

use crate::config::GatewayConfig;
use crate::directory::Directory;
use crate::route::{self, FirstHealthy, Placer, Reply};
use crate::upstream::Upstreams;
use crate::upstream::metrics::Metrics;

/// The gateway: routes XML-RPC calls over the cluster.
#[derive(Debug)]
pub struct Gateway {
    cfg: GatewayConfig,
    directory: Arc<Directory>,
    upstreams: Upstreams,
    metrics: Arc<Metrics>,
    placer: Arc<dyn Placer>,
    versions: route::VersionCache,
    shared_read_turn: AtomicUsize,
}

impl Gateway {
    /// A gateway over `directory` with the default placer.
    pub fn new(cfg: GatewayConfig, directory: Arc<Directory>) -> Gateway {
        let metrics = Arc::new(Metrics::default());
        Gateway {
            upstreams: Upstreams::new(cfg.upstream.clone(), cfg.breaker.clone(), metrics.clone()),
            cfg,
            directory,
            metrics,
            placer: Arc::new(FirstHealthy),
            versions: route::VersionCache::default(),
            shared_read_turn: AtomicUsize::new(0),
        }
    }

    /// Uses `placer` for new systems (the director's, when embedded).
    pub fn with_placer(mut self, placer: Arc<dyn Placer>) -> Gateway {
        self.placer = placer;
        self
    }

    /// Answers one call as `/rpc/api` does (strings are trimmed here).
    pub async fn call(&self, mut call: MethodCall) -> MethodResponse {
        call.trim_string_params();
        let (class, answer) = route::handle(self, call).await;
        self.metrics.request(class, answer.is_err());
        answer
    }

    /// Answers one call for the wire, as `/rpc/api` sends it (strings
    /// are trimmed here): a fan-out of lists comes back as the encoded
    /// document, merged from the nodes' own bytes and written as the client
    /// reads it; everything else as the value [`Gateway::call`] answers.
    pub async fn answer(&self, mut call: MethodCall) -> Reply {
        call.trim_string_params();
        let (class, reply) = route::handle_wire(self, call).await;
        self.metrics
            .request(class, matches!(reply, Reply::Value(Err(_))));
        reply
    }

    /// The configuration.
    pub fn config(&self) -> &GatewayConfig {
        &self.cfg
    }

    /// The directory.
    pub fn directory(&self) -> &Arc<Directory> {
        &self.directory
    }

    /// The metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The node clients.
    pub fn upstreams(&self) -> &Upstreams {
        &self.upstreams
    }

    /// The API release the gateway presents.
    pub fn release(&self) -> spec::Release {
        self.cfg.release.0
    }

    /// The gateway's zone: configured, else the first node's.
    pub fn zone(&self) -> Option<String> {
        self.cfg
            .zone
            .clone()
            .or_else(|| self.directory.nodes().first().map(|n| n.zone.clone()))
    }

    pub(crate) fn placer(&self) -> &Arc<dyn Placer> {
        &self.placer
    }

    pub(crate) fn versions(&self) -> &route::VersionCache {
        &self.versions
    }

    pub(crate) fn shared_read_turn(&self) -> &AtomicUsize {
        &self.shared_read_turn
    }
}
