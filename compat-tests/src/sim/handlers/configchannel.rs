//! `configchannel`'s global configuration channels: `create` (all three
//! overloads), `getDetails` by label or id, `listGlobals`,
//! `lookupChannelInfo`, `update`, `deleteChannels`, `channelExists`; their
//! files, directories and links (`listFiles`, `lookupFileInfo` of the
//! latest revisions, `getFileRevisions`, `getFileRevision`,
//! `getEncodedFileRevision`, `createOrUpdatePath`,
//! `createOrUpdateSymlink`, `updateInitSls`, `deleteFiles`); and a
//! system's channels (`system.config.listChannels`, `addChannels`,
//! `removeChannels`, `setChannels`).
//! Each node numbers its channels from
//! [`crate::sim::seed::first_custom_id`]; none are seeded.
//!
//! Follows the server's `ConfigChannelHandler`,
//! `XmlRpcConfigChannelHelper`, `ConfigFileBuilder`,
//! `ConfigChannelCreationHelper` (a state channel is made with an empty
//! `/init.sls`, root:root 644), `ConfigChannelSerializer` and
//! `ConfigRevisionSerializer`.
//! Simplified: one organization, any system takes configuration channels
//! (the server asks for configuration management capabilities), and file
//! contents are not checked for macros or size. Unverified against a
//! server: the text after 1021's and 1023's fixed starts and the texts of
//! 1213 and 1233 (the server words them from a localized catalog), and
//! `listGlobals` ordered by name.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::clock::{format_datetime, now_secs};
use crate::sim::model::{ConfigChannel, ConfigFile, ConfigRevision, CustomContent, take_id};
use crate::sim::{Node, faults};

/// The channel types `create` takes (`getGlobalChannelType`).
const TYPES: &[&str] = &["normal", "state"];

/// `ConfigChannelCreationHelper.MAX_LABEL_LENGTH`.
const MAX_LABEL: usize = 64;

/// The role `ensureConfigAdmin` asks for (or an organization admin).
const CONFIG_ADMIN: &str = "config_admin";

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "create" => create(node, call),
        "getDetails" => get_details(node, call),
        "listGlobals" => list_globals(node, call),
        "lookupChannelInfo" => lookup_info(node, call),
        "update" => update(node, call),
        "deleteChannels" => delete(node, call),
        "channelExists" => exists(node, call),
        "listFiles" => list_files(node, call),
        "lookupFileInfo" if call.arg("paths").is_some() => lookup_files(node, call),
        "getFileRevisions" => file_revisions(node, call),
        "getFileRevision" => file_revision(node, call, false),
        "getEncodedFileRevision" => file_revision(node, call, true),
        "createOrUpdatePath" => create_or_update(node, call, Made::Path),
        "createOrUpdateSymlink" => create_or_update(node, call, Made::Symlink),
        "updateInitSls" => create_or_update(node, call, Made::InitSls),
        "deleteFiles" => delete_files(node, call),
        _ => return None,
    })
}

/// `ConfigChannelTypeSerializer` of a type label: the ids and priorities
/// every server seeds.
fn channel_type(kind: &str) -> Value {
    let (id, name, priority) = match kind {
        "state" => (4, "Configuration channel based on SALT state", 1),
        _ => (1, "A general purpose configuration channel", 1),
    };
    Struct::with_capacity(4)
        .with("id", Value::Int(id))
        .with("label", Value::string(kind))
        .with("name", Value::string(name))
        .with("priority", Value::Int(priority))
        .into()
}

/// A channel as `ConfigChannelSerializer` shows it.
pub(super) fn details(c: &ConfigChannel) -> Value {
    Struct::with_capacity(6)
        .with("id", Value::Int(c.id))
        .with("label", Value::string(&c.label))
        .with("name", Value::string(&c.name))
        .with("description", Value::string(&c.description))
        .with("orgId", Value::Int(1))
        .with("configChannelType", channel_type(&c.kind))
        .into()
}

