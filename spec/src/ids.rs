//! Where an entry carries system, action, recurring schedule, system
//! group or other node-object ids: what the gateway translates between
//! cluster-wide ids and node-local ids, both ways.
//!
//! The generator fills this in by rule (see [`crate::generate`]):
//!
//! - **Parameters.** System ids: parameters named `sid`, `sids`,
//!   `serverId`, `serverIds`, `systemId`, `hostId`, `proxyId`,
//!   `buildHostId`, `sid1`, `sid2`, `targetServerId`, `sourceServerId`,
//!   `controlNodeId` and the `int proxy` of `system.provisionSystem`
//!   (scalar for `int`/`long`, array for arrays); `minionId` strings name a
//!   system by its Salt minion id; `clientCert`/`clientcert` strings are
//!   system-id certificates (`ID-<sid>` inside). Action ids: `actionId` and
//!   `actionIds`, except in the `recurringaction` namespace, where they
//!   name recurring-action schedules. Schedule ids: in the recurring
//!   namespaces (`recurring`, `recurring.*`, `recurringaction`), `id` and
//!   `actionId` (except in `listByEntity`, whose `id` names the entity),
//!   and the `id` member of the `actionProps` struct of `update`. System
//!   group ids: `sgid`, `systemGroupId`, `groupId` and `serverGroupIds`.
//! - **Whole result.** An `int` or array of ints whose documented name is
//!   `actionId`/`actionIds`, or named `id` from a `schedule*` method of a
//!   per-node namespace, is an action id (`system.schedule*`,
//!   `system.scap.schedule*`, `ansible.schedulePlaybook`, ...). Named
//!   `systemId`, `system IDs`, `server_id`, `clientId`, `skippedIds` or
//!   `serverIdTransferred`, it is a system id. The `int` of a recurring
//!   namespace's `create`, `update` and `delete` is a schedule id.
//! - **Result fields** (of a returned struct, or of each struct of a
//!   returned array; `int`/`long` fields only): `system_id`, `server_id`,
//!   `serverId`, `systemId`, `sid` and `buildServerId` are system ids;
//!   `action_id` is an action id; `id` is a system id in results named
//!   `system`, `server details`, `system structure`, `name info` and
//!   `virtual system`, and an action id in results named `action`,
//!   `Script details` and `entry`; `prerequisite` of an `action` is an
//!   action id; `id` of a recurring namespace's structs is a schedule id;
//!   `sgid` (of any type: `system.listGroups` documents it as a string)
//!   is a system group id, and so is `id` in results named
//!   `server group` and `system group`. The integers of an activation
//!   key's `server_group_ids` (documented as strings, sent as integers)
//!   are system group ids ([`IdPlace::Nested`] with the one member).
//! - **Nested members**, which the catalogs do not describe, come from a
//!   table of the server's serializers ([`IdPlace::Nested`]): the systems
//!   of `system.listDuplicatesBy*` groups (`systems` / `systemId`), the
//!   rescheduled actions of the `maintenance` calls (`actions` / `id` and
//!   `prerequisite` are action ids, `affected_system_ids` system ids), and
//!   the `filter` of each of `contentmanagement.listProjectFilters`'s
//!   project filters (`filter` / `id`, a content filter id; the catalogs
//!   omit the member, added from the serializer).
//!
//! - **Node objects**: images (`imageId`, `sourceImageId`,
//!   `targetImageId`; `id` of image structs, `source_id`/`target_id` of
//!   deltas, the result of `image.importOSImage`), snapshots (`snapId`;
//!   `id` of `server snapshot`), Ansible paths (`pathId`; `id` of `ansible
//!   path`, whose `server_id` is a system id), notifications
//!   (`notifications`; `id` of `notification`), stored package profiles
//!   (`profileId` of `system.deletePackageProfile`; `id` of `package
//!   profile`), pinned subscriptions (`subscriptionId` of `delete`;
//!   `id` of `pinned subscription`) and OpenSCAP XCCDF scans (`xid` of
//!   `system.scap`, as parameter and result member), from a table by
//!   namespace. The `props`
//!   of `ansible.createAnsiblePath` names its control node by `server_id`
//!   ([`IdForm::StructServerId`]).
//!
//! - **Package ids**: parameters `packageIds`, `pid`, `pkgIdsToLock` and
//!   `pkgIdsToUnlock`; result fields `package_id` and `to_package_id`, and
//!   `id` in results named `package` and `package overview`. Packages are
//!   shared content, and each node numbers them as it syncs them: like
//!   system groups, one cluster id stands for the package on every node
//!   ([`IdKind::Package`]). Source packages are their own kind (below);
//!   package name ids (`package_name_id`, `package state`) are another id
//!   space and are not marked.
//! - **Erratum ids**: parameter `errataIds`; `id` in results named
//!   `errata` and `erratum`, and of the `errata` nested in the
//!   `server_errata` of `system.getRelevantErrata(sids)`. Errata are
//!   shared content numbered per node, like packages
//!   ([`IdKind::Erratum`]); the cluster id stands for the advisory name.
//! - **Software channel ids**: parameters `channelId` and the integers of
//!   `channelIdsOrLabels` (`system.setChildChannels`), the `id` of
//!   `channel.software.getDetails(id)` and of
//!   `channel.software.getChannelLastBuildById`, and the `cid` of
//!   `system.setBaseChannel(sid, cid)`; `channel_id` in results, and `id`
//!   in results named `channel`, `channel info` and `child channel` that
//!   show the channel's `label` (of any type:
//!   `channel.software.listSystemChannels` documents it as a string; the
//!   server sends the number). The repositories that
//!   `channel.software.*Repo*` answer as `channel` show a `sourceUrl` and
//!   are not channels. Outside `sync.hub`, whose channels are a
//!   peripheral server's. Channels are shared content numbered per node
//!   ([`IdKind::Channel`]); the cluster id stands for the channel label.
//! - **Repository ids**: the integer `id` parameter of the
//!   `channel.software` repository calls (`getRepoDetails`, `removeRepo`,
//!   `updateRepo`, `updateRepoLabel`, `updateRepoSsl`, `updateRepoUrl`);
//!   `id` of the `channel.software` result structs that show a `label`
//!   and a `sourceUrl` (`*Repo*` answers, `listUserRepos`). Repositories
//!   are made on every node and numbered per node
//!   ([`IdKind::Repository`]); the cluster id stands for the repository
//!   label.
//! - **Content filter ids**: parameter `filterId`; `id` of `content filter
//!   information`. Numbered per node
//!   ([`IdKind::ContentFilter`]); the cluster id stands for the filter
//!   name.
//! - **Configuration channel ids**: the `id` of
//!   `configchannel.getDetails(id)`; `id` of `configuration channel
//!   information` (not the `id` of its `configChannelType`, which is the
//!   channel type's). Made on every node, numbered per node
//!   ([`IdKind::ConfigChannel`]); the cluster id stands for the channel
//!   label.
//! - **Source package ids**: `psid` of `packages.removeSourcePackage`;
//!   `id` of `source_package` (`packages.listSourcePackages`). Each node
//!   numbers the source packages pushed to it
//!   ([`IdKind::SourcePackage`]); the cluster id stands for the source
//!   RPM's name.
//! - **Kickstart script ids**: parameters `scriptId`, `preScripts`,
//!   `postScriptsBeforeRegistration` and `postScriptsAfterRegistration`
//!   of `kickstart.profile`; `id` of `kickstart script`, and the result
//!   of `kickstart.profile.addScript`. A kickstart profile is made on
//!   every node, and each numbers its scripts as it adds them
//!   ([`IdKind::KickstartScript`]); the cluster id stands for the script
//!   by what it holds, within its profile.
//!
//! The result places of content named by one string also say which
//! member of the struct holding the id names the content
//! ([`IdResult::named_by`]): the advisory name of an erratum, the label of
//! a channel struct, a repository or configuration channel, the name of a
//! filter, where the struct shows it.
//!
//! An override table corrects the rules where the documentation misleads
//! (`actionchain.createChain` names its chain id `actionId`; the image build
//! calls return an action id without naming it).

