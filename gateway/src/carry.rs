//! `gateway carry-systems`: carries the settings a system was given on its
//! old node onto its new one, after the director moved it.
//!
//! A move re-points the system's Salt minion; the minion registers with
//! its new node, which applies the system's activation key again. What was
//! set on the system itself stays behind on the old node's copy of it.
//! Run after a drain or rebalance, while the old node still holds those
//! copies, this finds every system both nodes hold (by minion id,
//! `system.getMinionIdMap`) and gives the new node's copy what the old
//! one had and it lacks:
//!
//! - system groups (by name: each node numbers them its own way);
//! - configuration channels (by label, added below the ones it has, in
//!   the old node's order);
//! - custom information values (a key it holds no value for);
//! - notes (by subject and text);
//! - add-on entitlements;
//! - its maintenance schedule (by name), when it has none;
//! - with [`Mode::update`], also its profile name and description.
//!
//! Nothing is taken away or, without [`Mode::update`], overwritten: what
//! the system was given on its new node since the move stays. Custom
//! information keys, configuration channels, system groups and schedules
//! are the cluster's shared data: `seed-node` copied them when the node
//! joined; each one the new node lacks is named in the system's line
//! (`PARTLY`), and the rest is carried. Two copies of different machines
//! (their machine ids differ) under one minion id are no move: refused.
//!
//! A system carried whole gets a note on its new node (`Settings carried
//! from node <old>`): a later run, for a later drain between the same
//! nodes, leaves it alone, so that what was taken off it on its new node
//! since stays off. A system named with `--minion` is carried again all
//! the same. Nothing of a node that is gone (disaster recovery) can be
//! carried: its copies went with it.
//!
//! Not carried: software channels (changing them schedules an action on
//! the system; the activation key's are the new node's), formulas and
//! pillar data, package locks, and the system's history (events, actions).
//!
//! With [`Copies`] (`--delete-copies`, a gateway linked to the director),
//! the old node's copy of each system carried whole is deleted there
//! after (a system a run carried before is compared again, and its copy
//! kept when the new one lacks anything of it), once the director's
//! identity map confirms it is one a move left
//! ([`IdentityMap::releasable_copy`]: the system's cluster id is bound to
//! the new node's copy, and the director has settled it there), both
//! copies show one machine id, and the minion checked in with the new
//! node last (a minion talks to one node at a time); the director is told,
//! so that it forgets the copy at once. The copy is deleted without
//! cleanup on the minion (`NO_CLEANUP`): the minion is the new node's
//! now. A copy is kept, and its line says why, otherwise.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use director::identity::{IdentityMap, Unreleasable};
use director::remote::DirectorLink;
use futures::StreamExt;
use xmlrpc::{Struct, Value};

use crate::seed::{NodeSession, Outcome, Report, SeedError, fault_text, same_text, text};
use crate::state::Gateway;

/// How a carry goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mode {
    /// Only report what would be done.
    pub dry_run: bool,
    /// Also set the new node's profile name and description to the old
    /// node's where they differ.
    pub update: bool,
}

/// Which systems a carry takes, and what it does with their old copies.
#[derive(Clone, Copy, Default)]
pub struct Scope<'a> {
    /// Only the systems of these minion ids; empty: every system both
    /// nodes hold.
    pub only: &'a [String],
    /// Delete the old copies once carried ([`Copies`]); `None`: keep them.
    pub copies: Option<&'a Copies>,
}

/// The report's kind of a line.
const KIND: &str = "system";

/// The report's kind of a line on an old node's copy of a system.
const COPY_KIND: &str = "old copy";

/// How the old node deletes a copy: its profile only, with no cleanup on
/// the minion, which its new node manages now.
const CLEANUP: &str = "NO_CLEANUP";

/// What deleting the old copies takes (`--delete-copies`): the director,
/// whose identity map says which copies moves left, and which forgets
/// them once they are deleted.
pub struct Copies {
    link: DirectorLink,
    map: IdentityMap,
}

impl Copies {
    /// Over the director `link` (the gateway's token).
    pub fn new(link: DirectorLink) -> Copies {
        let map = IdentityMap::new(link.store());
        Copies { link, map }
    }

