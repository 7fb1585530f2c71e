//! In-process tests of the node-local objects made through the API:
//! package profiles, Ansible paths and pinned subscriptions, numbered by
//! each node from 1, so that two nodes hand out the same ids.

use xmlrpc::{Struct, Value};

use super::tests::{fault_of, field, ints_of, named_node, redstone, s, system_ids, with_key};
use crate::sim::Node;

#[test]
fn package_profiles_are_created_listed_and_deleted() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let create = |node: &Node, key: &Value, sid: i64, name: &str| {
        with_key(
            node,
            key,
            "system.createPackageProfile",
            vec![Value::Int(sid as i32), s(name), s("a profile")],
        )
    };
    let list = |node: &Node, key: &Value| {
        with_key(node, key, "system.listPackageProfiles", vec![]).unwrap()
    };
    assert_eq!(list(&alpha, &ka), Value::Array(Vec::new()));
    // Systems of a release whose product the nodes synced: one of `15.4`
    // has no base channel, and the server refuses its profile.
    let of_release = |node: &Node, synced: bool| {
        node.read()
            .systems
            .values()
            .filter(|s| (s.release != "15.4") == synced)
            .map(|s| i64::from(s.id))
            .collect::<Vec<_>>()
    };
    let (sa, sb) = (of_release(&alpha, true)[0], of_release(&beta, true)[1]);
    let unsynced = of_release(&alpha, false)[0];
    assert_eq!(
        fault_of(create(&alpha, &ka, unsynced, "web-base")),
        (1065, redstone("No base channel found"))
    );
    assert_eq!(create(&alpha, &ka, sa, "web-base"), Ok(Value::Int(1)));
    assert_eq!(create(&beta, &kb, sb, "db-base"), Ok(Value::Int(1)));
    let la = list(&alpha, &ka);
    let lb = list(&beta, &kb);
    assert_eq!(ints_of(&la, "id"), vec![1]);
    assert_eq!(ints_of(&lb, "id"), vec![1]);
    assert_ne!(la, lb, "the same id, different profiles");
    let profile = &la.as_array().unwrap()[0];
    assert_eq!(field(profile, "name"), &s("web-base"));
    assert!(
        field(profile, "channel")
            .as_str()
            .unwrap()
            .ends_with("Pool for x86_64")
    );

    assert_eq!(
        fault_of(create(&alpha, &ka, sa, "web-base")),
        (
            -1,
            redstone(
                "unhandled internal exception: Package Profile already exists with name: web-base"
            )
        )
    );
    assert_eq!(fault_of(create(&alpha, &ka, 42, "other")).0, -208);
    assert_eq!(create(&alpha, &ka, sa, "app-base"), Ok(Value::Int(1)));
    assert_eq!(ints_of(&list(&alpha, &ka), "id"), vec![2, 1], "by name");

    let delete = |id: i32| {
        with_key(
            &alpha,
            &ka,
            "system.deletePackageProfile",
            vec![Value::Int(id)],
        )
    };
    assert_eq!(delete(1), Ok(Value::Int(1)));
    assert_eq!(
        fault_of(delete(1)),
        (
            -1,
            redstone("unhandled internal exception: The profile 1could notbe found for org 1")
        )
    );
    assert_eq!(ints_of(&list(&alpha, &ka), "id"), vec![2]);
    assert_eq!(ints_of(&list(&beta, &kb), "id"), vec![1]);
}

fn props(kind: &str, server_id: i64, path: &str) -> Value {
    Struct::new()
        .with("type", s(kind))
        .with("server_id", Value::Int(server_id as i32))
        .with("path", s(path))
        .into()
}

