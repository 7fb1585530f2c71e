//! Shared content besides system groups, configuration channels,
//! activation keys and users: crypto keys (GPG and SSL), software
//! repositories, content lifecycle filters and custom system information
//! keys.
//!
//! Each is an item named alike on every node (a crypto key by its
//! description, a repository by its label, a filter by its name, a custom
//! information key by its label) with a few settings, made by one call,
//! changed by one or two and removed by one, so [`seed_content`] copies
//! every kind the same way. Crypto keys go first: a repository names its
//! SSL certificates by their crypto keys' descriptions. Removals
//! ([`Mode::prune`]) go last and in the opposite order, so that a crypto
//! key goes after the repository that used it.
//!
//! A crypto key's contents (an SSL client key is a private key) pass from
//! one node to the other in memory only: no report line, log line or error
//! shows them.

use std::collections::{HashMap, HashSet};

use xmlrpc::{Struct, Value};

use super::{
    Gone, Mode, NodeSession, Outcome, Removal, Report, SeedError, fault_text, remove, text,
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
}

/// The kinds, in the order they are copied.
const KINDS: [Kind; 4] = [
    Kind::CryptoKey,
    Kind::Repository,
    Kind::ContentFilter,
    Kind::CustomInfoKey,
];

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
        }
    }

    /// The listing of the kind and the member that names an item in it.
    fn listing(self) -> (&'static str, &'static str) {
        match self {
            Kind::CryptoKey => ("kickstart.keys.listAllKeys", "description"),
            Kind::Repository => ("channel.software.listUserRepos", "label"),
            Kind::ContentFilter => ("contentmanagement.listFilters", "name"),
            Kind::CustomInfoKey => ("system.custominfo.listAllKeys", "label"),
        }
    }

    /// The settings no call changes once the item is made.
    fn fixed(self) -> &'static [&'static str] {
        match self {
            Kind::Repository => &["type", "hasSignedMetadata"],
            Kind::ContentFilter => &["entityType"],
            Kind::CryptoKey | Kind::CustomInfoKey => &[],
        }
    }

    /// Whether [`Kind::complete`] has to read an item's settings one by
    /// one.
    fn listing_is_partial(self) -> bool {
        matches!(self, Kind::CryptoKey | Kind::Repository)
    }

    /// The items `node` holds, with what the listing shows of them.
    async fn list(self, node: &NodeSession) -> Result<Vec<Item>, SeedError> {
        let (method, member) = self.listing();
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
            })
            .filter(|i| !i.name.is_empty())
            .collect())
    }

    /// Reads the settings of `item` that `node`'s listing does not show.
    async fn complete(self, node: &NodeSession, item: &mut Item) -> Result<(), SeedError> {
        let method = match self {
            Kind::CryptoKey => "kickstart.keys.getDetails",
            Kind::Repository => "channel.software.getRepoDetails",
            Kind::ContentFilter | Kind::CustomInfoKey => return Ok(()),
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
        }
    }
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
        other => other,
    }
}

/// Whether setting `name` is alike in `a` and `b` (a description with
/// spaces around it is the same: a server trims what it is given).
fn alike(name: &str, a: &Value, b: &Value) -> bool {
    match (name, a.as_str(), b.as_str()) {
        ("description", Some(a), Some(b)) => a.trim() == b.trim(),
        _ => a == b,
    }
}

/// Copies crypto keys, repositories, content filters and custom
/// information keys from `from` onto `to` (see the module's text); with
/// [`Mode::prune`], removes those only `to` holds.
pub(super) async fn seed_content(
    from: &NodeSession,
    to: &NodeSession,
    mode: Mode,
    report: &mut Report,
) -> Result<(), SeedError> {
    let mut extra = Vec::new();
    for kind in KINDS {
        extra.push((kind, copy_kind(from, to, kind, mode, report).await?));
    }
    if mode.prune {
        for (kind, held) in extra.into_iter().rev() {
            for item in held {
                let removal = kind.removal(&item);
                remove(to, kind.label(), &item.name, removal, mode, report).await;
            }
        }
    }
    Ok(())
}

/// Copies the items of `kind` that `to` lacks (with [`Mode::update`],
/// updates those that differ); answers those only `to` holds, by name.
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
    let mut sourced = HashSet::new();
    for mut item in kind.list(from).await? {
        sourced.insert(item.name.clone());
        let held = theirs.get_mut(&item.name);
        if held.is_some() && !mode.update {
            report.push(kind.label(), &item.name, Outcome::Present);
            continue;
        }
        if let Err(e) = kind.complete(from, &mut item).await {
            report.push(kind.label(), &item.name, Outcome::Failed(fault_text(&e)));
            continue;
        }
        let outcome = match held {
            Some(held) => update(to, kind, &item, held, mode).await,
            None => create(to, kind, &item, mode).await,
        };
        report.push(kind.label(), &item.name, outcome);
    }
    let mut extra: Vec<Item> = theirs
        .into_values()
        .filter(|i| !sourced.contains(&i.name))
        .collect();
    extra.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(extra)
}

/// Makes `item` on `to`.
async fn create(to: &NodeSession, kind: Kind, item: &Item, mode: Mode) -> Outcome {
    if mode.dry_run {
        return Outcome::WouldCreate;
    }
    let (method, params) = kind.create(item);
    match (to.call(method, params).await, &item.uncopied) {
        (Ok(_), None) => Outcome::Created,
        (Ok(_), Some(uncopied)) => Outcome::Partly(format!("created; not copied: {uncopied}")),
        (Err(e), _) => Outcome::Failed(fault_text(&e)),
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
        .filter(|(name, value)| !alike(name, value, &held.setting(name)))
        .map(|(name, _)| *name);
    // What no call changes once made stays apart, and so do a
    // repository's SSL certificates where the source has none:
    // `updateRepoSsl` without a CA certificate leaves them as they are.
    let (apart, changeable): (Vec<&str>, Vec<&str>) = differing.partition(|n| {
        kind.fixed().contains(n)
            || *n == "ssl" && ssl_params(&item.setting(n))[0].as_str() == Some("")
    });
    let mut failed: Vec<String> = Vec::new();
    if !apart.is_empty() {
        let shown = |i: &Item, n: &str| match i.setting(n) {
            Value::Bool(b) => b.to_string(),
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
            "{}: no call changes that; remove it on the target and run seed-node again to make \
             it anew",
            which.join(", ")
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
        if let Err(e) = to.call(method, params).await {
            failed.push(format!("{method}: {}", fault_text(&e)));
        }
    }
    failed.extend(item.uncopied.iter().map(|u| format!("not copied: {u}")));
    match failed.is_empty() {
        true => Outcome::Updated(what),
        false => Outcome::Partly(format!("updating {what}: {}", failed.join("; "))),
    }
}
