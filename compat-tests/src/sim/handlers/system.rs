//! `system.*`: the node's client systems.

use std::collections::BTreeMap;

use regex::Regex;
use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call, require_role};
use crate::sim::clock::{format_datetime, format_plain, now_secs};
use crate::sim::model::{
    ADDON_ENTITLEMENTS, Action, ActionState, BASE_ENTITLEMENT, NodeData, OTHER_BASE_ENTITLEMENTS,
    System,
};
use crate::sim::{Node, faults};

/// A system that has not checked in for this long is inactive.
const INACTIVE_AFTER_SECS: i64 = 86_400;

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listSystems" => Ok(list(&node.read(), |_| true)),
        "listActiveSystems" => {
            let cutoff = now_secs() - INACTIVE_AFTER_SECS;
            Ok(list(&node.read(), |s| s.last_checkin >= cutoff))
        }
        "searchByName" => search_by_name(node, call),
        "getName" => get_name(node, call),
        "listGroups" => list_groups(node, call),
        "setGroupMembership" => set_group_membership(node, call),
        "listSystemGroupsForSystemsWithEntitlement" => groups_of_entitled(node, call),
        "deleteSystems" => delete_systems(node, call),
        "schedulePackageInstall" => schedule_package_install(node, call),
        "scheduleApplyHighstate" => schedule_apply_highstate(node, call),
        "listSystemEvents" => list_system_events(node, call),
        "listDuplicatesByHostname" => Ok(duplicates_by_hostname(&node.read())),
        _ => return None,
    })
}

/// The short form the server lists systems in, ordered as it orders them:
/// by name, then id.
fn list(data: &NodeData, keep: impl Fn(&System) -> bool) -> Value {
    let mut systems: Vec<&System> = data.systems.values().filter(|s| keep(s)).collect();
    systems.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Value::Array(systems.into_iter().map(short).collect())
}

/// A system as `system.listSystems` lists it (the server's
/// `SystemOverviewSerializer` over the short query: no package counts).
pub(super) fn short(s: &System) -> Value {
    Struct::with_capacity(5)
        .with("id", Value::Int(s.id))
        .with("name", Value::string(&s.name))
        .with(
            "last_checkin",
            Value::DateTime(format_datetime(s.last_checkin)),
        )
        .with("created", Value::DateTime(format_datetime(s.created)))
        .with("last_boot", Value::DateTime(format_datetime(s.last_boot)))
        .into()
}

/// Systems sharing a host name (without regard to case), as groups of
/// `hostname` and `systems` (`systemId`, `systemName`, `last_checkin`),
/// by host name; the systems of a group in id order.
fn duplicates_by_hostname(data: &NodeData) -> Value {
    let mut groups: BTreeMap<String, Vec<&System>> = BTreeMap::new();
    for s in data.systems.values() {
        groups.entry(s.hostname.to_lowercase()).or_default().push(s);
    }
    let groups = groups.into_values().filter(|g| g.len() > 1).map(|mut g| {
        g.sort_by_key(|s| s.id);
        let systems = g
            .iter()
            .map(|s| {
                Struct::with_capacity(3)
                    .with("systemId", Value::Int(s.id))
                    .with("systemName", Value::string(&s.name))
                    .with(
                        "last_checkin",
                        Value::DateTime(format_datetime(s.last_checkin)),
                    )
                    .into()
            })
            .collect();
        Struct::with_capacity(2)
            .with("hostname", Value::string(&g[0].hostname))
            .with("systems", Value::Array(systems))
            .into()
    });
    Value::Array(groups.collect())
}

fn system_id(call: &Call<'_>, name: &str) -> Result<i32, Fault> {
    let id = call.int(name)?;
    i32::try_from(id).map_err(|_| faults::no_such_system())
}

fn search_by_name(node: &Node, call: &Call<'_>) -> MethodResponse {
    let pattern = call.str("regexp")?;
    let regex = Regex::new(pattern)
        .map_err(|_| faults::internal(&format!("invalid regular expression: {pattern}")))?;
    Ok(list(&node.read(), |s| regex.is_match(&s.name)))
}

/// Every group of the organization, and whether the system is in it; as
/// the server, `sgid` repeats the id as text.
fn list_groups(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let sid = system_id(call, "sid")?;
    let data = node.read();
    if !data.systems.contains_key(&sid) {
        return Err(faults::no_such_system());
    }
    Ok(Value::Array(
        data.groups
            .values()
            .map(|g| {
                Struct::with_capacity(4)
                    .with("id", Value::Int(g.id))
                    .with(
                        "subscribed",
                        Value::Int(i32::from(g.members.contains(&sid))),
                    )
                    .with("system_group_name", Value::string(&g.name))
                    .with("sgid", Value::string(g.id.to_string()))
                    .into()
            })
            .collect(),
    ))
}

