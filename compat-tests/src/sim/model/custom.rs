//! Content an administrator makes on every node through the gateway's
//! broadcast (repositories, content lifecycle filters, configuration
//! channels, kickstart profiles, crypto keys, custom system information
//! keys, external group maps and settings, maintenance calendars and
//! schedules, kickstart snippets), numbered by each node as it made them.

use std::collections::{BTreeMap, BTreeSet};

/// A software repository (content source, `channel.software.createRepo`).
#[derive(Debug, Clone)]
pub struct Repository {
    /// Repository id.
    pub id: i32,
    /// Label, unique in the organization.
    pub label: String,
    /// The URL it mirrors.
    pub url: String,
    /// `yum`, `uln` or `deb`.
    pub kind: String,
    /// Whether its metadata is signed.
    pub signed_metadata: bool,
    /// Its SSL certificate sets (`rhnContentSourceSsl`), in the order
    /// added; the API adds at most one.
    pub ssl_sets: Vec<SslSet>,
}

/// One SSL certificate set of a repository: the crypto keys (of type
/// `SSL`) it names, by description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SslSet {
    /// The CA certificate.
    pub ca_cert: String,
    /// The client certificate, if any.
    pub client_cert: Option<String>,
    /// The client key, if any (never without a client certificate).
    pub client_key: Option<String>,
}

impl SslSet {
    /// Whether the set names the crypto key `description`.
    pub fn names(&self, description: &str) -> bool {
        self.ca_cert == description
            || self.client_cert.as_deref() == Some(description)
            || self.client_key.as_deref() == Some(description)
    }
}

/// A GPG or SSL key of the organization (`kickstart.keys.create`), named
/// by its description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoKey {
    /// Description, unique in the organization.
    pub description: String,
    /// `GPG` or `SSL`.
    pub kind: String,
    /// The key itself; `None` when made or updated with an empty one (the
    /// server keeps no contents then).
    pub content: Option<String>,
}

/// A custom system information key (`system.custominfo.createKey`) and
/// the value each system holds for it (`system.setCustomValues`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomInfoKey {
    /// Key id, from the node's sequence.
    pub id: i32,
    /// Label, unique in the organization.
    pub label: String,
    /// Description.
    pub description: String,
    /// Created or last updated (Unix seconds).
    pub last_modified: i64,
    /// The systems' values, by system id.
    pub values: BTreeMap<i32, String>,
}

/// A content lifecycle filter (`contentmanagement.createFilter`).
#[derive(Debug, Clone)]
pub struct ContentFilter {
    /// Filter id.
    pub id: i32,
    /// Name, unique in the organization.
    pub name: String,
    /// `allow` or `deny`.
    pub rule: String,
    /// `package`, `erratum` or `module`.
    pub entity_type: String,
    /// The criteria as sent: `matcher`, `field`, `value`.
    pub criteria: xmlrpc::Struct,
}

/// A content lifecycle project (`contentmanagement.createProject`), with
/// the filters attached to it.
#[derive(Debug, Clone)]
pub struct ContentProject {
    /// Project id.
    pub id: i32,
    /// Label, unique in the organization.
    pub label: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Its filters, by filter id, in the order attached: each with its
    /// state (`attached`; the simulator builds no projects).
    pub filters: Vec<(i32, String)>,
}

/// A global configuration channel (`configchannel.create`).
#[derive(Debug, Clone)]
pub struct ConfigChannel {
    /// Configuration channel id.
    pub id: i32,
    /// Label, unique in the organization.
    pub label: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// `normal` or `state`.
    pub kind: String,
    /// Its files, directories and links by path (a state channel's
    /// `/init.sls` among them).
    pub files: BTreeMap<String, ConfigFile>,
}

/// A path of a configuration channel: a file, directory or symbolic link
/// with its revisions.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// `file`, `directory`, `symlink`, or `sls` (a state channel's
    /// `init.sls`).
    pub kind: String,
    /// Its revisions, oldest first; the last is the current one.
    pub revisions: Vec<ConfigRevision>,
}

