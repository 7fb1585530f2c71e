//! Erratum ids ([`IdKind::Erratum`]), cluster-wide.
//!
//! Errata (patches) come with the channels every node syncs, and each node
//! numbers them as it syncs them: `system.getRelevantErrata` on one node
//! and `system.scheduleApplyErrata` of those ids on another would apply
//! other patches. The cluster gives each erratum one id, keyed by its
//! advisory name in the identity map
//! ([`crate::directory::ErratumIdentity`]), with each node's id for it as
//! a part, as packages are mapped ([`super::package_ids`]).
//!
//! - **Results.** Every struct that carries an erratum id also shows its
//!   `advisory_name` (the errata listings, and the errata nested per
//!   system in `system.getRelevantErrata(sids)`), except
//!   `errata.getDetails`, whose erratum is the one its `advisoryName`
//!   parameter names. A listing's ids are mapped in one batch. An id whose
//!   advisory is not shown is answered as `0`, never as the node's id.
//! - **Parameters** are rewritten per node: every node a call goes to gets
//!   its own id for the erratum. A node whose id the map does not know yet
//!   is asked with `errata.getDetails(advisoryName)`, and its id recorded;
//!   a node that lacks the erratum, and a cluster id no erratum has, get
//!   the server's `InvalidErrataException`. Other faults of that look-up
//!   (permissions, an expired node session) pass through.
//!
//! Advisory names are unique within an organization, and vendor errata
//! belong to none: two organizations' custom errata of one advisory name
//! share one cluster id, and each node's part is the first id seen there.

use std::collections::{HashMap, HashSet};

use spec::{Entry, IdKind, IdPlace};
use xmlrpc::{Struct, Value};

use super::{Ctx, shared_ids, translate};
use crate::directory::{ErratumIdentity, SeenErratum};
use crate::error::GatewayError;

/// The id answered for an erratum the cluster cannot name: cluster ids
/// start at 1.
const NO_ERRATUM: i32 = 0;

/// The member of an erratum struct naming its advisory.
const ADVISORY: &str = "advisory_name";

/// The fault codes of `errata.getDetails` for an advisory the node does
/// not show the user.
const NOT_SHOWN: [i32; 2] = [crate::error::INVALID_ERRATA, -208];

/// The parameter of `errata.*` calls naming the erratum.
const ADVISORY_PARAM: &str = "advisoryName";

/// Whether calls of `entry` may carry erratum ids.
pub(crate) fn involved(entry: &Entry) -> bool {
    entry.ids.params.iter().any(|p| p.kind == IdKind::Erratum)
        || entry.ids.result.iter().any(|r| r.kind == IdKind::Erratum)
}

/// The fault of an erratum id the cluster or a node does not know.
fn no_such(id: i64) -> GatewayError {
    GatewayError::NoSuchObject {
        kind: IdKind::Erratum,
        id,
    }
}

/// Rewrites the erratum ids among `params` to `node`'s ids.
pub(crate) async fn params_to_node(
    ctx: &Ctx<'_>,
    node: &str,
    params: &mut [Value],
) -> Result<(), GatewayError> {
    for slot in shared_ids::param_slots(ctx.entry, IdKind::Erratum, params) {
        to_local(ctx, node, slot).await?;
    }
    Ok(())
}

/// Rewrites one cluster erratum id to `node`'s id for the erratum. A
/// value that is no integer is left for the node to refuse.
async fn to_local(ctx: &Ctx<'_>, node: &str, value: &mut Value) -> Result<(), GatewayError> {
    let Some(raw) = value.as_i64() else {
        return Ok(());
    };
    let id = i32::try_from(raw).map_err(|_| no_such(raw))?;
    let ids = ctx.gw.directory().identity();
    let Some(erratum) = ids.content::<ErratumIdentity>(id).await? else {
        return Err(no_such(raw));
    };
    let local = match erratum.local_on(node) {
        Some(local) => local,
        None => find_on(ctx, node, &erratum).await?,
    };
    *value = Value::Int(local);
    Ok(())
}

/// `node`'s id for `erratum`, asked of the node by advisory name and
/// recorded. A node that lacks it answers as the server does for an
/// erratum id it does not hold, as a fault of the node (a shared read
/// then asks another node).
async fn find_on(
    ctx: &Ctx<'_>,
    node: &str,
    erratum: &ErratumIdentity,
) -> Result<i32, GatewayError> {
    let missing = || GatewayError::Fault(no_such(i64::from(erratum.cluster_id)).to_fault());
    let details = shared_ids::ask(
        ctx,
        node,
        "an erratum without a session",
        "errata.getDetails",
        vec![Value::string(&erratum.advisory)],
    )
    .await;
    let details = match details {
        Ok(details) => details,
        // The node does not show the erratum: `InvalidErrataException`, or
        // the -208 "cannot be found" fault of the server's errata look-up
        // (no system is named here). Other faults (permissions, sessions)
        // are the node's answer.
        Err(GatewayError::Fault(fault)) if NOT_SHOWN.contains(&fault.code) => {
            tracing::debug!(node, advisory = %erratum.advisory, fault = %fault.string, "the node does not show the erratum");
            return Err(missing());
        }
        Err(other) => return Err(other),
    };
    let local = details
        .as_struct()
        .and_then(|s| s.get("id"))
        .and_then(translate::local_id)
        .ok_or_else(missing)?;
    let ids = ctx.gw.directory().identity();
    let seen = [SeenErratum {
        local_id: local,
        content: erratum.advisory.as_str(),
    }];
    ids.content_ids::<ErratumIdentity>(node, &seen).await?;
    ids.invalidate_content::<ErratumIdentity>(erratum.cluster_id);
    Ok(local)
}

