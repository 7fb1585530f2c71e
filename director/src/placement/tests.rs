//! Property tests of the planner: bounded load holds, growth moves about
//! 1/(N+1) of the clients, removing a node moves only its clients.

use proptest::prelude::*;

use super::*;

fn nodes(n: usize, weights: &[f64]) -> Vec<PlanNode> {
    (0..n)
        .map(|i| PlanNode {
            key: hash_bytes(format!("node-{i}").as_bytes()),
            zone: 0,
            weight: weights.get(i).copied().unwrap_or(1.0),
            accepts: true,
            keeps: true,
        })
        .collect()
}

fn fresh_clients(count: usize, seed: u64) -> Vec<PlanClient> {
    (0..count)
        .map(|i| PlanClient {
            key: hash_bytes(format!("minion-{seed}-{i}").as_bytes()),
            zone: 0,
            node: None,
        })
        .collect()
}

fn apply(clients: &mut [PlanClient], plan: &Plan) {
    for m in &plan.moves {
        clients[m.client].node = Some(m.to);
    }
}

fn placed(planner: &Planner, nodes: &[PlanNode], count: usize, seed: u64) -> Vec<PlanClient> {
    let mut clients = fresh_clients(count, seed);
    let plan = planner.plan(nodes, &clients, Mode::Rebalance);
    apply(&mut clients, &plan);
    clients
}

fn loads(nodes: usize, clients: &[PlanClient]) -> Vec<u64> {
    let mut l = vec![0; nodes];
    for c in clients {
        l[c.node.unwrap() as usize] += 1;
    }
    l
}

fn assert_bounded(planner: &Planner, nodes: &[PlanNode], clients: &[PlanClient]) {
    let total_w: f64 = nodes.iter().filter(|n| n.accepts).map(|n| n.weight).sum();
    for (i, load) in loads(nodes.len(), clients).into_iter().enumerate() {
        let share = clients.len() as f64 * nodes[i].weight / total_w;
        let cap = ((1.0 + planner.epsilon) * share).ceil().max(1.0);
        assert!(
            load as f64 <= cap,
            "node {i} holds {load}, cap {cap} (share {share:.1})"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn bounded_load_holds(
        n in 2usize..12,
        count in 100usize..3000,
        weights in proptest::collection::vec(0.5f64..4.0, 12),
        epsilon in 0.05f64..0.5,
        seed in any::<u64>(),
    ) {
        let planner = Planner { epsilon };
        let nodes = nodes(n, &weights);
        let clients = placed(&planner, &nodes, count, seed);
        prop_assert!(clients.iter().all(|c| c.node.is_some()));
        assert_bounded(&planner, &nodes, &clients);
    }

    #[test]
    fn growing_by_one_moves_about_one_in_n_plus_one(
        n in 3usize..20,
        seed in any::<u64>(),
    ) {
        let planner = Planner::default();
        let count = 4000;
        let before = nodes(n, &[]);
        let mut clients = placed(&planner, &before, count, seed);
        let after = nodes(n + 1, &[]);
        let plan = planner.plan(&after, &clients, Mode::Rebalance);
        let ideal = count as f64 / (n + 1) as f64;
        // The new node's share, plus the bounded-load slack.
        let allowed = ideal * (1.0 + planner.epsilon) + 1.0;
        prop_assert!(
            (plan.moves.len() as f64) <= allowed,
            "{} moves for {} nodes -> {}, ideal {ideal:.0}", plan.moves.len(), n, n + 1
        );
        // Moves go to the new node, except what bounded load sheds from a
        // node left above its (now smaller) cap.
        prop_assert!(plan
            .moves
            .iter()
            .all(|m| m.to == n as u32 || m.reason == MoveReason::Shed));
        apply(&mut clients, &plan);
        assert_bounded(&planner, &after, &clients);
        // Which clients the new node wins is a fair draw of each client's
        // hash: its count is binomial, so the bound is six standard
        // deviations under the ideal (a fixed fraction of it failed about
        // one run in 250, at 3.6 deviations).
        let p = 1.0 / (n + 1) as f64;
        let sigma = (count as f64 * p * (1.0 - p)).sqrt();
        prop_assert!(
            plan.moves.len() as f64 >= ideal - 6.0 * sigma,
            "the new node gets its share: {} moves, ideal {ideal:.0}", plan.moves.len()
        );
    }

    #[test]
    fn removing_a_node_moves_only_its_clients(
        n in 3usize..16,
        gone in 0usize..16,
        seed in any::<u64>(),
    ) {
        let planner = Planner::default();
        let gone = gone % n;
        let mut nodes = nodes(n, &[]);
        let mut clients = placed(&planner, &nodes, 3000, seed);
        let held: Vec<usize> = (0..clients.len()).filter(|&i| clients[i].node == Some(gone as u32)).collect();
        nodes[gone].accepts = false;
        nodes[gone].keeps = false;
        let plan = planner.plan(&nodes, &clients, Mode::Evacuate);
        let moved: Vec<usize> = plan.moves.iter().map(|m| m.client).collect();
        let mut expected = held.clone();
        expected.sort_unstable();
        let mut got = moved.clone();
        got.sort_unstable();
        prop_assert_eq!(got, expected);
        apply(&mut clients, &plan);
        assert_bounded(&planner, &nodes, &clients);
    }
}

#[test]
fn a_balanced_cluster_does_not_churn() {
    let planner = Planner::default();
    let nodes = nodes(10, &[]);
    let clients = placed(&planner, &nodes, 20_000, 3);
    let again = planner.plan(&nodes, &clients, Mode::Rebalance);
    assert!(
        again.moves.is_empty(),
        "{} moves on a settled cluster",
        again.moves.len()
    );
}

#[test]
fn zones_are_kept_apart() {
    let planner = Planner::default();
    let mut nodes = nodes(6, &[]);
    for (i, n) in nodes.iter_mut().enumerate() {
        n.zone = (i % 2) as u32;
    }
    let mut clients = fresh_clients(2000, 5);
    for (i, c) in clients.iter_mut().enumerate() {
        c.zone = (i % 2) as u32;
    }
    let plan = planner.plan(&nodes, &clients, Mode::Rebalance);
    for m in &plan.moves {
        assert_eq!(nodes[m.to as usize].zone, clients[m.client].zone);
    }
}

#[test]
fn a_zone_without_nodes_strands_its_clients() {
    let planner = Planner::default();
    let nodes = nodes(2, &[]);
    let mut clients = fresh_clients(10, 1);
    clients[3].zone = 1;
    let plan = planner.plan(&nodes, &clients, Mode::Rebalance);
    assert_eq!(plan.stranded, vec![3]);
}

#[test]
fn place_picks_the_top_choice_with_room() {
    let planner = Planner::default();
    let nodes = nodes(4, &[]);
    let key = hash_bytes(b"new-minion");
    let top = (0..4u32)
        .max_by(|&a, &b| {
            let sa = score(1.0, pair_hash(nodes[a as usize].key, key));
            let sb = score(1.0, pair_hash(nodes[b as usize].key, key));
            sa.total_cmp(&sb)
        })
        .unwrap();
    assert_eq!(planner.place(&nodes, &[10, 10, 10, 10], key, 0), Some(top));
    let mut loads = [10u64; 4];
    loads[top as usize] = 20;
    let other = planner.place(&nodes, &loads, key, 0).unwrap();
    assert_ne!(other, top, "a full node is passed over");
}
