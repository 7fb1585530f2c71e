//! `org.*`: organizations.

use xmlrpc::{Struct, Value};

use super::{Answer, Call, require_role};
use crate::sim::Node;

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listOrgs" => call.user(node).and_then(|user| {
            require_role(&user, &["satellite_admin"])?;
            let data = node.read();
            Ok(Value::Array(
                data.orgs
                    .iter()
                    .map(|o| {
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
                            .with("kickstart_profiles", Value::Int(0))
                            .with("configuration_channels", Value::Int(0))
                            .with("staging_content_enabled", Value::Bool(false))
                            .into()
                    })
                    .collect(),
            ))
        }),
        _ => return None,
    })
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
