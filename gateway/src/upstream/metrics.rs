//! Prometheus metrics, hand-rolled: per node (calls, errors, latency
//! histogram, answers read whole for a streamed listing), per routing
//! class (requests, faults) and fan-out gaps, in the Prometheus text
//! format at `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0,
];

/// The counters of one node.
#[derive(Debug, Default)]
pub struct NodeMetrics {
    calls: AtomicU64,
    errors: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
    sum_micros: AtomicU64,
    whole_reads: AtomicU64,
}

impl NodeMetrics {
    /// Records one call, its latency and whether it got no answer.
    pub fn observe(&self, latency: Duration, failed: bool) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        let secs = latency.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.sum_micros
            .fetch_add(latency.as_micros() as u64, Ordering::Relaxed);
    }

    /// Counts an answer to a streamed listing that had to be read whole
    /// before its items could be merged.
    pub fn read_whole(&self) {
        self.whole_reads.fetch_add(1, Ordering::Relaxed);
    }
}

#[derive(Debug, Default)]
struct ClassMetrics {
    requests: AtomicU64,
    faults: AtomicU64,
}

/// Every metric of one gateway.
#[derive(Debug, Default)]
pub struct Metrics {
    nodes: Mutex<BTreeMap<String, Arc<NodeMetrics>>>,
    classes: Mutex<BTreeMap<&'static str, Arc<ClassMetrics>>>,
    gaps: PerNode,
    staged_misses: PerNode,
    /// Fan-out calls that waited for a turn (`fanout.max_in_flight`), and
    /// those refused when none came within the call timeout.
    fanout_waits: AtomicU64,
    fanout_refused: AtomicU64,
}

/// Writes a family of one sample without labels: its name, kind and help
/// text, and its value.
pub fn single(
    out: &mut String,
    (name, kind, help): (&str, &str, &str),
    value: impl std::fmt::Display,
) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    let _ = writeln!(out, "{name} {value}");
}

/// A counter per node, in node order.
#[derive(Debug, Default)]
struct PerNode(Mutex<BTreeMap<String, u64>>);

impl PerNode {
    fn add(&self, node: &str) {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *counts.entry(node.to_owned()).or_default() += 1;
    }

    /// Writes the counter `name` with its help text and one sample per
    /// node.
    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} counter");
        let counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for (node, n) in counts.iter() {
            let _ = writeln!(out, "{name}{{node=\"{node}\"}} {n}");
        }
    }
}

impl Metrics {
    /// The counters of `node`, created on first use.
    pub fn node(&self, node: &str) -> Arc<NodeMetrics> {
        let mut nodes = self.nodes.lock().unwrap_or_else(|e| e.into_inner());
        nodes.entry(node.to_owned()).or_default().clone()
    }

