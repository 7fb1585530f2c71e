//! The id-translation rules (documented on [`crate::ids`]) and their
//! override table.

mod nested;
mod node_objects;
mod overrides;

pub use nested::{NESTED_IDS, NestedIds};
pub use node_objects::{NODE_OBJECT_IDS, NodeObjectIds};
pub use overrides::{RESULT_OVERRIDES, ResultOverride, WholeResult};

use super::GenerateError;
use super::merge::Draft;
use super::routing::{Group, group_of};
use crate::ids::{IdForm, IdInfo, IdKind, IdParam, IdPlace, IdResult};
use crate::{Entry, Type};

/// Parameters carrying system ids (as integers).
pub const SYSTEM_ID_PARAMS: &[&str] = &[
    "sid",
    "sids",
    "serverId",
    "serverIds",
    "systemId",
    "hostId",
    "proxyId",
    "buildHostId",
    "sid1",
    "sid2",
    "targetServerId",
    "sourceServerId",
    // Not in the catalogs' sid_params: an Ansible control node is a system.
    "controlNodeId",
    // `system.provisionSystem(sid, int proxy, ...)`: the proxy system.
    "proxy",
];

/// Parameters naming a system by its Salt minion id.
pub const MINION_ID_PARAMS: &[&str] = &["minionId"];

/// Parameters carrying a system-id certificate.
pub const CERT_PARAMS: &[&str] = &["clientCert", "clientcert"];

/// Parameters carrying scheduled-action ids.
pub const ACTION_ID_PARAMS: &[&str] = &["actionId", "actionIds"];

/// Parameters carrying system group ids.
pub const GROUP_ID_PARAMS: &[&str] = &["sgid", "systemGroupId", "groupId", "serverGroupIds"];

/// Struct parameters whose member `server_id` names a system:
/// (namespace, method, parameter).
pub const STRUCT_SYSTEM_PARAMS: &[(&str, &str, &str)] =
    &[("ansible", "createAnsiblePath", "props")];

/// Namespaces whose `actionId` is not a scheduled action.
pub const NOT_ACTION_NAMESPACES: &[&str] = &["recurringaction"];

/// Parameters carrying recurring schedule ids, in the recurring namespaces
/// ([`is_schedule_namespace`]).
pub const SCHEDULE_ID_PARAMS: &[&str] = &["id", "actionId"];

/// Methods of the recurring namespaces whose `id` names the entity the
/// schedules are for, not a schedule.
pub const ENTITY_METHODS: &[&str] = &["listByEntity"];

/// The struct parameter of `update` whose member `id` is the schedule's.
pub const SCHEDULE_PROPS: &str = "actionProps";

/// Whether `namespace` is about recurring schedules: `recurring`,
/// `recurring.*`, `recurringaction`.
pub fn is_schedule_namespace(namespace: &str) -> bool {
    namespace == "recurring"
        || namespace == "recurringaction"
        || namespace.starts_with("recurring.")
}

