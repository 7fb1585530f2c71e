//! In-process tests of a system's own settings: the minion id map,
//! `system.setDetails`, notes, add-on entitlements, and maintenance
//! schedules assigned to systems.

use xmlrpc::{Fault, Struct, Value};

use super::tests::{call, fault_of, field, named_node, redstone, s, system_ids, with_key};
use crate::sim::Node;

fn sid(id: i64) -> Value {
    Value::Int(id as i32)
}

fn strs(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|i| s(i)).collect())
}

fn ints(items: &[i64]) -> Value {
    Value::Array(items.iter().map(|i| sid(*i)).collect())
}

fn details(node: &Node, key: &Value, id: i64) -> Value {
    with_key(node, key, "system.getDetails", vec![sid(id)]).unwrap()
}

fn set_details(
    node: &Node,
    key: &Value,
    id: i64,
    members: &[(&str, Value)],
) -> Result<Value, Fault> {
    let members: Struct = members
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    with_key(
        node,
        key,
        "system.setDetails",
        vec![sid(id), Value::Struct(members)],
    )
}

/// A user without roles, logged in.
fn plain_user(node: &Node, admin: &Value) -> Value {
    let args = ["plain", "plainpass", "P", "U", "p@example.test"].map(s);
    with_key(node, admin, "user.create", args.to_vec()).expect("user.create");
    call(node, "auth.login", vec![s("plain"), s("plainpass")]).expect("login")
}

#[test]
fn the_minion_id_map_names_every_system_and_follows_deletions() {
    let (node, key) = named_node("alpha");
    let map = with_key(&node, &key, "system.getMinionIdMap", vec![]).unwrap();
    let map = map.as_struct().unwrap();
    let ids = system_ids(&node);
    assert_eq!(map.iter().count(), ids.len());
    for id in &ids {
        let minion = field(&details(&node, &key, *id), "minion_id")
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(map.get(&minion), Some(&sid(*id)), "{minion}");
    }
    with_key(&node, &key, "system.deleteSystems", vec![ints(&ids[..1])]).unwrap();
    let map = with_key(&node, &key, "system.getMinionIdMap", vec![]).unwrap();
    assert_eq!(map.as_struct().unwrap().iter().count(), ids.len() - 1);
    assert!(
        !map.as_struct()
            .unwrap()
            .iter()
            .any(|(_, v)| v == &sid(ids[0]))
    );
}

#[test]
fn set_details_renames_and_describes_and_refuses_what_the_server_refuses() {
    let (node, key) = named_node("alpha");
    let id = system_ids(&node)[0];
    assert_eq!(
        set_details(
            &node,
            &key,
            id,
            &[
                ("profile_name", s("  web-01.example.test  ")),
                ("description", s("front end")),
                ("auto_errata_update", Value::Bool(true)),
                ("rack", s("R12")),
            ],
        ),
        Ok(Value::Int(1))
    );
    let d = details(&node, &key, id);
    assert_eq!(
        field(&d, "profile_name"),
        &s("web-01.example.test"),
        "trimmed"
    );
    assert_eq!(field(&d, "description"), &s("front end"));
    assert_eq!(field(&d, "auto_update"), &Value::Bool(true));
    assert_eq!(field(&d, "rack"), &s("R12"));
    let listed = with_key(&node, &key, "system.listSystems", vec![]).unwrap();
    let entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| field(e, "id") == &sid(id))
        .unwrap();
    assert_eq!(field(entry, "name"), &s("web-01.example.test"));
    let name = with_key(&node, &key, "system.getName", vec![sid(id)]).unwrap();
    assert_eq!(field(&name, "name"), &s("web-01.example.test"));

    // A member the request lacks keeps its value.
    set_details(&node, &key, id, &[("description", s(""))]).unwrap();
    let d = details(&node, &key, id);
    assert_eq!(field(&d, "profile_name"), &s("web-01.example.test"));
    assert_eq!(field(&d, "description"), &s(""));

    assert_eq!(
        fault_of(set_details(&node, &key, id, &[("hostname", s("x"))])),
        (2801, redstone("Invalid argument(s): hostname"))
    );
    assert_eq!(
        fault_of(set_details(&node, &key, 42, &[("hostname", s("x"))])).0,
        2801,
        "the members are checked before the system"
    );
    assert_eq!(
        fault_of(set_details(&node, &key, 42, &[("description", s("x"))])),
        (-208, redstone("No such system"))
    );
    assert_eq!(
        fault_of(set_details(&node, &key, id, &[("profile_name", s(" a "))])),
        (1060, redstone("system profile name is too short"))
    );
    assert_eq!(
        fault_of(set_details(
            &node,
            &key,
            id,
            &[("profile_name", s(&"n".repeat(129)))]
        )),
        (1061, redstone("system profile name is too long"))
    );
    set_details(&node, &key, id, &[("profile_name", s(&"n".repeat(128)))]).unwrap();
    // A failed call changes nothing.
    assert_eq!(
        fault_of(set_details(
            &node,
            &key,
            id,
            &[
                ("description", s("lost")),
                ("contact_method", s("ssh-push"))
            ]
        )),
        (
            -1,
            redstone("Changing the contact method is not allowed for Salt systems.")
        )
    );
    assert_eq!(field(&details(&node, &key, id), "description"), &s(""));
    // The system's own base entitlement changes nothing; only an
    // organization administrator may name one.
    set_details(
        &node,
        &key,
        id,
        &[("base_entitlement", s("salt_entitlement"))],
    )
    .unwrap();
    let plain = plain_user(&node, &key);
    assert_eq!(
        fault_of(set_details(
            &node,
            &plain,
            id,
            &[("base_entitlement", s("salt_entitlement"))]
        ))
        .0,
        -23
    );
}

