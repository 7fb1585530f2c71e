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
                vec![sid.clone(), "Disk".into(), "Replaced disk 2".into()],
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
    register(&new, &minion, &hostname).await;
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
            only,
        )
        .await
        .unwrap()
    };
    let carried = "group web-servers; configuration channels motd; custom values rack; \
                   note Disk; add-on entitlements monitoring_entitled; maintenance schedule weekly";
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
    assert_eq!(&has[3..6], &had[3..6], "notes, add-ons, schedule");
    assert_ne!(has[6], had[6], "the description only with --update");

    let updated = run(false, true, std::slice::from_ref(&minion)).await;
    assert_eq!(
        updated.lines[0].outcome,
        Outcome::Completed("description".into()),
        "{updated}"
    );
    assert_eq!(settings_of(&after, &new_key, moved).await[6], had[6]);
    let again = run(false, true, &[]).await;
    assert_eq!(again.lines[0].outcome, Outcome::Present, "{again}");
    let unknown = run(false, false, &["nowhere.example.test".to_owned()]).await;
    assert!(unknown.has_failures(), "{unknown}");
}