const WHOLE_ACTION_NAMES: &[&str] = &["actionId", "actionIds"];
const WHOLE_SYSTEM_NAMES: &[&str] = &[
    "systemId",
    "system IDs",
    "server_id",
    "clientId",
    "skippedIds",
    "serverIdTransferred",
];
const SYSTEM_FIELDS: &[&str] = &[
    "system_id",
    "server_id",
    "serverId",
    "systemId",
    "sid",
    "buildServerId",
];
const ACTION_FIELDS: &[&str] = &["action_id"];
const SYSTEM_STRUCTS: &[&str] = &[
    "system",
    "server details",
    "system structure",
    "name info",
    "virtual system",
];
const ACTION_STRUCTS: &[&str] = &["action", "Script details", "entry"];
/// Result members holding one system group id, whatever their type:
/// `system.listGroups` documents `sgid` as a string (it is the group id
/// again, as text).
const GROUP_FIELDS: &[&str] = &["sgid"];
const GROUP_STRUCTS: &[&str] = &["server group", "system group"];
/// Array members of result structs listing system group ids.
const GROUP_LISTS: &[&str] = &["server_group_ids"];
/// Parameters naming packages by id.
const PACKAGE_ID_PARAMS: &[&str] = &["packageIds", "pid", "pkgIdsToLock", "pkgIdsToUnlock"];
/// Result members holding a package id, whatever their type:
/// `system.listLatestUpgradablePackages` documents `to_package_id` as a
/// string (the server sends the id as an integer).
const PACKAGE_FIELDS: &[&str] = &["package_id", "to_package_id"];
/// Results whose `id` is a package id.
const PACKAGE_STRUCTS: &[&str] = &["package", "package overview"];
/// Parameters naming errata by id.
const ERRATUM_ID_PARAMS: &[&str] = &["errataIds"];
/// Results whose `id` is an erratum id.
const ERRATUM_STRUCTS: &[&str] = &["errata", "erratum"];
/// Parameters naming software channels by id (`channelIdsOrLabels` mixes
/// ids and labels: its integers are ids).
const CHANNEL_ID_PARAMS: &[&str] = &["channelId", "channelIdsOrLabels"];
/// Result members holding a software channel id.
const CHANNEL_FIELDS: &[&str] = &["channel_id"];
/// Results whose `id` is a software channel id, when they show the
/// channel's `label` and no repository `sourceUrl`.
const CHANNEL_STRUCTS: &[&str] = &["channel", "channel info", "child channel"];
/// The namespace of the repository calls.
const REPOSITORY_NAMESPACE: &str = "channel.software";
/// Parameters naming content lifecycle filters by id.
const CONTENT_FILTER_ID_PARAMS: &[&str] = &["filterId"];
/// Results whose `id` is a content filter id.
const CONTENT_FILTER_STRUCTS: &[&str] = &["content filter information"];
/// Parameters naming content by id in one method (namespace, method,
/// parameter, kind), where other methods' parameters of that name are
/// other ids: a software channel, the repositories (content sources) of
/// the `channel.software` repository calls, a configuration channel (the
/// other configuration channel calls name it by label).
const METHOD_ID_PARAMS: &[(&str, &str, &str, IdKind)] = &[
    ("channel.software", "getDetails", "id", IdKind::Channel),
    (
        "channel.software",
        "getChannelLastBuildById",
        "id",
        IdKind::Channel,
    ),
    (
        "channel.software",
        "getRepoDetails",
        "id",
        IdKind::Repository,
    ),
    ("channel.software", "removeRepo", "id", IdKind::Repository),
    ("channel.software", "updateRepo", "id", IdKind::Repository),
    (
        "channel.software",
        "updateRepoLabel",
        "id",
        IdKind::Repository,
    ),
    (
        "channel.software",
        "updateRepoSsl",
        "id",
        IdKind::Repository,
    ),
    (
        "channel.software",
        "updateRepoUrl",
        "id",
        IdKind::Repository,
    ),
    ("configchannel", "getDetails", "id", IdKind::ConfigChannel),
    // The deprecated overload of 4.3.
    ("system", "setBaseChannel", "cid", IdKind::Channel),
];
/// Results whose `id` is a configuration channel id (the `id` of their
/// nested `configChannelType` is the channel type's, the same on every
/// node).
const CONFIG_CHANNEL_STRUCTS: &[&str] = &["configuration channel information"];
/// Parameters naming source packages by id (`packages.removeSourcePackage`).
const SOURCE_PACKAGE_ID_PARAMS: &[&str] = &["psid"];
/// Results whose `id` is a source package id.
const SOURCE_PACKAGE_STRUCTS: &[&str] = &["source_package"];
/// The namespace of the kickstart script calls.
const KICKSTART_PROFILE_NAMESPACE: &str = "kickstart.profile";
/// Parameters of [`KICKSTART_PROFILE_NAMESPACE`] naming kickstart scripts
/// by id (`removeScript`, the three lists of `orderScripts`).
const KICKSTART_SCRIPT_PARAMS: &[&str] = &[
    "scriptId",
    "preScripts",
    "postScriptsBeforeRegistration",
    "postScriptsAfterRegistration",
];
/// Results of [`KICKSTART_PROFILE_NAMESPACE`] whose `id` is a kickstart
/// script id (`KickstartScriptSerializer`).
const KICKSTART_SCRIPT_STRUCTS: &[&str] = &["kickstart script"];
/// Methods of [`KICKSTART_PROFILE_NAMESPACE`] whose integer result is the
/// id of the script they added.
const KICKSTART_SCRIPT_RESULTS: &[&str] = &["addScript"];
/// Namespaces whose channel ids are not a node's: `sync.hub` lists a
/// peripheral server's channels.
const FOREIGN_CHANNEL_NAMESPACES: &[&str] = &["sync.hub"];
/// System id members documented as strings that the server fills with the
/// system's integer id: `system.getRelevantErrata(sids)` puts each `sid`
/// it was given as `system_id`. (Result name, member.)
const TEXT_DOCUMENTED_SYSTEM_FIELDS: &[(&str, &str)] = &[("server_errata", "system_id")];
/// Methods of the recurring namespaces that answer the schedule's id.
const SCHEDULE_RESULTS: &[&str] = &["create", "update", "delete"];

