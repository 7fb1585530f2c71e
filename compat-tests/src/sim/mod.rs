//! The SUSE Manager node simulator.
//!
//! One [`Node`] answers `/rpc/api` as one SUSE Manager server would, for the
//! methods it models (see [`handlers`]), with the real server's faults for
//! everything else. Its data is seeded from a [`SimConfig`]; while it runs,
//! systems can be registered and removed through the simulator's own side
//! endpoint ([`side`]), which is not part of the SUSE Manager API.

mod clock;
mod dispatch;
mod faults;
pub mod handlers;
pub mod model;
mod seed;
pub mod session;
pub mod side;
mod unmodeled;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tokio::net::TcpListener;

pub use model::NodeData;
pub use seed::SeedSpec;

/// What a simulated node is started with.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Node name (part of every seeded system's host name).
    pub name: String,
    /// Zone name: nodes of one zone share channels, packages, users, keys.
    pub zone: String,
    /// Number of seeded systems.
    pub systems: usize,
    /// Seed for the systems.
    pub seed: u64,
    /// Administrator login.
    pub user: String,
    /// Administrator password.
    pub password: String,
    /// The SUSE Manager release the node behaves as.
    pub release: spec::Release,
    /// Parser limits for requests.
    pub limits: xmlrpc::Limits,
    /// Time `auth.login` takes on the server side (a real SUSE Manager
    /// spends tens of milliseconds there: password hashing, session
    /// write); zero answers at once.
    pub login_delay: std::time::Duration,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            name: "node1".to_owned(),
            zone: "default".to_owned(),
            systems: 100,
            seed: 1,
            user: "admin".to_owned(),
            password: "admin".to_owned(),
            release: spec::Release::Master,
            limits: xmlrpc::Limits::REQUEST,
            login_delay: std::time::Duration::ZERO,
        }
    }
}

/// What a node holds of the content made on every node, each id to its
/// label or name (a crypto key, which has no id in the API, by its
/// description; an external group map or a snippet by its name)
/// ([`Node::custom_content`]).
#[derive(Debug, Clone, Default)]
pub struct CustomNames {
    /// Repositories, id to label.
    pub repositories: BTreeMap<i32, String>,
    /// Content filters, id to name.
    pub filters: BTreeMap<i32, String>,
    /// Configuration channels, id to label.
    pub config_channels: BTreeMap<i32, String>,
    /// Custom system information keys, id to label.
    pub custom_info_keys: BTreeMap<i32, String>,
    /// Crypto keys (GPG and SSL; the API shows them no id), by
    /// description, to their type.
    pub crypto_keys: BTreeMap<String, String>,
    /// External group to role maps (no id in the API), by name, to their
    /// roles as the API shows them.
    pub external_role_maps: BTreeMap<String, Vec<String>>,
    /// External group to system group maps (no id in the API), by name,
    /// to their system groups' names.
    pub external_group_maps: BTreeMap<String, Vec<String>>,
    /// Maintenance calendars, id to label.
    pub maintenance_calendars: BTreeMap<i32, String>,
    /// Maintenance schedules, id to name.
    pub maintenance_schedules: BTreeMap<i32, String>,
    /// Custom kickstart snippets (no id in the API), by name, to their
    /// contents.
    pub kickstart_snippets: BTreeMap<String, String>,
}

/// One simulated SUSE Manager node: its configuration, data and sessions.
#[derive(Debug)]
pub struct Node {
    config: SimConfig,
    data: RwLock<NodeData>,
    sessions: session::Sessions,
}

impl Node {
    /// Seeds a node from its configuration.
    pub fn new(config: SimConfig) -> Node {
        let data = seed::seed(&SeedSpec {
            name: config.name.clone(),
            zone: config.zone.clone(),
            systems: config.systems,
            seed: config.seed,
            user: config.user.clone(),
            password: config.password.clone(),
            now: clock::now_secs(),
        });
        let mut secret = [0u8; 32];
        let mut rng = seed::SplitMix64::new(config.seed ^ clock::now_secs() as u64);
        for chunk in secret.chunks_mut(8) {
            chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
        }
        // Session ids start somewhere different on every node, as the
        // sequences of separate databases would.
        let first_session = 1 + rng.below(9_000_000);
        Node {
            config,
            data: RwLock::new(data),
            sessions: session::Sessions::new(secret, first_session),
        }
    }

    /// The node's configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Answers one XML-RPC method call (including `system.multicall`).
    pub fn call(&self, call: &xmlrpc::MethodCall) -> xmlrpc::MethodResponse {
        dispatch::call(self, call)
    }

