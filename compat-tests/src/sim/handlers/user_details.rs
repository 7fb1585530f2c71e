//! `user.getDetails`, `user.setDetails` and `user.listRoles`: one user's
//! account, looked up as the server's `XmlRpcUserHelper.lookupTargetUser`
//! does (unknown login: `No such user`; another user's account needs an
//! organization administrator).

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::model::{NodeData, User};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "getDetails" => with_target(node, call, details),
        "setDetails" => set_details(node, call),
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
    may_reach(&caller, target)?;
    Ok(read(&data, target))
}

/// Another user's account needs an organization administrator.
fn may_reach(caller: &User, target: &User) -> Result<(), xmlrpc::Fault> {
    let org_admin = caller
        .roles
        .iter()
        .any(|r| r == "org_admin" || r == "satellite_admin");
    if target.id != caller.id && !org_admin {
        return Err(faults::permission_denied());
    }
    Ok(())
}

/// `setDetails(login, details)`: the members the server lets one change
/// (`UserHandler.USER_EDITABLE_DETAILS`), checked first. The simulator
/// keeps no name prefix: `prefix` is taken and not kept.
fn set_details(node: &Node, call: &Call<'_>) -> MethodResponse {
    let details = call
        .arg("details")
        .and_then(Value::as_struct)
        .ok_or_else(|| faults::internal("missing struct parameter details"))?;
    super::activationkey::check_members(
        details,
        &[
            "first_names",
            "first_name",
            "last_name",
            "email",
            "prefix",
            "password",
        ],
    )?;
    let member = |name: &str| -> Result<Option<String>, xmlrpc::Fault> {
        details
            .get(name)
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| faults::internal(&format!("{name} is of the wrong type")))
            })
            .transpose()
    };
    let first = match member("first_name")? {
        Some(first) => Some(first),
        None => member("first_names")?,
    };
    let (last, email, password) = (member("last_name")?, member("email")?, member("password")?);
    member("prefix")?;
    let caller = call.user(node)?;
    let login = call.str("login")?;
    let mut data = node.write();
    let target = data.user_mut(login).ok_or_else(faults::no_such_user)?;
    may_reach(&caller, target)?;
    for (value, field) in [
        (first, &mut target.first_name),
        (last, &mut target.last_name),
        (email, &mut target.email),
        (password, &mut target.password),
    ] {
        if let Some(value) = value {
            *field = value;
        }
    }
    Ok(Value::Int(1))
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
