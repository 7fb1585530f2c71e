//! Shared content besides system groups, configuration channels,
//! activation keys and users: crypto keys (GPG and SSL), software
//! repositories, content lifecycle filters, custom system information
//! keys, kickstart snippets, external authentication group maps (roles,
//! system groups) and settings.
//!
//! Each is an item named alike on every node (a crypto key by its
//! description, a repository by its label, a filter, snippet or external
//! group by its name, a custom information key by its label) with a few
//! settings, made by one call, changed by one or two and removed by one,
//! so [`seed_content`] copies every kind the same way, in an order where
//! what an item names is there first (a repository names its SSL
//! certificates by their crypto keys' descriptions; an external group its
//! system groups, which `seed-node` copied before). With [`Mode::prune`]
//! a kind's removals go before its copies: a crypto key that goes takes
//! itself off the repositories that used it (the server's foreign keys
//! cascade) before they are compared, and a repository the source renamed
//! is renamed (found by its URL, which the server allows once per
//! organization), keeping its channels, rather than removed and made
//! anew.
//!
//! Settings are compared with the spaces and line ends around texts left
//! out: the server trims what its API is given, not what its web UI
//! stores. The organization's CA certificate (`RHN-ORG-TRUSTED-SSL-CERT`)
//! is each node's own and never touched.
//!
//! A crypto key's contents (an SSL client key is a private key) pass from
//! one node to the other in memory only: no report line, log line or error
//! shows them.

use std::collections::{HashMap, HashSet};

use xmlrpc::{Struct, Value};

use super::{
    Gone, Mode, NodeSession, Outcome, Removal, Report, SeedError, fault_text, refused, remove, text,
};

/// A kind of item this module copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A GPG or SSL key (`kickstart.keys`), by description.
    CryptoKey,
    /// A software repository (content source, `channel.software.*Repo*`),
    /// by label.
    Repository,
    /// A content lifecycle filter (`contentmanagement.*Filter`), by name.
    ContentFilter,
    /// A custom system information key (`system.custominfo`), by label.
    CustomInfoKey,
    /// A kickstart snippet of the organization's own
    /// (`kickstart.snippet`), by name.
    Snippet,
    /// An external authentication group's roles
    /// (`user.external.*ExternalGroupToRoleMap*`), by group name.
    ExternalRoleMap,
    /// An external authentication group's system groups
    /// (`user.external.*ExternalGroupToSystemGroupMap*`), by group name.
    ExternalGroupMap,
    /// A maintenance calendar (`maintenance.*Calendar*`), by label.
    Calendar,
    /// A maintenance schedule (`maintenance.*Schedule*`), by name: its
    /// type and its calendar (by label).
    Schedule,
}

/// The kinds, in the order they are copied.
const KINDS: [Kind; 9] = [
    Kind::CryptoKey,
    Kind::Repository,
    Kind::ContentFilter,
    Kind::CustomInfoKey,
    Kind::Snippet,
    Kind::ExternalRoleMap,
    Kind::ExternalGroupMap,
    Kind::Calendar,
    Kind::Schedule,
];

/// What a maintenance change does with actions its new windows leave
/// out: fail, never cancel them.
const RESCHEDULE: &str = "Fail";

/// One item as a node holds it. Not `Debug`: a crypto key's contents are
/// among its settings.
struct Item {
    /// What names it alike on every node.
    name: String,
    /// The node's own id of it (a filter's, which calls name by id).
    id: Value,
    /// Its settings as the calls that make it take them, by name. Empty
    /// until [`Kind::complete`] has read them, for the kinds whose listing
    /// does not show them all.
    settings: Vec<(&'static str, Value)>,
    /// What of it no call can copy (a repository's SSL sets past the
    /// first).
    uncopied: Option<String>,
    /// What else names it alike on every node, for finding it after a
    /// rename (a repository's URL).
    alias: Option<String>,
}

impl Item {
    fn setting(&self, name: &str) -> Value {
        self.settings
            .iter()
            .find(|(n, _)| *n == name)
            .map_or_else(|| Value::string(""), |(_, v)| v.clone())
    }
}

/// A call: its method and its parameters after the session key.
type Call = (&'static str, Vec<Value>);

impl Kind {
    /// The kind as the report names it.
    fn label(self) -> &'static str {
        match self {
            Kind::CryptoKey => "crypto key",
            Kind::Repository => "repository",
            Kind::ContentFilter => "content filter",
            Kind::CustomInfoKey => "custom info key",
            Kind::Snippet => "kickstart snippet",
            Kind::ExternalRoleMap => "external group roles",
            Kind::ExternalGroupMap => "external group groups",
            Kind::Calendar => "maintenance calendar",
            Kind::Schedule => "maintenance schedule",
        }
    }

    /// The listing of the kind and the member that names an item in it.
    fn listing(self) -> (&'static str, &'static str) {
        match self {
            Kind::CryptoKey => ("kickstart.keys.listAllKeys", "description"),
            Kind::Repository => ("channel.software.listUserRepos", "label"),
            Kind::ContentFilter => ("contentmanagement.listFilters", "name"),
            Kind::CustomInfoKey => ("system.custominfo.listAllKeys", "label"),
            Kind::Snippet => ("kickstart.snippet.listCustom", "name"),
            Kind::ExternalRoleMap => ("user.external.listExternalGroupToRoleMaps", "name"),
            Kind::ExternalGroupMap => ("user.external.listExternalGroupToSystemGroupMaps", "name"),
            // Listings of names alone.
            Kind::Calendar => ("maintenance.listCalendarLabels", ""),
            Kind::Schedule => ("maintenance.listScheduleNames", ""),
        }
    }

    /// The settings no call changes once the item is made.
    fn fixed(self) -> &'static [&'static str] {
        match self {
            Kind::Repository => &["type", "hasSignedMetadata"],
            Kind::ContentFilter => &["entityType"],
            _ => &[],
        }
    }

