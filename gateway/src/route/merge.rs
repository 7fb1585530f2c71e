//! Merging the answers of several nodes into the one a single server would
//! give.
//!
//! Fan-out ([`merge_fanout`]): arrays are concatenated and ordered as the
//! server orders that list ([`order_of`]: systems by name then id, the
//! default by id; lists without an id keep node order, strings without
//! duplicates); ints (counts) are summed; structs are united (first node
//! wins a member); anything else is the first node's answer.
//!
//! Split calls ([`merge_split`]): the parts of one call whose id list was
//! split per node. Lists of structs carrying the ids come back in the
//! client's order of ids; id lists are concatenated in the order the nodes
//! first appear in the client's list; a single action id answered by each
//! node stays the first node's (the answer has room for one; the router
//! joins the others to it); equal ints (the `1` of success) stay one, other
//! ints are summed.
//!
//! Parts of one action ([`merge_parts`]): the answers of the nodes that run
//! an action scheduled on systems of several nodes. In listings of actions
//! the parts are one item, their counts summed ([`join_action_items`]).

use std::collections::{HashMap, HashSet};

use spec::{Entry, IdKind, IdPlace};
use xmlrpc::Value;

/// How the server orders the items of a listed array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// By `name`, then `id` (system lists).
    NameThenId,
    /// By the integer member `id`.
    Id,
    /// As the nodes answered, node after node.
    AsAnswered,
    /// Groups of systems keyed by this string member (`system.listDuplicatesBy*`):
    /// the groups of one key from several nodes are one group, their
    /// `systems` in node order; groups ordered by key. Keys compare without
    /// case, as the server groups host names.
    Groups(&'static str),
}

/// The order of the array a fan-out method answers. Methods not listed
/// here are ordered by `id` when their items have one.
pub fn order_of(method: &str) -> Order {
    match method {
        "system.listSystems"
        | "system.listActiveSystems"
        | "system.listInactiveSystems"
        | "system.listUserSystems"
        | "system.listOutOfDateSystems"
        | "system.listUngroupedSystems"
        | "system.listVirtualHosts"
        | "system.listSystemsWithPackage"
        | "system.listSystemsWithExtraPackages"
        | "system.listEmptySystemProfiles"
        | "system.searchByName" => Order::NameThenId,
        "system.listDuplicatesByHostname" => Order::Groups("hostname"),
        "system.listDuplicatesByIp" => Order::Groups("ip"),
        "system.listDuplicatesByMac" => Order::Groups("mac"),
        m if m.starts_with("system.search.") => Order::AsAnswered,
        _ => Order::Id,
    }
}

fn int_member(v: &Value, name: &str) -> Option<i64> {
    v.as_struct()?.get(name)?.as_i64()
}

fn str_member<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.as_struct()?.get(name)?.as_str()
}

/// Merges the answers of a fan-out, in node order.
pub fn merge_fanout(method: &str, parts: Vec<Value>) -> Value {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Value::Array(Vec::new());
    };
    match first {
        Value::Array(mut items) => {
            append_lists(&mut items, parts);
            order(method, &mut items);
            Value::Array(items)
        }
        Value::Int(mut sum) => {
            for part in parts {
                if let Value::Int(n) = part {
                    sum = sum.saturating_add(n);
                }
            }
            Value::Int(sum)
        }
        Value::Struct(mut merged) => {
            for part in parts {
                if let Value::Struct(s) = part {
                    for (name, value) in s {
                        if merged.get(&name).is_none() {
                            merged.push(name, value);
                        }
                    }
                }
            }
            Value::Struct(merged)
        }
        other => other,
    }
}

/// Appends the items of every list among `parts` to `items`; other
/// answers are left out.
fn append_lists(items: &mut Vec<Value>, parts: impl Iterator<Item = Value>) {
    for part in parts {
        if let Value::Array(more) = part {
            items.extend(more);
        }
    }
}

fn order(method: &str, items: &mut Vec<Value>) {
    if items.iter().all(|v| matches!(v, Value::String(_))) {
        let mut seen = HashSet::new();
        items.retain(|v| seen.insert(v.as_str().unwrap_or_default().to_owned()));
        return;
    }
    if !items.iter().all(|v| matches!(v, Value::Struct(_))) {
        return;
    }
    match order_of(method) {
        Order::Groups(key) => merge_groups(items, key),
        Order::NameThenId => items.sort_by(|a, b| {
            str_member(a, "name")
                .cmp(&str_member(b, "name"))
                .then_with(|| int_member(a, "id").cmp(&int_member(b, "id")))
        }),
        Order::Id if items.iter().all(|v| int_member(v, "id").is_some()) => {
            items.sort_by_key(|v| int_member(v, "id"));
        }
        _ => {}
    }
}

