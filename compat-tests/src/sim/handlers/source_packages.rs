//! `packages.listSourcePackages` and `packages.removeSourcePackage`: the
//! organization's source packages (`rhnPackageSource`), which the seed
//! derives from the node's binary packages and numbers per node.

use xmlrpc::{Struct, Value};

use super::{Answer, Call, require_role};
use crate::sim::model::{DEFAULT_ORG_ID, NodeData};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listSourcePackages" => list(node, call),
        "removeSourcePackage" => remove(node, call),
        _ => return None,
    })
}

/// `PackagesHandler.listSourcePackages`: the source packages of the
/// user's organization (`PackageManager.listCustomPackages(org, true)`, no
/// role needed), in id order, as `PackageOverviewSerializer` shows them.
/// The query fills the id and `NVREA` (the source RPM's file name, as
/// `rhnSourceRPM.name` holds it), so the file name is the `nvrea` member;
/// the serializer's `name` is the overview's package name, which the
/// query leaves null, so, like the other null members (`version`,
/// `release`, `arch`, `nvre`), it is left out; `summary`, `description`
/// and `epoch` default to empty strings and `provider` to `Unknown`.
/// Unverified: the datasource mode itself (`all_custom_source_packages`;
/// what this follows is its paged twin in `PackageManager`, which selects
/// `PS.id AS ID, SRPM.name AS NVREA`), and whether its elaborators add
/// `packageChannels`; the API documentation promises `{id, name}`.
fn list(node: &Node, call: &Call<'_>) -> Result<Value, xmlrpc::Fault> {
    let user = call.user(node)?;
    let data = node.read();
    if !in_default_org(&data, user.id) {
        return Ok(Value::Array(Vec::new()));
    }
    Ok(Value::Array(
        data.source_packages
            .iter()
            .map(|(id, file)| {
                Struct::with_capacity(6)
                    .with("id", Value::Int(*id))
                    .with("summary", Value::string(""))
                    .with("description", Value::string(""))
                    .with("epoch", Value::string(""))
                    .with("nvrea", Value::string(file))
                    .with("provider", Value::string("Unknown"))
                    .into()
            })
            .collect(),
    ))
}

/// `PackagesHandler.removeSourcePackage`: an organization administrator
/// only (`PermissionCheckFailureException`, checked first); a source
/// package of another organization or none is
/// `NoSuchPackageException` (`PackageFactory.lookupPackageSourceByIdAndOrg`
/// answers null); answers 1. Binary packages built from it stay.
fn remove(node: &Node, call: &Call<'_>) -> Result<Value, xmlrpc::Fault> {
    let user = call.user(node)?;
    require_role(&user, &[])?;
    let psid = call.int("psid")?;
    let mut data = node.write();
    let held = i32::try_from(psid)
        .ok()
        .filter(|id| data.source_packages.contains_key(id))
        .filter(|_| in_default_org(&data, user.id));
    let id = held.ok_or_else(faults::no_such_package)?;
    data.source_packages.remove(&id);
    Ok(Value::Int(1))
}

/// Whether the user with id `user` is of the default organization, which
/// holds the source packages: every user but the administrators
/// `org.create` made for other organizations.
fn in_default_org(data: &NodeData, user: i32) -> bool {
    !data
        .orgs
        .iter()
        .any(|o| o.id != DEFAULT_ORG_ID && o.admin == Some(user))
}
