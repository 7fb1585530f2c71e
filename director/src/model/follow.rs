//! What the gateways queued for a following node (staged or failed) and
//! what of it they settled: the director's check that none of it was lost
//! unseen, a gateway killed with changes in its queue included.
//!
//! Each gateway process keeps, per node it sends changes to, one record
//! `node-follows/<node>/<gateway>` ([`FollowCount`]): `queued` grows
//! before the client that made the change gets its answer, `settled` once
//! the change was sent or counted as missed (`node-misses/<node>`, written
//! before `settled`). A gateway writes its own totals since it started,
//! each count at least what the record holds, so a write tried again
//! counts nothing twice and a record removed is written whole again with
//! the next change. A gateway stopped cleanly removes its records once
//! they hold nothing unsettled, and the director removes a node's settled
//! ones as it starts serving; one killed leaves its last changes
//! unsettled for good.
//!
//! A seed-node run, and a node's failure, take [`FollowMarks`] (each
//! gateway's `queued` then): a change queued after the marks and not
//! settled is one the node may lack ([`unsettled_since`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One gateway's changes for one following node
/// (`node-follows/<node>/<gateway>`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowCount {
    /// Changes queued for the node, counted before their call answered.
    pub queued: u64,
    /// Of those, the ones sent or counted as missed, oldest first.
    pub settled: u64,
}

impl FollowCount {
    /// Changes queued and not settled yet.
    pub fn unsettled(&self) -> u64 {
        self.queued.saturating_sub(self.settled)
    }

    /// Of the changes queued after the `mark`-th one, those not settled
    /// yet.
    pub fn unsettled_after(&self, mark: u64) -> u64 {
        self.queued.saturating_sub(self.settled.max(mark))
    }

    /// The record as a removal of settled records leaves it: gone when
    /// nothing in it is unsettled (for [`crate::store::Store::update_json`]).
    pub fn kept_unsettled(held: Option<FollowCount>) -> Option<FollowCount> {
        held.filter(|count| count.unsettled() > 0)
    }
}

/// The changes of shared data a node missed, by the method that made
/// them (`node-missed-calls/<id>`): what `node-misses/<id>` counts, named,
/// so that an administrator sees what to redo on the node without
/// reading every gateway's log. The gateways add to it as they count
/// misses; it is kept until an operator clears it (`director node
/// forget-missed`), as the count is only compared, never cleared. Calls'
/// arguments are never kept: they may hold a password.
pub type MissedCalls = BTreeMap<String, MissedCall>;

/// One method's missed changes on a node ([`MissedCalls`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedCall {
    /// How many.
    pub count: u64,
    /// When the first was counted (milliseconds since the Unix epoch, by
    /// the counting gateway's clock).
    pub first: super::Millis,
    /// When the last was counted.
    pub last: super::Millis,
}

impl MissedCall {
    /// `self` and `other` together: counts summed, the earliest first
    /// and the latest last.
    pub fn merged(self, other: MissedCall) -> MissedCall {
        if self.count == 0 {
            return other;
        }
        if other.count == 0 {
            return self;
        }
        MissedCall {
            count: self.count.saturating_add(other.count),
            first: self.first.min(other.first),
            last: self.last.max(other.last),
        }
    }
}

/// Adds `more` to `calls`, method by method ([`MissedCall::merged`]).
pub fn add_missed_calls(calls: &mut MissedCalls, more: &MissedCalls) {
    for (method, call) in more {
        let merged = calls.get(method).copied().unwrap_or_default().merged(*call);
        calls.insert(method.clone(), merged);
    }
}

/// Each gateway's `queued` count for a node at one moment, by gateway.
pub type FollowMarks = BTreeMap<String, u64>;

/// How many records of one node a read takes at most: one per gateway
/// process that followed it and was not stopped cleanly.
pub const FOLLOW_RECORDS: usize = 10_000;

/// The gateway a record of `node` is kept for, from its key (`None`: not
/// one of the node's records).
pub fn follow_gateway<'k>(key: &'k [u8], node: &str) -> Option<&'k str> {
    let rest = key.strip_prefix(super::Keys::node_follows_of(node).as_bytes())?;
    std::str::from_utf8(rest).ok().filter(|g| !g.is_empty())
}

