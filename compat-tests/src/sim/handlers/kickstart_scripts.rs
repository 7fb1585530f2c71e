//! `kickstart.profile`'s scripts: `addScript` (the 7-, 8- and 9-argument
//! overloads), `listScripts`, `removeScript`, `orderScripts`. Each node
//! numbers its scripts from [`crate::sim::seed::first_custom_id`].
//!
//! Follows the server's `ProfileHandler`, `KickstartData.addScript` (a
//! post script outside the chroot goes below the lowest position, before
//! registration; any other after the highest), `KickstartScript.compareTo`
//! and `KickstartScriptSerializer`. Every call checks
//! `checkKickstartPerms` first, then looks the profile up
//! ([`super::kickstart`]). Simplified: `orderScripts` checks the scripts
//! in the order `listScripts` gives (the server walks a hash set, so which
//! missing id it names first is unverified).

use std::cmp::Ordering;

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::kickstart::{check_kickstart_perms, invalid_label, profile_mut};
use super::{Answer, Call};
use crate::sim::model::{KickstartScript, take_id};
use crate::sim::{Node, faults};

/// The most characters `addScript` takes for a name.
const MAX_NAME: usize = 40;

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "addScript" => add(node, call),
        "listScripts" => list(node, call),
        "removeScript" => remove(node, call),
        "orderScripts" => order(node, call),
        _ => return None,
    })
}

