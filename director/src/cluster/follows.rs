//! The gateways' follow records of a node, for the administrator: what
//! counts against it and why, and removing what no longer does (records
//! of gateways killed while they followed it pile up otherwise, one per
//! gateway process).
//!
//! A record is removed only when none of its unsettled changes counts
//! against the node ([`Node::follow_marks`]): what a killed gateway lost
//! after the node's marks were taken (or, staged and not seeded yet, at
//! all) must first be carried by a recorded seed-node run, whose marks
//! then cover it, or the node would be activated, or come back from a
//! failure, lacking it. The removal compares the record with the one
//! checked, so one that changed meanwhile (the node's marks too may have
//! changed) is kept. A running gateway writes its totals whole again with
//! its next change; a seed-node run under way that loses a record of its
//! marks is not counted (`gateway seed-node` checks).

use super::nodes::{FollowScan, scan_follows};
use super::{Director, DirectorError, FollowHold, FollowRecord, FollowsForgotten, NodeFollows};
use super::{MissedCallRow, MissedCallsForgotten, NodeStatus, Result};
use crate::model::{
    FollowCount, FollowMarks, Keys, Millis, MissedCalls, Node, NodeState, unsettled_since,
};
use crate::store::StoreError;

/// The records of `node` as read, each with what counts against it.
fn records(node: &Node, follows: &[(String, FollowCount)]) -> Vec<FollowRecord> {
    follows
        .iter()
        .map(|(gateway, count)| FollowRecord {
            gateway: gateway.clone(),
            queued: count.queued,
            settled: count.settled,
            counted: counted(node.follow_marks(), gateway, *count),
        })
        .collect()
}

/// The changes of one gateway's record that count against a node held to
/// `marks` (none without marks).
fn counted(marks: Option<&FollowMarks>, gateway: &str, count: FollowCount) -> u64 {
    marks.map_or(0, |marks| {
        count.unsettled_after(marks.get(gateway).copied().unwrap_or(0))
    })
}

/// What a node's unsettled changes are held against.
fn hold(node: &Node) -> Option<FollowHold> {
    node.follow_marks()?;
    match node.state {
        NodeState::Failed => Some(FollowHold::Failure),
        _ if node.seeded_in_state().is_none() => Some(FollowHold::Unseeded),
        _ => Some(FollowHold::SeedRun),
    }
}

impl Director {
    /// Node `id`'s follow records, each with the changes that count
    /// against the node now.
    pub async fn node_follows(&self, id: &str) -> Result<NodeFollows> {
        let node = self.get_node(id).await?;
        let follows = self.follows_of(id).await?;
        let records = records(&node, &follows);
        let missed = match self
            .store()
            .get_json::<MissedCalls>(Keys::node_missed_calls(id))
            .await
        {
            Ok(missed) => missed.unwrap_or_default(),
            // Shown as none rather than hiding the follow records, which
            // decide the node's activation; clearing it removes it.
            Err(e @ StoreError::Codec { .. }) => {
                tracing::warn!(node = %id, error = %e, "the node's missed calls cannot be read: `director node forget-missed` removes the record");
                MissedCalls::new()
            }
            Err(e) => return Err(e.into()),
        };
        Ok(NodeFollows {
            counted: records.iter().map(|r| r.counted).sum(),
            held_against: hold(&node),
            node: node.id,
            state: node.state,
            records,
            missed_calls: MissedCallRow::rows(missed),
        })
    }

    /// Clears node `id`'s missed calls by method, once an operator redid
    /// them on it: every one, or with `through` those last counted at or
    /// before it (the latest `last` the operator read, so that one counted
    /// since is kept whole). Answers what was cleared and what was kept.
    /// The count the director compares (`node-misses/<id>`) is not
    /// touched. A record that cannot be read is removed.
    pub async fn forget_missed_calls(
        &self,
        id: &str,
        through: Option<Millis>,
    ) -> Result<MissedCallsForgotten> {
        self.get_node(id).await?;
        let key = Keys::node_missed_calls(id);
        let (mut cleared, mut kept) = (MissedCalls::new(), MissedCalls::new());
        let done = self
            .store()
            .update_json::<MissedCalls, _>(&key, |held| {
                (cleared, kept) = held
                    .unwrap_or_default()
                    .into_iter()
                    .partition(|(_, call)| through.is_none_or(|through| call.last <= through));
                Some(kept.clone()).filter(|kept| !kept.is_empty())
            })
            .await;
        match done {
            Ok(_) => {}
            Err(e @ StoreError::Codec { .. }) => {
                tracing::warn!(node = %id, error = %e, "the node's missed calls could not be read: the record is removed");
                self.store().delete(&key).await?;
            }
            Err(e) => return Err(e.into()),
        }
        if !cleared.is_empty() {
            let count: u64 = cleared.values().map(|c| c.count).sum();
            tracing::info!(node = %id, methods = cleared.len(), count, kept = kept.len(), "missed calls cleared");
        }
        Ok(MissedCallsForgotten {
            cleared: MissedCallRow::rows(cleared),
            kept: MissedCallRow::rows(kept),
        })
    }