/// The records of `node` as a scan of its prefix returned them, by
/// gateway (keys that are not the node's are left out).
pub fn follows_by_gateway(
    node: &str,
    scanned: Vec<(Vec<u8>, FollowCount)>,
) -> Vec<(String, FollowCount)> {
    scanned
        .into_iter()
        .filter_map(|(key, count)| Some((follow_gateway(&key, node)?.to_owned(), count)))
        .collect()
}

/// Each gateway's `queued` count now: the marks a seed-node run or a
/// failure takes.
pub fn marks_of(follows: &[(String, FollowCount)]) -> FollowMarks {
    follows
        .iter()
        .map(|(gateway, count)| (gateway.clone(), count.queued))
        .collect()
}

/// Changes queued after `marks` were taken and not settled yet, in all,
/// and the gateways that hold them. A gateway missing from the marks
/// began later: all it queued counts; a record missing now was removed by
/// a gateway that settled everything.
pub fn unsettled_since(
    marks: &FollowMarks,
    follows: &[(String, FollowCount)],
) -> (u64, Vec<String>) {
    let mut total = 0;
    let mut holders = Vec::new();
    for (gateway, count) in follows {
        let open = count.unsettled_after(marks.get(gateway).copied().unwrap_or(0));
        if open > 0 {
            total += open;
            holders.push(gateway.clone());
        }
    }
    (total, holders)
}

/// Changes the gateways queued after `marks` were taken, settled or not:
/// what reached, or is to reach, the node since. A gateway missing from
/// the marks counts all it queued (it began later, or its record was
/// removed and written whole again: more, never fewer).
pub fn queued_since(marks: &FollowMarks, follows: &[(String, FollowCount)]) -> u64 {
    follows
        .iter()
        .map(|(gateway, count)| {
            let before = marks.get(gateway).copied().unwrap_or(0);
            count.queued.saturating_sub(before)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(queued: u64, settled: u64) -> FollowCount {
        FollowCount { queued, settled }
    }

    #[test]
    fn only_changes_queued_after_the_marks_and_unsettled_count() {
        let follows = vec![
            // Killed before the marks with two unsent: they came before.
            ("dead".to_owned(), count(7, 5)),
            // Three queued since, one sent.
            ("busy".to_owned(), count(10, 8)),
            // Began after the marks: all it queued counts.
            ("new".to_owned(), count(2, 1)),
            // Everything settled.
            ("idle".to_owned(), count(4, 4)),
        ];
        let marks: FollowMarks = [("dead", 7), ("busy", 7), ("idle", 1), ("gone", 3)]
            .into_iter()
            .map(|(g, q)| (g.to_owned(), q))
            .collect();
        assert_eq!(
            unsettled_since(&marks, &follows),
            (3, vec!["busy".to_owned(), "new".to_owned()])
        );
        assert_eq!(unsettled_since(&marks_of(&follows), &follows), (0, vec![]));
        // No marks (a run that did not take them): every open change.
        assert_eq!(unsettled_since(&FollowMarks::new(), &follows).0, 5);
    }

    #[test]
    fn changes_queued_since_the_marks_count_settled_or_not() {
        let marks: FollowMarks = [("a", 4), ("b", 9), ("gone", 3)]
            .into_iter()
            .map(|(g, q)| (g.to_owned(), q))
            .collect();
        let follows = vec![
            ("a".to_owned(), count(6, 6)),
            ("b".to_owned(), count(9, 2)),
            ("late".to_owned(), count(3, 0)),
        ];
        assert_eq!(queued_since(&marks, &follows), 2 + 3);
        assert_eq!(queued_since(&marks_of(&follows), &follows), 0);
    }

    #[test]
    fn records_are_read_by_gateway_for_their_node_only() {
        let scanned = vec![
            (b"node-follows/n1/gw-a".to_vec(), count(1, 0)),
            (b"node-follows/n10/gw-b".to_vec(), count(1, 0)),
            (b"node-follows/n1/".to_vec(), count(1, 0)),
        ];
        assert_eq!(
            follows_by_gateway("n1", scanned),
            vec![("gw-a".to_owned(), count(1, 0))]
        );
    }
}
