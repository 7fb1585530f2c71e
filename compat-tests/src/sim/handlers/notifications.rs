//! `user.notifications.*`: the logged-in user's notifications
//! (`getNotifications`, `setNotificationsRead`, `setAllNotificationsRead`,
//! `deleteNotifications`), numbered by each node from 1.
//!
//! Follows the server's `UserNotificationsHandler` and
//! `UserNotificationSerializer`. A notification id that is not one of the
//! user's is no fault anywhere: the server logs it and goes on.

use xmlrpc::{MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::Node;
use crate::sim::clock::format_datetime;
use crate::sim::model::Notification;

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "getNotifications" => list(node, call),
        "setNotificationsRead" => set_read(node, call),
        "setAllNotificationsRead" => set_all_read(node, call),
        "deleteNotifications" => delete(node, call),
        _ => return None,
    })
}

/// A notification as the server's `UserNotificationSerializer` shows it:
/// `message` is the message's data as stored (JSON), `summary` its summary
/// with the markup stripped, `type` the notification type's name.
fn notification_value(n: &Notification) -> Value {
    Struct::with_capacity(7)
        .with("id", Value::Int(n.id))
        .with("read", Value::Bool(n.read))
        .with("message", Value::string(&n.data))
        .with("summary", Value::string(&n.summary))
        .with("details", Value::string(&n.details))
        .with("type", Value::string(&n.kind))
        .with("created", Value::DateTime(format_datetime(n.created)))
        .into()
}

/// `getNotifications(unread)`: the user's unread notifications, or all of
/// them. Unverified: the server's query has no order; the simulator lists
/// by id (the order rows are inserted).
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let unread = call.bool("unread")?;
    let data = node.read();
    Ok(Value::Array(
        data.local
            .notifications
            .values()
            .filter(|n| n.user_id == user.id && !(unread && n.read))
            .map(notification_value)
            .collect(),
    ))
}

/// The notification ids a call names, as the server reads them.
fn ids(call: &Call<'_>) -> Result<Vec<i32>, xmlrpc::Fault> {
    Ok(call
        .ints("notifications")?
        .into_iter()
        .filter_map(|id| i32::try_from(id).ok())
        .collect())
}

/// `setNotificationsRead`: marks the user's notifications among the ids
/// read, skips the others, answers 1.
fn set_read(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let ids = ids(call)?;
    let mut data = node.write();
    for id in ids {
        if let Some(n) = data.local.notifications.get_mut(&id)
            && n.user_id == user.id
        {
            n.read = true;
        }
    }
    Ok(Value::Int(1))
}

/// `setAllNotificationsRead`: marks all the user's notifications read,
/// answers 1.
fn set_all_read(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let mut data = node.write();
    for n in data.local.notifications.values_mut() {
        if n.user_id == user.id {
            n.read = true;
        }
    }
    Ok(Value::Int(1))
}

/// `deleteNotifications`: deletes the user's notifications among the ids
/// and answers 1 when that was every id given, else 0 (the ones found are
/// deleted all the same).
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let ids = call.ints("notifications")?;
    let mut data = node.write();
    let mut deleted = 0;
    for id in &ids {
        let Ok(id) = i32::try_from(*id) else { continue };
        if data
            .local
            .notifications
            .get(&id)
            .is_some_and(|n| n.user_id == user.id)
        {
            data.local.notifications.remove(&id);
            deleted += 1;
        }
    }
    Ok(Value::Int(i32::from(deleted == ids.len())))
}
