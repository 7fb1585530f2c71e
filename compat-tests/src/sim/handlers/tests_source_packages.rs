//! In-process tests of the source packages (`packages.listSourcePackages`,
//! `packages.removeSourcePackage`), alike on the nodes of a zone but for
//! their ids.

use xmlrpc::{Fault, Value};

use super::tests::{call, fault_of, field, ints_of, named_node, s, with_key};
use crate::sim::Node;

/// `packages.listSourcePackages` on `node`: each id and file name.
fn listed(node: &Node, key: &Value) -> Vec<(i64, String)> {
    let list = with_key(node, key, "packages.listSourcePackages", vec![]).unwrap();
    let files = list.as_array().unwrap().iter().map(|p| {
        let file = field(p, "nvrea").as_str().unwrap();
        file.to_owned()
    });
    ints_of(&list, "id").into_iter().zip(files).collect()
}

fn remove(node: &Node, key: &Value, psid: i64) -> Result<Value, Fault> {
    with_key(
        node,
        key,
        "packages.removeSourcePackage",
        vec![Value::Int(psid as i32)],
    )
}

#[test]
fn source_packages_are_the_binary_packages_source_rpms() {
    let (node, key) = named_node("alpha");
    let list = with_key(&node, &key, "packages.listSourcePackages", vec![]).unwrap();
    let first = &list.as_array().unwrap()[0];
    let mut members: Vec<&str> = first.as_struct().unwrap().iter().map(|(n, _)| n).collect();
    members.sort();
    let expected = ["description", "epoch", "id", "nvrea", "provider", "summary"];
    assert_eq!(members, expected);
    assert_eq!(field(first, "provider"), &s("Unknown"));

    let listed = listed(&node, &key);
    let held = node.source_packages();
    assert_eq!(listed.len(), held.len());
    for (id, file) in &listed {
        assert_eq!(held.get(&(*id as i32)), Some(file));
        assert!(file.ends_with(".src.rpm"), "{file}");
    }
    let packages = with_key(&node, &key, "packages.search.name", vec![s("bash")]).unwrap();
    let bash = &packages.as_array().unwrap()[0];
    let source = format!(
        "bash-{}-{}.src.rpm",
        field(bash, "version").as_str().unwrap(),
        field(bash, "release").as_str().unwrap()
    );
    assert!(held.values().any(|f| *f == source), "{source}");
}

#[test]
fn nodes_of_a_zone_hold_the_same_source_packages_under_their_own_ids() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let (la, lb) = (listed(&alpha, &ka), listed(&beta, &kb));
    let names = |l: &[(i64, String)]| l.iter().map(|(_, f)| f.clone()).collect::<Vec<_>>();
    assert_eq!(names(&la), names(&lb));
    assert_ne!(la[0].0, lb[0].0);
    // Each node counts up from its own start.
    for list in [&la, &lb] {
        let ids: Vec<i64> = list.iter().map(|(id, _)| *id).collect();
        let from = ids[0];
        assert_eq!(ids, (from..from + ids.len() as i64).collect::<Vec<_>>());
    }
    // Seeding is deterministic.
    let (again, kg) = named_node("alpha");
    assert_eq!(listed(&again, &kg), la);
}

#[test]
fn removing_a_source_package_and_unknown_ids() {
    let (node, key) = named_node("alpha");
    let before = node.source_packages();
    let (&psid, _) = before.iter().next().unwrap();
    assert_eq!(remove(&node, &key, i64::from(psid)), Ok(Value::Int(1)));
    let after = node.source_packages();
    assert_eq!(after.len(), before.len() - 1);
    assert!(!after.contains_key(&psid));
    assert!(
        listed(&node, &key)
            .iter()
            .all(|(id, _)| *id != i64::from(psid))
    );

    let no_such = (
        -209,
        "redstone.xmlrpc.XmlRpcFault: The package could not be found".to_owned(),
    );
    assert_eq!(fault_of(remove(&node, &key, i64::from(psid))), no_such);
    assert_eq!(fault_of(remove(&node, &key, 999_999)), no_such);

    // Only an organization administrator removes one, checked first.
    let args = ["plain", "plainpass", "P", "U", "p@example.test"].map(s);
    with_key(&node, &key, "user.create", args.to_vec()).unwrap();
    let plain = call(&node, "auth.login", vec![s("plain"), s("plainpass")]).unwrap();
    let (&other, _) = after.iter().next().unwrap();
    assert_eq!(fault_of(remove(&node, &plain, i64::from(other))).0, -23);
    assert_eq!(fault_of(remove(&node, &plain, 999_999)).0, -23);
    assert_eq!(node.source_packages(), after);
    // Listing needs no role.
    assert_eq!(listed(&node, &plain).len(), after.len());
}
