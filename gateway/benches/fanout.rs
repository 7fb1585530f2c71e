//! Fan-out: `system.listSystems` over 10 in-process simulators of 10,000
//! systems each, through the gateway (the release binary, a child process)
//! against a client that fetches the 10 nodes itself in parallel and
//! parses them, without merging. Prints the wall-time ratio (target <=
//! 1.3) and the gateway's peak RSS against the merged answer's size
//! (target <= 3x).
//!
//! It also prints the floor of any gateway on this machine: the nodes'
//! answers fetched in parallel, then one parse of the merged answer. A
//! client fetching the nodes itself parses ten documents on both cores;
//! the gateway's client parses one document, on one core.
//!
//! `cargo bench -p gateway --bench fanout`

mod support;

use std::time::Instant;

use support::{Client, GatewayProcess, cpu_time, median, ms, verdict};

const NODES: usize = 10;
const SYSTEMS: usize = 10_000;
const ROUNDS: usize = 5;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut sims = Vec::new();
    for i in 0..NODES {
        sims.push(support::sim(&format!("node{i:02}"), i as u64 + 1, SYSTEMS).await);
    }
    let urls: Vec<&str> = sims.iter().map(|s| s.url.as_str()).collect();
    let gateway = GatewayProcess::start(&urls);
    let routed = Client::new(&gateway.url);
    let key = routed.login().await;
    let idle_rss = gateway.status_bytes("VmRSS:");
    // Warm up: the first listing allocates 100,000 cluster ids.
    let warm = Instant::now();
    let first = routed.call("system.listSystems", vec![key.clone()]).await;
    assert_eq!(first.as_array().unwrap().len(), NODES * SYSTEMS);
    println!(
        "fan-out: {NODES} nodes x {SYSTEMS} systems; first listing (allocates the cluster ids) {:.0} ms",
        ms(warm.elapsed())
    );
    drop(first);
    // What an idle gateway holds between listings: the allocator returns
    // freed memory within about a second (see the gateway binary).
    let (warm_rss, settle) = gateway.settled_rss();
    let reset = gateway.reset_peak();

    let mut routed_times = Vec::new();
    let mut fetch_times = Vec::new();
    let mut parse_times = Vec::new();
    let gateway_cpu = cpu_time(Some(gateway.pid()));
    let mut merged_bytes = 0;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let body = routed.raw("system.listSystems", vec![key.clone()]).await;
        fetch_times.push(t.elapsed());
        merged_bytes = body.len();
        let parsing = Instant::now();
        let list = support::parse(body).await;
        parse_times.push(parsing.elapsed());
        routed_times.push(t.elapsed());
        assert_eq!(list.as_array().unwrap().len(), NODES * SYSTEMS);
    }
    let peak = gateway.status_bytes("VmHWM:");
    let gateway_cpu = (cpu_time(Some(gateway.pid())) - gateway_cpu) / ROUNDS as u32;

    let clients: Vec<Client> = sims.iter().map(|s| Client::new(&s.url)).collect();
    let mut keys = Vec::new();
    for c in &clients {
        keys.push(c.login().await);
    }
    // The nodes' answers alone, fetched in parallel and not parsed: what
    // the gateway waits for before it can finish.
    let mut fetch_only = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let tasks: Vec<_> = clients
            .iter()
            .zip(&keys)
            .map(|(c, k)| {
                let (c, k) = (c.clone(), k.clone());
                tokio::spawn(async move { c.raw("system.listSystems", vec![k]).await.len() })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        fetch_only.push(t.elapsed());
    }
    let mut direct_times = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let tasks: Vec<_> = clients
            .iter()
            .zip(&keys)
            .map(|(c, k)| {
                let (c, k) = (c.clone(), k.clone());
                tokio::spawn(async move { c.call("system.listSystems", vec![k]).await })
            })
            .collect();
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap().as_array().unwrap().len();
        }
        direct_times.push(t.elapsed());
        assert_eq!(total, NODES * SYSTEMS);
    }

    let (g, d) = (median(routed_times), median(direct_times));
    let (fetched, parsed) = (median(fetch_only), median(parse_times));
    println!(
        "  gateway answer complete after {:.0} ms (median; the gateway's CPU per listing {:.0} ms), the rest is the client parsing it; the {NODES} nodes' answers alone (fetched in parallel, not parsed) {:.0} ms",
        ms(median(fetch_times)),
        ms(gateway_cpu),
        ms(fetched)
    );
    let ratio = g.as_secs_f64() / d.as_secs_f64();
    let floor = fetched + parsed;
    println!(
        "  floor of any gateway here: the nodes' answers fetched in parallel {:.0} ms + one parse of the merged answer {:.0} ms = {:.0} ms: ratio {:.2}",
        ms(fetched),
        ms(parsed),
        ms(floor),
        floor.as_secs_f64() / d.as_secs_f64()
    );
    println!(
        "  wall time (median of {ROUNDS}): gateway {:.0} ms, client fetching the {NODES} nodes itself {:.0} ms: ratio {ratio:.2} (target <= 1.3: {})",
        ms(g),
        ms(d),
        verdict(ratio <= 1.3)
    );
    let mb = |b: u64| b as f64 / 1_048_576.0;
    let rss_ratio = peak as f64 / merged_bytes as f64;
    println!(
        "  merged answer {:.1} MiB; gateway RSS idle {:.1} MiB, after warm-up {:.1} MiB (settled in {:.1} s; identity map of {} ids in its memory store), peak during the timed listings {:.1} MiB{}",
        mb(merged_bytes as u64),
        mb(idle_rss),
        mb(warm_rss),
        settle.as_secs_f64(),
        NODES * SYSTEMS,
        mb(peak),
        if reset {
            ""
        } else {
            " (peak not reset after warm-up)"
        }
    );
    println!(
        "  peak RSS / merged answer {rss_ratio:.2} (target <= 3: {}); (peak - RSS after warm-up) / merged answer {:.2}",
        verdict(rss_ratio <= 3.0),
        (peak.saturating_sub(warm_rss)) as f64 / merged_bytes as f64
    );
}
