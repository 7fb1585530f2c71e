//! In-process tests of custom system information keys and the systems'
//! values for them, crypto keys (GPG and SSL), and repositories naming
//! SSL keys: made on every node through the API, custom keys numbered by
//! each node.

use xmlrpc::{Fault, Struct, Value};

use super::tests::{
    call, fault_of, field, ints_of, named_node, redstone, s, system_ids, unhandled, with_key,
};
use crate::sim::Node;

fn create_key(node: &Node, key: &Value, label: &str, description: &str) -> Result<Value, Fault> {
    with_key(
        node,
        key,
        "system.custominfo.createKey",
        vec![s(label), s(description)],
    )
}

fn all_keys(node: &Node, key: &Value) -> Value {
    with_key(node, key, "system.custominfo.listAllKeys", vec![]).unwrap()
}

/// The listed custom key labelled `label`.
fn listed<'a>(list: &'a Value, label: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|k| field(k, "label") == &s(label))
        .unwrap_or_else(|| panic!("no key {label} in {list:?}"))
}

fn set_values(
    node: &Node,
    key: &Value,
    sid: i64,
    values: &[(&str, Value)],
) -> Result<Value, Fault> {
    let values = values
        .iter()
        .map(|(l, v)| ((*l).to_owned(), v.clone()))
        .collect();
    with_key(
        node,
        key,
        "system.setCustomValues",
        vec![Value::Int(sid as i32), Value::Struct(values)],
    )
}

fn values_of(node: &Node, key: &Value, sid: i64) -> Result<Value, Fault> {
    with_key(
        node,
        key,
        "system.getCustomValues",
        vec![Value::Int(sid as i32)],
    )
}

fn pairs(values: &[(&str, &str)]) -> Value {
    Value::Struct(
        values
            .iter()
            .map(|(l, v)| ((*l).to_owned(), s(v)))
            .collect::<Struct>(),
    )
}

#[test]
fn custom_info_keys_are_numbered_apart_and_refuse_what_the_server_refuses() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    assert_eq!(
        all_keys(&alpha, &ka),
        Value::Array(Vec::new()),
        "none seeded"
    );
    assert_eq!(
        create_key(&alpha, &ka, "rack", "Rack position"),
        Ok(Value::Int(1))
    );
    assert_eq!(
        create_key(&beta, &kb, "rack", "Rack position"),
        Ok(Value::Int(1))
    );
    create_key(&alpha, &ka, "asset", "Asset tag").unwrap();
    let list = all_keys(&alpha, &ka);
    let labels: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|k| field(k, "label"))
        .collect();
    assert_eq!(labels, vec![&s("asset"), &s("rack")], "by label");
    let rack = listed(&list, "rack");
    assert_ne!(
        field(rack, "id"),
        field(listed(&all_keys(&beta, &kb), "rack"), "id"),
        "numbered apart"
    );
    assert_eq!(field(rack, "description"), &s("Rack position"));
    assert_eq!(field(rack, "system_count"), &Value::Int(0));
    assert!(matches!(field(rack, "last_modified"), Value::DateTime(_)));

    assert_eq!(
        fault_of(create_key(&alpha, &ka, "rack", "Again")),
        (
            -1,
            redstone("A custom key already exists with the label:rack")
        )
    );
    let short = redstone("Label and description must be at least two characters long");
    assert_eq!(
        fault_of(create_key(&alpha, &ka, "r", "Rack")),
        (-1, short.clone())
    );
    assert_eq!(
        fault_of(create_key(&alpha, &ka, "row", "R")),
        (-1, short.clone())
    );

    let update = |label: &str, description: &str| {
        with_key(
            &alpha,
            &ka,
            "system.custominfo.updateKey",
            vec![s(label), s(description)],
        )
    };
    assert_eq!(update("rack", "Rack and slot"), Ok(Value::Int(1)));
    assert_eq!(
        field(listed(&all_keys(&alpha, &ka), "rack"), "description"),
        &s("Rack and slot")
    );
    // The server's text lacks a space; the key is looked up first.
    assert_eq!(
        fault_of(update("shelf", "x")),
        (
            -1,
            redstone("A custom key with label: shelfdoes not exist.")
        )
    );
    assert_eq!(fault_of(update("rack", "x")), (-1, short));

    let delete = |label: &str| with_key(&alpha, &ka, "system.custominfo.deleteKey", vec![s(label)]);
    assert_eq!(delete("asset"), Ok(Value::Int(1)));
    assert_eq!(
        fault_of(delete("asset")),
        (
            -1,
            redstone("A custom key does not exist with label: asset")
        )
    );
    assert_eq!(ints_of(&all_keys(&alpha, &ka), "id").len(), 1);
    assert_eq!(
        alpha
            .custom_content()
            .custom_info_keys
            .into_values()
            .collect::<Vec<_>>(),
        vec!["rack".to_owned()]
    );
}

