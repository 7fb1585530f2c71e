//! Kickstart scripts: a profile's scripts are added on every node, and
//! each node numbers them from a start of its own. The cluster id of a
//! script stands for what it is, so that a removal or a new order by
//! cluster id reaches each node's own copy.

use std::collections::BTreeMap;

use super::*;

/// The profile the tests add scripts to.
const PROFILE: &str = "ks-sles";

/// The tree of the SLES 15 SP6 pool every simulator holds.
const TREE: &str = "sles15-sp6-x86_64";

async fn create_profile(gw: &Gateway, key: &Value, label: &str) -> Result<Value, Fault> {
    call(
        gw,
        "kickstart.createProfile",
        vec![
            key.clone(),
            Value::string(label),
            Value::string("none"),
            Value::string(TREE),
            Value::string("suma.example.test"),
            Value::string("s3cret-root"),
        ],
    )
    .await
}

/// `addScript`'s 7-argument overload: no template, no error on failure.
async fn add_script(
    gw: &Gateway,
    key: &Value,
    profile: &str,
    name: &str,
    kind: &str,
) -> Result<Value, Fault> {
    call(
        gw,
        "kickstart.profile.addScript",
        vec![
            key.clone(),
            Value::string(profile),
            Value::string(name),
            Value::string(format!("echo {name}")),
            Value::string(""),
            Value::string(kind),
            Value::Bool(true),
        ],
    )
    .await
}

/// Each script of a listing: name -> (id, before registration).
fn by_name(listed: &Value) -> BTreeMap<String, (i64, bool)> {
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                member(s, "name").as_str().unwrap().to_owned(),
                (
                    member(s, "id").as_i64().unwrap(),
                    member(s, "beforeRegistration") == &Value::Bool(true),
                ),
            )
        })
        .collect()
}

/// Each script `gw` lists for `profile` ([`by_name`]).
async fn scripts(gw: &Gateway, key: &Value, profile: &str) -> BTreeMap<String, (i64, bool)> {
    let listed = call(
        gw,
        "kickstart.profile.listScripts",
        vec![key.clone(), Value::string(profile)],
    )
    .await
    .unwrap();
    by_name(&listed)
}

/// What each simulator holds of `profile`, under its own ids, asked of it
/// directly.
async fn on_each_node(sims: &[Sim], profile: &str) -> Vec<BTreeMap<String, (i64, bool)>> {
    let mut held = Vec::new();
    for sim in sims {
        let listed = Direct::on(sim)
            .await
            .call(
                "kickstart.profile.listScripts",
                vec![Value::string(profile)],
            )
            .await;
        held.push(by_name(&listed));
    }
    held
}

/// `addScript` straight to a node, behind the cluster's back.
async fn add_directly(sim: &Sim, profile: &str, name: &str) -> i64 {
    Direct::on(sim)
        .await
        .call(
            "kickstart.profile.addScript",
            vec![
                Value::string(profile),
                Value::string(name),
                Value::string(format!("echo {name}")),
                Value::string(""),
                Value::string("post"),
                Value::Bool(true),
            ],
        )
        .await
        .as_i64()
        .unwrap()
}

