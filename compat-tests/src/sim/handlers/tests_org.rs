//! In-process tests of organizations: `org.create`, `updateName` and
//! `delete` beside the seeded default organization.

use xmlrpc::{Fault, Value};

use super::tests::{call, fault_of, field, ints_of, named_node, redstone, s, with_key};
use crate::sim::Node;

/// `ValidationException` with `message`.
fn invalid(message: &str) -> (i32, String) {
    (2800, redstone(message))
}

/// The arguments of `org.create` after the session key.
struct NewOrg<'a> {
    name: &'a str,
    login: &'a str,
    password: &'a str,
    first_name: &'a str,
    email: &'a str,
    pam: bool,
}

const ENGINEERING: NewOrg<'static> = NewOrg {
    name: "Engineering",
    login: "eng-admin",
    password: "s3cret-Eng",
    first_name: "Erin",
    email: "erin@example.test",
    pam: false,
};

fn create(node: &Node, key: &Value, org: &NewOrg<'_>) -> Result<Value, Fault> {
    with_key(
        node,
        key,
        "org.create",
        vec![
            s(org.name),
            s(org.login),
            s(org.password),
            s("Ms."),
            s(org.first_name),
            s("Engineer"),
            s(org.email),
            Value::Bool(org.pam),
        ],
    )
}

fn org_ids(node: &Node, key: &Value) -> Vec<i64> {
    let list = with_key(node, key, "org.listOrgs", vec![]).unwrap();
    ints_of(&list, "id")
}

fn details(node: &Node, key: &Value, org: Value) -> Result<Value, Fault> {
    with_key(node, key, "org.getDetails", vec![org])
}

#[test]
fn create_makes_an_organization_and_its_administrator() {
    let (node, key) = named_node("unit");
    let default_before = details(&node, &key, Value::Int(1)).unwrap();

    let made = create(&node, &key, &ENGINEERING).unwrap();
    assert_eq!(field(&made, "id"), &Value::Int(2), "the sequence after 1");
    assert_eq!(field(&made, "name"), &s("Engineering"));
    for (name, want) in [
        ("active_users", 1),
        ("systems", 0),
        ("system_groups", 0),
        ("activation_keys", 0),
        ("trusts", 0),
    ] {
        assert_eq!(field(&made, name), &Value::Int(want), "{name}");
    }
    assert!(
        !format!("{made:?}").contains(ENGINEERING.password),
        "the answer never shows the password"
    );

    assert_eq!(org_ids(&node, &key), vec![1, 2]);
    assert_eq!(details(&node, &key, Value::Int(2)).unwrap(), made);
    assert_eq!(details(&node, &key, s("Engineering")).unwrap(), made);
    assert_eq!(
        details(&node, &key, Value::Int(1)).unwrap(),
        default_before,
        "the default organization does not count the new administrator"
    );

    // The administrator logs in with its password and administers its
    // organization, not the server.
    let admin_key = call(&node, "auth.login", vec![s("eng-admin"), s("s3cret-Eng")]).unwrap();
    let roles = with_key(&node, &key, "user.listRoles", vec![s("eng-admin")]).unwrap();
    assert_eq!(roles, Value::Array(vec![s("org_admin")]));
    let refused = fault_of(with_key(&node, &admin_key, "org.listOrgs", vec![]));
    assert_eq!(refused.0, -23, "an organization administrator is refused");

    // Two nodes that make the same organizations number them alike.
    let (other, other_key) = named_node("other");
    let there = create(&other, &other_key, &ENGINEERING).unwrap();
    assert_eq!(field(&there, "id"), field(&made, "id"));
}