use serde::{Deserialize, Serialize};

/// The kind of id a parameter or result part carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// A system (server) id.
    System,
    /// A scheduled action id.
    Action,
    /// A recurring action schedule id (`recurring.*`, `recurringaction.*`).
    Schedule,
    /// A system group id. Groups are shared: each node has the group under
    /// its own id, and the cluster id stands for all of them.
    Group,
    /// An image id (`image.*`, `image.delta.*`).
    Image,
    /// A system snapshot id (`system.provisioning.snapshot.*`).
    Snapshot,
    /// An Ansible path id (`ansible.*`).
    AnsiblePath,
    /// A user notification id (`user.notifications.*`).
    Notification,
    /// A stored package profile id (`system.*PackageProfile*`).
    PackageProfile,
    /// A pinned subscription id (`subscriptionmatching.pinnedsubscription.*`;
    /// not the subscription it pins, which is shared content).
    PinnedSubscription,
    /// An OpenSCAP XCCDF scan id (`xid` of `system.scap.*`): a scan's
    /// results, kept on the node of the system scanned.
    XccdfScan,
    /// A package id. Packages are shared content: each node numbers them
    /// as it syncs them, and the cluster id stands for the package (by
    /// name, epoch, version, release and architecture) on every node.
    Package,
    /// An erratum (patch) id. Errata are shared content like packages:
    /// each node numbers them as it syncs them, and the cluster id stands
    /// for the erratum (by advisory name) on every node.
    Erratum,
    /// A software channel id. Every node holds the channels (synced vendor
    /// channels, custom channels made on each), numbered as it made them:
    /// the cluster id stands for the channel (by label) on every node.
    Channel,
    /// A software repository (content source) id. Repositories are made on
    /// every node (`channel.software.createRepo` is broadcast), each
    /// numbering them as it made them: the cluster id stands for the
    /// repository (by label) on every node.
    Repository,
    /// A content lifecycle filter id (`contentmanagement.*Filter*`).
    /// Filters are made on every node like repositories: the cluster id
    /// stands for the filter (by name) on every node.
    ContentFilter,
    /// A configuration channel id (`configchannel.*`). Configuration
    /// channels are made on every node like repositories: the cluster id
    /// stands for the channel (by label) on every node.
    ConfigChannel,
    /// A source package id (`packages.*SourcePackage*`). An organization's
    /// source packages are pushed to every node, each numbering them as it
    /// got them: the cluster id stands for the source package (by the
    /// source RPM's name) on every node.
    SourcePackage,
    /// A kickstart (autoinstallation) script id
    /// (`kickstart.profile.*Script*`). A profile's scripts are added on
    /// every node, each numbering them as it adds them: the cluster id
    /// stands for the script (by its name, contents, type, interpreter and
    /// flags, within its profile) on every node.
    KickstartScript,
}

