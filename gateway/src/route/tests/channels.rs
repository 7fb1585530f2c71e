//! Software channel ids: each node numbers its channels as it adds them
//! (the simulators from a start of their own), so one channel has
//! different ids on two nodes. The cluster gives each channel one id, by
//! label.

use std::collections::BTreeMap;

use super::*;

const POOL: &str = "sle-product-sles15-sp6-pool-x86_64";
const UPDATES: &str = "sle-product-sles15-sp6-updates-x86_64";
const BASESYSTEM: &str = "sle-module-basesystem-sles15-sp6-pool-x86_64";
const SP5_POOL: &str = "sle-product-sles15-sp5-pool-x86_64";

/// A system of `node` on SLES 15 SP6: its cluster id and its id there.
async fn sp6_system_on(gw: &Gateway, key: &Value, node: &str) -> (i32, i32) {
    for (id, local) in systems_on(gw, key, node).await {
        let base = call(
            gw,
            "system.getSubscribedBaseChannel",
            vec![key.clone(), Value::Int(id)],
        )
        .await
        .unwrap();
        // A system of a release the node has not synced has none.
        let label = base.as_struct().and_then(|s| s.get("label"));
        if label.and_then(Value::as_str) == Some(POOL) {
            return (id, local);
        }
    }
    panic!("no SLES 15 SP6 system on {node}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_has_one_id_on_nodes_that_number_it_apart() {
    let (sims, gw) = synced_apart([6, 6, 2]).await;
    let key = login(&gw).await;

    // A kickstart tree names its channel by id only: asked first, before
    // the cluster has seen the channel, it is looked up on the node.
    let trees = call(
        &gw,
        "kickstart.tree.list",
        vec![key.clone(), Value::string(POOL)],
    )
    .await
    .unwrap();
    let trees = trees.as_array().unwrap();
    assert_eq!(trees.len(), 1, "{trees:?}");
    let tree_channel = member(&trees[0], "channel_id").as_i64().unwrap();
    let record = gw
        .directory()
        .identity()
        .content::<crate::directory::ChannelIdentity>(tree_channel as i32)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.label, POOL, "not the tree's own label");

    // The cluster's channels: small cluster ids, one per label, where the
    // simulators number them from a start of their own each.
    let all = call(&gw, "channel.listAllChannels", vec![key.clone()])
        .await
        .unwrap();
    let channels = ids_by(&all, "label", "id");
    assert_eq!(channels.len(), 6, "{channels:?}");
    assert_eq!(channels[POOL], tree_channel);
    assert!(
        channels.values().all(|id| (1..100).contains(id)),
        "{channels:?}"
    );
    let updates = channels[UPDATES];
    let record = gw
        .directory()
        .identity()
        .content::<crate::directory::ChannelIdentity>(updates as i32)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.label, UPDATES);

    // A system of each node of the zone sees the same ids for its
    // channels, though the nodes number them apart.
    let (first, first_local) = sp6_system_on(&gw, &key, "n1").await;
    let (second, second_local) = sp6_system_on(&gw, &key, "n2").await;
    for sid in [first, second] {
        let sid = Value::Int(sid);
        let children = call(
            &gw,
            "system.listSubscribableChildChannels",
            vec![key.clone(), sid.clone()],
        )
        .await
        .unwrap();
        let children = ids_by(&children, "label", "id");
        assert_eq!(
            children,
            BTreeMap::from([
                (BASESYSTEM.to_owned(), channels[BASESYSTEM]),
                (UPDATES.to_owned(), updates),
            ])
        );
        let base = call(
            &gw,
            "system.getSubscribedBaseChannel",
            vec![key.clone(), sid],
        )
        .await
        .unwrap();
        assert_eq!(member(&base, "id"), &Value::Int(channels[POOL] as i32));
    }
    let n1 = sims[0].node.child_channels(first_local).unwrap();
    assert_eq!(n1, [BASESYSTEM, UPDATES], "subscribed to both at first");
    let locals: Vec<Option<i32>> = ["n1", "n2"].iter().map(|n| record.local_on(n)).collect();
    assert_ne!(
        locals[0], locals[1],
        "the nodes number it apart: {record:?}"
    );

    // Child channels set by cluster id on each node: each gets its own id
    // for the channel. A label among the ids passes as it is.
    for sid in [first, second] {
        let set = call(
            &gw,
            "system.setChildChannels",
            vec![
                key.clone(),
                Value::Int(sid),
                Value::Array(vec![Value::Int(updates as i32)]),
            ],
        )
        .await
        .unwrap();
        assert_eq!(set, Value::Int(1));
    }
    assert_eq!(sims[0].node.child_channels(first_local).unwrap(), [UPDATES]);
    assert_eq!(
        sims[1].node.child_channels(second_local).unwrap(),
        [UPDATES]
    );
    call(
        &gw,
        "system.setChildChannels",
        vec![
            key.clone(),
            Value::Int(second),
            Value::Array(vec![Value::string(BASESYSTEM), Value::Int(updates as i32)]),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        sims[1].node.child_channels(second_local).unwrap(),
        [BASESYSTEM, UPDATES]
    );
    let subscribed = call(
        &gw,
        "channel.software.listSystemChannels",
        vec![key.clone(), Value::Int(first)],
    )
    .await
    .unwrap();
    assert_eq!(
        ids_by(&subscribed, "label", "id"),
        BTreeMap::from([
            (POOL.to_owned(), channels[POOL]),
            (UPDATES.to_owned(), updates),
        ])
    );

    // A channel by cluster id, and by label.
    for by in [Value::Int(updates as i32), Value::string(UPDATES)] {
        let details = call(&gw, "channel.software.getDetails", vec![key.clone(), by])
            .await
            .unwrap();
        assert_eq!(member(&details, "label").as_str(), Some(UPDATES));
        assert_eq!(member(&details, "id"), &Value::Int(updates as i32));
    }

    // A cluster id no channel has: the server's fault, nothing changed.
    for (method, params) in [
        ("channel.software.getDetails", vec![Value::Int(99_999)]),
        (
            "system.setChildChannels",
            vec![Value::Int(first), Value::Array(vec![Value::Int(99_999)])],
        ),
    ] {
        let mut all = vec![key.clone()];
        all.extend(params);
        let fault = call(&gw, method, all).await.unwrap_err();
        assert_eq!(
            (fault.code, fault.string.as_str()),
            (-210, "redstone.xmlrpc.XmlRpcFault: No such channel"),
            "{method}"
        );
    }
    assert_eq!(sims[0].node.child_channels(first_local).unwrap(), [UPDATES]);
}

