//! Package ids ([`IdKind::Package`]), cluster-wide.
//!
//! Packages are content every node syncs, but each node numbers them as it
//! syncs them: nodes whose channels were synced apart (in another order,
//! or one channel more) give one package different ids, and one id
//! different packages. The cluster gives each package one id, keyed by
//! its name, epoch, version, release and architecture in the identity map
//! ([`crate::directory::PackageIdentity`]), with each node's id for it as
//! a part, as system groups are mapped ([`super::group_ids`]).
//!
//! - **Results.** A node's package id is mapped to the cluster id. A struct
//!   that shows the package's `name`, `version`, `release`, `epoch` and
//!   `arch_label` beside its id (channel and errata listings,
//!   `packages.getDetails`, `packages.findByNvrea`, a system's installable
//!   packages) says which package it is; any other (those that name the
//!   architecture `arch`, which may be its name rather than its label, and
//!   `to_package_id` of upgrades) is looked up once per node and id with
//!   `packages.getDetails`, [`CONCURRENT`] at a time. A listing's ids are
//!   mapped in one batch.
//! - **Parameters** are rewritten per node: every node a call goes to gets
//!   its own id for the package (a system call, a broadcast, a fan-out and
//!   a shared read alike). A node whose id the map does not know yet is
//!   asked with `packages.findByNvrea`, and its id recorded; a node that
//!   lacks the package answers the server's `NoSuchPackageException`
//!   (a shared read then asks the next node). An unknown cluster id is
//!   that fault too.
//!
//! Package ids are never reused by a server, so a node's id, once mapped,
//! names the same package until the package is deleted there.

use std::collections::HashMap;

use futures::StreamExt;
use futures::stream;
use spec::{IdKind, IdPlace};
use xmlrpc::{Struct, Value};

use super::{Ctx, shared_ids, translate};
use crate::directory::{PackageIdentity, PackageName, SeenPackage};
use crate::error::GatewayError;

/// Node look-ups in flight at once for one answer.
const CONCURRENT: usize = 16;

/// The id answered for a package the cluster cannot name: cluster ids
/// start at 1.
const NO_PACKAGE: i32 = 0;

/// The package a struct shows: `name`, then `version`, `release` and
/// `epoch` with `prefix` (`to_` for the upgrade target), and the
/// architecture's label in `arch_label`. `None` when one is missing.
fn shown(s: &Struct, prefix: &str) -> Option<PackageName> {
    let text = |member: &str| {
        s.get(member)
            .and_then(Value::as_str)
            .map(|t| t.trim().to_owned())
    };
    let package = PackageName {
        name: text("name")?,
        epoch: text(&format!("{prefix}epoch")).unwrap_or_default(),
        version: text(&format!("{prefix}version"))?,
        release: text(&format!("{prefix}release"))?,
        arch: text("arch_label")?,
    };
    let parts = [
        &package.name,
        &package.version,
        &package.release,
        &package.arch,
    ];
    parts.iter().all(|p| !p.is_empty()).then_some(package)
}

/// Rewrites the package ids among `params` to `node`'s ids.
pub(crate) async fn params_to_node(
    ctx: &Ctx<'_>,
    node: &str,
    params: &mut [Value],
) -> Result<(), GatewayError> {
    for slot in shared_ids::param_slots(ctx.entry, IdKind::Package, params) {
        to_local(ctx, node, slot).await?;
    }
    Ok(())
}

/// The fault of a package id the cluster or `node` does not know.
fn no_such(id: i64) -> GatewayError {
    GatewayError::NoSuchObject {
        kind: IdKind::Package,
        id,
    }
}

/// Rewrites one cluster package id to `node`'s id for the package. A value
/// that is no integer is left for the node to refuse.
async fn to_local(ctx: &Ctx<'_>, node: &str, value: &mut Value) -> Result<(), GatewayError> {
    let Some(raw) = value.as_i64() else {
        return Ok(());
    };
    let id = i32::try_from(raw).map_err(|_| no_such(raw))?;
    let ids = ctx.gw.directory().identity();
    let Some(package) = ids.content::<PackageIdentity>(id).await? else {
        return Err(no_such(raw));
    };
    let local = match package.local_on(node) {
        Some(local) => local,
        None => find_on(ctx, node, &package).await?,
    };
    translate::replace_id(value, local);
    Ok(())
}

