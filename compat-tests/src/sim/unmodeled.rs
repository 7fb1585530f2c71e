//! Answers for catalog methods the simulator does not model.
//!
//! Never a made-up success: a call naming a system this node does not hold
//! gets the server's `No such system` fault; a plain listing of a kind of
//! data the simulator holds none of (kickstart IP ranges, image stores,
//! ...) gets the empty list a server without such data answers;
//! anything else gets the server's internal-error fault, naming the method,
//! so a test that strays outside the model fails loudly.

use spec::{RouteClass, Type};
use xmlrpc::{MethodResponse, Value};

use super::handlers::Call;
use super::{Node, faults};

/// Namespaces whose data the simulator holds: an unmodelled listing there
/// would hide real data, so it is a fault, not an empty list.
const MODELLED_DATA: &[&str] = &[
    "system",
    "schedule",
    "channel",
    "channel.software",
    "user",
    "org",
    "activationkey",
    "systemgroup",
    "packages",
    "errata",
    "configchannel",
    "user.external",
    "maintenance",
    "kickstart.snippet",
];

/// The answer for a resolved call no handler models.
pub(crate) fn answer(node: &Node, call: &Call<'_>) -> MethodResponse {
    let entry = call.entry;
    if entry.route.class == RouteClass::System
        && let Some(index) = entry.route.param
        && let Some(arg) = call.params.get(index)
    {
        let ids: Vec<i64> = match arg {
            Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
            other => other.as_i64().into_iter().collect(),
        };
        let data = node.read();
        let unknown = ids
            .iter()
            .any(|id| i32::try_from(*id).map_or(true, |id| !data.systems.contains_key(&id)));
        if unknown {
            return Err(faults::no_such_system());
        }
    }
    let plain_listing = entry.method.starts_with("list")
        && matches!(entry.returns, Type::Array(_))
        && entry.params.len() == usize::from(entry.session);
    if plain_listing && !MODELLED_DATA.contains(&entry.namespace.as_str()) {
        return Ok(Value::Array(Vec::new()));
    }
    Err(faults::internal(&format!(
        "{}.{} is not modelled by the SUSE Manager node simulator (uyuni-sim)",
        entry.namespace, entry.method
    )))
}
