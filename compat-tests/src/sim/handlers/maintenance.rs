//! `maintenance`: maintenance calendars (`createCalendar`,
//! `listCalendarLabels`, `getCalendarDetails`, `updateCalendar`,
//! `refreshCalendar`, `deleteCalendar`; `createCalendarWithUrl` up to the
//! download) and schedules (`createSchedule` with and without a calendar,
//! `listScheduleNames`, `getScheduleDetails`, `updateSchedule`,
//! `deleteSchedule`) and the systems assigned a schedule
//! (`assignScheduleToSystems`, `retractScheduleFromSystems`,
//! `listSystemsWithSchedule`). Each node numbers its
//! calendars and schedules from [`crate::sim::seed::first_custom_id`];
//! none are seeded.
//!
//! Follows the server's `MaintenanceHandler`, `MaintenanceManager`,
//! `MaintenanceCalendarSerializer` (`id`, `orgId`, `label`, `url` when
//! set, `ical`), `MaintenanceScheduleSerializer` (`id`, `orgId`, `name`,
//! `type`, `calendar` when set: the calendar as above) and
//! `RescheduleResultSerializer` (`strategy`, `for_schedule_name`,
//! `status`, `message`, `actions`). The changes ask for an organization
//! administrator (`ensureOrgAdmin`), the reads for a login only. The
//! details and lookups answer a single struct, as the server does (its
//! documentation says an array). Labels and names are compared with case.
//! The iCalendar text is stored as given: the server does not parse it
//! when it is created or updated either (it parses it only when it
//! reschedules actions of systems that have the schedule).
//!
//! Systems are assigned a schedule (`assignScheduleToSystems`,
//! `retractScheduleFromSystems`, `listSystemsWithSchedule`): a system has
//! at most one, a new assignment replaces the old one, deleting the
//! schedule or the system drops the assignment. Both calls answer the
//! number of systems named (distinct), a single int, as the server's
//! handler does (its documentation says an array).
//!
//! Simplified: one organization; the simulator's actions are not weighed
//! against the calendars, so every reschedule result is the server's
//! success with nothing to reschedule, and an assignment never fails for
//! pending maintenance-only actions (unverified: the server's
//! `Systems have pending maintenance-only actions` check); the
//! simulator downloads nothing, so a call that would fetch a calendar
//! from a URL answers the unmodelled-method fault after the checks that
//! come before the download. Unverified: the order of `listCalendarLabels`,
//! `listScheduleNames` and of the results of `updateCalendar` and
//! `deleteCalendar` (here by id; the server's queries have no order), the
//! fault for a `details` member that is not a string, and the texts of
//! 4.3's reschedule strategy check (its handler maps the strategies
//! through older code).

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::activationkey::check_members;
use super::system::checked_systems;
use super::{Answer, Call, require_role};
use crate::sim::model::{
    CustomContent, DEFAULT_ORG_ID, MaintenanceCalendar, MaintenanceSchedule, NodeData, take_id,
};
use crate::sim::{Node, faults, unmodeled};

/// `ScheduleType` labels.
const SCHEDULE_TYPES: &[&str] = &["single", "multi"];

/// `RescheduleStrategyType` labels.
const STRATEGIES: &[&str] = &["Cancel", "Fail"];

/// `maintenance.*`.
pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listCalendarLabels" => call.user(node).map(|_| {
            let data = node.read();
            Value::Array(
                data.custom
                    .calendars
                    .values()
                    .map(|c| Value::string(&c.label))
                    .collect(),
            )
        }),
        "getCalendarDetails" => calendar_details(node, call),
        "createCalendar" => create_calendar(node, call),
        "createCalendarWithUrl" => create_calendar_with_url(node, call),
        "updateCalendar" => update_calendar(node, call),
        "refreshCalendar" => refresh_calendar(node, call),
        "deleteCalendar" => delete_calendar(node, call),
        "listScheduleNames" => call.user(node).map(|_| {
            let data = node.read();
            Value::Array(
                data.custom
                    .schedules
                    .values()
                    .map(|s| Value::string(&s.name))
                    .collect(),
            )
        }),
        "getScheduleDetails" => schedule_details(node, call),
        "createSchedule" => create_schedule(node, call),
        "updateSchedule" => update_schedule(node, call),
        "deleteSchedule" => delete_schedule(node, call),
        "listSystemsWithSchedule" => systems_with_schedule(node, call),
        "assignScheduleToSystems" => assign(node, call),
        "retractScheduleFromSystems" => retract(node, call),
        _ => return None,
    })
}

