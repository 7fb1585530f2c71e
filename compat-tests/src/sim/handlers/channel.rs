//! `channel.*` and `channel.software.*`: the zone's software channels.

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::clock::{format_datetime, format_plain};
use crate::sim::model::{Channel, NodeData};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, namespace: &str, method: &str, call: &Call<'_>) -> Answer {
    Some(match (namespace, method) {
        ("channel", "listSoftwareChannels") => Ok(list_software_channels(&node.read())),
        ("channel", "listAllChannels") => Ok(list_all_channels(&node.read())),
        ("channel.software", "listAllPackages") => list_all_packages(node, call),
        ("channel.software", "getDetails") => get_details(node, call),
        ("channel.software", "listSystemChannels") => super::system_channels::of_system(node, call),
        _ => return None,
    })
}

fn list_software_channels(data: &NodeData) -> Value {
    Value::Array(
        data.channels
            .iter()
            .map(|c| {
                Struct::with_capacity(5)
                    .with("label", Value::string(&c.label))
                    .with("name", Value::string(&c.name))
                    .with("parent_label", Value::string(&c.parent_label))
                    .with("end_of_life", Value::string(""))
                    .with("arch", Value::string(&c.arch))
                    .into()
            })
            .collect(),
    )
}

/// The channels the organization is entitled to, as the server's
/// `ChannelTreeNodeSerializer` shows them, in tree order: each base
/// channel, then its children, by label. The zone's channels are vendor
/// channels (no owning organization: provider `SUSE`); `systems` counts
/// the systems subscribed to each.
fn list_all_channels(data: &NodeData) -> Value {
    let mut channels: Vec<&Channel> = data.channels.iter().collect();
    channels.sort_by_key(|c| {
        let child = !c.parent_label.is_empty();
        let root = if child { &c.parent_label } else { &c.label };
        (root.clone(), child, c.label.clone())
    });
    Value::Array(
        channels
            .into_iter()
            .map(|c| {
                Struct::with_capacity(7)
                    .with("id", Value::Int(c.id))
                    .with("label", Value::string(&c.label))
                    .with("name", Value::string(&c.name))
                    .with("provider_name", Value::string("SUSE"))
                    .with(
                        "packages",
                        Value::Int(i32::try_from(c.package_ids.len()).unwrap_or(i32::MAX)),
                    )
                    .with("systems", Value::Int(data.subscribers(c)))
                    .with("arch_name", Value::string(&c.arch))
                    .into()
            })
            .collect(),
    )
}

fn lookup<'a>(data: &'a NodeData, call: &Call<'_>) -> Result<&'a Channel, xmlrpc::Fault> {
    let found = match call.arg("id") {
        Some(_) => data.channel_by_id(call.int("id")?),
        None => data.channel(call.str("channelLabel")?),
    };
    found.ok_or_else(faults::no_such_channel)
}

fn list_all_packages(node: &Node, call: &Call<'_>) -> MethodResponse {
    let start = call.opt_date("startDate")?;
    let end = call.opt_date("endDate")?;
    let data = node.read();
    let channel = lookup(&data, call)?;
    let packages = channel
        .package_ids
        .iter()
        .filter_map(|id| data.packages.get(id))
        .filter(|p| start.is_none_or(|s| p.last_modified >= s))
        .filter(|p| end.is_none_or(|e| p.last_modified < e))
        .map(|p| {
            Struct::with_capacity(10)
                .with("name", Value::string(&p.name))
                .with("version", Value::string(&p.version))
                .with("release", Value::string(&p.release))
                .with("epoch", Value::string(&p.epoch))
                .with("checksum", Value::string(&p.checksum))
                .with("checksum_type", Value::string("sha256"))
                .with("id", Value::Int(p.id))
                .with("arch_label", Value::string(&p.arch))
                .with(
                    "last_modified_date",
                    Value::string(format_plain(p.last_modified)),
                )
                .with(
                    "last_modified",
                    Value::string(format_plain(p.last_modified)),
                )
                .into()
        })
        .collect();
    Ok(Value::Array(packages))
}

fn get_details(node: &Node, call: &Call<'_>) -> MethodResponse {
    let data = node.read();
    Ok(details(lookup(&data, call)?))
}

/// A channel as `channel.software.getDetails` shows it (the server's
/// `ChannelSerializer`).
pub(super) fn details(c: &Channel) -> Value {
    Struct::with_capacity(16)
        .with("id", Value::Int(c.id))
        .with("name", Value::string(&c.name))
        .with("label", Value::string(&c.label))
        .with("arch_name", Value::string("x86_64"))
        .with("arch_label", Value::string(format!("channel-{}", c.arch)))
        .with("summary", Value::string(&c.summary))
        .with("description", Value::string(&c.summary))
        .with("checksum_label", Value::string("sha256"))
        .with(
            "last_modified",
            Value::DateTime(format_datetime(c.last_modified)),
        )
        .with("maintainer_name", Value::string("SUSE"))
        .with("maintainer_email", Value::string("maint-coord@suse.de"))
        .with("maintainer_phone", Value::string(""))
        .with("support_policy", Value::string(""))
        .with("gpg_key_url", Value::string(""))
        .with("gpg_key_id", Value::string(""))
        .with("gpg_key_fp", Value::string(""))
        .with("end_of_life", Value::string(""))
        .with("parent_channel_label", Value::string(&c.parent_label))
        .with("clone_original", Value::string(""))
        .with("contentSources", Value::Array(Vec::new()))
        .into()
}

/// The label of the autoinstallable tree of base channel `c`: its
/// product's (`sles15-sp6-x86_64`).
fn tree_label(c: &Channel) -> String {
    c.label
        .trim_start_matches("sle-product-")
        .replace("-pool", "")
}

/// Whether the node holds an autoinstallable tree labelled `label` (the
/// server's `KickstartFactory.lookupKickstartTreeByLabel`).
pub(super) fn kickstart_tree_exists(data: &NodeData, label: &str) -> bool {
    data.channels
        .iter()
        .any(|c| c.parent_label.is_empty() && tree_label(c) == label)
}

/// `kickstart.tree.list(channelLabel)`: the autoinstallable trees of a
/// channel. Each simulated base channel has one, labelled after its
/// product ([`tree_label`]) and numbered in label order; child channels
/// have none.
pub(super) fn kickstart_trees(node: &Node, call: &Call<'_>) -> MethodResponse {
    let data = node.read();
    let channel = lookup(&data, call)?;
    let trees = data
        .channels
        .iter()
        .filter(|c| c.parent_label.is_empty())
        .zip(1..)
        .filter(|(c, _)| c.id == channel.id)
        .map(|(c, id)| {
            let product = tree_label(c);
            Struct::with_capacity(4)
                .with("id", Value::Int(id))
                .with("label", Value::string(&product))
                .with(
                    "base_path",
                    Value::string(format!("/srv/www/distributions/{product}")),
                )
                .with("channel_id", Value::Int(c.id))
                .into()
        })
        .collect();
    Ok(Value::Array(trees))
}
