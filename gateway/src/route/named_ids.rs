//! Ids of shared content the API names by one string, cluster-wide:
//! errata ([`IdKind::Erratum`]) by advisory name, software channels
//! ([`IdKind::Channel`]), repositories ([`IdKind::Repository`]) and
//! configuration channels ([`IdKind::ConfigChannel`]) by label, content
//! lifecycle filters ([`IdKind::ContentFilter`]) and source packages
//! ([`IdKind::SourcePackage`], `packages.removeSourcePackage` of one
//! node's id would remove another source package elsewhere) by name.
//!
//! Errata come with the channels every node syncs, and channels are
//! synced (or made) on every node; each node numbers both as it gets
//! them. `system.getRelevantErrata` on one node and
//! `system.scheduleApplyErrata` of those ids on another would apply other
//! patches, and `system.setChildChannels` of one node's channel ids on
//! another would subscribe other channels. The cluster gives each erratum
//! and channel one id, keyed by its name in the identity map
//! ([`crate::directory::ErratumIdentity`],
//! [`crate::directory::ChannelIdentity`]), with each node's id for it as a
//! part, as packages are mapped ([`super::package_ids`]).
//!
//! - **Results.** A struct that shows the name beside the id (the
//!   spec's [`spec::IdResult::named_by`]: every erratum struct, channel
//!   structs, ...) says which content it is; `errata.getDetails` names
//!   its erratum by its `advisoryName` parameter only. An id the map does not know and no
//!   struct names (a kickstart tree's `channel_id`, an organization
//!   trust's channels) is looked up on the node by id
//!   ([`Named::BY_ID`]: `channel.software.getDetails`), [`CONCURRENT`] at
//!   a time; errata have no such call. A listing's ids are mapped in one
//!   batch. An id nothing names is answered as `0`, never as the node's
//!   id.
//! - **Parameters** are rewritten per node: every node a call goes to gets
//!   its own id. A node whose id the map does not know yet is asked by
//!   name ([`Named::BY_NAME`]), and its id recorded; a node that lacks the
//!   content, and a cluster id nothing has, get the server's fault for an
//!   id it does not hold (`InvalidErrataException`,
//!   `NoSuchChannelException`). Other faults of that look-up (permissions,
//!   an expired node session) pass through.
//!
//! Advisory names are unique within an organization, and vendor errata
//! belong to none: two organizations' custom errata of one advisory name
//! share one cluster id, and each node's part is the first id seen there.
//! Channel labels are unique on a server; repository labels, filter
//! names, configuration channel labels and source RPM names are unique in
//! an organization, with the same caveat as errata, except that a node
//! holding them once per name takes the last id seen as its part.
//!
//! Repositories and filters can be renamed (`updateRepoLabel`,
//! `updateFilter`). A node that answers an id the map knows under another
//! name has renamed it, and the record takes the new name
//! ([`Named::RENAMABLE`]); a shared read that reaches a node the rename
//! has not reached yet names it back until the next answer.

use std::collections::{HashMap, HashSet};

use futures::StreamExt;
use futures::stream;
use spec::{Entry, IdKind, IdPlace};
use xmlrpc::{Fault, Struct, Value};

use super::{Ctx, shared_ids, translate};
use crate::directory::{
    CachedContent, ChannelIdentity, ConfigChannelIdentity, ContentFilterIdentity, ErratumIdentity,
    RepositoryIdentity, SeenContent, SourcePackageIdentity,
};
use crate::error::GatewayError;

/// The id answered for content the cluster cannot name: cluster ids start
/// at 1.
const NO_ID: i32 = 0;

/// Node look-ups by id in flight at once for one answer.
const CONCURRENT: usize = 16;