/// `node`'s id for `package`, asked of the node by name, epoch, version,
/// release and architecture and recorded. Of several (the package in
/// channels of two organizations), the lowest. A node that lacks it
/// answers the server's fault for an unknown package, as a fault of the
/// node (a shared read then asks another node).
async fn find_on(
    ctx: &Ctx<'_>,
    node: &str,
    package: &PackageIdentity,
) -> Result<i32, GatewayError> {
    let missing = || GatewayError::Fault(no_such(i64::from(package.cluster_id)).to_fault());
    let nevra = &package.package;
    let found = ask(
        ctx,
        node,
        "packages.findByNvrea",
        vec![
            Value::string(&nevra.name),
            Value::string(&nevra.version),
            Value::string(&nevra.release),
            Value::string(&nevra.epoch),
            Value::string(&nevra.arch),
        ],
    )
    .await?;
    let local = items_of(&found)
        .iter()
        .filter_map(|item| {
            let s = item.as_struct()?;
            let same = shown(s, "").is_some_and(|n| n == *nevra);
            same.then(|| s.get("id").and_then(translate::local_id))?
        })
        .min()
        .ok_or_else(missing)?;
    let ids = ctx.gw.directory().identity();
    let seen = [SeenPackage {
        local_id: local,
        content: &package.package,
    }];
    ids.content_ids::<PackageIdentity>(node, &seen).await?;
    ids.invalidate_content::<PackageIdentity>(package.cluster_id);
    Ok(local)
}

/// Calls `method` on `node` ([`shared_ids::ask`]).
async fn ask(
    ctx: &Ctx<'_>,
    node: &str,
    method: &str,
    args: Vec<Value>,
) -> Result<Value, GatewayError> {
    shared_ids::ask(ctx, node, "a package without a session", method, args).await
}

/// The items of a listing, or the one struct answered.
fn items_of(value: &Value) -> &[Value] {
    match value {
        Value::Array(items) => items,
        one => std::slice::from_ref(one),
    }
}

/// One package id slot of an answer: the item it sits in and the member.
struct Slot<'f> {
    item: usize,
    field: &'f str,
    local: i32,
    /// Whether the node sent the id as text.
    text: bool,
}

/// Rewrites every package id `node` answered in `value` to its cluster id,
/// the ids of a listing in one batch.
pub(crate) async fn result_from_node(
    ctx: &Ctx<'_>,
    node: &str,
    value: &mut Value,
) -> Result<(), GatewayError> {
    let fields: Vec<&str> = ctx
        .entry
        .ids
        .result
        .iter()
        .filter(|r| r.kind == IdKind::Package)
        .filter_map(|r| match &r.place {
            IdPlace::Field(f) => Some(f.as_str()),
            _ => None,
        })
        .collect();
    if fields.is_empty() {
        return Ok(());
    }
    // Where the ids are.
    let mut slots = Vec::new();
    for (i, item) in translate::items(value).iter().enumerate() {
        let Value::Struct(s) = item else { continue };
        for &field in &fields {
            let (local, text) = match s.get(field) {
                Some(Value::String(t)) => (t.trim().parse::<i32>().ok(), true),
                Some(other) => (translate::local_id(other), false),
                None => (None, false),
            };
            let Some(local) = local else { continue };
            slots.push(Slot {
                item: i,
                field,
                local,
                text,
            });
        }
    }
    if slots.is_empty() {
        return Ok(());
    }
    let cluster = cluster_ids(ctx, node, &slots, value).await?;
    let items = translate::items(value);
    for slot in &slots {
        // A package the node could not say (deleted meanwhile, or not
        // shown to this user) gets an id no package has: its node id,
        // sent back, would name another package.
        let id = cluster.get(&slot.local).copied().unwrap_or(NO_PACKAGE);
        let Value::Struct(s) = &mut items[slot.item] else {
            continue;
        };
        if let Some(v) = s.get_mut(slot.field) {
            *v = if slot.text {
                Value::String(id.to_string())
            } else {
                Value::Int(id)
            };
        }
    }
    Ok(())
}