    /// Whether the item `name` is each node's own, never copied, updated
    /// or removed: the organization's CA certificate, which every server
    /// stores as an SSL key of this description (its own CA's).
    fn own_to_each_node(self, name: &str) -> bool {
        self == Kind::CryptoKey && name == "RHN-ORG-TRUSTED-SSL-CERT"
    }

    /// What to do about a setting no call changes, after "remove it on the
    /// target".
    fn remake_advice(self) -> &'static str {
        match self {
            Kind::Repository => {
                "; remove it on the target, run seed-node again to make it anew, then \
                 associate its channels and set its filters there again"
            }
            _ => "; remove it on the target and run seed-node again to make it anew",
        }
    }

    /// Whether what only the target holds is removed after every kind was
    /// copied, not before this kind: a calendar, which a schedule kept
    /// may use until the schedules are brought in line (deleting it would
    /// leave such a schedule without one).
    fn prunes_late(self) -> bool {
        self == Kind::Calendar
    }

    /// Whether `--update` compares setting `name` of `item` (the
    /// source's): not a calendar's iCalendar text where the source has a
    /// URL, as each node downloads it itself, at its own times.
    fn compares(self, item: &Item, name: &str) -> bool {
        !(self == Kind::Calendar && name == "ical" && item.setting("url").as_str() != Some(""))
    }

    /// Whether [`Kind::complete`] has to read an item's settings one by
    /// one.
    fn listing_is_partial(self) -> bool {
        matches!(
            self,
            Kind::CryptoKey | Kind::Repository | Kind::Calendar | Kind::Schedule
        )
    }

    /// The items `node` holds, with what the listing shows of them.
    async fn list(self, node: &NodeSession) -> Result<Vec<Item>, SeedError> {
        let (method, member) = self.listing();
        if member.is_empty() {
            let listed = node.call(method, Vec::new()).await?;
            let names = listed.as_array().ok_or_else(|| SeedError::Shape {
                node: node.node.clone(),
                method: method.to_owned(),
            })?;
            return Ok(names
                .iter()
                .filter_map(Value::as_str)
                .filter(|n| !n.is_empty())
                .map(|name| Item {
                    name: name.to_owned(),
                    id: Value::Nil,
                    settings: Vec::new(),
                    uncopied: None,
                    alias: None,
                })
                .collect());
        }
        let listed = node.list(method, Vec::new()).await?;
        Ok(listed
            .iter()
            .map(|s| Item {
                name: text(s, member).to_owned(),
                id: s.get("id").cloned().unwrap_or(Value::Nil),
                settings: match self.listing_is_partial() {
                    true => Vec::new(),
                    false => self.settings_of(s),
                },
                uncopied: None,
                alias: (self == Kind::Repository)
                    .then(|| text(s, "sourceUrl").trim().to_owned())
                    .filter(|url| !url.is_empty()),
            })
            .filter(|i| !i.name.is_empty())
            .collect())
    }

    /// Reads the settings of `item` that `node`'s listing does not show.
    async fn complete(self, node: &NodeSession, item: &mut Item) -> Result<(), SeedError> {
        let method = match self {
            Kind::CryptoKey => "kickstart.keys.getDetails",
            Kind::Repository => "channel.software.getRepoDetails",
            Kind::Calendar => "maintenance.getCalendarDetails",
            Kind::Schedule => "maintenance.getScheduleDetails",
            _ => return Ok(()),
        };
        let details = node.call(method, vec![item.name.as_str().into()]).await?;
        let details = details.as_struct().ok_or_else(|| SeedError::Shape {
            node: node.node.clone(),
            method: method.to_owned(),
        })?;
        item.settings = self.settings_of(details);
        if self == Kind::Repository {
            let sets = ssl_sets(details).len();
            item.uncopied = (sets > 1).then(|| {
                format!(
                    "SSL certificate sets past the first ({} of {sets}): a call makes one",
                    sets - 1
                )
            });
        }
        Ok(())
    }

    /// An item's settings, from its listing or details `s`.
    fn settings_of(self, s: &Struct) -> Vec<(&'static str, Value)> {
        let string = |name: &str| Value::string(text(s, name));
        match self {
            Kind::CryptoKey => vec![("type", string("type")), ("content", string("content"))],
            Kind::Repository => {
                let first = ssl_sets(s).into_iter().next().unwrap_or_default();
                vec![
                    ("type", string("type")),
                    ("url", string("sourceUrl")),
                    (
                        "hasSignedMetadata",
                        Value::Bool(
                            s.get("hasSignedMetadata")
                                .and_then(Value::as_bool)
                                .unwrap_or(true),
                        ),
                    ),
                    (
                        "ssl",
                        Value::Array(first.into_iter().map(Value::string).collect()),
                    ),
                ]
            }
            Kind::ContentFilter => {
                let criteria = s.get("criteria").and_then(Value::as_struct);
                let criterion = |name: &str| Value::string(criteria.map_or("", |c| text(c, name)));
                vec![
                    ("rule", string("rule")),
                    ("entityType", string("entityType")),
                    (
                        "criteria",
                        Value::Struct(
                            Struct::with_capacity(3)
                                .with("matcher", criterion("matcher"))
                                .with("field", criterion("field"))
                                .with("value", criterion("value")),
                        ),
                    ),
                ]
            }
            Kind::CustomInfoKey => vec![("description", string("description"))],
            Kind::Snippet => vec![("contents", string("contents"))],
            Kind::ExternalRoleMap => vec![("roles", names(s, "roles"))],
            Kind::ExternalGroupMap => vec![("groups", names(s, "groups"))],
            // A calendar the server downloads from a URL is its URL (each
            // node downloads it itself), another its iCalendar text.
            Kind::Calendar => vec![
                ("ical", string("ical")),
                ("url", Value::string(text(s, "url").trim())),
            ],
            Kind::Schedule => vec![
                ("type", string("type")),
                (
                    "calendar",
                    Value::string(
                        s.get("calendar")
                            .and_then(Value::as_struct)
                            .map_or("", |c| text(c, "label")),
                    ),
                ),
            ],
        }
    }

    /// The call that makes `item` on a node.
    fn create(self, item: &Item) -> Call {
        let name = Value::string(&item.name);
        let set = |n: &str| item.setting(n);
        match self {
            Kind::CryptoKey => (
                "kickstart.keys.create",
                vec![name, set("type"), set("content")],
            ),
            Kind::Repository => {
                let mut params = vec![name, set("type"), set("url")];
                params.extend(ssl_params(&set("ssl")));
                params.push(set("hasSignedMetadata"));
                ("channel.software.createRepo", params)
            }
            Kind::ContentFilter => (
                "contentmanagement.createFilter",
                vec![name, set("rule"), set("entityType"), set("criteria")],
            ),
            Kind::CustomInfoKey => (
                "system.custominfo.createKey",
                vec![name, set("description")],
            ),
            Kind::Snippet => (
                "kickstart.snippet.createOrUpdate",
                vec![name, set("contents")],
            ),
            Kind::ExternalRoleMap => (
                "user.external.createExternalGroupToRoleMap",
                vec![name, set("roles")],
            ),
            Kind::ExternalGroupMap => (
                "user.external.createExternalGroupToSystemGroupMap",
                vec![name, set("groups")],
            ),
            Kind::Calendar => match set("url").as_str() {
                Some("") | None => ("maintenance.createCalendar", vec![name, set("ical")]),
                Some(_) => ("maintenance.createCalendarWithUrl", vec![name, set("url")]),
            },
            Kind::Schedule => {
                let mut params = vec![name, set("type")];
                if set("calendar").as_str() != Some("") {
                    params.push(set("calendar"));
                }
                ("maintenance.createSchedule", params)
            }
        }
    }

    /// The calls that bring `held` (the target's) in line with `item`
    /// (the source's), whose settings `differing` differ.
    fn update(self, item: &Item, held: &Item, differing: &[&str]) -> Vec<Call> {
        let name = Value::string(&item.name);
        let set = |n: &str| item.setting(n);
        match self {
            Kind::CryptoKey => vec![(
                "kickstart.keys.update",
                vec![name, set("type"), set("content")],
            )],
            Kind::Repository => {
                let mut calls = Vec::new();
                if differing.contains(&"url") {
                    calls.push((
                        "channel.software.updateRepoUrl",
                        vec![name.clone(), set("url")],
                    ));
                }
                if differing.contains(&"ssl") {
                    let mut params = vec![name];
                    params.extend(ssl_params(&set("ssl")));
                    calls.push(("channel.software.updateRepoSsl", params));
                }
                calls
            }
            Kind::ContentFilter => vec![(
                "contentmanagement.updateFilter",
                vec![held.id.clone(), name, set("rule"), set("criteria")],
            )],
            Kind::CustomInfoKey => vec![(
                "system.custominfo.updateKey",
                vec![name, set("description")],
            )],
            Kind::Snippet => vec![self.create(item)],
            Kind::ExternalRoleMap => vec![(
                "user.external.setExternalGroupRoles",
                vec![name, set("roles")],
            )],
            Kind::ExternalGroupMap => vec![(
                "user.external.setExternalGroupSystemGroups",
                vec![name, set("groups")],
            )],
            Kind::Calendar => {
                let (member, value) = match set("url").as_str() {
                    Some("") | None => ("ical", set("ical")),
                    Some(_) => ("url", set("url")),
                };
                vec![(
                    "maintenance.updateCalendar",
                    vec![
                        name,
                        Value::Struct(Struct::with_capacity(1).with(member, value)),
                        Value::Array(vec![RESCHEDULE.into()]),
                    ],
                )]
            }
            Kind::Schedule => vec![(
                "maintenance.updateSchedule",
                vec![
                    name,
                    Value::Struct(
                        Struct::with_capacity(2)
                            .with("type", set("type"))
                            .with("calendar", set("calendar")),
                    ),
                    Value::Array(vec![RESCHEDULE.into()]),
                ],
            )],
        }
    }

    /// How [`remove`] deletes `held` from the target.
    fn removal(self, held: &Item) -> Removal {
        let name = || vec![Value::string(&held.name)];
        match self {
            Kind::CryptoKey => Removal {
                delete: ("kickstart.keys.delete", name()),
                lookup: Gone::Faults("kickstart.keys.getDetails", name()),
            },
            Kind::Repository => Removal {
                delete: ("channel.software.removeRepo", name()),
                lookup: Gone::Faults("channel.software.getRepoDetails", name()),
            },
            Kind::ContentFilter => Removal {
                delete: ("contentmanagement.removeFilter", vec![held.id.clone()]),
                lookup: Gone::Faults("contentmanagement.lookupFilter", vec![held.id.clone()]),
            },
            Kind::CustomInfoKey => Removal {
                delete: ("system.custominfo.deleteKey", name()),
                lookup: Gone::Unlisted(self.listing().0, self.listing().1),
            },
            Kind::Snippet => Removal {
                delete: ("kickstart.snippet.delete", name()),
                lookup: Gone::Unlisted(self.listing().0, self.listing().1),
            },
            Kind::ExternalRoleMap => Removal {
                delete: ("user.external.deleteExternalGroupToRoleMap", name()),
                lookup: Gone::Faults("user.external.getExternalGroupToRoleMap", name()),
            },
            // The server answers nil for a map it lacks, no fault.
            Kind::ExternalGroupMap => Removal {
                delete: ("user.external.deleteExternalGroupToSystemGroupMap", name()),
                lookup: Gone::Unlisted(self.listing().0, self.listing().1),
            },
            Kind::Calendar => Removal {
                delete: (
                    "maintenance.deleteCalendar",
                    vec![Value::string(&held.name), Value::Bool(false)],
                ),
                lookup: Gone::Faults("maintenance.getCalendarDetails", name()),
            },
            Kind::Schedule => Removal {
                delete: ("maintenance.deleteSchedule", name()),
                lookup: Gone::Faults("maintenance.getScheduleDetails", name()),
            },
        }
    }
}