impl ConfigFile {
    /// The current revision.
    pub fn latest(&self) -> &ConfigRevision {
        self.revisions
            .last()
            .expect("a configuration file has a revision")
    }
}

/// One revision of a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigRevision {
    /// Revision number, from 1.
    pub revision: i32,
    /// Contents (files only).
    pub contents: Vec<u8>,
    /// Whether the contents are binary.
    pub binary: bool,
    /// Owner (files and directories).
    pub owner: String,
    /// Group (files and directories).
    pub group: String,
    /// Mode, as its octal digits read in decimal (`644`).
    pub mode: i64,
    /// SELinux context, empty if none.
    pub selinux_ctx: String,
    /// A link's target.
    pub target_path: String,
    /// Macro delimiters (text files).
    pub delimiters: (String, String),
    /// Created (Unix seconds).
    pub created: i64,
}

/// A kickstart (autoinstallation) profile made by `kickstart.createProfile`
/// or `createProfileWithCustomUrl`. Only what the modelled calls show is
/// kept: nothing of the root password (the server keeps only its hash
/// and shows none of it), the host or the download URL.
#[derive(Debug, Clone)]
pub struct KickstartProfile {
    /// Label, unique in the organization (compared without case).
    pub label: String,
    /// The label of its kickstartable tree.
    pub tree_label: String,
    /// How it follows newer trees: `none` or `all`.
    pub update_type: String,
    /// Its pre and post scripts, in the order they were added.
    pub scripts: Vec<KickstartScript>,
}

/// A pre or post script of a kickstart profile
/// (`kickstart.profile.addScript`), as the server's `KickstartScript`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KickstartScript {
    /// Script id, from the node's sequence.
    pub id: i32,
    /// Name (1 to 40 characters).
    pub name: String,
    /// The script.
    pub contents: String,
    /// `pre` or `post`.
    pub kind: String,
    /// Interpreter path; `None` for the kickstart default.
    pub interpreter: Option<String>,
    /// Whether it runs in the chrooted install location.
    pub chroot: bool,
    /// Whether a failure stops the installation.
    pub error_on_fail: bool,
    /// Whether Cobbler templating applies (the server's `raw` negated).
    pub template: bool,
    /// Run order: pre and post-after-registration scripts count up from
    /// 1, post scripts before registration down from -1.
    pub position: i64,
}

/// An external group to role map (`user.external.createExternalGroupToRoleMap`,
/// the server's `UserExtGroup`): the roles a user of that external (IPA)
/// group gets at login. The server keeps these for the whole server, not
/// per organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalRoleMap {
    /// The external group's name, unique on the server.
    pub name: String,
    /// The roles as stored, by label: with `org_admin` among them, the
    /// roles it implies are not stored (the server's `removeImpliedRoles`)
    /// but shown ([`ExternalRoleMap::shown_roles`]).
    pub roles: BTreeSet<String>,
}

impl ExternalRoleMap {
    /// The roles `org_admin` implies (the server's `UserFactory.IMPLIEDROLES`).
    pub const IMPLIED_BY_ORG_ADMIN: &'static [&'static str] = &[
        "channel_admin",
        "config_admin",
        "system_group_admin",
        "activation_key_admin",
        "image_admin",
    ];

    /// The roles as the server shows them (`addImpliedRoles`): the stored
    /// ones and, with `org_admin`, the roles it implies; by label.
    pub fn shown_roles(&self) -> Vec<String> {
        let mut shown = self.roles.clone();
        if shown.contains("org_admin") {
            shown.extend(Self::IMPLIED_BY_ORG_ADMIN.iter().map(|r| (*r).to_owned()));
        }
        shown.into_iter().collect()
    }
}

