//! Login fan-out: `auth.login` through a gateway with 40 nodes behind it
//! against a gateway with one (both the release binary, nodes in-process).
//! Prints the ratio of the median login times (target <= 1.5) twice:
//!
//! - with a modelled server-side login time of 20 ms per node (the
//!   simulator's `login_delay`): a real SUSE Manager spends tens of
//!   milliseconds in `auth.login`, so this is the figure the target is
//!   judged on;
//! - with no modelled time: the simulators answer at once, so the run
//!   measures only CPU (the gateway's and the 40 simulators', which share
//!   the machine's cores), the cost per node that the gateway adds.
//!
//! `cargo bench -p gateway --bench login`

mod support;

use std::time::{Duration, Instant};

use compat_tests::sim::SimConfig;
use support::{Client, GatewayProcess, median, ms, verdict};

const NODES: usize = 40;
const LOGINS: usize = 100;
/// The modelled server-side login time the target is judged on.
const MODELLED: Duration = Duration::from_millis(20);

/// Median login times through a gateway over one node and over all
/// `NODES`, each simulator taking `delay` per login.
async fn medians(delay: Duration) -> (Duration, Duration) {
    let mut sims = Vec::new();
    for i in 0..NODES {
        sims.push(
            support::sim_with(SimConfig {
                name: format!("node{i:02}"),
                seed: i as u64 + 1,
                systems: 10,
                login_delay: delay,
                ..SimConfig::default()
            })
            .await,
        );
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
    (results[0], results[1])
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("login: auth.login through the gateway, {NODES} nodes against 1 (median of {LOGINS})");
    let (one, many) = medians(MODELLED).await;
    let ratio = many.as_secs_f64() / one.as_secs_f64();
    println!(
        "  modelled server-side login of {} ms per node: 1 node {:.3} ms, {NODES} nodes {:.3} ms: ratio {ratio:.2} (target <= 1.5, judged here: {})",
        MODELLED.as_millis(),
        ms(one),
        ms(many),
        verdict(ratio <= 1.5)
    );
    let (one, many) = medians(Duration::ZERO).await;
    let ratio = many.as_secs_f64() / one.as_secs_f64();
    println!(
        "  no server-side time (CPU only, simulators on the same cores): 1 node {:.3} ms, {NODES} nodes {:.3} ms: ratio {ratio:.2} (not the target's measure)",
        ms(one),
        ms(many)
    );
}