#[test]
fn ansible_paths_belong_to_control_nodes() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let (ca, cb) = (system_ids(&alpha)[0], system_ids(&beta)[0]);
    let create = |node: &Node, key: &Value, p: Value| {
        with_key(node, key, "ansible.createAnsiblePath", vec![p])
    };
    let made = create(&alpha, &ka, props("playbook", ca, "/srv/playbooks")).unwrap();
    let other = create(&beta, &kb, props("inventory", cb, "/etc/ansible/hosts")).unwrap();
    assert_eq!(field(&made, "id"), &Value::Int(1));
    assert_eq!(field(&other, "id"), &Value::Int(1));
    let names: Vec<&str> = made.as_struct().unwrap().iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["id", "type", "server_id", "path"]);
    assert_eq!(field(&made, "server_id"), &Value::Int(ca as i32));

    let call = |method: &str, params: Vec<Value>| {
        with_key(&alpha, &ka, &format!("ansible.{method}"), params)
    };
    let list = call("listAnsiblePaths", vec![Value::Int(ca as i32)]).unwrap();
    assert_eq!(list, Value::Array(vec![made.clone()]));
    let not_control = system_ids(&alpha)[1];
    for sid in [not_control, 42] {
        assert_eq!(
            fault_of(call("listAnsiblePaths", vec![Value::Int(sid as i32)])),
            (-208, redstone("No such system"))
        );
    }
    assert_eq!(
        call("lookupAnsiblePathById", vec![Value::Int(1)]),
        Ok(made.clone())
    );
    assert_eq!(
        fault_of(call("lookupAnsiblePathById", vec![Value::Int(9)])),
        (10101, redstone("9"))
    );

    let refused = |p: Value| fault_of(create(&alpha, &ka, p));
    assert_eq!(
        refused(props("playbook", not_control, "/srv/x")),
        (10101, redstone(&not_control.to_string()))
    );
    let missing: Value = Struct::new().with("type", s("playbook")).into();
    assert_eq!(
        refused(missing),
        (2800, redstone("Missing field 'server_id'"))
    );
    assert_eq!(
        refused(props("roles", ca, "relative/dir")),
        (
            2800,
            redstone(
                "FIELD_ERRORS:\npath - Invalid path (must be a valid absolute path)\ntype - Invalid path type\n"
            )
        )
    );
    assert_eq!(
        refused(props("inventory", ca, "/srv/playbooks")),
        (
            2800,
            redstone("FIELD_ERRORS:\npath - Path already exists\n")
        )
    );

    let new_path: Value = Struct::new().with("path", s("/srv/ansible")).into();
    let updated = call("updateAnsiblePath", vec![Value::Int(1), new_path.clone()]).unwrap();
    assert_eq!(field(&updated, "path"), &s("/srv/ansible"));
    assert_eq!(
        fault_of(call("updateAnsiblePath", vec![Value::Int(9), new_path])).0,
        10101
    );
    assert_eq!(
        call("removeAnsiblePath", vec![Value::Int(1)]),
        Ok(Value::Int(1))
    );
    assert_eq!(
        fault_of(call("removeAnsiblePath", vec![Value::Int(1)])),
        (10101, redstone("1"))
    );
    // Beta's path 1 is untouched.
    let beta_path = with_key(
        &beta,
        &kb,
        "ansible.lookupAnsiblePathById",
        vec![Value::Int(1)],
    );
    assert_eq!(beta_path, Ok(other));
}

#[test]
fn pinned_subscriptions_are_deleted_by_their_own_id() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let ns = "subscriptionmatching.pinnedsubscription";
    let (sa, sb) = (system_ids(&alpha)[2] as i32, system_ids(&beta)[2] as i32);
    let pin = |node: &Node, key: &Value, sub: i32, sid: i32| {
        with_key(
            node,
            key,
            &format!("{ns}.create"),
            vec![Value::Int(sub), Value::Int(sid)],
        )
    };
    let list = |node: &Node, key: &Value| with_key(node, key, &format!("{ns}.list"), vec![]);
    assert_eq!(list(&alpha, &ka), Ok(Value::Array(Vec::new())));
    let made = pin(&alpha, &ka, 10, sa).unwrap();
    let expected: Value = Struct::new()
        .with("id", Value::Int(1))
        .with("subscription_id", Value::Int(10))
        .with("system_id", Value::Int(sa))
        .into();
    assert_eq!(made, expected);
    assert_eq!(
        field(&pin(&beta, &kb, 10, sb).unwrap(), "id"),
        &Value::Int(1)
    );
    assert_eq!(
        fault_of(pin(&alpha, &ka, 10, sa)),
        (
            1213,
            redstone("Pinned Subscription with given parameters already exists.")
        )
    );
    assert_eq!(
        field(&pin(&alpha, &ka, 11, sa).unwrap(), "id"),
        &Value::Int(2)
    );

    let delete = |id: i32| with_key(&alpha, &ka, &format!("{ns}.delete"), vec![Value::Int(id)]);
    // 10 is a subscription id, not a pin's.
    assert_eq!(
        fault_of(delete(10)),
        (
            1213,
            redstone("Pinned Subscription with given id doesn't exist.")
        )
    );
    assert_eq!(delete(1), Ok(Value::Int(1)));
    assert_eq!(ints_of(&list(&alpha, &ka).unwrap(), "id"), vec![2]);
    assert_eq!(ints_of(&list(&beta, &kb).unwrap(), "id"), vec![1]);

    // Only SUSE Manager administrators.
    let args = ["plain", "plainpass", "P", "U", "p@example.test"].map(s);
    with_key(&alpha, &ka, "user.create", args.to_vec()).unwrap();
    let plain = super::tests::call(&alpha, "auth.login", vec![s("plain"), s("plainpass")]).unwrap();
    assert_eq!(fault_of(list(&alpha, &plain)).0, -23);
}

