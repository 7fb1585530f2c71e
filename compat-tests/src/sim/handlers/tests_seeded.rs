//! In-process tests of the seeded node-local objects: images, snapshots
//! and notifications, numbered by each node from 1, so that two nodes of
//! one zone hold different objects under the same ids.

use xmlrpc::{Struct, Value};

use super::tests::{fault_of, field, ints_of, named_node, redstone, s, system_ids, with_key};
use crate::sim::Node;

fn str_of<'a>(v: &'a Value, name: &str) -> &'a str {
    field(v, name).as_str().expect("a string")
}

fn names(v: &Value) -> Vec<&str> {
    v.as_struct().unwrap().iter().map(|(n, _)| n).collect()
}

/// A user without roles, logged in.
fn plain_user(node: &Node, admin: &Value) -> Value {
    let args = ["plain", "plainpass", "P", "U", "p@example.test"].map(s);
    with_key(node, admin, "user.create", args.to_vec()).expect("user.create");
    super::tests::call(node, "auth.login", vec![s("plain"), s("plainpass")]).expect("login")
}

#[test]
fn images_are_numbered_per_node_and_differ_between_nodes() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let la = with_key(&alpha, &ka, "image.listImages", vec![]).unwrap();
    let lb = with_key(&beta, &kb, "image.listImages", vec![]).unwrap();
    assert_eq!(ints_of(&la, "id"), vec![1, 2]);
    assert_eq!(ints_of(&lb, "id"), vec![1, 2]);
    let first = &la.as_array().unwrap()[0];
    assert_eq!(
        names(first),
        [
            "id",
            "name",
            "type",
            "version",
            "revision",
            "arch",
            "external",
            "storeLabel",
            "checksum",
            "obsolete"
        ]
    );
    let da = with_key(&alpha, &ka, "image.getDetails", vec![Value::Int(1)]).unwrap();
    let db = with_key(&beta, &kb, "image.getDetails", vec![Value::Int(1)]).unwrap();
    assert!(str_of(&da, "name").contains("alpha"), "{da:?}");
    assert!(str_of(&db, "name").contains("beta"), "{db:?}");
    assert_ne!(field(&da, "checksum"), field(&db, "checksum"));
    assert_eq!(
        field(&da, "buildServerId"),
        &Value::Int(system_ids(&alpha)[0] as i32)
    );
    assert_eq!(
        field(&db, "buildServerId"),
        &Value::Int(system_ids(&beta)[0] as i32)
    );
    assert_eq!(field(&da, "buildStatus"), &s("completed"));
    for method in ["image.getDetails", "image.getPillar", "image.delete"] {
        assert_eq!(
            fault_of(with_key(&alpha, &ka, method, vec![Value::Int(3)])),
            (10012, redstone("Image not found")),
            "{method}"
        );
    }
    // Only image administrators (and organization administrators).
    let plain = plain_user(&alpha, &ka);
    let fault = fault_of(with_key(&alpha, &plain, "image.listImages", vec![]));
    assert_eq!(fault.0, -23);
}

#[test]
fn images_are_imported_given_pillars_and_deleted() {
    let (node, key) = named_node("alpha");
    let import = |name: &str, arch: &str| {
        with_key(
            &node,
            &key,
            "image.importOSImage",
            vec![s(name), s("1.0.0"), s(arch)],
        )
    };
    assert_eq!(import("kiosk", "x86_64-redhat-linux"), Ok(Value::Int(3)));
    assert_eq!(
        fault_of(import("kiosk", "x86_64-redhat-linux")),
        (
            -1,
            redstone("unhandled internal exception: Image already exists.")
        )
    );
    assert_eq!(fault_of(import("", "x86_64-redhat-linux")).0, 1213);
    assert_eq!(fault_of(import("other", "x86_64")).0, 1213);
    let details = with_key(&node, &key, "image.getDetails", vec![Value::Int(3)]).unwrap();
    assert_eq!(field(&details, "external"), &Value::Bool(true));
    assert_eq!(field(&details, "buildServerId"), &Value::Int(0));
    assert_eq!(field(&details, "arch"), &s("x86_64"));

    let seeded = with_key(&node, &key, "image.getPillar", vec![Value::Int(1)]).unwrap();
    assert!(field(&seeded, "images").as_struct().is_some());
    let empty = with_key(&node, &key, "image.getPillar", vec![Value::Int(3)]).unwrap();
    assert_eq!(empty, Value::Struct(Struct::new()));
    let pillar: Value = Struct::new().with("size", s("1024")).into();
    let set = |id: i32| {
        with_key(
            &node,
            &key,
            "image.setPillar",
            vec![Value::Int(id), pillar.clone()],
        )
    };
    assert_eq!(set(3), Ok(Value::Int(1)));
    assert_eq!(fault_of(set(9)).0, 10012);
    assert_eq!(
        with_key(&node, &key, "image.getPillar", vec![Value::Int(3)]),
        Ok(pillar.clone())
    );

    assert_eq!(
        with_key(&node, &key, "image.delete", vec![Value::Int(3)]),
        Ok(Value::Int(1))
    );
    assert_eq!(
        fault_of(with_key(&node, &key, "image.delete", vec![Value::Int(3)])).0,
        10012
    );
    // Ids are not handed out again.
    assert_eq!(import("kiosk", "x86_64-redhat-linux"), Ok(Value::Int(4)));
}

