//! `gateway seed-node`: copies the data every node shares from a serving
//! node onto one that joins the cluster, before it is staged.
//!
//! The gateway broadcasts changes of shared data (system groups,
//! configuration channels, activation keys, repositories, users, ...) to
//! every node that serves at the time. A node added later has none of
//! what came before, so a client placed on it could not register with the
//! cluster's activation keys. This copies, over each node's own XML-RPC API and with an
//! administrator's credentials:
//!
//! 1. system groups (name, description);
//! 2. configuration channels (label, name, description, type) with their
//!    files, directories and symbolic links at their latest revision
//!    (contents, owner, group, mode, SELinux context, macro delimiters);
//!    a state channel's `init.sls` is given to `create`;
//! 3. activation keys (description, base channel, usage limit, add-on
//!    entitlements, universal default, disabled, contact method), with
//!    their system groups (by name), child channels, packages and
//!    configuration channels;
//! 4. crypto keys (GPG and SSL: type, contents; not each node's own CA
//!    certificate), software repositories (type, URL, signed metadata, SSL
//!    certificates by their crypto keys), content lifecycle filters (rule,
//!    entity type, criteria), custom system information keys
//!    (description), kickstart snippets (contents), external
//!    authentication group maps (roles; system groups) and settings, and
//!    maintenance calendars (iCalendar text or URL) and schedules (type,
//!    calendar): see [`content`];
//! 5. users who log in through PAM.
//!
//! What the target already holds (by group name, channel label and file
//! path, key name after the organization id, crypto key description,
//! repository label, filter, snippet, external group or schedule name,
//! custom information key or calendar label, user login) is not replaced,
//! but a second run fills in what it lacks: a channel's missing paths; a
//! key's missing groups, child channels, packages and configuration
//! channels, disabled state and (over the default) contact method; a
//! user's missing roles, system groups and disabled state. So a run that
//! copied an item in part can be repeated once its cause is fixed.
//! Nothing is removed unless [`Mode::prune`] asks to remove what the
//! source lacks (never users). A target's reactivation keys, kickstart
//! session keys and bootstrap key are never among them: the server's
//! `activationkey.listActivationKeys` leaves them out (Uyuni's
//! `ActivationKey.findByOrg`). Group names are matched exactly, as the
//! server's unique index on (organization, name) does. A file or other setting that differs
//! between the two nodes is left as the target has it, unless
//! [`Mode::update`] asks to bring it in line with the source (a node back
//! from `offline`); for a PAM user, its first and last name and e-mail
//! address.
//! Users who log in through PAM are created; other users are listed but
//! not copied: no API reads a password back.
//! Software channels are the
//! zone's content (synchronized from SCC or a peer server), not copied
//! either: a key whose base channel the target lacks fails with the
//! server's fault, and the report says so.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use xmlrpc::{Fault, MethodCall, Struct, Value};

use crate::state::Gateway;
use crate::upstream::{self, NodeClient, UpstreamError};

mod content;

/// Why seeding could not run at all (a failure of one item is a line of
/// the [`Report`] instead).
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// No node of that id in the gateway's node list.
    #[error("no node {id} in the node list ({known})")]
    NoSuchNode {
        /// The id asked for.
        id: String,
        /// The ids there are, comma-separated.
        known: String,
    },
    /// A node could not be called.
    #[error("node {node}: {source}")]
    Upstream {
        /// The node.
        node: String,
        /// What failed.
        #[source]
        source: UpstreamError,
    },
    /// A node answered a fault to a call seeding cannot do without (the
    /// login, a listing).
    #[error("node {node}: {method}: fault {code}: {string}", code = fault.code, string = fault.string)]
    Fault {
        /// The node.
        node: String,
        /// The method.
        method: String,
        /// The node's fault.
        fault: Fault,
    },
    /// A node answered something of the wrong shape.
    #[error("node {node}: {method}: unexpected answer")]
    Shape {
        /// The node.
        node: String,
        /// The method.
        method: String,
    },
}

/// A logged-in XML-RPC session on one node.
pub struct NodeSession {
    node: String,
    client: Arc<NodeClient>,
    key: Value,
}

impl NodeSession {
    /// Logs into `node` with `user` and `password` (held for this call
    /// only).
    pub async fn login(
        node: &str,
        client: Arc<NodeClient>,
        user: &str,
        password: &str,
    ) -> Result<NodeSession, SeedError> {
        let mut session = NodeSession {
            node: node.to_owned(),
            client,
            key: Value::Nil,
        };
        session.key = session
            .raw("auth.login", vec![user.into(), password.into()])
            .await?;
        Ok(session)
    }

    /// The node's id in the node list.
    pub(crate) fn node_id(&self) -> &str {
        &self.node
    }

    /// Logs out; a failure is only logged (the session expires anyway).
    pub async fn logout(self) {
        if let Err(e) = self.call("auth.logout", Vec::new()).await {
            tracing::warn!(node = %self.node, error = %e, "logging out failed");
        }
    }

    /// Calls `method` with the session key and `params`.
    pub(crate) async fn call(&self, method: &str, params: Vec<Value>) -> Result<Value, SeedError> {
        let mut all = Vec::with_capacity(params.len() + 1);
        all.push(self.key.clone());
        all.extend(params);
        self.raw(method, all).await
    }

    async fn raw(&self, method: &str, params: Vec<Value>) -> Result<Value, SeedError> {
        let call = MethodCall {
            name: method.to_owned(),
            params,
        };
        let upstream = |source| SeedError::Upstream {
            node: self.node.clone(),
            source,
        };
        let body = Bytes::from(xmlrpc::encode_call(&call));
        let idempotent = method.contains(".list") || method.contains(".get");
        let answer = self
            .client
            .exchange_encoded(body, idempotent)
            .await
            .map_err(upstream)?;
        upstream::parse(answer)
            .await
            .map_err(upstream)?
            .map_err(|fault| SeedError::Fault {
                node: self.node.clone(),
                method: method.to_owned(),
                fault,
            })
    }

    /// Calls a listing and answers its structs.
    pub(crate) async fn list(
        &self,
        method: &str,
        params: Vec<Value>,
    ) -> Result<Vec<Struct>, SeedError> {
        let shape = || SeedError::Shape {
            node: self.node.clone(),
            method: method.to_owned(),
        };
        let answer = self.call(method, params).await?;
        answer
            .as_array()
            .ok_or_else(shape)?
            .iter()
            .map(|v| v.as_struct().cloned().ok_or_else(shape))
            .collect()
    }
}

/// How a seeding goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mode {
    /// Only report what would be done.
    pub dry_run: bool,
    /// Also bring what the target holds in line with the source: a system
    /// group's description, a configuration channel's name and
    /// description, a file that differs (contents, owner, group, mode,
    /// SELinux context, macro delimiters, link target), an activation
    /// key's settings (description, base channel, usage limit, universal
    /// default, disabled, contact method), and the settings of what
    /// [`content`] copies (a crypto key's contents, a repository's URL,
    /// ...). Without it, what the target holds is left as it is.
    pub update: bool,
    /// Also remove from the target what the source lacks (deleted while
    /// the target was away): system groups, configuration channels and
    /// their files, activation keys, and what [`content`] copies. Never
    /// users.
    pub prune: bool,
}

impl Mode {
    /// A dry run that changes nothing.
    pub const DRY_RUN: Mode = Mode {
        dry_run: true,
        update: false,
        prune: false,
    };
}

/// What became of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Created on the target.
    Created,
    /// Would be created (a dry run).
    WouldCreate,
    /// The target holds it already; left as it is.
    Present,
    /// Created, but a part of it could not be copied (the reason).
    Partly(String),
    /// Not created: the target's fault or the reason.
    Failed(String),
    /// Not copied by design (the reason).
    NotCopied(String),
    /// The target held it in part; what it lacked was added (what).
    Completed(String),
    /// The target holds it in part; what it lacks would be added (a dry
    /// run; what).
    WouldComplete(String),
    /// The target held it otherwise; it was brought in line with the
    /// source ([`Mode::update`]; what).
    Updated(String),
    /// The target holds it otherwise; it would be brought in line (a dry
    /// run with [`Mode::update`]; what).
    WouldUpdate(String),
    /// Only the target held it; removed ([`Mode::prune`]).
    Removed,
    /// Only the target holds it; it would be removed (a dry run with
    /// [`Mode::prune`]).
    WouldRemove,
    /// Left where it is, on purpose (why): a copy a moved system left,
    /// which `carry-systems --delete-copies` does not delete.
    Kept(String),
}