    /// Deletes the copy `systems.from` holds of a system when [`carry_one`]
    /// found nothing it must stay for (`lacks` is `None`: the new copy
    /// lacks nothing of it, and both show one machine id) and it may: the
    /// minion checked in with the new node last, and the identity map
    /// confirms a move left the copy
    /// ([`IdentityMap::releasable_copy`], read last, just before the
    /// deletion).
    async fn release(&self, systems: &Pair<'_>, lacks: Option<String>, dry_run: bool) -> Released {
        if let Some(why) = lacks {
            return Released::kept(&why);
        }
        let local = |v: &Value| v.as_i64().and_then(|id| i32::try_from(id).ok());
        let (Some(old), Some(new)) = (local(&systems.old), local(&systems.new)) else {
            let why = "system.getMinionIdMap answered an id that is no 32-bit int";
            return Released::line(Outcome::Failed(why.to_owned()));
        };
        match talked_since(systems).await {
            Err(e) => return Released::line(Outcome::Failed(fault_text(&e))),
            Ok(Some(why)) => return Released::kept(&why),
            Ok(None) => {}
        }
        let (from, to) = (systems.from.node_id(), systems.to.node_id());
        match self.map.releasable_copy(from, old, to, new).await {
            Err(e) => {
                return Released::line(Outcome::Failed(format!(
                    "the director's identity map could not be read: {e}"
                )));
            }
            Ok(Err(why)) => return Released::kept(&kept(&why)),
            Ok(Ok(_)) => {}
        }
        if dry_run {
            return Released::line(Outcome::WouldRemove);
        }
        let params = vec![Value::Array(vec![Value::Int(old)]), Value::string(CLEANUP)];
        match systems.from.call("system.deleteSystems", params).await {
            Ok(_) => Released {
                line: Outcome::Removed,
                deleted: Some(old),
            },
            Err(e) => Released::line(Outcome::Failed(fault_text(&e))),
        }
    }

    /// Tells the director the copies `deleted` of node `from` are gone;
    /// lines for the report where it did not hear of it, or where it
    /// binds a system to one of them by now.
    async fn forget(&self, from: &str, deleted: &[i32]) -> Vec<(String, Outcome)> {
        if deleted.is_empty() {
            return Vec::new();
        }
        match self.link.copies_deleted(from, deleted).await {
            Ok(answer) => answer
                .systems
                .iter()
                .map(|local| {
                    let why = "deleted, but by now the director binds a system's cluster id to \
                               it (it registered there again meanwhile?): check the system \
                               with `director placement`";
                    (
                        format!("system {local} on {from}"),
                        Outcome::Failed(why.to_owned()),
                    )
                })
                .collect(),
            Err(e) => vec![(
                format!("all on {from}"),
                Outcome::Failed(format!(
                    "{} copies deleted on {from}, but the director did not hear of it ({e}): \
                     it forgets them when the node's agent reports the deletions",
                    deleted.len()
                )),
            )],
        }
    }
}

/// Why the minion may still use its old copy: it checked in with the old
/// node after its last check-in with the new one (a minion talks to one
/// node at a time), or the times cannot be compared; `None` when it did
/// not. Read now (`system.getName`), just before a deletion.
async fn talked_since(systems: &Pair<'_>) -> Result<Option<String>, SeedError> {
    let checked_in = async |node: &NodeSession, sid: &Value| -> Result<String, SeedError> {
        let name = node.call("system.getName", vec![sid.clone()]).await?;
        Ok(match name.as_struct().and_then(|n| n.get("last_checkin")) {
            Some(Value::DateTime(at) | Value::String(at)) => at.clone(),
            _ => String::new(),
        })
    };
    let (from, to) = (systems.from.node_id(), systems.to.node_id());
    let there = checked_in(systems.from, &systems.old).await?;
    let here = checked_in(systems.to, &systems.new).await?;
    // `yyyyMMddTHH:mm:ss`, as the nodes write it: ordered as text.
    let plain = |at: &str| {
        at.len() == 17
            && at.bytes().enumerate().all(|(i, b)| match i {
                8 => b == b'T',
                11 | 14 => b == b':',
                _ => b.is_ascii_digit(),
            })
    };
    if !plain(&there) || !plain(&here) {
        return Ok(Some(format!(
            "its last check-ins on {from} ({there:?}) and on {to} ({here:?}) cannot be compared"
        )));
    }
    Ok((there > here).then(|| {
        format!(
            "the minion checked in with {from} at {there}, after its last check-in with {to} \
             at {here}: it may be using this copy (moved back by hand?)"
        )
    }))
}