#[test]
fn custom_values_are_set_all_or_nothing_and_go_with_their_key_or_system() {
    let (node, key) = named_node("alpha");
    let ids = system_ids(&node);
    let (a, b) = (ids[0], ids[1]);
    create_key(&node, &key, "rack", "Rack position").unwrap();
    create_key(&node, &key, "owner", "Owner").unwrap();
    assert_eq!(values_of(&node, &key, a), Ok(pairs(&[])));
    assert_eq!(
        set_values(&node, &key, a, &[("rack", s("R12")), ("owner", s("ops"))]),
        Ok(Value::Int(1))
    );
    set_values(&node, &key, b, &[("rack", s("R7"))]).unwrap();
    assert_eq!(
        values_of(&node, &key, a),
        Ok(pairs(&[("owner", "ops"), ("rack", "R12")]))
    );
    assert_eq!(
        field(listed(&all_keys(&node, &key), "rack"), "system_count"),
        &Value::Int(2)
    );

    // A label no key has, or a blank value: named in the fault, and the
    // call changes nothing.
    assert_eq!(
        fault_of(set_values(
            &node,
            &key,
            a,
            &[("rack", s("R1")), ("shelf", s("3")), ("owner", s(" "))]
        )),
        (
            1000,
            redstone(
                "One or more of the following custom info fields was not defined: \nshelf\nowner"
            )
        )
    );
    assert_eq!(
        values_of(&node, &key, a),
        Ok(pairs(&[("owner", "ops"), ("rack", "R12")]))
    );
    // Unverified: the server's fault for a value that is not a string.
    assert_eq!(
        fault_of(set_values(&node, &key, a, &[("rack", Value::Int(3))])).0,
        -1
    );
    assert_eq!(
        fault_of(set_values(&node, &key, 42, &[("rack", s("R1"))])),
        (-208, redstone("No such system"))
    );
    assert_eq!(fault_of(values_of(&node, &key, 42)).0, -208);

    let delete = |sid: i64, labels: &[&str]| {
        with_key(
            &node,
            &key,
            "system.deleteCustomValues",
            vec![
                Value::Int(sid as i32),
                Value::Array(labels.iter().map(|l| s(l)).collect()),
            ],
        )
    };
    assert_eq!(
        fault_of(delete(a, &["owner", "shelf"])),
        (
            1000,
            redstone("One or more of the following custom info keys was not defined: \nshelf")
        )
    );
    assert_eq!(
        values_of(&node, &key, a),
        Ok(pairs(&[("owner", "ops"), ("rack", "R12")])),
        "nothing removed"
    );
    assert_eq!(delete(a, &["owner"]), Ok(Value::Int(1)));
    assert_eq!(
        delete(b, &["owner"]),
        Ok(Value::Int(1)),
        "a key without a value is no fault"
    );
    assert_eq!(values_of(&node, &key, a), Ok(pairs(&[("rack", "R12")])));

    // A deleted system's values go with it.
    with_key(
        &node,
        &key,
        "system.deleteSystems",
        vec![Value::Array(vec![Value::Int(b as i32)])],
    )
    .unwrap();
    assert_eq!(
        field(listed(&all_keys(&node, &key), "rack"), "system_count"),
        &Value::Int(1)
    );
    // A deleted key's values go with it, from every system.
    with_key(&node, &key, "system.custominfo.deleteKey", vec![s("rack")]).unwrap();
    assert_eq!(values_of(&node, &key, a), Ok(pairs(&[])));
    create_key(&node, &key, "rack", "Rack position").unwrap();
    assert_eq!(
        values_of(&node, &key, a),
        Ok(pairs(&[])),
        "not back with a new key"
    );
    assert_eq!(
        field(listed(&all_keys(&node, &key), "rack"), "system_count"),
        &Value::Int(0)
    );
}

fn create_crypto(node: &Node, key: &Value, description: &str, kind: &str) -> Result<Value, Fault> {
    with_key(
        node,
        key,
        "kickstart.keys.create",
        vec![
            s(description),
            s(kind),
            s(&format!("{description} contents")),
        ],
    )
}

fn crypto_details(node: &Node, key: &Value, description: &str) -> Result<Value, Fault> {
    with_key(node, key, "kickstart.keys.getDetails", vec![s(description)])
}

