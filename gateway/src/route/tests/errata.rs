//! Erratum ids: each node numbers the errata it syncs (the simulators from
//! a start of their own), so one erratum has different ids on two nodes.
//! The cluster gives each erratum one id, by advisory name; a simulator of
//! another zone has other errata.

use std::collections::BTreeMap;

use super::*;

/// A system of `node` with errata relevant to it, and those errata; when
/// `like` is given, one whose errata have those advisory names.
async fn system_with_errata(
    gw: &Gateway,
    key: &Value,
    node: &str,
    like: Option<&BTreeMap<String, i64>>,
) -> (i32, BTreeMap<String, i64>) {
    for (id, _) in systems_on(gw, key, node).await {
        let sid = Value::Int(id);
        let errata = call(gw, "system.getRelevantErrata", vec![key.clone(), sid])
            .await
            .unwrap();
        let errata = ids_by(&errata, "advisory_name", "id");
        let fits = match like {
            Some(like) => like.keys().eq(errata.keys()),
            None => !errata.is_empty(),
        };
        if fits {
            return (id, errata);
        }
    }
    panic!("no system with such errata on {node}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erratum_has_one_id_on_nodes_that_number_it_apart() {
    let (sims, gw) = synced_apart([8, 8, 3]).await;
    let key = login(&gw).await;

    // A system of each node of the zone with the same errata relevant:
    // both answer the same cluster ids (the simulators' own start above
    // 3000, and differ).
    let (first, errata) = system_with_errata(&gw, &key, "n1", None).await;
    let (second, again) = system_with_errata(&gw, &key, "n2", Some(&errata)).await;
    assert_eq!(again, errata, "one cluster id per erratum on both nodes");
    assert!(
        errata.values().all(|id| (1..100).contains(id)),
        "{errata:?}"
    );
    let (advisory, id) = errata.iter().next().map(|(a, i)| (a.clone(), *i)).unwrap();
    let record = gw
        .directory()
        .identity()
        .content::<crate::directory::ErratumIdentity>(id as i32)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(
        record.local_on("n1"),
        record.local_on("n2"),
        "the nodes number the erratum apart: {record:?}"
    );

    // Both systems at once: each system's errata nested under its
    // cluster id, in the order asked.
    let both = call(
        &gw,
        "system.getRelevantErrata",
        vec![
            key.clone(),
            Value::Array(vec![Value::Int(second), Value::Int(first)]),
        ],
    )
    .await
    .unwrap();
    let both = both.as_array().unwrap();
    assert_eq!(
        both.iter()
            .map(|s| member(s, "system_id").clone())
            .collect::<Vec<_>>(),
        [Value::Int(second), Value::Int(first)]
    );
    for s in both {
        assert_eq!(ids_by(member(s, "errata"), "advisory_name", "id"), errata);
    }

    // One patch run on both systems: each node gets its own id for the
    // erratum.
    let actions = call(
        &gw,
        "system.scheduleApplyErrata",
        vec![
            key.clone(),
            Value::Array(vec![Value::Int(first), Value::Int(second)]),
            Value::Array(vec![Value::Int(id as i32)]),
        ],
    )
    .await
    .unwrap();
    assert_eq!(actions.as_array().unwrap().len(), 2, "{actions:?}");
    for sim in &sims[..2] {
        let (_, applied) = sim.node.scheduled_errata().pop().unwrap();
        assert_eq!(applied, std::slice::from_ref(&advisory));
    }

    // The erratum by its advisory name, and in its channel's listing.
    let details = call(
        &gw,
        "errata.getDetails",
        vec![key.clone(), Value::string(&advisory)],
    )
    .await
    .unwrap();
    assert_eq!(member(&details, "id"), &Value::Int(id as i32));
    let channels = [
        "sle-product-sles15-sp6-updates-x86_64",
        "sle-product-sles15-sp5-updates-x86_64",
    ];
    let mut listed = BTreeMap::new();
    for label in channels {
        let errata = call(
            &gw,
            "channel.software.listErrata",
            vec![key.clone(), Value::string(label)],
        )
        .await
        .unwrap();
        listed.extend(ids_by(&errata, "advisory_name", "id"));
    }
    assert_eq!(listed.get(&advisory), Some(&id), "{listed:?}");

    // The node of another zone has other errata: the server's fault, and
    // nothing scheduled there. So for a cluster id no erratum has.
    let other = Value::Int(system_on(&gw, &key, "n3").await);
    for (sid, erratum) in [(other.clone(), id as i32), (Value::Int(first), 99_999)] {
        let fault = call(
            &gw,
            "system.scheduleApplyErrata",
            vec![key.clone(), sid, Value::Array(vec![Value::Int(erratum)])],
        )
        .await
        .unwrap_err();
        assert_eq!(
            (fault.code, fault.string.as_str()),
            (2600, "redstone.xmlrpc.XmlRpcFault: Invalid errata")
        );
    }
    assert!(sims[2].node.scheduled_errata().is_empty());
}
