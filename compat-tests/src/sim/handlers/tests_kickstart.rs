//! In-process tests of kickstart profiles and their scripts: made on
//! every node through the API, their scripts numbered by each node.

use xmlrpc::{Fault, Value};

use super::tests::{call, fault_of, field, ints_of, named_node, redstone, s, unhandled, with_key};
use crate::sim::Node;

/// The tree of the SLES 15 SP6 pool every node holds.
const TREE: &str = "sles15-sp6-x86_64";

fn create(node: &Node, key: &Value, label: &str, tree: &str) -> Result<Value, Fault> {
    with_key(
        node,
        key,
        "kickstart.createProfile",
        vec![
            s(label),
            s("none"),
            s(tree),
            s("suma.example.test"),
            s("s3cret-root"),
        ],
    )
}

/// `addScript`'s 7-argument overload.
fn add(
    node: &Node,
    key: &Value,
    label: &str,
    name: &str,
    kind: &str,
    chroot: bool,
) -> Result<Value, Fault> {
    with_key(
        node,
        key,
        "kickstart.profile.addScript",
        vec![
            s(label),
            s(name),
            s("echo hi"),
            s(""),
            s(kind),
            Value::Bool(chroot),
        ],
    )
}

fn scripts(node: &Node, key: &Value, label: &str) -> Result<Value, Fault> {
    with_key(node, key, "kickstart.profile.listScripts", vec![s(label)])
}

fn ids(list: &[i64]) -> Value {
    Value::Array(list.iter().map(|&i| Value::Int(i as i32)).collect())
}

