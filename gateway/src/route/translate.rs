//! Cluster ids to node-local ids in parameters, and back in results,
//! driven by the spec's [`IdInfo`](spec::IdInfo) of each entry.
//!
//! Parameters: every system id and every id of an object nodes number on
//! their own (action, schedule, image, snapshot, ...: scalar, array, or a
//! member of a struct) must live on the node the call goes to (an object
//! of several nodes: its part there); an unknown id is the server's "no
//! such system" / "no such action" / "does not exist" / ..., an id on
//! another node is refused. Minion ids and certificates are never
//! rewritten. Results: every id a node
//! answers is mapped to its cluster id, allocated when new (with the
//! minion and machine id found beside it, when the struct has them),
//! also in structs nested in the result where the spec names them
//! ([`IdPlace::Nested`]: the systems of a duplicate group, the actions a
//! maintenance change moved). A recurring schedule for a minion names it
//! by system id (`entity_id`), which is mapped too.
//!
//! Ids of shared content, system groups, packages and errata
//! ([`IdKind::is_shared`]), are left to [`super::shared_ids`]: a group,
//! package or erratum lives on every node, and finding a node's id for it may take a
//! call to that node.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use spec::{Entry, IdKind, IdPlace, RouteClass};
use xmlrpc::Value;

use crate::directory::{
    CachedIdentity, Directory, IdMemo, Location, ObjectKind, SeenSystem, Sighting,
};
use crate::error::GatewayError;

/// The error for a cluster id of `kind` the identity map does not know.
pub(crate) fn no_such(kind: IdKind, id: i64) -> GatewayError {
    match kind {
        IdKind::System => GatewayError::NoSuchSystem,
        IdKind::Action => GatewayError::NoSuchAction(id),
        IdKind::Group => GatewayError::NoSuchGroup(id),
        kind => GatewayError::NoSuchObject { kind, id },
    }
}

/// Whether the server passes over ids of `kind` it does not hold instead of
/// failing: `user.notifications.setNotificationsRead` and
/// `deleteNotifications` change the notifications they find (the latter
/// answers 0 when it did not find them all). A cluster id the map does
/// not know is sent on as [`NO_LOCAL_ID`], which no node holds, so the
/// node answers as the server does for an id it lacks.
pub(crate) fn passes_over_unknown(kind: IdKind) -> bool {
    kind == IdKind::Notification
}

/// Puts `id` in place of the id `value` held, in the same wire type: a
/// parameter the server declares `long` takes only an `<i8>` (redstone
/// has no translator from `Integer` to `Long`), one declared `int` an
/// `<int>`, so a node must get the width the client sent.
pub(crate) fn replace_id(value: &mut Value, id: i32) {
    *value = match value {
        Value::I8(_) => Value::I8(i64::from(id)),
        _ => Value::Int(id),
    };
}

/// A local id no node holds: the servers' sequences start at 1.
pub(crate) const NO_LOCAL_ID: i32 = 0;

/// The identity map's kind of the ids of node objects (actions,
/// schedules, images, ...); `None` for systems (and shared content, groups,
/// packages, errata, channels, repositories, content filters,
/// configuration channels, source packages and kickstart scripts, which
/// never reach the callers: see
/// [`super::shared_ids`]).
pub(crate) fn object_kind(kind: IdKind) -> Option<ObjectKind> {
    Some(match kind {
        IdKind::System
        | IdKind::Group
        | IdKind::Package
        | IdKind::Erratum
        | IdKind::Channel
        | IdKind::Repository
        | IdKind::ContentFilter
        | IdKind::ConfigChannel
        | IdKind::SourcePackage
        | IdKind::KickstartScript => {
            return None;
        }
        IdKind::Action => ObjectKind::Action,
        IdKind::Schedule => ObjectKind::Schedule,
        IdKind::Image => ObjectKind::Image,
        IdKind::Snapshot => ObjectKind::Snapshot,
        IdKind::AnsiblePath => ObjectKind::AnsiblePath,
        IdKind::Notification => ObjectKind::Notification,
        IdKind::PackageProfile => ObjectKind::PackageProfile,
        IdKind::PinnedSubscription => ObjectKind::PinnedSubscription,
        IdKind::XccdfScan => ObjectKind::XccdfScan,
    })
}

/// The node and local id of one cluster id (an action of several nodes:
/// its first node's part).
pub(crate) async fn locate(
    ids: &CachedIdentity,
    kind: IdKind,
    value: &Value,
) -> Result<Location, GatewayError> {
    Ok(locate_all(ids, kind, value).await?[0].clone())
}

