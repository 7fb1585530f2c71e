//! Package ids the nodes disagree on: each node numbers the packages it
//! syncs, so nodes whose channels were synced apart give one id to
//! different packages. A simulator of another zone has such content.

use super::*;

/// What `sim` alone says package `id` is, `name-version-release`.
async fn package_on(sim: &Sim, id: i32) -> String {
    let (gw, key) = alone(sim).await;
    let details = call(&gw, "packages.getDetails", vec![key, Value::Int(id)])
        .await
        .unwrap();
    let text = |m: &str| member(&details, m).as_str().unwrap().to_owned();
    format!("{}-{}-{}", text("name"), text("version"), text("release"))
}

/// The actions `sim` alone has in progress.
async fn in_progress_on(sim: &Sim) -> usize {
    let (gw, key) = alone(sim).await;
    call(&gw, "schedule.listInProgressActions", vec![key])
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_package_id_naming_different_packages_on_two_nodes_reaches_neither() {
    let sims = [
        Sim::start_in("default", "node1", 10, 3).await,
        Sim::start_in("synced-apart", "node2", 11, 3).await,
    ];
    let mut cfg = GatewayConfig::default();
    for (i, s) in sims.iter().enumerate() {
        cfg.nodes.push(StaticNode {
            id: format!("n{}", i + 1),
            zone: "default".into(),
            api_url: s.url.clone(),
        });
    }
    let directory = Arc::new(Directory::from_config(&cfg).unwrap());
    let gw = Gateway::new(cfg, directory);
    let key = login(&gw).await;

    // A package id the two nodes give to different packages.
    let mut differing = None;
    for id in 1..=40 {
        let (one, two) = (
            package_on(&sims[0], id).await,
            package_on(&sims[1], id).await,
        );
        if one != two {
            differing = Some((id, one, two));
            break;
        }
    }
    let (id, on_n1, on_n2) = differing.expect("content synced apart differs");
    let systems = first_system_of(&gw, &key, &["n1", "n2"]).await;
    let before = [
        in_progress_on(&sims[0]).await,
        in_progress_on(&sims[1]).await,
    ];
    let install = |sids: Value| {
        call(
            &gw,
            "system.schedulePackageInstall",
            vec![
                key.clone(),
                sids,
                Value::Array(vec![Value::Int(id)]),
                Value::DateTime("20240101T00:00:00".into()),
            ],
        )
    };

    // Split over both nodes, or to one node only: the id is ambiguous
    // either way (the client may hold either node's meaning).
    for sids in [Value::Array(systems.clone()), systems[0].clone()] {
        let fault = install(sids).await.unwrap_err();
        assert_eq!(fault.code, -1, "{fault:?}");
        for part in [
            format!("package id {id} names different packages"),
            format!("{on_n1}.x86_64 on n1"),
            format!("{on_n2}.x86_64 on n2"),
            "system.schedulePackageInstallByNevra".to_owned(),
        ] {
            assert!(fault.string.contains(&part), "{part:?} in {fault:?}");
        }
    }
    assert_eq!(
        [
            in_progress_on(&sims[0]).await,
            in_progress_on(&sims[1]).await
        ],
        before,
        "no node scheduled anything"
    );
    // A read is refused too: which node answers it is the gateway's pick.
    let fault = call(
        &gw,
        "packages.getDetails",
        vec![key.clone(), Value::Int(id)],
    )
    .await
    .unwrap_err();
    assert!(
        fault.string.contains("names different packages"),
        "{fault:?}"
    );
}
