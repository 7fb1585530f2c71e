//! Change capture from the node's PostgreSQL through an outbox.
//!
//! Triggers (`sql/capture.sql`) write each change into
//! `suma_cluster_outbox` in the same transaction as the change, and
//! `NOTIFY suma_cluster_outbox`. The publisher here reads the rows not
//! published yet in id order — on start, on every NOTIFY and every
//! `poll_secs` — sends each to the director (see [`event`]) and marks a
//! batch published only after the bus acknowledged every event in it.
//!
//! * **Nothing lost**: a row stays unpublished until its event is stored on
//!   the bus; while nodectl, the database or the bus is down, rows wait in
//!   the outbox.
//! * **Nothing twice**: a crash between the bus's ack and the mark sends
//!   the batch again on restart, with the same idempotency keys
//!   (`<node>:<outbox id>`): JetStream drops copies it has seen within its
//!   de-duplication window (`NatsBus::EVENT_DEDUP_WINDOW`, 24 h). A node
//!   that stays down longer than that between the ack and the mark would
//!   publish those events again; the director applies node events
//!   idempotently, so such a copy changes nothing.
//! * **Order**: ids are taken at insert, rows become visible at commit, so
//!   a transaction committing late may be published after a higher id.
//! * **One publisher**: a session advisory lock; a second nodectl on the
//!   same database waits.

pub mod db;
pub mod event;
pub mod outbox;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

pub use self::db::Database;
pub use self::outbox::OutboxRow;

use crate::Result;
use crate::config::DatabaseConfig;
use crate::shutdown::Shutdown;
use crate::uplink::{Delivery, Uplink};

/// Longest pause between attempts after a failure.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Publishes the outbox until shutdown, reconnecting after failures.
/// `ready` is sent once the capture is installed and listening.
pub async fn run(
    database: Database,
    config: DatabaseConfig,
    node: String,
    uplink: Arc<Uplink>,
    mut shutdown: Shutdown,
    mut ready: Option<oneshot::Sender<()>>,
) {
    let mut backoff = Duration::from_secs(1);
    loop {
        match session(
            &database,
            &config,
            &node,
            &uplink,
            &mut shutdown,
            &mut ready,
        )
        .await
        {
            Ok(()) => return,
            Err(e) => tracing::warn!(cause = %e, retry_in = ?backoff, "change capture interrupted"),
        }
        if !shutdown.sleep(backoff).await {
            return;
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One database connection's life: returns `Ok` on shutdown.
async fn session(
    database: &Database,
    config: &DatabaseConfig,
    node: &str,
    uplink: &Uplink,
    shutdown: &mut Shutdown,
    ready: &mut Option<oneshot::Sender<()>>,
) -> Result<()> {
    let conn = database.connect().await?;
    if config.install_capture {
        outbox::install(&conn.client).await?;
    }
    let poll = Duration::from_secs_f64(config.poll_secs);
    let mut told = false;
    while !outbox::try_lock(&conn.client).await? {
        if !told {
            tracing::warn!("another publisher holds the outbox lock; waiting");
            told = true;
        }
        if !shutdown.sleep(poll).await {
            return Ok(());
        }
    }
    outbox::listen(&conn.client).await?;
    tracing::info!("change capture listening");
    if let Some(ready) = ready.take() {
        let _ = ready.send(());
    }
    let mut backoff = Duration::from_secs(1);
    loop {
        let wait = match drain(&conn.client, config.batch, node, uplink).await? {
            true => {
                backoff = Duration::from_secs(1);
                poll
            }
            // The uplink failed: try again later, not on the next NOTIFY.
            false => {
                let wait = backoff;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                wait
            }
        };
        if conn.client.is_closed() {
            return Err(crate::Error::Disconnected("database"));
        }
        tokio::select! {
            () = shutdown.fired() => return Ok(()),
            () = conn.notified.notified(), if wait == poll => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Publishes every pending row, a batch at a time. Returns `false` when the
/// uplink failed (the rows acknowledged before that are marked).
async fn drain(
    client: &tokio_postgres::Client,
    batch: u32,
    node: &str,
    uplink: &Uplink,
) -> Result<bool> {
    loop {
        let rows = outbox::pending(client, batch).await?;
        let mut done = Vec::with_capacity(rows.len());
        let mut failed = false;
        let mut duplicates = 0;
        for row in &rows {
            let out = event::outgoing(node, uplink.subjects(), row);
            match uplink.deliver(&out).await {
                Ok(delivery) => {
                    match delivery {
                        Delivery::Stored {
                            duplicate: true, ..
                        } => duplicates += 1,
                        Delivery::Skipped => {
                            tracing::debug!(outbox_id = row.id, topic = %row.topic, "no bus: change not sent")
                        }
                        _ => {}
                    }
                    done.push(row.id);
                }
                Err(e) => {
                    tracing::warn!(outbox_id = row.id, cause = %e, "event not acknowledged; kept in the outbox");
                    failed = true;
                    break;
                }
            }
        }
        outbox::mark_published(client, &done).await?;
        if duplicates > 0 {
            tracing::info!(
                duplicates,
                "events the stream had already (sent before a restart) were not stored again"
            );
        }
        if !done.is_empty() {
            tracing::debug!(
                published = done.len(),
                duplicates,
                last = done.last().copied().unwrap_or_default(),
                "outbox events published"
            );
        }
        if failed {
            return Ok(false);
        }
        if rows.len() < batch as usize {
            return Ok(true);
        }
    }
}
