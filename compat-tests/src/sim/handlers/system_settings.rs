//! A system's own settings, as the server's `SystemHandler` reads and
//! writes them: `system.getMinionIdMap`, `system.setDetails`, the notes
//! (`listNotes`, `addNote`, `deleteNote`, `deleteNotes`) and the add-on
//! entitlements (`getEntitlements`, `addEntitlements`,
//! `removeEntitlements`). `system.getDetails` shows what `setDetails` and
//! the entitlement calls set ([`super::system_profile::details_value`]).
//!
//! Every simulated system is a Salt minion (SUSE Linux Enterprise 15,
//! x86_64) of the one organization, with the `salt_entitlement` base
//! entitlement. A call that fails changes nothing (`BaseHandler.invoke`
//! rolls the transaction back). The snapshot the server takes when the
//! entitlements change is not modelled. Each node numbers its notes from
//! [`crate::sim::seed::first_custom_id`].
//!
//! Unverified: the order of `listNotes` (here by id), of `getEntitlements`
//! and `addon_entitlements` (here the base first, then the add-ons by
//! label) and of `getMinionIdMap` (here by minion id; the server's map has
//! none); a note id the system does not have in `deleteNote` (here no
//! fault, nothing removed); the text of the fault `deleteNote` and
//! `deleteNotes` answer for a system the node does not hold.

use std::collections::BTreeMap;

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::activationkey::check_members;
use super::{Answer, Call};
use crate::sim::clock::{format_datetime, now_secs};
use crate::sim::model::{
    ADDON_ENTITLEMENTS, BASE_ENTITLEMENT, NodeData, OTHER_BASE_ENTITLEMENTS, SystemNote, take_id,
};
use crate::sim::{Node, faults, unmodeled};

/// The members `setDetails` takes (`validKeys`).
const DETAIL_KEYS: &[&str] = &[
    "profile_name",
    "base_entitlement",
    "auto_errata_update",
    "address1",
    "address2",
    "city",
    "state",
    "country",
    "building",
    "room",
    "rack",
    "description",
    "contact_method",
];

/// The location members of `setDetails`, kept as given (`country` checked).
pub(super) const LOCATION_KEYS: &[&str] = &[
    "address1", "address2", "city", "state", "country", "building", "room", "rack",
];

/// The add-on entitlements a simulated Salt minion (SLES 15, x86_64) can
/// take (`SystemEntitlementManager.canEntitleServer`). `peripheral_server`
/// is known but refused (it is for registered peripheral servers).
/// Unverified: the per-entitlement `isAllowedOnServer` rules; labels the
/// simulator does not know (`proxy_entitled` among them) are
/// `InvalidEntitlementException` as unknown ones.
const MINION_ADDONS: &[&str] = &[
    "container_build_host",
    "monitoring_entitled",
    "osimage_build_host",
    "virtualization_host",
    "ansible_control_node",
];

/// `system.*` calls on a system's settings.
pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "getMinionIdMap" => minion_id_map(node, call),
        "setDetails" => set_details(node, call),
        "listNotes" => list_notes(node, call),
        "addNote" => add_note(node, call),
        "deleteNote" => delete_note(node, call, true),
        "deleteNotes" => delete_note(node, call, false),
        "getEntitlements" => get_entitlements(node, call),
        "addEntitlements" => add_entitlements(node, call),
        "removeEntitlements" => remove_entitlements(node, call),
        _ => return None,
    })
}

/// The system `sid` names, which the node must hold (`No such system`).
fn system(data: &NodeData, call: &Call<'_>) -> Result<i32, Fault> {
    super::system::one_system(data, call.int("sid")?).map(|s| s.id)
}

/// The entitlements of system `sid`: the base first, then its add-ons.
pub(super) fn entitlements(data: &NodeData, sid: i32) -> Vec<Value> {
    let mut labels = vec![Value::string(BASE_ENTITLEMENT)];
    labels.extend(addons(data, sid));
    labels
}

/// The add-on entitlements of system `sid`, by label.
pub(super) fn addons(data: &NodeData, sid: i32) -> Vec<Value> {
    data.settings
        .addons
        .get(&sid)
        .into_iter()
        .flatten()
        .map(Value::string)
        .collect()
}

/// `getMinionIdMap()`: each Salt minion the user can see, minion id to
/// system id (`ServerFactory.getMinionIdMap`: `suseMinionInfo` joined to
/// `rhnUserServerPerms`). Every simulated system is a minion of the one
/// organization, so every system is in it.
fn minion_id_map(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let mut pairs: Vec<(&str, i32)> = data
        .systems
        .values()
        .map(|s| (s.minion_id.as_str(), s.id))
        .collect();
    pairs.sort_unstable();
    Ok(Value::Struct(
        pairs
            .into_iter()
            .map(|(minion, id)| (minion.to_owned(), Value::Int(id)))
            .collect(),
    ))
}