    /// Counts one client request of routing class `class`, and whether it
    /// was answered with a fault.
    pub fn request(&self, class: &'static str, fault: bool) {
        let m = {
            let mut classes = self.classes.lock().unwrap_or_else(|e| e.into_inner());
            classes.entry(class).or_default().clone()
        };
        m.requests.fetch_add(1, Ordering::Relaxed);
        if fault {
            m.faults.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a shared-data change staged or failed node `node` did not take.
    pub fn staged_miss(&self, node: &str) {
        self.staged_misses.add(node);
    }

    /// Counts a fan-out answered without `node` (partial policy).
    pub fn fanout_gap(&self, node: &str) {
        self.gaps.add(node);
    }

    /// Counts a fan-out call that waits for a turn.
    pub fn fanout_waits(&self) {
        self.fanout_waits.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a fan-out call refused after waiting for a turn.
    pub fn fanout_refused(&self) {
        self.fanout_refused.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let nodes: Vec<(String, Arc<NodeMetrics>)> = {
            let nodes = self.nodes.lock().unwrap_or_else(|e| e.into_inner());
            nodes.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        let _ = writeln!(
            out,
            "# HELP gateway_node_calls_total Calls sent to each node."
        );
        let _ = writeln!(out, "# TYPE gateway_node_calls_total counter");
        for (node, m) in &nodes {
            let _ = writeln!(
                out,
                "gateway_node_calls_total{{node=\"{node}\"}} {}",
                m.calls.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP gateway_node_errors_total Calls to each node that got no answer (unreachable, timed out, circuit open)."
        );
        let _ = writeln!(out, "# TYPE gateway_node_errors_total counter");
        for (node, m) in &nodes {
            let _ = writeln!(
                out,
                "gateway_node_errors_total{{node=\"{node}\"}} {}",
                m.errors.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP gateway_node_latency_seconds Latency of calls to each node."
        );
        let _ = writeln!(out, "# TYPE gateway_node_latency_seconds histogram");
        for (node, m) in &nodes {
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += m.buckets[i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "gateway_node_latency_seconds_bucket{{node=\"{node}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let count = m.calls.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "gateway_node_latency_seconds_bucket{{node=\"{node}\",le=\"+Inf\"}} {count}"
            );
            let sum = m.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "gateway_node_latency_seconds_sum{{node=\"{node}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "gateway_node_latency_seconds_count{{node=\"{node}\"}} {count}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP gateway_fanout_whole_reads_total Answers of each node to streamed fan-out listings read whole before merging (not a plain list of items, or a fault)."
        );
        let _ = writeln!(out, "# TYPE gateway_fanout_whole_reads_total counter");
        for (node, m) in &nodes {
            let _ = writeln!(
                out,
                "gateway_fanout_whole_reads_total{{node=\"{node}\"}} {}",
                m.whole_reads.load(Ordering::Relaxed)
            );
        }
        let classes: Vec<(&'static str, Arc<ClassMetrics>)> = {
            let classes = self.classes.lock().unwrap_or_else(|e| e.into_inner());
            classes.iter().map(|(k, v)| (*k, v.clone())).collect()
        };
        let _ = writeln!(
            out,
            "# HELP gateway_requests_total Client calls by routing class."
        );
        let _ = writeln!(out, "# TYPE gateway_requests_total counter");
        for (class, m) in &classes {
            let _ = writeln!(
                out,
                "gateway_requests_total{{class=\"{class}\"}} {}",
                m.requests.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP gateway_faults_total Client calls answered with a fault, by routing class."
        );
        let _ = writeln!(out, "# TYPE gateway_faults_total counter");
        for (class, m) in &classes {
            let _ = writeln!(
                out,
                "gateway_faults_total{{class=\"{class}\"}} {}",
                m.faults.load(Ordering::Relaxed)
            );
        }
        self.gaps.render(
            &mut out,
            "gateway_fanout_gaps_total",
            "Fan-out answers given without a node (partial policy).",
        );
        self.staged_misses.render(
            &mut out,
            "gateway_staged_misses_total",
            "Shared-data changes a staged or failed node did not take (seed-node it before it serves).",
        );
        for (name, help, counter) in [
            (
                "gateway_fanout_waits_total",
                "Fan-out calls that waited for a turn (fanout.max_in_flight under way).",
                &self.fanout_waits,
            ),
            (
                "gateway_fanout_refused_total",
                "Fan-out calls refused after waiting fanout.max_wait_ms for a turn.",
                &self.fanout_refused,
            ),
        ] {
            single(
                &mut out,
                (name, "counter", help),
                counter.load(Ordering::Relaxed),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        let n1 = m.node("n1");
        n1.observe(Duration::from_micros(300), false);
        n1.observe(Duration::from_millis(20), true);
        n1.read_whole();
        m.request("system", false);
        m.request("fanout", true);
        m.fanout_gap("n2");
        let text = m.render();
        assert!(
            text.contains("gateway_node_calls_total{node=\"n1\"} 2"),
            "{text}"
        );
        assert!(text.contains("gateway_node_errors_total{node=\"n1\"} 1"));
        assert!(text.contains("gateway_node_latency_seconds_bucket{node=\"n1\",le=\"0.0005\"} 1"));
        assert!(text.contains("gateway_node_latency_seconds_bucket{node=\"n1\",le=\"0.025\"} 2"));
        assert!(text.contains("gateway_node_latency_seconds_bucket{node=\"n1\",le=\"+Inf\"} 2"));
        assert!(text.contains("gateway_faults_total{class=\"fanout\"} 1"));
        assert!(text.contains("gateway_fanout_gaps_total{node=\"n2\"} 1"));
        assert!(text.contains("gateway_fanout_whole_reads_total{node=\"n1\"} 1"));
    }
}
