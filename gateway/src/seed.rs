//! `gateway seed-node`: copies the data every node shares from a serving
//! node onto one that joins the cluster, before it is staged.
//!
//! The gateway broadcasts changes of shared data (system groups,
//! configuration channels, activation keys, users) to every node that
//! serves at the time. A node added later has none of what came before, so
//! a client placed on it could not register with the cluster's activation
//! keys. This copies, over each node's own XML-RPC API and with an
//! administrator's credentials:
//!
//! 1. system groups (name, description);
//! 2. configuration channels (label, name, description, type; a channel
//!    that holds files is reported as copied in part: files are not copied
//!    yet);
//! 3. activation keys (description, base channel, usage limit, add-on
//!    entitlements, universal default, disabled, contact method), with
//!    their system groups (by name), child channels, packages and
//!    configuration channels.
//!
//! What the target already holds (by group name, channel label, key) is
//! left as it is, so a second run copies only what is still missing: an
//! item copied in part, or changed on the source since, is not revisited.
//! Users are listed but not copied: no API reads a password back.
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

    /// Logs out; a failure is only logged (the session expires anyway).
    pub async fn logout(self) {
        if let Err(e) = self.call("auth.logout", Vec::new()).await {
            tracing::warn!(node = %self.node, error = %e, "logging out failed");
        }
    }

    /// Calls `method` with the session key and `params`.
    async fn call(&self, method: &str, params: Vec<Value>) -> Result<Value, SeedError> {
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
    async fn list(&self, method: &str, params: Vec<Value>) -> Result<Vec<Struct>, SeedError> {
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
}

/// One item of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `system group`, `configuration channel`, `activation key`, `user`.
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
    fn push(&mut self, kind: &'static str, name: &str, outcome: Outcome) {
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
            };
            write!(f, "{what:<13} {:<22} {}", line.kind, line.name)?;
            match why {
                Some(why) => writeln!(f, ": {why}")?,
                None => writeln!(f)?,
            }
        }
        write!(
            f,
            "{} created, {} present, {} failed or partly copied, {} not copied",
            self.count(|o| matches!(o, Outcome::Created | Outcome::WouldCreate)),
            self.count(|o| matches!(o, Outcome::Present)),
            self.count(|o| matches!(o, Outcome::Failed(_) | Outcome::Partly(_))),
            self.count(|o| matches!(o, Outcome::NotCopied(_))),
        )
    }
}