/// The strings of array member `member` of `s`, sorted: a set of names
/// (roles, system groups), which the server keeps in no order.
fn names(s: &Struct, member: &str) -> Value {
    let mut names = super::strings(s, member);
    names.sort();
    names.dedup();
    Value::Array(names.into_iter().map(Value::string).collect())
}

/// A repository's SSL certificate sets (`sslContentSources`), each the
/// descriptions of its CA certificate, client certificate and client key.
fn ssl_sets(details: &Struct) -> Vec<Vec<String>> {
    details
        .get("sslContentSources")
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_struct)
        .map(|set| {
            ["sslCaDesc", "sslCertDesc", "sslKeyDesc"]
                .iter()
                .map(|m| text(set, m).to_owned())
                .collect()
        })
        .collect()
}

/// The three SSL parameters of `createRepo` and `updateRepoSsl` for a set
/// (empty: none).
fn ssl_params(set: &Value) -> Vec<Value> {
    let set = set.as_array().unwrap_or_default();
    (0..3)
        .map(|i| set.get(i).cloned().unwrap_or_else(|| Value::string("")))
        .collect()
}

/// How a setting is named in the report.
fn setting_label(name: &str) -> &str {
    match name {
        "url" => "URL",
        "ssl" => "SSL certificates",
        "hasSignedMetadata" => "signed metadata",
        "entityType" => "entity type",
        "ical" => "iCalendar text",
        other => other,
    }
}

