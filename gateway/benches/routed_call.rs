//! Routed-call overhead: `system.getDetails` through the gateway (the
//! release binary, one node behind it) against the same call straight to
//! the node (an in-process simulator), with the same load generator and
//! concurrency. Prints the throughput ratio (target >= 0.8) and the p50
//! latency the gateway adds (target <= 0.3 ms).
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
//! tenths of a millisecond, not a capacity; 1 and 4 are printed for
//! reference, one run of each path.
//!
//! The judged figures come from rounds: the paths take turns in short
//! runs, in the opposite order every other round, and each round's ratio
//! compares runs a few seconds apart. The verdict is the median of the
//! rounds' ratios, the spread is printed beside it. A shared host's speed
//! drifts over a minute by as much as the margin being judged; one long
//! run of each path, one after the other, measured that drift as often
//! as the gateway.
//!
//! Last, the headline concurrency runs once more as the gateway is
//! deployed, on hardware of its own: the load generator and the simulator
//! pinned to one core, direct and routed alike, and a second gateway
//! process started on the other core alone (`taskset -c 1`), so that its
//! runtime sizes itself to the one core it has, as a gateway given one
//! core does (a gateway moved onto one core after it started would run
//! two worker threads there, handing each call from one to the other).
//! Both verdicts are printed: on shared cores, and with the gateway on a
//! core of its own. In a virtual machine the second depends on how fast
//! the host wakes a virtual CPU that went idle: the gateway's core idles
//! between calls, and each wake-up waits for the host unless the guest
//! polls before it halts (Linux's `haltpoll`; the setting is printed).
//!
//! `cargo bench -p gateway --bench routed_call`

mod support;

use std::time::Duration;

use support::{Client, GatewayProcess, Load, RelayProcess, cpu_time, load, ms, pin, verdict};
use xmlrpc::Value;

/// One run of each path at the reference concurrencies.
const RUN: Duration = Duration::from_secs(5);
/// The concurrency the target is judged at.
const HEADLINE: usize = 16;
/// The judged rounds, and each path's run in a round.
const ROUNDS: usize = 7;
const ROUND: Duration = Duration::from_secs(2);

fn main() {
    RelayProcess::serve_if_asked();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(bench());
}

/// A way to the node: a client, its session, the system's id as seen
/// through it, and the process in between whose CPU time is counted.
struct Path {
    client: Client,
    key: Value,
    id: Value,
    between: Option<u32>,
}

impl Path {
    async fn open(url: &str, between: Option<u32>) -> Path {
        let client = Client::new(url);
        let key = client.login().await;
        let id = system_id(&client, &key).await;
        Path {
            client,
            key,
            id,
            between,
        }
    }
}

/// What one run of a path measured, with the CPU time this process (the
/// load generator and the simulator) and the process in between spent.
struct Run {
    load: Load,
    here: Duration,
    between: Duration,
}

async fn run(path: &Path, concurrency: usize, duration: Duration) -> Run {
    let (here, between) = (cpu_time(None), path.between.map(|p| cpu_time(Some(p))));
    let load = get_details(concurrency, duration, path).await;
    Run {
        load,
        here: cpu_time(None) - here,
        between: match (path.between, between) {
            (Some(pid), Some(before)) => cpu_time(Some(pid)) - before,
            _ => Duration::ZERO,
        },
    }
}

/// [`ROUNDS`] rounds of [`ROUND`] per path at `concurrency`, the paths in
/// the given order and then in reverse, by turns. Answers each path's
/// runs.
async fn rounds(paths: &[&Path], concurrency: usize) -> Vec<Vec<Run>> {
    let mut runs: Vec<Vec<Run>> = paths.iter().map(|_| Vec::new()).collect();
    for round in 0..ROUNDS {
        let mut order: Vec<usize> = (0..paths.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            runs[i].push(run(paths[i], concurrency, ROUND).await);
        }
    }
    runs
}

/// The median and the extremes of `values` (the mean of the middle two
/// when they are even in number).
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    let median = if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    };
    (median, values[0], values[values.len() - 1])
}

/// Round by round, `of`'s throughput over `to`'s.
fn ratios(of: &[Run], to: &[Run]) -> Vec<f64> {
    of.iter()
        .zip(to)
        .map(|(a, b)| a.load.per_sec / b.load.per_sec)
        .collect()
}