/// `KickstartScript.compareTo`: pre scripts first; then by position, but
/// among negative positions -1 before -2.
fn server_order(a: &KickstartScript, b: &KickstartScript) -> Ordering {
    if a.kind != b.kind {
        return if a.kind == "pre" {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    if a.position < 0 && b.position < 0 {
        return b.position.cmp(&a.position);
    }
    a.position.cmp(&b.position)
}

/// A script as `KickstartScriptSerializer` writes it: no interpreter is
/// `""`; a pre script, or a post script at a negative position, runs
/// before registration.
fn script_value(s: &KickstartScript) -> Value {
    Struct::with_capacity(9)
        .with("id", Value::Int(s.id))
        .with("name", Value::string(&s.name))
        .with("contents", Value::string(&s.contents))
        .with("script_type", Value::string(&s.kind))
        .with(
            "interpreter",
            Value::string(s.interpreter.as_deref().unwrap_or_default()),
        )
        .with("chroot", Value::Bool(s.chroot))
        .with("erroronfail", Value::Bool(s.error_on_fail))
        .with("template", Value::Bool(s.template))
        .with(
            "beforeRegistration",
            Value::Bool(s.kind == "pre" || s.position < 0),
        )
        .into()
}

/// `listScripts(ksLabel)`: in the order they run.
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    check_kickstart_perms(&call.user(node)?)?;
    let label = call.str("ksLabel")?;
    let data = node.read();
    let profile = data
        .custom
        .kickstart_profiles
        .get(label)
        .ok_or_else(|| invalid_label(label))?;
    let mut scripts: Vec<&KickstartScript> = profile.scripts.iter().collect();
    scripts.sort_by(|a, b| server_order(a, b));
    Ok(Value::Array(
        scripts.into_iter().map(script_value).collect(),
    ))
}

/// An optional boolean argument: `false` when the overload lacks it.
fn opt_bool(call: &Call<'_>, name: &str) -> Result<bool, Fault> {
    match call.arg(name) {
        Some(_) => call.bool(name),
        None => Ok(false),
    }
}

/// `addScript(ksLabel, name, contents, interpreter, type, chroot[,
/// template[, erroronfail]])`: the new script's id.
fn add(node: &Node, call: &Call<'_>) -> MethodResponse {
    check_kickstart_perms(&call.user(node)?)?;
    let label = call.str("ksLabel")?;
    let name = call.str("name")?;
    let contents = call.str("contents")?;
    let interpreter = call.str("interpreter")?;
    let kind = call.str("type")?;
    let chroot = call.bool("chroot")?;
    let template = opt_bool(call, "template")?;
    let error_on_fail = opt_bool(call, "erroronfail")?;
    let mut data = node.write();
    let custom = &mut data.custom;
    let scripts = &custom
        .kickstart_profiles
        .get(label)
        .ok_or_else(|| invalid_label(label))?
        .scripts;
    if kind != "pre" && kind != "post" {
        return Err(faults::domain(
            2760,
            "Only script types of \"pre\" and \"post\" are allowed for kickstarts.",
        ));
    }
    // Java's `String.length()` counts UTF-16 units.
    if name.trim().is_empty() || name.encode_utf16().count() > MAX_NAME {
        return Err(faults::domain(
            2762,
            "Script Name must be larger than 0 and fewer than 40 characters.",
        ));
    }
    let positions = scripts.iter().map(|s| s.position);
    let position = if kind == "post" && !chroot {
        positions.chain([0]).min().unwrap_or(0) - 1
    } else {
        positions.chain([0]).max().unwrap_or(0) + 1
    };
    let id = take_id(&mut custom.next_kickstart_script_id);
    let profile = profile_mut(custom, label)?;
    profile.scripts.push(KickstartScript {
        id,
        name: name.to_owned(),
        contents: contents.to_owned(),
        kind: kind.to_owned(),
        interpreter: (!interpreter.is_empty()).then(|| interpreter.to_owned()),
        chroot,
        error_on_fail,
        template,
        position,
    });
    Ok(Value::Int(id))
}

/// `InvalidKickstartScriptException` (2761).
fn invalid_script() -> Fault {
    faults::domain(2761, "You have specified an invalid kickstart script.")
}

/// `removeScript(ksLabel, scriptId)`: 1; an id of no script, or of
/// another profile's, is `InvalidKickstartScriptException`.
fn remove(node: &Node, call: &Call<'_>) -> MethodResponse {
    check_kickstart_perms(&call.user(node)?)?;
    let label = call.str("ksLabel")?;
    let id = call.int("scriptId")?;
    let mut data = node.write();
    let profile = profile_mut(&mut data.custom, label)?;
    let at = profile
        .scripts
        .iter()
        .position(|s| i64::from(s.id) == id)
        .ok_or_else(invalid_script)?;
    profile.scripts.remove(at);
    Ok(Value::Int(1))
}

/// The server's `IllegalArgumentException`, answered unhandled.
fn illegal(message: &str) -> Fault {
    faults::internal(message)
}

/// `orderScripts(ksLabel, preScripts, postScriptsBeforeRegistration,
/// postScriptsAfterRegistration)`: 1. Every pre script must be in the
/// first list and every post script in one of the others, with no more
/// ids than scripts; then pre scripts take positions 1, 2, ..., post
/// scripts before registration -1, -2, ..., and those after registration
/// the positive positions after the pre scripts'. A fault changes
/// nothing (the server rolls back).
fn order(node: &Node, call: &Call<'_>) -> MethodResponse {
    check_kickstart_perms(&call.user(node)?)?;
    let label = call.str("ksLabel")?;
    let pre = call.ints("preScripts")?;
    let before = call.ints("postScriptsBeforeRegistration")?;
    let after = call.ints("postScriptsAfterRegistration")?;
    let mut data = node.write();
    let profile = profile_mut(&mut data.custom, label)?;
    let mut checked: Vec<&KickstartScript> = profile.scripts.iter().collect();
    checked.sort_by(|a, b| server_order(a, b));
    let (mut pres, mut posts) = (0, 0);
    for script in checked {
        let id = i64::from(script.id);
        let listed = if script.kind == "pre" {
            pres += 1;
            pre.contains(&id)
        } else {
            posts += 1;
            before.contains(&id) || after.contains(&id)
        };
        if !listed {
            return Err(illegal(&format!("Kickstart Script ID missing: {id}")));
        }
    }
    if pre.len() != pres {
        return Err(illegal("Too many pre script IDs."));
    }
    if before.len() + after.len() != posts {
        return Err(illegal("Too many post script IDs."));
    }
    let mut positions = Vec::with_capacity(profile.scripts.len());
    let (mut next, mut next_negative) = (1_i64, -1_i64);
    for id in &pre {
        positions.push((*id, next));
        next += 1;
    }
    for id in &before {
        positions.push((*id, next_negative));
        next_negative -= 1;
    }
    for id in &after {
        positions.push((*id, next));
        next += 1;
    }
    // The checks above leave no room for an id of no script of the
    // profile; the server would hit a null on one (a `NullPointerException`,
    // answered unhandled).
    let at: Vec<(usize, i64)> = positions
        .into_iter()
        .map(|(id, position)| {
            profile
                .scripts
                .iter()
                .position(|s| i64::from(s.id) == id)
                .map(|i| (i, position))
                .ok_or_else(|| faults::internal("null"))
        })
        .collect::<Result<_, Fault>>()?;
    for (i, position) in at {
        profile.scripts[i].position = position;
    }
    Ok(Value::Int(1))
}