/// Fills in `ids` of every draft; fails on an id parameter of an
/// unexpected type, a catalog-declared system parameter the rules miss, and
/// a dead or conflicting override row.
pub(super) fn assign(drafts: &mut [Draft]) -> Result<(), GenerateError> {
    let mut used = vec![false; RESULT_OVERRIDES.len()];
    let mut nested_used = vec![false; NESTED_IDS.len()];
    for draft in drafts.iter_mut() {
        let entry = &draft.entry;
        let params = param_ids(entry)?;
        for name in &draft.declared_system_params {
            let found = entry.params.iter().position(|p| &p.name == name);
            if let Some(index) = found
                && !params
                    .iter()
                    .any(|p| p.index == index && p.kind == IdKind::System)
            {
                return Err(GenerateError::IdRule {
                    entry: entry.full_name(),
                    why: format!("the catalog says `{name}` carries systems; no rule covers it"),
                });
            }
        }
        let by_rule = result_ids(entry);
        let rows: Vec<usize> = (0..RESULT_OVERRIDES.len())
            .filter(|&i| {
                let row = &RESULT_OVERRIDES[i];
                row.namespace == entry.namespace && row.method == entry.method
            })
            .collect();
        let mut result = match rows.as_slice() {
            [] => by_rule,
            [i] => {
                let overridden = overridden_result(&RESULT_OVERRIDES[*i], &by_rule);
                used[*i] |= overridden != by_rule;
                overridden
            }
            _ => return Err(conflict(entry, &rows)),
        };
        for (i, row) in NESTED_IDS.iter().enumerate() {
            // A row names the method's overloads whose result has its
            // first member (`system.getRelevantErrata(sid)` lists errata,
            // the `sids` overload nests them per system).
            let has_outer = row
                .path
                .first()
                .is_some_and(|first| entry.result_fields.iter().any(|f| f.name == *first));
            if row.namespace == entry.namespace && row.method == entry.method && has_outer {
                result.push(nested_result(entry, row)?);
                nested_used[i] = true;
            }
        }
        for r in &mut result {
            r.named_by = naming_member(entry, r).map(str::to_owned);
        }
        draft.entry.ids = IdInfo { params, result };
    }
    if let Some(i) = nested_used.iter().position(|u| !u) {
        return Err(GenerateError::DeadRow {
            table: "nested ids",
            row: format!("{}.{}", NESTED_IDS[i].namespace, NESTED_IDS[i].method),
        });
    }
    match used.iter().position(|u| !u) {
        Some(i) => Err(GenerateError::DeadRow {
            table: "result id overrides",
            row: format!(
                "{}.{}",
                RESULT_OVERRIDES[i].namespace, RESULT_OVERRIDES[i].method
            ),
        }),
        None => Ok(()),
    }
}

/// The result part a nested-id row names in `entry`; its first member
/// must be an array or struct member of the result.
fn nested_result(entry: &Entry, row: &NestedIds) -> Result<IdResult, GenerateError> {
    let outer = row.path.first().and_then(|first| {
        entry
            .result_fields
            .iter()
            .find(|f| f.name == *first && matches!(f.ty, Type::Array(_) | Type::Struct))
    });
    if outer.is_none() || row.path.len() < 2 {
        return Err(GenerateError::IdRule {
            entry: entry.full_name(),
            why: format!(
                "the nested-id row {:?} does not start at an array or struct member of the result",
                row.path
            ),
        });
    }
    Ok(IdResult::new(
        row.kind,
        IdPlace::Nested(row.path.iter().map(|m| (*m).to_owned()).collect()),
    ))
}

