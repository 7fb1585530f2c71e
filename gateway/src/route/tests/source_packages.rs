//! Source packages: every node holds the source packages of what it
//! syncs, numbered from a start of its own, so one source package has
//! different ids on two nodes. The cluster gives each one id, by the
//! source RPM's name.

use std::collections::BTreeMap;

use super::*;

/// The source packages `gw` lists: name -> id.
async fn listed(gw: &Gateway, key: &Value) -> BTreeMap<String, i64> {
    let all = call(gw, "packages.listSourcePackages", vec![key.clone()])
        .await
        .unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let s = s.as_struct().unwrap();
            let name = s.get("nvrea").or_else(|| s.get("name")).unwrap();
            (
                name.as_str().unwrap().to_owned(),
                s.get("id").unwrap().as_i64().unwrap(),
            )
        })
        .collect()
}

/// The id `sim` holds the source package `name` under, if it does.
fn held(sim: &Sim, name: &str) -> Option<i32> {
    sim.node
        .source_packages()
        .into_iter()
        .find(|(_, n)| n == name)
        .map(|(id, _)| id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_package_is_removed_by_one_id_on_every_node() {
    let (sims, gw) = cluster(2, 1, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let all = listed(&gw, &key).await;
    assert!(all.len() > 2, "{}", all.len());
    let (name, &id) = all.iter().next().unwrap();
    let (other, _) = all.iter().nth(1).unwrap();
    let (on_1, on_2) = (held(&sims[0], name).unwrap(), held(&sims[1], name).unwrap());
    assert_ne!(on_1, on_2, "the nodes number it apart");
    let mut ids: Vec<i64> = all.values().copied().collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        (1..=all.len() as i64).collect::<Vec<_>>(),
        "cluster ids, counted from 1"
    );

    let removed = call(
        &gw,
        "packages.removeSourcePackage",
        vec![key.clone(), Value::Int(id as i32)],
    )
    .await
    .unwrap();
    assert_eq!(removed, Value::Int(1));
    for sim in &sims {
        assert_eq!(held(sim, name), None, "{name} removed");
        assert!(held(sim, other).is_some(), "{other} kept");
    }
    // Again, and an id the cluster never gave out: the server's fault for
    // a source package it lacks.
    for id in [id as i32, 99_999] {
        let fault = call(
            &gw,
            "packages.removeSourcePackage",
            vec![key.clone(), Value::Int(id)],
        )
        .await
        .unwrap_err();
        assert_eq!(
            (fault.code, fault.string.as_str()),
            (
                -209,
                "redstone.xmlrpc.XmlRpcFault: The package could not be found"
            ),
            "{id}"
        );
    }
    assert_eq!(listed(&gw, &key).await.len(), all.len() - 1);
}
