//! Fan-out: `system.listSystems` over 10 in-process simulators of 10,000
//! systems each, through the gateway (the release binary, a child process)
//! against a client that fetches the 10 nodes itself in parallel and
//! parses them, without merging. Prints the wall-time ratio (target <=
//! 1.3) and the gateway's peak RSS against the merged answer's size
//! (target <= 3x).
//!
//! Clients parse as they read, as XML-RPC clients do
//! ([`support::Client::list_streamed`]), the gateway's client and the
//! direct ones alike: the gateway writes the merged answer while the
//! nodes still send theirs, and its client parses it as it comes.
//!
//! Then it lists through the gateway 4 and 8 times at once, and prints
//! what each listing under way adds to the gateway's peak RSS: what a
//! gateway serving many scripts at once needs.
//!
//! It runs twice. First everything shares the machine's two cores: the
//! simulators, the clients and the gateway, so the gateway's work adds to
//! the same CPU the simulators and clients need. Then as the gateway is
//! deployed, on hardware of its own: this process (simulators and
//! clients) pinned to CPU 0, the gateway to CPU 1 (`taskset`), for the
//! direct runs too. Both verdicts are printed.
//!
//! `cargo bench -p gateway --bench fanout`

mod support;

use std::time::{Duration, Instant};

use support::{Client, GatewayProcess, cpu_time, median, ms, pin, verdict};
use xmlrpc::Value;

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
    let first = routed.raw("system.listSystems", vec![key.clone()]).await;
    let merged_bytes = first.len();
    println!(
        "fan-out: {NODES} nodes x {SYSTEMS} systems; first listing (allocates the cluster ids) {:.0} ms",
        ms(warm.elapsed())
    );
    assert_eq!(
        support::parse(first).await.as_array().unwrap().len(),
        NODES * SYSTEMS
    );
    // What an idle gateway holds between listings: the allocator returns
    // freed memory within about a second (see the gateway binary).
    let (warm_rss, settle) = gateway.settled_rss();
    let reset = gateway.reset_peak();

    let clients: Vec<Client> = sims.iter().map(|s| Client::new(&s.url)).collect();
    let mut keys = Vec::new();
    for c in &clients {
        keys.push(c.login().await);
    }
    let run = Run {
        routed: &routed,
        key: &key,
        clients: &clients,
        keys: &keys,
        gateway: gateway.pid(),
    };

    let shared = run.measure().await;
    let peak = gateway.status_bytes("VmHWM:");
    shared.print("on two shared cores");
    let mb = |b: u64| b as f64 / 1_048_576.0;
    for at_once in [4, 8] {
        let (settled, _) = gateway.settled_rss();
        let reset = gateway.reset_peak();
        let t = Instant::now();
        let listings: Vec<_> = (0..at_once)
            .map(|_| {
                let (client, key) = (routed.clone(), key.clone());
                tokio::spawn(async move {
                    client
                        .list_streamed("system.listSystems", vec![key])
                        .await
                        .len()
                })
            })
            .collect();
        for listing in listings {
            assert_eq!(listing.await.unwrap(), NODES * SYSTEMS);
        }
        let took = t.elapsed();
        let high = gateway.status_bytes("VmHWM:");
        let each = high.saturating_sub(settled) / at_once as u64;
        println!(
            "  {at_once} listings at once: {:.0} ms in all; gateway peak RSS {:.1} MiB, {:.1} MiB above the settled {:.1} MiB per listing under way ({:.2}x the merged answer){}",
            ms(took),
            mb(high),
            mb(each),
            mb(settled),
            each as f64 / merged_bytes as f64,
            if reset { "" } else { " (peak not reset)" }
        );
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores >= 2 && pin(None, 0) && pin(Some(gateway.pid()), 1) {
        run.measure()
            .await
            .print("with the gateway on a core of its own (simulators and clients on CPU 0, gateway on CPU 1)");
    } else {
        println!(
            "  gateway on a core of its own: not measured ({cores} core(s), or taskset failed)"
        );
    }

    let rss_ratio = peak as f64 / merged_bytes as f64;
    println!(
        "  merged answer {:.1} MiB; gateway RSS idle {:.1} MiB, after warm-up {:.1} MiB (settled in {:.1} s; identity map of {} ids in its memory store), peak during the listings on shared cores {:.1} MiB{}",
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

/// The clients of one comparison.
struct Run<'a> {
    routed: &'a Client,
    key: &'a Value,
    clients: &'a [Client],
    keys: &'a [Value],
    gateway: u32,
}

/// What one comparison measured (medians of [`ROUNDS`]).
struct Measured {
    gateway: Duration,
    direct: Duration,
    fetch_only: Duration,
    gateway_cpu: Duration,
}

impl Run<'_> {
    async fn measure(&self) -> Measured {
        let mut routed_times = Vec::new();
        let cpu = cpu_time(Some(self.gateway));
        for _ in 0..ROUNDS {
            let t = Instant::now();
            let items = self
                .routed
                .list_streamed("system.listSystems", vec![self.key.clone()])
                .await;
            routed_times.push(t.elapsed());
            assert_eq!(items.len(), NODES * SYSTEMS);
        }
        let gateway_cpu = (cpu_time(Some(self.gateway)) - cpu) / ROUNDS as u32;
        // The nodes' answers alone, fetched in parallel and not parsed:
        // what the gateway waits for before it can finish.
        let mut fetch_only = Vec::new();
        let mut direct_times = Vec::new();
        for _ in 0..ROUNDS {
            let (took, _) = self
                .on_every_node(
                    |c, k| async move { c.raw("system.listSystems", vec![k]).await.len() },
                )
                .await;
            fetch_only.push(took);
            let (took, total) = self
                .on_every_node(|c, k| async move {
                    c.list_streamed("system.listSystems", vec![k]).await.len()
                })
                .await;
            direct_times.push(took);
            assert_eq!(total, NODES * SYSTEMS);
        }
        Measured {
            gateway: median(routed_times),
            direct: median(direct_times),
            fetch_only: median(fetch_only),
            gateway_cpu,
        }
    }
}

impl Run<'_> {
    /// Runs `each` on every node's client at once: the wall time until
    /// all are done, and the sum of what they answered.
    async fn on_every_node<F, Fut>(&self, each: F) -> (Duration, usize)
    where
        F: Fn(Client, Value) -> Fut,
        Fut: Future<Output = usize> + Send + 'static,
    {
        let t = Instant::now();
        let tasks: Vec<_> = self
            .clients
            .iter()
            .zip(self.keys)
            .map(|(c, k)| tokio::spawn(each(c.clone(), k.clone())))
            .collect();
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap();
        }
        (t.elapsed(), total)
    }
}

impl Measured {
    fn print(&self, setup: &str) {
        let ratio = self.gateway.as_secs_f64() / self.direct.as_secs_f64();
        println!(
            "  {setup}: wall time (median of {ROUNDS}) gateway {:.0} ms, client fetching the {NODES} nodes itself {:.0} ms: ratio {ratio:.2} (target <= 1.3: {}); the nodes' answers alone (fetched in parallel, not parsed) {:.0} ms; the gateway's CPU per listing {:.0} ms",
            ms(self.gateway),
            ms(self.direct),
            verdict(ratio <= 1.3),
            ms(self.fetch_only),
            ms(self.gateway_cpu)
        );
    }
}