/// What became of an old copy ([`Copies::release`]).
struct Released {
    /// Its line in the report.
    line: Outcome,
    /// Its local id, when it was deleted.
    deleted: Option<i32>,
}

impl Released {
    fn line(line: Outcome) -> Released {
        Released {
            line,
            deleted: None,
        }
    }

    fn kept(why: &str) -> Released {
        Released::line(Outcome::Kept(why.to_owned()))
    }
}

/// Whether the failures in `report` are all on old copies (the systems
/// were carried whole).
pub fn copies_failed_only(report: &Report) -> bool {
    report
        .lines
        .iter()
        .filter(|l| matches!(l.outcome, Outcome::Failed(_) | Outcome::Partly(_)))
        .all(|l| l.kind == COPY_KIND)
}

/// Why a copy is kept, for its line.
fn kept(why: &Unreleasable) -> String {
    let hint = match why {
        Unreleasable::NotLeft => {
            "; a copy of a system moved by hand, or before the cluster recorded moves, is yours \
             to delete"
        }
        Unreleasable::BoundElsewhere { .. } => "",
        Unreleasable::Moving { .. }
        | Unreleasable::PlacedElsewhere { .. }
        | Unreleasable::Unplaced { .. } => "",
    };
    format!("{why}{hint}")
}

/// Systems carried at once.
const AT_ONCE: usize = 8;

/// What the reschedule strategy of a schedule assignment is: fail, never
/// cancel the system's actions.
const RESCHEDULE: &str = "Fail";

/// Logs into nodes `from` (the old node) and `to` (the new one) of
/// `gateway`'s node list as `user`, carries the settings of the systems
/// both hold ([`carry`], within `scope`) and logs out of both.
pub async fn between(
    gateway: &Gateway,
    from: &str,
    to: &str,
    user: &str,
    password: &str,
    mode: Mode,
    scope: Scope<'_>,
) -> Result<Report, SeedError> {
    if from == to {
        return Err(SeedError::NoSuchNode {
            id: to.to_owned(),
            known: format!("another node than {from}: --from and --to name one node"),
        });
    }
    let (source, target) = NodeSession::pair(gateway, from, to, user, password).await?;
    let report = carry(&source, &target, mode, scope).await;
    source.logout().await;
    target.logout().await;
    report
}

/// Carries onto `to` what the systems both nodes hold were given on
/// `from` and lack on `to`; one report line per system, by minion id.
/// With `copies`, deletes each old copy on `from` once its system is
/// carried whole ([`Copies`]); one more line per system.
pub async fn carry(
    from: &NodeSession,
    to: &NodeSession,
    mode: Mode,
    Scope { only, copies }: Scope<'_>,
) -> Result<Report, SeedError> {
    let (old, new) = (minions(from).await?, minions(to).await?);
    let wanted: BTreeSet<&str> = only.iter().map(String::as_str).collect();
    let both: Vec<(&str, Value, Value)> = old
        .iter()
        .filter(|(minion, _)| wanted.is_empty() || wanted.contains(minion.as_str()))
        .filter_map(|(minion, sid)| Some((minion.as_str(), sid.clone(), new.get(minion)?.clone())))
        .collect();
    let mut report = Report::default();
    for minion in &wanted {
        if !both.iter().any(|(m, ..)| m == minion) {
            let why = match old.contains_key(*minion) {
                false => "the old node does not hold it",
                true => "the new node does not hold it (not moved, or not registered yet)",
            };
            report.push(KIND, minion, Outcome::Failed(why.to_owned()));
        }
    }
    if both.is_empty() {
        return Ok(report);
    }
    let shared = (Shared::of(from).await?, Shared::of(to).await?);
    let marker = marker_subject(from.node_id());
    // Systems named one by one are carried again though marked carried.
    let again = !wanted.is_empty();
    let carried: Vec<(String, Outcome, Option<Released>)> = futures::stream::iter(both)
        .map(|(minion, old_sid, new_sid)| {
            let (shared, marker) = (&shared, &marker);
            async move {
                let systems = Pair {
                    from,
                    to,
                    old: old_sid,
                    new: new_sid,
                };
                let probe = copies.is_some();
                let (outcome, lacks) =
                    match carry_one(&systems, shared, marker, again, probe, mode).await {
                        Ok(carried) => carried,
                        Err(e) => (Outcome::Failed(fault_text(&e)), Some(NOT_WHOLE.to_owned())),
                    };
                let copy = match copies {
                    Some(copies) => Some(copies.release(&systems, lacks, mode.dry_run).await),
                    None => None,
                };
                (minion.to_owned(), outcome, copy)
            }
        })
        .buffered(AT_ONCE)
        .collect()
        .await;
    let mut deleted = Vec::new();
    for (minion, outcome, copy) in carried {
        report.push(KIND, &minion, outcome);
        if let Some(copy) = copy {
            report.push(
                COPY_KIND,
                &format!("{minion} on {}", from.node_id()),
                copy.line,
            );
            deleted.extend(copy.deleted);
        }
    }
    if let Some(copies) = copies {
        for (name, outcome) in copies.forget(from.node_id(), &deleted).await {
            report.push(COPY_KIND, &name, outcome);
        }
    }
    Ok(report)
}

