//! `gateway carry-systems` ([`crate::carry`]): a system the director moved
//! to another node gets the settings it was given on the old one.

use super::seed::seeding_gateway;
use super::*;
use crate::carry;
use crate::seed::Outcome;
use xmlrpc::Struct;

/// Makes each call of `calls` (method, parameters after the session)
/// through `gw` in `session`; every one must succeed.
async fn apply(gw: &Gateway, session: &Value, calls: Vec<(&str, Vec<Value>)>) {
    for (method, params) in calls {
        call(gw, method, [vec![session.clone()], params].concat())
            .await
            .unwrap_or_else(|f| panic!("{method}: {f:?}"));
    }
}

/// What system `sid` holds on `gw`: its groups, configuration channels
/// (in rank), custom values, notes, add-on entitlements, schedule and
/// description.
async fn settings_of(gw: &Gateway, session: &Value, sid: i32) -> Vec<Value> {
    let get = async |method: &str, params: Vec<Value>| {
        call(gw, method, [vec![session.clone()], params].concat())
            .await
            .unwrap_or_else(|f| panic!("{method}: {f:?}"))
    };
    let sid = Value::Int(sid);
    let names = |v: &Value, member: &str| -> Value {
        Value::Array(
            v.as_array()
                .unwrap()
                .iter()
                .map(|i| member_of(i, member))
                .collect(),
        )
    };
    let groups = get("system.listGroups", vec![sid.clone()]).await;
    let member = Value::Array(
        groups
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| {
                let s = member_of(g, "subscribed");
                s.as_i64() == Some(1) || s.as_bool() == Some(true)
            })
            .map(|g| member_of(g, "system_group_name"))
            .collect(),
    );
    let channels = get("system.config.listChannels", vec![sid.clone()]).await;
    let notes = get("system.listNotes", vec![sid.clone()]).await;
    let details = get("system.getDetails", vec![sid.clone()]).await;
    let on_schedule = get("maintenance.listSystemsWithSchedule", vec!["weekly".into()]).await;
    vec![
        member,
        names(&channels, "label"),
        get("system.getCustomValues", vec![sid.clone()]).await,
        names(&notes, "subject"),
        member_of(&details, "addon_entitlements"),
        Value::Bool(on_schedule.as_array().unwrap().contains(&sid)),
        member_of(&details, "description"),
    ]
}

