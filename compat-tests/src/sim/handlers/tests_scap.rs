//! In-process tests of the seeded OpenSCAP XCCDF scans (`system.scap.*`),
//! numbered by each node from 1, so that two nodes of one zone hold
//! different scans under the same ids.

use xmlrpc::{Fault, Value};

use super::tests::{fault_of, field, ints_of, named_node, s, system_ids, with_key};
use crate::sim::Node;

fn str_of<'a>(v: &'a Value, name: &str) -> &'a str {
    field(v, name).as_str().expect("a string")
}

fn names(v: &Value) -> Vec<&str> {
    v.as_struct().unwrap().iter().map(|(n, _)| n).collect()
}

/// `system.scap.<method>(xid)` on `node`.
fn by_xid(node: &Node, key: &Value, method: &str, xid: i32) -> Result<Value, Fault> {
    with_key(
        node,
        key,
        &format!("system.scap.{method}"),
        vec![Value::Int(xid)],
    )
}

/// `system.scap.listXccdfScans(sid)` on `node`.
fn list(node: &Node, key: &Value, sid: i64) -> Result<Value, Fault> {
    with_key(
        node,
        key,
        "system.scap.listXccdfScans",
        vec![Value::Int(sid as i32)],
    )
}

/// The fault an unknown scan gets (the seeded administrator is user 1).
fn no_such_scan(xid: i32) -> (i32, String) {
    (
        -1,
        format!(
            "com.redhat.rhn.common.hibernate.LookupException: Could not find XCCDF scan {xid} for user 1"
        ),
    )
}

#[test]
fn scans_are_listed_per_system_and_differ_between_nodes() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let sids = system_ids(&alpha);
    let first = list(&alpha, &ka, sids[0]).unwrap();
    assert_eq!(ints_of(&first, "xid"), vec![2, 1], "latest completed first");
    assert_eq!(
        ints_of(&list(&alpha, &ka, sids[1]).unwrap(), "xid"),
        vec![4, 3]
    );
    assert_eq!(
        ints_of(&list(&alpha, &ka, sids[2]).unwrap(), "xid"),
        vec![6, 5]
    );
    assert_eq!(list(&alpha, &ka, sids[3]), Ok(Value::Array(Vec::new())));
    let row = &first.as_array().unwrap()[0];
    assert_eq!(names(row), ["xid", "profile", "path", "completed"]);
    assert_eq!(
        str_of(row, "profile"),
        "xccdf_org.ssgproject.content_profile_stig"
    );
    assert!(str_of(row, "path").contains("/alpha/"), "{row:?}");
    let other = list(&beta, &kb, system_ids(&beta)[0]).unwrap();
    assert_eq!(ints_of(&other, "xid"), vec![2, 1]);
    assert!(str_of(&other.as_array().unwrap()[0], "path").contains("/beta/"));
    assert_eq!(
        fault_of(list(&alpha, &ka, 42)),
        (
            -208,
            "redstone.xmlrpc.XmlRpcFault: No such system".to_owned()
        )
    );
}

#[test]
fn details_name_the_scans_system_and_a_reserved_action() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let sids = system_ids(&alpha);
    let old = by_xid(&alpha, &ka, "getXccdfScanDetails", 1).unwrap();
    let new = by_xid(&alpha, &ka, "getXccdfScanDetails", 2).unwrap();
    let members = [
        "xid",
        "sid",
        "path",
        "ovalfiles",
        "oscap_parameters",
        "test_result",
        "benchmark",
        "benchmark_version",
        "profile",
        "profile_title",
        "start_time",
        "end_time",
        "errors",
        "action_id",
        "deletable",
    ];
    assert_eq!(names(&new), members);
    let without_oval: Vec<&str> = members.into_iter().filter(|m| *m != "ovalfiles").collect();
    assert_eq!(names(&old), without_oval, "no OVAL files: no member");
    assert_eq!(field(&old, "xid"), &Value::Int(1));
    assert_eq!(field(&old, "sid"), &Value::Int(sids[0] as i32));
    assert_eq!(field(&old, "deletable"), &Value::Bool(true));
    assert_eq!(field(&new, "deletable"), &Value::Bool(false));
    assert_eq!(
        str_of(&old, "oscap_parameters"),
        "--profile xccdf_org.ssgproject.content_profile_pci-dss"
    );
    let other = by_xid(&beta, &kb, "getXccdfScanDetails", 1).unwrap();
    assert_eq!(
        field(&other, "sid"),
        &Value::Int(system_ids(&beta)[0] as i32)
    );
    assert_ne!(field(&other, "path"), field(&old, "path"));
    let third = by_xid(&alpha, &ka, "getXccdfScanDetails", 3).unwrap();
    assert_eq!(field(&third, "sid"), &Value::Int(sids[1] as i32));

    // Each scan has an action id of its own, which no action the node
    // schedules later gets.
    let actions: Vec<i64> = (1..=6)
        .map(|xid| {
            let d = by_xid(&alpha, &ka, "getXccdfScanDetails", xid).unwrap();
            field(&d, "action_id").as_i64().unwrap()
        })
        .collect();
    assert_eq!(actions, vec![1, 2, 3, 4, 5, 6]);
    let scheduled = with_key(
        &alpha,
        &ka,
        "system.scheduleApplyHighstate",
        vec![
            Value::Int(sids[0] as i32),
            Value::DateTime("20250101T00:00:00".into()),
            Value::Bool(false),
        ],
    )
    .unwrap();
    assert_eq!(scheduled, Value::Int(7));
}

