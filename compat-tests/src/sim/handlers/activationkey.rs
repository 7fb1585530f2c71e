//! `activationkey.*`: the organization's activation keys.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call, require_role};
use crate::sim::model::{ADDON_ENTITLEMENTS, ActivationKey};
use crate::sim::seed::SplitMix64;
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listActivationKeys" => Ok(list(node)),
        "getDetails" => with_key(node, call, key_value),
        // The simulated keys carry no configuration channels and do not
        // deploy configuration files.
        "listConfigChannels" => with_key(node, call, |_| Value::Array(Vec::new())),
        "checkConfigDeployment" => with_key(node, call, |_| Value::Int(0)),
        "create" => create(node, call),
        "delete" => delete(node, call),
        "addServerGroups" => server_groups(node, call, true),
        "removeServerGroups" => server_groups(node, call, false),
        _ => return None,
    })
}

fn list(node: &Node) -> Value {
    Value::Array(
        node.read()
            .activation_keys
            .values()
            .map(key_value)
            .collect(),
    )
}

/// A key as the server's `ActivationKeySerializer` shows it, in
/// `listActivationKeys` and `getDetails` (`TokenSerializer.populateTokenInfo`):
/// no usage limit is a limit of 0.
fn key_value(k: &ActivationKey) -> Value {
    let s = Struct::with_capacity(12)
        .with("key", Value::string(&k.key))
        .with("description", Value::string(&k.description))
        .with("usage_limit", Value::Int(k.usage_limit.unwrap_or(0)));
    let base = if k.base_channel_label.is_empty() {
        "none"
    } else {
        &k.base_channel_label
    };
    s.with("base_channel_label", Value::string(base))
        .with("child_channel_labels", Value::Array(Vec::new()))
        .with(
            "entitlements",
            Value::Array(k.entitlements.iter().map(Value::string).collect()),
        )
        .with(
            "server_group_ids",
            Value::Array(k.server_groups.iter().map(|g| Value::Int(*g)).collect()),
        )
        .with("package_names", Value::Array(Vec::new()))
        .with("packages", Value::Array(Vec::new()))
        .with("universal_default", Value::Bool(k.universal_default))
        .with("disabled", Value::Bool(false))
        .with("contact_method", Value::string("default"))
        .into()
}

/// Answers `read` of the key named by the `key` argument.
fn with_key(
    node: &Node,
    call: &Call<'_>,
    read: impl FnOnce(&ActivationKey) -> Value,
) -> MethodResponse {
    call.user(node)?;
    let key = call.str("key")?;
    let data = node.read();
    data.activation_keys
        .get(key)
        .map(read)
        .ok_or_else(|| no_such_key(key))
}

/// The server's fault for a key it does not hold.
fn no_such_key(key: &str) -> Fault {
    Fault::new(
        -1,
        format!(
            "com.redhat.rhn.common.hibernate.LookupException: Could not find activation key: {key}"
        ),
    )
}

fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["activation_key_admin"])?;
    let name = call.str("key")?;
    let description = call.str("description")?.to_owned();
    let base = call.str("baseChannelLabel")?.to_owned();
    let usage_limit = match call.arg("usageLimit") {
        Some(_) => Some(i32::try_from(call.int("usageLimit")?).unwrap_or(i32::MAX)),
        None => None,
    };
    let entitlements = call.strs("entitlements")?;
    let universal_default = call.bool("universalDefault")?;
    for e in &entitlements {
        if !ADDON_ENTITLEMENTS.contains(&e.as_str()) {
            return Err(faults::invalid_entitlement());
        }
    }
    let mut data = node.write();
    if !base.is_empty() && data.channel(&base).is_none() {
        return Err(faults::domain(-211, "Invalid channel"));
    }
    let suffix = if name.is_empty() {
        SplitMix64::new(data.next_action_id as u64 ^ data.activation_keys.len() as u64).hex32()
    } else {
        name.to_owned()
    };
    let key = format!("1-{suffix}");
    if data.activation_keys.contains_key(&key) {
        return Err(faults::domain(1090, "activation_key_already_exists"));
    }
    data.activation_keys.insert(
        key.clone(),
        ActivationKey {
            key: key.clone(),
            description,
            base_channel_label: base,
            usage_limit,
            entitlements,
            universal_default,
            server_groups: Vec::new(),
        },
    );
    Ok(Value::String(key))
}

fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["activation_key_admin"])?;
    let key = call.str("key")?;
    let removed = node.write().activation_keys.remove(key);
    removed
        .map(|_| Value::Int(1))
        .ok_or_else(|| no_such_key(key))
}

/// `addServerGroups` / `removeServerGroups`: every group must exist.
fn server_groups(node: &Node, call: &Call<'_>, add: bool) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["activation_key_admin"])?;
    let key = call.str("key")?;
    let ids = call.ints("serverGroupIds")?;
    let mut data = node.write();
    let mut groups = Vec::with_capacity(ids.len());
    for id in ids {
        let group = data
            .group_by_id(id)
            .ok_or_else(|| faults::no_such_group(&id.to_string()))?;
        groups.push(group.id);
    }
    let Some(k) = data.activation_keys.get_mut(key) else {
        return Err(no_such_key(key));
    };
    for id in groups {
        k.server_groups.retain(|g| *g != id);
        if add {
            k.server_groups.push(id);
        }
    }
    Ok(Value::Int(1))
}
