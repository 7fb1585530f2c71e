//! Errata (patches): `errata.getDetails`, `channel.software.listErrata`,
//! `system.getRelevantErrata` and `system.scheduleApplyErrata`.
//!
//! The simulated systems have no installed packages: an erratum is
//! relevant to every system of its OS release (`15.6`, `15.5`) until the
//! node forgets it, and applying one schedules a `Patch Update` action
//! without changing what is relevant. Relevant errata are listed by
//! advisory name (the server's order is unverified).

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::system::{checked, checked_systems, one_system, schedule, sids};
use super::{Answer, Call};
use crate::sim::clock::{format_datetime, format_plain};
use crate::sim::model::{Erratum, NodeData};
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "getDetails" => details(node, call),
        _ => return None,
    })
}

pub(super) fn system_call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "getRelevantErrata" => relevant(node, call),
        "scheduleApplyErrata" => schedule_apply(node, call),
        _ => return None,
    })
}

/// `InvalidErrataException`: an erratum id or advisory name the node does
/// not hold. Unverified: the message is the exception's from the fault
/// table.
pub(crate) fn invalid_errata() -> Fault {
    faults::domain(2600, "Invalid errata")
}

/// `errata.getDetails`: the erratum of an advisory name.
fn details(node: &Node, call: &Call<'_>) -> MethodResponse {
    let advisory = call.str("advisoryName")?;
    let data = node.read();
    let e = data.erratum(advisory).ok_or_else(invalid_errata)?;
    let security = e.advisory_type == "Security Advisory";
    Ok(Struct::with_capacity(19)
        .with("id", Value::Int(e.id))
        .with("issue_date", Value::string(format_plain(e.issued)))
        .with("update_date", Value::string(format_plain(e.updated)))
        .with("last_modified_date", Value::string(format_plain(e.updated)))
        .with("release", Value::Int(1))
        .with("advisory_status", Value::string("final"))
        .with("vendor_advisory", Value::string(""))
        .with("product", Value::string("SUSE Linux Enterprise Server 15"))
        .with("errataFrom", Value::string("maint-coord@suse.de"))
        .with("solution", Value::string(""))
        .with("description", Value::string(&e.synopsis))
        .with("synopsis", Value::string(&e.synopsis))
        .with("topic", Value::string(""))
        .with("references", Value::string(""))
        .with("notes", Value::string(""))
        .with("type", Value::string(&e.advisory_type))
        .with(
            "severity",
            Value::string(if security { "important" } else { "" }),
        )
        .with("reboot_suggested", Value::Bool(false))
        .with("restart_suggested", Value::Bool(false))
        .into())
}

/// An erratum as `ErrataOverview` lists it (`system.getRelevantErrata`,
/// `channel.software.listErrata`).
fn overview(e: &Erratum) -> Value {
    let issued = Value::DateTime(format_datetime(e.issued));
    Struct::with_capacity(10)
        .with("id", Value::Int(e.id))
        .with("issue_date", issued.clone())
        .with("date", issued)
        .with("update_date", Value::DateTime(format_datetime(e.updated)))
        .with("advisory_synopsis", Value::string(&e.synopsis))
        .with("advisory_type", Value::string(&e.advisory_type))
        .with("advisory_status", Value::string("final"))
        .with("advisory_name", Value::string(&e.advisory))
        .with("reboot_suggested", Value::Bool(false))
        .with("restart_suggested", Value::Bool(false))
        .into()
}

/// `channel.software.listErrata`: the errata of a channel, by issue date;
/// with `startDate` (and `endDate`), those issued from (and before) then,
/// or last modified then when `lastModified` is true.
pub(super) fn of_channel(node: &Node, call: &Call<'_>) -> MethodResponse {
    let label = call.str("channelLabel")?;
    let start = call.opt_date("startDate")?;
    let end = call.opt_date("endDate")?;
    let modified = match call.arg("lastModified") {
        Some(_) => call.bool("lastModified")?,
        None => false,
    };
    let data = node.read();
    if data.channel(label).is_none() {
        return Err(faults::no_such_channel());
    }
    let mut errata: Vec<&Erratum> = data
        .errata
        .values()
        .filter(|e| e.channel_label == label)
        .filter(|e| {
            let at = if modified { e.updated } else { e.issued };
            start.is_none_or(|s| at >= s) && end.is_none_or(|t| at < t)
        })
        .collect();
    errata.sort_by(|a, b| (a.issued, &a.advisory).cmp(&(b.issued, &b.advisory)));
    Ok(Value::Array(errata.into_iter().map(overview).collect()))
}

/// The errata relevant to system `sid`, by advisory name.
fn relevant_to(data: &NodeData, sid: i64) -> Result<Vec<Value>, Fault> {
    let system = one_system(data, sid)?;
    let mut errata: Vec<&Erratum> = data
        .errata
        .values()
        .filter(|e| e.os_release == system.release)
        .collect();
    errata.sort_by(|a, b| a.advisory.cmp(&b.advisory));
    Ok(errata.into_iter().map(overview).collect())
}

/// `system.getRelevantErrata(sid)`: the errata; `(sids)`: per system, in
/// the order given, `system_id` and its `errata`.
fn relevant(node: &Node, call: &Call<'_>) -> MethodResponse {
    let data = node.read();
    if call.arg("sid").is_some() {
        return Ok(Value::Array(relevant_to(&data, call.int("sid")?)?));
    }
    let mut out = Vec::new();
    for sid in call.ints("sids")? {
        let errata = relevant_to(&data, sid)?;
        out.push(
            Struct::with_capacity(2)
                .with("system_id", Value::Int(sid as i32))
                .with("errata", Value::Array(errata))
                .into(),
        );
    }
    Ok(Value::Array(out))
}

/// `system.scheduleApplyErrata`: one `Patch Update` action for the systems
/// and errata named, its id answered in a list.
fn schedule_apply(node: &Node, call: &Call<'_>) -> MethodResponse {
    let sids = sids(call, call.arg("sid").is_some())?;
    let errata = call.ints("errataIds")?;
    let earliest = call
        .opt_date("earliestOccurrence")?
        .unwrap_or_else(crate::sim::clock::now_secs);
    let user = call.user(node)?;
    let mut data = node.write();
    let systems = checked_systems(&data, &sids)?;
    let errata = checked(&errata, &data.errata, invalid_errata)?;
    let id = schedule(
        &mut data,
        &user.login,
        ("Patch Update", "errata.update"),
        earliest,
        systems,
        Vec::new(),
    );
    if let Some(action) = data.actions.get_mut(&id) {
        action.errata_ids = errata;
    }
    Ok(Value::Array(vec![Value::Int(id)]))
}
