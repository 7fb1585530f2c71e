//! The demo cluster in one process, on the embedded defaults: simulated
//! SUSE Manager nodes with seeded data, the director (redb store in a
//! state directory, in-process bus) with every node registered and every
//! seeded system onboarded, and the gateway in front, sharing the
//! director's store.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use director::api::ApiTokens;
use director::bus::LocalBus;
use director::cluster::{ClusterConfig, Director, ImportedSystem, NewNode};
use director::model::{NodeState, Zone};
use director::store::Store;
use futures::future::BoxFuture;
use gateway::directory::NodeInfo;
use gateway::route::Placer;
use rand::RngCore;
use tokio::net::TcpListener;

use crate::sim::{Node, SimConfig};

/// What the demo runs.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Where the gateway listens (port 0: a free port).
    pub listen: SocketAddr,
    /// Where the director's API listens (port 0: a free port).
    pub director_listen: SocketAddr,
    /// Simulated nodes.
    pub nodes: usize,
    /// Seeded systems per node.
    pub systems: usize,
    /// Directory for the director's store; a temporary one when `None`.
    pub state_dir: Option<PathBuf>,
}

/// Where the running demo can be reached.
#[derive(Debug, Clone)]
pub struct DemoEndpoints {
    /// The gateway's XML-RPC endpoint.
    pub rpc_url: String,
    /// The gateway's base URL.
    pub gateway_url: String,
    /// The director's base URL.
    pub director_url: String,
    /// Admin token of the director.
    pub admin_token: String,
    /// Client-agent token.
    pub client_token: String,
    /// Node-agent token.
    pub node_token: String,
    /// Gateway token: more gateway processes may join the demo's director
    /// (`gateway --director URL` with it in `$GATEWAY_DIRECTOR_TOKEN`).
    pub gateway_token: String,
    /// The director's metrics token (`/metrics`).
    pub metrics_token: String,
    /// Node id and its simulator's base URL.
    pub nodes: Vec<(String, String)>,
}

/// Why the demo did not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The state directory failed.
    #[error("state directory: {0}")]
    State(#[source] std::io::Error),
    /// The director refused.
    #[error("director: {0}")]
    Director(#[from] director::cluster::DirectorError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] director::store::StoreError),
}

/// The director's placement, for the gateway's `placement` calls.
#[derive(Debug)]
struct DirectorPlacer(Arc<Director>);

impl Placer for DirectorPlacer {
    fn place<'a>(
        &'a self,
        zone: Option<&'a str>,
        candidates: &'a [NodeInfo],
    ) -> BoxFuture<'a, Option<String>> {
        Box::pin(async move {
            let ids: Vec<String> = candidates.iter().map(|n| n.id.to_string()).collect();
            self.0
                .place_unkeyed(zone.unwrap_or("default"), Some(&ids))
                .await
                .ok()
                .flatten()
        })
    }
}

fn token() -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, DemoError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| DemoError::Listen { addr, source })
}

/// Starts everything; `ready` gets the endpoints once every listener is
/// bound and every node onboarded; runs until `shutdown` completes.
pub async fn run(
    options: DemoOptions,
    ready: impl FnOnce(&DemoEndpoints),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), DemoError> {
    let loopback: SocketAddr = ([127, 0, 0, 1], 0).into();
    // Nodes.
    let mut sims = Vec::new();
    let mut tasks = Vec::new();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    for i in 1..=options.nodes {
        let node = Arc::new(Node::new(SimConfig {
            name: format!("node{i}"),
            zone: "default".into(),
            systems: options.systems,
            seed: i as u64,
            ..SimConfig::default()
        }));
        let listener = bind(loopback).await?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(DemoError::State)?
        );
        let serving = crate::sim::run(node.clone(), listener, stopped());
        tasks.push(tokio::spawn(async move {
            if let Err(e) = serving.await {
                tracing::error!(cause = %e, "simulated node stopped");
            }
        }));
        sims.push((format!("node{i}"), url, node));
    }

    // Director on the embedded defaults.
    let (state_dir, _temp) = match &options.state_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(DemoError::State)?;
            (dir.clone(), None)
        }
        None => {
            let temp = tempfile::tempdir().map_err(DemoError::State)?;
            (temp.path().to_owned(), Some(temp))
        }
    };
    let store = Store::open_redb(state_dir.join("director.redb"))?;
    let director = Arc::new(
        Director::new(
            store.clone(),
            Arc::new(LocalBus::new()),
            ClusterConfig::default(),
        )
        .await?,
    );
    if director.get_zone("default").await.is_err() {
        director
            .put_zone(Zone {
                name: "default".into(),
                description: "demo zone".into(),
                labels: Default::default(),
            })
            .await?;
    }
    for (id, url, node) in &sims {
        if director.get_node(id).await.is_ok() {
            continue;
        }
        director
            .add_node(NewNode {
                id: id.clone(),
                zone: "default".into(),
                api_url: format!("{url}/rpc/api"),
                master: Some(format!("{id}.demo.test")),
                weight: None,
                public_key: None,
                state: Some(NodeState::Active),
                // The demo's nodes start together: none served before the
                // others, so nothing was broadcast that one of them lacks.
                unseeded: true,
            })
            .await?;
        let systems = node
            .systems()
            .into_iter()
            .map(|s| ImportedSystem {
                local_id: s.id,
                minion_id: s.minion_id,
                machine_id: Some(s.machine_id),
            })
            .collect();
        director.import_systems(id, systems).await?;
    }
    let tokens = (token(), token(), token(), token(), token());
    let director_listener = bind(options.director_listen).await?;
    let director_addr = director_listener.local_addr().map_err(DemoError::State)?;
    tasks.push(tokio::spawn({
        let director = director.clone();
        let api_tokens = ApiTokens::new(&tokens.0, &tokens.1, &tokens.2)
            .with_gateway(&tokens.3)
            .with_metrics(&tokens.4);
        let stop = stopped();
        async move {
            if let Err(e) =
                director::server::serve_embedded(director, api_tokens, director_listener, stop)
                    .await
            {
                tracing::error!(cause = %e, "director stopped");
            }
        }
    }));

    // Gateway over the director's store.
    let directory = Arc::new(gateway::Directory::from_store(store).await?);
    let gateway_cfg = gateway::GatewayConfig::default();
    let gw = Arc::new(
        gateway::Gateway::new(gateway_cfg, directory)
            .with_placer(Arc::new(DirectorPlacer(director.clone()))),
    );
    let gateway_listener = bind(options.listen).await?;
    let gateway_addr = gateway_listener.local_addr().map_err(DemoError::State)?;
    tasks.push(tokio::spawn({
        let stop = stopped();
        async move {
            if let Err(e) = gateway::serve(gw, gateway_listener, stop).await {
                tracing::error!(cause = %e, "gateway stopped");
            }
        }
    }));

    let endpoints = DemoEndpoints {
        rpc_url: format!("http://{gateway_addr}/rpc/api"),
        gateway_url: format!("http://{gateway_addr}"),
        director_url: format!("http://{director_addr}"),
        admin_token: tokens.0,
        client_token: tokens.1,
        node_token: tokens.2,
        gateway_token: tokens.3,
        metrics_token: tokens.4,
        nodes: sims
            .iter()
            .map(|(id, url, _)| (id.clone(), url.clone()))
            .collect(),
    };
    ready(&endpoints);
    shutdown.await;
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    Ok(())
}
