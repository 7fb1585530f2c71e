//! Recurring highstate schedules of a minion, a system group or the
//! organization: `recurring.highstate.create` and `update`, and
//! `recurring.listByEntity`, `lookupById` and `delete`, with the server's
//! property names (`cron_expr`) and faults.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::clock::{format_datetime, now_secs};
use crate::sim::model::{NodeData, Recurring};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, namespace: &str, method: &str, call: &Call<'_>) -> Answer {
    Some(match (namespace, method) {
        ("recurring.highstate", "create") => create(node, call),
        ("recurring.highstate", "update") => update(node, call),
        ("recurring", "listByEntity") => list_by_entity(node, call),
        ("recurring", "lookupById") => lookup_by_id(node, call),
        ("recurring", "delete") => delete(node, call),
        _ => return None,
    })
}

/// The entity type as the server keeps it, and whether `id` names one
/// this node holds.
fn entity(data: &NodeData, kind: &str, id: i64) -> Result<(String, i32), Fault> {
    let kind = kind.to_uppercase();
    let id32 = i32::try_from(id).ok();
    let exists = match kind.as_str() {
        "MINION" => id32.is_some_and(|id| data.systems.contains_key(&id)),
        "GROUP" => id32.is_some_and(|id| data.groups.values().any(|g| g.id == id)),
        "ORG" => id32.is_some_and(|id| data.orgs.iter().any(|o| o.id == id)),
        _ => {
            return Err(faults::invalid_parameter(&format!(
                "Invalid entity type: {kind}"
            )));
        }
    };
    match id32 {
        Some(id) if exists => Ok((kind, id)),
        // The server's EntityNotExistsFaultException; the text is the
        // simulator's.
        _ => Err(faults::domain(
            10101,
            &format!("{kind} with id {id} does not exist"),
        )),
    }
}

/// The server's fault for a schedule id it does not hold.
fn no_such_schedule(id: i64) -> Fault {
    faults::domain(10101, &format!("Action with id: {id} does not exist"))
}

/// The `actionProps` struct of `create` and `update`.
fn props<'c>(call: &'c Call<'_>) -> Result<&'c Struct, Fault> {
    call.arg("actionProps")
        .and_then(Value::as_struct)
        .ok_or_else(|| faults::invalid_parameter("actionProps must be a struct"))
}

fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let props = props(call)?;
    // As the server: a new schedule's properties carry no id.
    if props.get("id").is_some() {
        return Err(faults::invalid_parameter("Incomplete action props"));
    }
    let text = |name: &str| {
        props
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| faults::invalid_parameter(&format!("Missing property: {name}")))
    };
    let kind = text("entity_type")?;
    let id = props
        .get("entity_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| faults::invalid_parameter("Missing property: entity_id"))?;
    let name = text("name")?;
    let cron = text("cron_expr")?;
    let test = matches!(props.get("test"), Some(Value::Bool(true)));
    let mut data = node.write();
    let (entity_type, entity_id) = entity(&data, &kind, id)?;
    let id = data.next_recurring_id;
    data.next_recurring_id += 1;
    data.recurring.insert(
        id,
        Recurring {
            id,
            name,
            entity_type,
            entity_id,
            cron,
            test,
            active: true,
            created: now_secs(),
            creator: user.login.clone(),
        },
    );
    Ok(Value::Int(id))
}

fn list_by_entity(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let kind = call.str("type")?;
    let id = call.int("id")?;
    let data = node.read();
    let (kind, id) = entity(&data, kind, id)?;
    let items = data
        .recurring
        .values()
        .filter(|r| r.entity_type == kind && r.entity_id == id)
        .map(serialize)
        .collect();
    Ok(Value::Array(items))
}

/// A schedule as the server's `RecurringActionSerializer` writes it (the
/// members a highstate schedule has).
fn serialize(r: &Recurring) -> Value {
    Struct::new()
        .with("id", Value::Int(r.id))
        .with("name", Value::string(&r.name))
        .with("entity_id", Value::Int(r.entity_id))
        .with("entity_type", Value::string(&r.entity_type))
        .with("cron_expr", Value::string(&r.cron))
        .with("created", Value::DateTime(format_datetime(r.created)))
        .with("creator", Value::string(&r.creator))
        .with("test", Value::Bool(r.test))
        .with("active", Value::Bool(r.active))
        .into()
}

fn lookup_by_id(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let id = call.int("id")?;
    let data = node.read();
    let found = i32::try_from(id)
        .ok()
        .and_then(|id| data.recurring.get(&id));
    found.map(serialize).ok_or_else(|| no_such_schedule(id))
}

fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let id = call.int("id")?;
    let mut data = node.write();
    let removed = i32::try_from(id)
        .ok()
        .and_then(|id| data.recurring.remove(&id));
    match removed {
        // The server answers the id it deleted.
        Some(r) => Ok(Value::Int(r.id)),
        None => Err(no_such_schedule(id)),
    }
}

fn update(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let props = props(call)?;
    let id = props
        .get("id")
        .and_then(Value::as_i64)
        .ok_or_else(|| faults::invalid_parameter("No action id provided"))?;
    let mut data = node.write();
    let Some(r) = i32::try_from(id)
        .ok()
        .and_then(|id| data.recurring.get_mut(&id))
    else {
        return Err(no_such_schedule(id));
    };
    if let Some(name) = props.get("name").and_then(Value::as_str) {
        r.name = name.to_owned();
    }
    if let Some(cron) = props.get("cron_expr").and_then(Value::as_str) {
        r.cron = cron.to_owned();
    }
    if let Some(Value::Bool(test)) = props.get("test") {
        r.test = *test;
    }
    if let Some(Value::Bool(active)) = props.get("active") {
        r.active = *active;
    }
    Ok(Value::Int(r.id))
}