#[test]
fn crypto_keys_are_created_listed_updated_and_deleted() {
    let (node, key) = named_node("alpha");
    let list = || with_key(&node, &key, "kickstart.keys.listAllKeys", vec![]).unwrap();
    assert_eq!(list(), Value::Array(Vec::new()), "none seeded");
    assert_eq!(
        create_crypto(&node, &key, "signing", "GPG"),
        Ok(Value::Int(1))
    );
    create_crypto(&node, &key, "repo-ca", "SSL").unwrap();
    assert_eq!(
        list(),
        Value::Array(vec![
            Struct::new()
                .with("description", s("repo-ca"))
                .with("type", s("SSL"))
                .into(),
            Struct::new()
                .with("description", s("signing"))
                .with("type", s("GPG"))
                .into(),
        ])
    );
    assert_eq!(
        crypto_details(&node, &key, "signing"),
        Ok(Struct::new()
            .with("description", s("signing"))
            .with("type", s("GPG"))
            .with("content", s("signing contents"))
            .into())
    );
    assert_eq!(
        fault_of(create_crypto(&node, &key, "signing", "GPG")).0,
        2754
    );
    // The type is checked first, and with case.
    assert_eq!(
        fault_of(create_crypto(&node, &key, "signing", "gpg")),
        (
            -1,
            unhandled("Invalid key type: gpg we support GPG and SSL")
        )
    );

    let update = |description: &str, kind: &str, content: &str| {
        with_key(
            &node,
            &key,
            "kickstart.keys.update",
            vec![s(description), s(kind), s(content)],
        )
    };
    assert_eq!(update("signing", "SSL", "new contents"), Ok(Value::Int(1)));
    let details = crypto_details(&node, &key, "signing").unwrap();
    assert_eq!(
        (field(&details, "type"), field(&details, "content")),
        (&s("SSL"), &s("new contents"))
    );
    let no_such = (1210, redstone("Invalid crypto key description: nokey"));
    assert_eq!(fault_of(update("nokey", "GPG", "x")), no_such);
    assert_eq!(fault_of(crypto_details(&node, &key, "nokey")), no_such);
    assert_eq!(
        fault_of(update("signing", "PGP", "x")),
        (
            -1,
            unhandled("Invalid key type: PGP we support GPG and SSL")
        )
    );

    let delete =
        |description: &str| with_key(&node, &key, "kickstart.keys.delete", vec![s(description)]);
    assert_eq!(delete("signing"), Ok(Value::Int(1)));
    assert_eq!(
        fault_of(delete("signing")),
        (-1, unhandled("No key with description signing exists."))
    );
    assert_eq!(
        node.custom_content()
            .crypto_keys
            .into_keys()
            .collect::<Vec<_>>(),
        vec!["repo-ca".to_owned()]
    );

    // An organization or configuration administrator only.
    let args = ["plain", "plainpass", "P", "U", "p@example.test"].map(s);
    with_key(&node, &key, "user.create", args.to_vec()).unwrap();
    let plain = call(&node, "auth.login", vec![s("plain"), s("plainpass")]).unwrap();
    assert_eq!(
        fault_of(with_key(
            &node,
            &plain,
            "kickstart.keys.listAllKeys",
            vec![]
        )),
        (
            -23,
            redstone(
                "You do not have permissions to perform this action. You need to have at least a Organization Administrator or Configuration Administrator role to perform this action"
            )
        )
    );
    with_key(
        &node,
        &key,
        "user.addRole",
        vec![s("plain"), s("config_admin")],
    )
    .unwrap();
    assert_eq!(
        create_crypto(&node, &plain, "by-config-admin", "GPG"),
        Ok(Value::Int(1))
    );
    // Custom information keys ask for no role.
    assert_eq!(
        create_key(&node, &plain, "rack", "Rack position"),
        Ok(Value::Int(1))
    );
}

fn ssl_set(ca: &str, cert: &str, key: &str) -> Value {
    Struct::new()
        .with("sslCaDesc", s(ca))
        .with("sslCertDesc", s(cert))
        .with("sslKeyDesc", s(key))
        .into()
}

fn ssl_of(repo: &Value) -> &Value {
    field(repo, "sslContentSources")
}

