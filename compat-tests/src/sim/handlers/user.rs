//! `user.*`: the organization's users.

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call, require_role};
use crate::sim::model::User;
use crate::sim::{Node, faults};

/// Roles an organization administrator can hand out.
const ASSIGNABLE_ROLES: &[&str] = &[
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
        _ => return None,
    })
}

fn list_users(node: &Node) -> Value {
    let data = node.read();
    let mut users: Vec<&User> = data.users.iter().collect();
    users.sort_by(|a, b| a.login.cmp(&b.login));
    Value::Array(
        users
            .into_iter()
            .map(|u| {
                Struct::with_capacity(4)
                    .with("id", Value::Int(u.id))
                    .with("login", Value::string(&u.login))
                    .with("login_uc", Value::string(u.login.to_uppercase()))
                    .with("enabled", Value::Bool(u.enabled))
                    .into()
            })
            .collect(),
    )
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
    let password = call.str("password")?;
    if login.chars().count() < MIN_LOGIN {
        return Err(faults::domain(
            1,
            "This does not appear to be a valid username.",
        ));
    }
    if call.arg("usePamAuth").and_then(Value::as_i64) != Some(1)
        && password.chars().count() < MIN_PASSWORD
    {
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
    data.users.push(User {
        id,
        login: login.to_owned(),
        password: password.to_owned(),
        first_name: call.str("firstName")?.to_owned(),
        last_name: call.str("lastName")?.to_owned(),
        email: call.str("email")?.to_owned(),
        enabled: true,
        roles: Vec::new(),
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
