//! In-process tests of `user.external`: external group to role maps and
//! to system group maps, and the external authentication settings, with
//! the server's faults and who may call what.

use xmlrpc::{Fault, Value};

use super::tests::{call, fault_of, field, named_node, redstone, s, with_key};
use crate::sim::Node;

fn strs(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|i| s(i)).collect())
}

/// A user made by the administrator with `roles`, logged in.
fn user_with(node: &Node, admin: &Value, login: &str, roles: &[&str]) -> Value {
    let args = [login, "secret-pass", "A", "User", "a@example.test"].map(s);
    with_key(node, admin, "user.create", args.to_vec()).expect("user.create");
    for role in roles {
        with_key(node, admin, "user.addRole", vec![s(login), s(role)]).expect("addRole");
    }
    call(node, "auth.login", vec![s(login), s("secret-pass")]).expect("login")
}

fn ext(node: &Node, key: &Value, method: &str, params: Vec<Value>) -> Result<Value, Fault> {
    with_key(node, key, &format!("user.external.{method}"), params)
}

fn role_map(name: &str, roles: &[&str]) -> Value {
    xmlrpc::Struct::new()
        .with("name", s(name))
        .with("roles", strs(roles))
        .into()
}

fn group_map(name: &str, groups: &[&str]) -> Value {
    xmlrpc::Struct::new()
        .with("name", s(name))
        .with("groups", strs(groups))
        .into()
}

#[test]
fn role_maps_are_made_replaced_and_deleted_with_the_servers_faults() {
    let (node, key) = named_node("alpha");
    let list = |node: &Node| ext(node, &key, "listExternalGroupToRoleMaps", vec![]).unwrap();
    assert_eq!(list(&node), Value::Array(Vec::new()), "none seeded");

    let create = |name: &str, roles: &[&str]| {
        ext(
            &node,
            &key,
            "createExternalGroupToRoleMap",
            vec![s(name), strs(roles)],
        )
    };
    assert_eq!(
        create("ops", &["config_admin", "channel_admin"]),
        Ok(role_map("ops", &["channel_admin", "config_admin"]))
    );
    // `org_admin` shows the roles it implies.
    let admins = create("admins", &["org_admin", "channel_admin"]).unwrap();
    let implied = [
        "activation_key_admin",
        "channel_admin",
        "config_admin",
        "image_admin",
        "org_admin",
        "system_group_admin",
    ];
    assert_eq!(admins, role_map("admins", &implied));
    assert_eq!(
        ext(&node, &key, "getExternalGroupToRoleMap", vec![s("admins")]),
        Ok(role_map("admins", &implied))
    );

    // The name is checked before the roles; a failed call makes nothing.
    assert_eq!(
        fault_of(create("ops", &["emperor"])),
        (
            9514,
            redstone(
                "External Authentication Group name 'ops' is already used. Please choose another one."
            )
        )
    );
    assert_eq!(
        fault_of(create("dev", &["channel_admin", "emperor"])),
        (4856, redstone("Invalid role: emperor"))
    );
    let listed = list(&node);
    let names: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| field(m, "name"))
        .collect();
    assert_eq!(names, [&s("admins"), &s("ops")], "by name");
    assert_eq!(
        list(&node),
        Value::Array(vec![
            role_map("admins", &implied),
            role_map("ops", &["channel_admin", "config_admin"]),
        ])
    );

    // `setExternalGroupRoles` replaces the roles.
    let set = |name: &str, roles: &[&str]| {
        ext(
            &node,
            &key,
            "setExternalGroupRoles",
            vec![s(name), strs(roles)],
        )
    };
    assert_eq!(set("ops", &["image_admin"]), Ok(Value::Int(1)));
    assert_eq!(
        ext(&node, &key, "getExternalGroupToRoleMap", vec![s("ops")]),
        Ok(role_map("ops", &["image_admin"]))
    );
    let no_map = |name: &str| {
        (
            2856,
            redstone(&format!(
                "No external group to role map exists for group: {name}"
            )),
        )
    };
    assert_eq!(fault_of(set("dev", &["image_admin"])), no_map("dev"));
    assert_eq!(
        fault_of(set("ops", &["emperor"])),
        (4856, redstone("Invalid role: emperor"))
    );
    assert_eq!(
        ext(&node, &key, "getExternalGroupToRoleMap", vec![s("ops")]),
        Ok(role_map("ops", &["image_admin"])),
        "unchanged by the refused call"
    );
    assert_eq!(set("ops", &[]), Ok(Value::Int(1)));
    assert_eq!(
        ext(&node, &key, "getExternalGroupToRoleMap", vec![s("ops")]),
        Ok(role_map("ops", &[]))
    );

    let delete = |name: &str| ext(&node, &key, "deleteExternalGroupToRoleMap", vec![s(name)]);
    assert_eq!(delete("ops"), Ok(Value::Int(1)));
    assert_eq!(fault_of(delete("ops")), no_map("ops"));
    assert_eq!(
        fault_of(ext(
            &node,
            &key,
            "getExternalGroupToRoleMap",
            vec![s("ops")]
        )),
        no_map("ops")
    );
    let held = node.custom_content().external_role_maps;
    assert_eq!(
        held.into_iter().collect::<Vec<_>>(),
        vec![(
            "admins".to_owned(),
            implied.iter().map(|r| (*r).to_owned()).collect()
        )]
    );

    // Role maps and settings are for SUSE Manager administrators only.
    let org_admin = user_with(&node, &key, "orgadmin", &["org_admin"]);
    for (method, params) in [
        ("listExternalGroupToRoleMaps", vec![]),
        ("getExternalGroupToRoleMap", vec![s("admins")]),
        (
            "createExternalGroupToRoleMap",
            vec![s("x"), strs(&["channel_admin"])],
        ),
        ("deleteExternalGroupToRoleMap", vec![s("admins")]),
        ("getKeepTemporaryRoles", vec![]),
        ("setUseOrgUnit", vec![Value::Bool(true)]),
        ("setDefaultOrg", vec![Value::Int(0)]),
    ] {
        assert_eq!(
            fault_of(ext(&node, &org_admin, method, params)).0,
            -23,
            "{method}"
        );
    }
    assert_eq!(node.custom_content().external_role_maps.len(), 1);
}