/// The names in `held`.
fn names(held: &BTreeMap<String, (i64, bool)>) -> Vec<&str> {
    held.keys().map(String::as_str).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kickstart_scripts_are_removed_and_ordered_by_one_id_on_every_node() {
    let (sims, gw) = synced_apart([1, 1, 1]).await;
    let key = login(&gw).await;
    create_profile(&gw, &key, PROFILE).await.unwrap();
    // A script added on node 2 behind the cluster's back.
    let local = add_directly(&sims[1], PROFILE, "local").await;

    let motd = add_script(&gw, &key, PROFILE, "motd", "post")
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    let part = add_script(&gw, &key, PROFILE, "part", "pre")
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    assert_ne!(motd, part);
    // Each node numbers them its own way.
    let held = on_each_node(&sims, PROFILE).await;
    let locals: Vec<i64> = held.iter().map(|h| h["motd"].0).collect();
    assert!(locals[0] != locals[1] && locals[1] != locals[2], "{held:?}");
    // Whichever node answers, a script has one id, the one `addScript`
    // answered.
    for _ in 0..3 {
        let listed = scripts(&gw, &key, PROFILE).await;
        assert_eq!(listed["motd"].0, motd, "{listed:?}");
        assert_eq!(listed["part"].0, part, "{listed:?}");
    }

    // Removed by its cluster id on every node; node 2's own script stays.
    let removed = call(
        &gw,
        "kickstart.profile.removeScript",
        vec![key.clone(), Value::string(PROFILE), Value::Int(motd as i32)],
    )
    .await
    .unwrap();
    assert_eq!(removed, Value::Int(1));
    let held = on_each_node(&sims, PROFILE).await;
    assert_eq!(names(&held[0]), ["part"]);
    assert_eq!(names(&held[1]), ["local", "part"]);
    assert_eq!(names(&held[2]), ["part"]);
    // Removed again: the server's fault for a script it lacks.
    let fault = call(
        &gw,
        "kickstart.profile.removeScript",
        vec![key.clone(), Value::string(PROFILE), Value::Int(motd as i32)],
    )
    .await
    .unwrap_err();
    assert_eq!(fault.code, 2761, "{fault:?}");

    // A new order by cluster id, node 2's own script removed first.
    assert_eq!(held[1]["local"].0, local);
    Direct::on(&sims[1])
        .await
        .call(
            "kickstart.profile.removeScript",
            vec![Value::string(PROFILE), Value::Int(local as i32)],
        )
        .await;
    let late = add_script(&gw, &key, PROFILE, "late", "post")
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    let list = |ids: &[i64]| Value::Array(ids.iter().map(|&i| Value::Int(i as i32)).collect());
    let ordered = call(
        &gw,
        "kickstart.profile.orderScripts",
        vec![
            key.clone(),
            Value::string(PROFILE),
            list(&[part]),
            list(&[late]),
            list(&[]),
        ],
    )
    .await
    .unwrap();
    assert_eq!(ordered, Value::Int(1));
    for held in on_each_node(&sims, PROFILE).await {
        assert!(
            held["late"].1,
            "before registration on every node: {held:?}"
        );
    }
    // A new order does not change a script's id.
    assert_eq!(scripts(&gw, &key, PROFILE).await["late"], (late, true));
    // The server names a script left out by its id: the cluster's.
    let fault = call(
        &gw,
        "kickstart.profile.orderScripts",
        vec![
            key.clone(),
            Value::string(PROFILE),
            list(&[part]),
            list(&[]),
            list(&[]),
        ],
    )
    .await
    .unwrap_err();
    assert!(
        fault
            .string
            .ends_with(&format!("Kickstart Script ID missing: {late}")),
        "{fault:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_one_node_cannot_add_is_removed_from_the_others() {
    let (sims, gw) = synced_apart([1, 1, 1]).await;
    let key = login(&gw).await;
    // The profile on nodes 1 and 2 only.
    for sim in &sims[..2] {
        Direct::on(sim)
            .await
            .call(
                "kickstart.createProfile",
                vec![
                    Value::string("ks-two"),
                    Value::string("none"),
                    Value::string(TREE),
                    Value::string("suma.example.test"),
                    Value::string("s3cret-root"),
                ],
            )
            .await;
    }
    let fault = add_script(&gw, &key, "ks-two", "motd", "post")
        .await
        .unwrap_err();
    assert!(fault.string.contains("n3"), "{fault:?}");
    assert!(
        fault.string.contains("kickstart.profile.removeScript"),
        "{fault:?}"
    );
    for held in on_each_node(&sims[..2], "ks-two").await {
        assert!(held.is_empty(), "{held:?}");
    }
}

/// What `sim` holds of `profile` under its own ids; `None` while it
/// lacks the profile.
async fn held_by(sim: &Sim, profile: &str) -> Option<BTreeMap<String, (i64, bool)>> {
    let direct = Direct::on(sim).await;
    let listed = direct
        .rpc
        .call(
            "kickstart.profile.listScripts",
            vec![direct.key.clone(), Value::string(profile)],
        )
        .await
        .ok()?;
    Some(by_name(&listed))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_node_follows_a_profile_s_scripts() {
    let a = Sim::start("alpha", 1, 0).await;
    let b = Sim::start("beta", 2, 0).await;
    let (gw, _store) = with_follower(&a.url, "b", &b.url, NodeState::Staged).await;
    let key = login(&gw).await;
    create_profile(&gw, &key, PROFILE).await.unwrap();
    let motd = add_script(&gw, &key, PROFILE, "motd", "post")
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    add_script(&gw, &key, PROFILE, "part", "pre").await.unwrap();
    let names_on_b = || async {
        held_by(&b, PROFILE)
            .await
            .map(|held| held.into_keys().collect::<Vec<_>>())
    };
    eventually("both scripts on the staged node", || async {
        names_on_b().await == Some(vec!["motd".to_owned(), "part".to_owned()])
    })
    .await;
    // Numbered apart there, removed there by the cluster id.
    let on_a = held_by(&a, PROFILE).await.unwrap();
    let on_b = held_by(&b, PROFILE).await.unwrap();
    assert_ne!(on_a["motd"].0, on_b["motd"].0);
    call(
        &gw,
        "kickstart.profile.removeScript",
        vec![key.clone(), Value::string(PROFILE), Value::Int(motd as i32)],
    )
    .await
    .unwrap();
    eventually("motd gone from the staged node", || async {
        names_on_b().await == Some(vec!["part".to_owned()])
    })
    .await;
    assert!(
        !gw.metrics()
            .render()
            .contains("gateway_staged_misses_total{node=\"b\"}"),
        "no change missed"
    );
}