impl IdKind {
    /// Every kind.
    pub const ALL: [IdKind; 19] = [
        IdKind::System,
        IdKind::Action,
        IdKind::Schedule,
        IdKind::Group,
        IdKind::Image,
        IdKind::Snapshot,
        IdKind::AnsiblePath,
        IdKind::Notification,
        IdKind::PackageProfile,
        IdKind::PinnedSubscription,
        IdKind::XccdfScan,
        IdKind::Package,
        IdKind::Erratum,
        IdKind::Channel,
        IdKind::Repository,
        IdKind::ContentFilter,
        IdKind::ConfigChannel,
        IdKind::SourcePackage,
        IdKind::KickstartScript,
    ];

    /// Whether ids of this kind name objects that live on particular nodes
    /// and are reached through them: actions, schedules, images,
    /// snapshots, Ansible paths, notifications, package profiles and
    /// pinned subscriptions. Each node numbers them on its own; the
    /// cluster id of one stands for its part (or its copies) on one or
    /// several nodes, and a call naming it goes to those nodes. Systems
    /// (one owner, moved by the director) and shared content
    /// ([`IdKind::is_shared`]) are mapped their own ways.
    pub fn is_node_object(self) -> bool {
        self != IdKind::System && !self.is_shared()
    }

    /// Whether ids of this kind name content every node holds under its
    /// own id (system groups, packages, errata, software channels,
    /// repositories, content filters, configuration channels, source
    /// packages, kickstart scripts): a call
    /// naming one goes wherever it is routed, with each node's own id for
    /// it.
    pub fn is_shared(self) -> bool {
        matches!(
            self,
            IdKind::Group
                | IdKind::Package
                | IdKind::Erratum
                | IdKind::Channel
                | IdKind::Repository
                | IdKind::ContentFilter
                | IdKind::ConfigChannel
                | IdKind::SourcePackage
                | IdKind::KickstartScript
        )
    }

    /// Whether the parts of one object of this kind are copies alike (a
    /// schedule made for a group on every node, an OS image imported on
    /// every node), so that a read asks one copy and a change goes to each;
    /// every node object but actions, whose parts are different systems'
    /// runs and whose reads ask every part.
    pub fn has_copies(self) -> bool {
        self.is_node_object() && self != IdKind::Action
    }

    /// The plural for messages: `systems`, `actions`, `images`, ...
    pub fn plural(self) -> &'static str {
        match self {
            IdKind::System => "systems",
            IdKind::Action => "actions",
            IdKind::Schedule => "schedules",
            IdKind::Group => "system groups",
            IdKind::Image => "images",
            IdKind::Snapshot => "snapshots",
            IdKind::AnsiblePath => "Ansible paths",
            IdKind::Notification => "notifications",
            IdKind::PackageProfile => "package profiles",
            IdKind::PinnedSubscription => "pinned subscriptions",
            IdKind::XccdfScan => "XCCDF scans",
            IdKind::Package => "packages",
            IdKind::Erratum => "errata",
            IdKind::Channel => "channels",
            IdKind::Repository => "repositories",
            IdKind::ContentFilter => "content filters",
            IdKind::ConfigChannel => "configuration channels",
            IdKind::SourcePackage => "source packages",
            IdKind::KickstartScript => "kickstart scripts",
        }
    }
}

