//! `org.*`: organizations (`listOrgs`, `getDetails` by id or name,
//! `create`, `updateName`, `delete`), after the server's `OrgHandler`;
//! every one of them for SUSE Manager administrators only.
//!
//! The node's default organization (id 1) holds everything else the
//! simulator models: systems, groups, keys, profiles and users. Users
//! have no organization in the simulator: the administrator `org.create`
//! makes joins the node's one list of users (`user.*` shows it beside the
//! others, in organization 1), and its organization counts that user
//! only. A server deletes an organization with its users and systems; the
//! simulator only removes the organization (its administrator stays a
//! user of the node).
//!
//! Organizations are numbered by a sequence from 2, as a fresh server's
//! sequence numbers them after the first one, and an id is not handed out
//! again after a delete. Nodes that made the same organizations in the
//! same order so number them alike, as the gateway expects of real nodes.

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call, org_create, require_sat_admin};
use crate::sim::model::{DEFAULT_ORG_ID, NodeData, Org};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listOrgs" => call.user(node).and_then(|user| {
            require_sat_admin(&user)?;
            let data = node.read();
            Ok(Value::Array(
                data.orgs.iter().map(|o| org_value(&data, o)).collect(),
            ))
        }),
        "getDetails" => details(node, call),
        "create" => org_create::create(node, call),
        "updateName" => update_name(node, call),
        "delete" => delete(node, call),
        _ => return None,
    })
}

/// `NoSuchOrgException` (2850) for the id or name asked for.
pub(super) fn no_such_org(asked: &str) -> xmlrpc::Fault {
    faults::domain(2850, &format!("No such organization: {asked}"))
}

/// Where organization `id` is in `data`'s list; `NoSuchOrgException`
/// when it is none.
fn org_at(data: &NodeData, id: i64) -> Result<usize, xmlrpc::Fault> {
    data.orgs
        .iter()
        .position(|o| i64::from(o.id) == id)
        .ok_or_else(|| no_such_org(&id.to_string()))
}

/// `getDetails` by id (`orgId`) or by name.
fn details(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let data = node.read();
    let (found, asked) = match call.arg("orgId") {
        Some(_) => {
            let id = call.int("orgId")?;
            let found = data.orgs.iter().find(|o| i64::from(o.id) == id);
            (found, id.to_string())
        }
        None => {
            let name = call.str("name")?;
            (data.orgs.iter().find(|o| o.name == name), name.to_owned())
        }
    };
    let org = found.ok_or_else(|| no_such_org(&asked))?;
    Ok(org_value(&data, org))
}

/// `updateName(orgId, name)`: an unknown id is `NoSuchOrgException`; the
/// organization's own name changes nothing; another name is checked as
/// `create` checks it (`OrgManager.checkOrgName`). Answers the
/// organization.
fn update_name(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let id = call.int("orgId")?;
    let name = call.str("name")?;
    let mut data = node.write();
    let pos = org_at(&data, id)?;
    if data.orgs[pos].name != name {
        org_create::check_org_name(&data, name)?;
        data.orgs[pos].name = name.to_owned();
    }
    Ok(org_value(&data, &data.orgs[pos]))
}

/// `delete(orgId)`: an unknown id is `NoSuchOrgException`, the default
/// organization `SatelliteOrgException` (2851, checked after the id, as
/// the server does). Answers 1.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let id = call.int("orgId")?;
    let mut data = node.write();
    let pos = org_at(&data, id)?;
    if data.orgs[pos].id == DEFAULT_ORG_ID {
        // `api.org.cannotperformonsatelliteorg`, with the release's
        // product name for `@@PRODUCT_NAME@@`.
        let (_, _, product) = super::api::identity(node.config().release);
        return Err(faults::domain(
            2851,
            &format!(
                "Cannot perform this operation on the {product} organization. (Org ID {DEFAULT_ORG_ID})"
            ),
        ));
    }
    data.orgs.remove(pos);
    Ok(Value::Int(1))
}

/// An organization as the server's `OrgDtoSerializer` shows it. The
/// default organization counts the node's objects and its users but the
/// administrators of the other organizations; another organization counts
/// its administrator only.
pub(super) fn org_value(data: &NodeData, o: &Org) -> Value {
    let default = o.id == DEFAULT_ORG_ID;
    let others: Vec<i32> = data
        .orgs
        .iter()
        .filter(|other| other.id != o.id)
        .filter_map(|other| other.admin)
        .collect();
    let members = |id: i32| {
        if default {
            !others.contains(&id)
        } else {
            o.admin == Some(id)
        }
    };
    let active_users = data
        .users
        .iter()
        .filter(|u| u.enabled && members(u.id))
        .count();
    let held = |n: usize| Value::Int(if default { count(n) } else { 0 });
    Struct::with_capacity(10)
        .with("id", Value::Int(o.id))
        .with("name", Value::string(&o.name))
        .with("active_users", Value::Int(count(active_users)))
        .with("systems", held(data.systems.len()))
        .with("trusts", Value::Int(0))
        .with("system_groups", held(data.groups.len()))
        .with("activation_keys", held(data.activation_keys.len()))
        .with(
            "kickstart_profiles",
            held(data.custom.kickstart_profiles.len()),
        )
        .with("configuration_channels", Value::Int(0))
        .with("staging_content_enabled", Value::Bool(false))
        .into()
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
