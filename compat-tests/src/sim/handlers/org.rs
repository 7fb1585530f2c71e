//! `org.*`: organizations.

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call, require_role};
use crate::sim::model::{NodeData, Org};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listOrgs" => call.user(node).and_then(|user| {
            require_role(&user, &["satellite_admin"])?;
            let data = node.read();
            Ok(Value::Array(
                data.orgs.iter().map(|o| org_value(&data, o)).collect(),
            ))
        }),
        "getDetails" => details(node, call),
        _ => return None,
    })
}

/// `getDetails` by id (`orgId`) or by name; satellite administrators
/// only, as on the server.
fn details(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    require_role(&user, &["satellite_admin"])?;
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
    let org =
        found.ok_or_else(|| faults::domain(2850, &format!("No such organization: {asked}")))?;
    Ok(org_value(&data, org))
}

/// An organization as the server's `OrgDtoSerializer` shows it.
fn org_value(data: &NodeData, o: &Org) -> Value {
    Struct::with_capacity(10)
        .with("id", Value::Int(o.id))
        .with("name", Value::string(&o.name))
        .with(
            "active_users",
            Value::Int(count(data.users.iter().filter(|u| u.enabled).count())),
        )
        .with("systems", Value::Int(count(data.systems.len())))
        .with("trusts", Value::Int(0))
        .with("system_groups", Value::Int(count(data.groups.len())))
        .with(
            "activation_keys",
            Value::Int(count(data.activation_keys.len())),
        )
        .with(
            "kickstart_profiles",
            Value::Int(count(data.custom.kickstart_profiles.len())),
        )
        .with("configuration_channels", Value::Int(0))
        .with("staging_content_enabled", Value::Bool(false))
        .into()
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