    /// The systems the node holds now, as its side endpoint shows them
    /// (in id order). The demo onboards them into its director with this.
    pub fn systems(&self) -> Vec<side::SystemInfo> {
        self.read()
            .systems
            .values()
            .map(|s| side::SystemInfo {
                id: s.id,
                minion_id: s.minion_id.clone(),
                machine_id: s.machine_id.clone(),
                hostname: s.hostname.clone(),
            })
            .collect()
    }

    /// The packages each scheduled action names, by action id, as
    /// `name-version-release.arch` (tests check which packages a call
    /// reached the node with).
    pub fn scheduled_packages(&self) -> Vec<(i32, Vec<String>)> {
        self.scheduled(|data, a| {
            a.package_ids
                .iter()
                .filter_map(|id| data.packages.get(id))
                .map(|p| format!("{}-{}-{}.{}", p.name, p.version, p.release, p.arch))
                .collect()
        })
    }

    /// The advisory names of the errata each scheduled action applies, by
    /// action id (tests check which errata a call reached the node with).
    pub fn scheduled_errata(&self) -> Vec<(i32, Vec<String>)> {
        self.scheduled(|data, a| {
            a.errata_ids
                .iter()
                .filter_map(|id| data.errata.get(id))
                .map(|e| e.advisory.clone())
                .collect()
        })
    }

    /// The labels of the child channels system `sid` is subscribed to
    /// (tests check which channels a call reached the node with); `None`
    /// for a system the node does not hold.
    pub fn child_channels(&self, sid: i32) -> Option<Vec<String>> {
        let data = self.read();
        let system = data.systems.get(&sid)?;
        Some(
            data.child_channels(system)
                .into_iter()
                .map(|c| c.label.clone())
                .collect(),
        )
    }

    /// The node's repositories, content filters, configuration channels,
    /// custom information keys, crypto keys, external group maps,
    /// maintenance calendars and schedules and kickstart snippets, each by
    /// id or name (tests check which ones a call reached the node with).
    pub fn custom_content(&self) -> CustomNames {
        let data = self.read();
        let custom = &data.custom;
        CustomNames {
            repositories: custom
                .repositories
                .values()
                .map(|r| (r.id, r.label.clone()))
                .collect(),
            filters: custom
                .filters
                .values()
                .map(|f| (f.id, f.name.clone()))
                .collect(),
            config_channels: custom
                .config_channels
                .values()
                .map(|c| (c.id, c.label.clone()))
                .collect(),
            custom_info_keys: custom
                .custom_info_keys
                .values()
                .map(|k| (k.id, k.label.clone()))
                .collect(),
            crypto_keys: custom
                .crypto_keys
                .values()
                .map(|k| (k.description.clone(), k.kind.clone()))
                .collect(),
            external_role_maps: custom
                .external_role_maps
                .values()
                .map(|m| (m.name.clone(), m.shown_roles()))
                .collect(),
            external_group_maps: custom
                .external_group_maps
                .values()
                .map(|m| {
                    let groups = data
                        .groups
                        .values()
                        .filter(|g| m.group_ids.contains(&g.id))
                        .map(|g| g.name.clone())
                        .collect();
                    (m.name.clone(), groups)
                })
                .collect(),
            maintenance_calendars: custom
                .calendars
                .values()
                .map(|c| (c.id, c.label.clone()))
                .collect(),
            maintenance_schedules: custom
                .schedules
                .values()
                .map(|s| (s.id, s.name.clone()))
                .collect(),
            kickstart_snippets: custom.snippets.clone(),
        }
    }

    /// The node's source packages, each id to the source RPM's file name
    /// (tests check which ones a call reached the node with).
    pub fn source_packages(&self) -> BTreeMap<i32, String> {
        self.read().source_packages.clone()
    }

    /// What `names` says of each scheduled action, by action id.
    fn scheduled(
        &self,
        names: impl Fn(&NodeData, &model::Action) -> Vec<String>,
    ) -> Vec<(i32, Vec<String>)> {
        let data = self.read();
        data.actions
            .values()
            .map(|a| (a.id, names(&data, a)))
            .collect()
    }

    pub(crate) fn read(&self) -> RwLockReadGuard<'_, NodeData> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, NodeData> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn sessions(&self) -> &session::Sessions {
        &self.sessions
    }
}

/// The simulator's HTTP routes: `/rpc/api` and the side endpoint.
pub fn router(node: Arc<Node>) -> Router {
    let body_limit = node.config.limits.max_body_bytes;
    Router::new()
        .route(
            "/rpc/api",
            post(dispatch::rpc).get(dispatch::redirect_to_docs),
        )
        .nest("/uyuni-sim/v1", side::routes())
        .route("/", get(dispatch::redirect_to_docs))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(node)
}

/// Serves a node on `listener` until `shutdown` completes.
pub async fn run(
    node: Arc<Node>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(node))
        .with_graceful_shutdown(shutdown)
        .await
}