/// Whether two settings are alike: a text with spaces or line ends around
/// it is the same (a server trims what its API is given, not what its web
/// UI stores, so a key uploaded there may end in a line end its API-made
/// copy lacks), in a struct or array too.
fn alike(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Struct(a), Value::Struct(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(name, v)| b.get(name).is_some_and(|w| alike(v, w)))
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| alike(v, w))
        }
        _ => match (a.as_str(), b.as_str()) {
            (Some(a), Some(b)) => super::same_text(a, b),
            _ => a == b,
        },
    }
}

/// The calendars `node`'s maintenance schedules use: label -> schedule
/// names.
async fn calendars_in_use(node: &NodeSession) -> Result<HashMap<String, Vec<String>>, SeedError> {
    let mut used: HashMap<String, Vec<String>> = HashMap::new();
    for mut schedule in Kind::Schedule.list(node).await? {
        if Kind::Schedule.complete(node, &mut schedule).await.is_err() {
            // Deleted since it was listed.
            continue;
        }
        if let Some(label) = schedule
            .setting("calendar")
            .as_str()
            .filter(|l| !l.is_empty())
        {
            used.entry(label.to_owned())
                .or_default()
                .push(schedule.name);
        }
    }
    Ok(used)
}

/// Whether a node refused a call for want of a role (the server's
/// `PermissionCheckFailureException`, -23).
fn lacks_a_role(e: &SeedError) -> bool {
    matches!(e, SeedError::Fault { fault, .. } if fault.code == -23)
}

