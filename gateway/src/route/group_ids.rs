//! System group ids ([`IdKind::Group`]), cluster-wide.
//!
//! A system group is data every node shares (`systemgroup.create` is a
//! broadcast), but each node numbers its groups its own way: two nodes
//! agree only while every group was made on both in the same order, which
//! one undone broadcast or one group made on a single node ends. The
//! cluster gives each group one id, keyed by its organization and name in
//! the identity map ([`crate::directory::GroupIdentity`]), with each
//! node's id for it as a part.
//!
//! - **Results.** A node's group id is mapped to the cluster id. A struct
//!   that shows the group's `name` and `org_id` beside its `id` (the
//!   `systemgroup` structs) says which group it is; any other (`sgid` of
//!   `system.listGroups`, an activation key's `server_group_ids`, a
//!   group's recurring schedule) is looked up once with
//!   `systemgroup.getDetails(id)` on that node.
//! - **Parameters** are rewritten per node: every node a call goes to gets
//!   its own id for the group (a broadcast, a fan-out and a shared read
//!   too). A node whose id the map does not know yet is asked with
//!   `systemgroup.getDetails(name)`; its fault (no such group there) is
//!   the answer. An unknown cluster id is the server's
//!   `LookupServerGroupException`.
//! - **Merging.** The nodes' answers about one group are one group
//!   ([`super::merge::unite`]): one item per cluster id, its
//!   `system_count` summed over the nodes.
//!
//! What the map learns is cached ([`crate::directory::CachedIdentity`]):
//! a node is asked about a group until its id for it is recorded. A node
//! that lacks a group is asked again by every call naming the group there.

use spec::{Entry, IdKind, IdPlace};
use xmlrpc::Value;

use super::{Ctx, recurring, shared_ids, translate};
use crate::directory::GroupIdentity;
use crate::error::GatewayError;
use crate::upstream::UpstreamError;

/// The call that names a group on a node, by id or by name.
const DETAILS: &str = "systemgroup.getDetails";

/// Whether calls of `entry` may carry system group ids: as parameters, in
/// results, or as the entity of recurring schedules.
pub(crate) fn involved(entry: &Entry) -> bool {
    entry.ids.params.iter().any(|p| p.kind == IdKind::Group)
        || entry.ids.result.iter().any(|r| {
            r.kind == IdKind::Group
                || (r.kind == IdKind::Schedule && matches!(r.place, IdPlace::Field(_)))
        })
        || recurring::names_entities(entry)
}

/// Rewrites the group ids among `params` to `node`'s ids.
pub(crate) async fn params_to_node(
    ctx: &Ctx<'_>,
    node: &str,
    params: &mut [Value],
) -> Result<(), GatewayError> {
    for slot in shared_ids::param_slots(ctx.entry, IdKind::Group, params) {
        to_local(ctx, node, slot).await?;
    }
    if let Some(id) = recurring::group_entity(ctx.entry, params) {
        to_local(ctx, node, id).await?;
    }
    Ok(())
}

/// Rewrites one cluster group id to `node`'s id for the group. A value
/// that is no integer is left for the node to refuse.
async fn to_local(ctx: &Ctx<'_>, node: &str, value: &mut Value) -> Result<(), GatewayError> {
    let Some(raw) = value.as_i64() else {
        return Ok(());
    };
    let id = i32::try_from(raw).map_err(|_| GatewayError::NoSuchGroup(raw))?;
    let ids = ctx.gw.directory().identity();
    let Some(group) = ids.group(id).await? else {
        return Err(GatewayError::NoSuchGroup(raw));
    };
    let local = match group.local_on(node) {
        Some(local) => local,
        None => find_on(ctx, node, &group).await?,
    };
    translate::replace_id(value, local);
    Ok(())
}

/// `node`'s id for `group`, asked of the node by name and recorded. The
/// group the node finds must be the same group: of the same organization
/// (a user of another one may have a group of that name), under the same
/// cluster id (not a group deleted and made again since the record was
/// read); else the id is no group of the caller's.
async fn find_on(ctx: &Ctx<'_>, node: &str, group: &GroupIdentity) -> Result<i32, GatewayError> {
    let found = details(ctx, node, Value::string(&group.name)).await?;
    let no_such = || GatewayError::NoSuchGroup(i64::from(group.cluster_id));
    if found.org_id != group.org_id {
        return Err(no_such());
    }
    let ids = ctx.gw.directory().identity();
    let id = ids
        .group_id(node, found.local, found.org_id, &found.name)
        .await?;
    if id != group.cluster_id {
        ids.invalidate_group(group.cluster_id);
        return Err(no_such());
    }
    Ok(found.local)
}

/// A group as a node's `systemgroup.getDetails` shows it.
#[derive(Debug)]
struct Details {
    local: i32,
    org_id: i32,
    name: String,
}

