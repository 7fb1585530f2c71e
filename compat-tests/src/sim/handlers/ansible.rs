//! `ansible.createAnsiblePath`, `listAnsiblePaths`, `lookupAnsiblePathById`,
//! `updateAnsiblePath` and `removeAnsiblePath`: the inventory and playbook
//! paths of a node's Ansible control nodes, numbered by each node from 1.
//! None are seeded; the node's first system is its control node.
//!
//! Follows the server's `AnsibleHandler`, `AnsibleManager` (a path's
//! system must be an Ansible control node, `lookupAnsibleControlNode`) and
//! `AnsiblePathSerializer`.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::model::{AnsiblePath, NodeData, take_id};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "createAnsiblePath" => create(node, call),
        "listAnsiblePaths" => list(node, call),
        "lookupAnsiblePathById" => lookup(node, call),
        "updateAnsiblePath" => update(node, call),
        "removeAnsiblePath" => remove(node, call),
        _ => return None,
    })
}

/// A path as the server's `AnsiblePathSerializer` shows it.
fn path_value(p: &AnsiblePath) -> Value {
    Struct::with_capacity(4)
        .with("id", Value::Int(p.id))
        .with("type", Value::string(&p.kind))
        .with("server_id", Value::Int(p.server_id))
        .with("path", Value::string(&p.path))
        .into()
}

/// `EntityNotExistsFaultException(identifier)`: its message is the id.
fn not_exists(id: i64) -> Fault {
    faults::domain(10101, &id.to_string())
}

/// `ValidationException` (2800) with a message.
fn invalid(message: &str) -> Fault {
    faults::domain(2800, message)
}

/// `AnsibleHandler.getFieldValue`: the member, or `ValidationException`
/// `"Missing field '<name>'"`. Unverified: a member of the wrong type is
/// reported as the method's `"Invalid type of field '<name>'"` (the cast it
/// guards is unchecked in Java, so the server may fail later instead).
fn field<'v, T>(
    props: &'v Struct,
    name: &str,
    get: impl FnOnce(&'v Value) -> Option<T>,
) -> Result<T, Fault> {
    let value = props
        .get(name)
        .filter(|v| !matches!(v, Value::Nil))
        .ok_or_else(|| invalid(&format!("Missing field '{name}'")))?;
    get(value).ok_or_else(|| invalid(&format!("Invalid type of field '{name}'")))
}

/// The `props` argument.
fn props<'c>(call: &'c Call<'_>) -> Result<&'c Struct, Fault> {
    call.arg("props")
        .and_then(Value::as_struct)
        .ok_or_else(|| faults::internal("missing struct parameter props"))
}

/// Whether `id` is one of this node's Ansible control nodes
/// (`AnsibleManager.lookupAnsibleControlNode`).
fn is_control_node(data: &NodeData, id: i64) -> bool {
    i32::try_from(id).is_ok_and(|id| {
        data.systems.contains_key(&id) && data.local.ansible_control_nodes.contains(&id)
    })
}

/// `AnsibleManager.validateAnsiblePath`: a `ValidatorException` whose
/// message is `ValidatorResult.getMessage()`, the field errors under
/// `FIELD_ERRORS:` (the `path` field before `type`, as the server's hash
/// map orders them), each on its own line.
fn validate(
    data: &NodeData,
    kind: Option<&str>,
    path: &str,
    own_id: Option<i32>,
    server_id: i32,
) -> Result<(), Fault> {
    let mut path_errors = Vec::new();
    if path.trim().is_empty() {
        path_errors.push("Invalid path (must be a valid absolute path)");
    }
    if !path.starts_with('/') {
        path_errors.push("Invalid path (must be a valid absolute path)");
    }
    let duplicate = data
        .local
        .ansible_paths
        .values()
        .any(|p| p.server_id == server_id && p.path == path && Some(p.id) != own_id);
    if duplicate {
        path_errors.push("Path already exists");
    }
    let type_error = kind.is_some_and(|k| k != "inventory" && k != "playbook");
    if path_errors.is_empty() && !type_error {
        return Ok(());
    }
    let mut message = String::from("FIELD_ERRORS:\n");
    for e in path_errors {
        message.push_str(&format!("path - {e}\n"));
    }
    if type_error {
        message.push_str("type - Invalid path type\n");
    }
    Err(invalid(&message))
}

/// `AnsibleHandler.createAnsiblePath`: the fields `type`, `server_id` and
/// `path` are read first, then the control node is looked up (not found,
/// or not a control node: `EntityNotExistsFaultException` naming the
/// system id), then the path is validated; answers the new path.
fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let props = props(call)?;
    let kind = field(props, "type", Value::as_str)?;
    let server_id = field(props, "server_id", |v| match v {
        Value::Int(i) => Some(*i),
        _ => None,
    })?;
    let path = field(props, "path", Value::as_str)?;
    let mut data = node.write();
    if !is_control_node(&data, server_id.into()) {
        return Err(not_exists(server_id.into()));
    }
    validate(&data, Some(kind), path, None, server_id)?;
    let id = take_id(&mut data.local.next_ansible_path_id);
    let created = AnsiblePath {
        id,
        kind: kind.to_owned(),
        server_id,
        path: path.to_owned(),
    };
    let value = path_value(&created);
    data.local.ansible_paths.insert(id, created);
    Ok(value)
}

/// `AnsibleHandler.listAnsiblePaths`: the control node's paths; a system
/// that is not there or not a control node is `No such system`.
/// Unverified: the server's query has no order; the simulator lists by id.
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let id = call.int("controlNodeId")?;
    let data = node.read();
    if !is_control_node(&data, id) {
        return Err(faults::no_such_system());
    }
    Ok(Value::Array(
        data.local
            .ansible_paths
            .values()
            .filter(|p| i64::from(p.server_id) == id)
            .map(path_value)
            .collect(),
    ))
}

/// The path named by `pathId`, or `EntityNotExistsFaultException`.
fn path_id(data: &NodeData, call: &Call<'_>) -> Result<i32, Fault> {
    let id = call.int("pathId")?;
    i32::try_from(id)
        .ok()
        .filter(|id| data.local.ansible_paths.contains_key(id))
        .ok_or_else(|| not_exists(id))
}

/// `AnsibleHandler.lookupAnsiblePathById`.
fn lookup(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let id = path_id(&data, call)?;
    Ok(path_value(&data.local.ansible_paths[&id]))
}

/// `AnsibleHandler.updateAnsiblePath`: only `path` changes (read first,
/// then the path is looked up, then validated); answers the path.
fn update(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let new_path = field(props(call)?, "path", Value::as_str)?;
    let mut data = node.write();
    let id = path_id(&data, call)?;
    let server_id = data.local.ansible_paths[&id].server_id;
    validate(&data, None, new_path, Some(id), server_id)?;
    let Some(p) = data.local.ansible_paths.get_mut(&id) else {
        return Err(not_exists(id.into()));
    };
    p.path = new_path.to_owned();
    Ok(path_value(p))
}

/// `AnsibleHandler.removeAnsiblePath`: 1, or
/// `EntityNotExistsFaultException`.
fn remove(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let mut data = node.write();
    let id = path_id(&data, call)?;
    data.local.ansible_paths.remove(&id);
    Ok(Value::Int(1))
}