/// What becomes of a kind or setting the node would not let `--user`
/// read or change: not copied (external group role maps and settings ask
/// for a SUSE Manager administrator, an organization administrator may
/// seed the rest), else a failure.
fn refused_outcome(e: &SeedError) -> Outcome {
    match lacks_a_role(e) {
        true => Outcome::NotCopied(format!(
            "{}: seed-node as a SUSE Manager administrator to copy it",
            fault_text(e)
        )),
        false => Outcome::Failed(fault_text(e)),
    }
}

/// Copies each kind of item from `from` onto `to` (see the module's
/// text), then the external authentication settings.
pub(super) async fn seed_content(
    from: &NodeSession,
    to: &NodeSession,
    mode: Mode,
    report: &mut Report,
) -> Result<(), SeedError> {
    let mut late = Vec::new();
    for kind in KINDS {
        match copy_kind(from, to, kind, mode, report).await {
            Ok(extra) => late.push((kind, extra)),
            // A listing a node refuses (`--user` lacks a role it asks
            // for) fails, or leaves out, that kind alone.
            Err(e @ SeedError::Fault { .. }) => {
                report.push(kind.label(), "*", refused_outcome(&e));
            }
            Err(e) => return Err(e),
        }
    }
    seed_external_settings(from, to, mode, report).await;
    // What goes only once what may use it was brought in line.
    for (kind, extra) in late {
        if extra.is_empty() {
            continue;
        }
        // Without --update (or when one failed), a schedule may still use
        // a calendar the source lacks: deleting it would leave the
        // schedule without one.
        let used = calendars_in_use(to).await?;
        for held in extra {
            match used.get(&held.name) {
                Some(schedules) if !mode.dry_run || !mode.update => {
                    let why = format!(
                        "still the calendar of schedule {} on the target (--update moves \
                         them to the source's calendars)",
                        schedules.join(", ")
                    );
                    report.push(kind.label(), &held.name, Outcome::Failed(why));
                }
                _ => {
                    let removal = kind.removal(&held);
                    remove(to, kind.label(), &held.name, removal, mode, report).await;
                }
            }
        }
    }
    Ok(())
}

