//! Same-name, same-arity overloads are told apart by XML-RPC wire type:
//! arguments built from each overload's own types resolve back to it.

mod common;

use std::collections::BTreeMap;

use spec::{Release, spec};

#[test]
fn every_overload_resolves_to_itself() {
    let mut checked = 0;
    for entry in spec().entries() {
        let args = common::args_for(entry);
        let name = entry.full_name();
        let resolved = spec()
            .resolve(&name, &args)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(std::ptr::eq(resolved, entry), "{name}{:?}", entry.params);
        for &release in &entry.releases {
            let resolved = spec().resolve_in(release, &name, &args).unwrap();
            assert!(std::ptr::eq(resolved, entry), "{release} {name}");
        }
        checked += 1;
    }
    assert_eq!(checked, spec().entries().len());
}

#[test]
fn same_arity_overloads_exist_and_differ_on_the_wire() {
    let mut groups: BTreeMap<(String, usize), Vec<&spec::Entry>> = BTreeMap::new();
    for entry in spec().entries_in(Release::Master) {
        groups
            .entry((entry.full_name(), entry.params.len()))
            .or_default()
            .push(entry);
    }
    let shared: Vec<_> = groups.values().filter(|g| g.len() > 1).collect();
    assert!(
        shared.len() >= 45,
        "only {} same-arity groups",
        shared.len()
    );
    for group in shared {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                let wires =
                    |e: &spec::Entry| e.param_types().map(|t| t.wire_type()).collect::<Vec<_>>();
                assert_ne!(wires(a), wires(b), "{} cannot be told apart", a.full_name());
            }
        }
    }
}

#[test]
fn named_pairs_resolve_by_type() {
    let pick = |name: &str, args: Vec<xmlrpc::Value>| {
        let e = spec().resolve(name, &args).unwrap();
        e.params.iter().map(|p| p.name.clone()).collect::<Vec<_>>()
    };
    use xmlrpc::Value::{Array, Int};
    let k = common::key;
    assert_eq!(
        pick(
            "system.scheduleReboot",
            vec![
                k(),
                Int(1),
                xmlrpc::Value::DateTime("20250101T00:00:00".into())
            ]
        )[1],
        "sid"
    );
    assert_eq!(
        pick(
            "system.schedulePackageInstall",
            vec![
                k(),
                Array(vec![Int(1)]),
                Array(vec![Int(2)]),
                xmlrpc::Value::DateTime("x".into())
            ]
        )[1],
        "sids"
    );
    assert_eq!(
        pick("channel.software.getDetails", vec![k(), Int(5)])[1],
        "id"
    );
    assert_eq!(
        pick("channel.software.getDetails", vec![k(), "label".into()])[1],
        "channelLabel"
    );
    assert_eq!(
        pick(
            "system.setPillar",
            vec![
                k(),
                "minion".into(),
                "c".into(),
                xmlrpc::Value::Struct(Default::default())
            ]
        )[1],
        "minionId"
    );
    let dt = || xmlrpc::Value::DateTime("20250101T00:00:00".into());
    assert_eq!(
        pick("system.listSystemEvents", vec![k(), Int(1), dt()])[2],
        "earliestDate"
    );
    assert_eq!(
        pick("system.listSystemEvents", vec![k(), Int(1), "x".into()])[2],
        "actionType"
    );
    let bootstrap = |sixth: xmlrpc::Value| {
        let mut args = vec![
            k(),
            "host".into(),
            Int(22),
            "root".into(),
            "pw".into(),
            "1-key".into(),
        ];
        args.extend([sixth, xmlrpc::Value::Bool(false)]);
        pick("system.bootstrap", args)[6].clone()
    };
    assert_eq!(bootstrap(Int(9)), "proxyId");
    assert_eq!(bootstrap("re-key".into()), "reactivationKey");
    assert_eq!(
        pick(
            "system.setPillar",
            vec![
                k(),
                Int(3),
                "c".into(),
                xmlrpc::Value::Struct(Default::default())
            ]
        )[1],
        "systemId"
    );
}