/// `ensureOrgAdmin`: an organization administrator (a SUSE Manager
/// administrator passes too, as the simulator's other checks let it).
fn require_org_admin(node: &Node, call: &Call<'_>) -> Result<(), Fault> {
    require_role(&call.user(node)?, &[])
}

/// `EntityExistsFaultException` (10100) from the manager's
/// `EntityExistsException`: its message.
fn exists(message: &str) -> Fault {
    faults::domain(10100, message)
}

/// `EntityNotExistsFaultException` (10101) made by the handler: the
/// identifier asked for.
fn not_exists(identifier: &str) -> Fault {
    faults::domain(10101, identifier)
}

/// `EntityNotExistsFaultException` (10101) from the manager's
/// `EntityNotExistsException`: `Entity does not exist: <identifier>`.
fn entity_not_exists(identifier: &str) -> Fault {
    faults::domain(10101, &format!("Entity does not exist: {identifier}"))
}

/// `createStrategiesFromStrings`: every member of `rescheduleStrategy`
/// must be `Cancel` or `Fail`, else `RescheduleStrategyType.fromLabel`'s
/// `IllegalArgumentException`, answered unhandled. The handler reads them
/// before the manager looks anything up.
fn check_strategies(call: &Call<'_>) -> Result<(), Fault> {
    for strategy in call.strs("rescheduleStrategy")? {
        if !STRATEGIES.contains(&strategy.as_str()) {
            return Err(faults::internal(&format!(
                "Reschedule Strategy '{strategy}' does not exist."
            )));
        }
    }
    Ok(())
}

/// `ScheduleType.lookupByLabel`: `single` or `multi`, else its
/// `IllegalArgumentException`, answered unhandled.
fn schedule_type(label: &str) -> Result<String, Fault> {
    if SCHEDULE_TYPES.contains(&label) {
        Ok(label.to_owned())
    } else {
        Err(faults::internal(&format!("Unsupported label: {label}")))
    }
}

/// The calendar labelled `label`.
fn calendar_by_label<'d>(
    custom: &'d CustomContent,
    label: &str,
) -> Option<&'d MaintenanceCalendar> {
    custom.calendars.values().find(|c| c.label == label)
}

/// The schedule named `name`.
fn schedule_by_name<'d>(custom: &'d CustomContent, name: &str) -> Option<&'d MaintenanceSchedule> {
    custom.schedules.values().find(|s| s.name == name)
}

/// A calendar as `MaintenanceCalendarSerializer` shows it (`url` only
/// when set).
fn calendar_value(c: &MaintenanceCalendar) -> Value {
    let mut value = Struct::with_capacity(5)
        .with("id", Value::Int(c.id))
        .with("orgId", Value::Int(DEFAULT_ORG_ID))
        .with("label", Value::string(&c.label));
    if let Some(url) = &c.url {
        value.push("url", Value::string(url));
    }
    value.push("ical", Value::string(&c.ical));
    value.into()
}

/// A schedule as `MaintenanceScheduleSerializer` shows it (`calendar`,
/// the calendar itself, only when set).
fn schedule_value(custom: &CustomContent, s: &MaintenanceSchedule) -> Value {
    let mut value = Struct::with_capacity(5)
        .with("id", Value::Int(s.id))
        .with("orgId", Value::Int(DEFAULT_ORG_ID))
        .with("name", Value::string(&s.name))
        .with("type", Value::string(&s.kind));
    if let Some(calendar) = s.calendar.and_then(|id| custom.calendars.get(&id)) {
        value.push("calendar", calendar_value(calendar));
    }
    value.into()
}