/// How a parameter carries its ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdForm {
    /// One integer id.
    Scalar,
    /// An array of integer ids.
    Array,
    /// A Salt minion id string: names a system (routes) but is the same on
    /// every node, so it is never rewritten.
    MinionId,
    /// A system-id certificate (XML with `ID-<sid>`): names a system; signed,
    /// so it is never rewritten.
    ClientCert,
    /// The integer member `id` of a struct parameter (the `actionProps` of
    /// `recurring.*.update`).
    StructId,
    /// The integer member `server_id` of a struct parameter (the `props` of
    /// `ansible.createAnsiblePath`: the control node).
    StructServerId,
}

impl IdForm {
    /// Whether ids in this form are integers the gateway rewrites.
    pub fn is_translated(self) -> bool {
        matches!(
            self,
            IdForm::Scalar | IdForm::Array | IdForm::StructId | IdForm::StructServerId
        )
    }

    /// The struct member holding the id, for the struct forms.
    pub fn member(self) -> Option<&'static str> {
        match self {
            IdForm::StructId => Some("id"),
            IdForm::StructServerId => Some("server_id"),
            _ => None,
        }
    }
}

/// A parameter that carries ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdParam {
    /// Index into [`crate::Entry::params`].
    pub index: usize,
    /// The kind of id.
    pub kind: IdKind,
    /// How the parameter carries it.
    pub form: IdForm,
}

/// Where in a result ids sit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdPlace {
    /// The whole result: an integer, or an array of integers.
    Whole,
    /// The named member of the returned struct, or of each struct of the
    /// returned array.
    Field(String),
    /// A member of structs nested in the result: the member names from
    /// the returned struct (or each struct of the returned array) down to
    /// the id, through every struct of an array met on the way. The last
    /// member holds one integer id or an array of them.
    Nested(Vec<String>),
}

/// A part of the result that carries ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdResult {
    /// The kind of id.
    pub kind: IdKind,
    /// Where it sits.
    pub place: IdPlace,
    /// For content named by one string (errata, software channels,
    /// repositories, content filters, configuration channels): the member
    /// of the struct holding the id that names the content, when it shows
    /// one (`advisory_name`, `label`, `name`). A kickstart tree's `label`
    /// is the tree's, so its `channel_id` has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named_by: Option<String>,
}

impl IdResult {
    /// Ids of `kind` at `place`, named by no member.
    pub fn new(kind: IdKind, place: IdPlace) -> IdResult {
        IdResult {
            kind,
            place,
            named_by: None,
        }
    }
}

/// Every place an entry carries system, action, schedule, group, package
/// or other node-object ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdInfo {
    /// Parameters carrying ids, by index.
    pub params: Vec<IdParam>,
    /// Result parts carrying ids.
    pub result: Vec<IdResult>,
}

impl IdInfo {
    /// Whether the entry carries no ids the gateway translates.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty() && self.result.is_empty()
    }

    /// The first parameter carrying ids of `kind`.
    pub fn first_param(&self, kind: IdKind) -> Option<&IdParam> {
        self.params.iter().find(|p| p.kind == kind)
    }

    /// The first parameter naming a node object other than an action
    /// ([`IdKind::has_copies`]): what an `action` class call routes on when
    /// no action id names its target.
    pub fn first_copied_param(&self) -> Option<&IdParam> {
        self.params.iter().find(|p| p.kind.has_copies())
    }

    /// The id parameter at `index`.
    pub fn param(&self, index: usize) -> Option<&IdParam> {
        self.params.iter().find(|p| p.index == index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_compactly() {
        let info = IdInfo {
            params: vec![IdParam {
                index: 1,
                kind: IdKind::System,
                form: IdForm::Array,
            }],
            result: vec![IdResult::new(IdKind::Action, IdPlace::Field("id".into()))],
        };
        let json = serde_json::to_string(&info).unwrap();
        assert_eq!(
            json,
            r#"{"params":[{"index":1,"kind":"system","form":"array"}],"result":[{"kind":"action","place":{"field":"id"}}]}"#
        );
        assert_eq!(serde_json::from_str::<IdInfo>(&json).unwrap(), info);
        let whole = serde_json::to_string(&IdPlace::Whole).unwrap();
        assert_eq!(whole, r#""whole""#);
        let nested = IdPlace::Nested(vec!["systems".into(), "systemId".into()]);
        let json = serde_json::to_string(&nested).unwrap();
        assert_eq!(json, r#"{"nested":["systems","systemId"]}"#);
        assert_eq!(serde_json::from_str::<IdPlace>(&json).unwrap(), nested);
    }
}
