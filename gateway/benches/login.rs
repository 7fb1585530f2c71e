//! Login fan-out: `auth.login` through a gateway with 40 nodes behind it
//! against a gateway with one (both the release binary, nodes in-process).
//! Prints the ratio of the median login times (target <= 1.5).
//!
//! `cargo bench -p gateway --bench login`

mod support;

use std::time::Instant;

use support::{Client, GatewayProcess, median, ms, verdict};

const NODES: usize = 40;
const LOGINS: usize = 100;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut sims = Vec::new();
    for i in 0..NODES {
        sims.push(support::sim(&format!("node{i:02}"), i as u64 + 1, 10).await);
    }
    let urls: Vec<&str> = sims.iter().map(|s| s.url.as_str()).collect();
    let one = GatewayProcess::start(&urls[..1]);
    let many = GatewayProcess::start(&urls);
    let mut results = Vec::new();
    for gateway in [&one, &many] {
        let client = Client::new(&gateway.url);
        // Warm the connection pools.
        for _ in 0..5 {
            client.login().await;
        }
        let mut times = Vec::new();
        for _ in 0..LOGINS {
            let t = Instant::now();
            let key = client.login().await;
            times.push(t.elapsed());
            assert!(key.as_str().is_some());
        }
        results.push(median(times));
    }
    let ratio = results[1].as_secs_f64() / results[0].as_secs_f64();
    println!(
        "login (median of {LOGINS}): 1 node {:.3} ms, {NODES} nodes {:.3} ms: ratio {ratio:.2} (target <= 1.5: {})",
        ms(results[0]),
        ms(results[1]),
        verdict(ratio <= 1.5)
    );
}