/// Copies the items of `kind` that `to` lacks and, with [`Mode::update`],
/// updates those that differ. With [`Mode::prune`], first removes those
/// only `to` holds (so a crypto key goes before the repositories that
/// used it are compared), but renames a repository the source holds under
/// another label (found by URL), which keeps its channels; answers those
/// to remove at the end instead ([`Kind::prunes_late`]).
async fn copy_kind(
    from: &NodeSession,
    to: &NodeSession,
    kind: Kind,
    mode: Mode,
    report: &mut Report,
) -> Result<Vec<Item>, SeedError> {
    // The target first: what was made meanwhile reaches the serving
    // source before a staged target, so it is not taken for deleted.
    let mut theirs: HashMap<String, Item> = kind
        .list(to)
        .await?
        .into_iter()
        .map(|i| (i.name.clone(), i))
        .collect();
    let ours = kind.list(from).await?;
    let sourced: HashSet<&str> = ours.iter().map(|i| i.name.as_str()).collect();
    let mut extra: Vec<String> = theirs
        .keys()
        .filter(|n| !sourced.contains(n.as_str()) && !kind.own_to_each_node(n))
        .cloned()
        .collect();
    extra.sort();
    // Source items the target holds under another name: name -> the
    // target's name.
    let mut renames: HashMap<String, String> = HashMap::new();
    if mode.prune {
        for item in ours.iter().filter(|i| !theirs.contains_key(&i.name)) {
            let Some(alias) = item.alias.as_deref() else {
                continue;
            };
            // Only one: the server allows a URL once per type, and the
            // type is not listed.
            let alike: Vec<usize> = (0..extra.len())
                .filter(|&at| theirs[&extra[at]].alias.as_deref() == Some(alias))
                .collect();
            if let [at] = alike[..] {
                renames.insert(item.name.clone(), extra.remove(at));
            }
        }
        if !kind.prunes_late() {
            for name in extra.drain(..) {
                let removal = kind.removal(&theirs[&name]);
                remove(to, kind.label(), &name, removal, mode, report).await;
            }
        }
    }
    for mut item in ours {
        if kind.own_to_each_node(&item.name) {
            let why = "each node's own (its CA certificate): left as each node has it";
            report.push(kind.label(), &item.name, Outcome::NotCopied(why.to_owned()));
            continue;
        }
        let renamed = match renames.remove(&item.name) {
            Some(old) => match rename(to, kind, &old, &item.name, mode).await {
                Ok(()) => {
                    let mut held = theirs.remove(&old).expect("an extra of the target");
                    if !mode.dry_run {
                        // Its details are read under its name on the target.
                        held.name = item.name.clone();
                    }
                    theirs.insert(item.name.clone(), held);
                    Some(old)
                }
                Err(e) => {
                    let failed = format!("renaming {old}: {}", fault_text(&e));
                    report.push(kind.label(), &item.name, Outcome::Failed(failed));
                    continue;
                }
            },
            None => None,
        };
        let held = theirs.get_mut(&item.name);
        let outcome = if held.is_some() && !mode.update {
            Outcome::Present
        } else if let Err(e) = kind.complete(from, &mut item).await {
            Outcome::Failed(fault_text(&e))
        } else {
            match held {
                Some(held) => update(to, kind, &item, held, mode).await,
                None => create(to, kind, &item, mode).await,
            }
        };
        let outcome = match (renamed, outcome) {
            (Some(old), Outcome::Present) => renamed_outcome(&old, None, mode),
            (Some(old), Outcome::Updated(what) | Outcome::WouldUpdate(what)) => {
                renamed_outcome(&old, Some(what), mode)
            }
            (_, outcome) => outcome,
        };
        report.push(kind.label(), &item.name, outcome);
        if let Some(uncopied) = &item.uncopied {
            report.push(
                kind.label(),
                &item.name,
                Outcome::NotCopied(uncopied.clone()),
            );
        }
    }
    let late = match mode.prune {
        true => extra.iter().filter_map(|n| theirs.remove(n)).collect(),
        false => Vec::new(),
    };
    Ok(late)
}

/// Renames the target's item `old` to `new` (a dry run only says so).
async fn rename(
    to: &NodeSession,
    kind: Kind,
    old: &str,
    new: &str,
    mode: Mode,
) -> Result<(), SeedError> {
    let method = match kind {
        Kind::Repository => "channel.software.updateRepoLabel",
        _ => unreachable!("only repositories carry an alias"),
    };
    if !mode.dry_run {
        to.call(method, vec![old.into(), new.into()]).await?;
    }
    Ok(())
}

/// What a renamed item's line says, with what else was updated.
fn renamed_outcome(old: &str, also: Option<String>, mode: Mode) -> Outcome {
    let what = match also {
        Some(also) => format!("label (was {old}) and {also}"),
        None => format!("label (was {old})"),
    };
    match mode.dry_run {
        true => Outcome::WouldUpdate(what),
        false => Outcome::Updated(what),
    }
}

