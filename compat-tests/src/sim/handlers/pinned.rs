//! `subscriptionmatching.pinnedsubscription.*`: the node's pinned
//! subscriptions (`create`, `list`, `delete`), numbered by each node
//! from 1. None are seeded.
//!
//! Follows the server's `PinnedSubscriptionHandler` and
//! `PinnedSubscriptionSerializer`. The server checks neither the
//! subscription id nor the system id (its table has no foreign keys), only
//! that the pair is not pinned already.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call, require_sat_admin};
use crate::sim::model::{PinnedSubscription, take_id};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "create" => create(node, call),
        "list" => list(node, call),
        "delete" => delete(node, call),
        _ => return None,
    })
}

/// A pin as the server's `PinnedSubscriptionSerializer` shows it.
fn pin_value(p: &PinnedSubscription) -> Value {
    Struct::with_capacity(3)
        .with("id", Value::Int(p.id))
        .with("subscription_id", Value::Int(p.subscription_id))
        .with("system_id", Value::Int(p.system_id))
        .into()
}

/// `PinnedSubscriptionHandler.create(subscriptionId, sid)`: answers the
/// new pin; the same pair twice is `InvalidParameterException` (1213).
fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let subscription_id = int_arg(call, "subscriptionId")?;
    let system_id = int_arg(call, "sid")?;
    let mut data = node.write();
    let exists = data
        .local
        .pinned_subscriptions
        .values()
        .any(|p| p.subscription_id == subscription_id && p.system_id == system_id);
    if exists {
        return Err(faults::domain(
            1213,
            "Pinned Subscription with given parameters already exists.",
        ));
    }
    let id = take_id(&mut data.local.next_pinned_subscription_id);
    let pin = PinnedSubscription {
        id,
        subscription_id,
        system_id,
    };
    let value = pin_value(&pin);
    data.local.pinned_subscriptions.insert(id, pin);
    Ok(value)
}

/// An `int` argument (XML-RPC ints are 32-bit).
fn int_arg(call: &Call<'_>, name: &str) -> Result<i32, Fault> {
    let v = call.int(name)?;
    i32::try_from(v).map_err(|_| faults::internal(&format!("{name} out of range")))
}

/// `PinnedSubscriptionHandler.list`. Unverified: the server's query has no
/// order; the simulator lists by id.
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let data = node.read();
    Ok(Value::Array(
        data.local
            .pinned_subscriptions
            .values()
            .map(pin_value)
            .collect(),
    ))
}

/// `PinnedSubscriptionHandler.delete(pinnedSubscriptionId)`: the pin's own
/// id (not the subscription's); 1, or `InvalidParameterException`.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let id = call.int("subscriptionId")?;
    let mut data = node.write();
    i32::try_from(id)
        .ok()
        .and_then(|id| data.local.pinned_subscriptions.remove(&id))
        .map(|_| Value::Int(1))
        .ok_or_else(|| faults::domain(1213, "Pinned Subscription with given id doesn't exist."))
}
