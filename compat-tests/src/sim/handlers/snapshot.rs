//! `system.provisioning.snapshot.*`: the snapshots of a node's systems
//! (`listSnapshots`, both overloads, `listSnapshotPackages`,
//! `deleteSnapshot`, `addTagToSnapshot`, `rollbackToSnapshot`), numbered
//! by each node from 1.
//!
//! Follows the server's `SnapshotHandler`, `ServerSnapshotSerializer` and
//! `PackageNevraSerializer`. The server looks a snapshot up by id alone and
//! then checks only that the logged-in user may see its system, so within
//! one organization no method refuses a snapshot for belonging to another
//! system, `rollbackToSnapshot` included: it rolls back the snapshot's own
//! system whatever system id it is given (`SnapshotHandler.doRollback`).

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::clock::{format_datetime, parse_datetime};
use crate::sim::model::{NodeData, PackageNevra, Snapshot};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listSnapshots" => list(node, call),
        "listSnapshotPackages" => list_packages(node, call),
        "deleteSnapshot" => delete(node, call),
        "addTagToSnapshot" => add_tag(node, call),
        "rollbackToSnapshot" => rollback(node, call),
        _ => return None,
    })
}

/// `NoSuchSnapshotException` (code 1069, `api.system.invalidsnapshot`).
fn no_such_snapshot(id: i64) -> Fault {
    faults::domain(
        1069,
        &format!("Invalid snapshot specified: {}", spec::message_number(id)),
    )
}

/// `SnapshotHandler.lookupSnapshot`: the snapshot, or
/// `NoSuchSnapshotException`. Its system is always this node's (a
/// system's snapshots go with it).
fn snapshot(data: &NodeData, id: i64) -> Result<&Snapshot, Fault> {
    i32::try_from(id)
        .ok()
        .and_then(|id| data.local.snapshots.get(&id))
        .ok_or_else(|| no_such_snapshot(id))
}

/// `XmlRpcSystemHelper.lookupServer`: the system id, or `No such system`.
fn system(data: &NodeData, sid: i64) -> Result<i32, Fault> {
    super::system::one_system(data, sid).map(|s| s.id)
}

/// A snapshot as the server's `ServerSnapshotSerializer` shows it. The
/// simulated systems have no channels and no configuration channels.
/// Unverified: the salt entitlement's server group is named
/// `Salt Entitled Servers` (the web UI shows it localized, as `Salt`).
fn snapshot_value(s: &Snapshot) -> Value {
    let strings = |items: &[String]| Value::Array(items.iter().map(Value::string).collect());
    Struct::with_capacity(8)
        .with("id", Value::Int(s.id))
        .with("reason", Value::string(&s.reason))
        .with("created", Value::DateTime(format_datetime(s.created)))
        .with("channels", Value::Array(Vec::new()))
        .with("groups", strings(&s.groups))
        .with(
            "entitlements",
            Value::Array(vec![Value::string("Salt Entitled Servers")]),
        )
        .with("config_channels", Value::Array(Vec::new()))
        .with("tags", strings(&s.tags))
        .into()
}

/// A package as the server's `PackageNevraSerializer` shows it; a null
/// epoch is left out, as the server leaves out null members.
fn nevra_value(p: &PackageNevra) -> Value {
    let mut s = Struct::with_capacity(5).with("name", Value::string(&p.name));
    if !p.epoch.is_empty() {
        s.push("epoch", Value::string(&p.epoch));
    }
    s.with("version", Value::string(&p.version))
        .with("release", Value::string(&p.release))
        .with("arch", Value::string(&p.arch))
        .into()
}

/// A `dateDetails` member as the `Date` the server casts it to.
/// Unverified: the text of the `ClassCastException` a string causes.
fn struct_date(v: &Value) -> Result<i64, Fault> {
    match v {
        Value::DateTime(t) => {
            parse_datetime(t).ok_or_else(|| faults::internal(&format!("Invalid date: {t}")))
        }
        _ => Err(faults::internal(
            "class java.lang.String cannot be cast to class java.util.Date",
        )),
    }
}