/// One item of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `system group`, `configuration channel`, `configuration file`,
    /// `activation key`, `crypto key`, `repository`, `content filter`,
    /// `custom info key`, `kickstart snippet`, `external group roles`,
    /// `external group groups`, `external auth setting`, `maintenance
    /// calendar`, `maintenance schedule`, `user`; `system` in a
    /// [`crate::carry`] report.
    pub kind: &'static str,
    /// Its name, label or key.
    pub name: String,
    /// What became of it.
    pub outcome: Outcome,
}

/// What a seeding did, item by item, in the order it went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The items.
    pub lines: Vec<Line>,
}

impl Report {
    pub(crate) fn push(&mut self, kind: &'static str, name: &str, outcome: Outcome) {
        self.lines.push(Line {
            kind,
            name: name.to_owned(),
            outcome,
        });
    }

    /// Whether an item failed or was copied only in part.
    pub fn has_failures(&self) -> bool {
        self.lines
            .iter()
            .any(|l| matches!(l.outcome, Outcome::Failed(_) | Outcome::Partly(_)))
    }

    /// How many items it wrote to the target (created, completed,
    /// updated or removed).
    pub fn writes(&self) -> usize {
        self.count(|o| {
            matches!(
                o,
                Outcome::Created | Outcome::Completed(_) | Outcome::Updated(_) | Outcome::Removed
            )
        })
    }

    fn count(&self, pick: fn(&Outcome) -> bool) -> usize {
        self.lines.iter().filter(|l| pick(&l.outcome)).count()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            let (what, why) = match &line.outcome {
                Outcome::Created => ("created", None),
                Outcome::WouldCreate => ("would create", None),
                Outcome::Present => ("present", None),
                Outcome::Partly(why) => ("PARTLY", Some(why)),
                Outcome::Failed(why) => ("FAILED", Some(why)),
                Outcome::NotCopied(why) => ("not copied", Some(why)),
                Outcome::Completed(what) => ("completed", Some(what)),
                Outcome::WouldComplete(what) => ("would complete", Some(what)),
                Outcome::Updated(what) => ("updated", Some(what)),
                Outcome::WouldUpdate(what) => ("would update", Some(what)),
                Outcome::Removed => ("removed", None),
                Outcome::WouldRemove => ("would remove", None),
                Outcome::Kept(why) => ("kept", Some(why)),
            };
            write!(f, "{what:<14} {:<22} {}", line.kind, line.name)?;
            match why {
                Some(why) => writeln!(f, ": {why}")?,
                None => writeln!(f)?,
            }
        }
        write!(
            f,
            "{} created, {} completed, {} updated, {} removed, {} present, {} failed or partly copied, {} not copied",
            self.count(|o| matches!(o, Outcome::Created | Outcome::WouldCreate)),
            self.count(|o| matches!(o, Outcome::Completed(_) | Outcome::WouldComplete(_))),
            self.count(|o| matches!(o, Outcome::Updated(_) | Outcome::WouldUpdate(_))),
            self.count(|o| matches!(o, Outcome::Removed | Outcome::WouldRemove)),
            self.count(|o| matches!(o, Outcome::Present)),
            self.count(|o| matches!(o, Outcome::Failed(_) | Outcome::Partly(_))),
            self.count(|o| matches!(o, Outcome::NotCopied(_))),
        )?;
        match self.count(|o| matches!(o, Outcome::Kept(_))) {
            0 => Ok(()),
            kept => write!(f, ", {kept} kept"),
        }
    }
}

pub(crate) fn text<'s>(s: &'s Struct, name: &str) -> &'s str {
    s.get(name).and_then(Value::as_str).unwrap_or_default()
}

pub(crate) fn strings(s: &Struct, name: &str) -> Vec<String> {
    s.get(name)
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Whether two texts are alike as a server keeps them: with the spaces and
/// line ends around them left out (it trims what its API is given, not
/// what its web UI stores) and Windows line ends as Unix ones.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let kept = |s: &str| s.trim().replace("\r\n", "\n");
    kept(a) == kept(b)
}

/// Why a maintenance change was not made, when its answer (reschedule
/// results, one or an array) says so: a result with `status` false and its
/// `message` (actions the new windows would leave out, which the `Fail`
/// strategy of [`content`]'s maintenance changes does not cancel).
pub(crate) fn refused(answer: &Value) -> Option<String> {
    let results = match answer {
        Value::Array(results) => results.as_slice(),
        one => std::slice::from_ref(one),
    };
    let why: Vec<String> = results
        .iter()
        .filter_map(Value::as_struct)
        .filter(|r| r.get("status").and_then(Value::as_bool) == Some(false))
        .map(|r| match text(r, "for_schedule_name") {
            "" => text(r, "message").to_owned(),
            schedule => format!("schedule {schedule}: {}", text(r, "message")),
        })
        .collect();
    (!why.is_empty()).then(|| why.join("; "))
}

pub(crate) fn fault_text(e: &SeedError) -> String {
    match e {
        SeedError::Fault { fault, .. } => format!("fault {}: {}", fault.code, fault.string),
        other => other.to_string(),
    }
}