fn conflict(entry: &Entry, rows: &[usize]) -> GenerateError {
    GenerateError::ConflictingRows {
        table: "result id overrides",
        entry: entry.full_name(),
        rows: rows.len(),
    }
}

fn overridden_result(row: &ResultOverride, by_rule: &[IdResult]) -> Vec<IdResult> {
    let fields = by_rule
        .iter()
        .filter(|r| r.place != IdPlace::Whole)
        .cloned();
    match row.result {
        WholeResult::Nothing => fields.collect(),
        WholeResult::Action => std::iter::once(IdResult::new(IdKind::Action, IdPlace::Whole))
            .chain(fields)
            .collect(),
    }
}

/// The id parameters of `entry` by rule.
pub(super) fn param_ids(entry: &Entry) -> Result<Vec<IdParam>, GenerateError> {
    let mut out = Vec::new();
    for (index, param) in entry.params.iter().enumerate() {
        let name = param.name.as_str();
        let schedules = is_schedule_namespace(&entry.namespace);
        let found =
            if let Some(kind) = node_objects::param_kind(&entry.namespace, &entry.method, name) {
                Some((kind, integer_form(entry, name, &param.ty)?))
            } else if schedules
                && SCHEDULE_ID_PARAMS.contains(&name)
                && !ENTITY_METHODS.contains(&entry.method.as_str())
            {
                Some((IdKind::Schedule, integer_form(entry, name, &param.ty)?))
            } else if schedules && name == SCHEDULE_PROPS && entry.method == "update" {
                match &param.ty {
                    Type::Struct => Some((IdKind::Schedule, IdForm::StructId)),
                    other => return Err(bad_type(entry, name, other)),
                }
            } else if STRUCT_SYSTEM_PARAMS.contains(&(&entry.namespace, &entry.method, name)) {
                match &param.ty {
                    Type::Struct => Some((IdKind::System, IdForm::StructServerId)),
                    other => return Err(bad_type(entry, name, other)),
                }
            } else if SYSTEM_ID_PARAMS.contains(&name) {
                if name == "proxy" && param.ty != Type::Int {
                    continue;
                }
                Some((IdKind::System, integer_form(entry, name, &param.ty)?))
            } else if MINION_ID_PARAMS.contains(&name) {
                Some((
                    IdKind::System,
                    string_form(entry, name, &param.ty, IdForm::MinionId)?,
                ))
            } else if CERT_PARAMS.contains(&name) {
                Some((
                    IdKind::System,
                    string_form(entry, name, &param.ty, IdForm::ClientCert)?,
                ))
            } else if ACTION_ID_PARAMS.contains(&name)
                && !NOT_ACTION_NAMESPACES.contains(&entry.namespace.as_str())
            {
                Some((IdKind::Action, integer_form(entry, name, &param.ty)?))
            } else if GROUP_ID_PARAMS.contains(&name) {
                Some((IdKind::Group, integer_form(entry, name, &param.ty)?))
            } else if PACKAGE_ID_PARAMS.contains(&name) {
                Some((IdKind::Package, integer_form(entry, name, &param.ty)?))
            } else if ERRATUM_ID_PARAMS.contains(&name) {
                Some((IdKind::Erratum, integer_form(entry, name, &param.ty)?))
            } else if let Some(kind) = method_id_param(entry, name) {
                Some((kind, integer_form(entry, name, &param.ty)?))
            } else if CHANNEL_ID_PARAMS.contains(&name) {
                Some((IdKind::Channel, integer_form(entry, name, &param.ty)?))
            } else if CONTENT_FILTER_ID_PARAMS.contains(&name) {
                Some((IdKind::ContentFilter, integer_form(entry, name, &param.ty)?))
            } else if SOURCE_PACKAGE_ID_PARAMS.contains(&name) {
                Some((IdKind::SourcePackage, integer_form(entry, name, &param.ty)?))
            } else if entry.namespace == KICKSTART_PROFILE_NAMESPACE
                && KICKSTART_SCRIPT_PARAMS.contains(&name)
            {
                Some((
                    IdKind::KickstartScript,
                    integer_form(entry, name, &param.ty)?,
                ))
            } else {
                None
            };
        if let Some((kind, form)) = found {
            out.push(IdParam { index, kind, form });
        }
    }
    Ok(out)
}