/// Makes `item` on `to`.
async fn create(to: &NodeSession, kind: Kind, item: &Item, mode: Mode) -> Outcome {
    if mode.dry_run {
        return Outcome::WouldCreate;
    }
    // The server makes a schedule without its calendar, saying nothing,
    // when it lacks the calendar (one whose copy failed).
    let calendar = item.setting("calendar");
    if let (Kind::Schedule, Some(label)) = (kind, calendar.as_str().filter(|c| !c.is_empty())) {
        let found = to
            .call("maintenance.getCalendarDetails", vec![calendar.clone()])
            .await;
        if let Err(e) = found {
            return Outcome::Failed(format!(
                "its calendar {label} is not on the target ({}): not made without it",
                fault_text(&e)
            ));
        }
    }
    let (method, params) = kind.create(item);
    match to.call(method, params).await {
        Ok(_) => Outcome::Created,
        Err(e) => Outcome::Failed(fault_text(&e)),
    }
}

/// Brings `held`, which `to` holds, in line with `item` ([`Mode::update`]).
async fn update(to: &NodeSession, kind: Kind, item: &Item, held: &mut Item, mode: Mode) -> Outcome {
    if let Err(e) = kind.complete(to, held).await {
        return Outcome::Failed(fault_text(&e));
    }
    let differing = item
        .settings
        .iter()
        .filter(|(name, _)| kind.compares(item, name))
        .filter(|(name, value)| !alike(value, &held.setting(name)))
        .map(|(name, _)| *name);
    // What no call changes once made stays apart, and so do a
    // repository's SSL certificates where the source has none
    // (`updateRepoSsl` without a CA certificate leaves them as they are)
    // and a calendar's URL where the source has none (`updateCalendar`
    // with iCalendar text leaves it).
    let (apart, changeable): (Vec<&str>, Vec<&str>) = differing.partition(|n| {
        kind.fixed().contains(n)
            || *n == "ssl" && ssl_params(&item.setting(n))[0].as_str() == Some("")
            || *n == "url" && kind == Kind::Calendar && item.setting(n).as_str() == Some("")
    });
    let mut failed: Vec<String> = Vec::new();
    if !apart.is_empty() {
        let shown = |i: &Item, n: &str| match i.setting(n) {
            Value::Bool(b) => b.to_string(),
            // A calendar's URL may carry a token of its own.
            Value::String(url) if n == "url" => match url.is_empty() {
                true => "none".to_owned(),
                false => "set".to_owned(),
            },
            Value::Array(set) => {
                let named: Vec<&str> = set
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|d| !d.is_empty())
                    .collect();
                match named.is_empty() {
                    true => "none".to_owned(),
                    false => named.join(", "),
                }
            }
            v => v.as_str().unwrap_or_default().to_owned(),
        };
        let which: Vec<String> = apart
            .iter()
            .map(|n| {
                let (here, there) = (shown(held, n), shown(item, n));
                format!("{} {here} here, {there} on the source", setting_label(n))
            })
            .collect();
        failed.push(format!(
            "{}: no call changes that{}",
            which.join(", "),
            kind.remake_advice()
        ));
    }
    let what: Vec<&str> = changeable.iter().map(|n| setting_label(n)).collect();
    let what = what.join(" and ");
    if changeable.is_empty() {
        return match failed.pop() {
            Some(apart) => Outcome::Failed(apart),
            None => Outcome::Present,
        };
    }
    if mode.dry_run {
        return match failed.pop() {
            Some(apart) => Outcome::Partly(format!("would update {what}; {apart}")),
            None => Outcome::WouldUpdate(what),
        };
    }
    for (method, params) in kind.update(item, held, &changeable) {
        match to.call(method, params).await {
            Ok(answer) => failed.extend(refused(&answer).map(|why| format!("{method}: {why}"))),
            Err(e) => failed.push(format!("{method}: {}", fault_text(&e))),
        }
    }
    match failed.is_empty() {
        true => Outcome::Updated(what),
        false => Outcome::Partly(format!("updating {what}: {}", failed.join("; "))),
    }
}

/// The report's kind of the external authentication settings.
const SETTING: &str = "external auth setting";

/// Copies the settings of external authentication (`user.external`):
/// whether users keep the roles of their groups ([`seed_switch`]),
/// whether their organization unit picks their organization, and the
/// default organization (by name). A setting that differs is set when the
/// target holds the server's default (off, no organization), or with
/// [`Mode::update`]; otherwise it is left as the target has it.
async fn seed_external_settings(
    from: &NodeSession,
    to: &NodeSession,
    mode: Mode,
    report: &mut Report,
) {
    for (name, switch) in [
        ("keep temporary roles", "KeepTemporaryRoles"),
        ("use org unit", "UseOrgUnit"),
    ] {
        let outcome = match seed_switch(from, to, switch, mode).await {
            Ok(outcome) => outcome,
            Err(e) => refused_outcome(&e),
        };
        report.push(SETTING, name, outcome);
    }
    let outcome = match seed_default_org(from, to, mode).await {
        Ok(outcome) => outcome,
        Err(e) => refused_outcome(&e),
    };
    report.push(SETTING, "default organization", outcome);
}