#[test]
fn profiles_are_created_listed_and_deleted() {
    let (node, key) = named_node("alpha");
    assert_eq!(
        fault_of(create(&node, &key, "web-install", "rhel9-x86_64")),
        (
            2752,
            redstone("Unable to locate autoinstallable tree for your organization: rhel9-x86_64")
        )
    );
    assert_eq!(create(&node, &key, "web-install", TREE), Ok(Value::Int(1)));
    // Labels are unique without case, and need 6 characters.
    assert_eq!(fault_of(create(&node, &key, "WEB-install", TREE)).0, -1);
    assert_eq!(fault_of(create(&node, &key, "short", TREE)).0, -1);
    let with_update = |update: &str| {
        with_key(
            &node,
            &key,
            "kickstart.createProfile",
            vec![
                s("db-install"),
                s("qemu"),
                s("sles15-sp5-x86_64"),
                s("suma.example.test"),
                s("s3cret-root"),
                s(update),
            ],
        )
    };
    assert_eq!(
        fault_of(with_update("red_hat")),
        (6134, redstone("Invalid update type: red_hat"))
    );
    assert_eq!(with_update("all"), Ok(Value::Int(1)));
    // The root password is kept nowhere.
    assert!(!format!("{:?}", *node.read()).contains("s3cret-root"));

    let listed = with_key(&node, &key, "kickstart.listKickstarts", vec![]).unwrap();
    let all = listed.as_array().unwrap();
    assert_eq!(all.len(), 2);
    let db = &all[0];
    assert_eq!(field(db, "label"), &s("db-install"));
    assert_eq!(field(db, "name"), &s("db-install"));
    assert_eq!(field(db, "tree_label"), &s("sles15-sp5-x86_64"));
    assert_eq!(field(db, "update_type"), &s("all"));
    assert_eq!(field(db, "active"), &Value::Bool(true));
    assert_eq!(field(db, "org_default"), &Value::Bool(false));
    assert_eq!(field(db, "advanced_mode"), &Value::Bool(false));
    assert_eq!(field(&all[1], "update_type"), &s("none"));

    let delete = |label: &str| with_key(&node, &key, "kickstart.deleteProfile", vec![s(label)]);
    assert_eq!(delete("db-install"), Ok(Value::Int(1)));
    assert_eq!(
        fault_of(delete("db-install")),
        (2753, redstone("Invalid autoinstallation label: db-install"))
    );
    let listed = with_key(&node, &key, "kickstart.listKickstarts", vec![]).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[test]
fn scripts_run_pre_first_then_post_by_position() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    create(&alpha, &ka, "web-install", TREE).unwrap();
    create(&beta, &kb, "web-install", TREE).unwrap();
    let first = add(&alpha, &ka, "web-install", "partition", "pre", true).unwrap();
    let other = add(&beta, &kb, "web-install", "partition", "pre", true).unwrap();
    assert_ne!(first, other, "numbered apart");

    let a = first.as_i64().unwrap();
    // A chrooted post script goes last; one outside the chroot before
    // registration, the newest of those last among them.
    let b = add(&alpha, &ka, "web-install", "motd", "post", true).unwrap();
    let c = add(&alpha, &ka, "web-install", "copy-logs", "post", false).unwrap();
    let d = with_key(
        &alpha,
        &ka,
        "kickstart.profile.addScript",
        vec![
            s("web-install"),
            s("fetch-keys"),
            s("curl -O keys"),
            s("/usr/bin/bash"),
            s("post"),
            Value::Bool(false),
            Value::Bool(true),
            Value::Bool(true),
        ],
    )
    .unwrap();
    let (b, c, d) = (
        b.as_i64().unwrap(),
        c.as_i64().unwrap(),
        d.as_i64().unwrap(),
    );
    assert_eq!([b, c, d], [a + 1, a + 2, a + 3], "one sequence");

    let listed = scripts(&alpha, &ka, "web-install").unwrap();
    assert_eq!(ints_of(&listed, "id"), vec![a, c, d, b]);
    let before: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|v| field(v, "beforeRegistration"))
        .collect();
    let yes = &Value::Bool(true);
    let no = &Value::Bool(false);
    assert_eq!(before, [yes, yes, yes, no]);
    let pre = &listed.as_array().unwrap()[0];
    assert_eq!(field(pre, "name"), &s("partition"));
    assert_eq!(field(pre, "contents"), &s("echo hi"));
    assert_eq!(field(pre, "script_type"), &s("pre"));
    assert_eq!(field(pre, "interpreter"), &s(""), "none is written empty");
    assert_eq!(field(pre, "chroot"), yes);
    assert_eq!(
        (field(pre, "template"), field(pre, "erroronfail")),
        (no, no)
    );
    let keys = &listed.as_array().unwrap()[2];
    assert_eq!(field(keys, "interpreter"), &s("/usr/bin/bash"));
    assert_eq!(field(keys, "chroot"), no);
    assert_eq!(
        (field(keys, "template"), field(keys, "erroronfail")),
        (yes, yes)
    );

    // Bad type and names.
    assert_eq!(
        fault_of(add(&alpha, &ka, "web-install", "x", "Post", true)),
        (
            2760,
            redstone("Only script types of \"pre\" and \"post\" are allowed for kickstarts.")
        )
    );
    let name_fault = (
        2762,
        redstone("Script Name must be larger than 0 and fewer than 40 characters."),
    );
    assert_eq!(
        fault_of(add(&alpha, &ka, "web-install", " ", "pre", true)),
        name_fault
    );
    assert_eq!(
        fault_of(add(
            &alpha,
            &ka,
            "web-install",
            &"n".repeat(41),
            "pre",
            true
        )),
        name_fault
    );
    assert!(add(&alpha, &ka, "web-install", &"n".repeat(40), "pre", true).is_ok());
}