fn integer_form(entry: &Entry, name: &str, ty: &Type) -> Result<IdForm, GenerateError> {
    match ty {
        t if t.is_integer() => Ok(IdForm::Scalar),
        Type::Array(None) => Ok(IdForm::Array),
        Type::Array(Some(element)) if element.is_integer() => Ok(IdForm::Array),
        other => Err(bad_type(entry, name, other)),
    }
}

fn string_form(
    entry: &Entry,
    name: &str,
    ty: &Type,
    form: IdForm,
) -> Result<IdForm, GenerateError> {
    match ty {
        Type::String => Ok(form),
        other => Err(bad_type(entry, name, other)),
    }
}

fn bad_type(entry: &Entry, name: &str, ty: &Type) -> GenerateError {
    GenerateError::IdRule {
        entry: entry.full_name(),
        why: format!("id parameter `{name}` has type {ty}"),
    }
}

/// The member naming the content that the ids of `result` stand for, in
/// the struct holding them ([`IdResult::named_by`]): the gateway binds
/// such an id to the content by that name without asking the node.
/// Channels are named by the `label` of channel structs only (a kickstart
/// tree's `label` is the tree's). A struct of the result that does not
/// show the member names nothing; the catalog does not list the members
/// of nested structs, which are taken to show it.
fn naming_member(entry: &Entry, result: &IdResult) -> Option<&'static str> {
    let name = entry.returns_name.as_deref().unwrap_or("");
    let member = match result.kind {
        IdKind::Erratum => "advisory_name",
        IdKind::Channel if CHANNEL_STRUCTS.contains(&name) => "label",
        IdKind::Repository | IdKind::ConfigChannel => "label",
        IdKind::ContentFilter | IdKind::SourcePackage => "name",
        _ => return None,
    };
    let shown = entry.result_fields.iter().any(|f| f.name == member);
    (shown || matches!(result.place, IdPlace::Nested(_))).then_some(member)
}

/// The kind of id parameter `name` of `entry` carries by
/// [`METHOD_ID_PARAMS`].
fn method_id_param(entry: &Entry, name: &str) -> Option<IdKind> {
    METHOD_ID_PARAMS
        .iter()
        .find(|(namespace, method, param, _)| {
            entry.namespace == *namespace && entry.method == *method && name == *param
        })
        .map(|row| row.3)
}

