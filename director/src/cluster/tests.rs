//! Scenario tests of the director over the in-memory store and the
//! in-process bus: check-in, drain, reports, disaster recovery, rebalance.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::bus::LocalBus;
use crate::model::{
    ClientStatus, MoveOutcome, MoveState, NodeLoad, NodeState, ObjectKind, OperationState, Zone,
};

async fn cluster(nodes: usize) -> Director {
    let config = ClusterConfig {
        max_moves_in_flight: 1000,
        heartbeat_timeout: Duration::from_millis(200),
        ..ClusterConfig::default()
    };
    let d = Director::new(
        crate::store::Store::memory(),
        Arc::new(LocalBus::new()),
        config,
    )
    .await
    .unwrap();
    d.put_zone(Zone {
        name: "default".into(),
        description: String::new(),
        labels: Default::default(),
    })
    .await
    .unwrap();
    for i in 1..=nodes {
        d.add_node(NewNode {
            id: format!("n{i}"),
            zone: "default".into(),
            api_url: format!("http://suma{i}.example.test/rpc/api"),
            master: None,
            weight: None,
            public_key: None,
            state: Some(NodeState::Active),
            unseeded: true,
        })
        .await
        .unwrap();
    }
    d
}

async fn check_in(d: &Director, i: usize) -> Assignment {
    d.check_in(CheckIn {
        minion_id: format!("minion-{i}.example.test"),
        fingerprint: format!("fp-{i}"),
        machine_id: None,
        zone: None,
    })
    .await
    .unwrap()
}

/// Plays the client agents: every client with a directed move reports it done.
async fn complete_moves(d: &Director) -> usize {
    d.drive_moves().await.unwrap();
    let mut done = 0;
    for m in d.list_moves(true, usize::MAX).await.unwrap() {
        d.report_move(m.id, &m.minion_id, MoveOutcome::Done)
            .await
            .unwrap();
        done += 1;
    }
    done
}

#[tokio::test]
async fn status_does_not_wait_for_a_placement_change_under_way() {
    let d = cluster(2).await;
    for i in 0..10 {
        check_in(&d, i).await;
    }
    let before = d.status().await.unwrap();
    assert!(!before.placement_busy);
    assert_eq!(before.clients, 10);
    // A drain planning its moves holds the placement lock; clients placed
    // meanwhile are not seen until it lets go.
    let planning = d.placement.lock().await;
    let during = tokio::time::timeout(std::time::Duration::from_secs(5), d.status())
        .await
        .expect("status answers while a placement change is under way")
        .unwrap();
    assert!(during.placement_busy);
    assert_eq!(during.clients, 10);
    let clients = |s: &ClusterStatus| -> Vec<(String, u64)> {
        s.nodes.iter().map(|n| (n.id.clone(), n.clients)).collect()
    };
    assert_eq!(clients(&during), clients(&before));
    drop(planning);
    check_in(&d, 10).await;
    let after = d.status().await.unwrap();
    assert!(!after.placement_busy);
    assert_eq!(after.clients, 11);
}

#[tokio::test]
async fn check_in_places_clients_within_bounded_load() {
    let d = cluster(3).await;
    let mut ids = std::collections::HashSet::new();
    for i in 0..300 {
        let a = check_in(&d, i).await;
        assert_eq!(a.status, ClientStatus::New);
        assert!(a.node.is_some() && a.master.is_some());
        assert!(ids.insert(a.cluster_id), "cluster ids are unique");
    }
    let again = check_in(&d, 7).await;
    assert_eq!(
        again.cluster_id,
        check_in(&d, 7).await.cluster_id,
        "stable across check-ins"
    );
    let status = d.status().await.unwrap();
    for n in &status.nodes {
        assert!(n.clients <= 110, "{} holds {}", n.id, n.clients);
    }
    let stolen = d
        .check_in(CheckIn {
            minion_id: "minion-1.example.test".into(),
            fingerprint: "another-key".into(),
            machine_id: None,
            zone: None,
        })
        .await;
    assert!(matches!(stolen, Err(DirectorError::Conflict(_))));
}

