//! In-process tests of the handlers the admin shell's commands reach:
//! group members, a system's profile reads, key details, the channel
//! tree, a user's details and roles, an organization's details.

use xmlrpc::{Fault, MethodCall, Value};

use crate::sim::{Node, SimConfig};

/// A node of 12 systems and a session key on it.
fn node() -> (Node, Value) {
    named_node("unit")
}

/// A node of 12 systems called `name` (nodes of one zone, seeded alike but
/// for their name) and a session key on it.
pub(super) fn named_node(name: &str) -> (Node, Value) {
    let node = Node::new(SimConfig {
        name: name.to_owned(),
        systems: 12,
        ..SimConfig::default()
    });
    let key = call(&node, "auth.login", vec![s("admin"), s("admin")]).expect("login");
    (node, key)
}

pub(super) fn call(node: &Node, name: &str, params: Vec<Value>) -> Result<Value, Fault> {
    node.call(&MethodCall {
        name: name.to_owned(),
        params,
    })
}

/// Calls `name` with the session key first.
pub(super) fn with_key(
    node: &Node,
    key: &Value,
    name: &str,
    mut params: Vec<Value>,
) -> Result<Value, Fault> {
    params.insert(0, key.clone());
    call(node, name, params)
}

/// The fault a call answered, as code and text.
pub(super) fn fault_of(r: Result<Value, Fault>) -> (i32, String) {
    let f = r.expect_err("a fault");
    (f.code, f.string)
}

/// A fault text as the server's XML-RPC library words it.
pub(super) fn redstone(message: &str) -> String {
    format!("redstone.xmlrpc.XmlRpcFault: {message}")
}

/// The text of an exception the server's handler did not catch.
pub(super) fn unhandled(message: &str) -> String {
    redstone(&format!("unhandled internal exception: {message}"))
}

pub(super) fn s(text: &str) -> Value {
    Value::string(text)
}

pub(super) fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.as_struct()
        .and_then(|s| s.get(name))
        .unwrap_or_else(|| panic!("no {name} in {v:?}"))
}

pub(super) fn ints_of(list: &Value, name: &str) -> Vec<i64> {
    let items = list.as_array().expect("an array");
    items
        .iter()
        .map(|v| field(v, name).as_i64().unwrap())
        .collect()
}

pub(super) fn system_ids(node: &Node) -> Vec<i64> {
    node.systems().iter().map(|s| i64::from(s.id)).collect()
}

#[test]
fn group_members_are_listed_added_and_removed_all_or_nothing() {
    let (node, key) = node();
    let ids = system_ids(&node);
    let (a, b) = (ids[3], ids[1]);
    with_key(&node, &key, "systemgroup.create", vec![s("g"), s("d")]).unwrap();
    let change = |members: &[i64], add: bool| {
        let members = members.iter().map(|&i| Value::Int(i as i32)).collect();
        with_key(
            &node,
            &key,
            "systemgroup.addOrRemoveSystems",
            vec![s("g"), Value::Array(members), Value::Bool(add)],
        )
    };
    let listed = |method: &str| with_key(&node, &key, method, vec![s("g")]).unwrap();

    assert_eq!(change(&[a, b, a], true), Ok(Value::Int(1)));
    assert_eq!(
        change(&[b], true),
        Ok(Value::Int(1)),
        "adding again is no error"
    );
    let full = listed("systemgroup.listSystems");
    assert_eq!(ints_of(&full, "id"), vec![b, a], "in id order, each once");
    let first = &full.as_array().unwrap()[0];
    for name in [
        "profile_name",
        "hostname",
        "minion_id",
        "lock_status",
        "last_boot",
    ] {
        field(first, name);
    }
    let minimal = listed("systemgroup.listSystemsMinimal");
    let names: Vec<&str> = minimal
        .as_array()
        .unwrap()
        .iter()
        .map(|v| field(v, "name").as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "by name");
    field(&minimal.as_array().unwrap()[0], "last_checkin");
    let details = with_key(&node, &key, "systemgroup.getDetails", vec![s("g")]).unwrap();
    assert_eq!(field(&details, "system_count"), &Value::Int(2));
    let updated = with_key(&node, &key, "systemgroup.update", vec![s("g"), s("new")]).unwrap();
    assert_eq!(
        (
            field(&updated, "description"),
            field(&updated, "system_count")
        ),
        (&s("new"), &Value::Int(2))
    );
    let fault = with_key(&node, &key, "systemgroup.update", vec![s("nope"), s("x")]).unwrap_err();
    assert_eq!(fault.code, crate::sim::faults::no_such_group("nope").code);

    // An id this node does not hold: the system's fault, nothing changed.
    let fault = change(&[a, 42], false).unwrap_err();
    assert_eq!(
        (fault.code, fault.string.as_str()),
        (-208, "redstone.xmlrpc.XmlRpcFault: No such system")
    );
    assert_eq!(
        ints_of(&listed("systemgroup.listSystems"), "id"),
        vec![b, a]
    );
    // Removing a system that is not a member fails as a whole.
    let other = ids[5];
    assert_eq!(change(&[b, other], false).unwrap_err().code, 1063);
    assert_eq!(change(&[b], false), Ok(Value::Int(1)));
    assert_eq!(ints_of(&listed("systemgroup.listSystems"), "id"), vec![a]);

    for method in ["systemgroup.listSystems", "systemgroup.listSystemsMinimal"] {
        let fault = with_key(&node, &key, method, vec![s("nope")]).unwrap_err();
        assert_eq!(fault.code, 2201, "{method}: {fault:?}");
    }
    let fault = with_key(
        &node,
        &key,
        "systemgroup.addOrRemoveSystems",
        vec![
            s("nope"),
            Value::Array(vec![Value::Int(42)]),
            Value::Bool(true),
        ],
    )
    .unwrap_err();
    assert_eq!(
        fault.string, "redstone.xmlrpc.XmlRpcFault: Unable to locate or access server group: nope",
        "the group is looked up before the systems"
    );
}