/// A string member of `details`, or the server's failed cast (unhandled;
/// unverified text).
fn string_member<'s>(details: &'s Struct, name: &str) -> Result<Option<&'s str>, Fault> {
    match details.get(name) {
        None => Ok(None),
        Some(value) => value.as_str().map(Some).ok_or_else(|| {
            faults::internal(&format!(
                "details member {name} cannot be cast to java.lang.String"
            ))
        }),
    }
}

/// `validateProfileName`: the trimmed name must have 2 to 128 characters
/// (the server counts UTF-16 units, the simulator characters).
fn check_profile_name(name: &str) -> Result<(), Fault> {
    let length = name.chars().count();
    if length < 2 {
        Err(faults::domain(1060, "system profile name is too short"))
    } else if length > 128 {
        Err(faults::domain(1061, "system profile name is too long"))
    } else {
        Ok(())
    }
}

/// `setDetails(sid, details)`: 1. The members are checked against the
/// ones the server takes first (`InvalidArgsException` 2801), then the
/// system is looked up. `profile_name` (trimmed) renames the system (what
/// `listSystems`, `getName`, `searchByName` and `getDetails` show);
/// `description` replaces the description as given; `auto_errata_update`
/// sets `auto_update`; the location members are kept as given (`country`
/// must be a two-letter upper-case code, else `UnrecognizedCountryException`
/// 2280; unverified: the server checks it against its country list);
/// `base_entitlement` asks for an organization administrator, and its own
/// base (`salt_entitlement`) or an unknown label changes nothing, while
/// another base or `unentitle` is not modelled; `contact_method` is
/// always refused for a Salt system. Members the request lacks keep
/// their values.
fn set_details(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let details = call
        .arg("details")
        .and_then(Value::as_struct)
        .ok_or_else(|| faults::internal("missing struct parameter details"))?;
    check_members(details, DETAIL_KEYS)?;
    let sid = system(&node.read(), call)?;
    let name = string_member(details, "profile_name")?
        .map(|name| {
            let name = name.trim();
            check_profile_name(name).map(|()| name.to_owned())
        })
        .transpose()?;
    let description = string_member(details, "description")?;
    if let Some(base) = string_member(details, "base_entitlement")? {
        if !user
            .roles
            .iter()
            .any(|r| r == "org_admin" || r == "satellite_admin")
        {
            return Err(faults::permission_denied());
        }
        let other_base = base == "unentitle"
            || OTHER_BASE_ENTITLEMENTS.contains(&base)
            || ADDON_ENTITLEMENTS.contains(&base);
        if other_base {
            return unmodeled::answer(node, call);
        }
    }
    let auto_update = match details.get("auto_errata_update") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            return Err(faults::internal(
                "details member auto_errata_update cannot be cast to java.lang.Boolean",
            ));
        }
    };
    let mut location = BTreeMap::new();
    for key in LOCATION_KEYS {
        if let Some(value) = string_member(details, key)? {
            location.insert((*key).to_owned(), value.to_owned());
        }
    }
    if let Some(country) = location.get("country")
        && (country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()))
    {
        return Err(faults::domain(2280, country));
    }
    if details.get("contact_method").is_some() {
        return Err(faults::domain(
            -1,
            "Changing the contact method is not allowed for Salt systems.",
        ));
    }
    let mut data = node.write();
    let data = &mut *data;
    let system = data
        .systems
        .get_mut(&sid)
        .ok_or_else(faults::no_such_system)?;
    if let Some(name) = name {
        system.name = name;
    }
    if let Some(description) = description {
        system.description = description.to_owned();
    }
    match auto_update {
        Some(true) => {
            data.settings.auto_update.insert(sid);
        }
        Some(false) => {
            data.settings.auto_update.remove(&sid);
        }
        None => {}
    }
    if !location.is_empty() {
        data.settings
            .locations
            .entry(sid)
            .or_default()
            .extend(location);
    }
    Ok(Value::Int(1))
}

/// A note as `system.listNotes` shows it: `id`, `subject`, `note`,
/// `system_id`, `creator` (login), `updated`.
fn note_value(sid: i32, n: &SystemNote) -> Value {
    Struct::with_capacity(6)
        .with("id", Value::Int(n.id))
        .with("subject", Value::string(&n.subject))
        .with("note", Value::string(&n.body))
        .with("system_id", Value::Int(sid))
        .with("creator", Value::string(&n.creator))
        .with("updated", Value::DateTime(format_datetime(n.updated)))
        .into()
}

/// `listNotes(sid)`: the system's notes, by id.
fn list_notes(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let sid = system(&data, call)?;
    Ok(Value::Array(
        data.settings
            .notes
            .get(&sid)
            .into_iter()
            .flatten()
            .map(|n| note_value(sid, n))
            .collect(),
    ))
}