#[test]
fn repositories_and_filters_are_numbered_apart_and_refuse_what_the_server_refuses() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let repo = |node: &Node, key: &Value, label: &str, kind: &str, url: &str| {
        with_key(
            node,
            key,
            "channel.software.createRepo",
            vec![s(label), s(kind), s(url)],
        )
    };
    let a = repo(&alpha, &ka, "mirror", "yum", "https://m/a").unwrap();
    let b = repo(&beta, &kb, "mirror", "yum", "https://m/a").unwrap();
    assert_ne!(field(&a, "id"), field(&b, "id"), "numbered apart");
    assert_eq!(field(&a, "sourceUrl"), &s("https://m/a"));
    assert_eq!(
        fault_of(repo(&alpha, &ka, "mirror", "yum", "https://m/b")),
        (2, redstone("Repo label already in use"))
    );
    assert_eq!(
        fault_of(repo(&alpha, &ka, "other", "yum", "https://m/a")),
        (1, redstone("Repo url already defined"))
    );
    assert_eq!(
        fault_of(repo(&alpha, &ka, "other", "rpm-md", "https://m/c")),
        (2, redstone("Invalid repo type"))
    );
    // By id and by label alike; a relabelled repository keeps its id.
    let id = field(&a, "id").clone();
    let by_label = with_key(
        &alpha,
        &ka,
        "channel.software.getRepoDetails",
        vec![s("mirror")],
    )
    .unwrap();
    assert_eq!(by_label, a);
    let relabelled = with_key(
        &alpha,
        &ka,
        "channel.software.updateRepoLabel",
        vec![id.clone(), s("mirror-eu")],
    )
    .unwrap();
    assert_eq!(field(&relabelled, "id"), &id);
    assert_eq!(field(&relabelled, "label"), &s("mirror-eu"));
    // `removeRepo(long id)` takes an `<i8>`; an unknown repository is the
    // server's `NoSuchContentSourceException`.
    let long = Value::I8(id.as_i64().unwrap());
    assert_eq!(
        with_key(&alpha, &ka, "channel.software.removeRepo", vec![long]),
        Ok(Value::Int(1))
    );
    assert_eq!(
        fault_of(with_key(
            &alpha,
            &ka,
            "channel.software.getRepoDetails",
            vec![id]
        ))
        .0,
        1213
    );

    let filter = |node: &Node, key: &Value, name: &str, rule: &str| {
        let criteria = Struct::new()
            .with("matcher", s("contains"))
            .with("field", s("name"))
            .with("value", s("kernel"));
        with_key(
            node,
            key,
            "contentmanagement.createFilter",
            vec![s(name), s(rule), s("package"), Value::Struct(criteria)],
        )
    };
    let fa = filter(&alpha, &ka, "no-kernel", "deny").unwrap();
    let fb = filter(&beta, &kb, "no-kernel", "deny").unwrap();
    assert_ne!(field(&fa, "id"), field(&fb, "id"), "numbered apart");
    assert_eq!(fault_of(filter(&alpha, &ka, "no-kernel", "deny")).0, 10100);
    // Unverified: the server's fault for a rule it does not know.
    assert_eq!(
        fault_of(filter(&alpha, &ka, "x", "maybe")),
        (-1, redstone("Invalid rule: maybe"))
    );
    let listed = with_key(&alpha, &ka, "contentmanagement.listFilters", vec![]).unwrap();
    assert_eq!(listed, Value::Array(vec![fa.clone()]));
    let id = field(&fa, "id").clone();
    assert_eq!(
        with_key(
            &alpha,
            &ka,
            "contentmanagement.removeFilter",
            vec![id.clone()]
        ),
        Ok(Value::Int(1))
    );
    assert_eq!(
        fault_of(with_key(
            &alpha,
            &ka,
            "contentmanagement.lookupFilter",
            vec![id]
        ))
        .0,
        10101
    );
}

