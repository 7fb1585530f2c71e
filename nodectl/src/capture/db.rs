//! The node's PostgreSQL: connections whose notifications are forwarded
//! (LISTEN needs the connection driven with `poll_message`), and the count
//! of managed systems for heartbeats.

use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::{Mutex, Notify};
use tokio_postgres::{AsyncMessage, Client, NoTls};

use crate::config::{DatabaseConfig, read_secret};
use crate::{Error, Result};

/// Where the database is and how to log in. Clones share the cached
/// connection used for counting systems.
#[derive(Clone)]
pub struct Database {
    config: tokio_postgres::Config,
    counter: Arc<Mutex<Option<Client>>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("hosts", &self.config.get_hosts())
            .field("dbname", &self.config.get_dbname())
            .finish_non_exhaustive()
    }
}

/// A connection and what wakes its listener.
pub struct Connection {
    /// The client.
    pub client: Client,
    /// Notified on every NOTIFY the connection receives, and when the
    /// connection ends (so a waiter finds out at once).
    pub notified: Arc<Notify>,
}

impl Database {
    /// From the configuration: parses the connection string and reads the
    /// password file.
    pub fn from_config(config: &DatabaseConfig) -> Result<Database> {
        let mut pg: tokio_postgres::Config = config.url.parse().map_err(|e| Error::Config {
            path: "database.url".into(),
            reason: format!("{e}"),
        })?;
        if let Some(path) = &config.password_file {
            pg.password(read_secret("database password", path)?);
        }
        pg.application_name("nodectl");
        Ok(Database {
            config: pg,
            counter: Arc::new(Mutex::new(None)),
        })
    }

    /// Opens a connection driven by its own task.
    pub async fn connect(&self) -> Result<Connection> {
        let (client, mut connection) = self
            .config
            .connect(NoTls)
            .await
            .map_err(|e| Error::db("connect", e))?;
        let notified = Arc::new(Notify::new());
        let wake = notified.clone();
        tokio::spawn(async move {
            let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(AsyncMessage::Notification(_)) => wake.notify_one(),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(cause = %e, "database connection ended");
                        break;
                    }
                }
            }
            wake.notify_one();
        });
        Ok(Connection { client, notified })
    }

    /// Counts `rhnServer` rows (the managed systems), reconnecting when the
    /// cached connection is gone.
    pub async fn count_systems(&self) -> Result<u64> {
        let mut cached = self.counter.lock().await;
        if cached.as_ref().is_none_or(Client::is_closed) {
            *cached = Some(self.connect().await?.client);
        }
        let client = cached.as_ref().expect("just connected");
        let row = client
            .query_one("SELECT count(*) FROM rhnServer", &[])
            .await
            .map_err(|e| Error::db("count systems", e))?;
        let n: i64 = row.get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