/// `ConfigurationManager.lookupConfigChannel`'s `LookupException`, which
/// the server answers unhandled (-1, its class name and text), as it
/// answers an unknown session key. `what` is `id=<id>` or
/// `label=<label>`.
fn lookup_failed(what: &str) -> Fault {
    Fault::new(
        -1,
        format!(
            "com.redhat.rhn.common.hibernate.LookupException: Could not find config channel with {what}"
        ),
    )
}

fn by_label<'d>(custom: &'d CustomContent, label: &str) -> Option<&'d ConfigChannel> {
    custom.config_channels.values().find(|c| c.label == label)
}

/// `listFiles(label)`: a channel's paths in order
/// (`ConfigFileDtoSerializer`).
fn list_files(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let data = node.read();
    let channel =
        by_label(&data.custom, label).ok_or_else(|| lookup_failed(&format!("label={label}")))?;
    Ok(Value::Array(
        channel
            .files
            .iter()
            .map(|(path, file)| {
                Struct::with_capacity(3)
                    .with("type", Value::string(&file.kind))
                    .with("path", Value::string(path))
                    .with(
                        "last_modified",
                        Value::DateTime(format_datetime(file.latest().created)),
                    )
                    .into()
            })
            .collect(),
    ))
}

/// `NoSuchConfigFilePathException`.
fn no_such_path(path: &str, label: &str) -> Fault {
    faults::domain(
        -1029,
        &format!("No such configuration file path: {path} in config channel: {label}"),
    )
}

/// The fault `getFileRevision(s)` answer for a path the channel lacks.
fn no_such_file(path: &str) -> Fault {
    faults::domain(
        1022,
        &format!("Could not find configuration file with filePath=: {path}"),
    )
}

/// `ConfigRevisionSerializer`: the contents in base64 when `encoded` (the
/// `EncodedConfigRevision` of `getEncodedFileRevision`) or binary.
fn revision_value(
    channel: &ConfigChannel,
    path: &str,
    file: &ConfigFile,
    rev: &ConfigRevision,
    encoded: bool,
) -> Value {
    let mut s = Struct::with_capacity(16)
        .with("type", Value::string(&file.kind))
        .with("path", Value::string(path))
        .with("revision", Value::Int(rev.revision))
        .with("creation", Value::DateTime(format_datetime(rev.created)))
        .with("modified", Value::DateTime(format_datetime(rev.created)))
        .with("selinux_ctx", Value::string(&rev.selinux_ctx));
    if file.kind == "symlink" {
        s.push("target_path", Value::string(&rev.target_path));
    } else {
        s.push("owner", Value::string(&rev.owner));
        s.push("group", Value::string(&rev.group));
        s.push(
            "permissions",
            Value::Int(i32::try_from(rev.mode).unwrap_or(0)),
        );
        s.push(
            "permissions_mode",
            Value::String(format!("{:03}", rev.mode)),
        );
    }
    if file.kind == "file" || file.kind == "sls" {
        s.push("binary", Value::Bool(rev.binary));
        s.push(
            "sha256",
            Value::String(hex::encode(Sha256::digest(&rev.contents))),
        );
        if encoded || rev.binary {
            s.push("contents", Value::String(STANDARD.encode(&rev.contents)));
            s.push("contents_enc64", Value::Bool(true));
        } else {
            s.push(
                "contents",
                Value::String(String::from_utf8_lossy(&rev.contents).into_owned()),
            );
            s.push("contents_enc64", Value::Bool(false));
        }
        if !rev.binary {
            s.push("macro-start-delimiter", Value::string(&rev.delimiters.0));
            s.push("macro-end-delimiter", Value::string(&rev.delimiters.1));
        }
    }
    s.push("channel", Value::string(&channel.name));
    s.into()
}