/// Round by round, the p50 `of` adds to `to`'s, in milliseconds.
fn added_p50(of: &[Run], to: &[Run]) -> Vec<f64> {
    of.iter()
        .zip(to)
        .map(|(a, b)| ms(a.load.p50) - ms(b.load.p50))
        .collect()
}

/// Calls per second over all of `runs`, and the median of their p50s.
fn summary(runs: &[Run]) -> (f64, f64) {
    let calls: usize = runs.iter().map(|r| r.load.calls).sum();
    let secs: f64 = runs
        .iter()
        .map(|r| r.load.calls as f64 / r.load.per_sec)
        .sum();
    let (p50, _, _) = spread(runs.iter().map(|r| ms(r.load.p50)).collect());
    (calls as f64 / secs, p50)
}

/// CPU time per call over all of `runs`: this process's, and the one's in
/// between.
fn cpu_per_call(runs: &[Run]) -> (f64, f64) {
    let calls: usize = runs.iter().map(|r| r.load.calls).sum();
    let here = runs.iter().map(|r| r.here).sum();
    let between = runs.iter().map(|r| r.between).sum();
    let per_call = |cpu: Duration| cpu.as_secs_f64() * 1e6 / calls as f64;
    (per_call(here), per_call(between))
}

fn list(values: &[f64]) -> String {
    let shown: Vec<String> = values.iter().map(|v| format!("{v:.2}")).collect();
    shown.join(" ")
}

async fn bench() {
    let node = support::sim("node1", 1, 1000).await;
    let gateway = GatewayProcess::start(&[&node.url]);
    let relay = RelayProcess::start(&node.url);
    let direct = Path::open(&node.url, None).await;
    let relayed = Path::open(&relay.url, Some(relay.pid())).await;
    let routed = Path::open(&gateway.url, Some(gateway.pid())).await;

    println!("routed call: system.getDetails");
    for concurrency in [1, 4] {
        let d = run(&direct, concurrency, RUN).await;
        let r = run(&relayed, concurrency, RUN).await;
        let g = run(&routed, concurrency, RUN).await;
        println!(
            "  concurrency {concurrency:>2}, {RUN:?} each: direct {:>7.0} calls/s p50 {:.3} ms | byte relay {:>7.0} calls/s p50 {:.3} ms | gateway {:>7.0} calls/s p50 {:.3} ms: ratio {:.2}, added p50 {:.3} ms (reference)",
            d.load.per_sec,
            ms(d.load.p50),
            r.load.per_sec,
            ms(r.load.p50),
            g.load.per_sec,
            ms(g.load.p50),
            g.load.per_sec / d.load.per_sec,
            ms(g.load.p50) - ms(d.load.p50),
        );
    }

    // Warm: every path's connections open at the headline concurrency.
    for path in [&direct, &relayed, &routed] {
        run(path, HEADLINE, Duration::from_millis(500)).await;
    }
    let runs = rounds(&[&direct, &relayed, &routed], HEADLINE).await;
    let [d, r, g] = &runs[..] else {
        unreachable!("three paths")
    };
    let ((d_rate, d_p50), (r_rate, r_p50), (g_rate, g_p50)) = (summary(d), summary(r), summary(g));
    println!(
        "  concurrency {HEADLINE}, {ROUNDS} rounds of {ROUND:?} per path taking turns: direct {d_rate:>7.0} calls/s p50 {d_p50:.3} ms | byte relay {r_rate:>7.0} calls/s p50 {r_p50:.3} ms | gateway {g_rate:>7.0} calls/s p50 {g_p50:.3} ms"
    );
    let (ratio_each, relay_each, added_each) = (ratios(g, d), ratios(r, d), added_p50(g, d));
    println!("    gateway/direct by round: {}", list(&ratio_each));
    println!(
        "    byte relay/direct by round: {} (the floor of one more hop here)",
        list(&relay_each)
    );
    let ((d_cpu, _), (r_here, r_cpu), (g_here, g_cpu)) =
        (cpu_per_call(d), cpu_per_call(r), cpu_per_call(g));
    println!(
        "    CPU per call: load generator + simulator {d_cpu:.0} us direct, {g_here:.0} us routed, {r_here:.0} us relayed; gateway {g_cpu:.0} us; byte relay {r_cpu:.0} us"
    );
    let (ratio, low, high) = spread(ratio_each);
    let (relay_ratio, _, _) = spread(relay_each);
    let (added, _, _) = spread(added_each);
    println!(
        "  judged at concurrency {HEADLINE} (many clients at once), all sharing two cores: throughput ratio {ratio:.2} (target >= 0.8: {}; rounds {low:.2}-{high:.2}; the byte relay's {relay_ratio:.2}), added p50 {added:.3} ms (target <= 0.3: {})",
        verdict(ratio >= 0.8),
        verdict(added <= 0.3)
    );
    drop(gateway);
    own_core(&node.url, &direct).await;
}