/// `SnapshotHandler.listSnapshots`, both overloads: the keys of
/// `dateDetails` are checked first (`validateDateKeys`: anything but
/// `startDate` and `endDate` is `InvalidArgsException`, code 2801), then
/// the system. Newest first (`ServerFactory.listSnapshots` orders by id,
/// descending). An `endDate` without a `startDate` is ignored, as the
/// server ignores it.
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let details = call.arg("dateDetails").and_then(Value::as_struct);
    if let Some(details) = details {
        let invalid: Vec<&str> = details
            .iter()
            .map(|(k, _)| k)
            .filter(|k| *k != "startDate" && *k != "endDate")
            .collect();
        if !invalid.is_empty() {
            return Err(faults::domain(
                2801,
                &format!("Invalid argument(s): {}", invalid.join(", ")),
            ));
        }
    }
    let data = node.read();
    let sid = system(&data, call.int("sid")?)?;
    let (start, end) = match details {
        Some(d) => (
            d.get("startDate").map(struct_date).transpose()?,
            d.get("endDate").map(struct_date).transpose()?,
        ),
        None => (Some(call.date("startDate")?), Some(call.date("endDate")?)),
    };
    let keep = |created: i64| match (start, end) {
        (Some(s), Some(e)) => s <= created && created <= e,
        (Some(s), None) => s <= created,
        _ => true,
    };
    Ok(Value::Array(
        data.local
            .snapshots
            .values()
            .rev()
            .filter(|s| s.system_id == sid && keep(s.created))
            .map(snapshot_value)
            .collect(),
    ))
}

/// `SnapshotHandler.listSnapshotPackages`. Unverified: the server returns
/// a set; the simulator lists by name.
fn list_packages(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let s = snapshot(&data, call.int("snapId")?)?;
    Ok(Value::Array(s.packages.iter().map(nevra_value).collect()))
}

/// `SnapshotHandler.deleteSnapshot`: 1, or `NoSuchSnapshotException`.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let id = call.int("snapId")?;
    let mut data = node.write();
    let id = snapshot(&data, id)?.id;
    data.local.snapshots.remove(&id);
    Ok(Value::Int(1))
}

/// `SnapshotHandler.addTagToSnapshot`: 1, or `NoSuchSnapshotException`, or
/// `SnapshotTagAlreadyExistsException` (1211) when the snapshot has the tag
/// already. That exception localizes its message twice, the second time
/// with the already translated text as the key, which the server's
/// `LocalizationService` does not find: its string is the text of
/// `api.provisioning.snapshot.tagalreadyinuse` between `**`, placeholder
/// unfilled. Unverified: read from the source, not seen on a server.
fn add_tag(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let id = call.int("snapId")?;
    let tag = call.str("tagName")?;
    let mut data = node.write();
    let id = snapshot(&data, id)?.id;
    let Some(s) = data.local.snapshots.get_mut(&id) else {
        return Err(no_such_snapshot(id.into()));
    };
    if s.tags.iter().any(|t| t == tag) {
        return Err(faults::domain(1211, "**Snapshot tag already exists: {0}**"));
    }
    s.tags.push(tag.to_owned());
    Ok(Value::Int(1))
}

/// `SnapshotHandler.rollbackToSnapshot`: the system first (`No such
/// system`), then the snapshot (`SnapshotLookupException`, 1212, `"No such
/// server snapshot: <id>"`); answers 1. The simulator keeps no channels or
/// packages to roll back, so nothing else changes.
fn rollback(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    system(&data, call.int("sid")?)?;
    let id = call.int("snapId")?;
    if i32::try_from(id)
        .ok()
        .and_then(|id| data.local.snapshots.get(&id))
        .is_none()
    {
        return Err(faults::domain(
            1212,
            &format!("No such server snapshot: {}", spec::message_number(id)),
        ));
    }
    Ok(Value::Int(1))
}