fn text<'s>(s: &'s Struct, name: &str) -> &'s str {
    s.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn strings(s: &Struct, name: &str) -> Vec<String> {
    s.get(name)
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn fault_text(e: &SeedError) -> String {
    match e {
        SeedError::Fault { fault, .. } => format!("fault {}: {}", fault.code, fault.string),
        other => other.to_string(),
    }
}

/// Logs into nodes `from` and `to` of `gateway`'s node list as `user`,
/// copies what `to` lacks ([`seed`]) and logs out of both.
pub async fn between(
    gateway: &Gateway,
    from: &str,
    to: &str,
    user: &str,
    password: &str,
    dry_run: bool,
) -> Result<Report, SeedError> {
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
    let target = match session(to).await {
        Ok(target) => target,
        Err(e) => {
            source.logout().await;
            return Err(e);
        }
    };
    let report = seed(&source, &target, dry_run).await;
    source.logout().await;
    target.logout().await;
    report
}

/// Copies the shared data of `from` that `to` lacks onto `to`; with
/// `dry_run`, only reports what it would create.
pub async fn seed(
    from: &NodeSession,
    to: &NodeSession,
    dry_run: bool,
) -> Result<Report, SeedError> {
    let mut report = Report::default();
    let groups = seed_groups(from, to, dry_run, &mut report).await?;
    seed_config_channels(from, to, dry_run, &mut report).await?;
    seed_activation_keys(from, to, &groups, dry_run, &mut report).await?;
    report_users(from, to, &mut report).await?;
    Ok(report)
}

/// Groups by name; answers the source's group ids mapped to the target's.
async fn seed_groups(
    from: &NodeSession,
    to: &NodeSession,
    dry_run: bool,
    report: &mut Report,
) -> Result<HashMap<i64, i64>, SeedError> {
    const KIND: &str = "system group";
    let theirs: BTreeMap<String, i64> = to
        .list("systemgroup.listAllGroups", Vec::new())
        .await?
        .iter()
        .filter_map(|g| Some((text(g, "name").to_owned(), g.get("id")?.as_i64()?)))
        .collect();
    let mut ids = HashMap::new();
    for group in from.list("systemgroup.listAllGroups", Vec::new()).await? {
        let name = text(&group, "name");
        let Some(id) = group.get("id").and_then(Value::as_i64) else {
            continue;
        };
        if let Some(&target) = theirs.get(name) {
            ids.insert(id, target);
            report.push(KIND, name, Outcome::Present);
            continue;
        }
        if dry_run {
            report.push(KIND, name, Outcome::WouldCreate);
            continue;
        }
        let created = to
            .call(
                "systemgroup.create",
                vec![name.into(), text(&group, "description").into()],
            )
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
    Ok(ids)
}

async fn seed_config_channels(
    from: &NodeSession,
    to: &NodeSession,
    dry_run: bool,
    report: &mut Report,
) -> Result<(), SeedError> {
    const KIND: &str = "configuration channel";
    let theirs: HashSet<String> = to
        .list("configchannel.listGlobals", Vec::new())
        .await?
        .iter()
        .map(|c| text(c, "label").to_owned())
        .collect();
    for channel in from.list("configchannel.listGlobals", Vec::new()).await? {
        let label = text(&channel, "label");
        if theirs.contains(label) {
            report.push(KIND, label, Outcome::Present);
            continue;
        }
        if dry_run {
            report.push(KIND, label, Outcome::WouldCreate);
            continue;
        }
        let kind = match text(&channel, "type") {
            "" => channel
                .get("configChannelType")
                .and_then(Value::as_struct)
                .map_or("normal", |t| text(t, "label")),
            kind => kind,
        };
        let created = to
            .call(
                "configchannel.create",
                vec![
                    label.into(),
                    text(&channel, "name").into(),
                    text(&channel, "description").into(),
                    kind.into(),
                ],
            )
            .await;
        let outcome = match created {
            Ok(_) => match from
                .call("configchannel.listFiles", vec![label.into()])
                .await
            {
                Ok(files) if files.as_array().is_some_and(<[Value]>::is_empty) => Outcome::Created,
                Ok(files) => Outcome::Partly(format!(
                    "created without its {} files: copy them yourself",
                    files.as_array().map_or(0, <[Value]>::len)
                )),
                Err(e) => Outcome::Partly(format!(
                    "created; its files could not be listed ({}): copy them yourself",
                    fault_text(&e)
                )),
            },
            Err(e) => Outcome::Failed(fault_text(&e)),
        };
        report.push(KIND, label, outcome);
    }
    Ok(())
}

async fn seed_activation_keys(
    from: &NodeSession,
    to: &NodeSession,
    groups: &HashMap<i64, i64>,
    dry_run: bool,
    report: &mut Report,
) -> Result<(), SeedError> {
    const KIND: &str = "activation key";
    let theirs: HashSet<String> = to
        .list("activationkey.listActivationKeys", Vec::new())
        .await?
        .iter()
        .map(|k| text(k, "key").to_owned())
        .collect();
    for key in from
        .list("activationkey.listActivationKeys", Vec::new())
        .await?
    {
        let name = text(&key, "key");
        if theirs.contains(name) {
            report.push(KIND, name, Outcome::Present);
            continue;
        }
        if dry_run {
            report.push(KIND, name, Outcome::WouldCreate);
            continue;
        }
        let outcome = match copy_key(from, to, &key, groups).await {
            Ok(missing) if missing.is_empty() => Outcome::Created,
            Ok(missing) => Outcome::Partly(missing.join("; ")),
            Err(e) => Outcome::Failed(fault_text(&e)),
        };
        report.push(KIND, name, outcome);
    }
    Ok(())
}

/// Creates one key on `to` and adds its parts; answers the parts that
/// failed.
async fn copy_key(
    from: &NodeSession,
    to: &NodeSession,
    key: &Struct,
    groups: &HashMap<i64, i64>,
) -> Result<Vec<String>, SeedError> {
    let full = text(key, "key");
    // The server prefixes the organization's id: `create` takes the rest.
    let short = full.split_once('-').map_or(full, |(_, rest)| rest);
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

    let mut missing = Vec::new();
    // `create` makes an enabled key with the default contact method.
    let disabled = key.get("disabled").and_then(Value::as_bool) == Some(true);
    let contact = text(key, "contact_method");
    if disabled || !matches!(contact, "" | "default") {
        let mut details = Struct::with_capacity(2).with("disabled", Value::Bool(disabled));
        if !contact.is_empty() {
            details.push("contact_method", contact.into());
        }
        let params = vec![made.as_str().into(), Value::Struct(details)];
        add_part(
            to,
            "disabled, contact method",
            "activationkey.setDetails",
            params,
            &mut missing,
        )
        .await;
    }
    // The documentation calls the group ids strings; servers send ints.
    let source_groups: Vec<i64> = key
        .get("server_group_ids")
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
        .collect();
    let mapped: Vec<Value> = source_groups
        .iter()
        .filter_map(|id| groups.get(id).and_then(|&t| i32::try_from(t).ok()))
        .map(Value::Int)
        .collect();
    if mapped.len() < source_groups.len() {
        missing.push("system groups: a group of the key is not on the target".to_owned());
    }
    if !mapped.is_empty() {
        let params = vec![made.as_str().into(), Value::Array(mapped)];
        add_part(
            to,
            "system groups",
            "activationkey.addServerGroups",
            params,
            &mut missing,
        )
        .await;
    }
    let children = strings(key, "child_channel_labels");
    if !children.is_empty() {
        let labels = children.into_iter().map(Value::String).collect();
        let params = vec![made.as_str().into(), Value::Array(labels)];
        add_part(
            to,
            "child channels",
            "activationkey.addChildChannels",
            params,
            &mut missing,
        )
        .await;
    }
    let packages: Vec<Value> = key
        .get("packages")
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            let p = p.as_struct()?;
            let mut out = Struct::with_capacity(2).with("name", text(p, "name").into());
            if let Some(arch) = p.get("arch").and_then(Value::as_str) {
                out.push("arch", arch.into());
            }
            Some(Value::Struct(out))
        })
        .collect();
    if !packages.is_empty() {
        let params = vec![made.as_str().into(), Value::Array(packages)];
        add_part(
            to,
            "packages",
            "activationkey.addPackages",
            params,
            &mut missing,
        )
        .await;
    }
    match from
        .list("activationkey.listConfigChannels", vec![full.into()])
        .await
    {
        Ok(channels) if channels.is_empty() => {}
        Ok(channels) => {
            let labels = channels
                .iter()
                .map(|c| Value::string(text(c, "label")))
                .collect();
            let params = vec![
                Value::Array(vec![made.as_str().into()]),
                Value::Array(labels),
                Value::Bool(true),
            ];
            add_part(
                to,
                "configuration channels",
                "activationkey.addConfigChannels",
                params,
                &mut missing,
            )
            .await;
        }
        Err(e) => missing.push(format!("configuration channels: {}", fault_text(&e))),
    }
    Ok(missing)
}

/// Calls `method` on `to`; a failure is noted in `missing` as `what`.
async fn add_part(
    to: &NodeSession,
    what: &str,
    method: &str,
    params: Vec<Value>,
    missing: &mut Vec<String>,
) {
    if let Err(e) = to.call(method, params).await {
        missing.push(format!("{what}: {}", fault_text(&e)));
    }
}

/// Users the target lacks: listed, never copied.
async fn report_users(
    from: &NodeSession,
    to: &NodeSession,
    report: &mut Report,
) -> Result<(), SeedError> {
    let theirs: HashSet<String> = to
        .list("user.listUsers", Vec::new())
        .await?
        .iter()
        .map(|u| text(u, "login").to_owned())
        .collect();
    for user in from.list("user.listUsers", Vec::new()).await? {
        let login = text(&user, "login");
        if !theirs.contains(login) {
            report.push(
                "user",
                login,
                Outcome::NotCopied(
                    "no API reads a password back: create the user with user.create".to_owned(),
                ),
            );
        }
    }
    Ok(())
}