/// `new RescheduleResult(scheduleName, true)`: what the server answers for
/// a schedule no system with pending actions has.
fn nothing_to_reschedule(schedule: &str) -> Value {
    Struct::with_capacity(5)
        .with("strategy", Value::string(""))
        .with("for_schedule_name", Value::string(schedule))
        .with("status", Value::Bool(true))
        .with("message", Value::string("Nothing to reschedule"))
        .with("actions", Value::Array(Vec::new()))
        .into()
}

/// The results for every schedule that uses calendar `id`, by id.
fn results_for_calendar(custom: &CustomContent, id: i32) -> Value {
    Value::Array(
        custom
            .schedules
            .values()
            .filter(|s| s.calendar == Some(id))
            .map(|s| nothing_to_reschedule(&s.name))
            .collect(),
    )
}

/// The `details` argument, its members checked against `allowed`
/// (`BaseHandler.validateMap`, `InvalidArgsException` 2801).
fn details<'c>(call: &'c Call<'_>, allowed: &[&str]) -> Result<&'c Struct, Fault> {
    let details = call
        .arg("details")
        .and_then(Value::as_struct)
        .ok_or_else(|| faults::internal("missing struct parameter details"))?;
    check_members(details, allowed)?;
    Ok(details)
}

/// A string member of `details` (the server's `Map<String, String>`);
/// `None` when absent. Another type fails the server's cast to `String`,
/// answered unhandled (unverified: the simulator's text is its own).
fn member<'s>(details: &'s Struct, name: &str) -> Result<Option<&'s str>, Fault> {
    match details.get(name) {
        None => Ok(None),
        Some(value) => value
            .as_str()
            .map(Some)
            .ok_or_else(|| faults::internal(&format!("details member {name} is not a string"))),
    }
}

/// `getCalendarDetails(label)`: the calendar, or
/// `EntityNotExistsFaultException` naming the label.
fn calendar_details(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let data = node.read();
    calendar_by_label(&data.custom, label)
        .map(calendar_value)
        .ok_or_else(|| not_exists(label))
}

/// `ensureCalendarNotExists`.
fn check_new_label(custom: &CustomContent, label: &str) -> Result<(), Fault> {
    if calendar_by_label(custom, label).is_some() {
        return Err(exists(&format!(
            "Maintenance Calendar '{label}' already exists"
        )));
    }
    Ok(())
}

/// `createCalendar(label, ical)`: the new calendar, its iCalendar text
/// kept as given.
fn create_calendar(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let label = call.str("label")?;
    let ical = call.str("ical")?;
    let mut data = node.write();
    let custom = &mut data.custom;
    check_new_label(custom, label)?;
    let calendar = MaintenanceCalendar {
        id: take_id(&mut custom.next_calendar_id),
        label: label.to_owned(),
        url: None,
        ical: ical.to_owned(),
    };
    let value = calendar_value(&calendar);
    custom.calendars.insert(calendar.id, calendar);
    Ok(value)
}

/// `createCalendarWithUrl(label, url)`: the role and the label are
/// checked as the server checks them; the download is not modelled.
fn create_calendar_with_url(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let label = call.str("label")?;
    check_new_label(&node.read().custom, label)?;
    unmodeled::answer(node, call)
}