/// Unites the groups of `items` (structs keyed by their string member
/// `key`) that share a key, appending the later ones' `systems` to the
/// first's, and orders them by key; items without the key keep their
/// place after them.
fn merge_groups(items: &mut Vec<Value>, key: &str) {
    let folded = |v: &Value| str_member(v, key).map(str::to_lowercase);
    let mut first_of: HashMap<String, usize> = HashMap::new();
    let mut kept: Vec<Value> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        let Some(k) = folded(&item) else {
            kept.push(item);
            continue;
        };
        match first_of.get(&k) {
            Some(&at) => {
                let more = match item {
                    Value::Struct(mut s) => s.remove("systems"),
                    _ => None,
                };
                if let (Some(Value::Struct(group)), Some(Value::Array(more))) =
                    (kept.get_mut(at), more)
                    && let Some(Value::Array(systems)) = group.get_mut("systems")
                {
                    systems.extend(more);
                }
            }
            None => {
                first_of.insert(k, kept.len());
                kept.push(item);
            }
        }
    }
    kept.sort_by_cached_key(|v| {
        let key = folded(v);
        (key.is_none(), key)
    });
    *items = kept;
}

/// Shared objects every node lists, each under the same key: a node's
/// answer shows the node's part of each (its systems, its chain entries),
/// so the answers about one object are one, its counts summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shared {
    /// The member that names the object alike on every node.
    pub key: &'static str,
    /// The int members that count the object's per-node parts.
    pub counts: &'static [&'static str],
}

/// System groups: structs whose `id` is a (cluster) group id.
const GROUPS: Shared = Shared {
    key: "id",
    counts: &["system_count"],
};

/// Action chains: made on every node (`actionchain.createChain` is a
/// broadcast), each node holding the entries of its own systems.
const CHAINS: Shared = Shared {
    key: "label",
    counts: &["entrycount"],
};

/// Organizations: made on every node, each node counting its own systems
/// (users, groups, keys and channels are alike on every node).
const ORGS: Shared = Shared {
    key: "id",
    counts: &["systems"],
};

/// Custom system information keys: made on every node, each node
/// counting its own systems that hold a value under one.
const CUSTOM_INFO_KEYS: Shared = Shared {
    key: "label",
    counts: &["system_count"],
};

/// The listings of shared objects other than system groups, by method.
const SHARED_LISTINGS: &[(&str, &str, Shared)] = &[
    ("actionchain", "listChains", CHAINS),
    ("org", "getDetails", ORGS),
    ("org", "listOrgs", ORGS),
    ("system.custominfo", "listAllKeys", CUSTOM_INFO_KEYS),
];

/// What `entry` answers when it lists or shows shared objects whose
/// answers from the nodes are to be united ([`unite`]).
pub fn answers_shared(entry: &Entry) -> Option<Shared> {
    let groups = entry
        .ids
        .result
        .iter()
        .any(|r| r.kind == IdKind::Group && matches!(&r.place, IdPlace::Field(f) if f == "id"));
    if groups {
        return Some(GROUPS);
    }
    SHARED_LISTINGS
        .iter()
        .find(|(ns, method, _)| *ns == entry.namespace && *method == entry.method)
        .map(|(_, _, shared)| *shared)
}

