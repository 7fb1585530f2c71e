//! `systemgroup.*` on a group's members: list them (as
//! `system.getDetails` shows each, or in the short form of
//! `system.listSystems`) and add or remove systems by id.
//!
//! As on the server, the group is looked up by name first, then every
//! system id (one this node does not hold: `No such system`); a change is
//! all or nothing. An unknown group answers fault 2201, as every lookup of
//! a group by name in the simulator does. (The server's Java source looks
//! these three up without `getDetails`' translation to
//! `LookupServerGroupException`, which suggests a real server answers -1
//! `unhandled internal exception: Unable to locate or access server group:
//! <name>` here; not verified against a server.)

use xmlrpc::{Fault, MethodResponse, Value};

use super::system::short;
use super::system_profile::details_value;
use super::{Answer, Call, require_role};
use crate::sim::model::{NodeData, System, SystemGroup};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listSystems" => list(node, call, Form::Details),
        "listSystemsMinimal" => list(node, call, Form::Minimal),
        "addOrRemoveSystems" => add_or_remove(node, call),
        _ => return None,
    })
}

/// How a listing shows each member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `ServerSerializer`, in id order (the group's own set of servers).
    Details,
    /// `SystemOverviewSerializer` (`id`, `name`, `last_checkin`,
    /// `created`, `last_boot`), by name then id as the server's query
    /// orders them.
    Minimal,
}

fn list(node: &Node, call: &Call<'_>, form: Form) -> MethodResponse {
    call.user(node)?;
    let name = call.str("systemGroupName")?;
    let data = node.read();
    let group = group(&data, name)?;
    let mut members: Vec<&System> = group
        .members
        .iter()
        .filter_map(|id| data.systems.get(id))
        .collect();
    Ok(Value::Array(match form {
        Form::Details => {
            members.sort_by_key(|s| s.id);
            members
                .into_iter()
                .map(|s| details_value(&data, s))
                .collect()
        }
        Form::Minimal => {
            members.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
            members.into_iter().map(short).collect()
        }
    }))
}

/// `addOrRemoveSystems(name, serverIds, add)`. Adding a member again
/// changes nothing; removing a system that is not a member is the
/// server's `ServerNotInGroupException`.
fn add_or_remove(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let name = call.str("systemGroupName")?;
    let ids = call.ints("serverIds")?;
    let add = call.bool("add")?;
    let mut data = node.write();
    let members = &group(&data, name)?.members;
    let mut sids = Vec::with_capacity(ids.len());
    for id in ids {
        let sid = i32::try_from(id)
            .ok()
            .filter(|sid| data.systems.contains_key(sid))
            .ok_or_else(faults::no_such_system)?;
        sids.push(sid);
    }
    require_role(&user, &["system_group_admin"])?;
    if !add && sids.iter().any(|sid| !members.contains(sid)) {
        return Err(server_not_in_group());
    }
    if let Some(group) = data.groups.get_mut(name) {
        group.members.retain(|m| !sids.contains(m));
        if add {
            for sid in sids {
                if !group.members.contains(&sid) {
                    group.members.push(sid);
                }
            }
        }
    }
    Ok(Value::Int(1))
}

/// The group named `name`, or the server's fault for an unknown one.
fn group<'a>(data: &'a NodeData, name: &str) -> Result<&'a SystemGroup, Fault> {
    data.groups
        .get(name)
        .ok_or_else(|| faults::no_such_group(name))
}

/// `ServerNotInGroupException`.
fn server_not_in_group() -> Fault {
    faults::domain(1063, "Server is not a member of the server group")
}
