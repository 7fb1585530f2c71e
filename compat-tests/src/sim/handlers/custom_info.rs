//! Custom system information: the keys (`system.custominfo`: `createKey`,
//! `updateKey`, `deleteKey`, `listAllKeys`) and the systems' values
//! (`system.setCustomValues`, `getCustomValues`, `deleteCustomValues`).
//! Each node numbers its keys from [`crate::sim::seed::first_custom_id`];
//! none are seeded.
//!
//! Follows the server's `CustomInfoHandler`, `SystemHandler`
//! (`setCustomValues`, `getCustomValues`, `deleteCustomValues`) and
//! `CustomDataKeySerializer`: labels are compared with case, the key calls
//! ask for no role, a key's deletion takes every system's value for it,
//! and a call that fails changes nothing (`BaseHandler.invoke` rolls the
//! transaction back). Simplified: one organization. Unverified:
//! `listAllKeys` ordered by label, `last_modified` moved by `updateKey`
//! only, and the fault for a value that is not a string.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::clock::{format_datetime, now_secs};
use crate::sim::model::{CustomContent, CustomInfoKey, take_id};
use crate::sim::{Node, faults};

/// The server's check on `createKey` and `updateKey`.
const TOO_SHORT: &str = "Label and description must be at least two characters long";

/// `system.custominfo.*`.
pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "createKey" => create(node, call),
        "updateKey" => update(node, call),
        "deleteKey" => delete(node, call),
        "listAllKeys" => list(node, call),
        _ => return None,
    })
}

/// The `system` calls on a system's values.
pub(super) fn system_call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "setCustomValues" => set_values(node, call),
        "getCustomValues" => get_values(node, call),
        "deleteCustomValues" => delete_values(node, call),
        _ => return None,
    })
}

/// The id of the key labelled `label`.
fn key_id(custom: &CustomContent, label: &str) -> Option<i32> {
    custom
        .custom_info_keys
        .values()
        .find(|k| k.label == label)
        .map(|k| k.id)
}

/// Whether `text` is under the two characters the server asks for (it
/// counts UTF-16 units; the simulator counts characters).
fn too_short(text: &str) -> bool {
    text.chars().count() < 2
}

/// `createKey(keyLabel, keyDescription)`: 1.
fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("keyLabel")?;
    let description = call.str("keyDescription")?;
    if too_short(label) || too_short(description) {
        return Err(faults::domain(-1, TOO_SHORT));
    }
    let mut data = node.write();
    let custom = &mut data.custom;
    if key_id(custom, label).is_some() {
        return Err(faults::domain(
            -1,
            &format!("A custom key already exists with the label:{label}"),
        ));
    }
    let id = take_id(&mut custom.next_custom_info_key_id);
    custom.custom_info_keys.insert(
        id,
        CustomInfoKey {
            id,
            label: label.to_owned(),
            description: description.to_owned(),
            last_modified: now_secs(),
            values: Default::default(),
        },
    );
    Ok(Value::Int(1))
}

/// `updateKey(keyLabel, keyDescription)`: the key's new description; 1.
/// The key is looked up before the description is checked.
fn update(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("keyLabel")?;
    let description = call.str("keyDescription")?;
    let mut data = node.write();
    let custom = &mut data.custom;
    // The server's text lacks the space before `does`.
    let id = key_id(custom, label).ok_or_else(|| {
        faults::domain(
            -1,
            &format!("A custom key with label: {label}does not exist."),
        )
    })?;
    if too_short(description) {
        return Err(faults::domain(-1, TOO_SHORT));
    }
    let key = custom.custom_info_keys.get_mut(&id).expect("found above");
    key.description = description.to_owned();
    key.last_modified = now_secs();
    Ok(Value::Int(1))
}

/// `deleteKey(keyLabel)`: the key and every system's value for it; 1.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("keyLabel")?;
    let mut data = node.write();
    let custom = &mut data.custom;
    let id = key_id(custom, label).ok_or_else(|| {
        faults::domain(
            -1,
            &format!("A custom key does not exist with label: {label}"),
        )
    })?;
    custom.custom_info_keys.remove(&id);
    Ok(Value::Int(1))
}

/// `listAllKeys()`: each key as `CustomDataKeySerializer` shows it: `id`,
/// `label`, `description`, `system_count` (the systems holding a value
/// for it), `last_modified`.
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let mut keys: Vec<&CustomInfoKey> = data.custom.custom_info_keys.values().collect();
    keys.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(Value::Array(
        keys.into_iter()
            .map(|k| {
                let count = i32::try_from(k.values.len()).unwrap_or(i32::MAX);
                Struct::with_capacity(5)
                    .with("id", Value::Int(k.id))
                    .with("label", Value::string(&k.label))
                    .with("description", Value::string(&k.description))
                    .with("system_count", Value::Int(count))
                    .with(
                        "last_modified",
                        Value::DateTime(format_datetime(k.last_modified)),
                    )
                    .into()
            })
            .collect(),
    ))
}