#[test]
fn create_refuses_what_the_server_refuses_and_makes_nothing() {
    let (node, key) = named_node("unit");
    let org_one = details(&node, &key, Value::Int(1)).unwrap();
    let org_one_name = field(&org_one, "name").as_str().unwrap().to_owned();
    let long = "x".repeat(129);
    let with = |change: fn(&mut NewOrg<'static>)| {
        let mut org = ENGINEERING;
        change(&mut org);
        org
    };
    let cases: Vec<(NewOrg<'_>, (i32, String))> = vec![
        (
            NewOrg {
                name: "ab",
                ..ENGINEERING
            },
            invalid("Organization Name cannot be less than 3 characters."),
        ),
        (
            NewOrg {
                name: &long,
                ..ENGINEERING
            },
            invalid(
                "Organization Name cannot be greater than 128 characters \
                 (Note: double byte chars are not supported).",
            ),
        ),
        (
            with(|o| o.first_name = ""),
            invalid("First Name is required."),
        ),
        (
            with(|o| o.password = ""),
            (
                -501,
                redstone("Password is required if not using PAM authentication"),
            ),
        ),
        (
            with(|o| o.pam = true),
            (
                1231,
                redstone(
                    "The server is not configured to support PAM authentication. \
                     Refer to the reference guide for instructions on how to set up PAM.",
                ),
            ),
        ),
        (
            NewOrg {
                name: &org_one_name,
                ..ENGINEERING
            },
            invalid("That organization name is already taken; please choose another."),
        ),
        (
            with(|o| o.email = "erin.example.test"),
            invalid("Entered email address is not valid"),
        ),
        (
            with(|o| o.login = "eng"),
            invalid("Logins must be no shorter than 5 characters."),
        ),
        (
            with(|o| o.login = "eng admin"),
            invalid(
                "eng admin contains invalid characters. In addition to alphanumeric \
                 characters, '-', '_', '.', and '@' are allowed. Please try again.",
            ),
        ),
        (
            with(|o| o.login = "admin"),
            invalid("That username is already taken; please choose another."),
        ),
    ];
    for (org, want) in &cases {
        assert_eq!(&fault_of(create(&node, &key, org)), want, "{}", org.login);
    }
    assert_eq!(org_ids(&node, &key), vec![1], "no organization made");
    let fault = fault_of(call(
        &node,
        "auth.login",
        vec![s("eng-admin"), s("s3cret-Eng")],
    ));
    assert_eq!(fault.0, 2950, "no administrator made");

    // Only a SUSE Manager administrator: a user without roles is refused.
    let plain = vec![
        s("plain-user"),
        s("plain-pass"),
        s("Pat"),
        s("Plain"),
        s("pat@example.test"),
    ];
    with_key(&node, &key, "user.create", plain).unwrap();
    let plain_key = call(&node, "auth.login", vec![s("plain-user"), s("plain-pass")]).unwrap();
    assert_eq!(fault_of(create(&node, &plain_key, &ENGINEERING)).0, -23);
    assert_eq!(org_ids(&node, &key), vec![1]);
}

#[test]
fn update_name_renames_and_checks_the_new_name() {
    let (node, key) = named_node("unit");
    create(&node, &key, &ENGINEERING).unwrap();
    let rename = |id: i32, name: &str| {
        with_key(&node, &key, "org.updateName", vec![Value::Int(id), s(name)])
    };

    let renamed = rename(2, "Engineering EU").unwrap();
    assert_eq!(field(&renamed, "name"), &s("Engineering EU"));
    assert_eq!(details(&node, &key, s("Engineering EU")).unwrap(), renamed);
    assert_eq!(
        fault_of(details(&node, &key, s("Engineering"))),
        (2850, redstone("No such organization: Engineering"))
    );
    assert_eq!(
        rename(2, "Engineering EU").unwrap(),
        renamed,
        "its own name"
    );

    let org_one = details(&node, &key, Value::Int(1)).unwrap();
    let taken = field(&org_one, "name").as_str().unwrap().to_owned();
    assert_eq!(
        fault_of(rename(2, &taken)),
        invalid("That organization name is already taken; please choose another.")
    );
    assert_eq!(fault_of(rename(2, "ab")).0, 2800, "too short");
    assert_eq!(
        fault_of(rename(9, "Anything")),
        (2850, redstone("No such organization: 9"))
    );
}

#[test]
fn delete_removes_an_organization_but_never_the_default_one() {
    let (node, key) = named_node("unit");
    create(&node, &key, &ENGINEERING).unwrap();
    let delete = |id: i32| with_key(&node, &key, "org.delete", vec![Value::Int(id)]);

    assert_eq!(
        fault_of(delete(1)),
        (
            2851,
            redstone("Cannot perform this operation on the Uyuni organization. (Org ID 1)")
        )
    );
    assert_eq!(
        fault_of(delete(9)),
        (2850, redstone("No such organization: 9"))
    );
    assert_eq!(delete(2), Ok(Value::Int(1)));
    assert_eq!(org_ids(&node, &key), vec![1]);
    assert_eq!(
        fault_of(details(&node, &key, Value::Int(2))),
        (2850, redstone("No such organization: 2"))
    );

    // The sequence goes on: a deleted organization's id is not reused.
    let again = NewOrg {
        login: "eng-admin2",
        ..ENGINEERING
    };
    let made = create(&node, &key, &again).unwrap();
    assert_eq!(field(&made, "id"), &Value::Int(3));
}
