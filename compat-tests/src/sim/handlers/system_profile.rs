//! `system.*` reads of one system's profile, the calls `system_details`
//! of the admin shell makes: details, UUID, registration date, network,
//! entitlements, software channels, running kernel, the activation keys
//! it registered with, and `system.config.listChannels`.
//!
//! The simulated systems are physical Salt minions (no virtual instance,
//! so no UUID), registered without an activation key and subscribed to no
//! configuration channel. Their software channels are answered by
//! [`super::system_channels`], their entitlements by
//! [`super::system_settings`]. Everything else is derived from the seeded
//! profile, so repeated calls agree.

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::Node;
use crate::sim::clock::format_datetime;
use crate::sim::model::{BASE_ENTITLEMENT, NodeData, System};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "getDetails" => {
            let data = node.read();
            call.int("sid")
                .and_then(|sid| super::system::one_system(&data, sid))
                .map(|s| details_value(&data, s))
        }
        // A physical system has no virtual instance; the server answers
        // an empty string then.
        "getUuid" => read(node, call, |_| Value::string("")),
        "getRegistrationDate" => read(node, call, |s| Value::DateTime(format_datetime(s.created))),
        "getNetwork" => read(node, call, network),
        "listActivationKeys" => read(node, call, |_| Value::Array(Vec::new())),
        "getRunningKernel" => read(node, call, |s| Value::string(kernel(&s.release))),
        _ => return None,
    })
}

/// A system as the server's `ServerSerializer` shows it: `system.getDetails`
/// and each item of `systemgroup.listSystems`. What `system.setDetails`
/// and `system.addEntitlements` set shows: `profile_name`, `description`,
/// `auto_update`, `addon_entitlements` and the location members set (only
/// those; unverified: the server's serializer for a location without them).
pub(super) fn details_value(data: &NodeData, s: &System) -> Value {
    let mut value = Struct::with_capacity(24)
        .with("id", Value::Int(s.id))
        .with("profile_name", Value::string(&s.name))
        .with("machine_id", Value::string(&s.machine_id))
        .with("payg", Value::Bool(false))
        .with("minion_id", Value::string(&s.minion_id))
        .with("base_entitlement", Value::string(BASE_ENTITLEMENT))
        .with(
            "addon_entitlements",
            Value::Array(super::system_settings::addons(data, s.id)),
        )
        .with(
            "auto_update",
            Value::Bool(data.settings.auto_update.contains(&s.id)),
        )
        .with("release", Value::string(&s.release));
    for (key, text) in data.settings.locations.get(&s.id).into_iter().flatten() {
        value.push(key, Value::string(text));
    }
    value
        .with("description", Value::string(&s.description))
        .with("hostname", Value::string(&s.hostname))
        .with("last_boot", Value::DateTime(format_datetime(s.last_boot)))
        .with("osa_status", Value::string("unknown"))
        .with("lock_status", Value::Bool(false))
        .with("contact_method", Value::string("default"))
        .into()
}

/// Answers `read` of the system named by `sid`, or the server's
/// `No such system` when this node does not hold it.
fn read(node: &Node, call: &Call<'_>, read: impl FnOnce(&System) -> Value) -> MethodResponse {
    let sid = call.int("sid")?;
    let data = node.read();
    super::system::one_system(&data, sid).map(read)
}

/// `ip`, `ip6` and `hostname`. The IPv4 address is taken from the
/// system's machine id (stable, private); the systems have no IPv6
/// address, which the server answers as an empty string.
fn network(s: &System) -> Value {
    let byte = |i: usize| {
        s.machine_id
            .get(2 * i..2 * i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or_default()
    };
    let ip = format!("10.{}.{}.{}", byte(0), byte(1), 1 + byte(2) % 254);
    Struct::with_capacity(3)
        .with("ip", Value::string(ip))
        .with("ip6", Value::string(""))
        .with("hostname", Value::string(&s.hostname))
        .into()
}

/// The kernel a SUSE Linux Enterprise 15 service pack ships.
fn kernel(release: &str) -> &'static str {
    match release {
        "15.6" => "6.4.0-150600.23.25-default",
        "15.5" => "5.14.21-150500.55.65-default",
        _ => "5.14.21-150400.24.133-default",
    }
}