#[tokio::test]
async fn drain_moves_every_client_of_the_node_and_takes_it_offline() {
    let d = cluster(3).await;
    let mut before = std::collections::HashMap::new();
    for i in 0..150 {
        let a = check_in(&d, i).await;
        before.insert(a.minion_id.clone(), (a.cluster_id, a.node.clone().unwrap()));
    }
    let on_n1 = before.values().filter(|(_, n)| n == "n1").count() as u64;
    let op = d.drain("n1", Some(Duration::from_secs(60))).await.unwrap();
    assert_eq!(op.total, on_n1);
    // Clients see their move at check-in too.
    d.drive_moves().await.unwrap();
    let (minion, _) = before.iter().find(|(_, (_, n))| n == "n1").unwrap();
    let i: usize = minion
        .trim_start_matches("minion-")
        .split('.')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(check_in(&d, i).await.pending_move.is_some());
    assert_eq!(complete_moves(&d).await as u64, on_n1);
    let op = d.get_operation(op.id).await.unwrap();
    assert_eq!((op.state, op.done), (OperationState::Done, on_n1));
    assert_eq!(d.get_node("n1").await.unwrap().state, NodeState::Offline);
    for (minion, (cluster_id, node)) in &before {
        let c = d.get_client(minion).await.unwrap();
        assert_eq!(c.cluster_id, *cluster_id, "cluster id unchanged");
        assert_ne!(c.owner.as_deref(), Some("n1"));
        if node != "n1" {
            assert_eq!(c.owner.as_ref(), Some(node), "other clients stay put");
        }
    }
    assert!(d.remove_node("n1").await.is_ok());
}

/// Deleting a client while it moves cancels its move and leaves the
/// loads right; it used to hang the director (finishing the move waited
/// for the placement lock the deletion held).
#[tokio::test]
async fn a_client_deleted_while_it_moves_cancels_the_move() {
    let d = cluster(2).await;
    for i in 0..10 {
        check_in(&d, i).await;
    }
    let op = d.drain("n1", None).await.unwrap();
    d.drive_moves().await.unwrap();
    let moving = d
        .list_clients(None, Some("n1"), None, usize::MAX)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.move_id.is_some())
        .expect("a client on its way off n1");
    let move_id = moving.move_id.unwrap();
    let deleted = tokio::time::timeout(Duration::from_secs(5), d.delete_client(&moving.minion_id))
        .await
        .expect("the deletion finishes")
        .unwrap();
    assert_eq!(deleted.status, ClientStatus::Deleted);
    let record = d
        .list_moves(false, usize::MAX)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.id == move_id)
        .unwrap();
    assert_eq!(record.state, MoveState::Canceled);
    let stored = d.get_client(&moving.minion_id).await.unwrap();
    assert_eq!((stored.move_id, stored.owner), (None, None));
    // The loads count every client but the deleted one, once.
    let status = d.status().await.unwrap();
    let counted: u64 = status.nodes.iter().map(|n| n.clients).sum();
    assert_eq!(counted, 9, "{status:?}");
    // The drain goes on with the others; the canceled move counts as one
    // that failed.
    complete_moves(&d).await;
    let op = d.get_operation(op.id).await.unwrap();
    assert_eq!((op.state, op.failed), (OperationState::Failed, 1), "{op:?}");
    assert_eq!(op.done + op.failed, op.total);
}

/// A heartbeat of `node` with nothing to report.
fn beat(node: &str) -> Heartbeat {
    Heartbeat {
        node: node.into(),
        load: NodeLoad::default(),
        public_key: None,
    }
}

/// Sets n1's count of missed changes, as the gateways keep it.
async fn set_misses(d: &Director, count: u64) {
    d.store()
        .put_json(crate::model::Keys::node_misses("n1"), &count)
        .await
        .unwrap();
}

/// Of `d`'s nodes n1, n2 and n3, n1 stops beating and is failed.
async fn fail_n1(d: &Director) -> crate::model::Node {
    for n in ["n1", "n2", "n3"] {
        d.heartbeat(beat(n)).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(250)).await;
    for n in ["n2", "n3"] {
        d.heartbeat(beat(n)).await.unwrap();
    }
    d.check_health().await.unwrap();
    let n1 = d.get_node("n1").await.unwrap();
    assert_eq!(n1.state, NodeState::Failed);
    n1
}

#[tokio::test]
async fn a_failed_node_is_recovered_and_a_returning_node_waits_for_a_rebalance() {
    let d = cluster(3).await;
    for i in 0..90 {
        check_in(&d, i).await;
    }
    fail_n1(&d).await;
    let moved = complete_moves(&d).await;
    assert!(moved > 0);
    let status = d.status().await.unwrap();
    let n1 = status.nodes.iter().find(|n| n.id == "n1").unwrap();
    assert_eq!(n1.clients, 0);
    // n1 comes back: active, empty, until a rebalance.
    d.heartbeat(beat("n1")).await.unwrap();
    assert_eq!(d.get_node("n1").await.unwrap().state, NodeState::Active);
    assert_eq!(complete_moves(&d).await, 0, "no moves without a rebalance");
    let plan = d.plan_rebalance().await.unwrap();
    assert!(!plan.moves.is_empty() && plan.moves.iter().all(|m| m.to == "n1"));
    d.apply_rebalance().await.unwrap();
    assert_eq!(complete_moves(&d).await, plan.moves.len());
}

