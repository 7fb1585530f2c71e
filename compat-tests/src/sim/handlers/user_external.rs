//! `user.external`: how externally (IPA) authenticated users are set up.
//! External group to role maps (`createExternalGroupToRoleMap`,
//! `getExternalGroupToRoleMap`, `setExternalGroupRoles`,
//! `deleteExternalGroupToRoleMap`, `listExternalGroupToRoleMaps`),
//! external group to system group maps (`createExternalGroupToSystemGroupMap`,
//! `getExternalGroupToSystemGroupMap`, `setExternalGroupSystemGroups`,
//! `deleteExternalGroupToSystemGroupMap`, `listExternalGroupToSystemGroupMaps`)
//! and the settings `getKeepTemporaryRoles`/`setKeepTemporaryRoles`,
//! `getUseOrgUnit`/`setUseOrgUnit`, `getDefaultOrg`/`setDefaultOrg`.
//! None are seeded; the settings start as a fresh server's
//! (`rhnConfiguration` defaults: false, false, unset).
//!
//! Follows the server's `UserExternalHandler`, `UserExtGroupSerializer`
//! (`name`, `roles`) and `OrgUserExtGroupSerializer` (`name`, `groups`):
//! the role maps and the settings are for a SUSE Manager administrator
//! only (`ensureSatAdmin`), the system group maps for an organization
//! administrator (`ensureOrgAdmin`). A role map keeps `org_admin` without
//! the roles it implies and shows them with it; `set*` replaces a map's
//! roles or groups, never adds to them. A name is checked before the
//! roles or groups are, and a call that fails changes nothing. The fault
//! texts are the server's catalog's (`api.externalgroup.*`,
//! `extgrouplabel.already.exists`). Simplified: one organization; no
//! temporary roles exist, so turning `keepRoles` off drops none. Unverified:
//! names compared with case, listings and the roles and groups of a map
//! ordered by name (the server's come from hash sets), and how the server
//! writes the null `getExternalGroupToSystemGroupMap` answers for a name it
//! does not hold (here `<nil/>`).

use std::collections::BTreeSet;

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::user::ASSIGNABLE_ROLES;
use super::{Answer, Call, require_role, require_sat_admin};
use crate::sim::model::{ExternalGroupMap, ExternalRoleMap, NodeData};
use crate::sim::{Node, faults};

/// `user.external.*`.
pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "createExternalGroupToRoleMap" => create_role_map(node, call),
        "getExternalGroupToRoleMap" => get_role_map(node, call),
        "setExternalGroupRoles" => set_roles(node, call),
        "deleteExternalGroupToRoleMap" => delete_role_map(node, call),
        "listExternalGroupToRoleMaps" => list_role_maps(node, call),
        "createExternalGroupToSystemGroupMap" => create_group_map(node, call),
        "getExternalGroupToSystemGroupMap" => get_group_map(node, call),
        "setExternalGroupSystemGroups" => set_groups(node, call),
        "deleteExternalGroupToSystemGroupMap" => delete_group_map(node, call),
        "listExternalGroupToSystemGroupMaps" => list_group_maps(node, call),
        "getKeepTemporaryRoles" => get_setting(node, call, |d| {
            Value::Bool(d.custom.external_auth.keep_temporary_roles)
        }),
        "setKeepTemporaryRoles" => set_flag(node, call, "keepRoles", |d, keep| {
            d.custom.external_auth.keep_temporary_roles = keep;
        }),
        "getUseOrgUnit" => get_setting(node, call, |d| {
            Value::Bool(d.custom.external_auth.use_org_unit)
        }),
        "setUseOrgUnit" => set_flag(node, call, "useOrgUnit", |d, use_it| {
            d.custom.external_auth.use_org_unit = use_it;
        }),
        "getDefaultOrg" => get_setting(node, call, |d| {
            Value::Int(d.custom.external_auth.default_org.unwrap_or(0))
        }),
        "setDefaultOrg" => set_default_org(node, call),
        _ => return None,
    })
}

/// `ExternalGroupAlreadyExistsException` (9514), for role and system
/// group maps alike.
fn already_exists(name: &str) -> Fault {
    faults::domain(
        9514,
        &format!(
            "External Authentication Group name '{name}' is already used. Please choose another one."
        ),
    )
}