/// As [`locate_all`], but a system whose cached place is a node that no
/// longer serves (drained, offline, failed, gone) is looked up again in the
/// map first, at most once a second per system: the director moves a
/// drained or lost node's systems and records their new owner there, which
/// another gateway process's cache learns only when its entry expires.
pub(crate) async fn locate_current(
    directory: &Directory,
    kind: IdKind,
    value: &Value,
) -> Result<Arc<[Location]>, GatewayError> {
    let ids = directory.identity();
    let parts = locate_all(ids, kind, value).await?;
    if kind != IdKind::System || directory.serves(&parts[0].node) {
        return Ok(parts);
    }
    match value.as_i64().and_then(|i| i32::try_from(i).ok()) {
        Some(id) if ids.recheck_system(id) => locate_all(ids, kind, value).await,
        _ => Ok(parts),
    }
}

/// Every node and local id of one cluster id: one for a system, one per
/// node for an action or schedule that one call made on several nodes.
pub(crate) async fn locate_all(
    ids: &CachedIdentity,
    kind: IdKind,
    value: &Value,
) -> Result<Arc<[Location]>, GatewayError> {
    let raw = value.as_i64().ok_or(no_such(kind, 0))?;
    let id = i32::try_from(raw).map_err(|_| no_such(kind, raw))?;
    if kind.is_shared() {
        return Err(no_such(kind, raw));
    }
    let found = match object_kind(kind) {
        None => ids.system_location(id).await?.map(|l| Arc::from([l])),
        Some(object) => ids.object_parts(object, id).await?,
    };
    found
        .filter(|parts| !parts.is_empty())
        .ok_or(no_such(kind, raw))
}