/// `updateCalendar(label, details, rescheduleStrategy)`: with `ical` in
/// `details`, the calendar's new iCalendar text (its URL, if any, kept);
/// with only `url`, the server downloads the calendar, which is not
/// modelled; with neither, nothing changes. Answers a reschedule result
/// for each schedule that uses the calendar.
fn update_calendar(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let label = call.str("label")?;
    let details = details(call, &["url", "ical"])?;
    check_strategies(call)?;
    let ical = member(details, "ical")?;
    let url = member(details, "url")?;
    let mut data = node.write();
    let custom = &mut data.custom;
    let id = calendar_by_label(custom, label)
        .ok_or_else(|| entity_not_exists(label))?
        .id;
    match (ical, url) {
        (Some(ical), _) => {
            custom.calendars.get_mut(&id).expect("found above").ical = ical.to_owned();
        }
        (None, Some(_)) => {
            drop(data);
            return unmodeled::answer(node, call);
        }
        (None, None) => {}
    }
    Ok(results_for_calendar(custom, id))
}

/// `refreshCalendar(label, rescheduleStrategy)`: a calendar without a URL
/// (every calendar here) is `EntityNotExistsException("url")`.
fn refresh_calendar(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let label = call.str("label")?;
    check_strategies(call)?;
    let has_url = {
        let data = node.read();
        calendar_by_label(&data.custom, label)
            .ok_or_else(|| entity_not_exists(label))?
            .url
            .is_some()
    };
    if has_url {
        return unmodeled::answer(node, call);
    }
    Err(entity_not_exists("url"))
}

/// `deleteCalendar(label, cancelScheduledActions)`: the calendar gone and
/// every schedule that used it left without one (the schedules stay);
/// answers a reschedule result for each of those schedules.
fn delete_calendar(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let label = call.str("label")?;
    call.bool("cancelScheduledActions")?;
    let mut data = node.write();
    let custom = &mut data.custom;
    let id = calendar_by_label(custom, label)
        .ok_or_else(|| not_exists(label))?
        .id;
    let results = results_for_calendar(custom, id);
    custom.calendars.remove(&id);
    for schedule in custom.schedules.values_mut() {
        if schedule.calendar == Some(id) {
            schedule.calendar = None;
        }
    }
    Ok(results)
}

/// `getScheduleDetails(name)`: the schedule, or
/// `EntityNotExistsFaultException` naming it.
fn schedule_details(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let name = call.str("name")?;
    let data = node.read();
    schedule_by_name(&data.custom, name)
        .map(|s| schedule_value(&data.custom, s))
        .ok_or_else(|| not_exists(name))
}

/// `createSchedule(name, type[, calendar])`: the new schedule. The type
/// is checked first; a calendar label the node does not hold is no fault:
/// the schedule is made without a calendar, as the server makes it.
fn create_schedule(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let name = call.str("name")?;
    let kind = schedule_type(call.str("type")?)?;
    let calendar_label = match call.arg("calendar") {
        Some(_) => Some(call.str("calendar")?),
        None => None,
    };
    let mut data = node.write();
    let custom = &mut data.custom;
    let calendar = calendar_label
        .and_then(|label| calendar_by_label(custom, label))
        .map(|c| c.id);
    if schedule_by_name(custom, name).is_some() {
        return Err(exists(&format!(
            "Maintenance Schedule '{name}' already exists"
        )));
    }
    let schedule = MaintenanceSchedule {
        id: take_id(&mut custom.next_schedule_id),
        name: name.to_owned(),
        kind,
        calendar,
    };
    let value = schedule_value(custom, &schedule);
    custom.schedules.insert(schedule.id, schedule);
    Ok(value)
}

/// `updateSchedule(name, details, rescheduleStrategy)`: `type` in
/// `details` sets the type, `calendar` the calendar by label (an empty or
/// blank label takes the calendar away); the reschedule result.
fn update_schedule(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let name = call.str("name")?;
    let details = details(call, &["type", "calendar"])?;
    check_strategies(call)?;
    let kind = member(details, "type")?;
    let calendar = member(details, "calendar")?;
    let mut data = node.write();
    let custom = &mut data.custom;
    let id = schedule_by_name(custom, name)
        .ok_or_else(|| entity_not_exists(name))?
        .id;
    let kind = kind.map(schedule_type).transpose()?;
    let calendar = match calendar {
        None => None,
        Some(label) if label.trim().is_empty() => Some(None),
        Some(label) => Some(Some(
            calendar_by_label(custom, label)
                .ok_or_else(|| entity_not_exists(label))?
                .id,
        )),
    };
    let schedule = custom.schedules.get_mut(&id).expect("found above");
    if let Some(kind) = kind {
        schedule.kind = kind;
    }
    if let Some(calendar) = calendar {
        schedule.calendar = calendar;
    }
    Ok(nothing_to_reschedule(&schedule.name))
}

