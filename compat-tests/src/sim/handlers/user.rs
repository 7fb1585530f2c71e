//! `user.*`: the organization's users.

use xmlrpc::{MethodResponse, Struct, Value};

use super::systemgroup::group_value;
use super::{Answer, Call, require_role};
use crate::sim::model::User;
use crate::sim::{Node, faults};

/// Roles an organization administrator can hand out (the roles the
/// server's `RoleFactory` knows).
pub(super) const ASSIGNABLE_ROLES: &[&str] = &[
    "satellite_admin",
    "org_admin",
    "channel_admin",
    "config_admin",
    "system_group_admin",
    "activation_key_admin",
    "image_admin",
];

/// Shortest login and password the server accepts.
const MIN_LOGIN: usize = 5;
const MIN_PASSWORD: usize = 5;

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listUsers" => Ok(list_users(node)),
        "listAssignableRoles" => list_assignable_roles(node, call),
        "create" => create(node, call),
        "delete" => delete(node, call),
        "addRole" | "removeRole" => role(node, call, method == "addRole"),
        "enable" | "disable" => account(node, call, |u| u.enabled = method == "enable"),
        "usePamAuthentication" => {
            let pam = call.int("val").map(|v| v == 1);
            match pam {
                Ok(pam) => account(node, call, |u| u.use_pam = pam),
                Err(e) => Err(e),
            }
        }
        "listAssignedSystemGroups" => groups_of(node, call, Groups::Assigned),
        "listDefaultSystemGroups" => groups_of(node, call, Groups::Default),
        "addAssignedSystemGroup" => change_groups(node, call, Groups::Assigned, Change::AddOne),
        "addAssignedSystemGroups" => change_groups(node, call, Groups::Assigned, Change::Add),
        "removeAssignedSystemGroup" => {
            change_groups(node, call, Groups::Assigned, Change::RemoveOne)
        }
        "removeAssignedSystemGroups" => change_groups(node, call, Groups::Assigned, Change::Remove),
        "addDefaultSystemGroup" => change_groups(node, call, Groups::Default, Change::AddOne),
        "addDefaultSystemGroups" => change_groups(node, call, Groups::Default, Change::Add),
        "removeDefaultSystemGroup" => change_groups(node, call, Groups::Default, Change::RemoveOne),
        "removeDefaultSystemGroups" => change_groups(node, call, Groups::Default, Change::Remove),
        _ => return None,
    })
}

fn list_users(node: &Node) -> Value {
    let data = node.read();
    let mut users: Vec<&User> = data.users.iter().collect();
    users.sort_by(|a, b| a.login.cmp(&b.login));
    Value::Array(users.into_iter().map(short).collect())
}

/// A user as the server's `UserSerializer` shows it in listings.
pub(super) fn short(u: &User) -> Value {
    Struct::with_capacity(4)
        .with("id", Value::Int(u.id))
        .with("login", Value::string(&u.login))
        .with("login_uc", Value::string(u.login.to_uppercase()))
        .with("enabled", Value::Bool(u.enabled))
        .into()
}

fn list_assignable_roles(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let roles: Vec<Value> = if user
        .roles
        .iter()
        .any(|r| r == "org_admin" || r == "satellite_admin")
    {
        ASSIGNABLE_ROLES.iter().map(|r| Value::string(*r)).collect()
    } else {
        Vec::new()
    };
    Ok(Value::Array(roles))
}

fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    let admin = call.user(node)?;
    require_role(&admin, &[])?;
    let login = call.str("login")?;
    let mut password = call.str("password")?.to_owned();
    // `ensurePasswordOrPamAuth`, before any other check.
    let use_pam = call.arg("usePamAuth").and_then(Value::as_i64) == Some(1);
    if !use_pam && password.is_empty() {
        return Err(faults::domain(
            -501,
            "Password is required if not using PAM authentication",
        ));
    }
    if login.chars().count() < MIN_LOGIN {
        return Err(faults::domain(
            1,
            "This does not appear to be a valid username.",
        ));
    }
    if !use_pam && password.chars().count() < MIN_PASSWORD {
        return Err(faults::invalid_parameter(
            "Password must be at least 5 characters",
        ));
    }
    let mut data = node.write();
    if data.user(login).is_some() {
        return Err(faults::invalid_parameter(&format!(
            "Error: login {login} already exists"
        )));
    }
    let id = data.next_user_id;
    data.next_user_id += 1;
    if use_pam {
        // The server stores a random password for a PAM user.
        password = format!(
            "pam-{}",
            crate::sim::seed::SplitMix64::new(u64::from(id.unsigned_abs())).hex32()
        );
    }
    data.users.push(User {
        id,
        login: login.to_owned(),
        password,
        first_name: call.str("firstName")?.to_owned(),
        last_name: call.str("lastName")?.to_owned(),
        email: call.str("email")?.to_owned(),
        enabled: true,
        use_pam,
        roles: Vec::new(),
        assigned_groups: Vec::new(),
        default_groups: Vec::new(),
    });
    Ok(Value::Int(1))
}

fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    let admin = call.user(node)?;
    require_role(&admin, &[])?;
    let login = call.str("login")?;
    let mut data = node.write();
    let pos = data
        .users
        .iter()
        .position(|u| u.login == login)
        .ok_or_else(faults::no_such_user)?;
    let removed = data.users.remove(pos);
    drop(data);
    node.sessions().close_user(removed.id);
    Ok(Value::Int(1))
}

/// `enable`, `disable`, `usePamAuthentication`: an organization
/// administrator changes user `login`'s account with `change`.
fn account(node: &Node, call: &Call<'_>, change: impl FnOnce(&mut User)) -> MethodResponse {
    let admin = call.user(node)?;
    require_role(&admin, &[])?;
    let login = call.str("login")?;
    let mut data = node.write();
    let user = data.user_mut(login).ok_or_else(faults::no_such_user)?;
    change(user);
    Ok(Value::Int(1))
}

/// `addRole` / `removeRole(login, role)`: one of the roles an
/// organization administrator hands out (unverified: the fault for
/// another).
fn role(node: &Node, call: &Call<'_>, add: bool) -> MethodResponse {
    let role = call.str("role")?.to_owned();
    if !ASSIGNABLE_ROLES.contains(&role.as_str()) {
        return Err(faults::domain(-1, &format!("No such role: {role}")));
    }
    // `modifySatAdminRole`: only a satellite administrator hands it out.
    if role == "satellite_admin" && !call.user(node)?.roles.iter().any(|r| r == &role) {
        return Err(faults::permission_denied());
    }
    account(node, call, |u| {
        u.roles.retain(|r| *r != role);
        if add {
            u.roles.push(role);
        }
    })
}

/// A user's system groups: those the user administers, or those the
/// systems the user registers join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Groups {
    Assigned,
    Default,
}

/// A change to a user's groups, by the groups' names: one (`sgName` or,
/// for `addDefaultSystemGroup`, `name`) or a list (`sgNames`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    AddOne,
    Add,
    RemoveOne,
    Remove,
}

impl Groups {
    fn of(self, user: &mut User) -> &mut Vec<i32> {
        match self {
            Groups::Assigned => &mut user.assigned_groups,
            Groups::Default => &mut user.default_groups,
        }
    }
}

/// `user.listAssignedSystemGroups`, `user.listDefaultSystemGroups`: the
/// groups as `systemgroup.getDetails` shows them, by id.
fn groups_of(node: &Node, call: &Call<'_>, which: Groups) -> MethodResponse {
    call.user(node)?;
    let login = call.str("login")?;
    let data = node.read();
    let user = data.user(login).ok_or_else(faults::no_such_user)?;
    let mut ids = match which {
        Groups::Assigned => user.assigned_groups.clone(),
        Groups::Default => user.default_groups.clone(),
    };
    ids.sort_unstable();
    Ok(Value::Array(
        ids.into_iter()
            .filter_map(|id| data.group_by_id(i64::from(id)))
            .map(group_value)
            .collect(),
    ))
}

/// Adds or removes groups, named by name, to or from a user's list. For
/// the assigned groups, `setDefault` makes the change to the default
/// groups too. Every name must be a group of the node's, else nothing
/// changes.
fn change_groups(node: &Node, call: &Call<'_>, which: Groups, change: Change) -> MethodResponse {
    let admin = call.user(node)?;
    require_role(&admin, &[])?;
    let login = call.str("login")?;
    let names = match change {
        Change::Add | Change::Remove => call.strs("sgNames")?,
        Change::AddOne if which == Groups::Default => vec![call.str("name")?.to_owned()],
        Change::AddOne | Change::RemoveOne => vec![call.str("sgName")?.to_owned()],
    };
    let also_default = which == Groups::Assigned && call.bool("setDefault")?;
    let mut data = node.write();
    let mut ids = Vec::with_capacity(names.len());
    for name in &names {
        let group = data
            .groups
            .get(name)
            .ok_or_else(|| faults::no_such_group(name))?;
        ids.push(group.id);
    }
    let user = data.user_mut(login).ok_or_else(faults::no_such_user)?;
    let adding = matches!(change, Change::AddOne | Change::Add);
    let mut lists = vec![which];
    if also_default {
        lists.push(Groups::Default);
    }
    for list in lists {
        let list = list.of(user);
        for id in &ids {
            list.retain(|g| g != id);
            if adding {
                list.push(*id);
            }
        }
    }
    Ok(Value::Int(1))
}
