//! The director's store as a gateway process reaches it (run: `cargo bench
//! -p director --bench store_remote`): reads, writes and one-key
//! transactions through [`director::remote::RemoteEngine`] (HTTP over
//! loopback to a director serving a redb file), against the same
//! operations on the redb store directly, in the same run. Sequential
//! (one caller, each operation's latency) and with 16 callers at once
//! (throughput). No target: the figures say what a gateway pays per store
//! operation its caches do not spare it.

use std::sync::Arc;
use std::time::Instant;

use director::api::ApiTokens;
use director::bus::LocalBus;
use director::cluster::{ClusterConfig, Director};
use director::remote::DirectorLink;
use director::server::{ServeOptions, serve};
use director::store::{Store, Txn};

const OPS: usize = 4000;

/// The bench's keys, under `sys/` (a system's identity record, the
/// gateway's most frequent read): the gateway token reaches no other
/// prefix it could write.
fn key(what: &str, i: usize) -> String {
    format!("sys/bench-{what}-{i}")
}
const CALLERS: usize = 16;

async fn sequential(store: &Store, what: &str) -> f64 {
    let t = Instant::now();
    for i in 0..OPS {
        let key = key(what, i % 100);
        match what {
            "get" => {
                std::hint::black_box(store.get(&key).await.unwrap());
            }
            "put" => store
                .put(&key, b"{\"node\":\"n1\",\"local_id\":1}")
                .await
                .unwrap(),
            _ => {
                let txn = Txn::new().check(&key, None).put(&key, b"1").delete(&key);
                std::hint::black_box(store.transact(txn).await.unwrap()).ok();
            }
        }
    }
    t.elapsed().as_secs_f64() * 1e6 / OPS as f64
}

async fn concurrent(store: &Store) -> f64 {
    let t = Instant::now();
    let tasks: Vec<_> = (0..CALLERS)
        .map(|c| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..OPS / CALLERS {
                    let key = key("get", (c * 7 + i) % 100);
                    std::hint::black_box(store.get(&key).await.unwrap());
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    OPS as f64 / t.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let local = Store::open_redb(dir.path().join("director.redb")).unwrap();
    let director = Arc::new(
        Director::new(
            local.clone(),
            Arc::new(LocalBus::new()),
            ClusterConfig::default(),
        )
        .await
        .unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(
        director,
        ApiTokens::new("admin-bench", "", "").with_gateway("gateway-bench"),
        listener,
        ServeOptions::default(),
        std::future::pending::<()>(),
    ));
    let remote = DirectorLink::new(&url, "gateway-bench", None)
        .unwrap()
        .store();
    for i in 0..100 {
        local
            .put(key("get", i), b"{\"node\":\"n1\"}")
            .await
            .unwrap();
    }
    // Warm the connection pool.
    remote.get(key("get", 0)).await.unwrap();

    println!("operation            redb direct   through the director   ratio");
    for what in ["get", "put", "transact"] {
        let direct = sequential(&local, what).await;
        let linked = sequential(&remote, what).await;
        println!(
            "{what:<20} {direct:>8.1} us   {linked:>14.1} us   {:>8.1}x",
            linked / direct
        );
    }
    let direct = concurrent(&local).await;
    let linked = concurrent(&remote).await;
    println!(
        "get, {CALLERS} callers      {direct:>8.0}/s   {linked:>14.0}/s   {:>8.2}x",
        linked / direct
    );
}
