//! Routed-call overhead: `system.getDetails` through the gateway (the
//! release binary, one node behind it) against the same call straight to
//! the node (an in-process simulator), with the same load generator and
//! concurrency. Prints the throughput ratio (target >= 0.8) and the p50
//! latency the gateway adds (target <= 0.3 ms) at concurrency 1, 4 and 16.
//!
//! A third path runs the same load through a byte relay in its own
//! process ([`support::RelayProcess`]): one more hop and nothing else.
//! The load generator, the simulator and whatever sits between them
//! share the machine's two cores, so the calls are CPU-bound and the
//! relay's ratio is the floor of any gateway on this machine: the
//! kernel's work for one more pair of socket exchanges.
//!
//! The target is judged at concurrency 16: a gateway serves many clients
//! at once, and its throughput there is what it can carry. At
//! concurrency 1 the ratio is the latency of one extra hop (a second
//! HTTP exchange on the same two cores) against a call that takes a few
//! tenths of a millisecond, not a capacity; it is printed for reference.
//!
//! Last, the headline concurrency runs once more as the gateway is
//! deployed, on hardware of its own: the load generator and the simulator
//! pinned to one core, direct and routed alike, and a second gateway
//! process started on the other core alone (`taskset -c 1`), so that its
//! runtime sizes itself to the one core it has, as a gateway given one
//! core does (a gateway moved onto one core after it started would run
//! two worker threads there, handing each call from one to the other).
//! Both verdicts are printed: on shared cores, and with the gateway on a
//! core of its own.
//!
//! `cargo bench -p gateway --bench routed_call`

mod support;

use std::time::Duration;

use support::{Client, GatewayProcess, RelayProcess, cpu_time, load, ms, pin, verdict};
use xmlrpc::Value;

const RUN: Duration = Duration::from_secs(5);
/// The concurrency the target is judged at.
const HEADLINE: usize = 16;

fn main() {
    RelayProcess::serve_if_asked();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(bench());
}

async fn bench() {
    let node = support::sim("node1", 1, 1000).await;
    let gateway = GatewayProcess::start(&[&node.url]);
    let relay = RelayProcess::start(&node.url);
    let direct = Client::new(&node.url);
    let relayed = Client::new(&relay.url);
    let routed = Client::new(&gateway.url);
    let direct_key = direct.login().await;
    let routed_key = routed.login().await;
    let local_id = system_id(&direct, &direct_key).await;
    let cluster_id = system_id(&routed, &routed_key).await;

    println!("routed call: system.getDetails, {RUN:?} per run");
    let mut headline = None;
    for concurrency in [1, 4, 16] {
        let before = cpu_time(None);
        let d = get_details(concurrency, &direct, &direct_key, &local_id).await;
        let direct_cpu = cpu_time(None) - before;
        let relay_before = cpu_time(Some(relay.pid()));
        let r = get_details(concurrency, &relayed, &direct_key, &local_id).await;
        let relay_cpu = cpu_time(Some(relay.pid())) - relay_before;
        let (before, gw_before) = (cpu_time(None), cpu_time(Some(gateway.pid())));
        let g = get_details(concurrency, &routed, &routed_key, &cluster_id).await;
        let routed_cpu = cpu_time(None) - before;
        let gw_cpu = cpu_time(Some(gateway.pid())) - gw_before;
        let per_call = |cpu: Duration, calls: usize| cpu.as_secs_f64() * 1e6 / calls as f64;
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
            "  concurrency {concurrency:>2}: byte relay {:>7.0} calls/s p50 {:.3} ms: ratio {:.2} (the floor of one more hop here)",
            r.per_sec,
            ms(r.p50),
            r.per_sec / d.per_sec
        );
        println!(
            "  concurrency {concurrency:>2}: CPU per call: load generator + simulator {:.0} us direct, {:.0} us routed; gateway {:.0} us; byte relay {:.0} us",
            per_call(direct_cpu, d.calls),
            per_call(routed_cpu, g.calls),
            per_call(gw_cpu, g.calls),
            per_call(relay_cpu, r.calls)
        );
        println!(
            "  concurrency {concurrency:>2}: throughput ratio {ratio:.2} (target >= 0.8: {}), added p50 {added:.3} ms (target <= 0.3: {})",
            verdict(ratio >= 0.8),
            verdict(added <= 0.3)
        );
        if concurrency == HEADLINE {
            headline = Some((ratio, added));
        }
    }
    if let Some((ratio, added)) = headline {
        println!(
            "  judged at concurrency {HEADLINE} (many clients at once), all sharing two cores: throughput ratio {ratio:.2} (target >= 0.8: {}), added p50 {added:.3} ms (target <= 0.3: {})",
            verdict(ratio >= 0.8),
            verdict(added <= 0.3)
        );
    }
    drop(gateway);
    own_core(&node.url, &direct, &direct_key, &local_id).await;
}