#[test]
fn repositories_name_their_ssl_keys_by_description() {
    let (node, key) = named_node("alpha");
    for (description, kind) in [
        ("ca", "SSL"),
        ("cert", "SSL"),
        ("client-key", "SSL"),
        ("other-ca", "SSL"),
        ("signing", "GPG"),
    ] {
        create_crypto(&node, &key, description, kind).unwrap();
    }
    let repo = |label: &str, url: &str, ssl: [&str; 3]| {
        let mut params = vec![s(label), s("yum"), s(url)];
        params.extend(ssl.map(s));
        with_key(&node, &key, "channel.software.createRepo", params)
    };
    let details = |label: &str| {
        with_key(
            &node,
            &key,
            "channel.software.getRepoDetails",
            vec![s(label)],
        )
        .unwrap()
    };

    let made = repo(
        "internal",
        "https://r/internal",
        ["ca", "cert", "client-key"],
    )
    .unwrap();
    let expected = Value::Array(vec![ssl_set("ca", "cert", "client-key")]);
    assert_eq!(ssl_of(&made), &expected);
    assert_eq!(ssl_of(&details("internal")), &expected);
    assert_eq!(field(&made, "hasSignedMetadata"), &Value::Bool(false));
    // The CA certificate alone; none at all, which ignores the others.
    repo("ca-only", "https://r/ca-only", ["ca", "", ""]).unwrap();
    assert_eq!(
        ssl_of(&details("ca-only")),
        &Value::Array(vec![ssl_set("ca", "", "")])
    );
    repo("no-ca", "https://r/no-ca", ["", "cert", "nokey"]).unwrap();
    assert_eq!(ssl_of(&details("no-ca")), &Value::Array(Vec::new()));
    // A GPG key as CA certificate makes no set.
    repo("gpg-ca", "https://r/gpg-ca", ["signing", "", ""]).unwrap();
    assert_eq!(ssl_of(&details("gpg-ca")), &Value::Array(Vec::new()));

    // An unknown key, or a client key without a client certificate:
    // refused before anything is made.
    assert_eq!(
        fault_of(repo("bad", "https://r/bad", ["ca", "nokey", ""])),
        (
            1210,
            redstone("Invalid crypto key description: no key with such description - nokey")
        )
    );
    assert_eq!(
        fault_of(repo("bad", "https://r/bad", ["ca", "", "client-key"])),
        (
            1210,
            redstone(
                "Invalid crypto key description: client key is provided but client certificate is missing"
            )
        )
    );
    assert_eq!(
        fault_of(repo("internal", "https://r/other", ["nokey", "", ""])).0,
        1210,
        "the keys before the label"
    );
    assert!(
        !node
            .custom_content()
            .repositories
            .values()
            .any(|l| l == "bad")
    );
    assert_eq!(
        fault_of(repo("", "https://r/empty", ["", "", ""])),
        (1213, redstone("label might not be empty"))
    );
    // The 7-argument overload sets signed metadata.
    let signed = with_key(
        &node,
        &key,
        "channel.software.createRepo",
        vec![
            s("signed"),
            s("yum"),
            s("https://r/signed"),
            s(""),
            s(""),
            s(""),
            Value::Bool(true),
        ],
    )
    .unwrap();
    assert_eq!(field(&signed, "hasSignedMetadata"), &Value::Bool(true));

    let update_ssl = |repo: Value, ssl: [&str; 3]| {
        let mut params = vec![repo];
        params.extend(ssl.map(s));
        with_key(&node, &key, "channel.software.updateRepoSsl", params)
    };
    let updated = update_ssl(s("internal"), ["other-ca", "", ""]).unwrap();
    let replaced = Value::Array(vec![ssl_set("other-ca", "", "")]);
    assert_eq!(ssl_of(&updated), &replaced, "the sets replaced");
    assert_eq!(ssl_of(&details("internal")), &replaced);
    // Without a CA certificate the sets stay.
    let id = field(&updated, "id").clone();
    assert_eq!(
        ssl_of(&update_ssl(id.clone(), ["", "", ""]).unwrap()),
        &replaced
    );
    assert_eq!(
        ssl_of(&update_ssl(id, ["ca", "cert", ""]).unwrap()),
        &Value::Array(vec![ssl_set("ca", "cert", "")])
    );
    assert_eq!(
        fault_of(update_ssl(s("internal"), ["nokey", "", ""])).0,
        1210
    );
    assert_eq!(
        fault_of(update_ssl(s("nope"), ["ca", "", ""])),
        (1213, redstone("no repo with label nope"))
    );
    assert_eq!(
        fault_of(update_ssl(Value::Int(7), ["ca", "", ""])),
        (
            -1,
            unhandled(
                "Cannot invoke \"com.redhat.rhn.domain.channel.ContentSource.getLabel()\" because \"repo\" is null"
            )
        )
    );
    // A GPG key as CA certificate takes the sets away.
    assert_eq!(
        ssl_of(&update_ssl(s("ca-only"), ["signing", "", ""]).unwrap()),
        &Value::Array(Vec::new())
    );

    // Deleting a crypto key takes the sets naming it.
    with_key(&node, &key, "kickstart.keys.delete", vec![s("cert")]).unwrap();
    assert_eq!(ssl_of(&details("internal")), &Value::Array(Vec::new()));
}