/// Unites the shared objects the nodes answered (group ids already
/// cluster ids): the answers about one object (one value of `shared.key`)
/// are one, the first node's members kept and the counts summed. A list
/// comes back ordered by the key, as the server's.
pub fn unite(parts: Vec<Value>, shared: Shared) -> Value {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Value::Array(Vec::new());
    };
    match first {
        Value::Array(mut items) => {
            append_lists(&mut items, parts);
            let mut at: HashMap<Key, usize> = HashMap::new();
            let mut kept: Vec<Value> = Vec::with_capacity(items.len());
            for item in items {
                let key = key_of(&item, shared.key);
                match key.as_ref().and_then(|k| at.get(k).copied()) {
                    Some(i) => add_counts(&mut kept[i], &item, shared.counts),
                    None => {
                        if let Some(key) = key {
                            at.insert(key, kept.len());
                        }
                        kept.push(item);
                    }
                }
            }
            kept.sort_by_cached_key(|v| {
                let key = key_of(v, shared.key);
                (key.is_none(), key)
            });
            Value::Array(kept)
        }
        mut one @ Value::Struct(_) => {
            for part in parts {
                if key_of(&part, shared.key) == key_of(&one, shared.key) {
                    add_counts(&mut one, &part, shared.counts);
                }
            }
            one
        }
        other => other,
    }
}

/// A shared object's key: an int or a string member.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Int(i64),
    Text(String),
}

fn key_of(item: &Value, member: &str) -> Option<Key> {
    match item.as_struct()?.get(member)? {
        Value::String(s) => Some(Key::Text(s.to_string())),
        other => other.as_i64().map(Key::Int),
    }
}

/// Adds `from`'s counts to `into`'s.
fn add_counts(into: &mut Value, from: &Value, counts: &[&str]) {
    for name in counts {
        let more = int_member(from, name).and_then(|n| i32::try_from(n).ok());
        if let (Some(more), Value::Struct(s)) = (more, &mut *into)
            && let Some(Value::Int(count)) = s.get_mut(name)
        {
            *count = count.saturating_add(more);
        }
    }
}

/// Unites the reschedule information (`maintenance.updateSchedule`,
/// `updateCalendar`, ...) every node answered for one change of a shared
/// schedule or calendar: per schedule (`for_schedule_name`), the actions
/// each node moved are listed together; it succeeded only if it did on
/// every node, and a failure keeps the first failing node's message.
pub fn merge_rescheduled(parts: Vec<Value>) -> Value {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Value::Array(Vec::new());
    };
    match first {
        Value::Struct(mut merged) => {
            for part in parts {
                if let Value::Struct(other) = part {
                    unite_rescheduled(&mut merged, other);
                }
            }
            Value::Struct(merged)
        }
        Value::Array(mut items) => {
            for part in parts {
                let Value::Array(more) = part else { continue };
                for item in more {
                    let schedule = str_member(&item, "for_schedule_name").map(str::to_owned);
                    let same = items.iter_mut().find(|i| {
                        schedule.is_some()
                            && str_member(i, "for_schedule_name") == schedule.as_deref()
                    });
                    match (same, item) {
                        (Some(Value::Struct(into)), Value::Struct(other)) => {
                            unite_rescheduled(into, other);
                        }
                        (_, item) => items.push(item),
                    }
                }
            }
            Value::Array(items)
        }
        other => other,
    }
}

fn unite_rescheduled(into: &mut xmlrpc::Struct, mut other: xmlrpc::Struct) {
    if let (Some(Value::Array(actions)), Some(Value::Array(more))) =
        (into.get_mut("actions"), other.remove("actions"))
    {
        actions.extend(more);
    }
    let succeeded = |s: &xmlrpc::Struct| s.get("status") != Some(&Value::Bool(false));
    if succeeded(into) && !succeeded(&other) {
        for member in ["status", "message"] {
            if let (Some(slot), Some(value)) = (into.get_mut(member), other.remove(member)) {
                *slot = value;
            }
        }
    }
}

/// Split calls answering 1 when they found every id they were given and 0
/// otherwise (`UserNotificationsHandler.deleteNotifications`): the split's
/// answer is 1 only when every node's is.
const ALL_OR_NOTHING: &[&str] = &["user.notifications.deleteNotifications"];

