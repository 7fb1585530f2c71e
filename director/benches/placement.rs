//! Placement benchmark (run: `cargo bench -p director --bench placement`).
//!
//! 1. Plan a rebalance of 1,000,000 clients over 100 nodes when 10 nodes
//!    are added. Target: under 1 s, moves within 5% of the ideal
//!    (1,000,000 x 10/110). The baseline measured in the same run is one
//!    pass that computes a single rendezvous score per client: the plan's
//!    time is printed as a multiple of it.
//! 2. Placement lookups through the director's cache on one thread. Target:
//!    above 1 million per second. Baseline: the same keys looked up in a
//!    plain `HashMap` in the same run.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use director::placement::{
    Mode, PlacementCache, PlanClient, PlanNode, Planner, hash_bytes, pair_hash, score,
};

const CLIENTS: usize = 1_000_000;
const NODES: usize = 100;
const ADDED: usize = 10;

fn nodes(n: usize) -> Vec<PlanNode> {
    (0..n)
        .map(|i| PlanNode {
            key: hash_bytes(format!("node-{i}").as_bytes()),
            zone: 0,
            weight: 1.0,
            accepts: true,
            keeps: true,
        })
        .collect()
}

fn main() {
    let planner = Planner::default();
    let mut clients: Vec<PlanClient> = (0..CLIENTS)
        .map(|i| PlanClient {
            key: hash_bytes(format!("minion-{i:07}.example.test").as_bytes()),
            zone: 0,
            node: None,
        })
        .collect();
    let before = nodes(NODES);
    let t = Instant::now();
    let initial = planner.plan(&before, &clients, Mode::Rebalance);
    let initial_secs = t.elapsed().as_secs_f64();
    for m in &initial.moves {
        clients[m.client].node = Some(m.to);
    }
    println!("initial placement of {CLIENTS} clients on {NODES} nodes: {initial_secs:.3} s");

    // Baseline: one score per client.
    let t = Instant::now();
    let mut acc = 0.0;
    for c in &clients {
        let n = &before[c.node.unwrap_or(0) as usize];
        acc += score(n.weight, pair_hash(n.key, c.key));
    }
    black_box(acc);
    let baseline = t.elapsed().as_secs_f64();

    let after = nodes(NODES + ADDED);
    let mut best = f64::MAX;
    let mut moves = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let plan = planner.plan(&after, &clients, Mode::Rebalance);
        best = best.min(t.elapsed().as_secs_f64());
        moves = plan.moves.len();
        let max_load = *plan.loads.iter().max().unwrap_or(&0) as f64;
        let share = CLIENTS as f64 / (NODES + ADDED) as f64;
        assert!(max_load <= (share * 1.1).ceil(), "bounded load holds");
    }
    let ideal = CLIENTS as f64 * ADDED as f64 / (NODES + ADDED) as f64;
    let off = (moves as f64 - ideal) / ideal * 100.0;
    println!(
        "rebalance plan {NODES}+{ADDED} nodes, {CLIENTS} clients: {best:.3} s (target < 1 s; {:.1}x the one-score-per-client baseline of {baseline:.3} s)",
        best / baseline
    );
    println!(
        "moves: {moves} vs ideal {ideal:.0} ({off:+.2}%; target within 5%) {}",
        if best < 1.0 && off.abs() <= 5.0 {
            "PASS"
        } else {
            "MISS"
        }
    );

    // Lookups through the cache vs a plain HashMap.
    let cache = PlacementCache::new(CLIENTS as u64 * 2);
    let mut map = HashMap::with_capacity(CLIENTS);
    for (i, c) in clients.iter().enumerate() {
        let id = 1_000_000 + i as i32;
        let node = c.node.unwrap_or(0);
        cache.insert(id, node);
        map.insert(id, node);
    }
    let lookups = 5_000_000usize;
    let keys: Vec<i32> = (0..lookups)
        .map(|i| 1_000_000 + ((i as u64).wrapping_mul(2_654_435_761) % CLIENTS as u64) as i32)
        .collect();
    let t = Instant::now();
    let mut hits = 0u64;
    for k in &keys {
        hits += u64::from(map.contains_key(k));
    }
    let map_rate = lookups as f64 / t.elapsed().as_secs_f64();
    black_box(hits);
    let t = Instant::now();
    let mut hits = 0u64;
    for k in &keys {
        hits += u64::from(cache.get(*k).is_some());
    }
    let cache_rate = lookups as f64 / t.elapsed().as_secs_f64();
    assert_eq!(hits, lookups as u64);
    println!(
        "placement lookups through the cache: {:.2} M/s on one thread (target > 1 M/s; {:.2}x a plain HashMap at {:.2} M/s) {}",
        cache_rate / 1e6,
        cache_rate / map_rate,
        map_rate / 1e6,
        if cache_rate > 1e6 { "PASS" } else { "MISS" }
    );
}
