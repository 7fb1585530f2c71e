//! Package ids the nodes must agree on. Packages are shared content, but
//! each node numbers them itself as it syncs its channels, so one id may
//! name `bash-5.2` on one node and `glibc-2.38` on another. The cluster does
//! not map package ids: a client holds the ids of whichever node answered
//! its listing (a shared read, a system's own node). Before a call that
//! names packages by id ([`spec::IdInfo::packages`]: `packageIds`, `pid`)
//! goes anywhere, every serving node is asked what each id names
//! (`packages.getDetails`, remembered for [`NAME_TTL`]), and a call whose
//! ids name different packages on different nodes is refused, naming them,
//! before any node acts on it: installing another package than the one
//! the client picked is worse than a fault. A node that lacks an id does
//! not count (the node the call reaches answers its own fault for it), nor
//! does a node that cannot be reached (logged).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::stream;
use spec::IdForm;
use xmlrpc::{MethodCall, Value};

use super::Ctx;
use super::node_call::call_node;
use crate::directory::NodeInfo;
use crate::error::GatewayError;

/// How long what a node's package id names is remembered. A package id
/// names one package until the package is deleted; ids are not reused.
pub(crate) const NAME_TTL: Duration = Duration::from_secs(600);

/// Node look-ups in flight at once for one call.
const CONCURRENT: usize = 16;

/// What each node's package ids name (`name-[epoch:]version-release.arch`),
/// by node and id. Only found packages are kept: whether a user sees a
/// package depends on the user.
#[derive(Debug)]
pub(crate) struct PackageNames(moka::future::Cache<(Arc<str>, i32), Arc<str>>);

impl Default for PackageNames {
    fn default() -> PackageNames {
        PackageNames(
            moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(NAME_TTL)
                .build(),
        )
    }
}

/// Refuses the call when a package id it names stands for different
/// packages on different nodes.
pub(crate) async fn check(ctx: &Ctx<'_>) -> Result<(), GatewayError> {
    let ids = named_ids(ctx);
    if ids.is_empty() {
        return Ok(());
    }
    let nodes = ctx.gw.directory().serving();
    if nodes.len() < 2 {
        return Ok(());
    }
    // The futures are made up front: a stream holding the closure that
    // makes them is not `Send` for every lifetime, as axum needs.
    let asks: Vec<_> = ids
        .iter()
        .flat_map(|&id| nodes.iter().map(move |node| ask(ctx, node, id)))
        .collect();
    let answers: Vec<(i32, &NodeInfo, Option<Arc<str>>)> = stream::iter(asks)
        .buffer_unordered(CONCURRENT)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    // Per id, the nodes that hold each package under it.
    let mut named: BTreeMap<i32, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for (id, node, package) in &answers {
        if let Some(package) = package {
            named
                .entry(*id)
                .or_default()
                .entry(package)
                .or_default()
                .push(&node.id);
        }
    }
    if let Some((id, packages)) = named.iter().find(|(_, packages)| packages.len() > 1) {
        let each: Vec<String> = packages
            .iter()
            .map(|(package, nodes)| {
                let mut nodes = nodes.clone();
                nodes.sort_unstable();
                format!("{package} on {}", nodes.join(", "))
            })
            .collect();
        return Err(GatewayError::PackagesDiffer(format!(
            "package id {id} names different packages on the cluster's nodes ({}): \
             their channels were synced apart; name packages by name, version, \
             release and architecture instead (packages.findByNvrea, \
             system.schedulePackageInstallByNevra)",
            each.join("; ")
        )));
    }
    Ok(())
}

/// The distinct package ids the call names.
fn named_ids(ctx: &Ctx<'_>) -> Vec<i32> {
    let mut ids = Vec::new();
    for p in &ctx.entry.ids.packages {
        match (p.form, ctx.call.params.get(p.index)) {
            (IdForm::Array, Some(Value::Array(items))) => {
                ids.extend(items.iter().filter_map(Value::as_i64));
            }
            (_, Some(v)) => ids.extend(v.as_i64()),
            (_, None) => {}
        }
    }
    let mut ids: Vec<i32> = ids
        .into_iter()
        .filter_map(|id| i32::try_from(id).ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// [`name`], with the question it answers.
async fn ask<'n>(
    ctx: &Ctx<'_>,
    node: &'n NodeInfo,
    id: i32,
) -> Result<(i32, &'n NodeInfo, Option<Arc<str>>), GatewayError> {
    Ok((id, node, name(ctx, node, id).await?))
}

/// What `node` calls package `id`, asked in the client's session; `None`
/// when the node lacks it (or does not show it to this user) or cannot be
/// reached.
async fn name(ctx: &Ctx<'_>, node: &NodeInfo, id: i32) -> Result<Option<Arc<str>>, GatewayError> {
    let names = ctx.gw.package_names();
    let key = (node.id.clone(), id);
    if let Some(known) = names.0.get(&key).await {
        return Ok(Some(known));
    }
    let Some(session_key) = ctx.call.params.first().cloned() else {
        return Ok(None);
    };
    let call = MethodCall {
        name: "packages.getDetails".to_owned(),
        params: vec![session_key, Value::Int(id)],
    };
    let details = match call_node(ctx.gw, node, call, ctx.session.as_ref(), true).await {
        Ok(Ok(details)) => details,
        Ok(Err(_lacks)) => return Ok(None),
        Err(GatewayError::NodeUnavailable { node, source }) => {
            tracing::warn!(node = %node, cause = %source, package_id = id, "package id not checked on an unreachable node");
            return Ok(None);
        }
        Err(other) => return Err(other),
    };
    let Some(package) = nevra(&details) else {
        return Ok(None);
    };
    let package: Arc<str> = package.into();
    names.0.insert(key, package.clone()).await;
    Ok(Some(package))
}

/// `name-[epoch:]version-release.arch` of a `packages.getDetails` answer.
fn nevra(details: &Value) -> Option<String> {
    let Value::Struct(s) = details else {
        return None;
    };
    let text = |member: &str| s.get(member).and_then(Value::as_str).unwrap_or_default();
    let name = text("name");
    if name.is_empty() {
        return None;
    }
    let epoch = match text("epoch").trim() {
        "" => String::new(),
        e => format!("{e}:"),
    };
    Some(format!(
        "{name}-{epoch}{}-{}.{}",
        text("version"),
        text("release"),
        text("arch_label")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_are_named_as_rpm_names_them() {
        let details = |epoch: &str| {
            Value::Struct(
                [
                    ("name", "bash"),
                    ("epoch", epoch),
                    ("version", "5.2.15"),
                    ("release", "150600.1.1"),
                    ("arch_label", "x86_64"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Value::string(v)))
                .collect(),
            )
        };
        assert_eq!(
            nevra(&details("")).as_deref(),
            Some("bash-5.2.15-150600.1.1.x86_64")
        );
        assert_eq!(
            nevra(&details("1")).as_deref(),
            Some("bash-1:5.2.15-150600.1.1.x86_64")
        );
        assert_eq!(nevra(&Value::Int(1)), None);
    }
}