#[test]
fn system_group_maps_name_existing_groups_and_lose_deleted_ones() {
    let (node, key) = named_node("alpha");
    for group in ["web", "db", "mail"] {
        with_key(&node, &key, "systemgroup.create", vec![s(group), s("d")]).unwrap();
    }
    let create = |key: &Value, name: &str, groups: &[&str]| {
        ext(
            &node,
            key,
            "createExternalGroupToSystemGroupMap",
            vec![s(name), strs(groups)],
        )
    };
    assert_eq!(
        create(&key, "ops", &["web", "db"]),
        Ok(group_map("ops", &["db", "web"]))
    );
    assert_eq!(
        fault_of(create(&key, "ops", &["mail"])),
        (
            9514,
            redstone(
                "External Authentication Group name 'ops' is already used. Please choose another one."
            )
        )
    );
    assert_eq!(
        fault_of(create(&key, "dev", &["web", "nope"])),
        (2200, redstone("No such server group exists: nope"))
    );
    // A role map of the same name is another thing.
    ext(
        &node,
        &key,
        "createExternalGroupToRoleMap",
        vec![s("ops"), strs(&["channel_admin"])],
    )
    .unwrap();

    let get = |name: &str| {
        ext(
            &node,
            &key,
            "getExternalGroupToSystemGroupMap",
            vec![s(name)],
        )
    };
    assert_eq!(get("ops"), Ok(group_map("ops", &["db", "web"])));
    assert_eq!(get("dev"), Ok(Value::Nil), "the server answers null");

    let set = |name: &str, groups: &[&str]| {
        ext(
            &node,
            &key,
            "setExternalGroupSystemGroups",
            vec![s(name), strs(groups)],
        )
    };
    let no_map = |name: &str| {
        (
            6845,
            redstone(&format!(
                "No external group to server group map exists for group: {name}"
            )),
        )
    };
    assert_eq!(set("ops", &["mail"]), Ok(Value::Int(1)));
    assert_eq!(get("ops"), Ok(group_map("ops", &["mail"])), "replaced");
    assert_eq!(fault_of(set("dev", &["mail"])), no_map("dev"));
    assert_eq!(
        fault_of(set("ops", &["web", "nope"])),
        (2200, redstone("No such server group exists: nope"))
    );
    assert_eq!(get("ops"), Ok(group_map("ops", &["mail"])));

    set("ops", &["mail", "db"]).unwrap();
    with_key(&node, &key, "systemgroup.delete", vec![s("db")]).unwrap();
    assert_eq!(get("ops"), Ok(group_map("ops", &["mail"])), "db is gone");
    assert_eq!(
        node.custom_content()
            .external_group_maps
            .into_iter()
            .collect::<Vec<_>>(),
        vec![("ops".to_owned(), vec!["mail".to_owned()])]
    );

    // An organization administrator may manage these; a plain user not.
    let org_admin = user_with(&node, &key, "orgadmin", &["org_admin"]);
    assert_eq!(
        create(&org_admin, "dev", &["web"]),
        Ok(group_map("dev", &["web"]))
    );
    assert_eq!(
        ext(
            &node,
            &org_admin,
            "listExternalGroupToSystemGroupMaps",
            vec![]
        ),
        Ok(Value::Array(vec![
            group_map("dev", &["web"]),
            group_map("ops", &["mail"]),
        ]))
    );
    let plain = user_with(&node, &key, "plainuser", &[]);
    assert_eq!(fault_of(create(&plain, "qa", &["web"])).0, -23);
    assert_eq!(
        fault_of(ext(
            &node,
            &plain,
            "listExternalGroupToSystemGroupMaps",
            vec![]
        ))
        .0,
        -23
    );

    let delete = |name: &str| {
        ext(
            &node,
            &key,
            "deleteExternalGroupToSystemGroupMap",
            vec![s(name)],
        )
    };
    assert_eq!(delete("dev"), Ok(Value::Int(1)));
    assert_eq!(fault_of(delete("dev")), no_map("dev"));
    assert!(
        with_key(&node, &key, "systemgroup.getDetails", vec![s("web")]).is_ok(),
        "the system groups stay"
    );
}

