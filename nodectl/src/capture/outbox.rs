//! The outbox table as nodectl uses it: install the capture SQL, take the
//! publisher lock, read what is not published yet in id order, mark what
//! the bus acknowledged.

use tokio_postgres::Client;

use crate::{Error, Result};

/// The triggers and the outbox table (`sql/capture.sql`), idempotent.
pub const CAPTURE_SQL: &str = include_str!("../../sql/capture.sql");

/// The version `sql/capture.sql` records in `suma_cluster_capture_version`.
pub const CAPTURE_VERSION: i32 = 8;

/// The channel the triggers NOTIFY.
pub const CHANNEL: &str = "suma_cluster_outbox";

/// The session advisory lock only one publisher per database holds.
const PUBLISHER_LOCK: i64 = 0x5355_4d41_0b0c_0001;

#[cfg(test)]
mod tests {
    #[test]
    fn the_script_records_the_version_the_code_expects() {
        let line = format!("VALUES ({})", super::CAPTURE_VERSION);
        assert!(
            super::CAPTURE_SQL.contains(&line),
            "capture.sql must insert {line}"
        );
    }
}

/// One outbox row not published yet.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    /// Its id (the order of the outbox).
    pub id: i64,
    /// `system-registered`, `system-deleted`, `object-deleted`,
    /// `content-deleted`, or
    /// `<table kind>.<op>`.
    pub topic: String,
    /// What the trigger wrote.
    pub payload: serde_json::Value,
}

/// Installs (or updates) the outbox table and triggers unless this version
/// is installed already; returns whether it ran the script. Skipping
/// matters: the script's DDL locks Uyuni's tables.
pub async fn install(client: &Client) -> Result<bool> {
    let installed = client
        .query_opt("SELECT max(version) FROM suma_cluster_capture_version", &[])
        .await;
    match installed {
        Ok(Some(row)) if row.get::<_, Option<i32>>(0) == Some(CAPTURE_VERSION) => {
            return Ok(false);
        }
        // No table yet (an undefined_table error), no row, or another version.
        _ => {}
    }
    client
        .batch_execute(CAPTURE_SQL)
        .await
        .map_err(|e| Error::db("install capture.sql", e))?;
    tracing::info!(version = CAPTURE_VERSION, "capture triggers installed");
    Ok(true)
}

/// Starts receiving the triggers' notifications on this connection.
pub async fn listen(client: &Client) -> Result<()> {
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(|e| Error::db("listen", e))
}

/// Tries to become the database's only publisher (held until this
/// connection ends).
pub async fn try_lock(client: &Client) -> Result<bool> {
    let row = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&PUBLISHER_LOCK])
        .await
        .map_err(|e| Error::db("publisher lock", e))?;
    Ok(row.get(0))
}

/// Up to `limit` rows not published yet, lowest id first.
pub async fn pending(client: &Client, limit: u32) -> Result<Vec<OutboxRow>> {
    let rows = client
        .query(
            "SELECT id, topic, payload::text FROM suma_cluster_outbox \
             WHERE published_at IS NULL ORDER BY id LIMIT $1",
            &[&i64::from(limit)],
        )
        .await
        .map_err(|e| Error::db("read outbox", e))?;
    Ok(rows
        .iter()
        .map(|row| {
            let text: String = row.get(2);
            OutboxRow {
                id: row.get(0),
                topic: row.get(1),
                payload: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            }
        })
        .collect())
}

/// Marks rows published (the bus acknowledged them).
pub async fn mark_published(client: &Client, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    client
        .execute(
            "UPDATE suma_cluster_outbox SET published_at = now() WHERE id = ANY($1)",
            &[&ids],
        )
        .await
        .map_err(|e| Error::db("mark published", e))?;
    Ok(())
}