/// Each system with the entitlement (every simulated system has the Salt
/// base entitlement and no add-on) and the groups it is in, by id: `id`
/// and `system_groups` (`id`, `name`).
fn groups_of_entitled(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let entitlement = call.str("entitlement")?;
    if entitlement != BASE_ENTITLEMENT
        && !OTHER_BASE_ENTITLEMENTS.contains(&entitlement)
        && !ADDON_ENTITLEMENTS.contains(&entitlement)
    {
        return Err(faults::invalid_entitlement());
    }
    let data = node.read();
    if entitlement != BASE_ENTITLEMENT {
        return Ok(Value::Array(Vec::new()));
    }
    let mut groups: Vec<_> = data.groups.values().collect();
    groups.sort_by_key(|g| g.id);
    Ok(Value::Array(
        data.systems
            .keys()
            .map(|&sid| {
                let of: Vec<Value> = groups
                    .iter()
                    .filter(|g| g.members.contains(&sid))
                    .map(|g| {
                        Struct::with_capacity(2)
                            .with("id", Value::Int(g.id))
                            .with("name", Value::string(&g.name))
                            .into()
                    })
                    .collect();
                Struct::with_capacity(2)
                    .with("id", Value::Int(sid))
                    .with("system_groups", Value::Array(of))
                    .into()
            })
            .collect(),
    ))
}

fn set_group_membership(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["system_group_admin"])?;
    let sid = system_id(call, "sid")?;
    let sgid = call.int("sgid")?;
    let member = call.bool("member")?;
    let mut data = node.write();
    if !data.systems.contains_key(&sid) {
        return Err(faults::no_such_system());
    }
    let name = data
        .group_by_id(sgid)
        .map(|g| g.name.clone())
        .ok_or_else(|| faults::no_such_group(&sgid.to_string()))?;
    if let Some(group) = data.groups.get_mut(&name) {
        group.members.retain(|m| *m != sid);
        if member {
            group.members.push(sid);
        }
    }
    Ok(Value::Int(1))
}

fn get_name(node: &Node, call: &Call<'_>) -> MethodResponse {
    let sid = system_id(call, "sid")?;
    let data = node.read();
    let s = data.systems.get(&sid).ok_or_else(faults::no_such_system)?;
    Ok(Struct::new()
        .with("id", Value::Int(s.id))
        .with("name", Value::string(&s.name))
        .with(
            "last_checkin",
            Value::DateTime(format_datetime(s.last_checkin)),
        )
        .into())
}

fn delete_systems(node: &Node, call: &Call<'_>) -> MethodResponse {
    let sids = call.ints("sids")?;
    if let Some(cleanup) = call.arg("cleanupType").and_then(Value::as_str)
        && !matches!(
            cleanup,
            "FAIL_ON_CLEANUP_ERR" | "NO_CLEANUP" | "FORCE_DELETE"
        )
    {
        return Err(faults::invalid_parameter(&format!(
            "Invalid cleanup type value: {cleanup}"
        )));
    }
    let mut data = node.write();
    // All or nothing, as in one database transaction.
    let ids = checked_systems(&data, &sids)?;
    for id in ids {
        data.remove_system(id);
    }
    Ok(Value::Int(1))
}

/// The system `sid` names, which this node must hold
/// (`XmlRpcSystemHelper.lookupServer`).
pub(super) fn one_system(data: &NodeData, sid: i64) -> Result<&System, Fault> {
    i32::try_from(sid)
        .ok()
        .and_then(|id| data.systems.get(&id))
        .ok_or_else(faults::no_such_system)
}

/// The ids, all of which must name systems of this node.
pub(super) fn checked_systems(data: &NodeData, sids: &[i64]) -> Result<Vec<i32>, Fault> {
    checked(sids, &data.systems, faults::no_such_system)
}

/// The ids, all of which must be keys of `known`; else `missing`'s fault.
pub(super) fn checked<V>(
    ids: &[i64],
    known: &BTreeMap<i32, V>,
    missing: fn() -> Fault,
) -> Result<Vec<i32>, Fault> {
    ids.iter()
        .map(|&id| {
            i32::try_from(id)
                .ok()
                .filter(|id| known.contains_key(id))
                .ok_or_else(missing)
        })
        .collect()
}