    /// Removes node `id`'s follow records none of whose changes counts
    /// against it: every such record, or `gateway`'s only. A named record
    /// that counts is refused (409) with what to do; one that does not
    /// exist is not found (404). Each removal compares the record with
    /// the one checked, so a change queued meanwhile keeps it.
    pub async fn forget_follows(
        &self,
        id: &str,
        gateway: Option<&str>,
    ) -> Result<FollowsForgotten> {
        let node = self.get_node(id).await?;
        let FollowScan { follows, more } = scan_follows(self.store(), id).await?;
        let mut read = records(&node, &follows);
        if let Some(gateway) = gateway {
            read.retain(|r| r.gateway == gateway);
            let Some(record) = read.first() else {
                if more {
                    return Err(DirectorError::Conflict(format!(
                        "node {id} has 10,000 or more follow records and {gateway}'s is not \
                         among those read: remove the ones that no longer count first \
                         (`director node forget-follows {id}`)"
                    )));
                }
                return Err(DirectorError::not_found(
                    "follow record",
                    format!("{id}/{gateway}"),
                ));
            };
            if record.counted > 0 {
                return Err(DirectorError::Conflict(refusal(&node, record)));
            }
        }
        let marks = node.follow_marks();
        let (mut removed, mut kept) = (Vec::new(), Vec::new());
        for record in read {
            if record.counted > 0 {
                kept.push(record);
                continue;
            }
            let checked = FollowCount {
                queued: record.queued,
                settled: record.settled,
            };
            let mut found = false;
            let now = self
                .store()
                .update_json(Keys::node_follows(id, &record.gateway), |held| {
                    found = held.is_some();
                    held.filter(|count: &FollowCount| *count != checked)
                })
                .await?;
            match now {
                // Removed meanwhile by someone else.
                None if !found => {}
                None => {
                    tracing::info!(node = %id, gateway = %record.gateway, queued = record.queued, settled = record.settled, "follow record removed");
                    removed.push(record);
                }
                // Changed since it was checked: kept (a later run removes it
                // if it counts nothing then).
                Some(count) => kept.push(FollowRecord {
                    queued: count.queued,
                    settled: count.settled,
                    counted: counted(marks, &record.gateway, count),
                    ..record
                }),
            }
        }
        Ok(FollowsForgotten {
            removed,
            kept,
            more,
        })
    }

    /// The changes that count against each node now, for
    /// [`Director::status`]: read for the nodes held to marks only. A node
    /// whose records cannot be read gets none (logged), not a failed
    /// status.
    pub(super) async fn count_unsettled(&self, nodes: &mut [(Node, NodeStatus)]) {
        for (node, status) in nodes.iter_mut() {
            let Some(marks) = node.follow_marks() else {
                status.unsettled_changes = Some(0);
                continue;
            };
            status.unsettled_changes = match self.follows_of(&node.id).await {
                Ok(follows) => Some(unsettled_since(marks, &follows).0),
                Err(e) => {
                    tracing::warn!(node = %node.id, error = %e, "status: the node's follow records could not be read");
                    None
                }
            };
        }
    }
}

/// Why `record` of `node` is not removed.
fn refusal(node: &Node, record: &FollowRecord) -> String {
    let (id, gateway, n) = (&node.id, &record.gateway, record.counted);
    let seed = format!("gateway seed-node --from <a serving node> --to {id} --update --prune");
    let hold = hold(node).unwrap_or(FollowHold::SeedRun);
    let (what, then) = match hold {
        FollowHold::Failure => (
            "when it beats again they count as missed, and it comes back staged (when it holds \
             no clients)",
            format!("once it is staged again, a `{seed}` run carries them"),
        ),
        _ => (
            "they keep it from being activated",
            format!("a `{seed}` run carries them"),
        ),
    };
    let since = hold.since();
    format!(
        "gateway {gateway} queued {n} change(s) of shared data for node {id} {since} that it \
         has neither sent nor counted as missed: {what}. A running gateway settles them within \
         seconds; if {gateway} was killed they are lost: {then}, after which this record no \
         longer counts and can be removed"
    )
}