/// `system.setBaseChannel(sid, cid)`, the overload SUSE Manager 4.3 has:
/// each node gets its own id for the channel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_base_channel_set_by_cluster_id_reaches_each_node_s_own() {
    let sims = [("node1", 10), ("node2", 11)].map(|(name, seed)| {
        Sim::start_as(SimConfig {
            name: name.to_owned(),
            seed,
            systems: 6,
            release: spec::Release::V4_3,
            ..SimConfig::default()
        })
    });
    let sims = futures::future::join_all(sims).await;
    let mut cfg = GatewayConfig {
        release: crate::config::ReleaseLabel(spec::Release::V4_3),
        ..GatewayConfig::default()
    };
    for (i, s) in sims.iter().enumerate() {
        cfg.nodes.push(StaticNode {
            id: format!("n{}", i + 1),
            zone: "default".into(),
            api_url: s.url.clone(),
        });
    }
    let gw = Gateway::new(cfg.clone(), directory(&cfg));
    let key = login(&gw).await;
    let all = call(&gw, "channel.listAllChannels", vec![key.clone()])
        .await
        .unwrap();
    let sp5 = ids_by(&all, "label", "id")[SP5_POOL];
    let (first, _) = sp6_system_on(&gw, &key, "n1").await;
    let (second, second_local) = sp6_system_on(&gw, &key, "n2").await;
    let record = gw
        .directory()
        .identity()
        .content::<crate::directory::ChannelIdentity>(sp5 as i32)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(record.local_on("n1"), record.local_on("n2"), "{record:?}");
    for sid in [first, second] {
        let set = call(
            &gw,
            "system.setBaseChannel",
            vec![key.clone(), Value::Int(sid), Value::Int(sp5 as i32)],
        )
        .await
        .unwrap();
        assert_eq!(set, Value::Int(1));
        let base = call(
            &gw,
            "system.getSubscribedBaseChannel",
            vec![key.clone(), Value::Int(sid)],
        )
        .await
        .unwrap();
        assert_eq!(member(&base, "label").as_str(), Some(SP5_POOL));
        assert_eq!(member(&base, "id"), &Value::Int(sp5 as i32));
    }
    assert!(
        sims[1]
            .node
            .child_channels(second_local)
            .unwrap()
            .is_empty()
    );
    // -1, no base channel, passes as it is.
    let none = call(
        &gw,
        "system.setBaseChannel",
        vec![key.clone(), Value::Int(second), Value::Int(-1)],
    )
    .await
    .unwrap();
    assert_eq!(none, Value::Int(1));
    let base = call(
        &gw,
        "system.getSubscribedBaseChannel",
        vec![key.clone(), Value::Int(second)],
    )
    .await
    .unwrap();
    assert_eq!(base, Value::Struct(Default::default()));
}