/// `NoSuchExternalGroupToRoleMapException` (2856).
fn no_such_role_map(name: &str) -> Fault {
    faults::domain(
        2856,
        &format!("No external group to role map exists for group: {name}"),
    )
}

/// `NoSuchExternalGroupToServerGroupMapException` (6845).
fn no_such_group_map(name: &str) -> Fault {
    faults::domain(
        6845,
        &format!("No external group to server group map exists for group: {name}"),
    )
}

/// The `roles` argument as a set of role labels: each must be a role the
/// server knows (`RoleFactory.lookupByLabel`), else `InvalidRoleException`
/// (4856) naming the first that is not. With `org_admin` among them, the
/// roles it implies are dropped (`removeImpliedRoles`).
fn roles(call: &Call<'_>) -> Result<BTreeSet<String>, Fault> {
    let mut roles = BTreeSet::new();
    for role in call.strs("roles")? {
        if !ASSIGNABLE_ROLES.contains(&role.as_str()) {
            return Err(faults::domain(4856, &format!("Invalid role: {role}")));
        }
        roles.insert(role);
    }
    if roles.contains("org_admin") {
        for implied in ExternalRoleMap::IMPLIED_BY_ORG_ADMIN {
            roles.remove(*implied);
        }
    }
    Ok(roles)
}

/// A role map as `UserExtGroupSerializer` shows it: `name`, `roles` (with
/// the roles `org_admin` implies).
fn role_map_value(map: &ExternalRoleMap) -> Value {
    Struct::with_capacity(2)
        .with("name", Value::string(&map.name))
        .with(
            "roles",
            Value::Array(map.shown_roles().into_iter().map(Value::string).collect()),
        )
        .into()
}

/// `createExternalGroupToRoleMap(name, roles)`: the new map.
fn create_role_map(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let name = call.str("name")?;
    let mut data = node.write();
    let maps = &mut data.custom.external_role_maps;
    if maps.contains_key(name) {
        return Err(already_exists(name));
    }
    let map = ExternalRoleMap {
        name: name.to_owned(),
        roles: roles(call)?,
    };
    let value = role_map_value(&map);
    maps.insert(map.name.clone(), map);
    Ok(value)
}

/// `getExternalGroupToRoleMap(name)`.
fn get_role_map(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let name = call.str("name")?;
    let data = node.read();
    data.custom
        .external_role_maps
        .get(name)
        .map(role_map_value)
        .ok_or_else(|| no_such_role_map(name))
}

/// `setExternalGroupRoles(name, roles)`: the map's roles replaced; 1.
fn set_roles(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let name = call.str("name")?;
    let mut data = node.write();
    let map = data
        .custom
        .external_role_maps
        .get_mut(name)
        .ok_or_else(|| no_such_role_map(name))?;
    map.roles = roles(call)?;
    Ok(Value::Int(1))
}

/// `deleteExternalGroupToRoleMap(name)`: 1. Users keep the roles the map
/// gave them until their next external login.
fn delete_role_map(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let name = call.str("name")?;
    let mut data = node.write();
    data.custom
        .external_role_maps
        .remove(name)
        .ok_or_else(|| no_such_role_map(name))?;
    Ok(Value::Int(1))
}

/// `listExternalGroupToRoleMaps()`: every role map.
fn list_role_maps(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let data = node.read();
    Ok(Value::Array(
        data.custom
            .external_role_maps
            .values()
            .map(role_map_value)
            .collect(),
    ))
}

/// `ensureOrgAdmin`: an organization administrator (a SUSE Manager
/// administrator passes too, as the simulator's other checks let it).
fn require_org_admin(node: &Node, call: &Call<'_>) -> Result<(), Fault> {
    require_role(&call.user(node)?, &[])
}

/// The `groupNames` argument as system group ids: each must be a group
/// of the organization, else `InvalidServerGroupException` (2200) naming
/// the first that is not.
fn group_ids(data: &NodeData, call: &Call<'_>) -> Result<BTreeSet<i32>, Fault> {
    call.strs("groupNames")?
        .iter()
        .map(|name| {
            data.groups.get(name).map(|g| g.id).ok_or_else(|| {
                faults::domain(2200, &format!("No such server group exists: {name}"))
            })
        })
        .collect()
}

