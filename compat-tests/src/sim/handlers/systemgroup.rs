//! `systemgroup.*`: system groups.

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call, require_role};
use crate::sim::model::SystemGroup;
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listAllGroups" => Ok(Value::Array(
            node.read().groups.values().map(group_value).collect(),
        )),
        "create" => create(node, call),
        "getDetails" => details(node, call),
        "delete" => delete(node, call),
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
    Ok(Value::Int(1))
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
