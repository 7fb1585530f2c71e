//! `system.scap.*`: the OpenSCAP XCCDF scans of a node's systems
//! (`listXccdfScans`, `getXccdfScanDetails`, `getXccdfScanRuleResults`,
//! `deleteXccdfScan`), numbered by each node from 1.
//!
//! Follows the server's `SystemScapHandler`, `ScapManager`, the queries
//! of `scap_queries.xml` and the serializers `XccdfTestResultDtoSerializer`,
//! `XccdfTestResultSerializer` and `XccdfRuleResultDtoSerializer`. Every
//! user of the organization sees every system in the simulator, so a scan
//! is refused only when the node does not hold it. Scheduling scans is
//! not modelled.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::Node;
use crate::sim::clock::{format_datetime, now_secs};
use crate::sim::model::{NodeData, XccdfRuleResult, XccdfScan};

/// The organization's SCAP retention period in days: the server's default
/// (`rhnOrgConfiguration.scap_retention_period_days`), which the
/// simulator has no call to change.
const RETENTION_DAYS: i64 = 90;

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listXccdfScans" => list(node, call),
        "getXccdfScanDetails" => details(node, call),
        "getXccdfScanRuleResults" => rule_results(node, call),
        "deleteXccdfScan" => delete(node, call),
        _ => return None,
    })
}

/// `ScapManager.ensureAvailableToUser`'s `LookupException`, which the
/// server answers unhandled (-1, its class name and text), as it answers
/// an unknown session key. The id is concatenated, not formatted.
fn no_such_scan(id: i64, user: i32) -> Fault {
    Fault::new(
        -1,
        format!(
            "com.redhat.rhn.common.hibernate.LookupException: Could not find XCCDF scan {id} for user {user}"
        ),
    )
}

/// The scan `xid` of this node, or [`no_such_scan`]. Its system is always
/// this node's (a system's scans go with it).
fn scan(data: &NodeData, id: i64, user: i32) -> Result<&XccdfScan, Fault> {
    i32::try_from(id)
        .ok()
        .and_then(|id| data.local.xccdf_scans.get(&id))
        .ok_or_else(|| no_such_scan(id, user))
}

/// `XccdfTestResult.getDeletable`: completed before the retention period
/// began.
fn deletable(s: &XccdfScan) -> bool {
    s.completed < now_secs() - RETENTION_DAYS * 86_400
}

/// `SystemScapHandler.listXccdfScans`: the system first (`No such
/// system`; unverified: the server's `SystemManager.ensureAvailableToUser`
/// may answer its own `LookupException`), then its scans, latest
/// completed first (`latest_testresults_by_server`). That query selects
/// no OVAL files, so no listed scan has the documented `ovalfiles`
/// member (the serializer leaves out null members).
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let sid = super::system::one_system(&data, call.int("sid")?)?.id;
    let mut scans: Vec<&XccdfScan> = data
        .local
        .xccdf_scans
        .values()
        .filter(|s| s.system_id == sid)
        .collect();
    scans.sort_by_key(|s| std::cmp::Reverse(s.completed));
    Ok(Value::Array(
        scans
            .into_iter()
            .map(|s| {
                Struct::with_capacity(4)
                    .with("xid", Value::Int(s.id))
                    .with("profile", Value::string(&s.profile))
                    .with("path", Value::string(&s.path))
                    .with("completed", Value::DateTime(format_datetime(s.completed)))
                    .into()
            })
            .collect(),
    ))
}

/// `SystemScapHandler.getXccdfScanDetails`: the scan as
/// `XccdfTestResultSerializer` writes it, in its order; `ovalfiles` only
/// when the scan had some.
fn details(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let data = node.read();
    let s = scan(&data, call.int("xid")?, user.id)?;
    let mut out = Struct::with_capacity(15)
        .with("xid", Value::Int(s.id))
        .with("sid", Value::Int(s.system_id))
        .with("path", Value::string(&s.path));
    if let Some(ovalfiles) = &s.ovalfiles {
        out.push("ovalfiles", Value::string(ovalfiles));
    }
    Ok(out
        .with("oscap_parameters", Value::string(&s.oscap_parameters))
        .with("test_result", Value::string(&s.test_result))
        .with("benchmark", Value::string(&s.benchmark))
        .with("benchmark_version", Value::string(&s.benchmark_version))
        .with("profile", Value::string(&s.profile))
        .with("profile_title", Value::string(&s.profile_title))
        .with("start_time", Value::DateTime(format_datetime(s.start_time)))
        .with("end_time", Value::DateTime(format_datetime(s.end_time)))
        .with("errors", Value::string(&s.errors))
        .with("action_id", Value::Int(s.action_id))
        .with("deletable", Value::Bool(deletable(s)))
        .into())
}

/// A rule result as `XccdfRuleResultDtoSerializer` writes it: the idents
/// but the idref joined by `", "` (`getIdentsString`), empty if none.
fn rule_value(r: &XccdfRuleResult) -> Value {
    Struct::with_capacity(3)
        .with("idref", Value::string(&r.idref))
        .with("result", Value::string(&r.result))
        .with("idents", Value::string(r.idents.join(", ")))
        .into()
}

/// `SystemScapHandler.getXccdfScanRuleResults`.
fn rule_results(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let data = node.read();
    let s = scan(&data, call.int("xid")?, user.id)?;
    Ok(Value::Array(
        s.rule_results.iter().map(rule_value).collect(),
    ))
}

/// `SystemScapHandler.deleteXccdfScan` (`ScapManager.deleteScan`): `true`
/// and the scan gone when it is past the retention period, else `false`
/// and the scan kept.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let id = call.int("xid")?;
    let mut data = node.write();
    let s = scan(&data, id, user.id)?;
    if !deletable(s) {
        return Ok(Value::Bool(false));
    }
    let id = s.id;
    data.local.xccdf_scans.remove(&id);
    Ok(Value::Bool(true))
}