#[test]
fn snapshots_are_listed_filtered_tagged_and_deleted() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let sids = system_ids(&alpha);
    let sid = |i: usize| Value::Int(sids[i] as i32);
    let list = |sid: Value, details: Struct| {
        with_key(
            &alpha,
            &ka,
            "system.provisioning.snapshot.listSnapshots",
            vec![sid, details.into()],
        )
    };
    let all = list(sid(0), Struct::new()).unwrap();
    assert_eq!(ints_of(&all, "id"), vec![2, 1], "newest first");
    assert_eq!(
        ints_of(&list(sid(2), Struct::new()).unwrap(), "id"),
        vec![6, 5]
    );
    assert_eq!(list(sid(3), Struct::new()), Ok(Value::Array(Vec::new())));
    let newest = &all.as_array().unwrap()[0];
    assert_eq!(
        names(newest),
        [
            "id",
            "reason",
            "created",
            "channels",
            "groups",
            "entitlements",
            "config_channels",
            "tags"
        ]
    );
    let second = field(newest, "created").clone();
    let after = list(sid(0), Struct::new().with("startDate", second.clone())).unwrap();
    assert_eq!(ints_of(&after, "id"), vec![2]);
    let first = field(&all.as_array().unwrap()[1], "created").clone();
    let between = with_key(
        &alpha,
        &ka,
        "system.provisioning.snapshot.listSnapshots",
        vec![sid(0), first.clone(), first],
    )
    .unwrap();
    assert_eq!(ints_of(&between, "id"), vec![1]);
    assert_eq!(
        fault_of(list(sid(0), Struct::new().with("since", second))),
        (2801, redstone("Invalid argument(s): since"))
    );
    assert_eq!(
        fault_of(list(Value::Int(42), Struct::new())),
        (-208, redstone("No such system"))
    );

    let packages = |node: &Node, key: &Value, id: i32| {
        with_key(
            node,
            key,
            "system.provisioning.snapshot.listSnapshotPackages",
            vec![Value::Int(id)],
        )
    };
    let p1 = packages(&alpha, &ka, 1).unwrap();
    assert_ne!(p1, packages(&alpha, &ka, 2).unwrap());
    assert_ne!(p1, packages(&beta, &kb, 1).unwrap());
    let pkg = &p1.as_array().unwrap()[0];
    assert_eq!(
        names(pkg),
        ["name", "version", "release", "arch"],
        "no epoch"
    );
    assert_eq!(
        fault_of(packages(&alpha, &ka, 1234)),
        (1069, redstone("Invalid snapshot specified: 1,234"))
    );

    let tag = |id: i32| {
        with_key(
            &alpha,
            &ka,
            "system.provisioning.snapshot.addTagToSnapshot",
            vec![Value::Int(id), s("golden")],
        )
    };
    assert_eq!(tag(1), Ok(Value::Int(1)));
    assert_eq!(
        fault_of(tag(1)),
        (1211, redstone("**Snapshot tag already exists: {0}**"))
    );
    assert_eq!(fault_of(tag(99)).0, 1069);
    let tagged = list(sid(0), Struct::new()).unwrap();
    assert_eq!(
        field(&tagged.as_array().unwrap()[1], "tags"),
        &Value::Array(vec![s("golden")])
    );

    let rollback = |sid: Value, id: i32| {
        with_key(
            &alpha,
            &ka,
            "system.provisioning.snapshot.rollbackToSnapshot",
            vec![sid, Value::Int(id)],
        )
    };
    assert_eq!(rollback(sid(0), 1), Ok(Value::Int(1)));
    // The server rolls back the snapshot's own system whatever system id
    // it is given.
    assert_eq!(rollback(sid(1), 1), Ok(Value::Int(1)));
    assert_eq!(
        fault_of(rollback(sid(0), 99)),
        (1212, redstone("No such server snapshot: 99"))
    );
    assert_eq!(fault_of(rollback(Value::Int(42), 1)).0, -208);

    let delete = |id: i32| {
        with_key(
            &alpha,
            &ka,
            "system.provisioning.snapshot.deleteSnapshot",
            vec![Value::Int(id)],
        )
    };
    assert_eq!(delete(1), Ok(Value::Int(1)));
    assert_eq!(fault_of(delete(1)).0, 1069);
    assert_eq!(
        ints_of(&list(sid(0), Struct::new()).unwrap(), "id"),
        vec![2]
    );
    // A deleted system's snapshots go with it.
    with_key(
        &alpha,
        &ka,
        "system.deleteSystems",
        vec![Value::Array(vec![sid(1)])],
    )
    .unwrap();
    assert_eq!(fault_of(packages(&alpha, &ka, 3)).0, 1069);
}