/// A failed node whose count of missed changes grew while it was failed
/// comes back staged (when it holds no clients), to be brought in line as
/// a joining node is; one whose count stayed comes back active, even when
/// it had missed changes in an earlier stay.
#[tokio::test]
async fn a_failed_node_that_missed_changes_comes_back_staged() {
    let d = cluster(3).await;
    // Missed in an earlier stay (while staged, say): not held against it.
    set_misses(&d, 2).await;
    assert_eq!(fail_n1(&d).await.misses_at_failure, Some(2));
    let n1 = d.heartbeat(beat("n1")).await.unwrap();
    assert_eq!((n1.state, n1.misses_at_failure), (NodeState::Active, None));

    // Failed again; the gateways could not send it a change meanwhile.
    fail_n1(&d).await;
    set_misses(&d, 3).await;
    let n1 = d.heartbeat(beat("n1")).await.unwrap();
    assert_eq!((n1.state, n1.misses_at_failure), (NodeState::Staged, None));
    // Beating on keeps it staged; activating it takes a full seed-node
    // run, as for a joining node.
    let n1 = d.heartbeat(beat("n1")).await.unwrap();
    assert_eq!(n1.state, NodeState::Staged);
    let why = refusal(d.patch_node("n1", to(NodeState::Active)).await);
    assert!(why.contains("--update --prune"), "{why}");
    tokio::time::sleep(Duration::from_millis(STAGED_SETTLE_MS as u64 + 100)).await;
    let run = crate::remote::SeedReport {
        from: "n2".into(),
        misses: 3,
        ..seed_run(n1.since(), true)
    };
    d.record_seed("n1", &run).await.unwrap();
    let n1 = d.patch_node("n1", to(NodeState::Active)).await.unwrap();
    assert_eq!(n1.state, NodeState::Active);

    // A change a gateway queued for it while it was failed and has not
    // settled when it beats again (under way, or lost with the gateway)
    // counts as missed too; one queued before it failed does not.
    follow(&d, "n1", "gw", 2, 1).await;
    let failed = fail_n1(&d).await;
    assert_eq!(
        failed.follows_at_failure,
        Some([("gw".to_owned(), 2)].into())
    );
    let n1 = d.heartbeat(beat("n1")).await.unwrap();
    assert_eq!(n1.state, NodeState::Active, "queued before it failed");
    fail_n1(&d).await;
    follow(&d, "n1", "gw", 3, 1).await;
    let n1 = d.heartbeat(beat("n1")).await.unwrap();
    assert_eq!(
        (n1.state, &n1.follows_at_failure),
        (NodeState::Staged, &None)
    );
    tokio::time::sleep(Duration::from_millis(STAGED_SETTLE_MS as u64 + 100)).await;
    let run = crate::remote::SeedReport {
        from: "n2".into(),
        misses: 3,
        follows: [("gw".to_owned(), 3)].into(),
        ..seed_run(n1.since(), true)
    };
    d.record_seed("n1", &run).await.unwrap();
    d.patch_node("n1", to(NodeState::Active)).await.unwrap();

    // With clients it still holds (the other nodes take none, so
    // disaster recovery could not re-home them), it comes back active to
    // serve them, missed changes or not.
    for i in 0..30 {
        check_in(&d, i).await;
    }
    for n in ["n2", "n3"] {
        d.cordon(n, true).await.unwrap();
    }
    fail_n1(&d).await;
    assert!(d.held_by("n1").await > 0);
    set_misses(&d, 4).await;
    let n1 = d.heartbeat(beat("n1")).await.unwrap();
    // Cordoned: a new client could need what it lacks. The director keeps
    // the count, and adds what it misses in a later failure.
    assert_eq!(
        (n1.state, n1.cordoned, n1.lacking),
        (NodeState::Active, true, Some(1))
    );
    fail_n1(&d).await;
    set_misses(&d, 6).await;
    let n1 = d.heartbeat(beat("n1")).await.unwrap();
    assert_eq!((n1.state, n1.lacking), (NodeState::Active, Some(3)));
    let status = d.status().await.unwrap();
    let shown = status.nodes.iter().find(|n| n.id == "n1").unwrap();
    assert_eq!((shown.cordoned, shown.lacking), (true, Some(3)));
    // Failed once more, missing nothing new, its clients re-homed this
    // time: it still lacks what it lacked, so it comes back staged, to be
    // brought in line as a joining node; the count goes with the stay.
    for n in ["n2", "n3"] {
        d.cordon(n, false).await.unwrap();
    }
    fail_n1(&d).await;
    complete_moves(&d).await;
    assert_eq!(d.held_by("n1").await, 0);
    let n1 = d.heartbeat(beat("n1")).await.unwrap();
    // The cordon the director set goes with the count.
    assert_eq!(
        (n1.state, n1.lacking, n1.cordoned),
        (NodeState::Staged, None, false)
    );
}