#[test]
fn a_systems_profile_reads_as_system_details_needs_them() {
    let (node, key) = node();
    let sid = Value::Int(system_ids(&node)[0] as i32);
    let read = |method: &str| with_key(&node, &key, method, vec![sid.clone()]).unwrap();
    let details = read("system.getDetails");
    assert_eq!(field(&details, "id"), &sid);
    assert_eq!(read("system.getUuid"), s(""));
    assert!(matches!(
        read("system.getRegistrationDate"),
        Value::DateTime(_)
    ));
    let network = read("system.getNetwork");
    assert_eq!(field(&network, "hostname"), field(&details, "hostname"));
    assert!(field(&network, "ip").as_str().unwrap().starts_with("10."));
    assert_eq!(
        read("system.getEntitlements"),
        Value::Array(vec![s("salt_entitlement")])
    );
    // The pool of its release's product, and both of the pool's children.
    let release = field(&details, "release").as_str().unwrap().to_owned();
    let minor = release.split_once('.').unwrap().1;
    let base = read("system.getSubscribedBaseChannel");
    assert_eq!(
        field(&base, "label"),
        &s(&format!("sle-product-sles15-sp{minor}-pool-x86_64"))
    );
    let children = read("system.listSubscribedChildChannels");
    assert_eq!(children.as_array().unwrap().len(), 2, "{children:?}");
    for child in children.as_array().unwrap() {
        assert_eq!(field(child, "parent_channel_label"), field(&base, "label"));
    }
    assert!(
        read("system.getRunningKernel")
            .as_str()
            .unwrap()
            .ends_with("-default")
    );
    for empty in ["system.listActivationKeys", "system.config.listChannels"] {
        assert_eq!(read(empty), Value::Array(Vec::new()), "{empty}");
    }
    for method in [
        "system.getDetails",
        "system.getUuid",
        "system.getRegistrationDate",
        "system.getNetwork",
        "system.getEntitlements",
        "system.getSubscribedBaseChannel",
        "system.listSubscribedChildChannels",
        "system.getRunningKernel",
        "system.listActivationKeys",
        "system.config.listChannels",
    ] {
        let fault = with_key(&node, &key, method, vec![Value::Int(42)]).unwrap_err();
        assert_eq!(fault.code, -208, "{method}");
    }
}