/// How a node is asked for its id of content of a name.
pub(crate) enum ByName {
    /// A call taking the name and answering the content's struct (with
    /// `id`).
    Call(&'static str),
    /// A call without arguments listing every content of the kind, each
    /// struct with its name and `id` (filters have no look-up by name).
    Listing(&'static str),
}

/// Shared content the API names by one string, and how a node is asked
/// about it.
pub(crate) trait Named: CachedContent<Content = str> {
    /// Its kind of id in the spec.
    const ID_KIND: IdKind;
    /// The member naming the content in the structs that
    /// [`Self::BY_NAME`] and [`Self::BY_ID`] answer.
    const NAME_MEMBER: &'static str;
    /// The parameter naming the content in calls that answer it without
    /// its name (`errata.getDetails(advisoryName)`).
    const NAME_PARAM: Option<&'static str>;
    /// How a node is asked for its id of a name.
    const BY_NAME: ByName;
    /// The call answering the node's struct (with the name) for its id,
    /// where the API has one.
    const BY_ID: Option<&'static str>;
    /// The fault codes of [`Self::BY_NAME`] for content the node does not
    /// show.
    const NOT_SHOWN: &'static [i32];
    /// For the error of a call without a session.
    const WHAT: &'static str;
    /// Whether the API can rename it: an id answered under another name
    /// renames the record.
    const RENAMABLE: bool;

    /// Whether `fault`, answered by [`Self::BY_NAME`], says the node does
    /// not show the content.
    fn not_shown(fault: &Fault) -> bool {
        Self::NOT_SHOWN.contains(&fault.code)
    }

    /// The name `s`, a struct of the content, shows in `member` (the
    /// spec's [`spec::IdResult::named_by`], or [`Self::NAME_MEMBER`]).
    fn name_in(s: &Struct, member: &str) -> Option<String> {
        s.get(member).and_then(text)
    }
}

impl Named for ErratumIdentity {
    const ID_KIND: IdKind = IdKind::Erratum;
    const NAME_MEMBER: &'static str = "advisory_name";
    const NAME_PARAM: Option<&'static str> = Some("advisoryName");
    const BY_NAME: ByName = ByName::Call("errata.getDetails");
    const BY_ID: Option<&'static str> = None;
    // `InvalidErrataException`, or the -208 "cannot be found" fault of the
    // server's errata look-up (no system is named here).
    const NOT_SHOWN: &'static [i32] = &[crate::error::INVALID_ERRATA, -208];
    const WHAT: &'static str = "an erratum without a session";
    // `errata.setDetails` can change `advisory_name`; not followed (an
    // erratum listing would read every record it shows).
    const RENAMABLE: bool = false;
}

impl Named for ChannelIdentity {
    const ID_KIND: IdKind = IdKind::Channel;
    const NAME_MEMBER: &'static str = "label";
    const NAME_PARAM: Option<&'static str> = None;
    const BY_NAME: ByName = ByName::Call("channel.software.getDetails");
    const BY_ID: Option<&'static str> = Some("channel.software.getDetails");
    // `NoSuchChannelException`; `InvalidChannelException` where the user
    // may not see the channel.
    const NOT_SHOWN: &'static [i32] = &[crate::error::NO_SUCH_CHANNEL, -211];
    const WHAT: &'static str = "a channel without a session";
    // A channel's label is fixed once made.
    const RENAMABLE: bool = false;
}

impl Named for RepositoryIdentity {
    const ID_KIND: IdKind = IdKind::Repository;
    const NAME_MEMBER: &'static str = "label";
    const NAME_PARAM: Option<&'static str> = None;
    // `getRepoDetails(repoLabel)` and `getRepoDetails(id)`: overloads the
    // node tells apart by the argument's type.
    const BY_NAME: ByName = ByName::Call("channel.software.getRepoDetails");
    const BY_ID: Option<&'static str> = Some("channel.software.getRepoDetails");
    // `NoSuchContentSourceException`.
    const NOT_SHOWN: &'static [i32] = &[crate::error::NO_SUCH_REPOSITORY];
    const WHAT: &'static str = "a repository without a session";
    const RENAMABLE: bool = true;
}

impl Named for ContentFilterIdentity {
    const ID_KIND: IdKind = IdKind::ContentFilter;
    const NAME_MEMBER: &'static str = "name";
    const NAME_PARAM: Option<&'static str> = None;
    const BY_NAME: ByName = ByName::Listing("contentmanagement.listFilters");
    const BY_ID: Option<&'static str> = Some("contentmanagement.lookupFilter");
    // `EntityNotExistsFaultException`.
    const NOT_SHOWN: &'static [i32] = &[crate::error::ENTITY_NOT_EXISTS];
    const WHAT: &'static str = "a content filter without a session";
    const RENAMABLE: bool = true;
}

impl Named for SourcePackageIdentity {
    const ID_KIND: IdKind = IdKind::SourcePackage;
    const NAME_MEMBER: &'static str = "name";
    const NAME_PARAM: Option<&'static str> = None;
    // The API has no look-up of a source package by name or id: the
    // organization's listing.
    const BY_NAME: ByName = ByName::Listing("packages.listSourcePackages");
    const BY_ID: Option<&'static str> = None;
    // The listing answers what the node holds; it has no fault for one
    // it lacks.
    const NOT_SHOWN: &'static [i32] = &[];
    const WHAT: &'static str = "a source package without a session";
    // A source RPM's name is fixed.
    const RENAMABLE: bool = false;

    /// The catalogs document `name`; the server's `PackageOverviewSerializer`
    /// fills `nvrea` with the source RPM's name instead (the query selects
    /// it as `NVREA`) and leaves `name` out (unverified against a server):
    /// either names it, as long as it is a source RPM's file name. A bare
    /// package name would stand for every version of the package, and
    /// names nothing here.
    fn name_in(s: &Struct, member: &str) -> Option<String> {
        s.get("nvrea")
            .and_then(text)
            .or_else(|| s.get(member).and_then(text))
            .filter(|name| name.ends_with(".src.rpm") || name.ends_with(".nosrc.rpm"))
    }
}

impl Named for ConfigChannelIdentity {
    const ID_KIND: IdKind = IdKind::ConfigChannel;
    const NAME_MEMBER: &'static str = "label";
    const NAME_PARAM: Option<&'static str> = None;
    // `getDetails(label)` and `getDetails(id)`: overloads the node tells
    // apart by the argument's type.
    const BY_NAME: ByName = ByName::Call("configchannel.getDetails");
    const BY_ID: Option<&'static str> = Some("configchannel.getDetails");
    // The server's `LookupException`, which it answers as an unhandled
    // exception (-1): told apart by its text ([`Named::not_shown`]).
    const NOT_SHOWN: &'static [i32] = &[];
    const WHAT: &'static str = "a configuration channel without a session";
    // `configchannel.update` changes the name and the description only.
    const RENAMABLE: bool = false;

    fn not_shown(fault: &Fault) -> bool {
        fault.code == -1 && fault.string.contains(crate::error::NO_SUCH_CONFIG_CHANNEL)
    }
}

/// The fault of an id the cluster or a node does not know.
fn no_such<R: Named>(id: i64) -> GatewayError {
    GatewayError::NoSuchObject {
        kind: R::ID_KIND,
        id,
    }
}

/// Rewrites the `R` ids among `params` to `node`'s ids.
pub(crate) async fn params_to_node<R: Named>(
    ctx: &Ctx<'_>,
    node: &str,
    params: &mut [Value],
) -> Result<(), GatewayError> {
    for slot in shared_ids::param_slots(ctx.entry, R::ID_KIND, params) {
        to_local::<R>(ctx, node, slot).await?;
    }
    Ok(())
}

/// Rewrites one cluster id to `node`'s id for the content. A value that
/// is no integer (a channel label among `channelIdsOrLabels`) is left as
/// it is, and so is one below 1, which names no content on any node and
/// may mean something to the server (`setBaseChannel(sid, -1)`: no base
/// channel).
async fn to_local<R: Named>(
    ctx: &Ctx<'_>,
    node: &str,
    value: &mut Value,
) -> Result<(), GatewayError> {
    let Some(raw) = value.as_i64().filter(|raw| *raw > 0) else {
        return Ok(());
    };
    let id = i32::try_from(raw).map_err(|_| no_such::<R>(raw))?;
    let ids = ctx.gw.directory().identity();
    let Some(record) = ids.content::<R>(id).await? else {
        return Err(no_such::<R>(raw));
    };
    let local = match record.local_on(node) {
        Some(local) => local,
        None => find_on::<R>(ctx, node, &record).await?,
    };
    translate::replace_id(value, local);
    Ok(())
}

/// `node`'s id for `record`, asked of the node by name and recorded. A
/// node that lacks it answers as the server does for an id it does not
/// hold, as a fault of the node (a shared read then asks another node).
async fn find_on<R: Named>(ctx: &Ctx<'_>, node: &str, record: &R) -> Result<i32, GatewayError> {
    let name = record.content();
    let missing = || GatewayError::Fault(no_such::<R>(i64::from(record.cluster_id())).to_fault());
    let (method, args) = match R::BY_NAME {
        ByName::Call(method) => (method, vec![Value::string(name)]),
        ByName::Listing(method) => (method, Vec::new()),
    };
    let answer = match shared_ids::ask(ctx, node, R::WHAT, method, args).await {
        Ok(answer) => answer,
        // The node does not show it. Other faults (permissions, sessions)
        // are the node's answer.
        Err(GatewayError::Fault(fault)) if R::not_shown(&fault) => {
            tracing::debug!(node, name, fault = %fault.string, "the node does not show the {}", R::ID_KIND.plural());
            return Err(missing());
        }
        Err(other) => return Err(other),
    };
    let details = match R::BY_NAME {
        ByName::Call(_) => answer.as_struct(),
        ByName::Listing(_) => answer.as_array().and_then(|items| {
            items
                .iter()
                .filter_map(Value::as_struct)
                .find(|s| R::name_in(s, R::NAME_MEMBER).as_deref() == Some(name))
        }),
    };
    let local = details
        .and_then(|s| s.get("id"))
        .and_then(translate::local_id)
        .ok_or_else(missing)?;
    let ids = ctx.gw.directory().identity();
    let seen = [SeenContent {
        local_id: local,
        content: name,
    }];
    ids.content_ids::<R>(node, &seen).await?;
    ids.invalidate_content::<R>(record.cluster_id());
    Ok(local)
}

/// `fault`, `node`'s answer to a call naming `R` content by id, with
/// the node's id for it given back as the client's: the server's fault
/// for an id it does not hold names the id it got (`Could not find config
/// channel with id=<id>`, `No such repository: <id>`), which was the
/// node's, not the cluster id the client sent. Any other fault is left as
/// it is.
pub(crate) async fn fault_from_node<R: Named>(ctx: &Ctx<'_>, node: &str, fault: Fault) -> Fault {
    if !R::not_shown(&fault) {
        return fault;
    }
    let mut params = ctx.call.params.clone();
    let ids = ctx.gw.directory().identity();
    for slot in shared_ids::param_slots(ctx.entry, R::ID_KIND, &mut params) {
        let Some(id) = translate::local_id(slot) else {
            continue;
        };
        let Ok(Some(record)) = ids.content::<R>(id).await else {
            continue;
        };
        if let Some(local) = record.local_on(node)
            && names_number(&fault.string, local)
        {
            return no_such::<R>(i64::from(id)).to_fault();
        }
    }
    fault
}

/// Whether `text` holds `number` as a whole number (not part of a
/// longer one).
fn names_number(text: &str, number: i32) -> bool {
    let number = number.to_string();
    text.split(|c: char| !c.is_ascii_digit())
        .any(|run| run == number)
}

/// The structs of `value` that hold `kind` ids, the member holding it
/// (each struct answered or listed for [`IdPlace::Field`], the structs at
/// the path's end for [`IdPlace::Nested`]), and the member naming the
/// content there, if any ([`spec::IdResult::named_by`]).
fn holders<'v>(
    entry: &'v Entry,
    kind: IdKind,
    value: &'v mut Value,
) -> (Vec<(&'v mut Struct, &'v str)>, Option<&'v str>) {
    let mut out = Vec::new();
    // The spec gives an entry at most one place of these ids (one mutable
    // walk of the answer).
    let places: Vec<&spec::IdResult> = entry.ids.result.iter().filter(|r| r.kind == kind).collect();
    let [result] = places.as_slice() else {
        return (out, None);
    };
    match &result.place {
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
    (out, result.named_by.as_deref())
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

/// A string value, trimmed; `None` when empty.
fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Rewrites every `R` id `node` answered in `value` to its cluster id, the
/// ids of a listing in one batch.
pub(crate) async fn result_from_node<R: Named>(
    ctx: &Ctx<'_>,
    node: &str,
    value: &mut Value,
) -> Result<(), GatewayError> {
    // `errata.getDetails` names its erratum by the parameter only.
    let named_by_call = R::NAME_PARAM.and_then(|name| {
        let i = ctx.entry.params.iter().position(|p| p.name == name)?;
        text(ctx.call.params.get(i)?)
    });
    let (mut holders, named_by) = holders(ctx.entry, R::ID_KIND, value);
    if holders.is_empty() {
        return Ok(());
    }
    // What each holder shows: its id on the node and its name.
    let shown: Vec<Option<(i32, Option<String>)>> = holders
        .iter()
        .map(|(s, field)| {
            let local = s.get(field).and_then(translate::local_id)?;
            let name = named_by
                .and_then(|member| R::name_in(s, member))
                .or_else(|| named_by_call.clone());
            Some((local, name))
        })
        .collect();
    let cluster = cluster_ids::<R>(ctx, node, &shown).await?;
    for ((s, field), shown) in holders.iter_mut().zip(&shown) {
        let Some((local, _)) = shown else { continue };
        // Content whose name nothing shows gets an id nothing has: its
        // node id, sent back, would name other content.
        let id = cluster.get(local).copied().unwrap_or(NO_ID);
        if let Some(v) = s.get_mut(field) {
            *v = Value::Int(id);
        }
    }
    Ok(())
}

/// The cluster ids of the content `node` answered (`shown`: local id and
/// name): what the map knows, then the rest bound by name, looked up on
/// the node by id where no struct names it ([`Named::BY_ID`]). Content no
/// one can name is left out.
async fn cluster_ids<R: Named>(
    ctx: &Ctx<'_>,
    node: &str,
    shown: &[Option<(i32, Option<String>)>],
) -> Result<HashMap<i32, i32>, GatewayError> {
    let ids = ctx.gw.directory().identity();
    let mut locals: Vec<i32> = shown.iter().flatten().map(|(l, _)| *l).collect();
    locals.sort_unstable();
    locals.dedup();
    let known = ids.known_content_ids::<R>(node, &locals).await?;
    let mut cluster: HashMap<i32, i32> = locals
        .iter()
        .zip(known)
        .filter_map(|(l, id)| Some((*l, id?)))
        .collect();
    if R::RENAMABLE {
        follow_renames::<R>(ctx, shown, &cluster).await?;
    }
    // In the order shown, so that content new to the cluster is numbered
    // as the node listed it.
    let mut named: Vec<(i32, String)> = Vec::new();
    let mut nameless: Vec<i32> = Vec::new();
    let mut taken = HashSet::new();
    for (local, name) in shown.iter().flatten() {
        if let Some(name) = name
            && !cluster.contains_key(local)
            && taken.insert(*local)
        {
            named.push((*local, name.clone()));
        }
    }
    for (local, _) in shown.iter().flatten() {
        if !cluster.contains_key(local) && taken.insert(*local) {
            nameless.push(*local);
        }
    }
    if let Some(method) = R::BY_ID {
        named.extend(names_by_id::<R>(ctx, node, method, &nameless).await?);
    }
    if named.is_empty() {
        return Ok(cluster);
    }
    let seen: Vec<SeenContent<'_, str>> = named
        .iter()
        .map(|(local, name)| SeenContent {
            local_id: *local,
            content: name.as_str(),
        })
        .collect();
    let mapped = ids.content_ids::<R>(node, &seen).await?;
    for (s, id) in seen.iter().zip(mapped) {
        cluster.insert(s.local_id, id);
    }
    Ok(cluster)
}

/// Renames the records of the content `node` answered under another name
/// than the map's (`cluster`: the known ones' cluster ids).
async fn follow_renames<R: Named>(
    ctx: &Ctx<'_>,
    shown: &[Option<(i32, Option<String>)>],
    cluster: &HashMap<i32, i32>,
) -> Result<(), GatewayError> {
    let ids = ctx.gw.directory().identity();
    for (local, name) in shown.iter().flatten() {
        let (Some(name), Some(&id)) = (name, cluster.get(local)) else {
            continue;
        };
        let Some(record) = ids.content::<R>(id).await? else {
            continue;
        };
        if record.content() != name.as_str() {
            tracing::info!(id, from = record.content(), to = %name, "{} renamed", R::ID_KIND.plural());
            ids.rename_content::<R>(id, name).await?;
        }
    }
    Ok(())
}

/// The names of `locals` on `node`, each asked with `method(id)`, in the
/// order of `locals`. An id the node does not show (deleted meanwhile) is
/// left out.
async fn names_by_id<R: Named>(
    ctx: &Ctx<'_>,
    node: &str,
    method: &str,
    locals: &[i32],
) -> Result<Vec<(i32, String)>, GatewayError> {
    // The futures are made up front: a stream holding the closure that
    // makes them is not `Send` for every lifetime, as axum needs.
    let asks: Vec<_> = locals
        .iter()
        .map(|&local| async move {
            let args = vec![Value::Int(local)];
            (
                local,
                shared_ids::ask(ctx, node, R::WHAT, method, args).await,
            )
        })
        .collect();
    let answers: Vec<(i32, Result<Value, GatewayError>)> = stream::iter(asks)
        .buffer_unordered(CONCURRENT)
        .collect()
        .await;
    let mut names = Vec::with_capacity(answers.len());
    for (local, details) in answers {
        match details {
            Ok(details) => {
                let name = details
                    .as_struct()
                    .and_then(|s| R::name_in(s, R::NAME_MEMBER));
                names.extend(name.map(|n| (local, n)));
            }
            Err(GatewayError::Fault(fault)) => {
                tracing::debug!(node, local, fault = %fault.string, "listed {} could not be looked up", R::ID_KIND.plural());
            }
            Err(other) => return Err(other),
        }
    }
    let order: HashMap<i32, usize> = locals.iter().enumerate().map(|(i, l)| (*l, i)).collect();
    names.sort_by_key(|(local, _)| order[local]);
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_package_is_named_by_its_source_rpm_file_name() {
        let named = |members: &[(&str, &str)]| {
            let s: Struct = members
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::string(*v)))
                .collect();
            SourcePackageIdentity::name_in(&s, "name")
        };
        let srpm = "bash-5.2-1.1.src.rpm";
        assert_eq!(named(&[("nvrea", srpm)]).as_deref(), Some(srpm));
        assert_eq!(named(&[("name", srpm)]).as_deref(), Some(srpm));
        assert_eq!(
            named(&[("name", "bash"), ("nvrea", srpm)]).as_deref(),
            Some(srpm)
        );
        assert_eq!(
            named(&[("nvrea", "kernel-6.4-1.nosrc.rpm")]).as_deref(),
            Some("kernel-6.4-1.nosrc.rpm")
        );
        // A bare package name stands for every version: no name.
        assert_eq!(named(&[("name", "bash")]), None);
        assert_eq!(named(&[]), None);
        // Other content is named by the member as it is.
        let s: Struct = [("label".to_owned(), Value::string("web"))]
            .into_iter()
            .collect();
        assert_eq!(
            ConfigChannelIdentity::name_in(&s, "label").as_deref(),
            Some("web")
        );
    }
}