#[test]
fn configuration_channels_are_numbered_apart_and_looked_up_by_label_or_id() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let create = |node: &Node, key: &Value, label: &str, kind: &str| {
        with_key(
            node,
            key,
            "configchannel.create",
            vec![
                s(label),
                s("Web servers"),
                s("httpd configuration"),
                s(kind),
            ],
        )
    };
    let a = create(&alpha, &ka, "web", "normal").unwrap();
    let b = create(&beta, &kb, "web", "normal").unwrap();
    assert_ne!(field(&a, "id"), field(&b, "id"), "numbered apart");
    assert_eq!(field(field(&a, "configChannelType"), "label"), &s("normal"));
    assert_eq!(fault_of(create(&alpha, &ka, "web", "normal")).0, 1021);
    assert_eq!(
        fault_of(create(&alpha, &ka, "other", "local_override")).0,
        1021
    );
    assert_eq!(fault_of(create(&alpha, &ka, "-bad", "normal")).0, 1021);
    let state = create(&alpha, &ka, "salt", "state").unwrap();

    // By label and by id alike; an unknown one is the server's unhandled
    // `LookupException`.
    let id = field(&a, "id").clone();
    let get = |arg: Value| with_key(&alpha, &ka, "configchannel.getDetails", vec![arg]);
    assert_eq!(get(s("web")).unwrap(), a);
    assert_eq!(get(id.clone()).unwrap(), a);
    assert_eq!(
        fault_of(get(Value::Int(99999))),
        (
            -1,
            "com.redhat.rhn.common.hibernate.LookupException: Could not find config channel with id=99999"
                .to_owned()
        )
    );
    assert_eq!(
        fault_of(get(s("nope"))).1,
        "com.redhat.rhn.common.hibernate.LookupException: Could not find config channel with label=nope"
    );
    let exists =
        |label: &str| with_key(&alpha, &ka, "configchannel.channelExists", vec![s(label)]).unwrap();
    assert_eq!(
        (exists("web"), exists("nope")),
        (Value::Int(1), Value::Int(0))
    );

    // `update` keeps the label and the id.
    let updated = with_key(
        &alpha,
        &ka,
        "configchannel.update",
        vec![s("web"), s("Web"), s("all web servers")],
    )
    .unwrap();
    assert_eq!(
        (field(&updated, "id"), field(&updated, "name")),
        (&id, &s("Web"))
    );
    let listed = with_key(&alpha, &ka, "configchannel.listGlobals", vec![]).unwrap();
    let labels: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| field(c, "label"))
        .collect();
    // "Web" before "Web servers", though its label sorts after.
    assert_eq!(labels, [&s("web"), &s("salt")], "by name");
    assert_eq!(field(&listed.as_array().unwrap()[1], "type"), &s("state"));

    // `deleteChannels` removes all or, naming an unknown label, none.
    let delete = |labels: &[&str]| {
        with_key(
            &alpha,
            &ka,
            "configchannel.deleteChannels",
            vec![Value::Array(labels.iter().map(|l| s(l)).collect())],
        )
    };
    assert_eq!(fault_of(delete(&["web", "nope"])).0, -210);
    assert_eq!(exists("web"), Value::Int(1));
    assert_eq!(delete(&["web", "salt"]), Ok(Value::Int(1)));
    assert_eq!(exists("web"), Value::Int(0));
    assert!(
        fault_of(get(field(&state, "id").clone()))
            .1
            .contains("LookupException")
    );
}