/// Merges the parts of a split call (in the order their nodes first appear
/// in `client_ids`) into one answer.
pub fn merge_split(entry: &Entry, client_ids: &[Value], parts: Vec<Value>) -> Value {
    let field = entry
        .ids
        .result
        .iter()
        .find_map(|r| match (&r.place, r.kind) {
            (IdPlace::Field(name), kind)
                if Some(kind) == entry.ids.params.first().map(|p| p.kind) =>
            {
                Some(name.clone())
            }
            _ => None,
        });
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Value::Array(Vec::new());
    };
    match first {
        Value::Array(mut items) => {
            append_lists(&mut items, parts);
            if let Some(field) = field {
                let position: HashMap<i64, usize> = client_ids
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.as_i64().map(|id| (id, i)))
                    .rev()
                    .collect();
                items.sort_by_key(|v| {
                    int_member(v, &field)
                        .and_then(|id| position.get(&id).copied())
                        .unwrap_or(usize::MAX)
                });
            }
            Value::Array(items)
        }
        // One action or schedule id per node, but room for one in the
        // answer: the first node's (the others' run all the same).
        Value::Int(n) if whole_objects(entry).is_some() => Value::Int(n),
        // The cluster id of the content each node added (a kickstart
        // script): the first node's, never a sum. Nodes disagree where one
        // held a copy alike already (its new copy ranks apart).
        Value::Int(n)
            if entry
                .ids
                .result
                .iter()
                .any(|r| r.place == IdPlace::Whole && r.kind.is_shared()) =>
        {
            let others: Vec<i64> = parts.filter_map(|p| p.as_i64()).collect();
            if others.iter().any(|m| *m != i64::from(n)) {
                tracing::warn!(method = %entry.full_name(), first = n, ?others, "the nodes answered different cluster ids for the content they added; answered the first node's");
            }
            Value::Int(n)
        }
        // 1 when every node found all its ids, else 0.
        Value::Int(n) if ALL_OR_NOTHING.contains(&entry.full_name().as_str()) => Value::Int(
            parts
                .filter_map(|p| p.as_i64())
                .fold(n, |a, b| a.min(b as i32)),
        ),
        Value::Int(n) => {
            let rest: Vec<i32> = parts.filter_map(|p| p.as_i64()).map(|v| v as i32).collect();
            if rest.iter().all(|m| *m == n) {
                Value::Int(n)
            } else {
                Value::Int(rest.iter().fold(n, |a, b| a.saturating_add(*b)))
            }
        }
        other => other,
    }
}

/// Merges the answers about one action from each node that runs a part
/// of it, in part order: lists (of its systems, their results) are
/// concatenated, also as members of a struct; equal ints stay one, others
/// are summed; anything else is the first part's.
pub fn merge_parts(parts: Vec<Value>) -> Value {
    let mut parts = parts.into_iter();
    let Some(mut merged) = parts.next() else {
        return Value::Array(Vec::new());
    };
    for part in parts {
        match (&mut merged, part) {
            (Value::Array(items), Value::Array(more)) => items.extend(more),
            (Value::Int(n), Value::Int(m)) if *n != m => *n = n.saturating_add(m),
            (Value::Struct(s), Value::Struct(other)) => {
                for (name, value) in other {
                    if let (Some(Value::Array(items)), Value::Array(more)) =
                        (s.get_mut(&name), value)
                    {
                        items.extend(more);
                    }
                }
            }
            _ => {}
        }
    }
    merged
}

/// What a listing of node objects (actions, schedules, images, ...)
/// holds, for joining the items one id names on several nodes
/// ([`join_listed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListedObjects<'e> {
    /// Actions, schedules, images, ...
    pub kind: IdKind,
    /// The members carrying ids of that kind.
    pub ids: Vec<&'e str>,
}

/// What `entry` lists, when it lists node objects (its items' `id` is an
/// action, schedule, image, ... id: [`IdKind::is_node_object`]); `None`
/// otherwise.
pub(crate) fn listed_objects(entry: &Entry) -> Option<ListedObjects<'_>> {
    let fields = |kind| {
        entry.ids.result.iter().filter_map(move |r| match &r.place {
            IdPlace::Field(name) if r.kind == kind => Some(name.as_str()),
            _ => None,
        })
    };
    IdKind::ALL
        .into_iter()
        .filter(|kind| kind.is_node_object())
        .find(|kind| fields(*kind).any(|name| name == "id"))
        .map(|kind| ListedObjects {
            kind,
            ids: fields(kind).collect(),
        })
}

/// Makes one item of the items of a listing (in id order) that carry the
/// same id. Actions: the parts of one action scheduled on several nodes,
/// whose counts are summed ([`join_action_items`]). Anything else
/// ([`IdKind::has_copies`]): the copies of one schedule or image made on
/// every node, alike: the first stays.
pub(crate) fn join_listed(items: &mut Vec<Value>, listed: &ListedObjects<'_>) {
    if listed.kind.has_copies() {
        items.dedup_by(|next, kept| {
            matches!((int_member(next, "id"), int_member(kept, "id")), (Some(a), Some(b)) if a == b)
        });
    } else {
        join_action_items(items, &listed.ids);
    }
}