/// `ConfigRevisionSerializer.addFileContent`: text the server cannot put
/// in XML (C0 control characters other than tab, line feed and carriage
/// return) fails the answer that would show it as text.
fn showable(rev: &ConfigRevision, encoded: bool) -> Result<(), Fault> {
    // XML 1.0 takes every character from U+0020 on, and these three below.
    let unshowable = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    if encoded || rev.binary || !String::from_utf8_lossy(&rev.contents).contains(unshowable) {
        return Ok(());
    }
    Err(faults::domain(1023, "The binary file was marked as text."))
}

/// [`global`], to change.
fn global_mut<'d>(
    custom: &'d mut CustomContent,
    label: &str,
) -> Result<&'d mut ConfigChannel, Fault> {
    custom
        .config_channels
        .values_mut()
        .find(|c| c.label == label)
        .ok_or_else(faults::no_such_channel)
}

/// `XmlRpcConfigChannelHelper.lookupGlobal`: one channel by label.
fn global<'d>(custom: &'d CustomContent, label: &str) -> Result<&'d ConfigChannel, Fault> {
    by_label(custom, label).ok_or_else(faults::no_such_channel)
}

/// `lookupFileInfo(label, paths)`: the latest revision of each path, in
/// the order asked; an unknown path fails the call.
fn lookup_files(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let paths = call.strs("paths")?;
    let data = node.read();
    let channel = global(&data.custom, label)?;
    paths
        .iter()
        .map(|path| {
            let file = channel
                .files
                .get(path)
                .ok_or_else(|| no_such_path(path, label))?;
            showable(file.latest(), false)?;
            Ok(revision_value(channel, path, file, file.latest(), false))
        })
        .collect::<Result<Vec<_>, Fault>>()
        .map(Value::Array)
}

/// `getFileRevisions(label, filePath)`: every revision, oldest first.
fn file_revisions(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let path = call.str("filePath")?;
    let data = node.read();
    let channel = global(&data.custom, label)?;
    let file = channel.files.get(path).ok_or_else(|| no_such_file(path))?;
    file.revisions
        .iter()
        .map(|rev| {
            showable(rev, false)?;
            Ok(revision_value(channel, path, file, rev, false))
        })
        .collect::<Result<Vec<_>, Fault>>()
        .map(Value::Array)
}

/// `getFileRevision` / `getEncodedFileRevision(label, filePath,
/// revision)`.
fn file_revision(node: &Node, call: &Call<'_>, encoded: bool) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let path = call.str("filePath")?;
    let revision = call.int("revision")?;
    let data = node.read();
    let channel = global(&data.custom, label)?;
    let file = channel.files.get(path).ok_or_else(|| no_such_file(path))?;
    let rev = file
        .revisions
        .iter()
        .find(|r| i64::from(r.revision) == revision)
        .ok_or_else(|| {
            Fault::new(
                -1,
                format!(
                    "com.redhat.rhn.common.hibernate.LookupException: Could not find config revision with revision number {revision}"
                ),
            )
        })?;
    showable(rev, encoded)?;
    Ok(revision_value(channel, path, file, rev, encoded))
}

/// What a `createOrUpdate*` call makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Made {
    /// `createOrUpdatePath`: a file or directory (`isDir`).
    Path,
    /// `createOrUpdateSymlink`.
    Symlink,
    /// `updateInitSls`: a state channel's `/init.sls`.
    InitSls,
}

/// The path of a state channel's state file.
const INIT_SLS: &str = "/init.sls";

/// `ConfigFileErrorException` (1023): `ConfigFileBuilder`'s validation.
fn file_error(why: &str) -> Fault {
    faults::domain(
        1023,
        &format!("Following errors were encountered when creating the config file.\n{why}"),
    )
}

