//! Routed-call overhead: `system.getDetails` through the gateway (the
//! release binary, one node behind it) against the same call straight to
//! the node (an in-process simulator), with the same load generator and
//! concurrency. Prints the throughput ratio (target >= 0.8) and the p50
//! latency the gateway adds (target <= 0.3 ms).
//!
//! `cargo bench -p gateway --bench routed_call`

mod support;

use std::time::Duration;

use support::{Client, GatewayProcess, load, ms, verdict};
use xmlrpc::Value;

const RUN: Duration = Duration::from_secs(5);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let node = support::sim("node1", 1, 1000).await;
    let gateway = GatewayProcess::start(&[&node.url]);
    let direct = Client::new(&node.url);
    let routed = Client::new(&gateway.url);
    let direct_key = direct.login().await;
    let routed_key = routed.login().await;
    let local = direct
        .call("system.listSystems", vec![direct_key.clone()])
        .await;
    let local_id = local.as_array().unwrap()[500]
        .as_struct()
        .unwrap()
        .get("id")
        .unwrap()
        .clone();
    let cluster = routed
        .call("system.listSystems", vec![routed_key.clone()])
        .await;
    let cluster_id = cluster.as_array().unwrap()[500]
        .as_struct()
        .unwrap()
        .get("id")
        .unwrap()
        .clone();

    println!("routed call: system.getDetails, {RUN:?} per run");
    for concurrency in [1, 4, 16] {
        let run = |client: Client, key: Value, id: Value| {
            load(concurrency, RUN, move || {
                let (client, key, id) = (client.clone(), key.clone(), id.clone());
                async move {
                    client.call("system.getDetails", vec![key, id]).await;
                }
            })
        };
        let d = run(direct.clone(), direct_key.clone(), local_id.clone()).await;
        let g = run(routed.clone(), routed_key.clone(), cluster_id.clone()).await;
        let ratio = g.per_sec / d.per_sec;
        let added = ms(g.p50) - ms(d.p50);
        println!(
            "  concurrency {concurrency:>2}: direct {:>7.0} calls/s p50 {:.3} ms p99 {:.3} ms | gateway {:>7.0} calls/s p50 {:.3} ms p99 {:.3} ms",
            d.per_sec,
            ms(d.p50),
            ms(d.p99),
            g.per_sec,
            ms(g.p50),
            ms(g.p99)
        );
        println!(
            "  concurrency {concurrency:>2}: throughput ratio {ratio:.2} (target >= 0.8: {}), added p50 {added:.3} ms (target <= 0.3: {})",
            verdict(ratio >= 0.8),
            verdict(added <= 0.3)
        );
    }
}