/// The cluster ids of `node`'s packages in `slots` of `value`: what the
/// map knows, then the rest by the package their items show or, where
/// they show none, by `packages.getDetails`. A package
/// `packages.getDetails` does not find is left out.
async fn cluster_ids(
    ctx: &Ctx<'_>,
    node: &str,
    slots: &[Slot<'_>],
    value: &Value,
) -> Result<HashMap<i32, i32>, GatewayError> {
    let ids = ctx.gw.directory().identity();
    let mut locals: Vec<i32> = slots.iter().map(|s| s.local).collect();
    locals.sort_unstable();
    locals.dedup();
    let known = ids
        .known_content_ids::<PackageIdentity>(node, &locals)
        .await?;
    let mut cluster: HashMap<i32, i32> = HashMap::with_capacity(locals.len());
    let mut unknown = Vec::new();
    for (local, id) in locals.iter().zip(known) {
        match id {
            Some(id) => {
                cluster.insert(*local, id);
            }
            None => unknown.push(*local),
        }
    }
    if unknown.is_empty() {
        return Ok(cluster);
    }
    // What the items of the ids not mapped yet show.
    let items = items_of(value);
    let mut named: HashMap<i32, PackageName> = HashMap::new();
    for slot in slots {
        if named.contains_key(&slot.local) || cluster.contains_key(&slot.local) {
            continue;
        }
        let prefix = slot.field.strip_suffix("package_id").unwrap_or_default();
        if let Some(package) = items[slot.item].as_struct().and_then(|s| shown(s, prefix)) {
            named.insert(slot.local, package);
        }
    }
    // The futures are made up front: a stream holding the closure that
    // makes them is not `Send` for every lifetime, as axum needs.
    let asks: Vec<_> = unknown
        .iter()
        .filter(|l| !named.contains_key(l))
        .map(|&local| async move {
            let details = ask(ctx, node, "packages.getDetails", vec![Value::Int(local)]).await;
            (local, details)
        })
        .collect();
    let answers: Vec<(i32, Result<Value, GatewayError>)> = stream::iter(asks)
        .buffer_unordered(CONCURRENT)
        .collect()
        .await;
    for (local, details) in answers {
        match details {
            Ok(details) => {
                if let Some(package) = details.as_struct().and_then(|s| shown(s, "")) {
                    named.insert(local, package);
                }
            }
            Err(GatewayError::Fault(fault)) => {
                tracing::debug!(node, package_id = local, fault = %fault.string, "a listed package could not be looked up");
            }
            Err(other) => return Err(other),
        }
    }
    let seen: Vec<SeenPackage<'_>> = unknown
        .iter()
        .filter_map(|local| {
            Some(SeenPackage {
                local_id: *local,
                content: named.get(local)?,
            })
        })
        .collect();
    let mapped = ids.content_ids::<PackageIdentity>(node, &seen).await?;
    for (s, id) in seen.iter().zip(mapped) {
        cluster.insert(s.local_id, id);
    }
    Ok(cluster)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_struct_shows_its_package_by_the_architecture_label() {
        let details = |epoch: &str| -> Struct {
            [
                ("name", "python3-zypp-plugin"),
                ("epoch", epoch),
                ("version", "0.6.4"),
                ("release", "150600.18.3.1"),
                ("arch_label", "noarch"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Value::string(v)))
            .collect()
        };
        let plain = shown(&details(""), "").unwrap();
        assert_eq!(
            plain.key(),
            "python3-zypp-plugin-0.6.4-150600.18.3.1.noarch"
        );
        let epoch = shown(&details(" 1 "), "").unwrap();
        assert_eq!(
            epoch.key(),
            "python3-zypp-plugin-1:0.6.4-150600.18.3.1.noarch"
        );
        // The upgrade target's members; `arch` alone does not say the label.
        let upgrade: Struct = [
            ("name", "bash"),
            ("arch", "x86_64"),
            ("to_version", "5.2.15"),
            ("to_release", "150600.1.1"),
            ("to_epoch", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::string(v)))
        .collect();
        assert_eq!(shown(&upgrade, "to_"), None);
    }
}