/// `XmlRpcConfigChannelHelper.getContents`: `contents`, decoded from
/// base64 when `contents_enc64` (or `binary`) says so.
fn contents(info: &Struct, binary: bool) -> Result<Vec<u8>, Fault> {
    let text = info
        .get("contents")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let encoded = binary || info.get("contents_enc64").and_then(Value::as_bool) == Some(true);
    if encoded {
        STANDARD
            .decode(text.trim())
            .map_err(|_| faults::domain(1023, "The contents are not valid base64."))
    } else {
        Ok(text.as_bytes().to_vec())
    }
}

/// `ConfigurationValidation.validatePath` and `ConfigFileData`'s checks
/// of owner, group and mode.
fn validate_path(path: &str) -> Result<(), Fault> {
    if path.is_empty() || !path.starts_with('/') || path.ends_with('/') || path.contains("..") {
        return Err(file_error(&format!(
            "The path {path} must be absolute, must not end with '/' and must not hold '..'."
        )));
    }
    Ok(())
}

fn validate_owner(what: &str, name: &str) -> Result<(), Fault> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(file_error(&format!(
            "'{what}' must be a user or group name or id."
        )))
    }
}

/// Octal permissions of 3 or 4 digits, kept as read in decimal (`0644` is
/// 644).
fn parse_mode(text: &str) -> Result<i64, Fault> {
    let ok = (3..=4).contains(&text.len()) && text.bytes().all(|b| (b'0'..=b'7').contains(&b));
    ok.then(|| text.parse().ok())
        .flatten()
        .ok_or_else(|| file_error("'permissions' must be 3 or 4 octal digits."))
}