/// The subject of the note a carry leaves on the new copy of a system it
/// carried whole from node `from`: a later run leaves that system alone,
/// so that what was taken off it on its new node since stays off.
fn marker_subject(from: &str) -> String {
    format!("Settings carried from node {from}")
}

/// A node's systems: minion id -> system id.
async fn minions(node: &NodeSession) -> Result<BTreeMap<String, Value>, SeedError> {
    let map = node.call("system.getMinionIdMap", Vec::new()).await?;
    let map = map
        .as_struct()
        .ok_or_else(|| shape(node, "system.getMinionIdMap"))?;
    Ok(map
        .iter()
        .map(|(minion, sid)| (minion.to_owned(), sid.clone()))
        .collect())
}

fn shape(node: &NodeSession, method: &str) -> SeedError {
    SeedError::Shape {
        node: node.node_id().to_owned(),
        method: method.to_owned(),
    }
}

/// One system on both nodes: its id on each.
struct Pair<'n> {
    from: &'n NodeSession,
    to: &'n NodeSession,
    old: Value,
    new: Value,
}

/// What a node holds of the shared data a system's settings name: its
/// custom information keys, configuration channels and maintenance
/// schedules (with the system each schedule holds).
struct Shared {
    /// Custom information key labels.
    keys: HashSet<String>,
    /// Configuration channel labels.
    channels: HashSet<String>,
    /// Schedule names, or why they could not be read (`--user` lacks the
    /// organization administrator's role maintenance asks for).
    schedules: Result<HashSet<String>, String>,
    /// The schedule each system is on, by system id.
    on: HashMap<i64, String>,
}

impl Shared {
    async fn of(node: &NodeSession) -> Result<Shared, SeedError> {
        let labels = |listed: Vec<Struct>, member: &str| -> HashSet<String> {
            listed.iter().map(|i| text(i, member).to_owned()).collect()
        };
        let keys = labels(
            node.list("system.custominfo.listAllKeys", Vec::new())
                .await?,
            "label",
        );
        let channels = labels(
            node.list("configchannel.listGlobals", Vec::new()).await?,
            "label",
        );
        let mut on = HashMap::new();
        let schedules = match node.call("maintenance.listScheduleNames", Vec::new()).await {
            Ok(names) => {
                let names = names
                    .as_array()
                    .ok_or_else(|| shape(node, "maintenance.listScheduleNames"))?;
                let mut held = HashSet::new();
                for name in names.iter().filter_map(Value::as_str) {
                    held.insert(name.to_owned());
                    let systems = node
                        .call("maintenance.listSystemsWithSchedule", vec![name.into()])
                        .await?;
                    let systems = systems
                        .as_array()
                        .ok_or_else(|| shape(node, "maintenance.listSystemsWithSchedule"))?;
                    for sid in systems.iter().filter_map(Value::as_i64) {
                        on.insert(sid, name.to_owned());
                    }
                }
                Ok(held)
            }
            Err(e @ SeedError::Fault { .. }) => Err(fault_text(&e)),
            Err(e) => return Err(e),
        };
        Ok(Shared {
            keys,
            channels,
            schedules,
            on,
        })
    }