#[test]
fn rule_results_are_ordered_by_result_type() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    let results = by_xid(&alpha, &ka, "getXccdfScanRuleResults", 1).unwrap();
    let rows = results.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(names(&rows[0]), ["idref", "result", "idents"]);
    let order = ["pass", "fail", "notapplicable"];
    let ranks: Vec<usize> = rows
        .iter()
        .map(|r| {
            order
                .iter()
                .position(|o| *o == str_of(r, "result"))
                .unwrap()
        })
        .collect();
    assert!(ranks.is_sorted(), "{results:?}");
    for row in rows {
        assert!(str_of(row, "idref").starts_with("xccdf_org.ssgproject.content_rule_"));
        assert!(!str_of(row, "idents").contains("content_rule"), "no idref");
    }
    let failed = rows.iter().any(|r| str_of(r, "result") == "fail");
    let details = by_xid(&alpha, &ka, "getXccdfScanDetails", 1).unwrap();
    assert_eq!(str_of(&details, "errors").is_empty(), !failed);
    let all = |node: &Node, key: &Value| -> Vec<Value> {
        (1..=6)
            .map(|xid| by_xid(node, key, "getXccdfScanRuleResults", xid).unwrap())
            .collect()
    };
    assert_ne!(all(&alpha, &ka), all(&beta, &kb));
}

#[test]
fn unknown_scans_are_a_lookup_fault_and_old_scans_are_deleted() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    for method in [
        "getXccdfScanDetails",
        "getXccdfScanRuleResults",
        "deleteXccdfScan",
    ] {
        assert_eq!(
            fault_of(by_xid(&alpha, &ka, method, 99)),
            no_such_scan(99),
            "{method}"
        );
    }
    let sids = system_ids(&alpha);
    // Within the retention period: kept.
    assert_eq!(
        by_xid(&alpha, &ka, "deleteXccdfScan", 2),
        Ok(Value::Bool(false))
    );
    assert_eq!(
        by_xid(&alpha, &ka, "deleteXccdfScan", 1),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        fault_of(by_xid(&alpha, &ka, "getXccdfScanDetails", 1)),
        no_such_scan(1)
    );
    assert_eq!(
        ints_of(&list(&alpha, &ka, sids[0]).unwrap(), "xid"),
        vec![2]
    );
    // The other node's scan 1 is another scan.
    assert!(by_xid(&beta, &kb, "getXccdfScanDetails", 1).is_ok());
    // A deleted system's scans go with it.
    with_key(
        &alpha,
        &ka,
        "system.deleteSystems",
        vec![Value::Array(vec![Value::Int(sids[1] as i32)])],
    )
    .unwrap();
    assert_eq!(
        fault_of(by_xid(&alpha, &ka, "getXccdfScanRuleResults", 3)),
        no_such_scan(3)
    );
}

#[test]
fn scheduling_scans_stays_unmodelled() {
    let (alpha, ka) = named_node("alpha");
    let sid = system_ids(&alpha)[0] as i32;
    let schedule = |sid: i32| {
        with_key(
            &alpha,
            &ka,
            "system.scap.scheduleXccdfScan",
            vec![Value::Int(sid), s("/srv/scap/x.xml"), s("")],
        )
    };
    let (code, text) = fault_of(schedule(sid));
    assert_eq!(code, -1);
    assert!(text.contains("is not modelled"), "{text}");
    assert_eq!(fault_of(schedule(42)).0, -208);
}