/// `createOrUpdatePath`, `createOrUpdateSymlink` and `updateInitSls`: a
/// new path is revision 1; a change of an existing one is its next
/// revision (or the one given, which must be higher), and data equal to
/// the latest revision changes nothing. A path keeps its type.
fn create_or_update(node: &Node, call: &Call<'_>, made: Made) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let info = call
        .arg("pathInfo")
        .and_then(Value::as_struct)
        .ok_or_else(|| faults::internal("missing struct parameter pathInfo"))?;
    let is_dir = made == Made::Path && call.bool("isDir")?;
    let path = match made {
        Made::InitSls => INIT_SLS,
        _ => call.str("path")?,
    };
    let allowed: &[&str] = match made {
        Made::Symlink => &["target_path", "revision", "selinux_ctx"],
        Made::InitSls => &["contents", "contents_enc64", "revision"],
        Made::Path if is_dir => &["owner", "group", "permissions", "revision", "selinux_ctx"],
        Made::Path => &[
            "owner",
            "group",
            "permissions",
            "revision",
            "selinux_ctx",
            "contents",
            "contents_enc64",
            "macro-start-delimiter",
            "macro-end-delimiter",
            "binary",
        ],
    };
    super::activationkey::check_members(info, allowed)?;
    let mut data = node.write();
    let channel = global_mut(&mut data.custom, label)?;
    let state = channel.kind == "state";
    match made {
        Made::Path | Made::Symlink if state && (is_dir || made == Made::Symlink) => {
            return Err(faults::domain(
                1233,
                "Directories and symbolic links are not supported for Salt minions.",
            ));
        }
        Made::Path if state && path == INIT_SLS => {
            return Err(faults::domain(
                1213,
                "Update init.sls with the updateInitSls method.",
            ));
        }
        Made::InitSls if !state => {
            return Err(faults::domain(
                1233,
                "Only a state channel's init.sls can be edited.",
            ));
        }
        _ => {}
    }
    validate_path(path)?;
    let kind = match made {
        Made::Symlink => "symlink",
        Made::InitSls => "sls",
        Made::Path if is_dir => "directory",
        Made::Path => "file",
    };
    let text = |name: &str| info.get(name).and_then(Value::as_str).map(str::to_owned);
    let existing = channel.files.get(path);
    if let Some(file) = existing
        && file.kind != kind
    {
        return Err(file_error(&format!(
            "{path} is a {}: its type cannot change.",
            file.kind
        )));
    }
    let previous = existing.map(ConfigFile::latest);
    let mut rev = match (made, previous) {
        // `updateInitSls` changes the contents only.
        (Made::InitSls, Some(previous)) => previous.clone(),
        _ => ConfigRevision {
            revision: 1,
            contents: Vec::new(),
            binary: false,
            owner: String::new(),
            group: String::new(),
            mode: 0,
            selinux_ctx: text("selinux_ctx").unwrap_or_default(),
            target_path: String::new(),
            delimiters: ("{|".to_owned(), "|}".to_owned()),
            created: 0,
        },
    };
    match kind {
        "symlink" => {
            rev.target_path = text("target_path").unwrap_or_default();
            validate_path(&rev.target_path)?;
        }
        _ if made == Made::InitSls => rev.contents = contents(info, false)?,
        _ => {
            rev.owner = text("owner").unwrap_or_default();
            rev.group = text("group").unwrap_or_default();
            validate_owner("owner", &rev.owner)?;
            validate_owner("group", &rev.group)?;
            rev.mode = parse_mode(&text("permissions").unwrap_or_default())?;
            if kind == "file" {
                rev.binary = info.get("binary").and_then(Value::as_bool) == Some(true);
                rev.contents = contents(info, rev.binary)?;
                for (name, slot) in [
                    ("macro-start-delimiter", &mut rev.delimiters.0),
                    ("macro-end-delimiter", &mut rev.delimiters.1),
                ] {
                    if let Some(d) = text(name).filter(|d| !d.trim().is_empty()) {
                        *slot = d;
                    }
                }
            }
        }
    }
    let asked = match info.get("revision") {
        None => None,
        Some(v) => Some(
            v.as_i64()
                .or_else(|| v.as_str()?.parse().ok())
                .and_then(|r| i32::try_from(r).ok())
                .ok_or_else(|| file_error("The revision number is not valid."))?,
        ),
    };
    if let Some(previous) = previous {
        let same = ConfigRevision {
            revision: previous.revision,
            created: previous.created,
            ..rev.clone()
        };
        if same == *previous {
            return Ok(revision_value(
                channel,
                path,
                &channel.files[path],
                previous,
                false,
            ));
        }
        rev.revision = match asked {
            Some(r) if r <= previous.revision => {
                return Err(file_error(&format!(
                    "The revision number must be higher than {}.",
                    previous.revision
                )));
            }
            Some(r) => r,
            None => previous.revision + 1,
        };
    }
    rev.created = now_secs();
    let file = channel
        .files
        .entry(path.to_owned())
        .or_insert_with(|| ConfigFile {
            kind: kind.to_owned(),
            revisions: Vec::new(),
        });
    file.revisions.push(rev);
    let file = &channel.files[path];
    Ok(revision_value(channel, path, file, file.latest(), false))
}

/// `deleteFiles(label, paths)`: all, or none when a path is unknown.
fn delete_files(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let paths = call.strs("paths")?;
    let mut data = node.write();
    let channel = global_mut(&mut data.custom, label)?;
    if let Some(missing) = paths
        .iter()
        .find(|p| !channel.files.contains_key(p.as_str()))
    {
        return Err(no_such_path(missing, label));
    }
    for path in &paths {
        channel.files.remove(path);
    }
    Ok(Value::Int(1))
}

/// The ids of the channels `labels` names, in order, each once; an
/// unknown label is `NoSuchChannelException`.
pub(super) fn ids_of(custom: &CustomContent, labels: &[String]) -> Result<Vec<i32>, Fault> {
    let mut ids: Vec<i32> = Vec::with_capacity(labels.len());
    for channel in globals(custom, labels)? {
        if !ids.contains(&channel.id) {
            ids.push(channel.id);
        }
    }
    Ok(ids)
}