#[test]
fn a_systems_configuration_channels_keep_their_rank() {
    let (node, key) = named_node("alpha");
    for label in ["base", "web", "db"] {
        with_key(
            &node,
            &key,
            "configchannel.create",
            vec![s(label), s(label), s("files")],
        )
        .unwrap();
    }
    let sid = Value::Int(system_ids(&node)[0] as i32);
    let sids = Value::Array(vec![sid.clone()]);
    let labels = |l: &[&str]| Value::Array(l.iter().map(|l| s(l)).collect());
    let ranked = || {
        let listed =
            with_key(&node, &key, "system.config.listChannels", vec![sid.clone()]).unwrap();
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|c| field(c, "label").as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let add = |l: &[&str], top: bool| {
        with_key(
            &node,
            &key,
            "system.config.addChannels",
            vec![sids.clone(), labels(l), Value::Bool(top)],
        )
    };
    assert_eq!(add(&["base"], false), Ok(Value::Int(1)));
    add(&["web", "db"], true).unwrap();
    assert_eq!(ranked(), ["web", "db", "base"]);
    // One already held moves; an unknown label changes nothing.
    add(&["web"], false).unwrap();
    assert_eq!(ranked(), ["db", "base", "web"]);
    assert_eq!(fault_of(add(&["nope"], true)).0, -210);
    assert_eq!(ranked(), ["db", "base", "web"]);
    with_key(
        &node,
        &key,
        "system.config.removeChannels",
        vec![sids.clone(), labels(&["db"])],
    )
    .unwrap();
    assert_eq!(ranked(), ["base", "web"]);
    with_key(
        &node,
        &key,
        "system.config.setChannels",
        vec![sids.clone(), labels(&["db", "web"])],
    )
    .unwrap();
    assert_eq!(ranked(), ["db", "web"]);
    // A deleted channel leaves the systems that had it.
    with_key(
        &node,
        &key,
        "configchannel.deleteChannels",
        vec![labels(&["db"])],
    )
    .unwrap();
    assert_eq!(ranked(), ["web"]);
}

#[test]
fn configuration_files_keep_their_revisions() {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    let (node, key) = named_node("alpha");
    let call = |method: &str, params: Vec<Value>| with_key(&node, &key, method, params);
    let info = |members: &[(&str, Value)]| {
        let mut s = Struct::with_capacity(members.len());
        for (name, value) in members {
            s.push(*name, value.clone());
        }
        Value::Struct(s)
    };
    call(
        "configchannel.create",
        vec![s("web"), s("Web"), s("httpd"), s("normal")],
    )
    .unwrap();
    // The sixth overload gives a state channel's `init.sls` its contents.
    call(
        "configchannel.create",
        vec![
            s("motd"),
            s("Motd"),
            s("banner"),
            s("state"),
            info(&[
                (
                    "contents",
                    s(&STANDARD.encode("motd:\r\n  file.managed\r\n")),
                ),
                ("contents_enc64", Value::Bool(true)),
            ]),
        ],
    )
    .unwrap();
    let paths = |label: &str| {
        let listed = call("configchannel.listFiles", vec![s(label)]).unwrap();
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let kind = field(f, "type").as_str().unwrap();
                format!("{kind} {}", field(f, "path").as_str().unwrap())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(paths("web"), Vec::<String>::new());
    assert_eq!(paths("motd"), ["sls /init.sls"]);

    let file = |path: &str, text: &str| {
        call(
            "configchannel.createOrUpdatePath",
            vec![
                s("web"),
                s(path),
                Value::Bool(false),
                info(&[
                    ("contents", s(&STANDARD.encode(text))),
                    ("contents_enc64", Value::Bool(true)),
                    ("owner", s("wwwrun")),
                    ("group", s("www")),
                    ("permissions", s("640")),
                ]),
            ],
        )
    };
    let made = file("/etc/httpd.conf", "Listen 80\r\n").unwrap();
    assert_eq!(field(&made, "revision"), &Value::Int(1));
    assert_eq!(field(&made, "permissions_mode"), &s("640"));
    assert_eq!(field(&made, "channel"), &s("Web"));
    // The same data again changes nothing; other data is a new revision.
    assert_eq!(
        field(
            &file("/etc/httpd.conf", "Listen 80\r\n").unwrap(),
            "revision"
        ),
        &Value::Int(1)
    );
    assert_eq!(
        field(
            &file("/etc/httpd.conf", "Listen 443\r\n").unwrap(),
            "revision"
        ),
        &Value::Int(2)
    );
    let dir = call(
        "configchannel.createOrUpdatePath",
        vec![
            s("web"),
            s("/etc/httpd"),
            Value::Bool(true),
            info(&[
                ("owner", s("root")),
                ("group", s("root")),
                ("permissions", s("0755")),
            ]),
        ],
    )
    .unwrap();
    assert_eq!(field(&dir, "permissions"), &Value::Int(755));
    call(
        "configchannel.createOrUpdateSymlink",
        vec![
            s("web"),
            s("/etc/apache"),
            info(&[("target_path", s("/etc/httpd"))]),
        ],
    )
    .unwrap();
    assert_eq!(
        paths("web"),
        [
            "symlink /etc/apache",
            "directory /etc/httpd",
            "file /etc/httpd.conf"
        ]
    );

    // Text comes as is from `lookupFileInfo`, in base64 from
    // `getEncodedFileRevision`, any revision.
    let latest = call(
        "configchannel.lookupFileInfo",
        vec![s("web"), Value::Array(vec![s("/etc/httpd.conf")])],
    )
    .unwrap();
    let latest = &latest.as_array().unwrap()[0];
    assert_eq!(field(latest, "contents"), &s("Listen 443\r\n"));
    assert_eq!(field(latest, "contents_enc64"), &Value::Bool(false));
    let first = call(
        "configchannel.getEncodedFileRevision",
        vec![s("web"), s("/etc/httpd.conf"), Value::Int(1)],
    )
    .unwrap();
    assert_eq!(
        field(&first, "contents"),
        &s(&STANDARD.encode("Listen 80\r\n"))
    );
    let revisions = call(
        "configchannel.getFileRevisions",
        vec![s("web"), s("/etc/httpd.conf")],
    )
    .unwrap();
    assert_eq!(revisions.as_array().unwrap().len(), 2);

    // `init.sls` changes through `updateInitSls` only; a state channel
    // holds no directories or links.
    let init = call(
        "configchannel.updateInitSls",
        vec![s("motd"), info(&[("contents", s("motd: {}"))])],
    )
    .unwrap();
    assert_eq!(
        (field(&init, "revision"), field(&init, "owner")),
        (&Value::Int(2), &s("root"))
    );
    let on_state = |path: &str, is_dir: bool| {
        fault_of(call(
            "configchannel.createOrUpdatePath",
            vec![
                s("motd"),
                s(path),
                Value::Bool(is_dir),
                info(&[
                    ("owner", s("root")),
                    ("group", s("root")),
                    ("permissions", s("644")),
                ]),
            ],
        ))
        .0
    };
    assert_eq!(on_state("/init.sls", false), 1213);
    assert_eq!(on_state("/files", true), 1233);
    // Other files are fine.
    call(
        "configchannel.createOrUpdatePath",
        vec![
            s("motd"),
            s("/banner.txt"),
            Value::Bool(false),
            info(&[
                ("contents", s("Welcome")),
                ("owner", s("root")),
                ("group", s("root")),
                ("permissions", s("644")),
            ]),
        ],
    )
    .unwrap();
    assert_eq!(paths("motd"), ["file /banner.txt", "sls /init.sls"]);
    assert_eq!(
        fault_of(call(
            "configchannel.updateInitSls",
            vec![s("web"), info(&[("contents", s("x"))])]
        ))
        .0,
        1233
    );

    // Refused: a relative path, a path changing type, a member the method
    // does not take, an unknown path.
    assert_eq!(fault_of(file("etc/x", "x")).0, 1023);
    assert_eq!(
        fault_of(call(
            "configchannel.createOrUpdatePath",
            vec![
                s("web"),
                s("/etc/httpd.conf"),
                Value::Bool(true),
                info(&[
                    ("owner", s("root")),
                    ("group", s("root")),
                    ("permissions", s("755")),
                ]),
            ],
        ))
        .0,
        1023
    );
    assert_eq!(
        fault_of(call(
            "configchannel.createOrUpdateSymlink",
            vec![s("web"), s("/l"), info(&[("owner", s("root"))])],
        )),
        (2801, redstone("Invalid argument(s): owner"))
    );
    let unknown = call(
        "configchannel.lookupFileInfo",
        vec![s("web"), Value::Array(vec![s("/nope")])],
    );
    assert_eq!(
        fault_of(unknown),
        (
            -1029,
            redstone("No such configuration file path: /nope in config channel: web")
        )
    );
    let delete = |paths: &[&str]| {
        call(
            "configchannel.deleteFiles",
            vec![s("web"), Value::Array(paths.iter().map(|p| s(p)).collect())],
        )
    };
    assert_eq!(fault_of(delete(&["/etc/apache", "/nope"])).0, -1029);
    assert_eq!(paths("web").len(), 3, "nothing deleted");
    assert_eq!(delete(&["/etc/apache", "/etc/httpd"]), Ok(Value::Int(1)));
    assert_eq!(paths("web"), ["file /etc/httpd.conf"]);
}

#[test]
fn an_activation_keys_parts_are_added_and_removed() {
    const BASE: &str = "sle-product-sles15-sp6-pool-x86_64";
    const CHILD: &str = "sle-product-sles15-sp6-updates-x86_64";
    const OTHER_CHILD: &str = "sle-product-sles15-sp5-updates-x86_64";
    let (node, key) = named_node("alpha");
    let call = |method: &str, params: Vec<Value>| with_key(&node, &key, method, params);
    let labels = |l: &[&str]| Value::Array(l.iter().map(|l| s(l)).collect());
    call(
        "activationkey.create",
        vec![
            s("edge"),
            s("Edge"),
            s(BASE),
            Value::Array(vec![]),
            Value::Bool(false),
        ],
    )
    .unwrap();
    let details = || call("activationkey.getDetails", vec![s("1-edge")]).unwrap();
    let set = |members: Vec<(&str, Value)>| {
        let mut st = Struct::with_capacity(members.len());
        for (name, value) in members {
            st.push(name, value);
        }
        call(
            "activationkey.setDetails",
            vec![s("1-edge"), Value::Struct(st)],
        )
    };

    // Child channels of the key's base channel only.
    let children = |method: &str, l: &[&str]| call(method, vec![s("1-edge"), labels(l)]);
    assert_eq!(
        children("activationkey.addChildChannels", &[CHILD]),
        Ok(Value::Int(1))
    );
    assert_eq!(
        fault_of(children("activationkey.addChildChannels", &[OTHER_CHILD])),
        (
            -211,
            redstone(
                "SLES 15 SP5 Updates for x86_64 is not a child channel of parent SLES 15 SP6 Pool for x86_64 which is already used by this key"
            )
        )
    );
    assert_eq!(
        fault_of(children("activationkey.addChildChannels", &[BASE])),
        (
            -211,
            redstone("SLES 15 SP6 Pool for x86_64 is not a child channel.")
        )
    );
    assert_eq!(field(&details(), "child_channel_labels"), &labels(&[CHILD]));

    // Packages: one (name, arch) once; the name need not be known.
    let package = |name: &str, arch: Option<&str>| {
        let mut p = Struct::with_capacity(2).with("name", s(name));
        if let Some(arch) = arch {
            p.push("arch", s(arch));
        }
        Value::Struct(p)
    };
    let packages =
        |method: &str, list: Vec<Value>| call(method, vec![s("1-edge"), Value::Array(list)]);
    packages(
        "activationkey.addPackages",
        vec![
            package("vim", None),
            package("vim", None),
            package("salt-minion", Some("x86_64")),
        ],
    )
    .unwrap();
    assert_eq!(
        fault_of(packages(
            "activationkey.addPackages",
            vec![package("vim emacs", None)]
        ))
        .0,
        2801
    );
    let held = details();
    assert_eq!(
        field(&held, "package_names"),
        &labels(&["vim", "salt-minion"])
    );
    assert_eq!(
        field(&held, "packages").as_array().unwrap()[1],
        package("salt-minion", Some("x86_64"))
    );
    packages("activationkey.removePackages", vec![package("vim", None)]).unwrap();
    assert_eq!(
        field(&details(), "package_names"),
        &labels(&["salt-minion"])
    );

    // Configuration channels by rank.
    for label in ["base", "web", "db"] {
        call("configchannel.create", vec![s(label), s(label), s("files")]).unwrap();
    }
    let ranked = || {
        let listed = call("activationkey.listConfigChannels", vec![s("1-edge")]).unwrap();
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|c| field(c, "label").as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let keys = labels(&["1-edge"]);
    let add = |l: &[&str], top: bool| {
        call(
            "activationkey.addConfigChannels",
            vec![keys.clone(), labels(l), Value::Bool(top)],
        )
    };
    add(&["base"], false).unwrap();
    add(&["web", "db"], true).unwrap();
    assert_eq!(ranked(), ["web", "db", "base"]);
    assert_eq!(fault_of(add(&["nope"], true)).0, -210);
    let remove = |l: &[&str]| {
        call(
            "activationkey.removeConfigChannels",
            vec![keys.clone(), labels(l)],
        )
    };
    assert_eq!(remove(&["db"]), Ok(Value::Int(1)));
    assert_eq!(remove(&["db"]), Ok(Value::Int(0)), "not on the key");
    call(
        "activationkey.setConfigChannels",
        vec![keys.clone(), labels(&["db", "web"])],
    )
    .unwrap();
    assert_eq!(ranked(), ["db", "web"]);
    call("configchannel.deleteChannels", vec![labels(&["db"])]).unwrap();
    assert_eq!(ranked(), ["web"], "a deleted channel leaves the key");

    // `setDetails`: the members given; a new base channel drops the child
    // channels; a negative limit is none.
    set(vec![
        ("disabled", Value::Bool(true)),
        ("contact_method", s("ssh-push")),
        ("usage_limit", Value::Int(5)),
    ])
    .unwrap();
    let held = details();
    assert_eq!(
        (
            field(&held, "disabled"),
            field(&held, "contact_method"),
            field(&held, "usage_limit"),
            field(&held, "description"),
        ),
        (
            &Value::Bool(true),
            &s("ssh-push"),
            &Value::Int(5),
            &s("Edge")
        )
    );
    set(vec![("usage_limit", Value::Int(-1))]).unwrap();
    assert_eq!(field(&details(), "usage_limit"), &Value::Int(0));
    assert_eq!(
        fault_of(set(vec![("contact_method", s("carrier-pigeon"))])),
        (-1, redstone("Invalid contact method: carrier-pigeon"))
    );
    assert_eq!(
        fault_of(set(vec![("colour", s("red"))])),
        (2801, redstone("Invalid argument(s): colour"))
    );
    assert_eq!(
        fault_of(set(vec![("base_channel_label", s(CHILD))])),
        (
            -211,
            redstone("SLES 15 SP6 Updates for x86_64 is not a base channel.")
        )
    );
    set(vec![("base_channel_label", s("none"))]).unwrap();
    let held = details();
    assert_eq!(field(&held, "base_channel_label"), &s("none"));
    assert_eq!(field(&held, "child_channel_labels"), &labels(&[]));
}

#[test]
fn a_pam_user_needs_no_password_and_takes_roles_and_a_disabled_account() {
    let (node, key) = named_node("alpha");
    let call = |method: &str, params: Vec<Value>| with_key(&node, &key, method, params);
    let create = |login: &str, pam: i32| {
        call(
            "user.create",
            vec![
                s(login),
                s(""),
                s("Dave"),
                s("Ops"),
                s("dave@example.com"),
                Value::Int(pam),
            ],
        )
    };
    assert_eq!(
        fault_of(create("dave-local", 0)),
        (
            -501,
            redstone("Password is required if not using PAM authentication")
        )
    );
    assert_eq!(create("dave-pam", 1), Ok(Value::Int(1)));
    let details = || call("user.getDetails", vec![s("dave-pam")]).unwrap();
    assert_eq!(field(&details(), "use_pam"), &Value::Bool(true));
    // No PAM in the simulator: no password lets the user in.
    assert!(super::tests::call(&node, "auth.login", vec![s("dave-pam"), s("")]).is_err());

    call("user.addRole", vec![s("dave-pam"), s("config_admin")]).unwrap();
    assert_eq!(
        fault_of(call("user.addRole", vec![s("dave-pam"), s("emperor")])).0,
        -1
    );
    assert_eq!(
        call("user.listRoles", vec![s("dave-pam")]).unwrap(),
        Value::Array(vec![s("config_admin")])
    );
    call("user.disable", vec![s("dave-pam")]).unwrap();
    assert_eq!(field(&details(), "enabled"), &Value::Bool(false));
    call("user.enable", vec![s("dave-pam")]).unwrap();
    call(
        "user.usePamAuthentication",
        vec![s("dave-pam"), Value::Int(0)],
    )
    .unwrap();
    let d = details();
    assert_eq!(
        (field(&d, "enabled"), field(&d, "use_pam")),
        (&Value::Bool(true), &Value::Bool(false))
    );
}