/// An operator who sets a failed node active gets what heartbeating
/// again would count (active and cordoned, never staged): the changes it
/// missed are kept on it, added up over failures, unless the operator
/// says it holds them (`unseeded`: it lacks nothing then). A drain takes
/// the count with it.
#[tokio::test]
async fn a_failed_node_set_active_keeps_what_it_lacks() {
    let d = cluster(3).await;
    for i in 0..30 {
        check_in(&d, i).await;
    }
    // n1 fails, misses changes up to `misses` in all, and is set active.
    let back_active = |misses: u64, unseeded: bool| {
        let d = &d;
        async move {
            fail_n1(d).await;
            set_misses(d, misses).await;
            let patch = NodePatch {
                unseeded,
                ..to(NodeState::Active)
            };
            let n1 = d.patch_node("n1", patch).await.unwrap();
            (n1.state, n1.cordoned, n1.lacking)
        }
    };
    assert_eq!(
        back_active(2, false).await,
        (NodeState::Active, true, Some(2))
    );
    // Again: the counts add up.
    d.cordon("n1", false).await.unwrap();
    assert_eq!(
        back_active(5, false).await,
        (NodeState::Active, true, Some(5))
    );
    // The operator's word: it holds what it missed, all of it.
    d.cordon("n1", false).await.unwrap();
    assert_eq!(back_active(7, true).await, (NodeState::Active, false, None));
    // An operator's own cordon stays when the count goes.
    d.cordon("n1", true).await.unwrap();
    assert_eq!(
        back_active(8, false).await,
        (NodeState::Active, true, Some(1))
    );
    d.drain("n1", None).await.unwrap();
    complete_moves(&d).await;
    let n1 = d.get_node("n1").await.unwrap();
    assert_eq!(
        (n1.state, n1.lacking, n1.cordoned),
        (NodeState::Offline, None, true)
    );
}

/// The follow records of a failed node: each shows what counts against
/// the node (queued since it failed and not settled), status sums it, and
/// only records none of whose changes counts are removed; a removal
/// changes nothing the director decides.
#[tokio::test]
async fn follow_records_show_what_counts_and_only_the_rest_are_removed() {
    let d = cluster(3).await;
    // Active: gateways follow it no more; a killed one's record counts
    // nothing.
    follow(&d, "n1", "gw-dead", 5, 3).await;
    let shown = d.node_follows("n1").await.unwrap();
    assert_eq!((shown.held_against, shown.counted), (None, 0));
    assert_eq!(shown.records[0].counted, 0);

    follow(&d, "n1", "gw-done", 4, 4).await;
    follow(&d, "n1", "gw-live", 2, 2).await;
    fail_n1(&d).await;
    // Since the failure: gw-live queued two, sent none yet; gw-new began
    // after it, with one unsent.
    follow(&d, "n1", "gw-live", 4, 2).await;
    follow(&d, "n1", "gw-new", 1, 0).await;
    let shown = d.node_follows("n1").await.unwrap();
    assert_eq!(
        (shown.state, shown.held_against, shown.counted),
        (
            NodeState::Failed,
            Some(crate::cluster::FollowHold::Failure),
            3
        )
    );
    let counted: Vec<(&str, u64)> = shown
        .records
        .iter()
        .map(|r| (r.gateway.as_str(), r.counted))
        .collect();
    assert_eq!(
        counted,
        [
            ("gw-dead", 0),
            ("gw-done", 0),
            ("gw-live", 2),
            ("gw-new", 1)
        ]
    );
    let status = d.status().await.unwrap();
    let n1 = status.nodes.iter().find(|n| n.id == "n1").unwrap();
    assert_eq!(n1.unsettled_changes, Some(3));

    // A named record that counts is refused with what to do; an unknown
    // one is not found.
    let why = match d.forget_follows("n1", Some("gw-live")).await {
        Err(DirectorError::Conflict(why)) => why,
        other => panic!("expected a conflict, got {other:?}"),
    };
    assert!(
        why.contains("gateway gw-live queued 2 change(s)")
            && why.contains("since it failed")
            && why.contains("gateway seed-node --from <a serving node> --to n1 --update --prune"),
        "{why}"
    );
    assert!(matches!(
        d.forget_follows("n1", Some("gw-nope")).await,
        Err(DirectorError::NotFound { .. })
    ));
    let one = d.forget_follows("n1", Some("gw-done")).await.unwrap();
    assert_eq!(one.removed.len(), 1);
    assert!(one.kept.is_empty());

    // Without a name: every record that counts nothing goes, the rest
    // stay.
    let all = d.forget_follows("n1", None).await.unwrap();
    let names = |records: &[crate::cluster::FollowRecord]| -> Vec<String> {
        records.iter().map(|r| r.gateway.clone()).collect()
    };
    assert_eq!(names(&all.removed), ["gw-dead"]);
    assert_eq!(names(&all.kept), ["gw-live", "gw-new"]);
    assert!(!all.more);
    let left = d.node_follows("n1").await.unwrap();
    assert_eq!(names(&left.records), ["gw-live", "gw-new"]);
    assert_eq!(left.counted, 3);

    // The decision at recovery is the one it was: back staged.
    let n1 = d.heartbeat(beat("n1")).await.unwrap();
    assert_eq!(n1.state, NodeState::Staged);
    // Staged with no run recorded yet: every unsettled change counts (a
    // run under way holds marks of them), so both stay.
    let staged = d.node_follows("n1").await.unwrap();
    assert_eq!(
        (staged.held_against, staged.counted),
        (Some(crate::cluster::FollowHold::Unseeded), 3)
    );
    let all = d.forget_follows("n1", None).await.unwrap();
    assert_eq!(
        (names(&all.removed), names(&all.kept)),
        (vec![], vec!["gw-live".to_owned(), "gw-new".to_owned()])
    );
}

