//! `activationkey.*`: the organization's activation keys.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call, require_role};
use crate::sim::model::{ADDON_ENTITLEMENTS, ActivationKey};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listActivationKeys" => Ok(list(node)),
        "getDetails" => with_key(node, call, key_value),
        "listConfigChannels" => list_config_channels(node, call),
        // The simulated keys do not deploy configuration files.
        "checkConfigDeployment" => with_key(node, call, |_| Value::Int(0)),
        "create" => create(node, call),
        "delete" => delete(node, call),
        "setDetails" => set_details(node, call),
        "addServerGroups" => server_groups(node, call, true),
        "removeServerGroups" => server_groups(node, call, false),
        "addChildChannels" => child_channels(node, call, true),
        "removeChildChannels" => child_channels(node, call, false),
        "addPackages" => packages(node, call, true),
        "removePackages" => packages(node, call, false),
        "addConfigChannels" | "removeConfigChannels" | "setConfigChannels" => {
            config_channels(node, method, call)
        }
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
    let packages = k
        .packages
        .iter()
        .map(|(name, arch)| {
            let mut p = Struct::with_capacity(2).with("name", Value::string(name));
            if let Some(arch) = arch {
                p.push("arch", Value::string(arch));
            }
            Value::Struct(p)
        })
        .collect();
    s.with("base_channel_label", Value::string(base))
        .with(
            "child_channel_labels",
            Value::Array(k.child_channels.iter().map(Value::string).collect()),
        )
        .with(
            "entitlements",
            Value::Array(k.entitlements.iter().map(Value::string).collect()),
        )
        .with(
            "server_group_ids",
            Value::Array(k.server_groups.iter().map(|g| Value::Int(*g)).collect()),
        )
        .with(
            "package_names",
            Value::Array(k.packages.iter().map(|(n, _)| Value::string(n)).collect()),
        )
        .with("packages", Value::Array(packages))
        .with("universal_default", Value::Bool(k.universal_default))
        .with("disabled", Value::Bool(k.disabled))
        .with("contact_method", Value::string(&k.contact_method))
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
    // The server draws an unnamed key from a secure random source: two
    // servers never make the same one.
    let suffix = if name.is_empty() {
        let bytes: [u8; 16] = rand::random();
        hex::encode(bytes)
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
            child_channels: Vec::new(),
            packages: Vec::new(),
            config_channels: Vec::new(),
            disabled: false,
            contact_method: "default".to_owned(),
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

/// `InvalidArgsException` (2801) for the members of `given` beyond
/// `allowed` (`BaseHandler.validateMap`).
pub(super) fn check_members(given: &Struct, allowed: &[&str]) -> Result<(), Fault> {
    let invalid: Vec<&str> = given
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !allowed.contains(k))
        .collect();
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(faults::domain(
            2801,
            &format!("Invalid argument(s): {}", invalid.join(", ")),
        ))
    }
}

/// The contact methods a server knows (`suseServerContactMethod`).
const CONTACT_METHODS: &[&str] = &["default", "ssh-push", "ssh-push-tunnel"];

/// `setDetails(key, details)`: the members given, checked first; a new
/// base channel drops the key's child channels (`Token.setBaseChannel`).
/// A negative limit, or `unlimited_usage_limit`, is no limit.
fn set_details(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["activation_key_admin"])?;
    let name = call.str("key")?;
    let details = call
        .arg("details")
        .and_then(Value::as_struct)
        .ok_or_else(|| faults::internal("missing struct parameter details"))?;
    check_members(
        details,
        &[
            "description",
            "base_channel_label",
            "usage_limit",
            "unlimited_usage_limit",
            "universal_default",
            "disabled",
            "contact_method",
        ],
    )?;
    let mut data = node.write();
    if !data.activation_keys.contains_key(name) {
        return Err(no_such_key(name));
    }
    let wrong = |member: &str| faults::internal(&format!("{member} is of the wrong type"));
    let base = match details.get("base_channel_label") {
        None => None,
        Some(v) => match v.as_str().ok_or_else(|| wrong("base_channel_label"))? {
            "" | "none" => Some(String::new()),
            label => {
                let channel = data.channel(label).ok_or_else(faults::invalid_channel)?;
                if !channel.parent_label.is_empty() {
                    return Err(faults::domain(
                        -211,
                        &format!("{} is not a base channel.", channel.name),
                    ));
                }
                Some(label.to_owned())
            }
        },
    };
    if let Some(method) = details.get("contact_method") {
        let method = method.as_str().ok_or_else(|| wrong("contact_method"))?;
        if !CONTACT_METHODS.contains(&method) {
            return Err(faults::domain(
                -1,
                &format!("Invalid contact method: {method}"),
            ));
        }
    }
    let flag = |member: &str| -> Result<Option<bool>, Fault> {
        details
            .get(member)
            .map(|v| v.as_bool().ok_or_else(|| wrong(member)))
            .transpose()
    };
    let universal = flag("universal_default")?;
    let disabled = flag("disabled")?;
    let unlimited = flag("unlimited_usage_limit")?;
    let limit = details
        .get("usage_limit")
        .map(|v| v.as_i64().ok_or_else(|| wrong("usage_limit")))
        .transpose()?;
    let description = details
        .get("description")
        .map(|v| v.as_str().ok_or_else(|| wrong("description")))
        .transpose()?;
    if universal == Some(true) {
        for other in data.activation_keys.values_mut() {
            other.universal_default = false;
        }
    }
    let k = data.activation_keys.get_mut(name).expect("checked above");
    if let Some(description) = description {
        description.clone_into(&mut k.description);
    }
    if let Some(base) = base
        && base != k.base_channel_label
    {
        k.base_channel_label = base;
        k.child_channels.clear();
    }
    if let Some(limit) = limit {
        k.usage_limit = (limit >= 0).then(|| i32::try_from(limit).unwrap_or(i32::MAX));
    }
    if unlimited == Some(true) {
        k.usage_limit = None;
    }
    if let Some(universal) = universal {
        k.universal_default = universal;
    }
    if let Some(disabled) = disabled {
        k.disabled = disabled;
    }
    if let Some(method) = details.get("contact_method").and_then(Value::as_str) {
        method.clone_into(&mut k.contact_method);
    }
    Ok(Value::Int(1))
}