/// Asks `node` for the group `arg` names (its id or name) in `ctx`'s
/// session. The node's fault is the answer.
async fn details(ctx: &Ctx<'_>, node: &str, arg: Value) -> Result<Details, GatewayError> {
    let what = "a system group without a session";
    let value = shared_ids::ask(ctx, node, what, DETAILS, vec![arg]).await?;
    let unavailable = |source| GatewayError::NodeUnavailable {
        node: node.to_owned(),
        source,
    };
    let member = |name: &str| value.as_struct().and_then(|s| s.get(name));
    let int = |name: &str| member(name).and_then(translate::local_id);
    match (
        int("id"),
        int("org_id"),
        member("name").and_then(Value::as_str),
    ) {
        (Some(local), Some(org_id), Some(name)) => Ok(Details {
            local,
            org_id,
            name: name.to_owned(),
        }),
        _ => Err(unavailable(UpstreamError::BadResponse(format!(
            "{DETAILS} answered without a group's id, org_id and name"
        )))),
    }
}

/// Rewrites every group id `node` answered in `value` to its cluster id.
pub(crate) async fn result_from_node(
    ctx: &Ctx<'_>,
    node: &str,
    value: &mut Value,
) -> Result<(), GatewayError> {
    for r in ctx.entry.ids.result.iter() {
        match (&r.place, r.kind) {
            (IdPlace::Field(field), IdKind::Group) => {
                for item in translate::items(value) {
                    let Value::Struct(s) = item else { continue };
                    let org = s.get("org_id").and_then(Value::as_i64);
                    let name = s.get("name").and_then(Value::as_str);
                    let label = match (org.and_then(|o| i32::try_from(o).ok()), name) {
                        (Some(org), Some(name)) => Some((org, name.to_owned())),
                        _ => None,
                    };
                    if let Some(slot) = s.get_mut(field.as_str()) {
                        to_cluster(ctx, node, slot, label).await?;
                    }
                }
            }
            (IdPlace::Nested(path), IdKind::Group) => {
                let mut slots = Vec::new();
                translate::nested_slots(value, path, &mut slots);
                for slot in slots {
                    to_cluster(ctx, node, slot, None).await?;
                }
            }
            (IdPlace::Whole, IdKind::Group) => to_cluster(ctx, node, value, None).await?,
            // A group's recurring schedules name it as their entity.
            (IdPlace::Field(_), IdKind::Schedule) => {
                for item in translate::items(value) {
                    let Value::Struct(s) = item else { continue };
                    let group = s
                        .get("entity_type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.eq_ignore_ascii_case("group"));
                    if let (true, Some(slot)) = (group, s.get_mut("entity_id")) {
                        to_cluster(ctx, node, slot, None).await?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Rewrites `node`'s group id in `slot` (an integer, or the id as text) to
/// the cluster id, in the same type. `label` is the group's organization
/// and name when the answer showed them; else the node is asked, once.
async fn to_cluster(
    ctx: &Ctx<'_>,
    node: &str,
    slot: &mut Value,
    label: Option<(i32, String)>,
) -> Result<(), GatewayError> {
    let (local, text) = match &*slot {
        Value::String(s) => (s.trim().parse::<i32>().ok(), true),
        other => (translate::local_id(other), false),
    };
    let Some(local) = local else {
        return Ok(());
    };
    let ids = ctx.gw.directory().identity();
    let id = match ids.known_group_id(node, local).await? {
        Some(id) => id,
        None => {
            let (org_id, name) = match label {
                Some(label) => label,
                None => {
                    let found = details(ctx, node, Value::Int(local)).await?;
                    (found.org_id, found.name)
                }
            };
            ids.group_id(node, local, org_id, &name).await?
        }
    };
    *slot = if text {
        Value::String(id.to_string())
    } else {
        Value::Int(id)
    };
    Ok(())
}

/// The organization of the group `systemgroup.delete` is about to delete,
/// asked of `node` before the change, so that the group can be forgotten
/// once it is gone from every node ([`forget_deleted`]). `None` for any
/// other call, and when the node does not know the group (the delete
/// then fails as the server's).
pub(crate) async fn deleting(ctx: &Ctx<'_>, node: &str) -> Option<(i32, String)> {
    if ctx.method() != "systemgroup.delete" {
        return None;
    }
    let name = ctx.call.params.get(1)?.as_str()?.to_owned();
    match details(ctx, node, Value::string(&name)).await {
        Ok(found) => Some((found.org_id, name)),
        Err(e) => {
            tracing::debug!(cause = %e, "the group to delete is not known to the first node");
            None
        }
    }
}

/// Forgets a group deleted from every node, so that a group made again
/// under its name gets a new cluster id, as a server gives it a new id.
/// The group is gone from the nodes either way: a store failure is
/// logged, not answered (the old id then stays for a group made again).
pub(crate) async fn forget_deleted(ctx: &Ctx<'_>, deleted: Option<(i32, String)>) {
    if let Some((org_id, name)) = deleted {
        let ids = ctx.gw.directory().identity();
        if let Err(e) = ids.forget_group(org_id, &name).await {
            tracing::error!(cause = %e, "forgetting a deleted system group failed");
        }
    }
}
