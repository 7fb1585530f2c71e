//! Shared pieces of nodectl's black-box tests: a PostgreSQL with Uyuni's
//! tables, the nodectl binary as a child process, and a reader of the event
//! stream.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use director::bus::Bus;
use nodectl::testkit::postgres::PgServer;

/// The schema a node's database has (test subset).
pub const SCHEMA: &str = include_str!("../../sql/schema.sql");

/// Starts PostgreSQL with the schema and one organization (id 1).
pub async fn database() -> Option<(PgServer, tokio_postgres::Client)> {
    let pg = PgServer::start_for_test()?;
    let client = pg.connect().await.expect("connect");
    client.batch_execute(SCHEMA).await.expect("schema");
    client
        .batch_execute("INSERT INTO web_customer (id, name) VALUES (1, 'Org 1')")
        .await
        .expect("org");
    Some((pg, client))
}

/// Registers one Salt system the way Uyuni does (rhnServer, then
/// suseMinionInfo, one transaction); returns its id.
pub async fn register_system(client: &mut tokio_postgres::Client, n: usize) -> i64 {
    register_systems(client, n..n + 1).await[0]
}

/// Registers systems `ns` in one transaction (a bulk registration).
pub async fn register_systems(
    client: &mut tokio_postgres::Client,
    ns: std::ops::Range<usize>,
) -> Vec<i64> {
    let tx = client.transaction().await.expect("begin");
    let mut ids = Vec::new();
    for n in ns {
        ids.push(insert_system(&tx, n).await);
    }
    tx.commit().await.expect("commit");
    ids
}

async fn insert_system(tx: &tokio_postgres::Transaction<'_>, n: usize) -> i64 {
    let row = tx
        .query_one(
            "INSERT INTO rhnServer (org_id, digital_server_id, name, hostname, machine_id) \
             VALUES (1, $1, $2, $2, $3) RETURNING id::bigint",
            &[
                &format!("ID-{n}"),
                &format!("minion-{n}.example.test"),
                &format!("{n:032x}"),
            ],
        )
        .await
        .expect("rhnServer");
    let id: i64 = row.get(0);
    tx.execute(
        "INSERT INTO suseMinionInfo (server_id, minion_id) VALUES ($1::bigint, $2)",
        &[&id, &format!("minion-{n}.example.test")],
    )
    .await
    .expect("suseMinionInfo");
    id
}

/// Outbox rows not published yet.
pub async fn unpublished(client: &tokio_postgres::Client) -> i64 {
    client
        .query_one(
            "SELECT count(*) FROM suma_cluster_outbox WHERE published_at IS NULL",
            &[],
        )
        .await
        .map(|r| r.get(0))
        .unwrap_or(i64::MAX)
}

/// Reads a durable consumer until nothing comes for `quiet`.
pub async fn drain_events(
    bus: &dyn Bus,
    name: &str,
    filter: &str,
    quiet: Duration,
) -> Vec<serde_json::Value> {
    let mut consumer = bus.events(name, filter).await.expect("open consumer");
    let mut events = Vec::new();
    while let Ok(event) = tokio::time::timeout(quiet, consumer.next()).await {
        let event = event.expect("event");
        events.push(serde_json::from_slice(&event.payload).expect("json event"));
        consumer.ack(event.seq).await.expect("ack");
    }
    events
}

/// The nodectl binary running `run --config`, killed on drop.
pub struct Nodectl {
    child: Child,
    log: PathBuf,
}

impl Nodectl {
    /// Starts nodectl with `config` and waits for `nodectl <id> running`.
    pub fn start(config: &Path, log: &Path) -> Nodectl {
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_nodectl"))
            .arg("run")
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", "info,nodectl::capture=debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("spawn nodectl");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.ends_with(" running") {
                    let _ = tx.send(line);
                }
            }
        });
        let mut nodectl = Nodectl {
            child,
            log: log.to_owned(),
        };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => assert!(line.starts_with("nodectl "), "{line}"),
            Err(_) => {
                let _ = nodectl.child.kill();
                panic!(
                    "nodectl not running within 60 s; log:\n{}",
                    nodectl.log_text()
                );
            }
        }
        nodectl
    }

    /// SIGKILL, no goodbye.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }

    /// SIGTERM, and waits for a clean exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill -TERM");
        self.child.wait().expect("wait")
    }

    /// What it logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Nodectl {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