    fn schedule_of(&self, sid: &Value) -> Option<&str> {
        self.on.get(&sid.as_i64()?).map(String::as_str)
    }
}

/// What one system lacks on its new node, part by part: what to call, and
/// what the report says of it.
struct Plan {
    /// The calls on the new node, each with what it carries.
    calls: Vec<(&'static str, Vec<Value>, String)>,
    /// What cannot be carried, and why.
    missing: Vec<String>,
    /// Both copies show one machine id (neither lacks it).
    one_machine: bool,
}

/// Why an old copy is kept when its system's settings were not carried
/// whole.
const NOT_WHOLE: &str =
    "the system's settings were not carried whole (see its line): delete the copy once they are";

/// Carries one system's settings ([`carry`]): its line, and why its old
/// copy must stay (`None`: the new copy lacks nothing of it now, or would
/// not after a dry run, and both show one machine id). With `probe`, a system a
/// run carried before is compared all the same (and left as it is): its
/// old copy may hold what was set there since, or what was taken off the
/// new one.
async fn carry_one(
    systems: &Pair<'_>,
    shared: &(Shared, Shared),
    marker: &str,
    again: bool,
    probe: bool,
    mode: Mode,
) -> Result<(Outcome, Option<String>), SeedError> {
    let before = || {
        Outcome::NotCopied(format!(
            "carried before (its note \"{marker}\"): left as it is; name it with --minion to \
             carry it again"
        ))
    };
    let Some((plan, marked)) = plan(systems, shared, marker, again || probe, mode).await? else {
        return Ok((before(), Some(NOT_WHOLE.to_owned())));
    };
    // Carried whole, the old copy may go only when both copies show one
    // machine id.
    let whole = (!plan.one_machine)
        .then(|| "a copy has no machine id: nothing shows both are of one machine".to_owned());
    if marked && !again {
        if plan.calls.is_empty() && plan.missing.is_empty() {
            return Ok((before(), whole));
        }
        let parts: Vec<&str> = plan
            .calls
            .iter()
            .map(|(_, _, what)| what.as_str())
            .chain(plan.missing.iter().map(String::as_str))
            .collect();
        let lacks = format!(
            "it was carried before, but its new copy lacks what this one has ({}): set there \
             since, or taken off the new copy since; name it with --minion to carry it again, \
             or delete the copy yourself",
            parts.join("; ")
        );
        return Ok((before(), Some(lacks)));
    }
    if plan.calls.is_empty() && plan.missing.is_empty() {
        return Ok((Outcome::Present, whole));
    }
    let what: Vec<&str> = plan
        .calls
        .iter()
        .map(|(_, _, what)| what.as_str())
        .collect();
    let what = what.join("; ");
    let mut failed = plan.missing;
    let not_whole = Some(NOT_WHOLE.to_owned());
    if mode.dry_run {
        return Ok(match failed.is_empty() {
            true => (Outcome::WouldComplete(what), whole),
            false if what.is_empty() => (Outcome::Failed(failed.join("; ")), not_whole),
            false => (
                Outcome::Partly(format!("would carry {what}; {}", failed.join("; "))),
                not_whole,
            ),
        });
    }
    for (method, params, part) in plan.calls {
        if let Err(e) = systems.to.call(method, params).await {
            failed.push(format!("{part}: {}", fault_text(&e)));
        }
    }
    if !failed.is_empty() {
        let outcome = match what.is_empty() {
            true => Outcome::Failed(failed.join("; ")),
            false => Outcome::Partly(format!("{what} tried; not carried: {}", failed.join("; "))),
        };
        return Ok((outcome, not_whole));
    }
    if marked {
        return Ok((Outcome::Completed(what), whole));
    }
    // Carried whole: the note that keeps later runs off it.
    let body = format!(
        "gateway carry-systems carried this system's own settings from its copy on node {} \
         (system {}): {what}. A later run leaves the system alone while this note is here.",
        systems.from.node_id(),
        systems.old.as_i64().unwrap_or_default(),
    );
    let note = vec![
        systems.new.clone(),
        Value::string(marker),
        Value::string(body),
    ];
    if let Err(e) = systems.to.call("system.addNote", note).await {
        // Everything else was carried: the copy holds nothing more.
        return Ok((
            Outcome::Partly(format!(
                "{what}; the note that marks it carried: {}",
                fault_text(&e)
            )),
            whole,
        ));
    }
    Ok((Outcome::Completed(what), whole))
}

/// What `systems.new` lacks of what `systems.old` has ([`carry`]), and
/// whether it bears the marker note; `None` when a run carried the system
/// before and `again` is not set.
async fn plan(
    systems: &Pair<'_>,
    shared: &(Shared, Shared),
    marker: &str,
    again: bool,
    mode: Mode,
) -> Result<Option<(Plan, bool)>, SeedError> {
    let Pair { from, to, old, new } = systems;
    let (had_shared, has_shared) = shared;
    let sid = |s: &Value| vec![s.clone()];
    let mut plan = Plan {
        calls: Vec::new(),
        missing: Vec::new(),
        one_machine: false,
    };

    // Notes first: the marker of an earlier carry stops here.
    let notes = |listed: Vec<Struct>| -> Vec<(String, String)> {
        listed
            .iter()
            .map(|n| (text(n, "subject").to_owned(), text(n, "note").to_owned()))
            .collect()
    };
    let has_notes = notes(to.list("system.listNotes", sid(new)).await?);
    let marked = has_notes
        .iter()
        .any(|(subject, _)| same_text(subject, marker));
    if marked && !again {
        return Ok(None);
    }

    // The same machine: a minion id two machines share is not a move.
    let details = |d: Value| d.as_struct().cloned().unwrap_or_default();
    let had = details(from.call("system.getDetails", sid(old)).await?);
    let has = details(to.call("system.getDetails", sid(new)).await?);
    let (old_machine, new_machine) = (text(&had, "machine_id"), text(&has, "machine_id"));
    plan.one_machine = !old_machine.trim().is_empty() && old_machine == new_machine;
    if !old_machine.is_empty() && !new_machine.is_empty() && old_machine != new_machine {
        plan.missing.push(format!(
            "the two copies are of different machines (machine ids {old_machine} and \
             {new_machine}): not one system moved"
        ));
        return Ok(Some((plan, marked)));
    }

    // System groups, by name: the new node's group ids from its own
    // listing (every group, with whether the system is in it).
    let groups = |listed: Vec<Struct>| -> Vec<(String, Value, bool)> {
        listed
            .iter()
            .map(|g| {
                let subscribed = g
                    .get("subscribed")
                    .is_some_and(|v| v.as_i64() == Some(1) || v.as_bool() == Some(true));
                // `id` is the group's id; `sgid` the same as a string.
                let id = match g.get("id") {
                    Some(id @ Value::Int(_)) => id.clone(),
                    _ => text(g, "sgid")
                        .parse::<i32>()
                        .map_or(Value::Nil, Value::Int),
                };
                (text(g, "system_group_name").to_owned(), id, subscribed)
            })
            .collect()
    };
    let had_groups = groups(from.list("system.listGroups", sid(old)).await?);
    let has_groups = groups(to.list("system.listGroups", sid(new)).await?);
    for (name, _, _) in had_groups.iter().filter(|(_, _, member)| *member) {
        match has_groups.iter().find(|(n, _, _)| n == name) {
            Some((_, _, true)) => {}
            Some((_, sgid, false)) => plan.calls.push((
                "system.setGroupMembership",
                vec![new.clone(), sgid.clone(), Value::Bool(true)],
                format!("group {name}"),
            )),
            None => plan.missing.push(format!(
                "group {name}: the new node lacks it (seed-node copies groups)"
            )),
        }
    }

    // Configuration channels, by label, in the old node's order below the
    // new node's own.
    let labels = |listed: Vec<Struct>| -> Vec<String> {
        listed.iter().map(|c| text(c, "label").to_owned()).collect()
    };
    let had_channels = labels(from.list("system.config.listChannels", sid(old)).await?);
    let has_channels: HashSet<String> =
        labels(to.list("system.config.listChannels", sid(new)).await?)
            .into_iter()
            .collect();
    let mut lacking = Vec::new();
    for label in had_channels.iter().filter(|l| !has_channels.contains(*l)) {
        match has_shared.channels.contains(label) {
            true => lacking.push(Value::string(label)),
            false => plan.missing.push(format!(
                "configuration channel {label}: the new node lacks it (seed-node copies them)"
            )),
        }
    }
    if !lacking.is_empty() {
        let named: Vec<&str> = lacking.iter().filter_map(Value::as_str).collect();
        let part = format!("configuration channels {}", named.join(", "));
        plan.calls.push((
            "system.config.addChannels",
            vec![
                Value::Array(vec![new.clone()]),
                Value::Array(lacking),
                Value::Bool(false),
            ],
            part,
        ));
    }

    // Custom information values, for keys the new copy holds none for
    // (an empty one is no value: the server refuses to set it).
    let had_values = from.call("system.getCustomValues", sid(old)).await?;
    let has_values = to.call("system.getCustomValues", sid(new)).await?;
    let has_values = has_values.as_struct().cloned().unwrap_or_default();
    let mut values = Struct::new();
    for (key, value) in had_values.as_struct().into_iter().flat_map(Struct::iter) {
        let blank = value.as_str().is_some_and(|v| v.trim().is_empty());
        if blank || has_values.get(key).is_some() {
            continue;
        }
        match has_shared.keys.contains(key) {
            true => values.push(key, value.clone()),
            false => plan.missing.push(format!(
                "custom value {key}: the new node lacks the key (seed-node copies keys)"
            )),
        }
    }
    if !values.is_empty() {
        let keys: Vec<&str> = values.iter().map(|(k, _)| k).collect();
        let part = format!("custom values {}", keys.join(", "));
        plan.calls.push((
            "system.setCustomValues",
            vec![new.clone(), Value::Struct(values)],
            part,
        ));
    }

    // Notes, by subject and text as the server keeps them.
    for (subject, body) in notes(from.list("system.listNotes", sid(old)).await?) {
        let held = has_notes
            .iter()
            .any(|(s, b)| same_text(s, &subject) && same_text(b, &body));
        if !held && !same_text(&subject, marker) {
            plan.calls.push((
                "system.addNote",
                vec![new.clone(), Value::string(&subject), Value::string(body)],
                format!("note {subject}"),
            ));
        }
    }

    // Add-on entitlements (the base one is the registration's), one call
    // each: the server refuses a whole list for one it will not give.
    let addons = |d: &Struct| -> BTreeSet<String> {
        crate::seed::strings(d, "addon_entitlements")
            .into_iter()
            .collect()
    };
    let has_addons = addons(&has);
    for addon in addons(&had).difference(&has_addons) {
        plan.calls.push((
            "system.addEntitlements",
            vec![new.clone(), Value::Array(vec![Value::string(addon)])],
            format!("add-on entitlement {addon}"),
        ));
    }

    // Its maintenance schedule, when the new copy has none.
    if let Some(schedule) = had_shared.schedule_of(old) {
        match (&has_shared.schedules, has_shared.schedule_of(new)) {
            (_, Some(_)) => {}
            (Err(why), None) => plan
                .missing
                .push(format!("maintenance schedule {schedule}: {why}")),
            (Ok(names), None) if !names.contains(schedule) => plan.missing.push(format!(
                "maintenance schedule {schedule}: the new node lacks it (seed-node copies them)"
            )),
            (Ok(_), None) => plan.calls.push((
                "maintenance.assignScheduleToSystems",
                vec![
                    Value::string(schedule),
                    Value::Array(vec![new.clone()]),
                    Value::Array(vec![RESCHEDULE.into()]),
                ],
                format!("maintenance schedule {schedule}"),
            )),
        }
    }

    // Profile name and description, only when asked to overwrite, and
    // only what the old copy has (the server leaves out what is unset).
    if mode.update {
        let mut set = Struct::new();
        for member in ["profile_name", "description"] {
            if had.get(member).is_some() && !same_text(text(&had, member), text(&has, member)) {
                set.push(member, Value::string(text(&had, member)));
            }
        }
        if !set.is_empty() {
            let members: Vec<&str> = set.iter().map(|(m, _)| m).collect();
            let part = members.join(" and ").replace('_', " ");
            plan.calls.push((
                "system.setDetails",
                vec![new.clone(), Value::Struct(set)],
                part,
            ));
        }
    }
    Ok(Some((plan, marked)))
}