#[test]
fn notes_are_added_listed_and_deleted_and_numbered_per_node() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let id = system_ids(&alpha)[0];
    let other = system_ids(&alpha)[1];
    let list = |id: i64| with_key(&alpha, &ka, "system.listNotes", vec![sid(id)]).unwrap();
    assert_eq!(list(id), Value::Array(Vec::new()), "none seeded");
    let add = |id: i64, subject: &str, body: &str| {
        with_key(
            &alpha,
            &ka,
            "system.addNote",
            vec![sid(id), s(subject), s(body)],
        )
    };
    assert_eq!(add(id, "rack", "moved to R12"), Ok(Value::Int(1)));
    add(id, "owner", "team web").unwrap();
    add(other, "other", "kept").unwrap();
    let notes = list(id);
    let notes = notes.as_array().unwrap();
    assert_eq!(notes.len(), 2);
    let first = &notes[0];
    assert_eq!(field(first, "subject"), &s("rack"));
    assert_eq!(field(first, "note"), &s("moved to R12"));
    assert_eq!(field(first, "system_id"), &sid(id));
    assert_eq!(field(first, "creator"), &s("admin"));
    assert!(matches!(field(first, "updated"), Value::DateTime(_)));
    let first_id = field(first, "id").as_i64().unwrap();
    assert_eq!(
        field(&notes[1], "id").as_i64().unwrap(),
        first_id + 1,
        "by id"
    );
    let bid = system_ids(&beta)[0];
    with_key(
        &beta,
        &kb,
        "system.addNote",
        vec![sid(bid), s("rack"), s("x")],
    )
    .unwrap();
    let on_beta = with_key(&beta, &kb, "system.listNotes", vec![sid(bid)]).unwrap();
    assert_ne!(
        field(&on_beta.as_array().unwrap()[0], "id"),
        field(first, "id"),
        "numbered apart"
    );

    assert_eq!(
        with_key(
            &alpha,
            &ka,
            "system.deleteNote",
            vec![sid(id), sid(first_id)]
        ),
        Ok(Value::Int(1))
    );
    assert_eq!(list(id).as_array().unwrap().len(), 1);
    // Another system's note id removes nothing.
    let other_note = field(&list(other).as_array().unwrap()[0], "id")
        .as_i64()
        .unwrap();
    with_key(
        &alpha,
        &ka,
        "system.deleteNote",
        vec![sid(id), sid(other_note)],
    )
    .unwrap();
    assert_eq!(list(other).as_array().unwrap().len(), 1);
    assert_eq!(
        with_key(&alpha, &ka, "system.deleteNotes", vec![sid(id)]),
        Ok(Value::Int(1))
    );
    assert_eq!(list(id), Value::Array(Vec::new()));
    assert_eq!(
        fault_of(with_key(&alpha, &ka, "system.listNotes", vec![sid(42)])),
        (-208, redstone("No such system"))
    );
    assert_eq!(
        fault_of(add(42, "a", "b")),
        (-208, redstone("No such system"))
    );
    assert_eq!(
        fault_of(with_key(&alpha, &ka, "system.deleteNotes", vec![sid(42)])).0,
        -1
    );
    // Deleting the system takes its notes.
    with_key(&alpha, &ka, "system.deleteSystems", vec![ints(&[other])]).unwrap();
    assert!(!alpha.read().settings.notes.contains_key(&(other as i32)));
}