/// Makes one item of the items of a listing of actions (in id order) that
/// carry the same id: the parts of one action scheduled on several nodes.
/// Its counts (the int members other than the ids in `ids`) are summed;
/// anything else is the first part's.
pub fn join_action_items(items: &mut Vec<Value>, ids: &[&str]) {
    items.dedup_by(|next, kept| {
        let same = matches!((int_member(next, "id"), int_member(kept, "id")), (Some(a), Some(b)) if a == b);
        if let (true, Value::Struct(kept), Value::Struct(next)) = (same, kept, next) {
            for (name, value) in next.iter() {
                if let (false, Value::Int(add), Some(Value::Int(n))) =
                    (ids.contains(&name), value, kept.get_mut(name))
                {
                    *n = n.saturating_add(*add);
                }
            }
        }
        same
    });
}

/// The kind of the node-object id (action, schedule, image, ...) the
/// result of `entry` is as a whole, if it is one (so a call made on several nodes yields one id per
/// node, to be joined). Not shared content (a kickstart script
/// `addScript` added): each node's copy has one cluster id already.
pub(crate) fn whole_objects(entry: &Entry) -> Option<IdKind> {
    entry
        .ids
        .result
        .iter()
        .find(|r| r.kind.is_node_object() && r.place == IdPlace::Whole)
        .map(|r| r.kind)
}

#[cfg(test)]
mod tests {
    use xmlrpc::Struct;

    use super::*;

    fn system(id: i32, name: &str) -> Value {
        Value::Struct(
            Struct::new()
                .with("id", Value::Int(id))
                .with("name", Value::string(name)),
        )
    }