/// Whether a setting the source holds as `wanted` and the target as
/// `held` (`default` when the target has the server's default) is to be
/// set: the outcome when not, `None` when it is.
fn settle(held: &Value, wanted: &Value, default: bool, mode: Mode) -> Option<Outcome> {
    if held == wanted {
        return Some(Outcome::Present);
    }
    if !(default || mode.update) {
        return Some(kept_apart());
    }
    mode.dry_run
        .then(|| Outcome::WouldUpdate("value".to_owned()))
}

/// A setting that differs, left as the target has it (no `--update`).
fn kept_apart() -> Outcome {
    Outcome::NotCopied(
        "differs from the source's; left as the target has it (--update sets it)".to_owned(),
    )
}

/// `user.external.get<switch>` / `set<switch>`, a boolean.
async fn seed_switch(
    from: &NodeSession,
    to: &NodeSession,
    switch: &str,
    mode: Mode,
) -> Result<Outcome, SeedError> {
    let get = format!("user.external.get{switch}");
    let held = to.call(&get, Vec::new()).await?;
    let wanted = from.call(&get, Vec::new()).await?;
    let default = held.as_bool() == Some(false);
    if let Some(outcome) = settle(&held, &wanted, default, mode) {
        return Ok(outcome);
    }
    to.call(&format!("user.external.set{switch}"), vec![wanted])
        .await?;
    Ok(Outcome::Updated("value".to_owned()))
}

/// `user.external.getDefaultOrg` / `setDefaultOrg`: an organization id
/// (0: none), which may differ between the nodes, so the target's id is
/// found by the source's organization's name.
async fn seed_default_org(
    from: &NodeSession,
    to: &NodeSession,
    mode: Mode,
) -> Result<Outcome, SeedError> {
    const GET: &str = "user.external.getDefaultOrg";
    let held = to.call(GET, Vec::new()).await?;
    let default = held.as_i64() == Some(0);
    let sourced = from.call(GET, Vec::new()).await?;
    if !default && !mode.update {
        // Left as it is whatever the source's is: not looked up.
        return Ok(match held == sourced {
            true => Outcome::Present,
            false => kept_apart(),
        });
    }
    let shape = |node: &NodeSession| SeedError::Shape {
        node: node.node.clone(),
        method: "org.getDetails".to_owned(),
    };
    let wanted = match sourced.as_i64() {
        Some(0) => Value::Int(0),
        None => return Err(shape(from)),
        Some(_) => {
            let org = from.call("org.getDetails", vec![sourced]).await?;
            let name = org
                .as_struct()
                .map(|o| text(o, "name").to_owned())
                .ok_or_else(|| shape(from))?;
            let org = to.call("org.getDetails", vec![name.into()]).await?;
            org.as_struct()
                .and_then(|o| o.get("id"))
                .cloned()
                .ok_or_else(|| shape(to))?
        }
    };
    if let Some(outcome) = settle(&held, &wanted, default, mode) {
        return Ok(outcome);
    }
    to.call("user.external.setDefaultOrg", vec![wanted]).await?;
    Ok(Outcome::Updated("value".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_alike_without_the_spaces_around_them() {
        let pem = |s: &str| Value::string(s);
        assert!(alike(
            &pem("-----BEGIN-----\nAA\n"),
            &pem("-----BEGIN-----\nAA")
        ));
        assert!(!alike(&pem("AA"), &pem("AB")));
        let criteria = |value: &str| {
            Value::Struct(
                Struct::new()
                    .with("matcher", pem("contains"))
                    .with("value", pem(value)),
            )
        };
        assert!(alike(&criteria(" kernel "), &criteria("kernel")));
        assert!(!alike(&criteria("kernel"), &criteria("kernel-rt")));
        let names = |n: &[&str]| Value::Array(n.iter().map(|s| pem(s)).collect());
        assert!(alike(&names(&["a", "b "]), &names(&["a", "b"])));
        assert!(!alike(&names(&["a"]), &names(&["a", "b"])));
        assert!(!alike(&Value::Bool(true), &Value::Bool(false)));
    }

    #[test]
    fn a_maintenance_change_the_server_turned_down_is_a_failure() {
        let result = |status: bool, schedule: &str| {
            Value::Struct(
                Struct::new()
                    .with("strategy", Value::string("Fail"))
                    .with("for_schedule_name", Value::string(schedule))
                    .with("status", Value::Bool(status))
                    .with("message", Value::string("actions outside the windows")),
            )
        };
        assert_eq!(refused(&result(true, "web")), None);
        assert_eq!(
            refused(&Value::Array(vec![
                result(true, "db"),
                result(false, "web")
            ])),
            Some("schedule web: actions outside the windows".to_owned())
        );
        assert_eq!(refused(&Value::Int(1)), None);
    }
}
