//! `configchannel`'s global configuration channels: `create` (all three
//! overloads), `getDetails` by label or id, `listGlobals`,
//! `lookupChannelInfo`, `update`, `deleteChannels`, `channelExists`; and
//! a system's channels (`system.config.listChannels`, `addChannels`,
//! `removeChannels`, `setChannels`).
//! Each node numbers its channels from
//! [`crate::sim::seed::first_custom_id`]; none are seeded.
//!
//! Follows the server's `ConfigChannelHandler`,
//! `ConfigChannelCreationHelper` and `ConfigChannelSerializer`.
//! Simplified: one organization, no files (a state channel's `init.sls`
//! is not kept), and any system takes configuration channels (the server
//! asks for configuration management capabilities). Unverified against a server: the
//! text after 1021's fixed start (the server words its validation errors
//! from a localized catalog), and `listGlobals` ordered by name.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::model::{ConfigChannel, CustomContent, take_id};
use crate::sim::{Node, faults};

/// The channel types `create` takes (`getGlobalChannelType`).
const TYPES: &[&str] = &["normal", "state"];

/// `ConfigChannelCreationHelper.MAX_LABEL_LENGTH`.
const MAX_LABEL: usize = 64;

/// The role `ensureConfigAdmin` asks for (or an organization admin).
const CONFIG_ADMIN: &str = "config_admin";

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "create" => create(node, call),
        "getDetails" => get_details(node, call),
        "listGlobals" => list_globals(node, call),
        "lookupChannelInfo" => lookup_info(node, call),
        "update" => update(node, call),
        "deleteChannels" => delete(node, call),
        "channelExists" => exists(node, call),
        // The simulated channels hold no files.
        "listFiles" => list_files(node, call),
        _ => return None,
    })
}

/// `ConfigChannelTypeSerializer` of a type label: the ids and priorities
/// every server seeds.
fn channel_type(kind: &str) -> Value {
    let (id, name, priority) = match kind {
        "state" => (4, "Configuration channel based on SALT state", 1),
        _ => (1, "A general purpose configuration channel", 1),
    };
    Struct::with_capacity(4)
        .with("id", Value::Int(id))
        .with("label", Value::string(kind))
        .with("name", Value::string(name))
        .with("priority", Value::Int(priority))
        .into()
}

/// A channel as `ConfigChannelSerializer` shows it.
fn details(c: &ConfigChannel) -> Value {
    Struct::with_capacity(6)
        .with("id", Value::Int(c.id))
        .with("label", Value::string(&c.label))
        .with("name", Value::string(&c.name))
        .with("description", Value::string(&c.description))
        .with("orgId", Value::Int(1))
        .with("configChannelType", channel_type(&c.kind))
        .into()
}

/// `ConfigurationManager.lookupConfigChannel`'s `LookupException`, which
/// the server answers unhandled (-1, its class name and text), as it
/// answers an unknown session key. `what` is `id=<id>` or
/// `label=<label>`.
fn lookup_failed(what: &str) -> Fault {
    Fault::new(
        -1,
        format!(
            "com.redhat.rhn.common.hibernate.LookupException: Could not find config channel with {what}"
        ),
    )
}

fn by_label<'d>(custom: &'d CustomContent, label: &str) -> Option<&'d ConfigChannel> {
    custom.config_channels.values().find(|c| c.label == label)
}

/// `listFiles(label)`: a channel's files, none in the simulator.
fn list_files(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let data = node.read();
    by_label(&data.custom, label)
        .map(|_| Value::Array(Vec::new()))
        .ok_or_else(|| lookup_failed(&format!("label={label}")))
}

/// `getDetails(label)` and `getDetails(id)`.
fn get_details(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let custom = &data.custom;
    let found = if call.arg("id").is_some() {
        let id = call.int("id")?;
        i32::try_from(id)
            .ok()
            .and_then(|id| custom.config_channels.get(&id))
            .ok_or_else(|| lookup_failed(&format!("id={id}")))
    } else {
        let label = call.str("label")?;
        by_label(custom, label).ok_or_else(|| lookup_failed(&format!("label={label}")))
    };
    found.map(details)
}

/// `XmlRpcConfigChannelHelper.lookupGlobals`: every label's channel, in
/// the order asked; an unknown label is `NoSuchChannelException`.
fn globals<'d>(
    custom: &'d CustomContent,
    labels: &[String],
) -> Result<Vec<&'d ConfigChannel>, Fault> {
    labels
        .iter()
        .map(|label| by_label(custom, label).ok_or_else(faults::no_such_channel))
        .collect()
}

fn lookup_info(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let labels = call.strs("labels")?;
    let data = node.read();
    let found = globals(&data.custom, &labels)?;
    Ok(Value::Array(found.into_iter().map(details).collect()))
}

/// `ConfigChannelDtoSerializer`: the serializer's members plus `type`.
fn list_globals(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let mut channels: Vec<&ConfigChannel> = data.custom.config_channels.values().collect();
    channels.sort_by_key(|c| (c.name.to_lowercase(), c.id));
    Ok(Value::Array(
        channels
            .into_iter()
            .map(|c| {
                let Value::Struct(s) = details(c) else {
                    unreachable!("details answers a struct")
                };
                s.with("type", Value::string(&c.kind)).into()
            })
            .collect(),
    ))
}