#[tokio::test]
async fn moves_are_capped_retried_and_reported_failed() {
    let config = ClusterConfig {
        max_moves_in_flight: 5,
        move_timeout: Duration::from_millis(1),
        move_attempts: 2,
        ..ClusterConfig::default()
    };
    let d = Director::new(
        crate::store::Store::memory(),
        Arc::new(LocalBus::new()),
        config,
    )
    .await
    .unwrap();
    d.put_zone(Zone {
        name: "default".into(),
        description: String::new(),
        labels: Default::default(),
    })
    .await
    .unwrap();
    for i in 1..=2 {
        d.add_node(NewNode {
            id: format!("n{i}"),
            zone: "default".into(),
            api_url: format!("http://suma{i}.example.test/rpc/api"),
            master: None,
            weight: None,
            public_key: None,
            state: Some(NodeState::Active),
            unseeded: true,
        })
        .await
        .unwrap();
    }
    for i in 0..40 {
        check_in(&d, i).await;
    }
    let op = d.drain("n1", None).await.unwrap();
    d.drive_moves().await.unwrap();
    let directed = d
        .list_moves(true, usize::MAX)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.state == MoveState::Directed)
        .count();
    assert_eq!(directed, 5, "at most 5 in flight");
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(3)).await;
        d.drive_moves().await.unwrap();
    }
    let op = d.get_operation(op.id).await.unwrap();
    assert_eq!(op.state, OperationState::Failed);
    assert_eq!(op.failed, op.total);
    assert_eq!(
        d.get_node("n1").await.unwrap().state,
        NodeState::Draining,
        "a failed drain leaves the node draining"
    );
    let status = d.status().await.unwrap();
    assert_eq!(status.clients, 40);
}

#[tokio::test]
async fn node_events_join_systems_to_the_cluster_and_bind_moves() {
    let d = cluster(2).await;
    d.node_event(NodeEvent::SystemRegistered {
        node: "n2".into(),
        local_id: 1_000_010_042,
        minion_id: "direct.example.test".into(),
        machine_id: None,
    })
    .await
    .unwrap();
    let c = d.get_client("direct.example.test").await.unwrap();
    assert_eq!(
        (c.owner.as_deref(), c.status),
        (Some("n2"), ClientStatus::Onboarded)
    );
    let id = d.identity().system(c.cluster_id).await.unwrap().unwrap();
    assert_eq!((id.node.as_str(), id.local_id), ("n2", 1_000_010_042));
    // After a move to n1 the system registers there: same cluster id.
    d.node_event(NodeEvent::SystemRegistered {
        node: "n1".into(),
        local_id: 1_000_010_007,
        minion_id: "direct.example.test".into(),
        machine_id: None,
    })
    .await
    .unwrap();
    let again = d.identity().system(c.cluster_id).await.unwrap().unwrap();
    assert_eq!((again.node.as_str(), again.local_id), ("n1", 1_000_010_007));
    assert_eq!(again.left, [("n2".into(), 1_000_010_042)].into());
    // n2 deletes the copy the move left there: forgotten, the client stays.
    d.node_event(NodeEvent::SystemDeleted {
        node: "n2".into(),
        local_id: 1_000_010_042,
    })
    .await
    .unwrap();
    let c = d.get_client("direct.example.test").await.unwrap();
    assert_eq!(
        c.local_ids,
        [("n1".to_owned(), 1_000_010_007)].into(),
        "only the new copy's id is kept"
    );
    let again = d.identity().system(c.cluster_id).await.unwrap().unwrap();
    assert!(again.left.is_empty());
    assert_eq!(
        d.identity().left_copy("n2", 1_000_010_042).await.unwrap(),
        None
    );
    d.node_event(NodeEvent::SystemDeleted {
        node: "n1".into(),
        local_id: 1_000_010_007,
    })
    .await
    .unwrap();
    // Owner is still n2 in placement (no move happened), so deletion on n1
    // only forgets the local id.
    assert_eq!(
        d.get_client("direct.example.test").await.unwrap().status,
        ClientStatus::Onboarded
    );
}

