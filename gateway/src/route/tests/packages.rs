//! Package ids: each node numbers the packages it syncs (the simulators
//! from a start of their own), so one package has different ids on two
//! nodes and one id names different packages. The cluster gives each
//! package one id; a simulator of another zone lacks the zone's packages.

use super::*;

/// `name-version-release.arch` of a package struct.
fn nevra(package: &Value) -> String {
    let text = |m: &str| member(package, m).as_str().unwrap().to_owned();
    format!(
        "{}-{}-{}.{}",
        text("name"),
        text("version"),
        text("release"),
        text("arch_label")
    )
}

/// What the last action `sim` scheduled installs.
fn last_scheduled(sim: &Sim) -> Vec<String> {
    sim.node.scheduled_packages().pop().unwrap().1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_package_has_one_id_on_nodes_that_number_it_apart() {
    let (mut sims, gw) = synced_apart([3, 3, 3]).await;
    let key = login(&gw).await;

    let channels = call(&gw, "channel.listSoftwareChannels", vec![key.clone()])
        .await
        .unwrap();
    let label = channels
        .as_array()
        .unwrap()
        .iter()
        .map(|c| member(c, "label").clone())
        .find(|l| l.as_str() == Some("sle-product-sles15-sp6-pool-x86_64"))
        .unwrap();
    let list = || async {
        let packages = call(
            &gw,
            "channel.software.listAllPackages",
            vec![key.clone(), label.clone()],
        )
        .await
        .unwrap();
        let mut by_nevra: Vec<(String, i64)> = packages
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (nevra(p), member(p, "id").as_i64().unwrap()))
            .collect();
        by_nevra.sort();
        by_nevra
    };
    let listed = list().await;
    // Cluster ids, not a node's (the simulators number from 200001).
    assert!(
        listed
            .iter()
            .all(|(_, id)| (1..=listed.len() as i64).contains(id)),
        "{listed:?}"
    );
    let (package, id) = listed[listed.len() / 2].clone();

    // One install on a system of each node of the zone: each node gets
    // its own id for the package.
    let systems = first_system_of(&gw, &key, &["n1", "n2"]).await;
    let actions = call(
        &gw,
        "system.schedulePackageInstall",
        vec![
            key.clone(),
            Value::Array(systems),
            Value::Array(vec![Value::Int(id as i32)]),
            Value::DateTime("20240101T00:00:00".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        actions.as_array().unwrap().len(),
        2,
        "one per node: {actions:?}"
    );
    for sim in &sims[..2] {
        assert_eq!(last_scheduled(sim), std::slice::from_ref(&package));
    }

    // The package by its cluster id, and found by name: the same id.
    let details = call(
        &gw,
        "packages.getDetails",
        vec![key.clone(), Value::Int(id as i32)],
    )
    .await
    .unwrap();
    assert_eq!(
        (nevra(&details), member(&details, "id")),
        (package.clone(), &Value::Int(id as i32))
    );
    let (rest, arch) = package.rsplit_once('.').unwrap();
    let (rest, release) = rest.rsplit_once('-').unwrap();
    let (name, version) = rest.rsplit_once('-').unwrap();
    let found = call(
        &gw,
        "packages.findByNvrea",
        ["", name, version, release, "", arch]
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if i == 0 {
                    key.clone()
                } else {
                    Value::string(*s)
                }
            })
            .collect(),
    )
    .await
    .unwrap();
    assert_eq!(
        member(&found.as_array().unwrap()[0], "id"),
        &Value::Int(id as i32)
    );

    // A search names the architecture but not its label: the gateway
    // asks the node what each id is, and answers the same cluster ids.
    let searched = call(
        &gw,
        "packages.search.name",
        vec![key.clone(), Value::string(name)],
    )
    .await
    .unwrap();
    let searched: Vec<i64> = searched
        .as_array()
        .unwrap()
        .iter()
        .map(|p| member(p, "id").as_i64().unwrap())
        .collect();
    assert!(searched.contains(&id), "{id} in {searched:?}");
    let prefix = format!("{name}-");
    assert!(
        listed
            .iter()
            .filter(|(p, _)| p.starts_with(&prefix))
            .all(|(_, i)| searched.contains(i)),
        "{searched:?}"
    );

    // The node of another zone lacks the package: the server's fault.
    let other = Value::Int(system_on(&gw, &key, "n3").await);
    let fault = call(
        &gw,
        "system.schedulePackageInstall",
        vec![
            key.clone(),
            other,
            Value::Array(vec![Value::Int(id as i32)]),
            Value::DateTime("20240101T00:00:00".into()),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(fault.code, -209, "{fault:?}");
    assert!(sims[2].node.scheduled_packages().is_empty());
    // So is a cluster id no package has.
    let fault = call(
        &gw,
        "packages.getDetails",
        vec![key.clone(), Value::Int(99_999)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        (fault.code, fault.string.as_str()),
        (
            -209,
            "redstone.xmlrpc.XmlRpcFault: The package could not be found"
        )
    );

    // With the first node gone, the listing comes from the other node of
    // the gateway's zone, under the same ids.
    sims[0].kill().await;
    assert_eq!(list().await, listed);
}