/// How [`remove`] deletes an item and sees whether it is still there.
struct Removal {
    /// The deleting method and its parameters.
    delete: (&'static str, Vec<Value>),
    /// How to see that the item is gone.
    lookup: Gone,
}

/// How [`remove`] sees that an item is gone after its deletion faulted.
enum Gone {
    /// This call (method, parameters) faults.
    Faults(&'static str, Vec<Value>),
    /// This listing (method) shows no item whose member (the second) is
    /// the item's name (for kinds the API cannot look up one by one).
    Unlisted(&'static str, &'static str),
}

/// Removes item `name` (a `kind`) from `to`, since the source lacks it
/// ([`Mode::prune`]); a dry run only says so. An item a staged target's
/// following removed first counts as removed.
async fn remove(
    to: &NodeSession,
    kind: &'static str,
    name: &str,
    removal: Removal,
    mode: Mode,
    report: &mut Report,
) {
    let outcome = match mode.dry_run {
        true => Outcome::WouldRemove,
        false => match to.call(removal.delete.0, removal.delete.1).await {
            // A maintenance calendar's deletion answers whether the
            // server made it.
            Ok(answer) => match refused(&answer) {
                Some(why) => Outcome::Failed(why),
                None => Outcome::Removed,
            },
            Err(e @ SeedError::Fault { .. }) => {
                let gone = match removal.lookup {
                    Gone::Faults(method, params) => {
                        matches!(to.call(method, params).await, Err(SeedError::Fault { .. }))
                    }
                    Gone::Unlisted(method, member) => to
                        .list(method, Vec::new())
                        .await
                        .is_ok_and(|items| items.iter().all(|i| text(i, member) != name)),
                };
                match gone {
                    true => Outcome::Removed,
                    false => Outcome::Failed(fault_text(&e)),
                }
            }
            Err(e) => Outcome::Failed(fault_text(&e)),
        },
    };
    report.push(kind, name, outcome);
}

/// Logs into nodes `from` and `to` of `gateway`'s node list as `user`,
/// copies what `to` lacks ([`seed`]) and logs out of both.
pub async fn between(
    gateway: &Gateway,
    from: &str,
    to: &str,
    user: &str,
    password: &str,
    mode: Mode,
) -> Result<Report, SeedError> {
    let (source, target) = NodeSession::pair(gateway, from, to, user, password).await?;
    let report = seed(&source, &target, mode).await;
    source.logout().await;
    target.logout().await;
    report
}

impl NodeSession {
    /// Logs into nodes `from` and `to` of `gateway`'s node list as `user`
    /// (out of the first again when the second fails).
    pub(crate) async fn pair(
        gateway: &Gateway,
        from: &str,
        to: &str,
        user: &str,
        password: &str,
    ) -> Result<(NodeSession, NodeSession), SeedError> {
        let nodes = gateway.directory().nodes();
        let session = async |id: &str| {
            let Some(node) = nodes.iter().find(|n| &*n.id == id) else {
                let known: Vec<&str> = nodes.iter().map(|n| &*n.id).collect();
                return Err(SeedError::NoSuchNode {
                    id: id.to_owned(),
                    known: known.join(", "),
                });
            };
            let client = gateway
                .upstreams()
                .client(id, &node.api_url)
                .map_err(|source| SeedError::Upstream {
                    node: id.to_owned(),
                    source,
                })?;
            NodeSession::login(id, client, user, password).await
        };
        let source = session(from).await?;
        match session(to).await {
            Ok(target) => Ok((source, target)),
            Err(e) => {
                source.logout().await;
                Err(e)
            }
        }
    }
}

/// Copies the shared data of `from` that `to` lacks onto `to` (and, with
/// [`Mode::update`], updates what differs); with [`Mode::dry_run`], only
/// reports what it would do.
pub async fn seed(from: &NodeSession, to: &NodeSession, mode: Mode) -> Result<Report, SeedError> {
    let mut report = Report::default();
    let groups = seed_groups(from, to, mode, &mut report).await?;
    seed_config_channels(from, to, mode, &mut report).await?;
    seed_activation_keys(from, to, &groups, mode, &mut report).await?;
    content::seed_content(from, to, mode, &mut report).await?;
    seed_users(from, to, mode, &mut report).await?;
    Ok(report)
}

/// Groups by name; answers the source's group ids mapped to the target's.
async fn seed_groups(
    from: &NodeSession,
    to: &NodeSession,
    mode: Mode,
    report: &mut Report,
) -> Result<HashMap<i64, i64>, SeedError> {
    const KIND: &str = "system group";
    let theirs: BTreeMap<String, (i64, String)> = to
        .list("systemgroup.listAllGroups", Vec::new())
        .await?
        .iter()
        .filter_map(|g| {
            let id = g.get("id")?.as_i64()?;
            Some((
                text(g, "name").to_owned(),
                (id, text(g, "description").to_owned()),
            ))
        })
        .collect();
    let mut ids = HashMap::new();
    let mut sourced = HashSet::new();
    for group in from.list("systemgroup.listAllGroups", Vec::new()).await? {
        let name = text(&group, "name");
        sourced.insert(name.to_owned());
        let Some(id) = group.get("id").and_then(Value::as_i64) else {
            continue;
        };
        let description = text(&group, "description");
        if let Some((target, held)) = theirs.get(name) {
            ids.insert(id, *target);
            // A server trims what it is given: spaces around a text are no
            // difference.
            let outcome = if !mode.update || held.trim() == description.trim() {
                Outcome::Present
            } else if mode.dry_run {
                Outcome::WouldUpdate("description".to_owned())
            } else {
                match to
                    .call("systemgroup.update", vec![name.into(), description.into()])
                    .await
                {
                    Ok(_) => Outcome::Updated("description".to_owned()),
                    Err(e) => Outcome::Failed(fault_text(&e)),
                }
            };
            report.push(KIND, name, outcome);
            continue;
        }
        if mode.dry_run {
            // Stands for the group it would make, for the keys' and users'
            // plans (real ids are positive).
            ids.insert(id, -id);
            report.push(KIND, name, Outcome::WouldCreate);
            continue;
        }
        let created = to
            .call("systemgroup.create", vec![name.into(), description.into()])
            .await;
        match created {
            Ok(made) => {
                if let Some(target) = made
                    .as_struct()
                    .and_then(|s| s.get("id"))
                    .and_then(Value::as_i64)
                {
                    ids.insert(id, target);
                }
                report.push(KIND, name, Outcome::Created);
            }
            Err(e) => report.push(KIND, name, Outcome::Failed(fault_text(&e))),
        }
    }
    if mode.prune {
        // The target was listed first: what it held then and the source
        // lacks now was deleted (a broadcast reaches the serving nodes
        // before a staged one).
        for name in theirs.keys().filter(|n| !sourced.contains(*n)) {
            let removal = Removal {
                delete: ("systemgroup.delete", vec![name.as_str().into()]),
                lookup: Gone::Faults("systemgroup.getDetails", vec![name.as_str().into()]),
            };
            remove(to, KIND, name, removal, mode, report).await;
        }
    }
    Ok(ids)
}

async fn seed_config_channels(
    from: &NodeSession,
    to: &NodeSession,
    mode: Mode,
    report: &mut Report,
) -> Result<(), SeedError> {
    const KIND: &str = "configuration channel";
    let theirs: HashMap<String, Struct> = to
        .list("configchannel.listGlobals", Vec::new())
        .await?
        .into_iter()
        .map(|c| (text(&c, "label").to_owned(), c))
        .collect();
    let mut sourced = HashSet::new();
    for channel in from.list("configchannel.listGlobals", Vec::new()).await? {
        let label = text(&channel, "label");
        sourced.insert(label.to_owned());
        let mut notes = FileNotes::default();
        let outcome =
            match copy_channel(from, to, &channel, theirs.get(label), mode, &mut notes).await {
                Ok(outcome) => outcome,
                Err(e) => Outcome::Failed(fault_text(&e)),
            };
        report.push(KIND, label, outcome);
        for (path, why) in notes.uncompared {
            report.push(
                "configuration file",
                &format!("{label}:{path}"),
                Outcome::NotCopied(format!("not compared: {why}")),
            );
        }
        for path in notes.removed {
            let removed = match mode.dry_run {
                true => Outcome::WouldRemove,
                false => Outcome::Removed,
            };
            report.push("configuration file", &format!("{label}:{path}"), removed);
        }
    }
    if mode.prune {
        let mut gone: Vec<&String> = theirs.keys().filter(|l| !sourced.contains(*l)).collect();
        gone.sort();
        for label in gone {
            let removal = Removal {
                delete: (
                    "configchannel.deleteChannels",
                    vec![Value::Array(vec![label.as_str().into()])],
                ),
                lookup: Gone::Faults("configchannel.getDetails", vec![label.as_str().into()]),
            };
            remove(to, KIND, label, removal, mode, report).await;
        }
    }
    Ok(())
}

/// The path of a state channel's own state file, made with the channel
/// and changed only through `configchannel.updateInitSls`.
const INIT_SLS: &str = "/init.sls";

/// The paths of channel `label`'s files, directories and links on `node`.
async fn channel_paths(node: &NodeSession, label: &str) -> Result<Vec<String>, SeedError> {
    Ok(node
        .list("configchannel.listFiles", vec![label.into()])
        .await?
        .iter()
        .map(|f| text(f, "path").to_owned())
        .collect())
}

/// Creates channel `channel` on `to` with its files, or, when `to` holds
/// it already (`held`), adds the paths it lacks ([`complete_channel`]);
/// what it says of single files goes in `notes`.
async fn copy_channel(
    from: &NodeSession,
    to: &NodeSession,
    channel: &Struct,
    held: Option<&Struct>,
    mode: Mode,
    notes: &mut FileNotes,
) -> Result<Outcome, SeedError> {
    let label = text(channel, "label");
    let kind = match text(channel, "type") {
        "" => channel
            .get("configChannelType")
            .and_then(Value::as_struct)
            .map_or("normal", |t| text(t, "label")),
        kind => kind,
    };
    let state = kind == "state";
    if let Some(held) = held {
        return complete_channel(from, to, channel, held, state, mode, notes).await;
    }
    let mut paths = channel_paths(from, label).await?;
    if mode.dry_run {
        return Ok(Outcome::WouldCreate);
    }
    let mut params = vec![
        label.into(),
        text(channel, "name").into(),
        text(channel, "description").into(),
        kind.into(),
    ];
    if state && paths.iter().any(|p| p == INIT_SLS) {
        // `create` makes the state file: give it the source's contents.
        let init = file_info(from, label, &[INIT_SLS.to_owned()]).await?;
        let contents = match init.first() {
            Some(info) => encoded_contents(from, label, info).await?,
            None => Value::string(""),
        };
        params.push(Value::Struct(
            Struct::with_capacity(2)
                .with("contents", contents)
                .with("contents_enc64", Value::Bool(true)),
        ));
        paths.retain(|p| p != INIT_SLS);
    }
    to.call("configchannel.create", params).await?;
    let failed = copy_files(from, to, label, &paths).await;
    Ok(if failed.is_empty() {
        Outcome::Created
    } else {
        Outcome::Partly(format!("created; not copied: {}", failed.join("; ")))
    })
}

/// What a channel's seeding says of single files: their own report lines.
#[derive(Debug, Default)]
struct FileNotes {
    /// Held by both, but a server could not show it (path: why).
    uncompared: BTreeMap<String, String>,
    /// Removed ([`Mode::prune`]), or would be (a dry run).
    removed: Vec<String>,
}

/// Adds to channel `channel`, which `to` holds as `held`, the paths
/// (`paths`, the source's) it lacks; with [`Mode::update`], also its name
/// and description and the files that differ, when they do. A file held
/// by both that a server cannot show goes in `notes` (not among the
/// failures: the server would answer the same on every run), and so do
/// the paths [`Mode::prune`] removes (or would).
#[allow(clippy::too_many_arguments)]
async fn complete_channel(
    from: &NodeSession,
    to: &NodeSession,
    channel: &Struct,
    held: &Struct,
    state: bool,
    mode: Mode,
    notes: &mut FileNotes,
) -> Result<Outcome, SeedError> {
    let label = text(channel, "label");
    // The target first, then the source: what was made meanwhile reaches
    // the serving source before a staged target, so it is not taken for
    // deleted, and what was deleted meanwhile is not made again.
    let held_paths: HashSet<String> = channel_paths(to, label).await?.into_iter().collect();
    let paths = channel_paths(from, label).await?;
    // A state channel always holds its `init.sls`.
    let (shared, missing): (Vec<String>, Vec<String>) = paths
        .into_iter()
        .partition(|p| held_paths.contains(p) || state && p == INIT_SLS);
    let mut failed = Vec::new();
    let differs =
        |member: &str| mode.update && text(channel, member).trim() != text(held, member).trim();
    let renamed: Vec<&str> = ["name", "description"]
        .into_iter()
        .filter(|m| differs(m))
        .collect();
    let changed = match mode.update {
        true => {
            differing_files(
                from,
                to,
                label,
                &shared,
                state,
                &mut notes.uncompared,
                &mut failed,
            )
            .await
        }
        false => Vec::new(),
    };
    // Paths only the target holds.
    let extra: Vec<String> = match mode.prune {
        true => {
            let sourced: HashSet<&String> = shared.iter().chain(&missing).collect();
            let mut extra: Vec<String> = held_paths
                .iter()
                .filter(|p| !(sourced.contains(p) || state && *p == INIT_SLS))
                .cloned()
                .collect();
            extra.sort();
            extra
        }
        false => Vec::new(),
    };
    let mut plan = Vec::new();
    if !missing.is_empty() {
        plan.push((
            format!("copy {}", files(missing.len())),
            format!("copied {}", files(missing.len())),
        ));
    }
    if !renamed.is_empty() {
        let what = renamed.join(" and ");
        plan.push((format!("update {what}"), format!("updated {what}")));
    }
    if !changed.is_empty() {
        let listed: Vec<&str> = changed.iter().map(|info| text(info, "path")).collect();
        let what = format!("{} ({})", files(changed.len()), listed.join(", "));
        plan.push((format!("update {what}"), format!("updated {what}")));
    }
    let updates = !renamed.is_empty() || !changed.is_empty();
    if plan.is_empty() && extra.is_empty() || mode.dry_run {
        // What a dry run would remove (nothing, when there is nothing to do).
        notes.removed = extra;
        let planned: Vec<String> = plan.into_iter().map(|(plan, _)| plan).collect();
        let planned = (!planned.is_empty()).then(|| format!("would {}", planned.join(", ")));
        return Ok(match (planned, failed.is_empty()) {
            (None, true) => Outcome::Present,
            (None, false) => Outcome::Partly(failed.join("; ")),
            (Some(planned), false) => Outcome::Partly(format!("{planned}; {}", failed.join("; "))),
            (Some(planned), true) if updates => Outcome::WouldUpdate(planned),
            (Some(planned), true) => Outcome::WouldComplete(planned),
        });
    }
    failed.extend(copy_files(from, to, label, &missing).await);
    if !renamed.is_empty() {
        let params = vec![
            label.into(),
            text(channel, "name").into(),
            text(channel, "description").into(),
        ];
        if let Err(e) = to.call("configchannel.update", params).await {
            failed.push(format!("{}: {}", renamed.join(" and "), fault_text(&e)));
        }
    }
    for info in &changed {
        let path = text(info, "path");
        let updated = match state && path == INIT_SLS {
            true => update_init_sls(from, to, label, info).await,
            false => copy_file(from, to, label, info).await,
        };
        if let Err(e) = updated {
            failed.push(format!("{path}: {}", fault_text(&e)));
        }
    }
    if !extra.is_empty() {
        let paths = extra.iter().map(Value::string).collect();
        let params = vec![label.into(), Value::Array(paths)];
        match to.call("configchannel.deleteFiles", params).await {
            Ok(_) => notes.removed = extra,
            Err(e) => failed.push(format!("removing {}: {}", extra.join(", "), fault_text(&e))),
        }
    }
    let done: Vec<String> = plan.into_iter().map(|(_, done)| done).collect();
    Ok(match (failed.is_empty(), updates) {
        (false, _) => Outcome::Partly(failed.join("; ")),
        (true, _) if done.is_empty() => Outcome::Present,
        (true, true) => Outcome::Updated(done.join(", ")),
        (true, false) => Outcome::Completed(done.join(", ")),
    })
}

/// The latest revisions of `paths` on `node`; each path that could not be
/// looked up goes in `failed` with why. One text file holding characters
/// XML cannot carry fails the whole listing (a fault), so each is then
/// looked up alone.
async fn infos_of(
    node: &NodeSession,
    label: &str,
    paths: &[String],
    failed: &mut Vec<(String, SeedError)>,
) -> Vec<Struct> {
    if paths.is_empty() {
        return Vec::new();
    }
    match file_info(node, label, paths).await {
        Ok(infos) => infos,
        Err(SeedError::Fault { .. }) if paths.len() > 1 => {
            let mut infos = Vec::with_capacity(paths.len());
            for path in paths {
                match file_info(node, label, std::slice::from_ref(path)).await {
                    Ok(info) => infos.extend(info),
                    Err(e) => failed.push((path.clone(), e)),
                }
            }
            infos
        }
        Err(e) => {
            failed.push((paths[0].clone(), e));
            Vec::new()
        }
    }
}

/// The members of a file's revision that [`copy_file`] carries over,
/// contents aside.
const FILE_ATTRIBUTES: [&str; 10] = [
    "type",
    "target_path",
    "owner",
    "group",
    "permissions",
    "permissions_mode",
    "selinux_ctx",
    "binary",
    "macro-start-delimiter",
    "macro-end-delimiter",
];

/// Whether member `name` differs between two revisions; an absent member
/// and an empty text are the same (a server leaves out what is null, and
/// stores an empty text for what was not given).
fn member_differs(a: &Struct, b: &Struct, name: &str) -> bool {
    let empty = |v: Option<&Value>| v.is_none_or(|v| v.as_str() == Some(""));
    match (a.get(name), b.get(name)) {
        (x, y) if empty(x) && empty(y) => false,
        (x, y) => x != y,
    }
}

/// The source's revisions (of `paths`, held by both nodes) whose file
/// differs on the target: in an attribute [`copy_file`] carries, or in
/// its contents (by SHA-256, or byte for byte where a server shows no
/// checksum). A state channel's `init.sls` is compared by its contents
/// only: `updateInitSls` changes nothing else. A path a server answers a
/// fault for goes in `uncompared`; any other failure in `failed`.
async fn differing_files(
    from: &NodeSession,
    to: &NodeSession,
    label: &str,
    paths: &[String],
    state: bool,
    uncompared: &mut BTreeMap<String, String>,
    failed: &mut Vec<String>,
) -> Vec<Struct> {
    let mut unread = Vec::new();
    // The target first: a change that reached it after the source is not
    // undone with the older revision.
    let target: HashMap<String, Struct> = infos_of(to, label, paths, &mut unread)
        .await
        .into_iter()
        .map(|info| (text(&info, "path").to_owned(), info))
        .collect();
    let source = infos_of(from, label, paths, &mut unread).await;
    let mut note = |path: &str, e: SeedError| match e {
        e @ SeedError::Fault { .. } => {
            uncompared
                .entry(path.to_owned())
                .or_insert_with(|| fault_text(&e));
        }
        e => failed.push(format!("{path}: {}", fault_text(&e))),
    };
    for (path, e) in unread {
        note(&path, e);
    }
    let mut differing = Vec::new();
    for info in source {
        let path = text(&info, "path");
        let Some(held) = target.get(path) else {
            continue;
        };
        let init = state && path == INIT_SLS;
        let differs = if !init
            && FILE_ATTRIBUTES
                .iter()
                .any(|m| member_differs(&info, held, m))
        {
            true
        } else if matches!(text(&info, "type"), "directory" | "symlink") {
            false
        } else if !text(&info, "sha256").is_empty() && !text(held, "sha256").is_empty() {
            text(&info, "sha256") != text(held, "sha256")
        } else {
            let contents = tokio::join!(
                encoded_contents(from, label, &info),
                encoded_contents(to, label, held)
            );
            match contents {
                (Ok(theirs), Ok(ours)) => theirs != ours,
                (Err(e), _) | (_, Err(e)) => {
                    note(path, e);
                    false
                }
            }
        };
        if differs {
            differing.push(info);
        }
    }
    differing
}

/// Gives a state channel's `init.sls` on `to` the contents `info` (the
/// source's revision) has.
async fn update_init_sls(
    from: &NodeSession,
    to: &NodeSession,
    label: &str,
    info: &Struct,
) -> Result<(), SeedError> {
    let contents = encoded_contents(from, label, info).await?;
    let path_info = Struct::with_capacity(2)
        .with("contents", contents)
        .with("contents_enc64", Value::Bool(true));
    to.call(
        "configchannel.updateInitSls",
        vec![label.into(), Value::Struct(path_info)],
    )
    .await?;
    Ok(())
}

fn files(n: usize) -> String {
    counted(n, "file")
}

/// `1 file`, `3 files`.
fn counted(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}

/// `lookupFileInfo`: the latest revision of each path.
async fn file_info(
    node: &NodeSession,
    label: &str,
    paths: &[String],
) -> Result<Vec<Struct>, SeedError> {
    let paths = paths.iter().map(Value::string).collect();
    node.list(
        "configchannel.lookupFileInfo",
        vec![label.into(), Value::Array(paths)],
    )
    .await
}

/// A file's contents in base64, as `info` gives them or, for text the
/// server sends as is, fetched encoded: XML would turn its carriage
/// returns into line feeds.
async fn encoded_contents(
    node: &NodeSession,
    label: &str,
    info: &Struct,
) -> Result<Value, SeedError> {
    if info.get("contents_enc64").and_then(Value::as_bool) == Some(true) {
        return Ok(info.get("contents").cloned().unwrap_or(Value::string("")));
    }
    let revision = info.get("revision").cloned().unwrap_or(Value::Int(1));
    let encoded = node
        .call(
            "configchannel.getEncodedFileRevision",
            vec![label.into(), text(info, "path").into(), revision],
        )
        .await?;
    Ok(encoded
        .as_struct()
        .and_then(|s| s.get("contents"))
        .cloned()
        .unwrap_or(Value::string("")))
}

/// Copies `paths` of channel `label` from `from` to `to`, each at its
/// latest revision; answers what failed, one entry per path.
async fn copy_files(
    from: &NodeSession,
    to: &NodeSession,
    label: &str,
    paths: &[String],
) -> Vec<String> {
    let mut unread = Vec::new();
    let infos = infos_of(from, label, paths, &mut unread).await;
    let mut failed: Vec<String> = unread
        .into_iter()
        .map(|(path, e)| format!("{path}: {}", fault_text(&e)))
        .collect();
    for info in infos {
        let path = text(&info, "path");
        if let Err(e) = copy_file(from, to, label, &info).await {
            failed.push(format!("{path}: {}", fault_text(&e)));
        }
    }
    failed
}

/// Creates one file, directory or link on `to` as `info` describes it.
async fn copy_file(
    from: &NodeSession,
    to: &NodeSession,
    label: &str,
    info: &Struct,
) -> Result<(), SeedError> {
    let path = text(info, "path");
    let mut attrs = Struct::with_capacity(9);
    if let Some(ctx) = info.get("selinux_ctx").and_then(Value::as_str)
        && !ctx.is_empty()
    {
        attrs.push("selinux_ctx", ctx.into());
    }
    let kind = text(info, "type");
    if kind == "symlink" {
        attrs.push("target_path", text(info, "target_path").into());
        let params = vec![label.into(), path.into(), Value::Struct(attrs)];
        to.call("configchannel.createOrUpdateSymlink", params)
            .await?;
        return Ok(());
    }
    attrs.push("owner", text(info, "owner").into());
    attrs.push("group", text(info, "group").into());
    // `permissions_mode` is the octal text `createOrUpdatePath` takes.
    let mode = match text(info, "permissions_mode") {
        "" => info
            .get("permissions")
            .and_then(Value::as_i64)
            .map(|m| format!("{m:03}"))
            .unwrap_or_default(),
        mode => mode.to_owned(),
    };
    if !mode.is_empty() {
        attrs.push("permissions", mode.into());
    }
    let directory = kind == "directory";
    if !directory {
        attrs.push("contents", encoded_contents(from, label, info).await?);
        attrs.push("contents_enc64", Value::Bool(true));
        let binary = info.get("binary").and_then(Value::as_bool) == Some(true);
        attrs.push("binary", Value::Bool(binary));
        for delimiter in ["macro-start-delimiter", "macro-end-delimiter"] {
            if let Some(d) = info.get(delimiter).and_then(Value::as_str)
                && !d.is_empty()
            {
                attrs.push(delimiter, d.into());
            }
        }
    }
    let params = vec![
        label.into(),
        path.into(),
        Value::Bool(directory),
        Value::Struct(attrs),
    ];
    to.call("configchannel.createOrUpdatePath", params).await?;
    Ok(())
}

async fn seed_activation_keys(
    from: &NodeSession,
    to: &NodeSession,
    groups: &HashMap<i64, i64>,
    mode: Mode,
    report: &mut Report,
) -> Result<(), SeedError> {
    const KIND: &str = "activation key";
    // By the name after the organization's id, which the two servers may
    // number apart.
    let theirs: HashMap<String, Struct> = to
        .list("activationkey.listActivationKeys", Vec::new())
        .await?
        .into_iter()
        .map(|k| (short_key(text(&k, "key")).to_owned(), k))
        .collect();
    let mut sourced = HashSet::new();
    for key in from
        .list("activationkey.listActivationKeys", Vec::new())
        .await?
    {
        let name = text(&key, "key");
        sourced.insert(short_key(name).to_owned());
        let outcome = match theirs.get(short_key(name)) {
            // The gateway names keys by their full name on every node.
            Some(held) if text(held, "key") != name => Ok(Outcome::Failed(format!(
                "the target holds it as {}: the nodes number the organization apart",
                text(held, "key")
            ))),
            Some(held) => complete_key(from, to, &key, held, groups, mode).await,
            None if mode.dry_run => Ok(Outcome::WouldCreate),
            None => copy_key(from, to, &key, groups).await,
        };
        let outcome = outcome.unwrap_or_else(|e| Outcome::Failed(fault_text(&e)));
        report.push(KIND, name, outcome);
    }
    if mode.prune {
        let mut gone: Vec<&str> = theirs
            .iter()
            .filter(|(short, _)| !sourced.contains(*short))
            .map(|(_, key)| text(key, "key"))
            .collect();
        gone.sort_unstable();
        for key in gone {
            let removal = Removal {
                delete: ("activationkey.delete", vec![key.into()]),
                lookup: Gone::Faults("activationkey.getDetails", vec![key.into()]),
            };
            remove(to, KIND, key, removal, mode, report).await;
        }
    }
    Ok(())
}

/// A key less the organization id the server prefixes (`1-edge`: `edge`),
/// as `activationkey.create` takes it.
fn short_key(key: &str) -> &str {
    key.split_once('-').map_or(key, |(_, rest)| rest)
}

/// The parts of an activation key that are added to it after `create`.
#[derive(Debug, Default)]
struct KeyParts {
    /// System group ids, of the node that holds the key.
    groups: Vec<i64>,
    /// Child channel labels.
    children: Vec<String>,
    /// Packages: name and architecture label, if any.
    packages: Vec<(String, Option<String>)>,
    /// Configuration channel labels, highest rank first.
    config_channels: Vec<String>,
}

impl KeyParts {
    /// The parts of `key` (an entry of `listActivationKeys`) on `node`,
    /// and why its configuration channels could not be listed, if so (the
    /// other parts are then still there).
    async fn of(node: &NodeSession, key: &Struct) -> (KeyParts, Option<String>) {
        // The documentation calls the group ids strings; servers send ints.
        let groups = key
            .get("server_group_ids")
            .and_then(Value::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
            .collect();
        let packages = key
            .get("packages")
            .and_then(Value::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| {
                let p = p.as_struct()?;
                let arch = p.get("arch").and_then(Value::as_str).map(str::to_owned);
                Some((text(p, "name").to_owned(), arch))
            })
            .collect();
        let listed = node
            .list(
                "activationkey.listConfigChannels",
                vec![text(key, "key").into()],
            )
            .await;
        let (config_channels, unlisted) = match listed {
            Ok(channels) => (
                channels
                    .iter()
                    .map(|c| text(c, "label").to_owned())
                    .collect(),
                None,
            ),
            Err(e) => (
                Vec::new(),
                Some(format!("configuration channels: {}", fault_text(&e))),
            ),
        };
        let parts = KeyParts {
            groups,
            children: strings(key, "child_channel_labels"),
            packages,
            config_channels,
        };
        (parts, unlisted)
    }

    /// What of `self` (the source's parts) `held` (the target's) lacks,
    /// groups mapped to the target's ids by `groups`; and whether a group
    /// of the key has no counterpart on the target.
    fn lacking(&self, held: &KeyParts, groups: &HashMap<i64, i64>) -> (KeyParts, bool) {
        let mapped: Vec<i64> = self
            .groups
            .iter()
            .filter_map(|id| groups.get(id).copied())
            .collect();
        let unmapped = mapped.len() < self.groups.len();
        let parts = KeyParts {
            groups: mapped
                .into_iter()
                .filter(|id| !held.groups.contains(id))
                .collect(),
            children: self
                .children
                .iter()
                .filter(|c| !held.children.contains(c))
                .cloned()
                .collect(),
            packages: self
                .packages
                .iter()
                .filter(|p| !held.packages.contains(p))
                .cloned()
                .collect(),
            config_channels: self
                .config_channels
                .iter()
                .filter(|c| !held.config_channels.contains(c))
                .cloned()
                .collect(),
        };
        (parts, unmapped)
    }

    fn is_empty(&self) -> bool {
        self.groups.is_empty()
            && self.children.is_empty()
            && self.packages.is_empty()
            && self.config_channels.is_empty()
    }

    /// `2 system groups, 1 package`.
    fn describe(&self) -> String {
        let counts = [
            (self.groups.len(), "system group"),
            (self.children.len(), "child channel"),
            (self.packages.len(), "package"),
            (self.config_channels.len(), "configuration channel"),
        ];
        let parts: Vec<String> = counts
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| counted(n, what))
            .collect();
        parts.join(", ")
    }

