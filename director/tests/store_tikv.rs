//! The TiKV store engine: the shared store suite against a real cluster
//! named by `TIKV_PD_ENDPOINTS` (comma-separated PD `host:port`s). Skipped,
//! with a message, when it is not set: no TiKV server can be installed here.
#![cfg(feature = "tikv")]

use std::io::Write;

use director::store::{Store, TikvEngine, suite};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tikv_engine_passes_the_store_suite() {
    let endpoints: Vec<String> = std::env::var("TIKV_PD_ENDPOINTS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if endpoints.is_empty() {
        // Straight to stderr: the test harness captures `eprintln!`.
        let _ = writeln!(
            std::io::stderr(),
            "TiKV store suite skipped: set TIKV_PD_ENDPOINTS=host:port to run it against a real TiKV cluster"
        );
        return;
    }
    let engine = TikvEngine::connect(endpoints)
        .await
        .unwrap_or_else(|e| panic!("connect to TiKV: {e}"));
    suite::run(Store::new(engine)).await;
}
