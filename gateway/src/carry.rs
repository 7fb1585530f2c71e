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
//! joined, and a system whose group (say) the new node lacks gets a line
//! saying so. Nothing of a node that is gone (disaster recovery) can be
//! carried: its copies went with it.
//!
//! Not carried: software channels (changing them schedules an action on
//! the system; the activation key's are the new node's), formulas and
//! pillar data, package locks, and the system's history (events, actions).

use std::collections::{BTreeMap, HashMap, HashSet};

use futures::StreamExt;
use xmlrpc::{Struct, Value};

use crate::seed::{NodeSession, Outcome, Report, SeedError, fault_text, text};
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

/// The report's kind of a line.
const KIND: &str = "system";

/// Systems carried at once.
const AT_ONCE: usize = 8;

/// What the reschedule strategy of a schedule assignment is: fail, never
/// cancel the system's actions.
const RESCHEDULE: &str = "Fail";

/// Logs into nodes `from` (the old node) and `to` (the new one) of
/// `gateway`'s node list as `user`, carries the settings of the systems
/// both hold ([`carry`]; only those of minion ids `only`, when given) and
/// logs out of both.
pub async fn between(
    gateway: &Gateway,
    from: &str,
    to: &str,
    user: &str,
    password: &str,
    mode: Mode,
    only: &[String],
) -> Result<Report, SeedError> {
    let (source, target) = NodeSession::pair(gateway, from, to, user, password).await?;
    let report = carry(&source, &target, mode, only).await;
    source.logout().await;
    target.logout().await;
    report
}

/// Carries onto `to` what the systems both nodes hold were given on
/// `from` and lack on `to`; one report line per system, by minion id.
pub async fn carry(
    from: &NodeSession,
    to: &NodeSession,
    mode: Mode,
    only: &[String],
) -> Result<Report, SeedError> {
    let (old, new) = (minions(from).await?, minions(to).await?);
    let wanted: HashSet<&str> = only.iter().map(String::as_str).collect();
    let mut both: Vec<(&str, Value, Value)> = old
        .iter()
        .filter(|(minion, _)| wanted.is_empty() || wanted.contains(minion.as_str()))
        .filter_map(|(minion, sid)| Some((minion.as_str(), sid.clone(), new.get(minion)?.clone())))
        .collect();
    both.sort_by(|a, b| a.0.cmp(b.0));
    let mut report = Report::default();
    for minion in &wanted {
        if !both.iter().any(|(m, ..)| m == minion) {
            let why = match (old.contains_key(*minion), new.contains_key(*minion)) {
                (false, _) => "the old node does not hold it",
                (true, _) => "the new node does not hold it (not moved, or not registered yet)",
            };
            report.push(KIND, minion, Outcome::Failed(why.to_owned()));
        }
    }
    if both.is_empty() {
        return Ok(report);
    }
    let schedules = (Schedules::of(from).await?, Schedules::of(to).await?);
    let carried: Vec<(String, Outcome)> = futures::stream::iter(both)
        .map(|(minion, old_sid, new_sid)| {
            let schedules = &schedules;
            async move {
                let systems = Pair {
                    from,
                    to,
                    old: old_sid,
                    new: new_sid,
                };
                let outcome = match carry_one(&systems, schedules, mode).await {
                    Ok(outcome) => outcome,
                    Err(e) => Outcome::Failed(fault_text(&e)),
                };
                (minion.to_owned(), outcome)
            }
        })
        .buffered(AT_ONCE)
        .collect()
        .await;
    for (minion, outcome) in carried {
        report.push(KIND, &minion, outcome);
    }
    Ok(report)
}

/// A node's systems: minion id -> system id.
async fn minions(node: &NodeSession) -> Result<BTreeMap<String, Value>, SeedError> {
    let map = node.call("system.getMinionIdMap", Vec::new()).await?;
    let map = map.as_struct().ok_or_else(|| SeedError::Shape {
        node: node.node_id().to_owned(),
        method: "system.getMinionIdMap".to_owned(),
    })?;
    Ok(map
        .iter()
        .map(|(minion, sid)| (minion.to_owned(), sid.clone()))
        .collect())
}

/// One system on both nodes: its id on each.
struct Pair<'n> {
    from: &'n NodeSession,
    to: &'n NodeSession,
    old: Value,
    new: Value,
}

/// A node's maintenance schedules: which schedule each system is on.
struct Schedules(HashMap<i64, String>);

impl Schedules {
    async fn of(node: &NodeSession) -> Result<Schedules, SeedError> {
        let names = node
            .call("maintenance.listScheduleNames", Vec::new())
            .await?;
        let mut on = HashMap::new();
        for name in names.as_array().unwrap_or_default() {
            let systems = node
                .call("maintenance.listSystemsWithSchedule", vec![name.clone()])
                .await?;
            for sid in systems.as_array().unwrap_or_default() {
                if let (Some(sid), Some(name)) = (sid.as_i64(), name.as_str()) {
                    on.insert(sid, name.to_owned());
                }
            }
        }
        Ok(Schedules(on))
    }

    fn of_system(&self, sid: &Value) -> Option<&str> {
        self.0.get(&sid.as_i64()?).map(String::as_str)
    }
}

