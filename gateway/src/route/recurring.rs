//! Recurring schedules of one minion (`recurring.*.create` and
//! `recurring.listByEntity`, and their `recurringaction` forms, with the
//! entity type `minion`). The spec routes these calls as shared data
//! (broadcast, fan-out), which is right for a system group or the
//! organization; a minion's schedule, though, belongs on the node that
//! owns the minion. There the entity id, a cluster system id, is
//! rewritten to the node's local id, and in listed schedules back (as in
//! every schedule a node answers).
//!
//! An id the identity map does not know takes the call's own route, so
//! the nodes answer it with their own fault.
//!
//! The schedules' own ids are cluster ids like action ids (spec
//! [`spec::IdKind::Schedule`]): a minion's schedule has one part, on the
//! minion's node; a group's or the organization's, made on every node, has
//! one copy per node under one cluster id. Calls naming a schedule by id
//! route to its parts as the `action` class does.

use spec::Entry;
use xmlrpc::Value;

use super::Ctx;
use super::system::on_node;
use crate::error::GatewayError;

/// Where a call names its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entity {
    /// The type and the id are parameters at these indices.
    Params { kind: usize, id: usize },
    /// Members `entity_type` and `entity_id` of the struct parameter at
    /// this index.
    Props(usize),
}

/// Whether `entry` is about recurring schedules (`recurring`,
/// `recurring.*`, `recurringaction`).
pub(crate) fn is_recurring(entry: &Entry) -> bool {
    entry.namespace == "recurring"
        || entry.namespace == "recurringaction"
        || entry.namespace.starts_with("recurring.")
}

/// How `entry` names the entity of its schedules, when it is a call this
/// module routes.
fn entity_of(entry: &Entry) -> Option<Entity> {
    if !is_recurring(entry) {
        return None;
    }
    let at = |names: &[&str]| {
        entry
            .params
            .iter()
            .position(|p| names.contains(&p.name.as_str()))
    };
    match entry.method.as_str() {
        "listByEntity" => Some(Entity::Params {
            kind: at(&["type", "entityType"])?,
            id: at(&["id", "entityId"])?,
        }),
        "create" => at(&["actionProps"]).map(Entity::Props),
        _ => None,
    }
}

/// The entity id slot of `params`, as `entity` names it, with whether
/// the entity type is `ty` (`minion`, `group`; any case).
fn slot<'p>(entity: Entity, params: &'p mut [Value], ty: &str) -> Option<(bool, &'p mut Value)> {
    let is = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case(ty))
    };
    match entity {
        Entity::Params { kind, id } => {
            let matched = is(params.get(kind));
            params.get_mut(id).map(|v| (matched, v))
        }
        Entity::Props(at) => {
            let Some(Value::Struct(props)) = params.get_mut(at) else {
                return None;
            };
            let matched = is(props.get("entity_type"));
            props.get_mut("entity_id").map(|v| (matched, v))
        }
    }
}

/// The entity id in `params` of a call about a system group's recurring
/// schedules (`create`, `listByEntity` with the entity type `group`).
pub(crate) fn group_entity<'p>(entry: &Entry, params: &'p mut [Value]) -> Option<&'p mut Value> {
    match slot(entity_of(entry)?, params, "group")? {
        (true, id) => Some(id),
        (false, _) => None,
    }
}

/// Whether `entry` may name a system group as the entity of its
/// schedules.
pub(crate) fn names_entities(entry: &Entry) -> bool {
    entity_of(entry).is_some()
}

/// Routes a call about one minion's recurring schedules to the minion's
/// node; `None` when `ctx`'s call is not one, or names a system the map
/// does not know.
pub(crate) async fn route_minion(ctx: &Ctx<'_>) -> Result<Option<Value>, GatewayError> {
    let Some(entity) = entity_of(ctx.entry) else {
        return Ok(None);
    };
    let mut params = ctx.call.params.clone();
    let Some((true, id)) = slot(entity, &mut params, "minion") else {
        return Ok(None);
    };
    let Some(cluster) = super::translate::local_id(id) else {
        return Ok(None);
    };
    let ids = ctx.gw.directory().identity();
    let Some(loc) = ids.system_location(cluster).await? else {
        return Ok(None);
    };
    super::translate::replace_id(id, loc.local);
    // The answer's schedule ids and minion ids are mapped back with the
    // others ([`super::translate::result_from_node`]).
    on_node(ctx, &loc.node, params).await.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> &'static Entry {
        spec::spec().overloads(name)[0]
    }

    #[test]
    fn the_calls_about_a_minions_schedules() {
        assert_eq!(
            entity_of(entry("recurring.listByEntity")),
            Some(Entity::Params { kind: 1, id: 2 })
        );
        assert_eq!(
            entity_of(entry("recurringaction.listByEntity")),
            Some(Entity::Params { kind: 1, id: 2 })
        );
        for name in [
            "recurring.highstate.create",
            "recurring.custom.create",
            "recurring.playbook.create",
            "recurringaction.create",
        ] {
            assert_eq!(entity_of(entry(name)), Some(Entity::Props(1)), "{name}");
        }
        for name in [
            "recurring.delete",
            "recurring.highstate.update",
            "system.listSystems",
        ] {
            assert_eq!(entity_of(entry(name)), None, "{name}");
        }
    }
}
