//! The in-process bus engine runs the shared bus suite.

use std::sync::Arc;

use director::bus::{LocalBus, suite};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_bus_passes_the_bus_suite() {
    suite::run(Arc::new(LocalBus::new())).await;
}