/// `getDetails(label)` and `getDetails(id)`.
fn get_details(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let custom = &data.custom;
    let found = if call.arg("id").is_some() {
        let id = call.int("id")?;
        i32::try_from(id)
            .ok()
            .and_then(|id| custom.config_channels.get(&id))
            .ok_or_else(|| lookup_failed(&format!("id={id}")))
    } else {
        let label = call.str("label")?;
        by_label(custom, label).ok_or_else(|| lookup_failed(&format!("label={label}")))
    };
    found.map(details)
}

/// `XmlRpcConfigChannelHelper.lookupGlobals`: every label's channel, in
/// the order asked; an unknown label is `NoSuchChannelException`.
fn globals<'d>(
    custom: &'d CustomContent,
    labels: &[String],
) -> Result<Vec<&'d ConfigChannel>, Fault> {
    labels
        .iter()
        .map(|label| by_label(custom, label).ok_or_else(faults::no_such_channel))
        .collect()
}

fn lookup_info(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let labels = call.strs("labels")?;
    let data = node.read();
    let found = globals(&data.custom, &labels)?;
    Ok(Value::Array(found.into_iter().map(details).collect()))
}

/// `ConfigChannelDtoSerializer`: the serializer's members plus `type`.
fn list_globals(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let mut channels: Vec<&ConfigChannel> = data.custom.config_channels.values().collect();
    channels.sort_by_key(|c| (c.name.to_lowercase(), c.id));
    Ok(Value::Array(
        channels
            .into_iter()
            .map(|c| {
                let Value::Struct(s) = details(c) else {
                    unreachable!("details answers a struct")
                };
                s.with("type", Value::string(&c.kind)).into()
            })
            .collect(),
    ))
}

/// `ConfigChannelCreationException` (1021): the validation errors of
/// `ConfigChannelCreationHelper`.
fn creation_failed(why: &str) -> Fault {
    faults::domain(
        1021,
        &format!("Exception encountered during channel creation.\n{why}"),
    )
}

/// `ConfigChannelCreationHelper.validate`.
fn validate(label: &str, name: &str, description: &str) -> Result<(), Fault> {
    let label_ok = label
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if label.trim().is_empty() {
        return Err(creation_failed("Label is required."));
    }
    if label.trim().len() > MAX_LABEL {
        return Err(creation_failed(&format!(
            "Label must be at most {MAX_LABEL} characters."
        )));
    }
    if label.starts_with('-') || !label_ok {
        return Err(creation_failed(
            "Label may hold only letters, digits, '-' and '_', and may not start with '-'.",
        ));
    }
    if name.trim().is_empty() {
        return Err(creation_failed("Name is required."));
    }
    if description.trim().is_empty() {
        return Err(creation_failed("Description is required."));
    }
    Ok(())
}

fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    super::require_role(&call.user(node)?, &[CONFIG_ADMIN])?;
    let label = call.str("label")?.to_owned();
    let name = call.str("name")?.to_owned();
    let description = call.str("description")?.to_owned();
    validate(&label, &name, &description)?;
    let kind = match call.arg("type") {
        Some(_) => call.str("type")?.to_owned(),
        None => "normal".to_owned(),
    };
    if !TYPES.contains(&kind.as_str()) {
        return Err(creation_failed(&format!(
            "'Configuration Channel Type' must be one of: {}",
            TYPES.join(",")
        )));
    }
    let mut data = node.write();
    let custom = &mut data.custom;
    if by_label(custom, &label).is_some() {
        return Err(creation_failed(&format!(
            "A configuration channel with label {label} already exists."
        )));
    }
    // `createInitSlsFile`: a state channel gets its `/init.sls`, with
    // the contents of the sixth overload's `pathInfo`, if given.
    let mut files = BTreeMap::new();
    if kind == "state" {
        let init = match call.arg("pathInfo").and_then(Value::as_struct) {
            Some(info) => contents(info, false)?,
            None => Vec::new(),
        };
        files.insert(
            INIT_SLS.to_owned(),
            ConfigFile {
                kind: "sls".to_owned(),
                revisions: vec![ConfigRevision {
                    revision: 1,
                    contents: init,
                    binary: false,
                    owner: "root".to_owned(),
                    group: "root".to_owned(),
                    mode: 644,
                    selinux_ctx: String::new(),
                    target_path: String::new(),
                    delimiters: ("{|".to_owned(), "|}".to_owned()),
                    created: now_secs(),
                }],
            },
        );
    }
    let id = take_id(&mut custom.next_config_channel_id);
    let channel = ConfigChannel {
        id,
        label,
        name,
        description,
        kind,
        files,
    };
    let value = details(&channel);
    custom.config_channels.insert(id, channel);
    Ok(value)
}