/// The system `sid` names, which the node must hold.
fn system(node: &Node, call: &Call<'_>) -> Result<i32, Fault> {
    let sid = call.int("sid")?;
    let data = node.read();
    super::system::one_system(&data, sid).map(|s| s.id)
}

/// `UndefinedCustomFieldsException` (1000): the labels skipped, one a
/// line after `lead`.
fn undefined(lead: &str, labels: &[String]) -> Fault {
    let mut message = format!("One or more of the following custom info {lead} was not defined: ");
    for label in labels {
        message.push('\n');
        message.push_str(label);
    }
    faults::domain(1000, &message)
}

/// `setCustomValues(sid, values)`: each label's value on the system; 1.
/// A label no key has, or a blank value, is skipped and named in the
/// fault, and then nothing is kept. The fault names the labels in the
/// order sent (the server's map has an order of its own; unverified). A value that is not a string fails
/// the server's cast to `String` (unverified text).
fn set_values(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let sid = system(node, call)?;
    let values = call
        .arg("values")
        .and_then(Value::as_struct)
        .ok_or_else(|| faults::internal("missing struct parameter values"))?;
    let mut data = node.write();
    let custom = &mut data.custom;
    let mut set = Vec::new();
    let mut skipped = Vec::new();
    for (label, value) in values.iter() {
        let value = match value {
            Value::String(text) => Some(text.as_str()),
            Value::Nil => None,
            other => {
                return Err(faults::internal(&format!(
                    "class {} cannot be cast to class java.lang.String",
                    java_class(other)
                )));
            }
        };
        match (key_id(custom, label), value) {
            (Some(id), Some(text)) if !text.trim().is_empty() => set.push((id, text.to_owned())),
            _ => skipped.push(label.to_owned()),
        }
    }
    if !skipped.is_empty() {
        return Err(undefined("fields", &skipped));
    }
    for (id, text) in set {
        let key = custom.custom_info_keys.get_mut(&id).expect("found above");
        key.values.insert(sid, text);
    }
    Ok(Value::Int(1))
}

/// The Java class the server's XML-RPC parser makes of `value`.
fn java_class(value: &Value) -> &'static str {
    match value {
        Value::Int(_) => "java.lang.Integer",
        Value::I8(_) => "java.lang.Long",
        Value::Bool(_) => "java.lang.Boolean",
        Value::Double(_) => "java.lang.Double",
        Value::DateTime(_) => "java.util.Date",
        Value::Base64(_) => "[B",
        Value::Struct(_) => "java.util.HashMap",
        Value::Array(_) => "java.util.ArrayList",
        Value::String(_) | Value::Nil => "java.lang.String",
    }
}

/// `getCustomValues(sid)`: a struct of the system's values by label (in
/// label order; the server's map has none).
fn get_values(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let sid = system(node, call)?;
    let data = node.read();
    let mut values: Vec<(&str, &str)> = data
        .custom
        .custom_info_keys
        .values()
        .filter_map(|k| Some((k.label.as_str(), k.values.get(&sid)?.as_str())))
        .collect();
    values.sort_unstable();
    Ok(Value::Struct(
        values
            .into_iter()
            .map(|(label, value)| (label.to_owned(), Value::string(value)))
            .collect(),
    ))
}

/// `deleteCustomValues(sid, keys)`: 1, the system's values for these
/// labels gone. A label no key has is named in the fault, and then
/// nothing is removed; a key the system holds no value for is no fault.
fn delete_values(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let sid = system(node, call)?;
    let labels = call.strs("keys")?;
    let mut data = node.write();
    let custom = &mut data.custom;
    let (found, skipped): (Vec<_>, Vec<_>) = labels
        .iter()
        .map(|label| (label, key_id(custom, label)))
        .partition(|(_, id)| id.is_some());
    if !skipped.is_empty() {
        let skipped: Vec<String> = skipped.into_iter().map(|(l, _)| l.clone()).collect();
        return Err(undefined("keys", &skipped));
    }
    for id in found.into_iter().filter_map(|(_, id)| id) {
        if let Some(key) = custom.custom_info_keys.get_mut(&id) {
            key.values.remove(&sid);
        }
    }
    Ok(Value::Int(1))
}