/// Rewrites every translated id parameter of `entry` in `params` to its
/// local id on `node` (groups, packages and errata: [`super::shared_ids::params_to_node`]).
pub(crate) async fn params_to_node(
    ids: &CachedIdentity,
    entry: &Entry,
    params: &mut [Value],
    node: &str,
) -> Result<(), GatewayError> {
    let translated = entry
        .ids
        .params
        .iter()
        .filter(|p| p.form.is_translated() && !p.kind.is_shared());
    for p in translated {
        let Some(value) = params.get_mut(p.index) else {
            continue;
        };
        match value {
            Value::Array(items) => {
                for item in items.iter_mut() {
                    to_local(ids, p.kind, item, node).await?;
                }
            }
            Value::Int(_) | Value::I8(_) => to_local(ids, p.kind, value, node).await?,
            Value::Struct(members) => {
                if let Some(id) = p.form.member().and_then(|m| members.get_mut(m)) {
                    to_local(ids, p.kind, id, node).await?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Rewrites one cluster id to its local id on `node`.
pub(crate) async fn to_local(
    ids: &CachedIdentity,
    kind: IdKind,
    value: &mut Value,
    node: &str,
) -> Result<(), GatewayError> {
    if value.as_i64().is_none() {
        return Ok(());
    }
    let parts = match locate_all(ids, kind, value).await {
        Err(GatewayError::NoSuchObject { .. }) if passes_over_unknown(kind) => {
            replace_id(value, NO_LOCAL_ID);
            return Ok(());
        }
        found => found?,
    };
    let Some(loc) = parts.iter().find(|p| &*p.node == node) else {
        return Err(GatewayError::CrossNode(format!(
            "the {} of this call are managed by different nodes of the cluster \
             ({} and {node}); call once per node",
            kind.plural(),
            parts[0].node
        )));
    };
    replace_id(value, loc.local);
    Ok(())
}

/// Rewrites every id `node` answered in `value` to its cluster id (groups,
/// packages and errata: [`super::shared_ids::result_from_node`]). The ids of a list are
/// translated in one batch.
pub(crate) async fn result_from_node(
    ids: &CachedIdentity,
    entry: &Entry,
    value: &mut Value,
    node: &str,
) -> Result<(), GatewayError> {
    for r in entry.ids.result.iter().filter(|r| !r.kind.is_shared()) {
        match (&r.place, &mut *value) {
            (IdPlace::Whole, Value::Array(items)) => {
                let hide = r.kind == IdKind::System && hides_left(entry);
                many_to_cluster(ids, r.kind, items, None, node, hide).await?;
            }
            (IdPlace::Whole, v) => to_cluster(ids, r.kind, v, node, None, None).await?,
            (IdPlace::Field(name), Value::Array(items)) => {
                let hide = r.kind == IdKind::System && hides_left(entry);
                many_to_cluster(ids, r.kind, items, Some(name), node, hide).await?;
            }
            (IdPlace::Field(name), v) => field_to_cluster(ids, r.kind, v, name, node).await?,
            (IdPlace::Nested(path), v) => {
                let hide = r.kind == IdKind::System && hides_left(entry);
                nested_to_cluster(ids, r.kind, v, path, node, hide).await?;
            }
        }
        if r.kind == IdKind::Schedule && matches!(r.place, IdPlace::Field(_)) {
            minion_entities_to_cluster(ids, value, node).await?;
        }
    }
    Ok(())
}

/// Rewrites the `entity_id` of the recurring schedules in `value` (one, or
/// a list) whose `entity_type` is `MINION`: a system id of `node`. A
/// group's is mapped by [`super::group_ids`]; the organization's id is the
/// same on every node of a zone.
async fn minion_entities_to_cluster(
    ids: &CachedIdentity,
    value: &mut Value,
    node: &str,
) -> Result<(), GatewayError> {
    for schedule in items(value) {
        let Value::Struct(s) = schedule else {
            continue;
        };
        let minion = s
            .get("entity_type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("minion"));
        if let (true, Some(id)) = (minion, s.get_mut("entity_id")) {
            to_cluster(ids, IdKind::System, id, node, None, None).await?;
        }
    }
    Ok(())
}

/// The answer itself, or the items of an answered list.
pub(crate) fn items(value: &mut Value) -> &mut [Value] {
    match value {
        Value::Array(items) => items.as_mut_slice(),
        one => std::slice::from_mut(one),
    }
}

/// The id slot of an item: the item itself, or its member `field`.
fn slot<'v>(item: &'v Value, field: Option<&str>) -> Option<&'v Value> {
    match (field, item) {
        (None, v) => Some(v),
        (Some(name), Value::Struct(s)) => s.get(name),
        _ => None,
    }
}

/// Whether a fan-out listing leaves out the items that name copies moved
/// systems left on their old nodes: a listing about systems shows each
/// once, and never a copy under the system's id (where deleting "the
/// duplicate" would delete the system). Items that are objects of another
/// kind (their own id) naming a system, such as pinned subscriptions, are
/// kept: they exist on the old node.
pub(crate) fn hides_left(entry: &Entry) -> bool {
    let result = &entry.ids.result;
    entry.route.class == RouteClass::Fanout
        && result.iter().any(|r| r.kind == IdKind::System)
        && !result.iter().any(|r| {
            r.kind != IdKind::System
                && match &r.place {
                    IdPlace::Whole => true,
                    IdPlace::Field(name) => name == "id",
                    IdPlace::Nested(_) => false,
                }
        })
}

/// Translates the id of every item of a list (the item itself, or its
/// member `field`), in one batch; items without an `i4`-sized integer
/// there are left alone, as [`to_cluster`] does. With `hide`, the items
/// that are copies moved systems left on `node` are taken out.
async fn many_to_cluster(
    ids: &CachedIdentity,
    kind: IdKind,
    items: &mut Vec<Value>,
    field: Option<&str>,
    node: &str,
    hide: bool,
) -> Result<(), GatewayError> {
    let mut at = Vec::new();
    let mut seen = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(local) = slot(item, field).and_then(local_id) else {
            continue;
        };
        let text = |n: &str| match (field, item, kind) {
            (Some(_), Value::Struct(s), IdKind::System) => s.get(n).and_then(Value::as_str),
            _ => None,
        };
        at.push(i);
        seen.push(SeenSystem {
            local_id: local,
            minion_id: text("minion_id"),
            machine_id: text("machine_id"),
        });
    }
    if at.is_empty() {
        return Ok(());
    }
    let cluster = sightings(ids, kind, node, &seen).await?;
    let mut left = Vec::new();
    for (i, id) in at.into_iter().zip(cluster) {
        if hide && id.is_left_behind() {
            left.push(i);
            continue;
        }
        let slot = match (field, &mut items[i]) {
            (None, v) => Some(v),
            (Some(name), Value::Struct(s)) => s.get_mut(name),
            _ => None,
        };
        if let Some(v) = slot {
            *v = Value::Int(id.cluster_id());
        }
    }
    if !left.is_empty() {
        let mut i = 0;
        items.retain(|_| {
            let keep = left.binary_search(&i).is_err();
            i += 1;
            keep
        });
    }
    Ok(())
}

/// What the local ids `node` answered are, in one batch (new ones
/// allocated): a system may be a copy left behind, anything else is its
/// object.
async fn sightings(
    ids: &CachedIdentity,
    kind: IdKind,
    node: &str,
    seen: &[SeenSystem<'_>],
) -> Result<Vec<Sighting>, GatewayError> {
    Ok(match object_kind(kind) {
        None => ids.system_ids(node, seen, &mut IdMemo::default()).await?,
        Some(object) => {
            let locals: Vec<i32> = seen.iter().map(|s| s.local_id).collect();
            ids.object_ids(object, node, &locals, &mut IdMemo::default())
                .await?
                .into_iter()
                .map(Sighting::System)
                .collect()
        }
    })
}

/// Translates the ids at `path` in structs nested in `value` (see
/// [`IdPlace::Nested`]), in one batch. With `hide`, the nested structs
/// that name copies moved systems left on `node` are taken out.
async fn nested_to_cluster(
    ids: &CachedIdentity,
    kind: IdKind,
    value: &mut Value,
    path: &[String],
    node: &str,
    hide: bool,
) -> Result<(), GatewayError> {
    let mut slots = Vec::new();
    nested_slots(value, path, &mut slots);
    let locals: Vec<i32> = slots.iter().filter_map(|v| local_id(v)).collect();
    if locals.is_empty() {
        return Ok(());
    }
    let seen: Vec<SeenSystem<'_>> = locals
        .iter()
        .map(|&local_id| SeenSystem {
            local_id,
            minion_id: None,
            machine_id: None,
        })
        .collect();
    let cluster = sightings(ids, kind, node, &seen).await?;
    if !(hide && cluster.iter().any(|s| s.is_left_behind())) {
        for (slot, id) in slots.into_iter().zip(cluster) {
            *slot = Value::Int(id.cluster_id());
        }
        return Ok(());
    }
    drop(slots);
    let left: HashSet<i32> = locals
        .iter()
        .zip(&cluster)
        .filter(|(_, s)| s.is_left_behind())
        .map(|(l, _)| *l)
        .collect();
    let bound: HashMap<i32, i32> = locals
        .iter()
        .zip(&cluster)
        .map(|(l, s)| (*l, s.cluster_id()))
        .collect();
    retain_nested(value, path, &|local| !left.contains(&local));
    let mut slots = Vec::new();
    nested_slots(value, path, &mut slots);
    for slot in slots {
        if let Some(id) = local_id(slot).and_then(|l| bound.get(&l)) {
            *slot = Value::Int(*id);
        }
    }
    Ok(())
}

/// Takes out of the arrays met along `path` under `value` the structs
/// whose id at the end of `path` fails `keep`.
fn retain_nested(value: &mut Value, path: &[String], keep: &dyn Fn(i32) -> bool) {
    match value {
        Value::Array(items) => match path {
            [last] => items.retain(|item| match item {
                Value::Struct(s) => s.get(last).and_then(local_id).is_none_or(keep),
                _ => true,
            }),
            _ => {
                for item in items {
                    retain_nested(item, path, keep);
                }
            }
        },
        Value::Struct(s) => {
            if let [first, rest @ ..] = path
                && !rest.is_empty()
                && let Some(member) = s.get_mut(first)
            {
                retain_nested(member, rest, keep);
            }
        }
        _ => {}
    }
}

/// An `i4`-sized integer id, or `None`.
pub(crate) fn local_id(v: &Value) -> Option<i32> {
    v.as_i64().and_then(|v| i32::try_from(v).ok())
}

/// Collects the integer ids at `path` under `value`: members followed
/// through structs, every item of an array met on the way, and at the end
/// one integer or the integers of an array.
pub(crate) fn nested_slots<'v>(
    value: &'v mut Value,
    path: &[String],
    out: &mut Vec<&'v mut Value>,
) {
    match value {
        Value::Array(items) => {
            for item in items {
                nested_slots(item, path, out);
            }
        }
        Value::Struct(s) => {
            if let Some((first, rest)) = path.split_first()
                && let Some(member) = s.get_mut(first)
            {
                nested_slots(member, rest, out);
            }
        }
        v if path.is_empty() && local_id(v).is_some() => out.push(v),
        _ => {}
    }
}

async fn field_to_cluster(
    ids: &CachedIdentity,
    kind: IdKind,
    item: &mut Value,
    name: &str,
    node: &str,
) -> Result<(), GatewayError> {
    let Value::Struct(s) = item else {
        return Ok(());
    };
    let (minion, machine) = if kind == IdKind::System {
        let text = |n: &str| s.get(n).and_then(Value::as_str).map(str::to_owned);
        (text("minion_id"), text("machine_id"))
    } else {
        (None, None)
    };
    if let Some(v) = s.get_mut(name) {
        to_cluster(ids, kind, v, node, minion.as_deref(), machine.as_deref()).await?;
    }
    Ok(())
}

async fn to_cluster(
    ids: &CachedIdentity,
    kind: IdKind,
    value: &mut Value,
    node: &str,
    minion: Option<&str>,
    machine: Option<&str>,
) -> Result<(), GatewayError> {
    let Some(raw) = value.as_i64() else {
        return Ok(());
    };
    let Ok(local) = i32::try_from(raw) else {
        return Ok(());
    };
    let id = match object_kind(kind) {
        None => match ids.cached_system_id(node, local) {
            Some(id) => id,
            None => ids
                .system_id(node, local, minion, machine)
                .await?
                .cluster_id(),
        },
        Some(object) => match ids.cached_object_id(object, node, local) {
            Some(id) => id,
            None => ids.object_id(object, node, local).await?,
        },
    };
    *value = Value::Int(id);
    Ok(())
}