#[tokio::test]
async fn objects_deleted_on_a_node_leave_the_identity_map() {
    let d = cluster(2).await;
    let ids = d.identity();
    let kind = ObjectKind::AnsiblePath;
    let on_n1 = ids.object_for_local(kind, "n1", 3).await.unwrap();
    let on_n2 = ids.object_for_local(kind, "n2", 3).await.unwrap();
    // The wire form nodectl sends (`node.<id>.event`, `POST /node/v1/events`).
    let event: NodeEvent = serde_json::from_str(
        r#"{"event": "object-deleted", "node": "n1", "kind": "ansible_path", "local_id": 3}"#,
    )
    .unwrap();
    d.node_event(event.clone()).await.unwrap();
    assert_eq!(ids.object(kind, on_n1).await.unwrap(), None);
    let kept = ids.object(kind, on_n2).await.unwrap().unwrap();
    assert_eq!((kept.node.as_str(), kept.local_id), ("n2", 3));
    // Delivered twice (the bus delivers at least once): nothing more happens.
    d.node_event(event).await.unwrap();
    // Objects the cluster never named are deleted on nodes all the time.
    d.node_event(NodeEvent::ObjectDeleted {
        node: "n2".into(),
        kind: ObjectKind::Notification,
        local_id: 99,
    })
    .await
    .unwrap();
    assert!(ids.object(kind, on_n2).await.unwrap().is_some());
}

#[tokio::test]
async fn bulk_import_onboards_a_nodes_systems_and_keeps_known_ones() {
    let d = cluster(2).await;
    d.node_event(NodeEvent::SystemRegistered {
        node: "n1".into(),
        local_id: 1_000_010_001,
        minion_id: "m1".into(),
        machine_id: None,
    })
    .await
    .unwrap();
    let known = d.get_client("m1").await.unwrap().cluster_id;
    let systems: Vec<ImportedSystem> = (0..1200)
        .map(|i| ImportedSystem {
            local_id: 1_000_010_000 + i,
            minion_id: format!("m{i}"),
            machine_id: None,
        })
        .collect();
    assert_eq!(d.import_systems("n1", systems).await.unwrap(), 1200);
    assert_eq!(
        d.get_client("m1").await.unwrap().cluster_id,
        known,
        "a known system keeps its id"
    );
    let status = d.status().await.unwrap();
    assert_eq!(status.clients, 1200);
    let mut ids = std::collections::HashSet::new();
    for c in d.list_clients(None, None, None, usize::MAX).await.unwrap() {
        assert!(ids.insert(c.cluster_id));
        let identity = d.identity().system(c.cluster_id).await.unwrap().unwrap();
        assert_eq!(identity.node, "n1");
    }
    // A rebalance now spreads them over both nodes.
    let plan = d.plan_rebalance().await.unwrap();
    assert!(plan.moves.len() >= 500, "{} moves", plan.moves.len());
}