#[test]
fn scripts_are_reordered_and_removed_as_the_server_checks() {
    let (node, key) = named_node("alpha");
    create(&node, &key, "web-install", TREE).unwrap();
    create(&node, &key, "db-install", TREE).unwrap();
    let new = |name: &str, kind: &str, chroot: bool| {
        add(&node, &key, "web-install", name, kind, chroot)
            .unwrap()
            .as_i64()
            .unwrap()
    };
    let (a, b, c, d) = (
        new("partition", "pre", true),
        new("motd", "post", true),
        new("copy-logs", "post", false),
        new("fetch-keys", "post", false),
    );
    let order = |pre: &[i64], before: &[i64], after: &[i64]| {
        with_key(
            &node,
            &key,
            "kickstart.profile.orderScripts",
            vec![s("web-install"), ids(pre), ids(before), ids(after)],
        )
    };
    let listed = || ints_of(&scripts(&node, &key, "web-install").unwrap(), "id");
    assert_eq!(listed(), vec![a, c, d, b]);

    assert_eq!(
        fault_of(order(&[], &[b, c], &[d])),
        (-1, unhandled(&format!("Kickstart Script ID missing: {a}")))
    );
    assert_eq!(
        fault_of(order(&[a], &[c], &[d])),
        (-1, unhandled(&format!("Kickstart Script ID missing: {b}")))
    );
    assert_eq!(
        fault_of(order(&[a, 99_999], &[b, c], &[d])),
        (-1, unhandled("Too many pre script IDs."))
    );
    assert_eq!(
        fault_of(order(&[a], &[b, c], &[d, 99_999])),
        (-1, unhandled("Too many post script IDs."))
    );
    assert_eq!(listed(), vec![a, c, d, b], "a fault changes nothing");

    // The chrooted post script moves before registration, one outside
    // the chroot after it.
    assert_eq!(order(&[a], &[b, c], &[d]), Ok(Value::Int(1)));
    let reordered = scripts(&node, &key, "web-install").unwrap();
    assert_eq!(ints_of(&reordered, "id"), vec![a, b, c, d]);
    let before: Vec<&Value> = reordered
        .as_array()
        .unwrap()
        .iter()
        .map(|v| field(v, "beforeRegistration"))
        .collect();
    let (yes, no) = (&Value::Bool(true), &Value::Bool(false));
    assert_eq!(before, [yes, yes, yes, no]);
    // A script added now runs last.
    let e = new("cleanup", "post", true);
    assert_eq!(listed(), vec![a, b, c, d, e]);

    // Removing: an id of no script, or of another profile's, is refused.
    let theirs = add(&node, &key, "db-install", "motd", "post", true)
        .unwrap()
        .as_i64()
        .unwrap();
    let remove = |label: &str, id: i64| {
        with_key(
            &node,
            &key,
            "kickstart.profile.removeScript",
            vec![s(label), Value::Int(id as i32)],
        )
    };
    let invalid = (
        2761,
        redstone("You have specified an invalid kickstart script."),
    );
    assert_eq!(fault_of(remove("web-install", theirs)), invalid);
    assert_eq!(fault_of(remove("web-install", 99_999)), invalid);
    assert_eq!(remove("web-install", c), Ok(Value::Int(1)));
    assert_eq!(listed(), vec![a, b, d, e]);
    assert_eq!(
        ints_of(&scripts(&node, &key, "db-install").unwrap(), "id"),
        vec![theirs]
    );
}

#[test]
fn an_unknown_profile_and_a_plain_user_are_refused() {
    let (node, key) = named_node("alpha");
    create(&node, &key, "web-install", TREE).unwrap();
    let unknown = (2753, redstone("Invalid autoinstallation label: nope"));
    assert_eq!(fault_of(scripts(&node, &key, "nope")), unknown);
    assert_eq!(
        fault_of(add(&node, &key, "nope", "x", "pre", true)),
        unknown
    );
    assert_eq!(
        fault_of(with_key(
            &node,
            &key,
            "kickstart.profile.removeScript",
            vec![s("nope"), Value::Int(1)],
        )),
        unknown
    );
    assert_eq!(
        fault_of(with_key(
            &node,
            &key,
            "kickstart.profile.orderScripts",
            vec![s("nope"), ids(&[]), ids(&[]), ids(&[])],
        )),
        unknown
    );
    // Other plain listings of the namespace stay empty.
    assert_eq!(
        with_key(&node, &key, "kickstart.listAllIpRanges", vec![]),
        Ok(Value::Array(Vec::new()))
    );

    // A user with neither the configuration nor the organization
    // administrator role.
    let args = ["plain", "plainpass", "P", "U", "p@example.test"].map(s);
    with_key(&node, &key, "user.create", args.to_vec()).unwrap();
    let plain = call(&node, "auth.login", vec![s("plain"), s("plainpass")]).unwrap();
    let refused = (
        -1,
        unhandled(
            "The requested function requires a Configuration Admin or Organizational Admin role.",
        ),
    );
    assert_eq!(fault_of(scripts(&node, &plain, "web-install")), refused);
    assert_eq!(
        fault_of(with_key(&node, &plain, "kickstart.listKickstarts", vec![])),
        refused
    );
    assert_eq!(fault_of(create(&node, &plain, "db-install", TREE)).0, -23);
    with_key(
        &node,
        &key,
        "user.addRole",
        vec![s("plain"), s("config_admin")],
    )
    .unwrap();
    assert!(scripts(&node, &plain, "web-install").is_ok());
}
