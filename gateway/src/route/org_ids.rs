//! Organization ids, which the cluster does not map.
//!
//! Every node numbers its organizations itself. The cluster takes their
//! ids to be alike: the first organization is 1 on every node, and
//! `org.create` is a broadcast, so nodes that made the same organizations
//! in the same order number them alike. They part when an organization
//! is made on one node only, or an `org.create` fails on some nodes: then
//! a change naming an organization by id would change another
//! organization on such a node (`org.delete(orgId)` would delete another
//! organization, with its users and systems).
//!
//! So before a change that names organizations by id is sent (a
//! broadcast: `org.delete`, `org.updateName`, `org.set*`,
//! `org.trusts.addTrust`/`removeTrust`, `channel.org.enableAccess`/
//! `disableAccess`, `user.external.setDefaultOrg`,
//! `sync.master.mapToLocal`'s `localOrgId`, `sync.slave.setAllowedOrgs`'s
//! `orgIds`; or a system call naming a target organization:
//! `org.transferSystems`, `org.migrateSystems`), the gateway asks every
//! serving node, and every staged or failed node that follows the
//! change, for the organization of each such id (`org.getDetails(orgId)`,
//! all at once) and refuses the change when two nodes name it
//! differently, with a fault that says which node holds which. A system
//! call is compared over all of them too: the client's id came from a
//! listing of the whole cluster. A node that does not hold the id, or
//! does not show it (`org.getDetails` is for SUSE Manager administrators
//! only; unreachable), is left out of the comparison: the change answers
//! for it as the server does. The first organization (1), made on each
//! node when it was set up, is one organization whatever each node calls
//! it, and is not asked about. A node whose organization already has the
//! name an `org.updateName` gives agrees with it, so that a rename that
//! reached only some nodes can be sent again. The organization ids of
//! another server (`masterOrgId`, a hub's `peripheralOrgIdWhenCustomChannel`)
//! and organizations named inside structs (`sync.master.setMasterOrgs`'s
//! maps) are not asked about.

use futures::future::join_all;
use spec::{Entry, RouteClass};
use xmlrpc::Value;

use super::node_call::node_key;
use super::{Ctx, shared_ids};
use crate::error::GatewayError;

/// Parameters naming one of the nodes' organizations by id (an integer,
/// or an array of them).
const ORG_ID_PARAMS: &[&str] = &["orgId", "trustOrgId", "toOrgId", "localOrgId", "orgIds"];

/// Each node's first organization, made when it was set up.
const FIRST_ORG: i32 = 1;

/// The call showing an organization by id.
const DETAILS: &str = "org.getDetails";

/// For the error of a call without a session.
const WHAT: &str = "an organization without a session";

/// The indexes of `entry`'s parameters naming organizations by id, for a
/// change (a broadcast or a system call).
fn org_params(entry: &Entry) -> impl Iterator<Item = usize> + '_ {
    let changes = matches!(
        entry.route.class,
        RouteClass::Broadcast | RouteClass::System
    );
    entry
        .params
        .iter()
        .enumerate()
        .filter(move |(_, p)| changes && ORG_ID_PARAMS.contains(&p.name.as_str()))
        .map(|(i, _)| i)
}

/// Refuses `ctx`'s call when an organization id it names names different
/// organizations on the nodes it reaches (serving, and following).
pub(crate) async fn check_alike(ctx: &Ctx<'_>) -> Result<(), GatewayError> {
    let mut ids: Vec<i32> = org_params(ctx.entry)
        .filter_map(|i| ctx.call.params.get(i))
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        })
        .filter_map(|v| i32::try_from(v.as_i64()?).ok())
        .filter(|id| *id != FIRST_ORG)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let Some(session) = &ctx.session else {
        return Ok(());
    };
    if ids.is_empty() {
        return Ok(());
    }
    let directory = ctx.gw.directory();
    let mut nodes = directory.serving();
    nodes.extend(directory.followers());
    if nodes.len() < 2 {
        return Ok(());
    }
    // What `org.updateName` names it: a node already holding that name
    // took the rename.
    let renamed_to = (ctx.entry.full_name() == "org.updateName")
        .then(|| {
            let at = ctx.entry.params.iter().position(|p| p.name == "name")?;
            ctx.call.params.get(at)?.as_str()
        })
        .flatten();
    for id in ids {
        let asks = nodes.iter().map(|node| async move {
            // A node without a session here is left out: the change
            // itself logs in there or answers for it.
            if let Err(e) = node_key(ctx.gw, session, node).await {
                return (node.id.clone(), Err(e));
            }
            let args = vec![Value::Int(id)];
            let shown = shared_ids::ask(ctx, &node.id, WHAT, DETAILS, args).await;
            (node.id.clone(), shown)
        });
        let mut names: Vec<(String, String)> = Vec::new();
        for (node, shown) in join_all(asks).await {
            match shown {
                Ok(org) => {
                    let name = org
                        .as_struct()
                        .and_then(|s| s.get("name"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    names.extend(name.map(|name| (node.to_string(), name)));
                }
                Err(e) => {
                    tracing::debug!(node = %node, org = id, error = %e, "an organization could not be compared on a node");
                }
            }
        }
        names.retain(|(_, name)| Some(name.as_str()) != renamed_to);
        if names.windows(2).any(|w| w[0].1 != w[1].1) {
            let held: Vec<String> = names
                .iter()
                .map(|(node, name)| format!("{node}: {name:?}"))
                .collect();
            tracing::warn!(method = %ctx.entry.full_name(), org = id, held = %held.join(", "), "refused a change by an organization id that names different organizations on the nodes");
            return Err(GatewayError::Apart(format!(
                "organization id {id} names different organizations on the cluster's nodes ({}); \
                 the cluster does not map organization ids, so this change would change \
                 different organizations: change it on each node itself, or make the nodes' \
                 organizations alike first",
                held.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org_params_of(name: &str) -> Vec<Vec<String>> {
        spec::spec()
            .overloads(name)
            .iter()
            .map(|e| {
                org_params(e)
                    .map(|i| e.params[i].name.clone())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn changes_by_organization_id_are_checked_reads_and_other_servers_ids_not() {
        for (method, params) in [
            ("org.delete", vec!["orgId"]),
            ("org.updateName", vec!["orgId"]),
            ("org.trusts.addTrust", vec!["orgId", "trustOrgId"]),
            ("channel.org.enableAccess", vec!["orgId"]),
            ("org.transferSystems", vec!["toOrgId"]),
        ] {
            assert!(
                org_params_of(method).contains(&params.iter().map(|p| (*p).to_owned()).collect()),
                "{method}: {:?}",
                org_params_of(method)
            );
        }
        assert!(org_params_of("sync.master.mapToLocal").contains(&vec!["localOrgId".to_owned()]));
        assert!(org_params_of("sync.slave.setAllowedOrgs").contains(&vec!["orgIds".to_owned()]));
        for method in [
            "org.listUsers",
            "org.trusts.listTrusts",
            "org.getDetails",
            "sync.master.getMasterOrgs",
        ] {
            assert!(org_params_of(method).iter().all(Vec::is_empty), "{method}");
        }
    }
}