/// The headline rounds with the gateway on a core of its own, as
/// deployed: this process (load generator and simulator) on CPU 0, for
/// the direct runs too, and a gateway for `node_url` started on CPU 1
/// alone.
async fn own_core(node_url: &str, direct: &Path) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Pinning this process shows that `taskset` is there for the gateway too.
    if cores < 2 || !pin(None, 0) {
        println!(
            "  gateway on a core of its own: not measured ({cores} core(s), or taskset failed)"
        );
        return;
    }
    let gateway = GatewayProcess::start_on_cpu(&[node_url], 1);
    let routed = Path::open(&gateway.url, Some(gateway.pid())).await;
    // Warm: the connections to the node are open, as in the shared run.
    run(&routed, HEADLINE, Duration::from_millis(200)).await;
    let runs = rounds(&[direct, &routed], HEADLINE).await;
    let [d, g] = &runs[..] else {
        unreachable!("two paths")
    };
    let ((d_rate, d_p50), (g_rate, g_p50)) = (summary(d), summary(g));
    let (_, g_cpu) = cpu_per_call(g);
    let busy = g_cpu * g_rate / 1e6;
    println!(
        "  gateway on a core of its own (load generator + simulator on CPU 0, gateway on CPU 1), concurrency {HEADLINE}, {ROUNDS} rounds: direct {d_rate:.0} calls/s p50 {d_p50:.3} ms | gateway {g_rate:.0} calls/s p50 {g_p50:.3} ms, its core {:.0}% busy",
        busy * 100.0
    );
    let ratio_each = ratios(g, d);
    println!("    gateway/direct by round: {}", list(&ratio_each));
    if let Some(ns) = halt_polling() {
        println!(
            "    guest halt polling (cpuidle haltpoll): {ns} ns ({})",
            if ns == 0 {
                "an idle virtual CPU halts at once, and each call waits for the host to wake the gateway's core again"
            } else {
                "an idle virtual CPU polls at most that long before it halts"
            }
        );
    }
    let (ratio, low, high) = spread(ratio_each);
    let (added, _, _) = spread(added_p50(g, d));
    println!(
        "  judged with the gateway on a core of its own: throughput ratio {ratio:.2} (target >= 0.8: {}; rounds {low:.2}-{high:.2}), added p50 {added:.3} ms (target <= 0.3: {})",
        verdict(ratio >= 0.8),
        verdict(added <= 0.3)
    );
}

/// How long at most an idle virtual CPU polls before it halts, when this
/// is a Linux guest idling with the `haltpoll` driver and governor (the
/// parameter is there whenever the governor is built in).
fn halt_polling() -> Option<u64> {
    let read = |path: &str| std::fs::read_to_string(path).ok();
    let cpuidle = "/sys/devices/system/cpu/cpuidle";
    let governor = read(&format!("{cpuidle}/current_governor_ro"))
        .or_else(|| read(&format!("{cpuidle}/current_governor")))?;
    let driver = read(&format!("{cpuidle}/current_driver"))?;
    if governor.trim() != "haltpoll" || driver.trim() != "haltpoll" {
        return None;
    }
    read("/sys/module/haltpoll/parameters/guest_halt_poll_ns")?
        .trim()
        .parse()
        .ok()
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

/// `concurrency` closed loops of `system.getDetails(key, id)` along
/// `path` for `duration`.
async fn get_details(concurrency: usize, duration: Duration, path: &Path) -> Load {
    let (client, key, id) = (path.client.clone(), path.key.clone(), path.id.clone());
    load(concurrency, duration, move || {
        let (client, key, id) = (client.clone(), key.clone(), id.clone());
        async move {
            client.call("system.getDetails", vec![key, id]).await;
        }
    })
    .await
}