/// `ConfigChannelCreationException` (1021): the validation errors of
/// `ConfigChannelCreationHelper`.
fn creation_failed(why: &str) -> Fault {
    faults::domain(
        1021,
        &format!("Exception encountered during channel creation.\n{why}"),
    )
}

/// `ConfigChannelCreationHelper.validate`.
fn validate(label: &str, name: &str, description: &str) -> Result<(), Fault> {
    let label_ok = label
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if label.trim().is_empty() {
        return Err(creation_failed("Label is required."));
    }
    if label.trim().len() > MAX_LABEL {
        return Err(creation_failed(&format!(
            "Label must be at most {MAX_LABEL} characters."
        )));
    }
    if label.starts_with('-') || !label_ok {
        return Err(creation_failed(
            "Label may hold only letters, digits, '-' and '_', and may not start with '-'.",
        ));
    }
    if name.trim().is_empty() {
        return Err(creation_failed("Name is required."));
    }
    if description.trim().is_empty() {
        return Err(creation_failed("Description is required."));
    }
    Ok(())
}

fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    super::require_role(&call.user(node)?, &[CONFIG_ADMIN])?;
    let label = call.str("label")?.to_owned();
    let name = call.str("name")?.to_owned();
    let description = call.str("description")?.to_owned();
    validate(&label, &name, &description)?;
    let kind = match call.arg("type") {
        Some(_) => call.str("type")?.to_owned(),
        None => "normal".to_owned(),
    };
    if !TYPES.contains(&kind.as_str()) {
        return Err(creation_failed(&format!(
            "'Configuration Channel Type' must be one of: {}",
            TYPES.join(",")
        )));
    }
    let mut data = node.write();
    let custom = &mut data.custom;
    if by_label(custom, &label).is_some() {
        return Err(creation_failed(&format!(
            "A configuration channel with label {label} already exists."
        )));
    }
    let id = take_id(&mut custom.next_config_channel_id);
    let channel = ConfigChannel {
        id,
        label,
        name,
        description,
        kind,
    };
    let value = details(&channel);
    custom.config_channels.insert(id, channel);
    Ok(value)
}

/// `update(label, name, description)`: the label stays.
fn update(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let name = call.str("name")?.to_owned();
    let description = call.str("description")?.to_owned();
    let mut data = node.write();
    let custom = &mut data.custom;
    let id = by_label(custom, label)
        .ok_or_else(|| lookup_failed(&format!("label={label}")))?
        .id;
    validate(label, &name, &description)?;
    let channel = custom.config_channels.get_mut(&id).expect("found above");
    channel.name = name;
    channel.description = description;
    Ok(details(channel))
}

/// `deleteChannels(labels)`: all, or none when a label is unknown.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    super::require_role(&call.user(node)?, &[CONFIG_ADMIN])?;
    let labels = call.strs("labels")?;
    let mut data = node.write();
    let ids: Vec<i32> = globals(&data.custom, &labels)?
        .into_iter()
        .map(|c| c.id)
        .collect();
    for id in &ids {
        data.custom.config_channels.remove(id);
    }
    for ranked in data.custom.config_subscriptions.values_mut() {
        ranked.retain(|id| !ids.contains(id));
    }
    Ok(Value::Int(1))
}

pub(super) fn system_call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listChannels" => list_of_system(node, call),
        "addChannels" | "removeChannels" | "setChannels" => subscribe(node, method, call),
        _ => return None,
    })
}

/// `system.config.listChannels(sid)`: the system's channels by rank.
fn list_of_system(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let sid = call.int("sid")?;
    let data = node.read();
    let system = super::system::one_system(&data, sid)?;
    let custom = &data.custom;
    let ranked = custom.config_subscriptions.get(&system.id);
    Ok(Value::Array(
        ranked
            .into_iter()
            .flatten()
            .filter_map(|id| custom.config_channels.get(id))
            .map(details)
            .collect(),
    ))
}

/// `addChannels(sids, labels, addToTop)`: the channels, in the order
/// given, on top of each system's or below them (one already held moves);
/// `removeChannels(sids, labels)`; `setChannels(sids, labels)`: exactly
/// these, in this order. Every system and label is checked first: an
/// unknown one changes nothing.
fn subscribe(node: &Node, method: &str, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let sids = call.ints("sids")?;
    let labels = call.strs("configChannelLabels")?;
    let on_top = method == "addChannels" && call.bool("addToTop")?;
    let mut data = node.write();
    let systems = super::system::checked_systems(&data, &sids)?;
    let named: Vec<i32> = globals(&data.custom, &labels)?
        .into_iter()
        .map(|c| c.id)
        .collect();
    for sid in systems {
        let ranked = data.custom.config_subscriptions.entry(sid).or_default();
        match method {
            "setChannels" => ranked.clone_from(&named),
            "removeChannels" => ranked.retain(|id| !named.contains(id)),
            _ => {
                ranked.retain(|id| !named.contains(id));
                let at = if on_top { 0 } else { ranked.len() };
                ranked.splice(at..at, named.iter().copied());
            }
        }
    }
    Ok(Value::Int(1))
}

/// `channelExists(label)`: 1 or 0.
fn exists(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let found = by_label(&node.read().custom, label).is_some();
    Ok(Value::Int(i32::from(found)))
}
