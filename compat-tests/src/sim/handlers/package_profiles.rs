//! `system.createPackageProfile`, `listPackageProfiles` and
//! `deletePackageProfile`: the organization's stored package profiles,
//! numbered by each node from 1. None are seeded.
//!
//! Follows the server's `SystemHandler` methods of those names,
//! `ProfileManager` and `ProfileOverviewDtoSerializer`.

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::model::{NodeData, PackageProfile, System, take_id};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "createPackageProfile" => create(node, call),
        "listPackageProfiles" => list(node, call),
        "deletePackageProfile" => delete(node, call),
        _ => return None,
    })
}

/// The base channel a profile of `system` is taken against: the system's
/// ([`NodeData::base_channel`]).
fn base_channel_name(data: &NodeData, system: &System) -> Option<String> {
    data.base_channel(system).map(|c| c.name.clone())
}

/// `SystemHandler.createPackageProfile`: answers 1 (not the profile's id;
/// `listPackageProfiles` shows it). A name the organization has already
/// is `ProfileManager`'s `DuplicateProfileNameException`, which is no
/// fault class, so the server answers its internal-error fault.
/// Unverified: an unknown system is `No such system` (the source read
/// looks the system up with `SystemManager.lookupByIdAndUser`, whose
/// `LookupException` a newer server may turn into that fault).
fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let sid = call.int("sid")?;
    let name = call.str("profileLabel")?;
    let description = call.str("description")?;
    let mut data = node.write();
    let system = super::system::one_system(&data, sid)?;
    if data.local.package_profiles.values().any(|p| p.name == name) {
        return Err(faults::internal(&format!(
            "Package Profile already exists with name: {name}"
        )));
    }
    // Unverified: the text of `ProfileNoBaseChannelException` (unreachable
    // with the seeded channels).
    let channel_name = base_channel_name(&data, system)
        .ok_or_else(|| faults::domain(1065, "No base channel found"))?;
    let id = take_id(&mut data.local.next_package_profile_id);
    data.local.package_profiles.insert(
        id,
        PackageProfile {
            id,
            name: name.to_owned(),
            description: description.to_owned(),
            channel_name,
        },
    );
    Ok(Value::Int(1))
}

/// `SystemHandler.listPackageProfiles`: `id`, `name` and the base
/// channel's name. Unverified: ordered by name, then id (the order of the
/// server's `profile_overview` query was not checked).
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let mut profiles: Vec<&PackageProfile> = data.local.package_profiles.values().collect();
    profiles.sort_by_key(|p| (p.name.to_lowercase(), p.id));
    Ok(Value::Array(
        profiles
            .into_iter()
            .map(|p| {
                Struct::with_capacity(3)
                    .with("id", Value::Int(p.id))
                    .with("name", Value::string(&p.name))
                    .with("channel", Value::string(&p.channel_name))
                    .into()
            })
            .collect(),
    ))
}

/// `SystemHandler.deletePackageProfile`: answers the number of profiles
/// removed (1). An unknown id is `ProfileManager.lookupByIdAndOrg`'s
/// `LookupException`, message as the source writes it (spaces missing);
/// Unverified: that the server answers it as its internal-error fault.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let id = call.int("profileId")?;
    let mut data = node.write();
    i32::try_from(id)
        .ok()
        .and_then(|id| data.local.package_profiles.remove(&id))
        .map(|_| Value::Int(1))
        .ok_or_else(|| faults::internal(&format!("The profile {id}could notbe found for org 1")))
}