/// An external group to system group map
/// (`user.external.createExternalGroupToSystemGroupMap`, the server's
/// `OrgUserExtGroup`): the system groups a user of that external group
/// may administer, in one organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalGroupMap {
    /// The external group's name, unique in the organization.
    pub name: String,
    /// The system groups, by id.
    pub group_ids: BTreeSet<i32>,
}

/// The server-wide external authentication settings (`rhnConfiguration`
/// `extauth_keep_temproles`, `extauth_use_orgunit`, `extauth_default_orgid`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalAuthSettings {
    /// Whether roles granted through external groups are kept after a
    /// login by another method (default false).
    pub keep_temporary_roles: bool,
    /// Whether the IPA org unit names the organization new users join
    /// (default false).
    pub use_org_unit: bool,
    /// The organization new externally authenticated users join, by id;
    /// `None` when unset (the server's empty value).
    pub default_org: Option<i32>,
}

/// A maintenance calendar (`maintenance.createCalendar`, the server's
/// `MaintenanceCalendar`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceCalendar {
    /// Calendar id, from the node's sequence.
    pub id: i32,
    /// Label, unique in the organization.
    pub label: String,
    /// The URL its data was fetched from, if any (the simulator fetches
    /// nothing, so never set by the API here).
    pub url: Option<String>,
    /// The iCalendar text, as given.
    pub ical: String,
}

/// A maintenance schedule (`maintenance.createSchedule`, the server's
/// `MaintenanceSchedule`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceSchedule {
    /// Schedule id, from the node's sequence.
    pub id: i32,
    /// Name, unique in the organization.
    pub name: String,
    /// `single` or `multi`.
    pub kind: String,
    /// Its calendar, by id, if any.
    pub calendar: Option<i32>,
}

/// Repositories, filters, configuration channels, kickstart profiles,
/// crypto keys, custom information keys, external group maps and
/// settings, maintenance calendars and schedules and kickstart snippets
/// of one node.
#[derive(Debug, Default)]
pub struct CustomContent {
    /// Repositories by id.
    pub repositories: BTreeMap<i32, Repository>,
    /// Next repository id.
    pub next_repository_id: i32,
    /// Content filters by id.
    pub filters: BTreeMap<i32, ContentFilter>,
    /// Next content filter id.
    pub next_filter_id: i32,
    /// Content lifecycle projects by label.
    pub projects: BTreeMap<String, ContentProject>,
    /// Next project id.
    pub next_project_id: i32,
    /// Configuration channels by id.
    pub config_channels: BTreeMap<i32, ConfigChannel>,
    /// Next configuration channel id.
    pub next_config_channel_id: i32,
    /// Each system's configuration channels, by rank (highest first).
    pub config_subscriptions: BTreeMap<i32, Vec<i32>>,
    /// Kickstart profiles by label.
    pub kickstart_profiles: BTreeMap<String, KickstartProfile>,
    /// Next kickstart script id.
    pub next_kickstart_script_id: i32,
    /// GPG and SSL keys by description.
    pub crypto_keys: BTreeMap<String, CryptoKey>,
    /// Custom system information keys by id.
    pub custom_info_keys: BTreeMap<i32, CustomInfoKey>,
    /// Next custom information key id.
    pub next_custom_info_key_id: i32,
    /// External group to role maps by name.
    pub external_role_maps: BTreeMap<String, ExternalRoleMap>,
    /// External group to system group maps by name.
    pub external_group_maps: BTreeMap<String, ExternalGroupMap>,
    /// External authentication settings.
    pub external_auth: ExternalAuthSettings,
    /// Maintenance calendars by id.
    pub calendars: BTreeMap<i32, MaintenanceCalendar>,
    /// Next maintenance calendar id.
    pub next_calendar_id: i32,
    /// Maintenance schedules by id.
    pub schedules: BTreeMap<i32, MaintenanceSchedule>,
    /// Next maintenance schedule id.
    pub next_schedule_id: i32,
    /// The organization's custom (editable) kickstart snippets: name to
    /// contents.
    pub snippets: BTreeMap<String, String>,
}