    /// Adds these parts to key `key` on `to`; answers what failed.
    async fn add_to(&self, to: &NodeSession, key: &str) -> Vec<String> {
        let mut failed = Vec::new();
        if !self.groups.is_empty() {
            let ids = self
                .groups
                .iter()
                .map(|&id| Value::Int(i32::try_from(id).unwrap_or(i32::MAX)))
                .collect();
            let params = vec![key.into(), Value::Array(ids)];
            add_part(
                to,
                "system groups",
                "activationkey.addServerGroups",
                params,
                &mut failed,
            )
            .await;
        }
        if !self.children.is_empty() {
            let labels = self.children.iter().map(Value::string).collect();
            let params = vec![key.into(), Value::Array(labels)];
            add_part(
                to,
                "child channels",
                "activationkey.addChildChannels",
                params,
                &mut failed,
            )
            .await;
        }
        if !self.packages.is_empty() {
            let packages = self
                .packages
                .iter()
                .map(|(name, arch)| {
                    let mut p = Struct::with_capacity(2).with("name", Value::string(name));
                    if let Some(arch) = arch {
                        p.push("arch", Value::string(arch));
                    }
                    Value::Struct(p)
                })
                .collect();
            let params = vec![key.into(), Value::Array(packages)];
            add_part(
                to,
                "packages",
                "activationkey.addPackages",
                params,
                &mut failed,
            )
            .await;
        }
        if !self.config_channels.is_empty() {
            let labels = self.config_channels.iter().map(Value::string).collect();
            // Below what the key holds, in the source's order.
            let params = vec![
                Value::Array(vec![key.into()]),
                Value::Array(labels),
                Value::Bool(false),
            ];
            add_part(
                to,
                "configuration channels",
                "activationkey.addConfigChannels",
                params,
                &mut failed,
            )
            .await;
        }
        failed
    }
}

/// Adds to key `held` on `to` the parts the source's `key` has and it
/// lacks, and disables it (or sets its contact method, when it has the
/// default one) as the source's is. Nothing is removed. Without
/// [`Mode::update`], other settings (description, base channel, limit)
/// that differ are left as the target has them; with it, they are set as
/// the source has them ([`key_settings`]), before the parts are added.
async fn complete_key(
    from: &NodeSession,
    to: &NodeSession,
    key: &Struct,
    held: &Struct,
    groups: &HashMap<i64, i64>,
    mode: Mode,
) -> Result<Outcome, SeedError> {
    let name = text(held, "key");
    let settings = key_settings(key, held, mode.update);
    // The target first: a part removed from both meanwhile is not added
    // back.
    let (mut target, target_unlisted) = KeyParts::of(to, held).await;
    let (source, source_unlisted) = KeyParts::of(from, key).await;
    if settings.iter().any(|s| s.member == "base_channel_label") {
        // A new base channel drops the key's child channels.
        target.children.clear();
    }
    let (mut lacking, unmapped) = source.lacking(&target, groups);
    let mut failed: Vec<String> = source_unlisted.into_iter().collect();
    if let Some(why) = target_unlisted {
        // Adding what the target may hold already would only reorder it.
        lacking.config_channels.clear();
        failed.push(why);
    }
    if unmapped {
        failed.push(UNMAPPED_GROUP.to_owned());
    }
    let updates = settings.iter().any(|s| s.update);
    let mut plan: Vec<String> = settings.iter().map(|s| s.plan.clone()).collect();
    let mut done: Vec<String> = settings.iter().map(|s| s.done.clone()).collect();
    if !lacking.is_empty() {
        plan.push(format!("add {}", lacking.describe()));
        done.push(format!("added {}", lacking.describe()));
    }
    if plan.is_empty() {
        return Ok(match failed.is_empty() {
            true => Outcome::Present,
            false => Outcome::Partly(failed.join("; ")),
        });
    }
    if mode.dry_run {
        let plan = format!("would {}", plan.join(", "));
        return Ok(match (failed.is_empty(), updates) {
            (true, true) => Outcome::WouldUpdate(plan),
            (true, false) => Outcome::WouldComplete(plan),
            (false, _) => Outcome::Partly(format!("{plan}; {}", failed.join("; "))),
        });
    }
    // Settings first: a new base channel drops the child channels.
    for setting in settings {
        setting.apply(to, name, &mut failed).await;
    }
    failed.extend(lacking.add_to(to, name).await);
    Ok(match (failed.is_empty(), updates) {
        (true, true) => Outcome::Updated(done.join(", ")),
        (true, false) => Outcome::Completed(done.join(", ")),
        (false, _) => Outcome::Partly(failed.join("; ")),
    })
}

/// A key setting to give the target's key.
struct KeySetting {
    /// The `setDetails` member.
    member: &'static str,
    /// Its value.
    value: Value,
    /// What would be done: `disable`.
    plan: String,
    /// What was done: `disabled`.
    done: String,
    /// It replaces a setting the target's key has ([`Mode::update`])
    /// rather than adding one it lacks.
    update: bool,
}

impl KeySetting {
    /// Sets it on key `key` of `to`; a failure is noted in `failed`.
    async fn apply(self, to: &NodeSession, key: &str, failed: &mut Vec<String>) {
        let details = Struct::with_capacity(1).with(self.member, self.value);
        let params = vec![key.into(), Value::Struct(details)];
        add_part(to, &self.done, "activationkey.setDetails", params, failed).await;
    }
}

/// The settings of key `key` (the source's) that `held` (the target's)
/// lacks: disabled when the source's is; the source's contact method when
/// the target's is the default. With `update`, also every other setting
/// that differs: description, base channel, usage limit, universal
/// default, enabled, contact method.
fn key_settings(key: &Struct, held: &Struct, update: bool) -> Vec<KeySetting> {
    let disabled = |k: &Struct| k.get("disabled").and_then(Value::as_bool) == Some(true);
    fn contact(k: &Struct) -> &str {
        match text(k, "contact_method") {
            "" => "default",
            method => method,
        }
    }
    let mut settings = Vec::new();
    let mut set = |member: &'static str, value: Value, plan: String, done: String, update| {
        settings.push(KeySetting {
            member,
            value,
            plan,
            done,
            update,
        });
    };
    if disabled(key) && !disabled(held) {
        set(
            "disabled",
            Value::Bool(true),
            "disable".to_owned(),
            "disabled".to_owned(),
            false,
        );
    }
    let method = contact(key);
    if method != "default" && contact(held) == "default" {
        set(
            "contact_method",
            Value::string(method),
            format!("set contact method {method}"),
            format!("contact method {method} set"),
            false,
        );
    }
    if !update {
        return settings;
    }
    if !disabled(key) && disabled(held) {
        set(
            "disabled",
            Value::Bool(false),
            "enable".to_owned(),
            "enabled".to_owned(),
            true,
        );
    }
    if method != contact(held) && contact(held) != "default" {
        set(
            "contact_method",
            Value::string(method),
            format!("set contact method {method}"),
            format!("contact method {method} set"),
            true,
        );
    }
    if text(key, "description").trim() != text(held, "description").trim() {
        set(
            "description",
            Value::string(text(key, "description")),
            "set description".to_owned(),
            "description set".to_owned(),
            true,
        );
    }
    fn base(k: &Struct) -> &str {
        match text(k, "base_channel_label") {
            "none" => "",
            base => base,
        }
    }
    if base(key) != base(held) {
        let shown = match base(key) {
            "" => "none",
            base => base,
        };
        set(
            "base_channel_label",
            Value::string(base(key)),
            format!("set base channel {shown}"),
            format!("base channel {shown} set"),
            true,
        );
    }
    // No limit shows as 0 (`TokenSerializer`).
    let limit = |k: &Struct| k.get("usage_limit").and_then(Value::as_i64).unwrap_or(0);
    if limit(key) != limit(held) {
        match limit(key) {
            0 => set(
                "unlimited_usage_limit",
                Value::Bool(true),
                "lift the usage limit".to_owned(),
                "usage limit lifted".to_owned(),
                true,
            ),
            n => set(
                "usage_limit",
                Value::Int(i32::try_from(n).unwrap_or(i32::MAX)),
                format!("set usage limit {n}"),
                format!("usage limit {n} set"),
                true,
            ),
        }
    }
    let universal = |k: &Struct| k.get("universal_default").and_then(Value::as_bool) == Some(true);
    if universal(key) != universal(held) {
        let (plan, done) = match universal(key) {
            true => (
                "make it the universal default",
                "made the universal default",
            ),
            false => ("unset universal default", "universal default unset"),
        };
        set(
            "universal_default",
            Value::Bool(universal(key)),
            plan.to_owned(),
            done.to_owned(),
            true,
        );
    }
    settings
}

const UNMAPPED_GROUP: &str = "system groups: a group of the key is not on the target";

/// Creates one key on `to` and adds its parts.
async fn copy_key(
    from: &NodeSession,
    to: &NodeSession,
    key: &Struct,
    groups: &HashMap<i64, i64>,
) -> Result<Outcome, SeedError> {
    let full = text(key, "key");
    let short = short_key(full);
    let base = match text(key, "base_channel_label") {
        "none" => "",
        base => base,
    };
    let mut params: Vec<Value> = vec![short.into(), text(key, "description").into(), base.into()];
    // A key without a limit shows 0 (`TokenSerializer`); a limit of 0
    // given to `create` would let no system register.
    if let Some(limit) = key.get("usage_limit").and_then(Value::as_i64)
        && limit > 0
    {
        params.push(Value::Int(i32::try_from(limit).unwrap_or(i32::MAX)));
    }
    params.push(Value::Array(
        strings(key, "entitlements")
            .into_iter()
            .map(Value::String)
            .collect(),
    ));
    params.push(Value::Bool(
        key.get("universal_default")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    ));
    let created = to.call("activationkey.create", params).await?;
    let made = created.as_str().unwrap_or(full).to_owned();

    let mut failed = Vec::new();
    // `create` makes an enabled key with the default contact method: each
    // setting apart, so that one the target refuses leaves the other.
    for setting in key_settings(key, &Struct::default(), false) {
        setting.apply(to, &made, &mut failed).await;
    }
    let (parts, unlisted) = KeyParts::of(from, key).await;
    failed.extend(unlisted);
    let (parts, unmapped) = parts.lacking(&KeyParts::default(), groups);
    if unmapped {
        failed.push(UNMAPPED_GROUP.to_owned());
    }
    failed.extend(parts.add_to(to, &made).await);
    Ok(if failed.is_empty() {
        Outcome::Created
    } else {
        Outcome::Partly(failed.join("; "))
    })
}

/// Calls `method` on `to`; a failure is noted in `failed` as `what`.
async fn add_part(
    to: &NodeSession,
    what: &str,
    method: &str,
    params: Vec<Value>,
    failed: &mut Vec<String>,
) {
    if let Err(e) = to.call(method, params).await {
        failed.push(format!("{what}: {}", fault_text(&e)));
    }
}

/// Users. One the target lacks who logs in through PAM (`use_pam`) is
/// created with the same names and e-mail (the server keeps no password
/// of its own for such a user); any other is listed, not copied: no API
/// reads a password back. Then every user on both gets the roles and
/// system groups it lacks, and is disabled if disabled on the source;
/// with [`Mode::update`], a PAM user on both gets the source's names and
/// e-mail address.
async fn seed_users(
    from: &NodeSession,
    to: &NodeSession,
    mode: Mode,
    report: &mut Report,
) -> Result<(), SeedError> {
    const KIND: &str = "user";
    let theirs: HashSet<String> = to
        .list("user.listUsers", Vec::new())
        .await?
        .iter()
        .map(|u| text(u, "login").to_owned())
        .collect();
    for user in from.list("user.listUsers", Vec::new()).await? {
        let login = text(&user, "login");
        let outcome = copy_user(from, to, login, theirs.contains(login), mode)
            .await
            .unwrap_or_else(|e| Outcome::Failed(fault_text(&e)));
        report.push(KIND, login, outcome);
    }
    Ok(())
}

/// What of a user seeding copies: roles, the system groups the user
/// administers and those the user's systems join (by name), enabled.
#[derive(Debug, Default)]
struct UserParts {
    roles: Vec<String>,
    assigned: Vec<String>,
    defaults: Vec<String>,
    enabled: bool,
}

impl UserParts {
    /// User `login`'s details on `node`.
    async fn details(node: &NodeSession, login: &str) -> Result<Struct, SeedError> {
        let details = node.call("user.getDetails", vec![login.into()]).await?;
        details
            .as_struct()
            .cloned()
            .ok_or_else(|| SeedError::Shape {
                node: node.node.clone(),
                method: "user.getDetails".to_owned(),
            })
    }

