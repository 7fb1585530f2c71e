//! The agent: everything nodectl does on a node, together, until shutdown.

use std::sync::Arc;
use std::time::Duration;

use director::bus::Bus;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::capture::{self, Database};
use crate::config::Config;
use crate::directives::{self, Handler};
use crate::keys::NodeKey;
use crate::shutdown::Shutdown;
use crate::uplink::{self, HttpApi, Uplink};
use crate::{Error, Result};

/// How long the parts get to finish after shutdown before they are cut.
const GRACE: Duration = Duration::from_secs(10);

/// Runs the agent for `config` until `shutdown`: loads (or creates) the node
/// key, registers the node when configured (retrying in the background),
/// connects to the bus (retrying), then heartbeats, follows directives and
/// publishes the outbox. `ready` is sent once all of that is up (the
/// capture installed and listening).
pub async fn run(config: Config, mut shutdown: Shutdown, ready: oneshot::Sender<()>) -> Result<()> {
    let config = Arc::new(config);
    let key = NodeKey::load_or_create(&config.key_file())?;
    let public_key = key.public_key_base64();
    let http = HttpApi::from_config(&config)?;
    let database = config
        .database
        .as_ref()
        .map(Database::from_config)
        .transpose()?;
    let mut tasks = JoinSet::new();
    if let (Some(register), Some(api)) = (config.register.clone(), http.clone()) {
        let (node, key, shutdown) = (config.node_id.clone(), public_key.clone(), shutdown.clone());
        tasks.spawn(register_node(api, node, register, key, shutdown));
    }
    let bus: Option<Arc<dyn Bus>> = match &config.director.bus_url {
        Some(url) => match uplink::connect_bus(url, &config.node_id, &mut shutdown).await {
            Some(bus) => Some(Arc::new(bus)),
            None => return Ok(()),
        },
        None => None,
    };
    let uplink = Arc::new(Uplink::new(&config.node_id, bus.clone(), http));
    tasks.spawn(uplink::heartbeats(
        uplink.clone(),
        config.clone(),
        public_key,
        database.clone(),
        shutdown.clone(),
    ));
    if let Some(bus) = bus {
        let handler = Handler {
            config: config.clone(),
            key,
        };
        tasks.spawn(directives::run(
            bus,
            handler,
            uplink.clone(),
            shutdown.clone(),
        ));
    }
    let (captured, capture_ready) = oneshot::channel();
    match (database, &config.database) {
        (Some(db), Some(db_config)) => {
            tasks.spawn(capture::run(
                db,
                db_config.clone(),
                config.node_id.clone(),
                uplink,
                shutdown.clone(),
                Some(captured),
            ));
        }
        _ => {
            let _ = captured.send(());
        }
    }
    tokio::select! {
        () = shutdown.fired() => {}
        _ = capture_ready => {
            tracing::info!(node = %config.node_id, "nodectl running");
            let _ = ready.send(());
            shutdown.fired().await;
        }
    }
    tracing::info!("shutting down");
    let drained =
        tokio::time::timeout(GRACE, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(grace = ?GRACE, "parts still busy after the grace period; cut");
        tasks.abort_all();
    }
    Ok(())
}

/// Registers the node, retrying (1 s doubling to 60 s) while the director
/// cannot be reached; a refusal other than "exists" is logged and ends it.
async fn register_node(
    api: HttpApi,
    node: String,
    register: crate::config::Register,
    public_key: String,
    mut shutdown: Shutdown,
) {
    let mut wait = Duration::from_secs(1);
    loop {
        match api.register(&node, &register, &public_key).await {
            Ok(true) => return tracing::info!(node = %node, "registered with the director"),
            Ok(false) => return tracing::info!(node = %node, "already registered"),
            Err(Error::Director { reason, .. }) if reason.starts_with("registration answered") => {
                return tracing::error!(node = %node, cause = %reason, "registration refused");
            }
            Err(e) => tracing::warn!(cause = %e, retry_in = ?wait, "registration failed"),
        }
        if !shutdown.sleep(wait).await {
            return;
        }
        wait = (wait * 2).min(Duration::from_secs(60));
    }
}
