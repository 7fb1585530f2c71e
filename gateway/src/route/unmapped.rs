//! Calls that name an object by an id every node numbers on its own and
//! the cluster does not map: recurring action schedules (`recurring.*`,
//! `recurringaction.*`). A schedule made through the gateway exists on
//! every node, each under its own id, and the gateway answers the first
//! node's. Sent to every node, `delete(id)` would delete a different
//! schedule, or none, on each of the others; a fan-out `lookupById` would
//! unite different schedules into one answer. With more than one serving
//! node these calls are refused with a fault that says so; creating and
//! listing schedules work.

use spec::Entry;

use super::recurring::is_recurring;

/// The methods of the recurring namespaces that name one schedule by id.
const BY_SCHEDULE_ID: &[&str] = &["delete", "update", "lookupById"];

/// Why `entry` cannot be served by a cluster of several nodes, if it
/// cannot.
pub(crate) fn refusal(entry: &Entry) -> Option<&'static str> {
    (is_recurring(entry) && BY_SCHEDULE_ID.contains(&entry.method.as_str())).then_some(
        "recurring action schedules are numbered by each node on its own and the cluster \
         does not map their ids; call the node that holds the schedule",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_calls_by_schedule_id_are_refused() {
        let refused = |name: &str| {
            let entries = spec::spec().overloads(name);
            assert!(!entries.is_empty(), "{name}");
            entries.iter().all(|e| refusal(e).is_some())
        };
        for name in [
            "recurring.delete",
            "recurring.lookupById",
            "recurring.highstate.update",
            "recurring.custom.update",
            "recurring.playbook.update",
            "recurringaction.delete",
            "recurringaction.update",
            "recurringaction.lookupById",
        ] {
            assert!(refused(name), "{name}");
        }
        for name in [
            "recurring.highstate.create",
            "recurring.listByEntity",
            "recurringaction.listByEntity",
            "system.deleteSystems",
            "activationkey.delete",
        ] {
            assert!(!refused(name), "{name}");
        }
    }
}