#[test]
fn settings_start_as_a_fresh_servers_and_check_the_organization() {
    let (node, key) = named_node("alpha");
    let get = |method: &str| ext(&node, &key, method, vec![]);
    assert_eq!(get("getKeepTemporaryRoles"), Ok(Value::Bool(false)));
    assert_eq!(get("getUseOrgUnit"), Ok(Value::Bool(false)));
    assert_eq!(get("getDefaultOrg"), Ok(Value::Int(0)));

    let set = |method: &str, value: Value| ext(&node, &key, method, vec![value]);
    assert_eq!(
        set("setKeepTemporaryRoles", Value::Bool(true)),
        Ok(Value::Int(1))
    );
    assert_eq!(set("setUseOrgUnit", Value::Bool(true)), Ok(Value::Int(1)));
    assert_eq!(set("setDefaultOrg", Value::Int(1)), Ok(Value::Int(1)));
    assert_eq!(get("getKeepTemporaryRoles"), Ok(Value::Bool(true)));
    assert_eq!(get("getUseOrgUnit"), Ok(Value::Bool(true)));
    assert_eq!(get("getDefaultOrg"), Ok(Value::Int(1)));

    assert_eq!(
        fault_of(set("setDefaultOrg", Value::Int(9))),
        (2850, redstone("No such organization: 9"))
    );
    assert_eq!(get("getDefaultOrg"), Ok(Value::Int(1)), "unchanged");
    assert_eq!(set("setDefaultOrg", Value::Int(0)), Ok(Value::Int(1)));
    assert_eq!(get("getDefaultOrg"), Ok(Value::Int(0)), "unset");
    assert_eq!(
        set("setKeepTemporaryRoles", Value::Bool(false)),
        Ok(Value::Int(1))
    );
    assert_eq!(get("getKeepTemporaryRoles"), Ok(Value::Bool(false)));
}