#[test]
fn add_on_entitlements_are_added_removed_and_shown() {
    let (node, key) = named_node("alpha");
    let id = system_ids(&node)[0];
    let ents = || with_key(&node, &key, "system.getEntitlements", vec![sid(id)]).unwrap();
    let change = |method: &str, labels: &[&str]| {
        with_key(
            &node,
            &key,
            &format!("system.{method}"),
            vec![sid(id), strs(labels)],
        )
    };
    assert_eq!(ents(), strs(&["salt_entitlement"]));
    assert_eq!(
        change(
            "addEntitlements",
            &[
                "monitoring_entitled",
                "ansible_control_node",
                "salt_entitlement"
            ]
        ),
        Ok(Value::Int(1))
    );
    // One held already is skipped.
    change("addEntitlements", &["monitoring_entitled"]).unwrap();
    assert_eq!(
        ents(),
        strs(&[
            "salt_entitlement",
            "ansible_control_node",
            "monitoring_entitled"
        ])
    );
    let d = details(&node, &key, id);
    assert_eq!(field(&d, "base_entitlement"), &s("salt_entitlement"));
    assert_eq!(
        field(&d, "addon_entitlements"),
        &strs(&["ansible_control_node", "monitoring_entitled"])
    );

    let invalid = (-212, redstone("Invalid entitlement"));
    assert_eq!(fault_of(change("addEntitlements", &["bogus"])), invalid);
    // All or nothing: a minion cannot be a peripheral server.
    assert_eq!(
        fault_of(change(
            "addEntitlements",
            &["virtualization_host", "peripheral_server"]
        )),
        invalid
    );
    assert_eq!(ents().as_array().unwrap().len(), 3);
    assert_eq!(
        fault_of(with_key(
            &node,
            &key,
            "system.addEntitlements",
            vec![sid(42), strs(&["bogus"])]
        )),
        (-208, redstone("No such system")),
        "the system is looked up before the labels are checked"
    );

    assert_eq!(
        change(
            "removeEntitlements",
            &["monitoring_entitled", "container_build_host"]
        ),
        Ok(Value::Int(1)),
        "one not held is ignored"
    );
    assert_eq!(ents(), strs(&["salt_entitlement", "ansible_control_node"]));
    assert_eq!(fault_of(change("removeEntitlements", &["bogus"])), invalid);
    with_key(&node, &key, "system.deleteSystems", vec![ints(&[id])]).unwrap();
    assert!(node.read().settings.addons.is_empty());
}

#[test]
fn schedules_are_assigned_retracted_and_dropped_with_the_schedule_or_system() {
    let (node, key) = named_node("alpha");
    let ids = system_ids(&node);
    let mt = |method: &str, params: Vec<Value>| {
        with_key(&node, &key, &format!("maintenance.{method}"), params)
    };
    mt("createSchedule", vec![s("db"), s("single")]).unwrap();
    mt("createSchedule", vec![s("web"), s("single")]).unwrap();
    let with = |name: &str| mt("listSystemsWithSchedule", vec![s(name)]).unwrap();
    assert_eq!(with("db"), ints(&[]));
    assert_eq!(
        mt(
            "assignScheduleToSystems",
            vec![s("db"), ints(&[ids[1], ids[0], ids[0]]), strs(&["Cancel"])]
        ),
        Ok(Value::Int(2)),
        "the number of systems"
    );
    assert_eq!(with("db"), ints(&[ids[0], ids[1]]));
    // A new assignment replaces the old one.
    mt(
        "assignScheduleToSystems",
        vec![s("web"), ints(&[ids[1]]), strs(&[])],
    )
    .unwrap();
    assert_eq!(with("db"), ints(&[ids[0]]));
    assert_eq!(with("web"), ints(&[ids[1]]));

    assert_eq!(
        fault_of(mt(
            "assignScheduleToSystems",
            vec![s("none"), ints(&[ids[0]]), strs(&["Bogus"])]
        )),
        (10101, redstone("none"))
    );
    assert_eq!(
        fault_of(mt(
            "assignScheduleToSystems",
            vec![s("db"), ints(&[ids[2], 42]), strs(&["Bogus"])]
        )),
        (
            1213,
            redstone("Reschedule Strategy 'Bogus' does not exist.")
        )
    );
    assert_eq!(
        fault_of(mt(
            "assignScheduleToSystems",
            vec![s("db"), ints(&[ids[2], 42]), strs(&["Fail"])]
        ))
        .0,
        -23
    );
    assert_eq!(with("db"), ints(&[ids[0]]), "nothing assigned");

    assert_eq!(
        mt("retractScheduleFromSystems", vec![ints(&[ids[0], ids[3]])]),
        Ok(Value::Int(2))
    );
    assert_eq!(with("db"), ints(&[]));
    assert_eq!(
        fault_of(mt("retractScheduleFromSystems", vec![ints(&[42])])).0,
        -23
    );

    // Deleting the system or the schedule drops the assignment.
    mt(
        "assignScheduleToSystems",
        vec![s("db"), ints(&[ids[2], ids[3]]), strs(&[])],
    )
    .unwrap();
    with_key(&node, &key, "system.deleteSystems", vec![ints(&[ids[2]])]).unwrap();
    assert_eq!(with("db"), ints(&[ids[3]]));
    mt("deleteSchedule", vec![s("db")]).unwrap();
    mt("createSchedule", vec![s("db"), s("single")]).unwrap();
    assert_eq!(with("db"), ints(&[]));
    assert_eq!(with("web"), ints(&[ids[1]]));

    let plain = plain_user(&node, &key);
    assert_eq!(
        fault_of(with_key(
            &node,
            &plain,
            "maintenance.retractScheduleFromSystems",
            vec![ints(&[ids[1]])]
        ))
        .0,
        -23
    );
}
