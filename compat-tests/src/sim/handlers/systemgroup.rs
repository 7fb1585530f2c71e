//! `systemgroup.*`: system groups.

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call, require_role};
use crate::sim::model::{NodeData, SystemGroup};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listAllGroups" => Ok(Value::Array(
            node.read().groups.values().map(group_value).collect(),
        )),
        "create" => create(node, call),
        "getDetails" => details(node, call),
        "delete" => delete(node, call),
        "update" => update(node, call),
        "listAdministrators" => administrators(node, call),
        "addOrRemoveAdmins" => add_or_remove_admins(node, call),
        "listGroupsWithNoAssociatedAdmins" => call.user(node).map(|_| without_admins(&node.read())),
        _ => return None,
    })
}

/// A group as the server's `ServerGroupSerializer` shows it.
pub(super) fn group_value(g: &SystemGroup) -> Value {
    Struct::with_capacity(5)
        .with("id", Value::Int(g.id))
        .with("name", Value::string(&g.name))
        .with("description", Value::string(&g.description))
        .with("org_id", Value::Int(1))
        .with(
            "system_count",
            Value::Int(i32::try_from(g.members.len()).unwrap_or(i32::MAX)),
        )
        .into()
}

fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["system_group_admin"])?;
    let name = call.str("name")?;
    let description = call.str("description")?;
    if name.is_empty() {
        return Err(faults::domain(2200, "Invalid server group"));
    }
    let mut data = node.write();
    if data.groups.contains_key(name) {
        return Err(faults::invalid_parameter(&format!(
            "A system group with the name {name} already exists"
        )));
    }
    let id = data.next_group_id;
    data.next_group_id += 1;
    let group = SystemGroup {
        id,
        name: name.to_owned(),
        description: description.to_owned(),
        members: Vec::new(),
    };
    let value = group_value(&group);
    data.groups.insert(name.to_owned(), group);
    Ok(value)
}

/// `getDetails` by id or by name.
fn details(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let found = match call.arg("systemGroupId") {
        Some(_) => {
            let id = call.int("systemGroupId")?;
            data.group_by_id(id)
                .ok_or_else(|| faults::no_such_group(&id.to_string()))?
        }
        None => {
            let name = call.str("systemGroupName")?;
            data.groups
                .get(name)
                .ok_or_else(|| faults::no_such_group(name))?
        }
    };
    Ok(group_value(found))
}

/// `update`: a group's description, by the group's name. No role is
/// asked for: the server's look-up of the group lets a system group
/// administrator or one of the group's own administrators through, and
/// answers anyone else as if there were no such group.
fn update(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let name = call.str("systemGroupName")?;
    let description = call.str("description")?;
    let mut data = node.write();
    let group = data
        .groups
        .get_mut(name)
        .filter(|g| {
            require_role(&user, &["system_group_admin"]).is_ok()
                || user.assigned_groups.contains(&g.id)
        })
        .ok_or_else(|| faults::no_such_group(name))?;
    group.description = description.to_owned();
    Ok(group_value(group))
}

/// `delete(systemGroupName)`: the group, taken from the activation keys,
/// users and external group to system group maps that name it; 1.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["system_group_admin"])?;
    let name = call.str("systemGroupName")?;
    let mut data = node.write();
    let group = data
        .groups
        .remove(name)
        .ok_or_else(|| faults::no_such_group(name))?;
    for key in data.activation_keys.values_mut() {
        key.server_groups.retain(|g| *g != group.id);
    }
    for user in &mut data.users {
        user.assigned_groups.retain(|g| *g != group.id);
        user.default_groups.retain(|g| *g != group.id);
    }
    // The external group to system group maps lose it (the maps stay);
    // unverified: the server's mapping rows cascading with the group.
    for map in data.custom.external_group_maps.values_mut() {
        map.group_ids.remove(&group.id);
    }
    Ok(Value::Int(1))
}

/// The users a group is assigned to administer, by login, as
/// `user.listUsers` shows them.
fn administrators(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["system_group_admin"])?;
    let name = call.str("systemGroupName")?;
    let data = node.read();
    let group = data
        .groups
        .get(name)
        .ok_or_else(|| faults::no_such_group(name))?;
    let mut admins: Vec<_> = data
        .users
        .iter()
        .filter(|u| u.assigned_groups.contains(&group.id))
        .collect();
    admins.sort_by(|a, b| a.login.cmp(&b.login));
    Ok(Value::Array(
        admins.into_iter().map(super::user::short).collect(),
    ))
}

/// Assigns (`add` 1) or unassigns (0) the group to the users named by
/// login; every login must be known, else nothing changes.
fn add_or_remove_admins(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["system_group_admin"])?;
    let name = call.str("systemGroupName")?;
    let logins = call.strs("loginName")?;
    let add = match call.int("add")? {
        1 => true,
        0 => false,
        _ => return Err(faults::invalid_parameter("add must be 1 or 0")),
    };
    let mut data = node.write();
    let id = data
        .groups
        .get(name)
        .ok_or_else(|| faults::no_such_group(name))?
        .id;
    if logins.iter().any(|l| data.user(l).is_none()) {
        return Err(faults::no_such_user());
    }
    for user in data.users.iter_mut().filter(|u| logins.contains(&u.login)) {
        user.assigned_groups.retain(|g| *g != id);
        if add {
            user.assigned_groups.push(id);
        }
    }
    Ok(Value::Int(1))
}

/// The groups no user is assigned to administer.
fn without_admins(data: &NodeData) -> Value {
    Value::Array(
        data.groups
            .values()
            .filter(|g| !data.users.iter().any(|u| u.assigned_groups.contains(&g.id)))
            .map(group_value)
            .collect(),
    )
}

/// `formula.getFormulasByGroupId`: the simulator assigns no formulas, so
/// a group it holds has none.
pub(super) fn formulas(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let id = call.int("systemGroupId")?;
    match node.read().group_by_id(id) {
        Some(_) => Ok(Value::Array(Vec::new())),
        None => Err(faults::no_such_group(&id.to_string())),
    }
}
