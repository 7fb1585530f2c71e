//! The director's cluster logic over the store and the bus: zones, nodes
//! and their lifecycle, client check-in and placement, moves, drains,
//! rebalances, disaster recovery and health.
//!
//! One [`Director`] is the active brain of a cluster: placement decisions
//! are serialized through it (several gateways may share its store, but run
//! one director per store). Everything it decides is in the store before
//! it is acted on, so a restarted director resumes where it stopped.

mod clients;
mod config;
mod error;
mod events;
mod follows;
mod health;
mod import;
mod moves;
mod nodes;
mod rebalance;
mod status;
#[cfg(test)]
mod tests;
mod types;
mod zones;

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;

use tokio::sync::Mutex;

pub use config::ClusterConfig;
pub use error::{DirectorError, Result};
pub use import::ImportedSystem;
pub use nodes::STAGED_SETTLE_MS;
pub use nodes::read_follows;
pub use types::{
    Assignment, CheckIn, ClusterStatus, FollowHold, FollowRecord, FollowsForgotten, Health,
    Heartbeat, MissedCallRow, MissedCallsForgotten, MoveDirective, NewNode, NodeEvent, NodeFollows,
    NodePatch, NodeShare, NodeStatus, PlannedMove, RebalancePlan,
};

use crate::bus::Bus;
use crate::identity::IdentityMap;
use crate::model::{Client, Keys};
use crate::placement::{PlacementCache, Planner};
use crate::store::Store;

/// How many records one store scan returns at most.
const SCAN_LIMIT: usize = usize::MAX;

/// The director.
pub struct Director {
    store: Store,
    bus: Arc<dyn Bus>,
    config: ClusterConfig,
    identity: IdentityMap,
    planner: Planner,
    cache: PlacementCache,
    /// Serializes placement decisions; holds the clients per node.
    placement: Mutex<Loads>,
    /// The clients per node as [`Director::status`] last read them, or a
    /// drain or rebalance recorded them as it planned its moves, shown
    /// while a placement change holds [`Director::placement`] longer than a
    /// look at the cluster may wait.
    seen_loads: std::sync::Mutex<HashMap<String, u64>>,
    /// Ids of moves not finished yet.
    active_moves: Mutex<BTreeSet<u64>>,
}

impl std::fmt::Debug for Director {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Director")
            .field("store", &self.store.describe())
            .field("bus", &self.bus.describe())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Clients per node (owner), kept in memory under the placement lock.
#[derive(Debug, Default)]
struct Loads {
    by_node: HashMap<String, u64>,
}

impl Loads {
    fn of(clients: &[Client]) -> Loads {
        let mut by_node = HashMap::new();
        for c in clients {
            if let Some(owner) = c.moving_to.as_ref().or(c.owner.as_ref()) {
                *by_node.entry(owner.clone()).or_default() += 1;
            }
        }
        Loads { by_node }
    }
}

impl Director {
    /// A director over `store` and `bus`.
    pub async fn new(store: Store, bus: Arc<dyn Bus>, config: ClusterConfig) -> Result<Director> {
        if !(config.epsilon > 0.0 && config.epsilon.is_finite()) {
            return Err(DirectorError::Invalid(
                "epsilon must be a positive number".into(),
            ));
        }
        let director = Director {
            identity: IdentityMap::new(store.clone()),
            planner: Planner {
                epsilon: config.epsilon,
            },
            cache: PlacementCache::new(16 * 1024 * 1024),
            placement: Mutex::new(Loads::default()),
            seen_loads: std::sync::Mutex::default(),
            active_moves: Mutex::new(BTreeSet::new()),
            store,
            bus,
            config,
        };
        let clients = director.all_clients().await?;
        let loads = Loads::of(&clients);
        *director
            .seen_loads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = loads.by_node.clone();
        *director.placement.lock().await = loads;
        let active: BTreeSet<u64> = director
            .store
            .scan_prefix_json::<crate::model::MoveRecord>("move/", SCAN_LIMIT)
            .await?
            .into_iter()
            .filter(|(_, m)| !m.state.is_final())
            .map(|(_, m)| m.id)
            .collect();
        *director.active_moves.lock().await = active;
        Ok(director)
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The bus.
    pub fn bus(&self) -> &Arc<dyn Bus> {
        &self.bus
    }

    /// The configuration.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// The identity map.
    pub fn identity(&self) -> &IdentityMap {
        &self.identity
    }

    async fn all_clients(&self) -> Result<Vec<Client>> {
        Ok(self
            .store
            .scan_prefix_json::<Client>("client/", SCAN_LIMIT)
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect())
    }

    async fn put_client(&self, client: &Client) -> Result<()> {
        self.store
            .put_json(Keys::client(&client.minion_id), client)
            .await?;
        Ok(())
    }

    /// Runs the director's background work until `shutdown` completes:
    /// heartbeat and node-event consumers on the bus, failure detection,
    /// and the move executor (rate limit, deadlines, retries).
    pub async fn run(self: Arc<Self>, shutdown: impl Future<Output = ()> + Send) -> Result<()> {
        let listeners = events::listen(self.clone()).await?;
        let mut tick = tokio::time::interval(self.config.tick);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                _ = tick.tick() => {
                    if let Err(e) = self.check_health().await {
                        tracing::warn!(cause = %e, "health check failed");
                    }
                    if let Err(e) = self.drive_moves().await {
                        tracing::warn!(cause = %e, "move executor failed");
                    }
                }
            }
        }
        for l in listeners {
            l.abort();
        }
        Ok(())
    }
}

/// NATS-safe subject token for an id that may hold dots (minion ids are
/// often host names): every character NATS gives meaning to becomes `_`.
/// Two ids may share a token; the payload always names the exact id.
pub fn subject_token(id: &str) -> String {
    id.chars()
        .map(|c| match c {
            '.' | '*' | '>' | ' ' | '\t' | '\r' | '\n' => '_',
            c => c,
        })
        .collect()
}
