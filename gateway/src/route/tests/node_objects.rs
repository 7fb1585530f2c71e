//! Objects each node numbers on its own (images, snapshots, notifications,
//! package profiles, Ansible paths, pinned subscriptions, XCCDF scans):
//! every simulator
//! numbers them from 1, so the same local id names a different object on
//! each node, and only the cluster ids tell them apart.

use xmlrpc::Struct;

use super::*;

/// The `name` member of `v`.
fn name_of(v: &Value) -> &str {
    member(v, "name").as_str().unwrap()
}

/// The cluster id of the system `node` numbers first (its Ansible control
/// node in the simulator).
async fn first_local_system(gw: &Gateway, key: &Value, node: &str) -> Value {
    let first = |local| local == sim::model::FIRST_SYSTEM_ID;
    Value::Int(system_where(gw, key, node, first).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_of_every_node_keep_apart_under_cluster_ids() {
    let (sims, gw) = cluster(3, 4, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let images = call(&gw, "image.listImages", vec![key.clone()])
        .await
        .unwrap();
    let listed = images.as_array().unwrap().to_vec();
    // Two images per node, each node's numbered 1 and 2.
    assert_eq!(listed.len(), 6, "{images:?}");
    let unique: HashSet<i64> = ids(&images).into_iter().collect();
    assert_eq!(unique.len(), 6, "every image its own id: {images:?}");
    let systems: HashSet<i64> = ids(&call(&gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap())
    .into_iter()
    .collect();
    for image in &listed {
        let id = member(image, "id").clone();
        let details = call(&gw, "image.getDetails", vec![key.clone(), id.clone()])
            .await
            .unwrap();
        assert_eq!(member(&details, "id"), &id);
        assert_eq!(
            name_of(&details),
            name_of(image),
            "image {id:?} is its own node's"
        );
        let builder = member(&details, "buildServerId").as_i64().unwrap();
        assert!(
            systems.contains(&builder),
            "build host {builder} is a cluster system id"
        );
        let (node, _) = parts_of(&gw, ObjectKind::Image, &id).await.remove(0);
        let sim_name = format!("node{}", &node[1..]);
        assert!(name_of(image).starts_with(&sim_name), "{node}: {image:?}");
    }
    // Deleting one node's image 2 leaves the other nodes' images 2.
    let jeos_of_n2 = listed
        .iter()
        .find(|i| name_of(i) == "node2-jeos")
        .map(|i| member(i, "id").clone())
        .unwrap();
    assert_eq!(
        parts_of(&gw, ObjectKind::Image, &jeos_of_n2).await,
        [("n2".to_owned(), 2)]
    );
    assert_eq!(
        call(&gw, "image.delete", vec![key.clone(), jeos_of_n2.clone()]).await,
        Ok(Value::Int(1))
    );
    let after = call(&gw, "image.listImages", vec![key.clone()])
        .await
        .unwrap();
    let names: Vec<&str> = after.as_array().unwrap().iter().map(name_of).collect();
    assert_eq!(names.len(), 5);
    assert!(
        names.contains(&"node1-jeos") && names.contains(&"node3-jeos"),
        "{names:?}"
    );
    assert!(!names.contains(&"node2-jeos"));
    let gone = call(&gw, "image.getDetails", vec![key.clone(), jeos_of_n2])
        .await
        .unwrap_err();
    assert_eq!(
        (gone.code, gone.string.as_str()),
        (10012, "redstone.xmlrpc.XmlRpcFault: Image not found")
    );
    drop(sims);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_os_image_imported_on_every_node_is_one_image() {
    let (sims, gw) = cluster(3, 2, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let import = vec![
        key.clone(),
        "pos".into(),
        "1.0".into(),
        "x86_64-redhat-linux".into(),
    ];
    let id = call(&gw, "image.importOSImage", import).await.unwrap();
    let parts = parts_of(&gw, ObjectKind::Image, &id).await;
    let nodes: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(nodes, ["n1", "n2", "n3"], "one copy per node under one id");
    let listed = call(&gw, "image.listImages", vec![key.clone()])
        .await
        .unwrap();
    let pos: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| name_of(i) == "pos")
        .collect();
    assert_eq!(pos.len(), 1, "listed once: {listed:?}");
    assert_eq!(member(pos[0], "id"), &id);
    assert_eq!(
        call(&gw, "image.delete", vec![key.clone(), id.clone()]).await,
        Ok(Value::Int(1))
    );
    // Every node's copy is gone, asked of each node directly.
    for sim in &sims {
        let (direct, key) = alone(sim).await;
        let images = call(&direct, "image.listImages", vec![key]).await.unwrap();
        let names: Vec<&str> = images.as_array().unwrap().iter().map(name_of).collect();
        assert!(
            names.len() == 2 && !names.contains(&"pos"),
            "{}: {names:?}",
            sim.url
        );
    }
}

/// The `xid`s of a listing of XCCDF scans.
fn xids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| member(s, "xid").as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xccdf_scans_reach_their_systems_node() {
    let (_sims, gw) = cluster(3, 4, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let on_n2 = first_local_system(&gw, &key, "n2").await;
    let on_n1 = first_local_system(&gw, &key, "n1").await;
    let list = |sid: Value| {
        let key = key.clone();
        let gw = &gw;
        async move {
            call(gw, "system.scap.listXccdfScans", vec![key, sid])
                .await
                .unwrap()
        }
    };
    let of_n2 = xids(&list(on_n2.clone()).await);
    let of_n1 = xids(&list(on_n1.clone()).await);
    assert_eq!(of_n2.len(), 2, "{of_n2:?}");
    assert!(
        of_n2.iter().all(|id| !of_n1.contains(id)),
        "n1's scans have ids of their own: {of_n2:?} {of_n1:?}"
    );
    // Its details are n2's scan's, not whatever n1 numbers alike: its
    // system, and its content's path on that node.
    let mut deletable = None;
    for &xid in &of_n2 {
        let xid = Value::Int(xid as i32);
        let (node, local) = parts_of(&gw, ObjectKind::XccdfScan, &xid).await.remove(0);
        assert_eq!(node, "n2");
        let details = call(
            &gw,
            "system.scap.getXccdfScanDetails",
            vec![key.clone(), xid.clone()],
        )
        .await
        .unwrap();
        assert_eq!(member(&details, "xid"), &xid);
        assert_eq!(member(&details, "sid"), &on_n2);
        assert!(
            member(&details, "path").as_str().unwrap().contains("node2"),
            "{details:?}"
        );
        let rules = call(
            &gw,
            "system.scap.getXccdfScanRuleResults",
            vec![key.clone(), xid.clone()],
        )
        .await
        .unwrap();
        assert!(!rules.as_array().unwrap().is_empty());
        // The simulator's odd scans are past the retention period.
        if local % 2 == 1 {
            deletable = Some(xid);
        }
    }
    let xid = deletable.expect("a scan past its retention period");
    assert_eq!(
        call(
            &gw,
            "system.scap.deleteXccdfScan",
            vec![key.clone(), xid.clone()],
        )
        .await,
        Ok(Value::Bool(true))
    );
    let left = xids(&list(on_n2).await);
    assert_eq!(left.len(), 1);
    assert!(!left.contains(&xid.as_i64().unwrap()));
    assert_eq!(
        xids(&list(on_n1).await),
        of_n1,
        "n1's scan of that number stays"
    );
    let gone = call(
        &gw,
        "system.scap.getXccdfScanDetails",
        vec![key.clone(), xid.clone()],
    )
    .await
    .unwrap_err();
    // The node's fault names its own id: given back with the cluster's.
    assert_eq!(
        gone.string,
        format!(
            "com.redhat.rhn.common.hibernate.LookupException: Could not find XCCDF scan {}",
            xid.as_i64().unwrap()
        )
    );
    // An id the cluster never handed out reaches no node.
    let never = call(
        &gw,
        "system.scap.getXccdfScanDetails",
        vec![key.clone(), Value::Int(99_999)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        never.string,
        "com.redhat.rhn.common.hibernate.LookupException: Could not find XCCDF scan 99999"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_reach_their_systems_node() {
    let (_sims, gw) = cluster(3, 4, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let on_n2 = first_local_system(&gw, &key, "n2").await;
    let on_n1 = first_local_system(&gw, &key, "n1").await;
    let list = |sid: Value| {
        let key = key.clone();
        let gw = &gw;
        async move {
            call(
                gw,
                "system.provisioning.snapshot.listSnapshots",
                vec![key, sid, Value::Struct(Struct::new())],
            )
            .await
            .unwrap()
        }
    };
    let snaps = list(on_n2.clone()).await;
    let snap_ids = ids(&snaps);
    assert_eq!(snap_ids.len(), 2, "{snaps:?}");
    let of_n1 = ids(&list(on_n1.clone()).await);
    assert!(
        snap_ids.iter().all(|id| !of_n1.contains(id)),
        "n1's snapshots have ids of their own: {snap_ids:?} {of_n1:?}"
    );
    // The packages are n2's snapshot's, not whatever n1 numbers alike.
    let snap = Value::Int(snap_ids[0] as i32);
    let (node, local) = parts_of(&gw, ObjectKind::Snapshot, &snap).await.remove(0);
    assert_eq!(node, "n2");
    let packages = call(
        &gw,
        "system.provisioning.snapshot.listSnapshotPackages",
        vec![key.clone(), snap.clone()],
    )
    .await
    .unwrap();
    let names: Vec<&str> = packages.as_array().unwrap().iter().map(name_of).collect();
    assert!(
        names.contains(&format!("node2-snapshot-{local}").as_str()),
        "{names:?}"
    );
    // A snapshot named beside another node's system is refused.
    let crossed = call(
        &gw,
        "system.provisioning.snapshot.rollbackToSnapshot",
        vec![key.clone(), on_n1.clone(), snap.clone()],
    )
    .await
    .unwrap_err();
    assert!(
        crossed.string.contains("snapshots of this call"),
        "{crossed:?}"
    );
    assert_eq!(
        call(
            &gw,
            "system.provisioning.snapshot.deleteSnapshot",
            vec![key.clone(), snap.clone()],
        )
        .await,
        Ok(Value::Int(1))
    );
    assert_eq!(ids(&list(on_n2).await), [snap_ids[1]]);
    assert_eq!(
        ids(&list(on_n1).await),
        of_n1,
        "n1's snapshot of that number stays"
    );
    let gone = call(
        &gw,
        "system.provisioning.snapshot.listSnapshotPackages",
        vec![key.clone(), snap.clone()],
    )
    .await
    .unwrap_err();
    assert_eq!(gone.code, 1069, "{gone:?}");
    assert!(
        gone.string
            .ends_with(&format!("Invalid snapshot specified: {}", snap_ids[0])),
        "{gone:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_of_several_nodes_in_one_call() {
    let (_sims, gw) = cluster(3, 2, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let get = |unread: bool| {
        let key = key.clone();
        let gw = &gw;
        async move {
            let list = call(
                gw,
                "user.notifications.getNotifications",
                vec![key, Value::Bool(unread)],
            )
            .await
            .unwrap();
            ids(&list)
        }
    };
    let all = get(false).await;
    assert_eq!(all.len(), 9, "three per node");
    assert_eq!(
        all.iter().collect::<HashSet<_>>().len(),
        9,
        "each its own id"
    );
    let unread = get(true).await;
    assert_eq!(unread.len(), 6);
    // One unread notification of n1 and one of n3.
    let mut picked = Vec::new();
    for node in ["n1", "n3"] {
        for id in &unread {
            let v = Value::Int(*id as i32);
            if parts_of(&gw, ObjectKind::Notification, &v).await[0].0 == node {
                picked.push(v);
                break;
            }
        }
    }
    assert_eq!(picked.len(), 2);
    assert_eq!(
        call(
            &gw,
            "user.notifications.setNotificationsRead",
            vec![key.clone(), Value::Array(picked.clone())],
        )
        .await,
        Ok(Value::Int(1))
    );
    let still = get(true).await;
    assert_eq!(still.len(), 4);
    assert!(picked.iter().all(|p| !still.contains(&p.as_i64().unwrap())));
    // An id the cluster never handed out is passed over, as the server
    // passes over one it lacks: the rest is deleted, the answer is 0.
    let mut doomed = picked.clone();
    doomed.push(Value::Int(999_999));
    assert_eq!(
        call(
            &gw,
            "user.notifications.deleteNotifications",
            vec![key.clone(), Value::Array(doomed)],
        )
        .await,
        Ok(Value::Int(0))
    );
    assert_eq!(get(false).await.len(), 7);
    assert_eq!(
        call(
            &gw,
            "user.notifications.deleteNotifications",
            vec![key.clone(), Value::Array(vec![Value::Int(still[0] as i32)])],
        )
        .await,
        Ok(Value::Int(1))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_paths_and_pins_made_through_the_cluster() {
    let (_sims, gw) = cluster(3, 2, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let control = first_local_system(&gw, &key, "n3").await;
    // A stored package profile, made on n3 from its system.
    assert_eq!(
        call(
            &gw,
            "system.createPackageProfile",
            vec![key.clone(), control.clone(), "base".into(), "d".into()],
        )
        .await,
        Ok(Value::Int(1))
    );
    let profiles = call(&gw, "system.listPackageProfiles", vec![key.clone()])
        .await
        .unwrap();
    let profile = Value::Int(ids(&profiles)[0] as i32);
    assert_eq!(ids(&profiles).len(), 1, "{profiles:?}");
    assert_eq!(
        parts_of(&gw, ObjectKind::PackageProfile, &profile).await[0].0,
        "n3"
    );
    assert_eq!(
        call(
            &gw,
            "system.deletePackageProfile",
            vec![key.clone(), profile.clone()]
        )
        .await,
        Ok(Value::Int(1))
    );
    assert!(
        ids(&call(&gw, "system.listPackageProfiles", vec![key.clone()])
            .await
            .unwrap())
        .is_empty()
    );
    // An Ansible path goes to the node of its control node.
    let mut props = Struct::new();
    props.push("type", "playbook".into());
    props.push("server_id", control.clone());
    props.push("path", "/srv/playbooks".into());
    let path = call(
        &gw,
        "ansible.createAnsiblePath",
        vec![key.clone(), Value::Struct(props)],
    )
    .await
    .unwrap();
    assert_eq!(
        member(&path, "server_id"),
        &control,
        "the control node's cluster id"
    );
    let path_id = member(&path, "id").clone();
    assert_eq!(
        parts_of(&gw, ObjectKind::AnsiblePath, &path_id).await[0].0,
        "n3"
    );
    let found = call(
        &gw,
        "ansible.lookupAnsiblePathById",
        vec![key.clone(), path_id.clone()],
    )
    .await
    .unwrap();
    assert_eq!(member(&found, "path"), &Value::from("/srv/playbooks"));
    let listed = call(
        &gw,
        "ansible.listAnsiblePaths",
        vec![key.clone(), control.clone()],
    )
    .await
    .unwrap();
    assert_eq!(ids(&listed), [path_id.as_i64().unwrap()]);
    assert_eq!(
        call(
            &gw,
            "ansible.removeAnsiblePath",
            vec![key.clone(), path_id.clone()]
        )
        .await,
        Ok(Value::Int(1))
    );
    let gone = call(
        &gw,
        "ansible.lookupAnsiblePathById",
        vec![key.clone(), path_id.clone()],
    )
    .await
    .unwrap_err();
    assert_eq!(gone.code, 10101, "{gone:?}");
    assert!(
        gone.string
            .ends_with(&path_id.as_i64().unwrap().to_string()),
        "{gone:?}"
    );
    // A pinned subscription of a system on n2, and its removal.
    let on_n2 = first_local_system(&gw, &key, "n2").await;
    let pin = call(
        &gw,
        "subscriptionmatching.pinnedsubscription.create",
        vec![key.clone(), Value::Int(7), on_n2.clone()],
    )
    .await
    .unwrap();
    assert_eq!(member(&pin, "system_id"), &on_n2);
    let pin_id = member(&pin, "id").clone();
    let pins = call(
        &gw,
        "subscriptionmatching.pinnedsubscription.list",
        vec![key.clone()],
    )
    .await
    .unwrap();
    assert_eq!(ids(&pins), [pin_id.as_i64().unwrap()]);
    assert_eq!(
        parts_of(&gw, ObjectKind::PinnedSubscription, &pin_id).await[0].0,
        "n2"
    );
    assert_eq!(
        call(
            &gw,
            "subscriptionmatching.pinnedsubscription.delete",
            vec![key.clone(), pin_id.clone()]
        )
        .await,
        Ok(Value::Int(1))
    );
    let again = call(
        &gw,
        "subscriptionmatching.pinnedsubscription.delete",
        vec![key.clone(), pin_id],
    )
    .await
    .unwrap_err();
    assert_eq!(
        (again.code, again.string.as_str()),
        (
            1213,
            "redstone.xmlrpc.XmlRpcFault: Pinned Subscription with given id doesn't exist."
        )
    );
}