/// `update(label, name, description)`: the label stays.
fn update(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let name = call.str("name")?.to_owned();
    let description = call.str("description")?.to_owned();
    let mut data = node.write();
    let custom = &mut data.custom;
    let id = by_label(custom, label)
        .ok_or_else(|| lookup_failed(&format!("label={label}")))?
        .id;
    validate(label, &name, &description)?;
    let channel = custom.config_channels.get_mut(&id).expect("found above");
    channel.name = name;
    channel.description = description;
    Ok(details(channel))
}

/// `deleteChannels(labels)`: all, or none when a label is unknown.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    super::require_role(&call.user(node)?, &[CONFIG_ADMIN])?;
    let labels = call.strs("labels")?;
    let mut data = node.write();
    let ids: Vec<i32> = globals(&data.custom, &labels)?
        .into_iter()
        .map(|c| c.id)
        .collect();
    for id in &ids {
        data.custom.config_channels.remove(id);
    }
    for ranked in data.custom.config_subscriptions.values_mut() {
        ranked.retain(|id| !ids.contains(id));
    }
    for key in data.activation_keys.values_mut() {
        key.config_channels.retain(|id| !ids.contains(id));
    }
    Ok(Value::Int(1))
}

pub(super) fn system_call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listChannels" => list_of_system(node, call),
        "addChannels" | "removeChannels" | "setChannels" => subscribe(node, method, call),
        _ => return None,
    })
}

/// `system.config.listChannels(sid)`: the system's channels by rank.
fn list_of_system(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let sid = call.int("sid")?;
    let data = node.read();
    let system = super::system::one_system(&data, sid)?;
    let custom = &data.custom;
    let ranked = custom.config_subscriptions.get(&system.id);
    Ok(Value::Array(
        ranked
            .into_iter()
            .flatten()
            .filter_map(|id| custom.config_channels.get(id))
            .map(details)
            .collect(),
    ))
}

/// `addChannels(sids, labels, addToTop)`: the channels, in the order
/// given, on top of each system's or below them (one already held moves);
/// `removeChannels(sids, labels)`; `setChannels(sids, labels)`: exactly
/// these, in this order. Every system and label is checked first: an
/// unknown one changes nothing.
fn subscribe(node: &Node, method: &str, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let sids = call.ints("sids")?;
    let labels = call.strs("configChannelLabels")?;
    let on_top = method == "addChannels" && call.bool("addToTop")?;
    let mut data = node.write();
    let systems = super::system::checked_systems(&data, &sids)?;
    let named: Vec<i32> = globals(&data.custom, &labels)?
        .into_iter()
        .map(|c| c.id)
        .collect();
    for sid in systems {
        let ranked = data.custom.config_subscriptions.entry(sid).or_default();
        match method {
            "setChannels" => ranked.clone_from(&named),
            "removeChannels" => ranked.retain(|id| !named.contains(id)),
            _ => {
                ranked.retain(|id| !named.contains(id));
                let at = if on_top { 0 } else { ranked.len() };
                ranked.splice(at..at, named.iter().copied());
            }
        }
    }
    Ok(Value::Int(1))
}

/// `channelExists(label)`: 1 or 0.
fn exists(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("label")?;
    let found = by_label(&node.read().custom, label).is_some();
    Ok(Value::Int(i32::from(found)))
}