/// A system group map as `OrgUserExtGroupSerializer` shows it: `name`,
/// `groups` (the system groups' names).
fn group_map_value(data: &NodeData, map: &ExternalGroupMap) -> Value {
    let mut names: Vec<&str> = data
        .groups
        .values()
        .filter(|g| map.group_ids.contains(&g.id))
        .map(|g| g.name.as_str())
        .collect();
    names.sort_unstable();
    Struct::with_capacity(2)
        .with("name", Value::string(&map.name))
        .with(
            "groups",
            Value::Array(names.into_iter().map(Value::string).collect()),
        )
        .into()
}

/// `createExternalGroupToSystemGroupMap(name, groupNames)`: the new map.
fn create_group_map(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let name = call.str("name")?;
    let mut data = node.write();
    if data.custom.external_group_maps.contains_key(name) {
        return Err(already_exists(name));
    }
    let map = ExternalGroupMap {
        name: name.to_owned(),
        group_ids: group_ids(&data, call)?,
    };
    let value = group_map_value(&data, &map);
    data.custom
        .external_group_maps
        .insert(map.name.clone(), map);
    Ok(value)
}

/// `getExternalGroupToSystemGroupMap(name)`: the map; for a name the node
/// does not hold the server answers null, no fault.
fn get_group_map(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let name = call.str("name")?;
    let data = node.read();
    Ok(data
        .custom
        .external_group_maps
        .get(name)
        .map_or(Value::Nil, |map| group_map_value(&data, map)))
}

/// `setExternalGroupSystemGroups(name, groupNames)`: the map's groups
/// replaced; 1.
fn set_groups(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let name = call.str("name")?;
    let mut data = node.write();
    if !data.custom.external_group_maps.contains_key(name) {
        return Err(no_such_group_map(name));
    }
    let ids = group_ids(&data, call)?;
    let map = data
        .custom
        .external_group_maps
        .get_mut(name)
        .expect("checked above");
    map.group_ids = ids;
    Ok(Value::Int(1))
}

/// `deleteExternalGroupToSystemGroupMap(name)`: 1; the system groups stay.
fn delete_group_map(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let name = call.str("name")?;
    let mut data = node.write();
    data.custom
        .external_group_maps
        .remove(name)
        .ok_or_else(|| no_such_group_map(name))?;
    Ok(Value::Int(1))
}

/// `listExternalGroupToSystemGroupMaps()`: every system group map.
fn list_group_maps(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let data = node.read();
    Ok(Value::Array(
        data.custom
            .external_group_maps
            .values()
            .map(|map| group_map_value(&data, map))
            .collect(),
    ))
}

/// A `get*` setting call: SUSE Manager administrators only.
fn get_setting(
    node: &Node,
    call: &Call<'_>,
    get: impl FnOnce(&NodeData) -> Value,
) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    Ok(get(&node.read()))
}

/// `setKeepTemporaryRoles(keepRoles)`, `setUseOrgUnit(useOrgUnit)`: the
/// boolean argument `param` stored by `set`; 1.
fn set_flag(
    node: &Node,
    call: &Call<'_>,
    param: &str,
    set: impl FnOnce(&mut NodeData, bool),
) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let flag = call.bool(param)?;
    set(&mut node.write(), flag);
    Ok(Value::Int(1))
}

/// `setDefaultOrg(orgId)`: 0 unsets it; any other id must be an
/// organization's (`verifyOrgExists`, `NoSuchOrgException` 2850); 1. The
/// setting keeps the id if that organization is deleted later (the
/// server does not reset it).
fn set_default_org(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let id = call.int("orgId")?;
    let mut data = node.write();
    let org = if id == 0 {
        None
    } else {
        let org = data
            .orgs
            .iter()
            .find(|o| i64::from(o.id) == id)
            .ok_or_else(|| super::org::no_such_org(&id.to_string()))?;
        Some(org.id)
    };
    data.custom.external_auth.default_org = org;
    Ok(Value::Int(1))
}