#[test]
fn a_base_channel_is_set_by_label_and_taken_away() {
    let (node, key) = node();
    let sid = Value::Int(system_ids(&node)[0] as i32);
    let call = |method: &str, label: Value| with_key(&node, &key, method, vec![sid.clone(), label]);
    let read = |method: &str| with_key(&node, &key, method, vec![sid.clone()]).unwrap();
    let sp5 = "sle-product-sles15-sp5-pool-x86_64";
    assert_eq!(call("system.setBaseChannel", s(sp5)), Ok(Value::Int(1)));
    assert_eq!(
        field(&read("system.getSubscribedBaseChannel"), "label"),
        &s(sp5)
    );
    assert_eq!(
        read("system.listSubscribedChildChannels"),
        Value::Array(Vec::new())
    );
    // A child channel, an unknown label, and an integer where this
    // release (master) has no `cid` overload: refused, nothing changed.
    for (label, code) in [
        (s("sle-module-basesystem-sles15-sp6-pool-x86_64"), -211),
        (s("no-such-channel"), -210),
        (Value::Int(1), -210),
    ] {
        let fault = call("system.setBaseChannel", label.clone()).unwrap_err();
        assert_eq!(fault.code, code, "{label:?}");
    }
    assert_eq!(
        field(&read("system.getSubscribedBaseChannel"), "label"),
        &s(sp5)
    );
    // An empty label takes the base channel away.
    assert_eq!(call("system.setBaseChannel", s("")), Ok(Value::Int(1)));
    assert_eq!(
        read("system.getSubscribedBaseChannel"),
        Value::Struct(Default::default())
    );
}

#[test]
fn key_details_are_the_listed_key() {
    let (node, key) = node();
    let listed = with_key(&node, &key, "activationkey.listActivationKeys", vec![]).unwrap();
    let first = listed.as_array().unwrap()[0].clone();
    let name = field(&first, "key").clone();
    let details = with_key(&node, &key, "activationkey.getDetails", vec![name.clone()]).unwrap();
    assert_eq!(details, first);
    let config = with_key(
        &node,
        &key,
        "activationkey.listConfigChannels",
        vec![name.clone()],
    );
    assert_eq!(config, Ok(Value::Array(Vec::new())));
    let deploy = with_key(
        &node,
        &key,
        "activationkey.checkConfigDeployment",
        vec![name],
    );
    assert_eq!(deploy, Ok(Value::Int(0)));
    for method in [
        "activationkey.getDetails",
        "activationkey.listConfigChannels",
        "activationkey.checkConfigDeployment",
    ] {
        let fault = with_key(&node, &key, method, vec![s("1-nope")]).unwrap_err();
        assert!(
            fault
                .string
                .ends_with("Could not find activation key: 1-nope"),
            "{fault:?}"
        );
    }
}

#[test]
fn channel_tree_user_details_and_org_details() {
    let (node, key) = node();
    let tree = with_key(&node, &key, "channel.listAllChannels", vec![]).unwrap();
    let software = with_key(&node, &key, "channel.listSoftwareChannels", vec![]).unwrap();
    let labels = |list: &Value| -> Vec<String> {
        let items = list.as_array().unwrap();
        items
            .iter()
            .map(|c| field(c, "label").as_str().unwrap().to_owned())
            .collect()
    };
    let (mut all, mut known) = (labels(&tree), labels(&software));
    all.sort();
    known.sort();
    assert_eq!(all, known);
    let first = &tree.as_array().unwrap()[0];
    assert!(
        field(first, "label")
            .as_str()
            .unwrap()
            .ends_with("-pool-x86_64")
    );
    assert!(field(first, "packages").as_i64().unwrap() > 0);
    assert_eq!(field(first, "provider_name"), &s("SUSE"));

    let details = with_key(&node, &key, "user.getDetails", vec![s("admin")]).unwrap();
    assert_eq!(field(&details, "enabled"), &Value::Bool(true));
    assert_eq!(field(&details, "org_id"), &Value::Int(1));
    let roles = with_key(&node, &key, "user.listRoles", vec![s("admin")]).unwrap();
    assert!(roles.as_array().unwrap().contains(&s("org_admin")));
    for method in ["user.getDetails", "user.listRoles"] {
        let fault = with_key(&node, &key, method, vec![s("nobody")]).unwrap_err();
        assert_eq!(fault.code, -213, "{method}");
    }

    let org = with_key(&node, &key, "org.getDetails", vec![Value::Int(1)]).unwrap();
    let name = field(&org, "name").clone();
    assert_eq!(field(&details, "org_name"), &name);
    let by_name = with_key(&node, &key, "org.getDetails", vec![name]).unwrap();
    assert_eq!(by_name, org);
    let fault = with_key(&node, &key, "org.getDetails", vec![Value::Int(7)]).unwrap_err();
    assert_eq!(fault.code, 2850);
}