/// `deleteSchedule(name)`: 1; its calendar stays, the systems that had
/// it have none.
fn delete_schedule(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let name = call.str("name")?;
    let mut data = node.write();
    let data = &mut *data;
    let custom = &mut data.custom;
    let id = schedule_by_name(custom, name)
        .ok_or_else(|| not_exists(name))?
        .id;
    custom.schedules.remove(&id);
    data.settings.schedules.retain(|_, s| *s != id);
    Ok(Value::Int(1))
}

/// `listSystemsWithSchedule(scheduleName)`: the ids of the systems
/// assigned the schedule, ascending (unverified: the server's query has
/// no order).
fn systems_with_schedule(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let name = call.str("scheduleName")?;
    let data = node.read();
    let id = schedule_by_name(&data.custom, name)
        .ok_or_else(|| not_exists(name))?
        .id;
    let mut sids: Vec<i32> = data
        .settings
        .schedules
        .iter()
        .filter(|(_, s)| **s == id)
        .map(|(sid, _)| *sid)
        .collect();
    sids.sort_unstable();
    Ok(Value::Array(sids.into_iter().map(Value::Int).collect()))
}

/// `ensureSystemsAccessible`: every id must name a system of the node,
/// else `PermissionException`, answered as
/// `PermissionCheckFailureException` (-23). Answers the distinct ids.
fn accessible_systems(data: &NodeData, sids: &[i64]) -> Result<Vec<i32>, Fault> {
    let mut ids = checked_systems(data, sids).map_err(|_| faults::permission_denied())?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// `assignScheduleToSystems(scheduleName, sids, rescheduleStrategy)`: the
/// number of systems named (distinct), each now assigned the schedule
/// (replacing the one it had). The schedule is looked up first
/// (`EntityNotExistsFaultException` naming it); a strategy other than
/// `Cancel` or `Fail` is then `InvalidParameterException` (1213: the
/// handler makes the strategies inside the block that turns the
/// manager's `IllegalArgumentException` into it); then the systems must
/// all be the node's (-23).
fn assign(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let name = call.str("scheduleName")?;
    let sids = call.ints("sids")?;
    let strategies = call.strs("rescheduleStrategy")?;
    let mut data = node.write();
    let id = schedule_by_name(&data.custom, name)
        .ok_or_else(|| not_exists(name))?
        .id;
    if let Some(bad) = strategies
        .iter()
        .find(|s| !STRATEGIES.contains(&s.as_str()))
    {
        return Err(faults::domain(
            1213,
            &format!("Reschedule Strategy '{bad}' does not exist."),
        ));
    }
    let ids = accessible_systems(&data, &sids)?;
    for sid in &ids {
        data.settings.schedules.insert(*sid, id);
    }
    Ok(Value::Int(i32::try_from(ids.len()).unwrap_or(i32::MAX)))
}

/// `retractScheduleFromSystems(sids)`: the number of systems named
/// (distinct; a system without a schedule counts too: the server's
/// update matches it), none of them with a schedule now. The systems must
/// all be the node's (-23).
fn retract(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_org_admin(node, call)?;
    let sids = call.ints("sids")?;
    let mut data = node.write();
    let ids = accessible_systems(&data, &sids)?;
    for sid in &ids {
        data.settings.schedules.remove(sid);
    }
    Ok(Value::Int(i32::try_from(ids.len()).unwrap_or(i32::MAX)))
}