/// The id-carrying parts of `entry`'s result by rule.
pub(super) fn result_ids(entry: &Entry) -> Vec<IdResult> {
    let name = entry.returns_name.as_deref().unwrap_or("");
    let integers =
        entry.returns.is_integer() || entry.returns.element().is_some_and(Type::is_integer);
    let schedules = is_schedule_namespace(&entry.namespace);
    let channels = !FOREIGN_CHANNEL_NAMESPACES.contains(&entry.namespace.as_str());
    let shows = |member: &str| entry.result_fields.iter().any(|f| f.name == member);
    let channel_struct =
        channels && CHANNEL_STRUCTS.contains(&name) && shows("label") && !shows("sourceUrl");
    // The repositories answer as `channel` (and `map`), with the label and
    // the URL they mirror.
    let repository_struct =
        entry.namespace == REPOSITORY_NAMESPACE && shows("label") && shows("sourceUrl");
    let mut out = Vec::new();
    if integers {
        let per_node = group_of(&entry.namespace) == Some(Group::PerNode);
        let kind = if schedules && SCHEDULE_RESULTS.contains(&entry.method.as_str()) {
            Some(IdKind::Schedule)
        } else if WHOLE_ACTION_NAMES.contains(&name)
            || (name == "id" && per_node && entry.method.starts_with("schedule"))
        {
            Some(IdKind::Action)
        } else if WHOLE_SYSTEM_NAMES.contains(&name) {
            Some(IdKind::System)
        } else if entry.namespace == KICKSTART_PROFILE_NAMESPACE
            && KICKSTART_SCRIPT_RESULTS.contains(&entry.method.as_str())
        {
            Some(IdKind::KickstartScript)
        } else {
            node_objects::rows_of(&entry.namespace)
                .find(|row| row.whole.contains(&entry.method.as_str()))
                .map(|row| row.kind)
        };
        out.extend(kind.map(|kind| IdResult::new(kind, IdPlace::Whole)));
    }
    let structs = matches!(entry.returns, Type::Struct)
        || matches!(entry.returns.element(), Some(Type::Struct));
    for row in node_objects::rows_of(&entry.namespace) {
        let mut push = |kind, field: &str| {
            let place = IdPlace::Field(field.to_owned());
            if !out.iter().any(|r: &IdResult| r.place == place) {
                out.push(IdResult::new(kind, place));
            }
        };
        if structs && row.structs.contains(&name) {
            push(row.kind, "id");
            for field in row.system_fields {
                push(IdKind::System, field);
            }
        }
        for field in entry.result_fields.iter().filter(|f| f.ty.is_integer()) {
            if row.fields.contains(&field.name.as_str()) {
                push(row.kind, &field.name);
            }
        }
    }
    for field in entry.result_fields.iter().filter(|f| f.ty.is_integer()) {
        let f = field.name.as_str();
        let kind = if schedules && f == "id" {
            Some(IdKind::Schedule)
        } else if SYSTEM_FIELDS.contains(&f) || (f == "id" && SYSTEM_STRUCTS.contains(&name)) {
            Some(IdKind::System)
        } else if ACTION_FIELDS.contains(&f)
            || (f == "id" && ACTION_STRUCTS.contains(&name))
            || (f == "prerequisite" && name == "action")
        {
            Some(IdKind::Action)
        } else if f == "id" && GROUP_STRUCTS.contains(&name) {
            Some(IdKind::Group)
        } else if f == "id" && PACKAGE_STRUCTS.contains(&name) {
            Some(IdKind::Package)
        } else if f == "id" && ERRATUM_STRUCTS.contains(&name) {
            Some(IdKind::Erratum)
        } else if (f == "id" && channel_struct) || (channels && CHANNEL_FIELDS.contains(&f)) {
            Some(IdKind::Channel)
        } else if f == "id" && repository_struct {
            Some(IdKind::Repository)
        } else if f == "id" && CONTENT_FILTER_STRUCTS.contains(&name) {
            Some(IdKind::ContentFilter)
        } else if f == "id" && CONFIG_CHANNEL_STRUCTS.contains(&name) {
            Some(IdKind::ConfigChannel)
        } else if f == "id" && SOURCE_PACKAGE_STRUCTS.contains(&name) {
            Some(IdKind::SourcePackage)
        } else if f == "id"
            && entry.namespace == KICKSTART_PROFILE_NAMESPACE
            && KICKSTART_SCRIPT_STRUCTS.contains(&name)
        {
            Some(IdKind::KickstartScript)
        } else {
            None
        };
        let place = IdPlace::Field(field.name.clone());
        if let Some(kind) = kind
            && !out.iter().any(|r: &IdResult| r.place == place)
        {
            out.push(IdResult::new(kind, place));
        }
    }
    for field in &entry.result_fields {
        if TEXT_DOCUMENTED_SYSTEM_FIELDS.contains(&(name, field.name.as_str())) {
            out.push(IdResult::new(
                IdKind::System,
                IdPlace::Field(field.name.clone()),
            ));
        }
        // `channel.software.listSystemChannels` documents the channel's
        // `id` as a string; the server sends the database's number.
        if channel_struct && field.name == "id" && !field.ty.is_integer() {
            out.push(IdResult::new(
                IdKind::Channel,
                IdPlace::Field(field.name.clone()),
            ));
        }
        if GROUP_FIELDS.contains(&field.name.as_str()) {
            out.push(IdResult::new(
                IdKind::Group,
                IdPlace::Field(field.name.clone()),
            ));
        }
        if PACKAGE_FIELDS.contains(&field.name.as_str()) {
            out.push(IdResult::new(
                IdKind::Package,
                IdPlace::Field(field.name.clone()),
            ));
        }
        if GROUP_LISTS.contains(&field.name.as_str()) && matches!(field.ty, Type::Array(_)) {
            out.push(IdResult::new(
                IdKind::Group,
                IdPlace::Nested(vec![field.name.clone()]),
            ));
        }
    }
    out
}