/// `addNote(sid, subject, body)`: a new note by the logged-in user; 1
/// (not the note's id). The server checks neither text (unverified: its
/// column limits, subject 80 and body 4000 characters, are not checked
/// here either).
fn add_note(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    let subject = call.str("subject")?;
    let body = call.str("body")?;
    let mut data = node.write();
    let sid = system(&data, call)?;
    let id = take_id(&mut data.settings.next_note_id);
    data.settings
        .notes
        .entry(sid)
        .or_default()
        .push(SystemNote {
            id,
            subject: subject.to_owned(),
            body: body.to_owned(),
            creator: user.login,
            updated: now_secs(),
        });
    Ok(Value::Int(1))
}

/// `deleteNote(sid, noteId)` (`one`) and `deleteNotes(sid)`: 1. The
/// handler does not look the system up itself: `SystemManager` does, and
/// its `LookupException` is answered unhandled (unverified text).
fn delete_note(node: &Node, call: &Call<'_>, one: bool) -> MethodResponse {
    let user = call.user(node)?;
    let sid = call.int("sid")?;
    let note = if one { Some(call.int("noteId")?) } else { None };
    let mut data = node.write();
    let sid = super::system::one_system(&data, sid)
        .map(|s| s.id)
        .map_err(|_| {
            Fault::new(
                -1,
                format!(
                    "com.redhat.rhn.common.hibernate.LookupException: Could not find server {sid} for user {}",
                    user.id
                ),
            )
        })?;
    let notes = &mut data.settings.notes;
    match note {
        Some(id) => {
            if let Some(list) = notes.get_mut(&sid) {
                list.retain(|n| i64::from(n.id) != id);
                if list.is_empty() {
                    notes.remove(&sid);
                }
            }
        }
        None => {
            notes.remove(&sid);
        }
    }
    Ok(Value::Int(1))
}

/// `getEntitlements(sid)`: the base entitlement, then the add-ons held.
fn get_entitlements(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let sid = system(&data, call)?;
    Ok(Value::Array(entitlements(&data, sid)))
}

/// The labels of `entitlements`, the system named by `sid`, and whether
/// every label is one the server knows. As the server: every label is
/// looked up first, then the system (`No such system`), then the labels
/// are checked (`InvalidEntitlementException`, -212, for any unknown one).
fn entitlement_args(node: &Node, call: &Call<'_>) -> Result<(i32, Vec<String>), Fault> {
    call.user(node)?;
    let labels = call.strs("entitlements")?;
    let sid = system(&node.read(), call)?;
    let known = |l: &String| {
        l == BASE_ENTITLEMENT
            || OTHER_BASE_ENTITLEMENTS.contains(&l.as_str())
            || ADDON_ENTITLEMENTS.contains(&l.as_str())
    };
    if !labels.iter().all(known) {
        return Err(faults::invalid_entitlement());
    }
    Ok((sid, labels))
}

/// `addEntitlements(sid, entitlements)`: 1, the add-ons added to the ones
/// held (one held already is skipped). `salt_entitlement` is the system's
/// base already and changes nothing; another base entitlement is not
/// modelled. An add-on a Salt minion cannot take is
/// `InvalidEntitlementException` (-212), and then nothing is added.
fn add_entitlements(node: &Node, call: &Call<'_>) -> MethodResponse {
    let (sid, labels) = entitlement_args(node, call)?;
    if labels
        .iter()
        .any(|l| OTHER_BASE_ENTITLEMENTS.contains(&l.as_str()))
    {
        return unmodeled::answer(node, call);
    }
    let addons: Vec<String> = labels
        .into_iter()
        .filter(|l| l != BASE_ENTITLEMENT)
        .collect();
    if !addons.iter().all(|l| MINION_ADDONS.contains(&l.as_str())) {
        return Err(faults::invalid_entitlement());
    }
    if !addons.is_empty() {
        let mut data = node.write();
        data.settings.addons.entry(sid).or_default().extend(addons);
    }
    Ok(Value::Int(1))
}

/// `removeEntitlements(sid, entitlements)`: 1, the add-ons named taken
/// away (one not held is quietly ignored). A base entitlement among them
/// unentitles the whole system, which is not modelled.
fn remove_entitlements(node: &Node, call: &Call<'_>) -> MethodResponse {
    let (sid, labels) = entitlement_args(node, call)?;
    if labels
        .iter()
        .any(|l| l == BASE_ENTITLEMENT || OTHER_BASE_ENTITLEMENTS.contains(&l.as_str()))
    {
        return unmodeled::answer(node, call);
    }
    let mut data = node.write();
    if let Some(held) = data.settings.addons.get_mut(&sid) {
        for label in &labels {
            held.remove(label);
        }
        if held.is_empty() {
            data.settings.addons.remove(&sid);
        }
    }
    Ok(Value::Int(1))
}
