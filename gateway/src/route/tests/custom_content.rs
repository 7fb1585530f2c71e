//! Repository, content filter and configuration channel ids: what an
//! administrator makes through the gateway is made on every node, and
//! each node numbers it as it makes it (the simulators from a start of
//! their own). The cluster gives each repository and configuration
//! channel one id by label, each filter one id by name; a change or
//! removal by cluster id reaches each node's own one.

use std::collections::BTreeMap;

use xmlrpc::Struct;

use super::*;

use crate::directory::{
    CachedContent, ConfigChannelIdentity, ContentFilterIdentity, RepositoryIdentity,
};

/// What each simulator holds: repository labels, filter names.
fn held(sims: &[Sim; 3]) -> Vec<(Vec<String>, Vec<String>)> {
    sims.iter()
        .map(|s| {
            let held = s.node.custom_content();
            (
                held.repositories.into_values().collect(),
                held.filters.into_values().collect(),
            )
        })
        .collect()
}

/// Asserts that every node holds the content of cluster id `id`, each
/// under an id of its own.
async fn held_apart<R: CachedContent>(gw: &Gateway, id: i64) {
    let record = gw
        .directory()
        .identity()
        .content::<R>(id as i32)
        .await
        .unwrap()
        .unwrap();
    let locals: Vec<Option<i32>> = ["n1", "n2", "n3"]
        .iter()
        .map(|n| record.local_on(n))
        .collect();
    assert!(
        locals.iter().all(Option::is_some) && locals[0] != locals[1] && locals[1] != locals[2],
        "every node has it, numbered apart: {record:?}"
    );
}

async fn create_repo(gw: &Gateway, key: &Value, label: &str) -> i64 {
    let made = call(
        gw,
        "channel.software.createRepo",
        vec![
            key.clone(),
            Value::string(label),
            Value::string("yum"),
            Value::string(format!("https://mirror.example.com/{label}")),
        ],
    )
    .await
    .unwrap();
    assert_eq!(member(&made, "label").as_str(), Some(label));
    member(&made, "id").as_i64().unwrap()
}

fn criteria(value: &str) -> Value {
    Value::Struct(
        xmlrpc::Struct::new()
            .with("matcher", Value::string("contains"))
            .with("field", Value::string("name"))
            .with("value", Value::string(value)),
    )
}