/// What one system lacks on its new node, part by part: what to call, and
/// what the report says of it.
struct Plan {
    /// The calls on the new node, each with what it carries.
    calls: Vec<(&'static str, Vec<Value>, String)>,
    /// What cannot be carried, and why.
    missing: Vec<String>,
}

/// Carries one system's settings ([`carry`]).
async fn carry_one(
    systems: &Pair<'_>,
    schedules: &(Schedules, Schedules),
    mode: Mode,
) -> Result<Outcome, SeedError> {
    let plan = plan(systems, schedules, mode).await?;
    if plan.calls.is_empty() && plan.missing.is_empty() {
        return Ok(Outcome::Present);
    }
    let what: Vec<&str> = plan
        .calls
        .iter()
        .map(|(_, _, what)| what.as_str())
        .collect();
    let what = what.join("; ");
    let mut failed = plan.missing;
    if mode.dry_run {
        return Ok(match (what.is_empty(), failed.is_empty()) {
            (_, false) if what.is_empty() => Outcome::Failed(failed.join("; ")),
            (_, false) => Outcome::Partly(format!("would carry {what}; {}", failed.join("; "))),
            _ => Outcome::WouldComplete(what),
        });
    }
    for (method, params, part) in plan.calls {
        if let Err(e) = systems.to.call(method, params).await {
            failed.push(format!("{part}: {}", fault_text(&e)));
        }
    }
    Ok(match failed.is_empty() {
        true => Outcome::Completed(what),
        false if what.is_empty() => Outcome::Failed(failed.join("; ")),
        false => Outcome::Partly(format!("{what} tried; not carried: {}", failed.join("; "))),
    })
}

/// What `systems.new` lacks of what `systems.old` has ([`carry`]).
async fn plan(
    systems: &Pair<'_>,
    schedules: &(Schedules, Schedules),
    mode: Mode,
) -> Result<Plan, SeedError> {
    let Pair { from, to, old, new } = systems;
    let sid = |s: &Value| vec![s.clone()];
    let mut plan = Plan {
        calls: Vec::new(),
        missing: Vec::new(),
    };

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
    let had = groups(from.list("system.listGroups", sid(old)).await?);
    let has = groups(to.list("system.listGroups", sid(new)).await?);
    for (name, _, _) in had.iter().filter(|(_, _, member)| *member) {
        match has.iter().find(|(n, _, _)| n == name) {
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
    let had = labels(from.list("system.config.listChannels", sid(old)).await?);
    let has: HashSet<String> = labels(to.list("system.config.listChannels", sid(new)).await?)
        .into_iter()
        .collect();
    let lacking: Vec<Value> = had
        .iter()
        .filter(|l| !has.contains(*l))
        .map(Value::string)
        .collect();
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

    // Custom information values, for keys the new copy holds none for.
    let had = from.call("system.getCustomValues", sid(old)).await?;
    let has = to.call("system.getCustomValues", sid(new)).await?;
    let has = has.as_struct().cloned().unwrap_or_default();
    let mut values = Struct::new();
    for (key, value) in had.as_struct().into_iter().flat_map(Struct::iter) {
        if has.get(key).is_none() {
            values.push(key, value.clone());
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

    // Notes, by subject and text.
    let notes = |listed: Vec<Struct>| -> Vec<(String, String)> {
        listed
            .iter()
            .map(|n| (text(n, "subject").to_owned(), text(n, "note").to_owned()))
            .collect()
    };
    let had = notes(from.list("system.listNotes", sid(old)).await?);
    let has: HashSet<(String, String)> = notes(to.list("system.listNotes", sid(new)).await?)
        .into_iter()
        .collect();
    for (subject, body) in had.into_iter().filter(|n| !has.contains(n)) {
        plan.calls.push((
            "system.addNote",
            vec![new.clone(), Value::string(&subject), Value::string(body)],
            format!("note {subject}"),
        ));
    }

    // Add-on entitlements (the base one is the registration's).
    let details = |d: Value| d.as_struct().cloned().unwrap_or_default();
    let had = details(from.call("system.getDetails", sid(old)).await?);
    let has = details(to.call("system.getDetails", sid(new)).await?);
    let addons = |d: &Struct| -> HashSet<String> {
        crate::seed::strings(d, "addon_entitlements")
            .into_iter()
            .collect()
    };
    let mut lacking: Vec<String> = addons(&had).difference(&addons(&has)).cloned().collect();
    lacking.sort();
    if !lacking.is_empty() {
        let part = format!("add-on entitlements {}", lacking.join(", "));
        let lacking = lacking.into_iter().map(Value::string).collect();
        plan.calls.push((
            "system.addEntitlements",
            vec![new.clone(), Value::Array(lacking)],
            part,
        ));
    }

    // Its maintenance schedule, when the new copy has none.
    if let (Some(schedule), None) = (schedules.0.of_system(old), schedules.1.of_system(new)) {
        plan.calls.push((
            "maintenance.assignScheduleToSystems",
            vec![
                Value::string(schedule),
                Value::Array(vec![new.clone()]),
                Value::Array(vec![RESCHEDULE.into()]),
            ],
            format!("maintenance schedule {schedule}"),
        ));
    }

    // Profile name and description, only when asked to overwrite.
    if mode.update {
        let mut set = Struct::new();
        for member in ["profile_name", "description"] {
            if text(&had, member).trim() != text(&has, member).trim() {
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
    Ok(plan)
}