    /// User `login`'s parts on `node`, whose `details` are given.
    async fn of(node: &NodeSession, login: &str, details: &Struct) -> Result<UserParts, SeedError> {
        let names = async |method: &str| -> Result<Vec<String>, SeedError> {
            Ok(node
                .list(method, vec![login.into()])
                .await?
                .iter()
                .map(|g| text(g, "name").to_owned())
                .collect())
        };
        let (roles, assigned, defaults) = tokio::join!(
            node.call("user.listRoles", vec![login.into()]),
            names("user.listAssignedSystemGroups"),
            names("user.listDefaultSystemGroups"),
        );
        Ok(UserParts {
            roles: roles?
                .as_array()
                .unwrap_or_default()
                .iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect(),
            assigned: assigned?,
            defaults: defaults?,
            enabled: details.get("enabled").and_then(Value::as_bool) != Some(false),
        })
    }

    /// What of `self` `held` lacks; `enabled` false when `self` is
    /// disabled and `held` is not.
    fn lacking(&self, held: &UserParts) -> UserParts {
        let missing = |mine: &[String], theirs: &[String]| -> Vec<String> {
            mine.iter()
                .filter(|x| !theirs.contains(x))
                .cloned()
                .collect()
        };
        UserParts {
            roles: missing(&self.roles, &held.roles),
            assigned: missing(&self.assigned, &held.assigned),
            defaults: missing(&self.defaults, &held.defaults),
            enabled: self.enabled || !held.enabled,
        }
    }

    fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.assigned.is_empty()
            && self.defaults.is_empty()
            && self.enabled
    }

    /// `added role config_admin, 1 assigned system group, disabled`, or
    /// for a plan `add ..., disable`.
    fn describe(&self, plan: bool) -> String {
        let mut parts: Vec<String> = self.roles.iter().map(|r| format!("role {r}")).collect();
        for (n, what) in [
            (self.assigned.len(), "assigned system group"),
            (self.defaults.len(), "default system group"),
        ] {
            if n > 0 {
                parts.push(counted(n, what));
            }
        }
        let mut said = parts.join(", ");
        if !said.is_empty() {
            said = format!("{} {said}", if plan { "add" } else { "added" });
        }
        if !self.enabled {
            let disabled = if plan { "disable" } else { "disabled" };
            said = match said.is_empty() {
                true => disabled.to_owned(),
                false => format!("{said}, {disabled}"),
            };
        }
        said
    }

    /// Gives user `login` on `to` these parts; answers what failed.
    async fn add_to(&self, to: &NodeSession, login: &str) -> Vec<String> {
        let mut failed = Vec::new();
        for role in &self.roles {
            let params = vec![login.into(), Value::string(role)];
            add_part(
                to,
                &format!("role {role}"),
                "user.addRole",
                params,
                &mut failed,
            )
            .await;
        }
        let names = |list: &[String]| Value::Array(list.iter().map(Value::string).collect());
        if !self.assigned.is_empty() {
            // Not also made the user's default groups.
            let params = vec![login.into(), names(&self.assigned), Value::Bool(false)];
            add_part(
                to,
                "assigned system groups",
                "user.addAssignedSystemGroups",
                params,
                &mut failed,
            )
            .await;
        }
        if !self.defaults.is_empty() {
            let params = vec![login.into(), names(&self.defaults)];
            add_part(
                to,
                "default system groups",
                "user.addDefaultSystemGroups",
                params,
                &mut failed,
            )
            .await;
        }
        if !self.enabled {
            add_part(
                to,
                "disabled",
                "user.disable",
                vec![login.into()],
                &mut failed,
            )
            .await;
        }
        failed
    }
}