/// `addChildChannels` / `removeChildChannels(key, childChannelLabels)`:
/// each label must name a child channel, and one added must be a child of
/// the key's base channel when it has one.
fn child_channels(node: &Node, call: &Call<'_>, add: bool) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["activation_key_admin"])?;
    let name = call.str("key")?;
    let labels = call.strs("childChannelLabels")?;
    let mut data = node.write();
    let base = data
        .activation_keys
        .get(name)
        .ok_or_else(|| no_such_key(name))?
        .base_channel_label
        .clone();
    for label in &labels {
        let channel = data.channel(label).ok_or_else(faults::invalid_channel)?;
        if channel.parent_label.is_empty() {
            return Err(faults::domain(
                -211,
                &format!("{} is not a child channel.", channel.name),
            ));
        }
        if add && !base.is_empty() && channel.parent_label != base {
            let base_name = data.channel(&base).map_or(base.as_str(), |c| &c.name);
            return Err(faults::domain(
                -211,
                &format!(
                    "{} is not a child channel of parent {base_name} which is already used by this key",
                    channel.name
                ),
            ));
        }
    }
    let k = data.activation_keys.get_mut(name).expect("checked above");
    for label in labels {
        k.child_channels.retain(|c| *c != label);
        if add {
            k.child_channels.push(label);
        }
    }
    Ok(Value::Int(1))
}

/// `addPackages` / `removePackages(key, packages)`: structs of `name` and
/// optionally `arch`. The name need not be a known package; one (name,
/// arch) is held once.
fn packages(node: &Node, call: &Call<'_>, add: bool) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["activation_key_admin"])?;
    let name = call.str("key")?;
    let items = call
        .arg("packages")
        .and_then(Value::as_array)
        .ok_or_else(|| faults::internal("missing array parameter packages"))?;
    let mut wanted = Vec::with_capacity(items.len());
    for item in items {
        let item = item
            .as_struct()
            .ok_or_else(|| faults::internal("a package is not a struct"))?;
        check_members(item, &["name", "arch"])?;
        let package = item
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| faults::internal("a package without a name"))?;
        if add && package.contains(' ') {
            return Err(faults::domain(
                2801,
                "More than one package names are specified.",
            ));
        }
        let arch = item.get("arch").and_then(Value::as_str).map(str::to_owned);
        wanted.push((package.to_owned(), arch));
    }
    let mut data = node.write();
    let k = data
        .activation_keys
        .get_mut(name)
        .ok_or_else(|| no_such_key(name))?;
    for package in wanted {
        let held = k.packages.contains(&package);
        match (add, held) {
            (true, false) => k.packages.push(package),
            (false, true) => k.packages.retain(|p| *p != package),
            _ => {}
        }
    }
    Ok(Value::Int(1))
}

/// `listConfigChannels(key)`: by rank.
fn list_config_channels(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let name = call.str("key")?;
    let data = node.read();
    let k = data
        .activation_keys
        .get(name)
        .ok_or_else(|| no_such_key(name))?;
    Ok(Value::Array(
        k.config_channels
            .iter()
            .filter_map(|id| data.custom.config_channels.get(id))
            .map(super::configchannel::details)
            .collect(),
    ))
}

/// `addConfigChannels(keys, configChannelLabels, addToTop)`: the channels
/// in the order given, on top or at the bottom (one already held moves);
/// `setConfigChannels(keys, configChannelLabels)`: exactly these;
/// `removeConfigChannels(keys, configChannelLabels)`: 0 when a channel
/// was not on a key (the keys after it are left as they were). Every key
/// and label is checked first.
fn config_channels(node: &Node, method: &str, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["activation_key_admin"])?;
    let names = call.strs("keys")?;
    let labels = call.strs("configChannelLabels")?;
    let on_top = method == "addConfigChannels" && call.bool("addToTop")?;
    let mut data = node.write();
    if let Some(unknown) = names
        .iter()
        .find(|n| !data.activation_keys.contains_key(n.as_str()))
    {
        return Err(no_such_key(unknown));
    }
    let ids = super::configchannel::ids_of(&data.custom, &labels)?;
    for name in &names {
        let ranked = &mut data
            .activation_keys
            .get_mut(name)
            .expect("checked above")
            .config_channels;
        match method {
            "setConfigChannels" => {
                ranked.clear();
                for id in &ids {
                    ranked.retain(|c| c != id);
                    ranked.push(*id);
                }
            }
            "removeConfigChannels" => {
                if !ids.iter().all(|id| ranked.contains(id)) {
                    ranked.retain(|c| !ids.contains(c));
                    return Ok(Value::Int(0));
                }
                ranked.retain(|c| !ids.contains(c));
            }
            _ => {
                ranked.retain(|c| !ids.contains(c));
                let at = if on_top { 0 } else { ranked.len() };
                ranked.splice(at..at, ids.iter().copied());
            }
        }
    }
    Ok(Value::Int(1))
}
