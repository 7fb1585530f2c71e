//! Heartbeats: every interval, the node's load (managed systems and the
//! one-minute load average) and its public key, to the director.

use std::sync::Arc;

use director::cluster::Heartbeat;
use director::model::NodeLoad;

use super::Uplink;
use crate::capture::Database;
use crate::config::Config;
use crate::shutdown::Shutdown;

/// The one-minute load average from `/proc/loadavg` (0 where there is none).
pub fn load_avg() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// Sends heartbeats until shutdown. Managed systems come from the
/// configuration, else from `rhnServer` through `database` (the last count
/// is kept while the database is away), else 0.
pub async fn run(
    uplink: Arc<Uplink>,
    config: Arc<Config>,
    public_key: String,
    database: Option<Database>,
    mut shutdown: Shutdown,
) {
    let mut tick = tokio::time::interval(config.heartbeat_interval());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut systems = config.heartbeat.systems.unwrap_or(0);
    loop {
        tokio::select! {
            () = shutdown.fired() => return,
            _ = tick.tick() => {}
        }
        if config.heartbeat.systems.is_none()
            && let Some(db) = &database
        {
            match db.count_systems().await {
                Ok(n) => systems = n,
                Err(e) => {
                    tracing::warn!(cause = %e, "cannot count systems; sending the last count")
                }
            }
        }
        let beat = Heartbeat {
            node: config.node_id.clone(),
            load: NodeLoad {
                systems,
                load_avg: load_avg(),
            },
            public_key: Some(public_key.clone()),
        };
        if let Err(e) = uplink.heartbeat(&beat).await {
            tracing::warn!(cause = %e, "heartbeat not sent");
        }
    }
}