/// Registers minion `minion` of machine `machine` on `sim` through its
/// side endpoint, as the minion would once moved there.
async fn register_moved(sim: &Sim, minion: &str, machine: &str, hostname: &str) {
    let side = sim.url.replace("/rpc/api", "/uyuni-sim/v1/systems");
    reqwest::Client::new()
        .post(side)
        .json(&serde_json::json!({
            "minion_id": minion, "machine_id": machine, "hostname": hostname,
        }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
}

fn text(s: &str) -> Value {
    Value::string(s)
}

fn member_of(v: &Value, name: &str) -> Value {
    v.as_struct()
        .and_then(|s| s.get(name))
        .cloned()
        .unwrap_or(Value::Nil)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_system_gets_the_settings_it_had_on_its_old_node() {
    let old = Sim::start("node1", 10, 2).await;
    let new = Sim::start("node2", 11, 0).await;
    let (before, key) = alone(&old).await;
    let (after, new_key) = alone(&new).await;
    // The new node numbers its groups apart: a group of its own first.
    apply(
        &after,
        &new_key,
        vec![("systemgroup.create", vec!["own".into(), "".into()])],
    )
    .await;
    // The cluster's shared data, on both nodes.
    for (gw, session) in [(&before, &key), (&after, &new_key)] {
        apply(
            gw,
            session,
            vec![
                (
                    "configchannel.create",
                    vec!["motd".into(), "Motd".into(), "Banner".into()],
                ),
                (
                    "configchannel.create",
                    vec!["web-conf".into(), "Web".into(), "httpd".into()],
                ),
                (
                    "system.custominfo.createKey",
                    vec!["rack".into(), "Rack position".into()],
                ),
                (
                    "system.custominfo.createKey",
                    vec!["asset".into(), "Asset tag".into()],
                ),
                (
                    "maintenance.createSchedule",
                    vec!["weekly".into(), "single".into()],
                ),
            ],
        )
        .await;
    }
    // A system on the old node, given settings of its own.
    let listed = call(&before, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    let sid = member_of(&listed.as_array().unwrap()[0], "id");
    let details = call(&before, "system.getDetails", vec![key.clone(), sid.clone()])
        .await
        .unwrap();
    let minion = member_of(&details, "minion_id")
        .as_str()
        .unwrap()
        .to_owned();
    let hostname = member_of(&details, "hostname").as_str().unwrap().to_owned();
    let web = call(
        &before,
        "systemgroup.getDetails",
        vec![key.clone(), "web-servers".into()],
    )
    .await
    .unwrap();
    apply(
        &before,
        &key,
        vec![
            (
                "system.setGroupMembership",
                vec![sid.clone(), member_of(&web, "id"), Value::Bool(true)],
            ),
            (
                "system.config.setChannels",
                vec![
                    Value::Array(vec![sid.clone()]),
                    Value::Array(vec!["motd".into()]),
                ],
            ),
            (
                "system.setCustomValues",
                vec![
                    sid.clone(),
                    Value::Struct(
                        Struct::new()
                            .with("rack", "r42".into())
                            .with("asset", "A-1".into()),
                    ),
                ],
            ),
            (
                "system.addNote",
                vec![sid.clone(), "Disk".into(), "Replaced disk 2\n".into()],
            ),
            (
                "system.addEntitlements",
                vec![
                    sid.clone(),
                    Value::Array(vec!["monitoring_entitled".into()]),
                ],
            ),
            (
                "maintenance.assignScheduleToSystems",
                vec![
                    "weekly".into(),
                    Value::Array(vec![sid.clone()]),
                    Value::Array(vec!["Fail".into()]),
                ],
            ),
            (
                "system.setDetails",
                vec![
                    sid.clone(),
                    Value::Struct(Struct::new().with("description", "Edge router".into())),
                ],
            ),
        ],
    )
    .await;
    let sid = sid.as_i64().unwrap() as i32;

    // The move: the minion registers with the new node, which gives it a
    // configuration channel and an asset tag of its own since.
    let machine = member_of(&details, "machine_id");
    register_moved(&new, &minion, machine.as_str().unwrap(), &hostname).await;
    let listed = call(&after, "system.listSystems", vec![new_key.clone()])
        .await
        .unwrap();
    let moved = member_of(&listed.as_array().unwrap()[0], "id");
    apply(
        &after,
        &new_key,
        vec![
            (
                "system.config.setChannels",
                vec![
                    Value::Array(vec![moved.clone()]),
                    Value::Array(vec!["web-conf".into()]),
                ],
            ),
            (
                "system.setCustomValues",
                vec![
                    moved.clone(),
                    Value::Struct(Struct::new().with("asset", "A-2".into())),
                ],
            ),
        ],
    )
    .await;
    let moved = moved.as_i64().unwrap() as i32;
    let untouched = settings_of(&after, &new_key, moved).await;

    let gw = seeding_gateway(&old, &new);
    let run = async |dry_run: bool, update: bool, only: &[String]| {
        carry::between(
            &gw,
            "n1",
            "n2",
            "admin",
            "admin",
            carry::Mode { dry_run, update },
            carry::Scope {
                only,
                ..Default::default()
            },
        )
        .await
        .unwrap()
    };
    let carried = "group web-servers; configuration channels motd; custom values rack; \
                   note Disk; add-on entitlement monitoring_entitled; maintenance schedule weekly";
    let planned = run(true, false, &[]).await;
    assert_eq!(
        planned
            .lines
            .iter()
            .map(|l| (&*l.name, &l.outcome))
            .collect::<Vec<_>>(),
        [(minion.as_str(), &Outcome::WouldComplete(carried.into()))],
        "{planned}"
    );
    assert_eq!(
        settings_of(&after, &new_key, moved).await,
        untouched,
        "a dry run"
    );

    let done = run(false, false, &[]).await;
    assert!(!done.has_failures(), "{done}");
    assert_eq!(done.lines[0].outcome, Outcome::Completed(carried.into()));
    let had = settings_of(&before, &key, sid).await;
    let has = settings_of(&after, &new_key, moved).await;
    assert_eq!(has[0], had[0], "groups");
    assert_eq!(
        has[1],
        Value::Array(vec!["web-conf".into(), "motd".into()]),
        "its own channel first, then the old node's"
    );
    assert_eq!(member_of(&has[2], "rack"), text("r42"));
    assert_eq!(
        member_of(&has[2], "asset"),
        text("A-2"),
        "a value it holds is kept"
    );
    assert_eq!(
        has[3],
        Value::Array(vec![text("Disk"), text("Settings carried from node n1")]),
        "its note, and the note that marks it carried"
    );
    assert_eq!(&has[4..6], &had[4..6], "add-ons, schedule");
    assert_ne!(has[6], had[6], "the description only with --update");

    // A later run leaves a carried system alone: what is taken off it on
    // its new node stays off.
    apply(
        &after,
        &new_key,
        vec![(
            "system.setGroupMembership",
            vec![
                Value::Int(moved),
                member_of(
                    &call(
                        &after,
                        "systemgroup.getDetails",
                        vec![new_key.clone(), "web-servers".into()],
                    )
                    .await
                    .unwrap(),
                    "id",
                ),
                Value::Bool(false),
            ],
        )],
    )
    .await;
    let later = run(false, true, &[]).await;
    assert!(
        matches!(&later.lines[0].outcome, Outcome::NotCopied(why) if why.contains("carried before")),
        "{later}"
    );
    assert_eq!(
        settings_of(&after, &new_key, moved).await[0],
        Value::Array(vec![])
    );

    // Named with --minion, it is carried again: the group, and with
    // --update its description; its note (with a line end the server
    // trims) is not added twice.
    let updated = run(false, true, std::slice::from_ref(&minion)).await;
    assert_eq!(
        updated.lines[0].outcome,
        Outcome::Completed("group web-servers; description".into()),
        "{updated}"
    );
    let has = settings_of(&after, &new_key, moved).await;
    assert_eq!(has[6], had[6]);
    assert_eq!(has[3].as_array().unwrap().len(), 2, "{:?}", has[3]);
    let unknown = run(false, false, &["nowhere.example.test".to_owned()]).await;
    assert!(unknown.has_failures(), "{unknown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_machines_are_refused_and_missing_shared_data_named() {
    let old = Sim::start("node1", 10, 2).await;
    let new = Sim::start("node2", 11, 0).await;
    let (before, key) = alone(&old).await;
    apply(
        &before,
        &key,
        vec![(
            "system.custominfo.createKey",
            vec!["rack".into(), "Rack position".into()],
        )],
    )
    .await;
    let listed = call(&before, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    let mut minions = Vec::new();
    for (i, system) in listed.as_array().unwrap().iter().enumerate() {
        let sid = member_of(system, "id");
        let details = call(&before, "system.getDetails", vec![key.clone(), sid.clone()])
            .await
            .unwrap();
        let minion = member_of(&details, "minion_id")
            .as_str()
            .unwrap()
            .to_owned();
        // The first comes back as itself; the second's minion id is
        // another machine's on the new node.
        let machine = match i {
            0 => member_of(&details, "machine_id")
                .as_str()
                .unwrap()
                .to_owned(),
            _ => "another-machine".to_owned(),
        };
        register_moved(&new, &minion, &machine, &minion).await;
        apply(
            &before,
            &key,
            vec![(
                "system.setCustomValues",
                vec![sid, Value::Struct(Struct::new().with("rack", "r1".into()))],
            )],
        )
        .await;
        minions.push(minion);
    }
    let gw = seeding_gateway(&old, &new);
    let report = carry::between(
        &gw,
        "n1",
        "n2",
        "admin",
        "admin",
        carry::Mode::default(),
        carry::Scope::default(),
    )
    .await
    .unwrap();
    let outcome = |minion: &str| {
        report
            .lines
            .iter()
            .find(|l| l.name == minion)
            .unwrap_or_else(|| panic!("{minion}: {report}"))
            .outcome
            .clone()
    };
    assert_eq!(
        outcome(&minions[0]),
        Outcome::Failed(
            "custom value rack: the new node lacks the key (seed-node copies keys)".into()
        ),
        "{report}"
    );
    assert!(
        matches!(outcome(&minions[1]), Outcome::Failed(why) if why.contains("different machines")),
        "{report}"
    );
    let to_self = carry::between(
        &gw,
        "n1",
        "n1",
        "admin",
        "admin",
        carry::Mode::default(),
        carry::Scope::default(),
    );
    assert!(to_self.await.is_err(), "one node on both sides");
}