    fn ids(v: &Value) -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| int_member(s, "id").unwrap())
            .collect()
    }

    fn action(id: i32, prerequisite: i32, running: i32) -> Value {
        Value::Struct(
            Struct::new()
                .with("id", Value::Int(id))
                .with("name", Value::string("Apply highstate"))
                .with("prerequisite", Value::Int(prerequisite))
                .with("inProgressSystems", Value::Int(running)),
        )
    }

    #[test]
    fn shared_objects_every_node_lists_are_one_each() {
        let chain = |label: &str, entries: i32| {
            Value::Struct(
                Struct::new()
                    .with("label", Value::string(label))
                    .with("entrycount", Value::Int(entries)),
            )
        };
        let n1 = Value::Array(vec![chain("nightly", 2), chain("patch", 0)]);
        let n2 = Value::Array(vec![chain("patch", 3), chain("nightly", 1)]);
        let n3 = Value::Array(vec![chain("adhoc", 1)]);
        assert_eq!(
            unite(vec![n1, n2, n3], CHAINS),
            Value::Array(vec![
                chain("adhoc", 1),
                chain("nightly", 3),
                chain("patch", 3)
            ])
        );
        let group = |id: i32, systems: i32| {
            Value::Struct(
                Struct::new()
                    .with("id", Value::Int(id))
                    .with("name", Value::string(format!("g{id}")))
                    .with("system_count", Value::Int(systems)),
            )
        };
        assert_eq!(
            unite(vec![group(4, 2), group(4, 5)], GROUPS),
            group(4, 7),
            "one group's details from every node"
        );
        let entry = |name: &str| spec::spec().overloads(name)[0];
        assert_eq!(
            answers_shared(entry("actionchain.listChains")),
            Some(CHAINS)
        );
        assert_eq!(
            answers_shared(entry("systemgroup.listAllGroups")),
            Some(GROUPS)
        );
        assert_eq!(answers_shared(entry("org.listOrgs")), Some(ORGS));
        assert_eq!(
            answers_shared(entry("system.custominfo.listAllKeys")),
            Some(CUSTOM_INFO_KEYS)
        );
        assert_eq!(answers_shared(entry("actionchain.listChainActions")), None);
        for (ns, method, _) in SHARED_LISTINGS {
            let overloads = spec::spec().overloads(&format!("{ns}.{method}"));
            assert!(
                overloads
                    .iter()
                    .all(|e| e.route.class == spec::RouteClass::Fanout),
                "{ns}.{method} is united, so it must be fanned out"
            );
        }
        assert_eq!(answers_shared(entry("system.listSystems")), None);
    }

    #[test]
    fn parts_of_one_action_are_one_item() {
        let mut items = vec![
            action(1, 0, 1),
            action(2, 9, 2),
            action(2, 7, 3),
            action(3, 0, 1),
        ];
        join_action_items(&mut items, &["id", "prerequisite"]);
        assert_eq!(items, [action(1, 0, 1), action(2, 9, 5), action(3, 0, 1)]);
    }

    #[test]
    fn answers_about_one_action_merge() {
        let rows = |ids: &[i32]| Value::Array(ids.iter().map(|i| Value::Int(*i)).collect());
        assert_eq!(
            merge_parts(vec![rows(&[1, 2]), rows(&[3])]),
            rows(&[1, 2, 3])
        );
        assert_eq!(
            merge_parts(vec![Value::Int(1), Value::Int(1)]),
            Value::Int(1)
        );
        assert_eq!(
            merge_parts(vec![Value::Int(2), Value::Int(3)]),
            Value::Int(5)
        );
        let details = |id: i32, results: &[i32]| {
            Value::Struct(
                Struct::new()
                    .with("id", Value::Int(id))
                    .with("result", rows(results)),
            )
        };
        assert_eq!(
            merge_parts(vec![details(4, &[1]), details(4, &[2, 3])]),
            details(4, &[1, 2, 3])
        );
        assert_eq!(merge_parts(Vec::new()), Value::Array(Vec::new()));
    }

    #[test]
    fn systems_merge_by_name_then_id() {
        let n1 = Value::Array(vec![system(5, "a"), system(1, "c")]);
        let n2 = Value::Array(vec![system(2, "b"), system(4, "c"), system(3, "d")]);
        let merged = merge_fanout("system.listSystems", vec![n1, n2]);
        assert_eq!(ids(&merged), [5, 2, 1, 4, 3]);
    }

    #[test]
    fn duplicate_groups_of_one_key_are_one_group() {
        let group = |host: &str, sids: &[i32]| {
            let systems = sids
                .iter()
                .map(|id| Value::Struct(Struct::new().with("systemId", Value::Int(*id))))
                .collect();
            Value::Struct(
                Struct::new()
                    .with("hostname", Value::string(host))
                    .with("systems", Value::Array(systems)),
            )
        };
        let n1 = Value::Array(vec![
            group("web.example.test", &[1, 2]),
            group("db", &[3, 4]),
        ]);
        let n2 = Value::Array(vec![
            group("app", &[9, 8]),
            group("WEB.example.test", &[5, 6]),
        ]);
        let merged = merge_fanout("system.listDuplicatesByHostname", vec![n1, n2]);
        let seen: Vec<(&str, Vec<i64>)> = merged
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                let sids = g
                    .as_struct()
                    .unwrap()
                    .get("systems")
                    .unwrap()
                    .as_array()
                    .unwrap();
                let sids = sids.iter().map(|s| int_member(s, "systemId").unwrap());
                (str_member(g, "hostname").unwrap(), sids.collect())
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("app", vec![9, 8]),
                ("db", vec![3, 4]),
                ("web.example.test", vec![1, 2, 5, 6]),
            ]
        );
    }

    #[test]
    fn reschedules_of_every_node_are_one_answer() {
        let info = |schedule: &str, ok: bool, message: &str, actions: &[i32]| {
            let actions = actions
                .iter()
                .map(|id| Value::Struct(Struct::new().with("id", Value::Int(*id))))
                .collect();
            Value::Struct(
                Struct::new()
                    .with("strategy", Value::string("Cancel"))
                    .with("for_schedule_name", Value::string(schedule))
                    .with("status", Value::Bool(ok))
                    .with("message", Value::string(message))
                    .with("actions", Value::Array(actions)),
            )
        };
        let action_ids =
            |v: &Value| -> Vec<i64> { ids(v.as_struct().unwrap().get("actions").unwrap()) };
        let one = merge_rescheduled(vec![
            info("weekly", true, "", &[1, 2]),
            info("weekly", false, "cannot cancel", &[3]),
            info("weekly", false, "other", &[]),
        ]);
        assert_eq!(action_ids(&one), [1, 2, 3]);
        assert_eq!(
            one.as_struct().unwrap().get("status"),
            Some(&Value::Bool(false))
        );
        assert_eq!(str_member(&one, "message"), Some("cannot cancel"));
        let many = merge_rescheduled(vec![
            Value::Array(vec![info("a", true, "", &[1]), info("b", true, "", &[2])]),
            Value::Array(vec![info("b", true, "", &[7]), info("c", true, "", &[8])]),
        ]);
        let many = many.as_array().unwrap();
        let per: Vec<(&str, Vec<i64>)> = many
            .iter()
            .map(|i| (str_member(i, "for_schedule_name").unwrap(), action_ids(i)))
            .collect();
        assert_eq!(per, [("a", vec![1]), ("b", vec![2, 7]), ("c", vec![8])]);
        assert!(many.iter().all(|i| str_member(i, "message") == Some("")));
    }

    #[test]
    fn actions_merge_by_id_and_counts_sum() {
        let n1 = Value::Array(vec![system(1, "x"), system(7, "y")]);
        let n2 = Value::Array(vec![system(3, "z")]);
        let merged = merge_fanout("schedule.listInProgressActions", vec![n1, n2]);
        assert_eq!(ids(&merged), [1, 3, 7]);
        let sum = merge_fanout("x.count", vec![Value::Int(2), Value::Int(3)]);
        assert_eq!(sum, Value::Int(5));
        let strings = merge_fanout(
            "x.names",
            vec![
                Value::Array(vec!["a".into(), "b".into()]),
                Value::Array(vec!["b".into(), "c".into()]),
            ],
        );
        assert_eq!(
            strings,
            Value::Array(vec!["a".into(), "b".into(), "c".into()])
        );
        let structs = merge_fanout(
            "x.map",
            vec![
                Value::Struct(Struct::new().with("a", Value::Int(1))),
                Value::Struct(
                    Struct::new()
                        .with("a", Value::Int(9))
                        .with("b", Value::Int(2)),
                ),
            ],
        );
        assert_eq!(
            structs,
            Value::Struct(
                Struct::new()
                    .with("a", Value::Int(1))
                    .with("b", Value::Int(2))
            )
        );
    }

    #[test]
    fn split_parts_come_back_in_the_clients_order() {
        let spec = spec::spec();
        let entry = spec
            .resolve(
                "system.getNetworkForSystems",
                &[
                    Value::string(format!("1x{}", "a".repeat(64))),
                    Value::Array(vec![]),
                ],
            )
            .unwrap();
        let client = vec![Value::Int(30), Value::Int(10), Value::Int(20)];
        let row = |id: i32| Value::Struct(Struct::new().with("system_id", Value::Int(id)));
        let parts = vec![
            Value::Array(vec![row(30), row(20)]),
            Value::Array(vec![row(10)]),
        ];
        let merged = merge_split(entry, &client, parts);
        let got: Vec<i64> = merged
            .as_array()
            .unwrap()
            .iter()
            .map(|v| int_member(v, "system_id").unwrap())
            .collect();
        assert_eq!(got, [30, 10, 20]);
        let actions = spec
            .resolve(
                "system.schedulePackageInstall",
                &[
                    Value::string(format!("1x{}", "a".repeat(64))),
                    Value::Array(vec![Value::Int(1)]),
                    Value::Array(vec![Value::Int(1)]),
                    Value::DateTime("20240101T00:00:00".into()),
                ],
            )
            .unwrap();
        assert_eq!(whole_objects(actions), Some(IdKind::Action));
        let merged = merge_split(
            actions,
            &client,
            vec![
                Value::Array(vec![Value::Int(8)]),
                Value::Array(vec![Value::Int(9)]),
            ],
        );
        assert_eq!(merged, Value::Array(vec![Value::Int(8), Value::Int(9)]));
        assert_eq!(
            merge_split(actions, &client, vec![Value::Int(1), Value::Int(1)]),
            Value::Int(1)
        );
    }

    #[test]
    fn content_each_node_added_is_answered_by_the_first_node_s_id() {
        // Each node's copy of a kickstart script, ranked apart where one
        // node held a copy already: the first node's id, never a sum.
        for added in spec::spec().overloads("kickstart.profile.addScript") {
            assert_eq!(whole_objects(added), None);
            assert_eq!(
                merge_split(added, &[], vec![Value::Int(5), Value::Int(7)]),
                Value::Int(5)
            );
        }
    }
}
