//! `gateway seed-node` ([`crate::seed`]): what one node was given before
//! another joined is copied onto the new one, over both nodes' own APIs.

use super::*;
use crate::seed::{self, Outcome, Report};

const POOL: &str = "sle-product-sles15-sp6-pool-x86_64";

fn outcome<'r>(report: &'r Report, kind: &str, name: &str) -> &'r Outcome {
    &report
        .lines
        .iter()
        .find(|l| l.kind == kind && l.name == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in\n{report}"))
        .outcome
}

/// The names of the groups of activation key `key`, as `gw` shows them.
async fn key_groups(gw: &Gateway, session: &Value, key: &str) -> Vec<String> {
    let details = call(
        gw,
        "activationkey.getDetails",
        vec![session.clone(), key.into()],
    )
    .await
    .unwrap();
    let mut names = Vec::new();
    for id in member(&details, "server_group_ids").as_array().unwrap() {
        let group = call(
            gw,
            "systemgroup.getDetails",
            vec![session.clone(), id.clone()],
        )
        .await
        .unwrap();
        names.push(member(&group, "name").as_str().unwrap().to_owned());
    }
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joining_node_gets_the_groups_channels_and_keys_it_missed() {
    let old = Sim::start("node1", 10, 2).await;
    let new = Sim::start("node2", 11, 0).await;

    // Before the new node joins, the cluster (old alone) gets a group, a
    // configuration channel, a key in both groups and a user.
    let (before, key) = alone(&old).await;
    let edge = call(
        &before,
        "systemgroup.create",
        vec![key.clone(), "edge-servers".into(), "At the edge".into()],
    )
    .await
    .unwrap();
    let web = call(
        &before,
        "systemgroup.getDetails",
        vec![key.clone(), "web-servers".into()],
    )
    .await
    .unwrap();
    call(
        &before,
        "configchannel.create",
        vec![
            key.clone(),
            "motd".into(),
            "Message of the day".into(),
            "The login banner".into(),
            "state".into(),
        ],
    )
    .await
    .unwrap();
    let made = call(
        &before,
        "activationkey.create",
        vec![
            key.clone(),
            "edge".into(),
            "Edge systems".into(),
            POOL.into(),
            Value::Int(25),
            Value::Array(vec!["monitoring_entitled".into()]),
            Value::Bool(false),
        ],
    )
    .await
    .unwrap();
    assert_eq!(made.as_str(), Some("1-edge"));
    let groups = vec![member(&edge, "id").clone(), member(&web, "id").clone()];
    call(
        &before,
        "activationkey.addServerGroups",
        vec![key.clone(), "1-edge".into(), Value::Array(groups)],
    )
    .await
    .unwrap();
    call(
        &before,
        "user.create",
        vec![
            key.clone(),
            "carol".into(),
            "secret-for-carol".into(),
            "Carol".into(),
            "Admin".into(),
            "carol@example.com".into(),
        ],
    )
    .await
    .unwrap();
    // The new node numbers its groups apart: one group of its own first.
    let (after, new_key) = alone(&new).await;
    call(
        &after,
        "systemgroup.create",
        vec![new_key.clone(), "lab".into(), "Only here".into()],
    )
    .await
    .unwrap();

    let mut cfg = GatewayConfig::default();
    for (id, sim) in [("n1", &old), ("n2", &new)] {
        cfg.nodes.push(StaticNode {
            id: id.into(),
            zone: "default".into(),
            api_url: sim.url.clone(),
        });
    }
    let gw = Gateway::new(cfg.clone(), directory(&cfg));

    // A dry run changes nothing.
    let planned = seed::between(&gw, "n1", "n2", "admin", "admin", true)
        .await
        .unwrap();
    assert_eq!(
        outcome(&planned, "system group", "edge-servers"),
        &Outcome::WouldCreate
    );
    assert_eq!(
        outcome(&planned, "system group", "web-servers"),
        &Outcome::Present
    );
    assert_eq!(
        outcome(&planned, "activation key", "1-edge"),
        &Outcome::WouldCreate
    );
    let keys = call(
        &after,
        "activationkey.listActivationKeys",
        vec![new_key.clone()],
    )
    .await
    .unwrap();
    assert!(!format!("{keys:?}").contains("1-edge"));

    let report = seed::between(&gw, "n1", "n2", "admin", "admin", false)
        .await
        .unwrap();
    assert_eq!(
        outcome(&report, "system group", "edge-servers"),
        &Outcome::Created
    );
    assert_eq!(
        outcome(&report, "configuration channel", "motd"),
        &Outcome::Created
    );
    assert_eq!(
        outcome(&report, "activation key", "1-edge"),
        &Outcome::Created
    );
    assert!(matches!(
        outcome(&report, "user", "carol"),
        Outcome::NotCopied(_)
    ));
    assert!(!report.to_string().contains("secret-for-carol"), "{report}");

    // The new node holds them as the old one does, the key's groups found
    // there by name.
    let details = call(
        &after,
        "activationkey.getDetails",
        vec![new_key.clone(), "1-edge".into()],
    )
    .await
    .unwrap();
    assert_eq!(
        member(&details, "description").as_str(),
        Some("Edge systems")
    );
    assert_eq!(member(&details, "base_channel_label").as_str(), Some(POOL));
    assert_eq!(member(&details, "usage_limit").as_i64(), Some(25));
    assert_eq!(
        member(&details, "entitlements"),
        &Value::Array(vec!["monitoring_entitled".into()])
    );
    assert_eq!(
        key_groups(&after, &new_key, "1-edge").await,
        ["edge-servers", "web-servers"]
    );
    let channel = call(
        &after,
        "configchannel.getDetails",
        vec![new_key.clone(), "motd".into()],
    )
    .await
    .unwrap();
    assert_eq!(
        member(&channel, "name").as_str(),
        Some("Message of the day")
    );
    assert_eq!(
        member(member(&channel, "configChannelType"), "label").as_str(),
        Some("state")
    );

    assert!(!report.has_failures(), "{report}");

    // A second run finds everything there: nothing created, nothing failed.
    let again = seed::between(&gw, "n1", "n2", "admin", "admin", false)
        .await
        .unwrap();
    assert!(!again.has_failures(), "{again}");
    assert!(
        again
            .lines
            .iter()
            .all(|l| matches!(l.outcome, Outcome::Present | Outcome::NotCopied(_))),
        "{again}"
    );

    // Unknown nodes and a wrong password are said so.
    let err = seed::between(&gw, "n1", "n9", "admin", "admin", true)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(err, "no node n9 in the node list (n1, n2)");
    let err = seed::between(&gw, "n1", "n2", "admin", "wrong", true)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("node n1: auth.login: fault 2950"), "{err}");
    assert!(!err.contains("wrong"), "{err}");
}