fn refusal(result: Result<crate::model::Node>) -> String {
    match result {
        Err(DirectorError::Conflict(why)) => why,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn to(state: NodeState) -> NodePatch {
    NodePatch {
        state: Some(state),
        ..NodePatch::default()
    }
}

/// Writes gateway `gateway`'s follow record of node `node`.
async fn follow(d: &Director, node: &str, gateway: &str, queued: u64, settled: u64) {
    let count = crate::model::FollowCount { queued, settled };
    d.store()
        .put_json(Keys::node_follows(node, gateway), &count)
        .await
        .unwrap();
}

fn seed_run(since: crate::model::Millis, update: bool) -> crate::remote::SeedReport {
    crate::remote::SeedReport {
        from: "n1".into(),
        since,
        elapsed_ms: 0,
        update,
        prune: update,
        misses: 0,
        follows: Default::default(),
    }
}

/// A node that joins beside serving ones goes new -> seed-node -> staged
/// -> seed-node --update --prune -> active; each step is refused with what to do
/// until its run is recorded, a run holds for the state it began in only,
/// a node back from offline needs `--update --prune` from the start, and the
/// operator may vouch for a node (`unseeded`).
#[tokio::test]
async fn a_joining_node_is_staged_and_activated_only_after_seed_node_runs() {
    let d = cluster(1).await;
    let joining = |id: &str, state: NodeState, unseeded: bool| NewNode {
        id: id.into(),
        zone: "default".into(),
        api_url: format!("http://{id}.example.test/rpc/api"),
        master: None,
        weight: None,
        public_key: None,
        state: Some(state),
        unseeded,
    };
    let why = refusal(d.add_node(joining("n2", NodeState::Active, false)).await);
    assert!(
        why.contains("cannot join as active while n1 serves")
            && why.contains("gateway seed-node --from n1 --to n2")
            && why.contains("--unseeded"),
        "{why}"
    );
    let n2 = d
        .add_node(joining("n2", NodeState::New, false))
        .await
        .unwrap();
    assert_eq!(n2.state_since, Some(n2.created));

    let why = refusal(d.patch_node("n2", to(NodeState::Staged)).await);
    assert!(
        why.contains("no seed-node run since it became new")
            && why.contains("`gateway seed-node --from n1 --to n2`"),
        "{why}"
    );
    let why = refusal(d.patch_node("n2", to(NodeState::Active)).await);
    assert!(why.contains("stage it before activating it"), "{why}");

    // A run from a node that does not serve, or from itself, is not one.
    let from = |source: &str| crate::remote::SeedReport {
        from: source.into(),
        ..seed_run(n2.since(), false)
    };
    assert!(matches!(
        d.record_seed("n2", &from("n2")).await,
        Err(DirectorError::Invalid(_))
    ));
    let why = refusal(d.record_seed("n1", &from("n2")).await);
    assert!(
        why.contains("node n2 is new: seed from a node that serves"),
        "{why}"
    );

    // Seeded while new: it may be staged, not activated straight.
    let seeded = d
        .record_seed("n2", &seed_run(n2.since(), false))
        .await
        .unwrap();
    let mark = seeded.seeded_in_state().unwrap();
    assert_eq!((mark.from.as_str(), mark.state), ("n1", NodeState::New));
    let why = refusal(d.patch_node("n2", to(NodeState::Active)).await);
    assert!(why.contains("stage it before activating it"), "{why}");
    let staged = d.patch_node("n2", to(NodeState::Staged)).await.unwrap();
    assert!(staged.since() > n2.since());
    assert!(
        staged.seeded_in_state().is_none(),
        "the run was before staging"
    );

    // The run while new does not count for staged; nor does a run that
    // began before the node changed state, one that began before every
    // gateway follows the staged node, or one without --update.
    let why = refusal(d.patch_node("n2", to(NodeState::Active)).await);
    assert!(
        why.contains("no seed-node run with --update --prune since it was staged")
            && why.contains("run `gateway seed-node --from n1 --to n2 --update --prune`"),
        "{why}"
    );
    let why = refusal(d.record_seed("n2", &seed_run(n2.since(), true)).await);
    assert!(
        why.contains("became staged while it was being seeded"),
        "{why}"
    );
    let why = refusal(d.record_seed("n2", &seed_run(staged.since(), true)).await);
    assert!(
        why.contains("after node n2 was staged, before every gateway sent it each change"),
        "{why}"
    );
    tokio::time::sleep(Duration::from_millis(STAGED_SETTLE_MS as u64 + 100)).await;
    d.record_seed("n2", &seed_run(staged.since(), false))
        .await
        .unwrap();
    let why = refusal(d.patch_node("n2", to(NodeState::Active)).await);
    assert!(why.contains("with --update"), "{why}");
    d.record_seed("n2", &seed_run(staged.since(), true))
        .await
        .unwrap();
    // Sent again after a lost answer: taken as recorded.
    d.record_seed("n2", &seed_run(staged.since(), true))
        .await
        .unwrap();
    // A change the gateways could not send it since the run began: it
    // takes a run that began after that.
    d.store()
        .put_json(crate::model::Keys::node_misses("n2"), &1u64)
        .await
        .unwrap();
    let status = d.status().await.unwrap();
    let n2_status = status.nodes.iter().find(|n| n.id == "n2").unwrap();
    assert_eq!(n2_status.missed_changes, 1);
    let why = refusal(d.patch_node("n2", to(NodeState::Active)).await);
    assert!(
        why.contains("node n2 missed 1 change(s) of shared data since the last seed-node run")
            && why.contains("--update --prune` again"),
        "{why}"
    );
    let after_miss = crate::remote::SeedReport {
        misses: 1,
        ..seed_run(staged.since(), true)
    };
    d.record_seed("n2", &after_miss).await.unwrap();

    // Every change the gateways queued for it since the run began must be
    // settled (sent, or counted as missed): one still under way (gw-a), or
    // lost with a gateway killed after the run began (gw-b), holds the
    // activation up; what a gateway killed before the run left unsent
    // (gw-dead) does not, the run carried it.
    follow(&d, "n2", "gw-dead", 5, 3).await;
    follow(&d, "n2", "gw-a", 3, 3).await;
    let marked = crate::remote::SeedReport {
        follows: [("gw-dead".to_owned(), 5), ("gw-a".to_owned(), 3)].into(),
        ..after_miss.clone()
    };
    d.record_seed("n2", &marked).await.unwrap();
    follow(&d, "n2", "gw-a", 4, 3).await;
    follow(&d, "n2", "gw-b", 2, 0).await;
    let why = refusal(d.patch_node("n2", to(NodeState::Active)).await);
    assert!(
        why.contains("node n2 has 3 change(s) of shared data queued for it since the last seed-node run began")
            && why.contains("the gateway(s) gw-a, gw-b have neither sent")
            && why.contains("--update --prune` again"),
        "{why}"
    );
    follow(&d, "n2", "gw-a", 4, 4).await;
    let why = refusal(d.patch_node("n2", to(NodeState::Active)).await);
    assert!(
        why.contains("has 2 change(s)") && why.contains("gateway(s) gw-b have"),
        "{why}"
    );
    // A run that began after gw-b stopped carries what it lost.
    let follows = crate::model::marks_of(&d.follows_of("n2").await.unwrap());
    assert_eq!(follows.get("gw-b"), Some(&2));
    d.record_seed(
        "n2",
        &crate::remote::SeedReport {
            follows,
            ..after_miss
        },
    )
    .await
    .unwrap();
    let active = d.patch_node("n2", to(NodeState::Active)).await.unwrap();
    // Activated, it keeps only the records with changes never settled.
    let kept: Vec<String> = d
        .follows_of("n2")
        .await
        .unwrap()
        .into_iter()
        .map(|(gateway, _)| gateway)
        .collect();
    assert_eq!(kept, ["gw-b", "gw-dead"]);
    assert_eq!(active.state, NodeState::Active);

    // Back from offline, the runs before count no more, and one without
    // --update does not either.
    d.drain("n2", None).await.unwrap();
    d.drive_moves().await.unwrap();
    let offline = d.get_node("n2").await.unwrap();
    assert_eq!(offline.state, NodeState::Offline);
    assert!(offline.seeded_in_state().is_none());
    let why = refusal(d.patch_node("n2", to(NodeState::Staged)).await);
    assert!(
        why.contains("no seed-node run with --update --prune since it became offline")
            && why.contains("--to n2 --update --prune`"),
        "{why}"
    );
    d.record_seed("n2", &seed_run(offline.since(), false))
        .await
        .unwrap();
    let why = refusal(d.patch_node("n2", to(NodeState::Staged)).await);
    assert!(why.contains("since it became offline"), "{why}");
    d.record_seed("n2", &seed_run(offline.since(), true))
        .await
        .unwrap();
    // A lesser run in the same stay does not undo it.
    d.record_seed("n2", &seed_run(offline.since(), false))
        .await
        .unwrap();
    assert!(
        d.get_node("n2")
            .await
            .unwrap()
            .seeded_in_state()
            .unwrap()
            .synced()
    );
    d.patch_node("n2", to(NodeState::Staged)).await.unwrap();

    // The operator's word skips the check, at joining and after.
    let vouched = NodePatch {
        unseeded: true,
        ..to(NodeState::Active)
    };
    assert_eq!(
        d.patch_node("n2", vouched).await.unwrap().state,
        NodeState::Active
    );
    // A run of an earlier stay offline does not count for the next.
    d.drain("n2", None).await.unwrap();
    d.drive_moves().await.unwrap();
    let why = refusal(d.patch_node("n2", to(NodeState::Staged)).await);
    assert!(why.contains("since it became offline"), "{why}");
    let n3 = d
        .add_node(joining("n3", NodeState::Staged, true))
        .await
        .unwrap();
    assert_eq!(n3.state, NodeState::Staged);

    // With no other node serving there is nothing to copy from.
    let alone = cluster(0).await;
    alone
        .add_node(joining("n1", NodeState::New, false))
        .await
        .unwrap();
    assert_eq!(
        alone
            .patch_node("n1", to(NodeState::Active))
            .await
            .unwrap()
            .state,
        NodeState::Active
    );
}