async fn create_filter(gw: &Gateway, key: &Value, name: &str) -> Result<Value, Fault> {
    call(
        gw,
        "contentmanagement.createFilter",
        vec![
            key.clone(),
            Value::string(name),
            Value::string("deny"),
            Value::string("package"),
            criteria(name),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repositories_made_on_every_node_have_one_id_each() {
    let (sims, gw) = synced_apart([1, 1, 1]).await;
    let key = login(&gw).await;
    let ids = gw.directory().identity();

    let mirror = create_repo(&gw, &key, "sles-mirror").await;
    let extras = create_repo(&gw, &key, "extras").await;
    assert_eq!((mirror, extras), (1, 2), "cluster ids, counted from 1");
    held_apart::<RepositoryIdentity>(&gw, mirror).await;

    let listed = call(&gw, "channel.software.listUserRepos", vec![key.clone()])
        .await
        .unwrap();
    assert_eq!(
        ids_by(&listed, "label", "id"),
        BTreeMap::from([("extras".into(), extras), ("sles-mirror".into(), mirror)])
    );
    let details = call(
        &gw,
        "channel.software.getRepoDetails",
        vec![key.clone(), Value::Int(extras as i32)],
    )
    .await
    .unwrap();
    assert_eq!(member(&details, "label").as_str(), Some("extras"));
    assert_eq!(member(&details, "id"), &Value::Int(extras as i32));

    // Relabelled by cluster id on every node; the cluster id follows the
    // label.
    let relabelled = call(
        &gw,
        "channel.software.updateRepoLabel",
        vec![
            key.clone(),
            Value::Int(extras as i32),
            Value::string("extras-eu"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(member(&relabelled, "id"), &Value::Int(extras as i32));
    let record = ids
        .content::<RepositoryIdentity>(extras as i32)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.label, "extras-eu");
    let details = call(
        &gw,
        "channel.software.getRepoDetails",
        vec![key.clone(), Value::string("extras-eu")],
    )
    .await
    .unwrap();
    assert_eq!(member(&details, "id"), &Value::Int(extras as i32));

    // Removed by cluster id: each node removes its own, and only it. The
    // server declares this id `long`: it takes only an `<i8>`, and each
    // node must get one.
    let removed = call(
        &gw,
        "channel.software.removeRepo",
        vec![key.clone(), Value::I8(mirror)],
    )
    .await
    .unwrap();
    assert_eq!(removed, Value::Int(1));
    for (repositories, _) in held(&sims) {
        assert_eq!(repositories, ["extras-eu"]);
    }

    // An id the cluster never gave: the server's fault, nothing removed.
    let fault = call(
        &gw,
        "channel.software.removeRepo",
        vec![key.clone(), Value::I8(99_999)],
    )
    .await
    .unwrap_err();
    assert_eq!(fault.code, 1213, "{fault:?}");
    for (repositories, _) in held(&sims) {
        assert_eq!(repositories, ["extras-eu"]);
    }

    // Made on each node apart from the gateway: a shared read binds one
    // node's id, and a removal by cluster id asks the others for theirs by
    // label (`getRepoDetails(repoLabel)`).
    for sim in &sims {
        let (alone, alone_key) = alone(sim).await;
        create_repo(&alone, &alone_key, "backports").await;
    }
    let details = call(
        &gw,
        "channel.software.getRepoDetails",
        vec![key.clone(), Value::string("backports")],
    )
    .await
    .unwrap();
    let backports = member(&details, "id").as_i64().unwrap();
    assert_eq!(backports, 3, "a new cluster id");
    call(
        &gw,
        "channel.software.removeRepo",
        vec![key.clone(), Value::I8(backports)],
    )
    .await
    .unwrap();
    for (repositories, _) in held(&sims) {
        assert_eq!(repositories, ["extras-eu"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_filters_have_one_id_and_are_found_by_name_where_unseen() {
    let (sims, gw) = synced_apart([1, 1, 1]).await;
    let key = login(&gw).await;

    let kernel = create_filter(&gw, &key, "no-kernel").await.unwrap();
    let kernel = member(&kernel, "id").as_i64().unwrap() as i32;
    let looked_up = call(
        &gw,
        "contentmanagement.lookupFilter",
        vec![key.clone(), Value::Int(kernel)],
    )
    .await
    .unwrap();
    assert_eq!(member(&looked_up, "name").as_str(), Some("no-kernel"));
    assert_eq!(member(&looked_up, "id"), &Value::Int(kernel));

    // Made on each node apart from the gateway (each with a gateway of
    // its own): the cluster has not seen them.
    for sim in &sims {
        let (alone, alone_key) = alone(sim).await;
        create_filter(&alone, &alone_key, "no-debug").await.unwrap();
    }
    // A shared read asks one node, so only that node's part is known ...
    let listed = call(&gw, "contentmanagement.listFilters", vec![key.clone()])
        .await
        .unwrap();
    let listed = ids_by(&listed, "name", "id");
    assert_eq!(listed.len(), 2, "{listed:?}");
    let debug = listed["no-debug"] as i32;
    assert_eq!(listed["no-kernel"], i64::from(kernel));
    // ... and a removal by cluster id finds the others' by name.
    let removed = call(
        &gw,
        "contentmanagement.removeFilter",
        vec![key.clone(), Value::Int(debug)],
    )
    .await
    .unwrap();
    assert_eq!(removed, Value::Int(1));
    for (_, filters) in held(&sims) {
        assert_eq!(filters, ["no-kernel"]);
    }

    // Renamed by cluster id: the cluster id follows the name, and the old
    // name is free for a new filter with an id of its own.
    let renamed = call(
        &gw,
        "contentmanagement.updateFilter",
        vec![
            key.clone(),
            Value::Int(kernel),
            Value::string("no-kernel-default"),
            Value::string(""),
            Value::Struct(xmlrpc::Struct::new()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(member(&renamed, "id"), &Value::Int(kernel));
    let again = create_filter(&gw, &key, "no-kernel").await.unwrap();
    assert_ne!(member(&again, "id"), &Value::Int(kernel));
    for (_, filters) in held(&sims) {
        let mut filters = filters;
        filters.sort();
        assert_eq!(filters, ["no-kernel", "no-kernel-default"]);
    }
    let record = gw
        .directory()
        .identity()
        .content::<ContentFilterIdentity>(kernel)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.name, "no-kernel-default");

    // An unknown filter id: the server's fault.
    let fault = call(
        &gw,
        "contentmanagement.lookupFilter",
        vec![key.clone(), Value::Int(99_999)],
    )
    .await
    .unwrap_err();
    assert_eq!(fault.code, 10101, "{fault:?}");
}

async fn create_config_channel(gw: &Gateway, key: &Value, label: &str, name: &str) -> i64 {
    let made = call(
        gw,
        "configchannel.create",
        vec![
            key.clone(),
            Value::string(label),
            Value::string(name),
            Value::string("managed files"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(member(&made, "label").as_str(), Some(label));
    member(&made, "id").as_i64().unwrap()
}

/// `configchannel.getDetails(id)` once per node: twice through `gw`,
/// whose shared reads take the two nodes of its zone in turn, once
/// through `apart`, a replica in the other zone. Each answer's name and
/// id, sorted by name.
async fn config_channel_on_each_node(
    gw: &Gateway,
    apart: &Gateway,
    key: &Value,
    id: i64,
) -> Vec<(String, i64)> {
    let mut answers = Vec::new();
    for gw in [gw, gw, apart] {
        let details = call(
            gw,
            "configchannel.getDetails",
            vec![key.clone(), Value::Int(id as i32)],
        )
        .await
        .unwrap();
        answers.push((
            member(&details, "name").as_str().unwrap().to_owned(),
            member(&details, "id").as_i64().unwrap(),
        ));
    }
    answers.sort();
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_channels_have_one_id_by_label_on_every_node() {
    let (sims, gw) = synced_apart([1, 1, 1]).await;
    let key = login(&gw).await;
    // A replica serving zone synced-apart, sharing the store (and so the
    // session and the identity map).
    let mut cfg = gw.config().clone();
    cfg.zone = Some("synced-apart".into());
    let apart = Gateway::new(cfg, gw.directory().clone());
    let web = create_config_channel(&gw, &key, "web", "Web").await;
    assert_eq!(web, 1, "a cluster id, counted from 1");
    held_apart::<ConfigChannelIdentity>(&gw, web).await;

    // Each node names it apart (behind the cluster's back), so that the
    // answers tell which node gave them: `getDetails(cluster id)` reaches
    // each node with its own id.
    for (i, sim) in sims.iter().enumerate() {
        let (alone, alone_key) = alone(sim).await;
        call(
            &alone,
            "configchannel.update",
            vec![
                alone_key,
                Value::string("web"),
                Value::string(format!("Web on node{}", i + 1)),
                Value::string("managed files"),
            ],
        )
        .await
        .unwrap();
    }
    let expected = |what: &str, id: i64| -> Vec<(String, i64)> {
        (1..=3)
            .map(|i| (format!("{what} on node{i}"), id))
            .collect()
    };
    assert_eq!(
        config_channel_on_each_node(&gw, &apart, &key, web).await,
        expected("Web", web)
    );

    // Made on each node apart from the gateway: a shared listing binds one
    // node's id, and the others are asked for theirs by label
    // (`getDetails(label)`).
    for (i, sim) in sims.iter().enumerate() {
        let (alone, alone_key) = alone(sim).await;
        create_config_channel(&alone, &alone_key, "db", &format!("DB on node{}", i + 1)).await;
    }
    let listed = call(&gw, "configchannel.listGlobals", vec![key.clone()])
        .await
        .unwrap();
    let listed = ids_by(&listed, "label", "id");
    assert_eq!(listed["web"], web);
    let db = listed["db"];
    assert_eq!(db, 2, "a new cluster id");
    assert_eq!(
        config_channel_on_each_node(&gw, &apart, &key, db).await,
        expected("DB", db)
    );

    // Systems of every node subscribed in one call (split per node): each
    // node lists its own id of the channels, answered as the cluster's.
    let mut sids = Vec::new();
    for node in ["n1", "n2", "n3"] {
        sids.push(systems_on(&gw, &key, node).await[0].0);
    }
    let added = call(
        &gw,
        "system.config.addChannels",
        vec![
            key.clone(),
            Value::Array(sids.iter().map(|s| Value::Int(*s)).collect()),
            Value::Array(vec![Value::string("db"), Value::string("web")]),
            Value::Bool(true),
        ],
    )
    .await
    .unwrap();
    assert_eq!(added, Value::Int(1));
    for sid in &sids {
        let listed = call(
            &gw,
            "system.config.listChannels",
            vec![key.clone(), Value::Int(*sid)],
        )
        .await
        .unwrap();
        let ids: Vec<i64> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|c| member(c, "id").as_i64().unwrap())
            .collect();
        assert_eq!(ids, [db, web], "system {sid}");
    }

    // Deleted by label everywhere: the cluster id then names nothing, and
    // every node says so as the server does.
    call(
        &gw,
        "configchannel.deleteChannels",
        vec![key.clone(), Value::Array(vec![Value::string("web")])],
    )
    .await
    .unwrap();
    for sim in &sims {
        let held: Vec<String> = sim
            .node
            .custom_content()
            .config_channels
            .into_values()
            .collect();
        assert_eq!(held, ["db"]);
    }
    for id in [web, 99_999] {
        let fault = call(
            &gw,
            "configchannel.getDetails",
            vec![key.clone(), Value::Int(id as i32)],
        )
        .await
        .unwrap_err();
        assert_eq!(
            (fault.code, fault.string.as_str()),
            (
                -1,
                format!(
                    "com.redhat.rhn.common.hibernate.LookupException: Could not find config channel with id={id}"
                )
                .as_str()
            )
        );
    }
}

/// A configuration file, and an activation key's packages, contact method
/// and configuration channels, set through the gateway reach every node;
/// the key's channels are listed under their cluster ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_files_and_key_parts_reach_every_node() {
    let (sims, gw) = synced_apart([1, 1, 1]).await;
    let key = login(&gw).await;
    // Node 2 numbers its channels apart: one of its own first.
    let (n2, n2_key) = alone(&sims[1]).await;
    create_config_channel(&n2, &n2_key, "local", "Only on node2").await;
    let web = create_config_channel(&gw, &key, "web", "Web").await;

    let file = |path: &str, contents: &str| {
        let mut info = xmlrpc::Struct::with_capacity(4);
        info.push("contents", Value::string(contents));
        info.push("owner", Value::string("root"));
        info.push("group", Value::string("root"));
        info.push("permissions", Value::string("644"));
        vec![
            key.clone(),
            Value::string("web"),
            Value::string(path),
            Value::Bool(false),
            Value::Struct(info),
        ]
    };
    let made = call(
        &gw,
        "configchannel.createOrUpdatePath",
        file("/etc/motd", "Welcome"),
    )
    .await
    .unwrap();
    assert_eq!(member(&made, "revision"), &Value::Int(1));
    // A node's refusal passes through as the node's fault; nothing is made.
    let fault = call(
        &gw,
        "configchannel.createOrUpdatePath",
        file("etc/relative", "x"),
    )
    .await
    .unwrap_err();
    assert_eq!(fault.code, 1023, "{fault:?}");

    let made = call(
        &gw,
        "activationkey.create",
        vec![
            key.clone(),
            Value::string("edge"),
            Value::string("Edge"),
            Value::string(""),
            Value::Array(vec![]),
            Value::Bool(false),
        ],
    )
    .await
    .unwrap();
    let edge = made.as_str().unwrap().to_owned();
    let mut details = xmlrpc::Struct::with_capacity(1);
    details.push("contact_method", Value::string("ssh-push"));
    let mut vim = xmlrpc::Struct::with_capacity(1);
    vim.push("name", Value::string("vim"));
    for (method, params) in [
        (
            "activationkey.setDetails",
            vec![key.clone(), Value::string(&edge), Value::Struct(details)],
        ),
        (
            "activationkey.addPackages",
            vec![
                key.clone(),
                Value::string(&edge),
                Value::Array(vec![Value::Struct(vim)]),
            ],
        ),
        (
            "activationkey.addConfigChannels",
            vec![
                key.clone(),
                Value::Array(vec![Value::string(&edge)]),
                Value::Array(vec![Value::string("web")]),
                Value::Bool(true),
            ],
        ),
    ] {
        assert_eq!(
            call(&gw, method, params).await.unwrap(),
            Value::Int(1),
            "{method}"
        );
    }

    for sim in &sims {
        let (node, node_key) = alone(sim).await;
        let files = call(
            &node,
            "configchannel.listFiles",
            vec![node_key.clone(), Value::string("web")],
        )
        .await
        .unwrap();
        let paths: Vec<&str> = files
            .as_array()
            .unwrap()
            .iter()
            .map(|f| member(f, "path").as_str().unwrap())
            .collect();
        assert_eq!(paths, ["/etc/motd"], "{}", sim.url);
        let held = call(
            &node,
            "activationkey.getDetails",
            vec![node_key.clone(), Value::string(&edge)],
        )
        .await
        .unwrap();
        assert_eq!(
            (
                member(&held, "contact_method").as_str(),
                member(&held, "package_names")
            ),
            (Some("ssh-push"), &Value::Array(vec![Value::string("vim")]))
        );
    }
    // Read back through the gateway: the file from one node, the key's
    // channel under its cluster id wherever the read lands.
    let info = call(
        &gw,
        "configchannel.lookupFileInfo",
        vec![
            key.clone(),
            Value::string("web"),
            Value::Array(vec![Value::string("/etc/motd")]),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        member(&info.as_array().unwrap()[0], "contents").as_str(),
        Some("Welcome")
    );
    for _ in 0..3 {
        let listed = call(
            &gw,
            "activationkey.listConfigChannels",
            vec![key.clone(), Value::string(&edge)],
        )
        .await
        .unwrap();
        let ids: Vec<i64> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|c| member(c, "id").as_i64().unwrap())
            .collect();
        assert_eq!(ids, [web]);
    }
}

/// The filters of a content lifecycle project, which each node numbers on
/// its own, are attached by cluster id and listed under it, nested in the
/// project's filter structs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projects_filters_are_attached_and_listed_by_cluster_id() {
    let (sims, gw) = synced_apart([1, 1, 1]).await;
    let key = login(&gw).await;
    // Node 2 numbers its filters apart: one of its own first.
    let (n2, n2_key) = alone(&sims[1]).await;
    create_filter(&n2, &n2_key, "local-only").await.unwrap();
    let made = create_filter(&gw, &key, "no-kernel").await.unwrap();
    let filter = member(&made, "id").as_i64().unwrap();
    held_apart::<ContentFilterIdentity>(&gw, filter).await;

    call(
        &gw,
        "contentmanagement.createProject",
        vec![
            key.clone(),
            Value::string("sles-prod"),
            Value::string("SLES production"),
            Value::string("what production runs"),
        ],
    )
    .await
    .unwrap();
    let attached = call(
        &gw,
        "contentmanagement.attachFilter",
        vec![
            key.clone(),
            Value::string("sles-prod"),
            Value::Int(filter as i32),
        ],
    )
    .await
    .unwrap();
    assert_eq!(member(&attached, "id").as_i64(), Some(filter));

    // Each node attached its own filter of that name.
    for sim in &sims {
        let (node, node_key) = alone(sim).await;
        let listed = call(
            &node,
            "contentmanagement.listProjectFilters",
            vec![node_key, Value::string("sles-prod")],
        )
        .await
        .unwrap();
        let names: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|f| member(member(f, "filter"), "name").as_str().unwrap())
            .collect();
        assert_eq!(names, ["no-kernel"], "{}", sim.url);
    }
    // Through the gateway, whichever node of the zone answers: the
    // cluster id.
    for _ in 0..3 {
        let listed = call(
            &gw,
            "contentmanagement.listProjectFilters",
            vec![key.clone(), Value::string("sles-prod")],
        )
        .await
        .unwrap();
        let listed = listed.as_array().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(member(&listed[0], "state").as_str(), Some("attached"));
        assert_eq!(
            member(member(&listed[0], "filter"), "id").as_i64(),
            Some(filter)
        );
    }
    let detached = call(
        &gw,
        "contentmanagement.detachFilter",
        vec![
            key.clone(),
            Value::string("sles-prod"),
            Value::Int(filter as i32),
        ],
    )
    .await
    .unwrap();
    assert_eq!(detached, Value::Int(1));
    let listed = call(
        &gw,
        "contentmanagement.listProjectFilters",
        vec![key.clone(), Value::string("sles-prod")],
    )
    .await
    .unwrap();
    assert_eq!(listed, Value::Array(Vec::new()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_info_key_counts_the_systems_of_every_node() {
    let (_sims, gw) = cluster(2, 3, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    for (label, description) in [("rack", "Rack position"), ("asset", "Asset tag")] {
        call(
            &gw,
            "system.custominfo.createKey",
            vec![key.clone(), label.into(), description.into()],
        )
        .await
        .unwrap();
    }
    let first = systems_on(&gw, &key, "n1").await;
    let mut racked = vec![first[0].0, first[1].0];
    racked.push(system_on(&gw, &key, "n2").await);
    for (i, sid) in racked.iter().enumerate() {
        let values = Struct::new().with("rack", Value::string(format!("r{i}")));
        call(
            &gw,
            "system.setCustomValues",
            vec![key.clone(), Value::Int(*sid), Value::Struct(values)],
        )
        .await
        .unwrap();
    }
    let keys = call(&gw, "system.custominfo.listAllKeys", vec![key.clone()])
        .await
        .unwrap();
    let counted: Vec<(&str, i64)> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                member(k, "label").as_str().unwrap(),
                member(k, "system_count").as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counted,
        [("asset", 0), ("rack", 3)],
        "one key each, counting the systems of both nodes"
    );
    let held = call(
        &gw,
        "system.getCustomValues",
        vec![key.clone(), Value::Int(racked[2])],
    )
    .await
    .unwrap();
    assert_eq!(member(&held, "rack").as_str(), Some("r2"));
}
