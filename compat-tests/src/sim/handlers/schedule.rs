//! `schedule.*`: actions scheduled on this node.

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::clock::format_datetime;
use crate::sim::model::{Action, ActionState};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listAllActions" => Ok(list(node, |_| true)),
        "listInProgressActions" => Ok(list(node, |a| a.count(ActionState::InProgress) > 0)),
        "listCompletedActions" => Ok(list(node, |a| a.count(ActionState::Completed) > 0)),
        "listFailedActions" => Ok(list(node, |a| a.count(ActionState::Failed) > 0)),
        "cancelActions" => cancel(node, call),
        "listInProgressSystems" => systems_in(node, call, ActionState::InProgress),
        "listCompletedSystems" => systems_in(node, call, ActionState::Completed),
        "listFailedSystems" => systems_in(node, call, ActionState::Failed),
        _ => return None,
    })
}

/// Actions in id order.
fn list(node: &Node, keep: impl Fn(&Action) -> bool) -> Value {
    let data = node.read();
    Value::Array(
        data.actions
            .values()
            .filter(|a| keep(a))
            .map(|a| {
                Struct::with_capacity(8)
                    .with("id", Value::Int(a.id))
                    .with("name", Value::string(&a.name))
                    .with("type", Value::string(&a.type_name))
                    .with("scheduler", Value::string(&a.scheduler))
                    .with("earliest", Value::DateTime(format_datetime(a.earliest)))
                    .with(
                        "completedSystems",
                        Value::Int(a.count(ActionState::Completed)),
                    )
                    .with("failedSystems", Value::Int(a.count(ActionState::Failed)))
                    .with(
                        "inProgressSystems",
                        Value::Int(a.count(ActionState::InProgress)),
                    )
                    .into()
            })
            .collect(),
    )
}

/// The systems of an action in `state`, by system id; an unknown action is
/// the server's fault.
fn systems_in(node: &Node, call: &Call<'_>, state: ActionState) -> MethodResponse {
    let id = call.int("actionId")?;
    let data = node.read();
    let action = i32::try_from(id)
        .ok()
        .and_then(|id| data.actions.get(&id))
        .ok_or_else(|| faults::no_such_action(id))?;
    let systems = action
        .systems
        .iter()
        .filter(|(_, (s, _))| *s == state)
        .filter_map(|(sid, (_, message))| {
            let system = data.systems.get(sid)?;
            // The base channel by name (unverified: name or label); the
            // server leaves the member out for a system without one.
            let mut row = Struct::with_capacity(5)
                .with("server_id", Value::Int(*sid))
                .with("server_name", Value::string(&system.name))
                .with(
                    "timestamp",
                    Value::DateTime(format_datetime(action.earliest)),
                );
            if let Some(base) = data.base_channel(system) {
                row.push("base_channel", Value::string(&base.name));
            }
            if let Some(message) = message {
                row.push("message", Value::string(message));
            }
            Some(row.into())
        })
        .collect();
    Ok(Value::Array(systems))
}

/// Cancels actions: all or none. Systems still waiting fail with the
/// message the server leaves.
fn cancel(node: &Node, call: &Call<'_>) -> MethodResponse {
    let ids = call.ints("actionIds")?;
    let mut data = node.write();
    for &id in &ids {
        let known = i32::try_from(id).is_ok_and(|id| data.actions.contains_key(&id));
        if !known {
            return Err(faults::no_such_action(id));
        }
    }
    for id in ids {
        let id = i32::try_from(id).unwrap_or_default();
        if let Some(action) = data.actions.get_mut(&id) {
            for (state, message) in action.systems.values_mut() {
                if *state == ActionState::InProgress {
                    *state = ActionState::Failed;
                    *message = Some("Canceled by user".to_owned());
                }
            }
        }
    }
    Ok(Value::Int(1))
}