/// A user's first name as `user.getDetails` gives it (`first_names` on
/// older servers).
fn first_name(details: &Struct) -> &str {
    match text(details, "first_name") {
        "" => text(details, "first_names"),
        first => first,
    }
}

/// Reads one detail of a `user.getDetails` struct.
type ReadDetail = fn(&Struct) -> &str;

/// The details [`Mode::update`] brings in line (`user.setDetails`): what
/// the report calls each, its member, and how to read it.
const USER_DETAILS: [(&str, &str, ReadDetail); 3] = [
    ("first name", "first_name", first_name),
    ("last name", "last_name", |d| text(d, "last_name")),
    ("e-mail", "email", |d| text(d, "email")),
];

/// Creates user `login` on `to` if it logs in through PAM and `to` lacks
/// it, then gives it what it lacks; with [`Mode::update`], brings a held
/// PAM user's names and e-mail address in line with the source's (other
/// users' details, the administrator's among them, are each node's own).
async fn copy_user(
    from: &NodeSession,
    to: &NodeSession,
    login: &str,
    present: bool,
    mode: Mode,
) -> Result<Outcome, SeedError> {
    let details = UserParts::details(from, login).await?;
    let pam = details.get("use_pam").and_then(Value::as_bool) == Some(true);
    if !present && !pam {
        return Ok(Outcome::NotCopied(
            "no API reads a password back: create the user with user.create".to_owned(),
        ));
    }
    // The target first (when it holds the user): a role or group removed
    // from both meanwhile is not added back.
    let (held, differ) = match present {
        true => {
            let theirs = UserParts::details(to, login).await?;
            // PAM users only: the others (the administrator's account
            // among them) are each node's own. An empty source value is
            // not sent: the server refuses an empty e-mail address.
            let differ: Vec<(&str, &str, &str)> = USER_DETAILS
                .iter()
                .filter(|(_, _, read)| {
                    mode.update
                        && pam
                        && !read(&details).is_empty()
                        && read(&details) != read(&theirs)
                })
                .map(|(said, member, read)| (*said, *member, read(&details)))
                .collect();
            (Some(UserParts::of(to, login, &theirs).await?), differ)
        }
        false => (None, Vec::new()),
    };
    let source = UserParts::of(from, login, &details).await?;
    if !present && mode.dry_run {
        return Ok(Outcome::WouldCreate);
    }
    if !present {
        to.call(
            "user.create",
            vec![
                login.into(),
                "".into(),
                first_name(&details).into(),
                text(&details, "last_name").into(),
                text(&details, "email").into(),
                Value::Int(1),
            ],
        )
        .await?;
    }
    let held = held.unwrap_or_else(|| UserParts {
        enabled: true,
        ..UserParts::default()
    });
    let lacking = source.lacking(&held);
    if lacking.is_empty() && differ.is_empty() {
        return Ok(if present {
            Outcome::Present
        } else {
            Outcome::Created
        });
    }
    let set = differ
        .iter()
        .map(|(said, ..)| *said)
        .collect::<Vec<_>>()
        .join(", ");
    let said = |plan: bool| {
        let mut parts = Vec::new();
        if !differ.is_empty() {
            parts.push(format!("set {set}"));
        }
        if !lacking.is_empty() {
            parts.push(lacking.describe(plan));
        }
        parts.join(", ")
    };
    if mode.dry_run {
        let plan = format!("would {}", said(true));
        return Ok(match differ.is_empty() {
            true => Outcome::WouldComplete(plan),
            false => Outcome::WouldUpdate(plan),
        });
    }
    let mut failed = Vec::new();
    if !differ.is_empty() {
        let members: Struct = differ
            .iter()
            .map(|(_, member, value)| ((*member).to_owned(), Value::string(*value)))
            .collect();
        let params = vec![login.into(), members.into()];
        add_part(to, &set, "user.setDetails", params, &mut failed).await;
    }
    failed.extend(lacking.add_to(to, login).await);
    Ok(match (failed.is_empty(), present) {
        (false, _) => Outcome::Partly(failed.join("; ")),
        (true, false) => Outcome::Created,
        (true, true) if differ.is_empty() => Outcome::Completed(said(false)),
        (true, true) => Outcome::Updated(said(false)),
    })
}
