//! A system's software channels: its base channel (the pool of its OS
//! release's product, until `setBaseChannel` sets another) and the child
//! channels it is subscribed to. A system of a release whose product the
//! node has not synced (`15.4`) has no base channel, and so no children.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::channel::details;
use super::system::one_system;
use super::{Answer, Call};
use crate::sim::model::{NodeData, System};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "getSubscribedBaseChannel" => base(node, call),
        "listSubscribedChildChannels" => subscribed_children(node, call),
        "listSubscribableChildChannels" => subscribable_children(node, call),
        "listSubscribableBaseChannels" => subscribable_bases(node, call),
        "setChildChannels" => set_children(node, call),
        "setBaseChannel" => set_base(node, call),
        _ => return None,
    })
}

/// The system of the call's `sid`.
fn system<'d>(data: &'d NodeData, call: &Call<'_>) -> Result<&'d System, Fault> {
    one_system(data, call.int("sid")?)
}

/// No base channel: the server answers an empty struct.
fn base(node: &Node, call: &Call<'_>) -> MethodResponse {
    let data = node.read();
    let system = system(&data, call)?;
    Ok(match data.base_channel(system) {
        Some(base) => details(base),
        None => Struct::new().into(),
    })
}

fn subscribed_children(node: &Node, call: &Call<'_>) -> MethodResponse {
    let data = node.read();
    let system = system(&data, call)?;
    let children = data.child_channels(system);
    Ok(Value::Array(children.into_iter().map(details).collect()))
}

fn subscribable_children(node: &Node, call: &Call<'_>) -> MethodResponse {
    let data = node.read();
    let system = system(&data, call)?;
    let base = data.base_channel(system).map(|b| b.label.as_str());
    let children = base
        .map(|base| data.children_of(base))
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            Struct::with_capacity(6)
                .with("id", Value::Int(c.id))
                .with("name", Value::string(&c.name))
                .with("label", Value::string(&c.label))
                .with("summary", Value::string(&c.summary))
                .with("has_license", Value::Bool(false))
                .with("gpg_key_url", Value::string(""))
                .into()
        })
        .collect();
    Ok(Value::Array(children))
}

/// Every base channel, `current_base` 1 for the system's.
fn subscribable_bases(node: &Node, call: &Call<'_>) -> MethodResponse {
    let data = node.read();
    let system = system(&data, call)?;
    let current = data.base_channel(system).map(|b| b.id);
    let bases = data
        .channels
        .iter()
        .filter(|c| c.parent_label.is_empty())
        .map(|c| {
            Struct::with_capacity(4)
                .with("id", Value::Int(c.id))
                .with("name", Value::string(&c.name))
                .with("label", Value::string(&c.label))
                .with("current_base", Value::Int(i32::from(Some(c.id) == current)))
                .into()
        })
        .collect();
    Ok(Value::Array(bases))
}

/// `system.setChildChannels(sid, channelIdsOrLabels)`: ids (deprecated)
/// or labels, each a child of the system's base channel; the system is
/// subscribed to those children only. A channel the node lacks is
/// `NoSuchChannelException`; one of another base (or any, for a system
/// without a base channel), `InvalidChannelException` (unverified: the
/// server's fault for a child of another base).
fn set_children(node: &Node, call: &Call<'_>) -> MethodResponse {
    let Some(Value::Array(items)) = call.arg("channelIdsOrLabels") else {
        return Err(faults::invalid_parameter(
            "channelIdsOrLabels must be an array",
        ));
    };
    let mut data = node.write();
    let system = system(&data, call)?;
    let base = data.base_channel(system).map(|b| b.label.as_str());
    let mut labels = Vec::with_capacity(items.len());
    for item in items {
        let channel = match item {
            Value::String(label) => data.channel(label.trim()),
            other => other.as_i64().and_then(|id| data.channel_by_id(id)),
        }
        .ok_or_else(faults::no_such_channel)?;
        if Some(channel.parent_label.as_str()) != base {
            return Err(faults::invalid_channel());
        }
        labels.push(channel.label.clone());
    }
    let id = system.id;
    data.child_channels.insert(id, labels);
    Ok(Value::Int(1))
}

/// `system.setBaseChannel(sid, cid)` (the deprecated overload of 4.3)
/// and `(sid, channelLabel)`: the system's base channel becomes that one
/// and it keeps no child channel (`UpdateBaseChannelCommand`); a `cid` of
/// -1 and an empty label take the base channel and its children away. A
/// channel the node lacks is `NoSuchChannelException`, a child channel
/// `InvalidChannelException`. Simplified: the server subscribes the
/// system to children alike to its old ones where the new base has them
/// (unverified against a server).
fn set_base(node: &Node, call: &Call<'_>) -> MethodResponse {
    let mut data = node.write();
    let id = system(&data, call)?.id;
    let label = match (call.arg("cid"), call.arg("channelLabel")) {
        (Some(cid), _) if cid.as_i64() == Some(-1) => None,
        (Some(cid), _) => {
            let channel = cid.as_i64().and_then(|cid| data.channel_by_id(cid));
            Some(channel.ok_or_else(faults::no_such_channel)?)
        }
        (None, Some(Value::String(label))) if label.trim().is_empty() => None,
        (None, Some(Value::String(label))) => Some(
            data.channel(label.trim())
                .ok_or_else(faults::no_such_channel)?,
        ),
        // The server's `Translator` makes a label of an integer (on a
        // release without the `cid` overload), which names no channel.
        _ => return Err(faults::no_such_channel()),
    };
    if label.is_some_and(|c| !c.parent_label.is_empty()) {
        return Err(faults::invalid_channel());
    }
    let label = label.map(|c| c.label.clone());
    data.base_channels.insert(id, label);
    data.child_channels.insert(id, Vec::new());
    Ok(Value::Int(1))
}

/// `channel.software.listSystemChannels(sid)`: the base channel, then the
/// subscribed children; `id`, `label` and `name`.
pub(super) fn of_system(node: &Node, call: &Call<'_>) -> MethodResponse {
    let data = node.read();
    let system = system(&data, call)?;
    let channels = data
        .base_channel(system)
        .into_iter()
        .chain(data.child_channels(system))
        .map(|c| {
            Struct::with_capacity(3)
                .with("id", Value::Int(c.id))
                .with("label", Value::string(&c.label))
                .with("name", Value::string(&c.name))
                .into()
        })
        .collect();
    Ok(Value::Array(channels))
}