/// The structs of `value` that hold erratum ids, and the member holding
/// it: each struct answered (or listed) for [`IdPlace::Field`], the
/// structs at the path's end for [`IdPlace::Nested`].
fn holders<'v>(entry: &'v Entry, value: &'v mut Value) -> Vec<(&'v mut Struct, &'v str)> {
    let mut out = Vec::new();
    // The spec gives an entry at most one place of erratum ids (one
    // mutable walk of the answer).
    let places: Vec<&IdPlace> = entry
        .ids
        .result
        .iter()
        .filter(|r| r.kind == IdKind::Erratum)
        .map(|r| &r.place)
        .collect();
    let [place] = places.as_slice() else {
        return out;
    };
    match place {
        IdPlace::Field(field) => {
            for item in translate::items(value) {
                if let Value::Struct(s) = item {
                    out.push((s, field.as_str()));
                }
            }
        }
        IdPlace::Nested(path) => {
            if let Some((last, outer)) = path.split_last() {
                let mut structs = Vec::new();
                structs_at(value, outer, &mut structs);
                out.extend(structs.into_iter().map(|s| (s, last.as_str())));
            }
        }
        IdPlace::Whole => {}
    }
    out
}

/// The structs reached from `value` by the members `path`, through every
/// array met on the way.
fn structs_at<'v>(value: &'v mut Value, path: &[String], out: &mut Vec<&'v mut Struct>) {
    match value {
        Value::Array(items) => {
            for item in items {
                structs_at(item, path, out);
            }
        }
        Value::Struct(s) => match path.split_first() {
            None => out.push(s),
            Some((first, rest)) => {
                if let Some(inner) = s.get_mut(first) {
                    structs_at(inner, rest, out);
                }
            }
        },
        _ => {}
    }
}

/// Rewrites every erratum id `node` answered in `value` to its cluster id,
/// the ids of a listing in one batch.
pub(crate) async fn result_from_node(
    ctx: &Ctx<'_>,
    node: &str,
    value: &mut Value,
) -> Result<(), GatewayError> {
    // `errata.getDetails` names its erratum by the parameter only.
    let named = ctx
        .entry
        .params
        .iter()
        .position(|p| p.name == ADVISORY_PARAM)
        .and_then(|i| ctx.call.params.get(i))
        .and_then(Value::as_str)
        .map(|a| a.trim().to_owned());
    let mut holders = holders(ctx.entry, value);
    if holders.is_empty() {
        return Ok(());
    }
    // What each holder shows: its id on the node and its advisory.
    let shown: Vec<Option<(i32, Option<String>)>> = holders
        .iter()
        .map(|(s, field)| {
            let local = s.get(field).and_then(translate::local_id)?;
            let advisory = s
                .get(ADVISORY)
                .and_then(Value::as_str)
                .map(|a| a.trim().to_owned())
                .or_else(|| named.clone())
                .filter(|a| !a.is_empty());
            Some((local, advisory))
        })
        .collect();
    let cluster = cluster_ids(ctx, node, &shown).await?;
    for ((s, field), shown) in holders.iter_mut().zip(&shown) {
        let Some((local, _)) = shown else { continue };
        // An erratum whose advisory the answer does not show gets an id no
        // erratum has: its node id, sent back, would name another one.
        let id = cluster.get(local).copied().unwrap_or(NO_ERRATUM);
        if let Some(v) = s.get_mut(field) {
            *v = Value::Int(id);
        }
    }
    Ok(())
}

/// The cluster ids of the errata `node` answered (`shown`: local id and
/// advisory name): what the map knows, then the rest bound by advisory
/// name. An erratum without an advisory name is left out.
async fn cluster_ids(
    ctx: &Ctx<'_>,
    node: &str,
    shown: &[Option<(i32, Option<String>)>],
) -> Result<HashMap<i32, i32>, GatewayError> {
    let ids = ctx.gw.directory().identity();
    let mut locals: Vec<i32> = shown.iter().flatten().map(|(l, _)| *l).collect();
    locals.sort_unstable();
    locals.dedup();
    let known = ids
        .known_content_ids::<ErratumIdentity>(node, &locals)
        .await?;
    let mut cluster: HashMap<i32, i32> = locals
        .iter()
        .zip(known)
        .filter_map(|(l, id)| Some((*l, id?)))
        .collect();
    let mut seen: Vec<SeenErratum<'_>> = Vec::new();
    let mut taken = HashSet::new();
    for (local, advisory) in shown.iter().flatten() {
        if cluster.contains_key(local) {
            continue;
        }
        if let Some(advisory) = advisory
            && taken.insert(*local)
        {
            seen.push(SeenErratum {
                local_id: *local,
                content: advisory.as_str(),
            });
        }
    }
    if seen.is_empty() {
        return Ok(cluster);
    }
    let mapped = ids.content_ids::<ErratumIdentity>(node, &seen).await?;
    for (s, id) in seen.iter().zip(mapped) {
        cluster.insert(s.local_id, id);
    }
    Ok(cluster)
}