fn schedule_package_install(node: &Node, call: &Call<'_>) -> MethodResponse {
    let single = call.arg("sid").is_some();
    let sids = sids(call, single)?;
    let package_ids = call.ints("packageIds")?;
    let earliest = call.date("earliestOccurrence")?;
    let user = call.user(node)?;
    let mut data = node.write();
    let systems = checked_systems(&data, &sids)?;
    let packages = checked(&package_ids, &data.packages, faults::no_such_package)?;
    let id = schedule(
        &mut data,
        &user.login,
        ("Package Install", "packages.update"),
        earliest,
        systems,
        packages,
    );
    Ok(if single {
        Value::Int(id)
    } else {
        Value::Array(vec![Value::Int(id)])
    })
}

/// `scheduleApplyHighstate`: one action for all the systems named, its id
/// answered as a single int either way.
fn schedule_apply_highstate(node: &Node, call: &Call<'_>) -> MethodResponse {
    let sids = sids(call, call.arg("sid").is_some())?;
    let earliest = call.date("earliestOccurrence")?;
    call.bool("test")?;
    let user = call.user(node)?;
    let mut data = node.write();
    let systems = checked_systems(&data, &sids)?;
    let id = schedule(
        &mut data,
        &user.login,
        ("Apply highstate", "states.apply"),
        earliest,
        systems,
        Vec::new(),
    );
    Ok(Value::Int(id))
}

/// The system ids of a call: `sid`, or the list `sids`.
pub(super) fn sids(call: &Call<'_>, single: bool) -> Result<Vec<i64>, Fault> {
    if single {
        Ok(vec![call.int("sid")?])
    } else {
        call.ints("sids")
    }
}

/// Records a new action of type `(name, label)` on `systems`, all in
/// progress; answers its id.
pub(super) fn schedule(
    data: &mut NodeData,
    scheduler: &str,
    (type_name, type_label): (&str, &str),
    earliest: i64,
    systems: Vec<i32>,
    package_ids: Vec<i32>,
) -> i32 {
    let id = data.next_action_id;
    data.next_action_id += 1;
    let action = Action {
        id,
        name: format!("{type_name} scheduled by {scheduler}"),
        type_name: type_name.to_owned(),
        type_label: type_label.to_owned(),
        scheduler: scheduler.to_owned(),
        created: now_secs(),
        earliest,
        systems: systems
            .into_iter()
            .map(|sid| (sid, (ActionState::InProgress, None)))
            .collect::<BTreeMap<_, _>>(),
        package_ids,
        errata_ids: Vec::new(),
    };
    data.actions.insert(id, action);
    id
}

fn list_system_events(node: &Node, call: &Call<'_>) -> MethodResponse {
    let sid = system_id(call, "sid")?;
    let type_filter = call.arg("actionType").and_then(Value::as_str);
    let since = call.opt_date("earliestDate")?;
    let data = node.read();
    if !data.systems.contains_key(&sid) {
        return Err(faults::no_such_system());
    }
    let events = data
        .actions
        .values()
        .rev()
        .filter(|a| type_filter.is_none_or(|t| a.type_name == t))
        .filter(|a| since.is_none_or(|t| a.created >= t))
        .filter_map(|a| a.systems.get(&sid).map(|state| event(a, state)))
        .collect();
    Ok(Value::Array(events))
}

fn event(a: &Action, (state, message): &(ActionState, Option<String>)) -> Value {
    let mut event = Struct::with_capacity(16)
        .with("id", Value::Int(a.id))
        .with("name", Value::string(&a.name))
        .with("action_type", Value::string(&a.type_name))
        .with("version", Value::string("2"))
        .with("scheduler_user", Value::string(&a.scheduler))
        .with("archived", Value::Int(0))
        .with("created", Value::string(format_plain(a.created)))
        .with("created_date", Value::DateTime(format_datetime(a.created)))
        .with("modified", Value::string(format_plain(a.created)))
        .with("modified_date", Value::DateTime(format_datetime(a.created)))
        .with("earliest_action", Value::string(format_plain(a.earliest)))
        .with(
            "successful_count",
            Value::Int(i32::from(*state == ActionState::Completed)),
        )
        .with(
            "failed_count",
            Value::Int(i32::from(*state == ActionState::Failed)),
        );
    if let Some(message) = message {
        event.push("result_msg", Value::string(message));
    }
    event.into()
}
