//! The conformance suite every store engine runs: `suite::run(store)` once per
//! engine, from that engine's tests.
//!
//! It works under a fresh key namespace and deletes what it wrote, so it can
//! run against a shared cluster. It panics (as a test does) on the first
//! deviation.

mod atomic;
mod json;
mod kv;

use std::time::{SystemTime, UNIX_EPOCH};

use super::Store;

/// Runs the whole suite against `store`, under `suite/`. Needs a
/// multi-threaded tokio runtime.
pub async fn run(store: Store) {
    run_under(store, "suite/").await;
}

/// Runs the whole suite against `store` with every key under `root`: for a
/// store that reaches only some prefixes (a director's store through the
/// gateway token).
pub async fn run_under(store: Store, root: &str) {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let ns = format!("{root}{}-{nanos}/", std::process::id()).into_bytes();
    let k = |suffix: &[u8]| [ns.as_slice(), suffix].concat();

    kv::basics(&store, &k).await;
    kv::empty_keys(&store).await;
    kv::prefix_scans(&store, &k).await;
    kv::binary_keys(&store, &k).await;
    atomic::compare_and_swap(&store, &k).await;
    atomic::transactions(&store, &k).await;
    kv::large_values(&store, &k).await;
    json::json_records(&store, &k).await;
    atomic::concurrent_counter(&store, &k(b"counter")).await;
    atomic::concurrent_allocation(&store, &k).await;

    let left = store
        .scan_prefix(&ns, usize::MAX)
        .await
        .expect("final scan");
    for (key, _) in left {
        store.delete(&key).await.expect("cleanup");
    }
    assert!(
        store.scan_prefix(&ns, 1).await.expect("scan").is_empty(),
        "cleanup left keys behind"
    );
}