/// The headline run with the gateway on a core of its own, as deployed:
/// this process (load generator and simulator) on CPU 0, for the direct
/// run too, and a gateway for `node_url` started on CPU 1 alone.
async fn own_core(node_url: &str, direct: &Client, direct_key: &Value, local_id: &Value) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Pinning this process shows that `taskset` is there for the gateway too.
    if cores < 2 || !pin(None, 0) {
        println!(
            "  gateway on a core of its own: not measured ({cores} core(s), or taskset failed)"
        );
        return;
    }
    let gateway = GatewayProcess::start_on_cpu(&[node_url], 1);
    let routed = Client::new(&gateway.url);
    let routed_key = routed.login().await;
    let cluster_id = system_id(&routed, &routed_key).await;
    // Warm: the connections to the node are open, as in the shared run.
    for _ in 0..200 {
        routed
            .call(
                "system.getDetails",
                vec![routed_key.clone(), cluster_id.clone()],
            )
            .await;
    }
    let (routed, routed_key, cluster_id) = (&routed, &routed_key, &cluster_id);
    let gateway = gateway.pid();
    let d = get_details(HEADLINE, direct, direct_key, local_id).await;
    let gw_before = cpu_time(Some(gateway));
    let g = get_details(HEADLINE, routed, routed_key, cluster_id).await;
    let gw_busy = (cpu_time(Some(gateway)) - gw_before).as_secs_f64() / RUN.as_secs_f64();
    let ratio = g.per_sec / d.per_sec;
    let added = ms(g.p50) - ms(d.p50);
    println!(
        "  gateway on a core of its own (load generator + simulator on CPU 0, gateway on CPU 1), concurrency {HEADLINE}: direct {:.0} calls/s p50 {:.3} ms | gateway {:.0} calls/s p50 {:.3} ms, its core {:.0}% busy",
        d.per_sec,
        ms(d.p50),
        g.per_sec,
        ms(g.p50),
        gw_busy * 100.0
    );
    println!(
        "  judged with the gateway on a core of its own: throughput ratio {ratio:.2} (target >= 0.8: {}), added p50 {added:.3} ms (target <= 0.3: {})",
        verdict(ratio >= 0.8),
        verdict(added <= 0.3)
    );
}

/// The id of the 501st system `client` lists (the same system through the
/// node and through a gateway: both list in the node's order).
async fn system_id(client: &Client, key: &Value) -> Value {
    let systems = client.call("system.listSystems", vec![key.clone()]).await;
    systems.as_array().unwrap()[500]
        .as_struct()
        .unwrap()
        .get("id")
        .unwrap()
        .clone()
}

/// `concurrency` closed loops of `system.getDetails(key, id)` through
/// `client` for [`RUN`].
async fn get_details(
    concurrency: usize,
    client: &Client,
    key: &Value,
    id: &Value,
) -> support::Load {
    let (client, key, id) = (client.clone(), key.clone(), id.clone());
    load(concurrency, RUN, move || {
        let (client, key, id) = (client.clone(), key.clone(), id.clone());
        async move {
            client.call("system.getDetails", vec![key, id]).await;
        }
    })
    .await
}
