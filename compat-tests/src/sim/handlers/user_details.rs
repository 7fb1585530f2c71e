//! `user.getDetails` and `user.listRoles`: one user's account, looked up
//! as the server's `XmlRpcUserHelper.lookupTargetUser` does (unknown
//! login: `No such user`; another user's account needs an organization
//! administrator).

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::model::{NodeData, User};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "getDetails" => with_target(node, call, details),
        "listRoles" => with_target(node, call, |_, target| {
            let mut roles = target.roles.clone();
            roles.sort();
            Value::Array(roles.into_iter().map(Value::string).collect())
        }),
        _ => return None,
    })
}

/// Answers `read` of the user named by the `login` argument.
fn with_target(
    node: &Node,
    call: &Call<'_>,
    read: impl FnOnce(&NodeData, &User) -> Value,
) -> MethodResponse {
    let caller = call.user(node)?;
    let login = call.str("login")?;
    let data = node.read();
    let target = data.user(login).ok_or_else(faults::no_such_user)?;
    let org_admin = caller
        .roles
        .iter()
        .any(|r| r == "org_admin" || r == "satellite_admin");
    if target.id != caller.id && !org_admin {
        return Err(faults::permission_denied());
    }
    Ok(read(&data, target))
}

/// The user details struct. The organization is the caller's, as on the
/// server. The simulator keeps no account history: `created_date` and
/// `last_login_date` are empty, as the server leaves them when unset.
fn details(data: &NodeData, u: &User) -> Value {
    let (org_id, org_name) = data
        .orgs
        .first()
        .map_or((1, ""), |o| (o.id, o.name.as_str()));
    Struct::with_capacity(13)
        .with("first_names", Value::string(&u.first_name))
        .with("first_name", Value::string(&u.first_name))
        .with("last_name", Value::string(&u.last_name))
        .with("email", Value::string(&u.email))
        .with("prefix", Value::string(""))
        .with("last_login_date", Value::string(""))
        .with("created_date", Value::string(""))
        .with("org_id", Value::Int(org_id))
        .with("org_name", Value::string(org_name))
        .with("enabled", Value::Bool(u.enabled))
        .with("use_pam", Value::Bool(u.use_pam))
        .with("read_only", Value::Bool(false))
        .with("errata_notification", Value::Bool(true))
        .into()
}