#[test]
fn notifications_are_the_users_own_and_marked_read_or_deleted() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let get = |node: &Node, key: &Value, unread: bool| {
        with_key(
            node,
            key,
            "user.notifications.getNotifications",
            vec![Value::Bool(unread)],
        )
        .unwrap()
    };
    let all = get(&alpha, &ka, false);
    assert_eq!(ints_of(&all, "id"), vec![1, 2, 3]);
    let first = &all.as_array().unwrap()[0];
    assert_eq!(
        names(first),
        [
            "id", "read", "message", "summary", "details", "type", "created"
        ]
    );
    assert_eq!(field(first, "read"), &Value::Bool(true));
    assert!(str_of(first, "message").contains("alpha"));
    let other = &get(&beta, &kb, false).as_array().unwrap()[0].clone();
    assert!(str_of(other, "message").contains("beta"));
    assert_eq!(ints_of(&get(&alpha, &ka, true), "id"), vec![2, 3]);

    let ids = |ids: &[i32]| Value::Array(ids.iter().map(|i| Value::Int(*i)).collect());
    let call = |method: &str, params: Vec<Value>| {
        with_key(&alpha, &ka, &format!("user.notifications.{method}"), params)
    };
    assert_eq!(
        call("setNotificationsRead", vec![ids(&[2, 99])]),
        Ok(Value::Int(1))
    );
    assert_eq!(ints_of(&get(&alpha, &ka, true), "id"), vec![3]);
    assert_eq!(
        call("deleteNotifications", vec![ids(&[3, 99])]),
        Ok(Value::Int(0)),
        "not every id was the user's"
    );
    assert_eq!(ints_of(&get(&alpha, &ka, false), "id"), vec![1, 2]);
    assert_eq!(
        call("deleteNotifications", vec![ids(&[1])]),
        Ok(Value::Int(1))
    );
    assert_eq!(ints_of(&get(&beta, &kb, false), "id"), vec![1, 2, 3]);
    assert_eq!(ints_of(&get(&beta, &kb, true), "id"), vec![2, 3]);
    assert_eq!(
        with_key(
            &beta,
            &kb,
            "user.notifications.setAllNotificationsRead",
            vec![]
        ),
        Ok(Value::Int(1))
    );
    assert_eq!(get(&beta, &kb, true), Value::Array(Vec::new()));

    // Another user has none of the administrator's.
    let plain = plain_user(&alpha, &ka);
    assert_eq!(get(&alpha, &plain, false), Value::Array(Vec::new()));
    let plain_delete = with_key(
        &alpha,
        &plain,
        "user.notifications.deleteNotifications",
        vec![ids(&[2])],
    );
    assert_eq!(plain_delete, Ok(Value::Int(0)));
    assert_eq!(ints_of(&get(&alpha, &ka, false), "id"), vec![2]);
}
