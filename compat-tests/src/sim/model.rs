//! What one simulated node holds.

use std::collections::{BTreeMap, BTreeSet, HashMap};

mod custom;
mod local;

pub use custom::{
    ConfigChannel, ConfigFile, ConfigRevision, ContentFilter, ContentProject, CryptoKey,
    CustomContent, CustomInfoKey, ExternalAuthSettings, ExternalGroupMap, ExternalRoleMap,
    KickstartProfile, KickstartScript, MaintenanceCalendar, MaintenanceSchedule, Repository,
    SslSet,
};
pub use local::{
    AnsiblePath, Image, LocalObjects, Notification, PackageNevra, PackageProfile,
    PinnedSubscription, Snapshot, XccdfRuleResult, XccdfScan, take_id,
};

/// The first system id a SUSE Manager server hands out.
pub const FIRST_SYSTEM_ID: i32 = 1_000_010_000;

/// The base entitlement every simulated system has.
pub const BASE_ENTITLEMENT: &str = "salt_entitlement";

/// The base entitlements a server knows besides [`BASE_ENTITLEMENT`].
pub const OTHER_BASE_ENTITLEMENTS: &[&str] = &["foreign_entitled", "bootstrap_entitled"];

/// The add-on entitlements a server knows.
pub const ADDON_ENTITLEMENTS: &[&str] = &[
    "container_build_host",
    "monitoring_entitled",
    "osimage_build_host",
    "virtualization_host",
    "ansible_control_node",
    "peripheral_server",
];

/// A registered client system.
#[derive(Debug, Clone)]
pub struct System {
    /// Server id.
    pub id: i32,
    /// Profile name.
    pub name: String,
    /// Fully qualified host name.
    pub hostname: String,
    /// Salt minion id.
    pub minion_id: String,
    /// `/etc/machine-id`.
    pub machine_id: String,
    /// Registration time (Unix seconds).
    pub created: i64,
    /// Last check-in (Unix seconds).
    pub last_checkin: i64,
    /// Last boot (Unix seconds).
    pub last_boot: i64,
    /// OS release, e.g. `15.6`.
    pub release: String,
    /// Free-text description.
    pub description: String,
}

/// The state one system is in for one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionState {
    /// Queued or picked up.
    InProgress,
    /// Finished successfully.
    Completed,
    /// Failed or canceled.
    Failed,
}

/// A scheduled action and the systems it runs on.
#[derive(Debug, Clone)]
pub struct Action {
    /// Action id.
    pub id: i32,
    /// Display name, e.g. `Package Install scheduled by admin`.
    pub name: String,
    /// Action type name, e.g. `Package Install`.
    pub type_name: String,
    /// Action type label, e.g. `packages.update`.
    pub type_label: String,
    /// Login of the scheduler.
    pub scheduler: String,
    /// Created (Unix seconds).
    pub created: i64,
    /// Earliest execution (Unix seconds).
    pub earliest: i64,
    /// Per system: state and the message a failure or cancel left.
    pub systems: BTreeMap<i32, (ActionState, Option<String>)>,
    /// Package ids the action installs.
    pub package_ids: Vec<i32>,
    /// Erratum ids the action applies.
    pub errata_ids: Vec<i32>,
}

impl Action {
    /// Systems in `state`.
    pub fn count(&self, state: ActionState) -> i32 {
        self.systems.values().filter(|(s, _)| *s == state).count() as i32
    }
}

/// A software channel.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Channel id.
    pub id: i32,
    /// Label.
    pub label: String,
    /// Name.
    pub name: String,
    /// Parent channel label, empty for a base channel.
    pub parent_label: String,
    /// Architecture name, e.g. `x86_64`.
    pub arch: String,
    /// Summary.
    pub summary: String,
    /// Last modified (Unix seconds).
    pub last_modified: i64,
    /// Ids of the packages in it.
    pub package_ids: Vec<i32>,
}

/// A package.
#[derive(Debug, Clone)]
pub struct Package {
    /// Package id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Release.
    pub release: String,
    /// Epoch, empty if none.
    pub epoch: String,
    /// Architecture label.
    pub arch: String,
    /// SHA-256 checksum, hex.
    pub checksum: String,
    /// Last modified (Unix seconds).
    pub last_modified: i64,
}

/// An erratum (patch) of a product's updates channel.
#[derive(Debug, Clone)]
pub struct Erratum {
    /// Erratum id (this node's).
    pub id: i32,
    /// Advisory name, alike on every node of the zone.
    pub advisory: String,
    /// Synopsis.
    pub synopsis: String,
    /// `Security Advisory`, `Bug Fix Advisory` or `Product Enhancement Advisory`.
    pub advisory_type: String,
    /// Issued (Unix seconds).
    pub issued: i64,
    /// Updated (Unix seconds).
    pub updated: i64,
    /// The label of the channel that carries it.
    pub channel_label: String,
    /// The OS release of the systems it is relevant to (`15.6`).
    pub os_release: String,
    /// The packages it updates.
    pub package_ids: Vec<i32>,
}

/// A user of the organization.
#[derive(Debug, Clone)]
pub struct User {
    /// User id.
    pub id: i32,
    /// Login.
    pub login: String,
    /// Password (the simulator compares it in memory; it is never logged).
    pub password: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail address.
    pub email: String,
    /// Whether the account is enabled.
    pub enabled: bool,
    /// Whether the user logs in through PAM (the simulator has no PAM:
    /// such a user cannot log in).
    pub use_pam: bool,
    /// Role labels.
    pub roles: Vec<String>,
    /// The system groups the user administers, by id.
    pub assigned_groups: Vec<i32>,
    /// The system groups the systems the user registers join, by id.
    pub default_groups: Vec<i32>,
}

/// The organization a server is set up with, which cannot be deleted.
pub const DEFAULT_ORG_ID: i32 = 1;

/// An organization.
#[derive(Debug, Clone)]
pub struct Org {
    /// Org id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// The user `org.create` made its administrator, by id; `None` for
    /// the default organization, which holds every other user.
    pub admin: Option<i32>,
}

/// An activation key.
#[derive(Debug, Clone)]
pub struct ActivationKey {
    /// The key, `<org id>-<name>`.
    pub key: String,
    /// Description.
    pub description: String,
    /// Base channel label, empty for the default.
    pub base_channel_label: String,
    /// Usage limit, if any.
    pub usage_limit: Option<i32>,
    /// Add-on entitlements.
    pub entitlements: Vec<String>,
    /// Whether it is the org's universal default.
    pub universal_default: bool,
    /// The system groups a system registered with it joins, by id.
    pub server_groups: Vec<i32>,
    /// Child channel labels.
    pub child_channels: Vec<String>,
    /// Packages to install: name and architecture label, if any.
    pub packages: Vec<(String, Option<String>)>,
    /// Configuration channel ids, highest rank first.
    pub config_channels: Vec<i32>,
    /// Whether it is disabled.
    pub disabled: bool,
    /// `default`, `ssh-push` or `ssh-push-tunnel`.
    pub contact_method: String,
}

/// A system group.
#[derive(Debug, Clone)]
pub struct SystemGroup {
    /// Group id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Member system ids.
    pub members: Vec<i32>,
}

/// A recurring highstate schedule (`recurring.highstate.*`, `recurring.*`).
#[derive(Debug, Clone)]
pub struct Recurring {
    /// Schedule id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// `MINION`, `GROUP` or `ORG`.
    pub entity_type: String,
    /// The system, group or organization id.
    pub entity_id: i32,
    /// Quartz cron expression.
    pub cron: String,
    /// Test mode.
    pub test: bool,
    /// Whether it runs (`update` with `active`).
    pub active: bool,
    /// Creation time (Unix seconds).
    pub created: i64,
    /// Login of its creator.
    pub creator: String,
}

/// A note on a system (`system.addNote`, `rhnServerNotes`).
#[derive(Debug, Clone)]
pub struct SystemNote {
    /// Note id, from the node's sequence.
    pub id: i32,
    /// Subject.
    pub subject: String,
    /// Body (`note` in `system.listNotes`).
    pub body: String,
    /// Login of the user who added it.
    pub creator: String,
    /// Last change (Unix seconds).
    pub updated: i64,
}

/// A system's own settings beyond its seeded profile: notes, add-on
/// entitlements and maintenance schedule. Each map holds only the systems
/// that have something set.
#[derive(Debug, Default)]
pub struct SystemSettings {
    /// Notes by system id, oldest first.
    pub notes: BTreeMap<i32, Vec<SystemNote>>,
    /// Next note id.
    pub next_note_id: i32,
    /// Add-on entitlement labels by system id (never empty).
    pub addons: HashMap<i32, BTreeSet<String>>,
    /// The maintenance schedule (by id) assigned to a system, by system id.
    pub schedules: HashMap<i32, i32>,
    /// The systems with automatic errata updates (`auto_errata_update`).
    pub auto_update: BTreeSet<i32>,
    /// The location members set (`address1` ... `rack`) by system id.
    pub locations: HashMap<i32, BTreeMap<String, String>>,
}

/// Everything one node holds, behind the node's lock.
#[derive(Debug, Default)]
pub struct NodeData {
    /// Systems by id.
    pub systems: BTreeMap<i32, System>,
    /// Next system id to hand out.
    pub next_system_id: i32,
    /// Actions by id.
    pub actions: BTreeMap<i32, Action>,
    /// Next action id to hand out.
    pub next_action_id: i32,
    /// Channels, in label order.
    pub channels: Vec<Channel>,
    /// Packages by id.
    pub packages: BTreeMap<i32, Package>,
    /// The default organization's source packages (`rhnPackageSource`)
    /// by id: the source RPM's file name, `bash-4.4-150400.27.3.1.src.rpm`.
    pub source_packages: BTreeMap<i32, String>,
    /// Errata by id.
    pub errata: BTreeMap<i32, Erratum>,
    /// Users.
    pub users: Vec<User>,
    /// Next user id.
    pub next_user_id: i32,
    /// Organizations.
    pub orgs: Vec<Org>,
    /// Next organization id: a sequence, as the server's, so a deleted
    /// organization's id is not handed out again.
    pub next_org_id: i32,
    /// Activation keys by key.
    pub activation_keys: BTreeMap<String, ActivationKey>,
    /// System groups by name.
    pub groups: BTreeMap<String, SystemGroup>,
    /// Next system group id.
    pub next_group_id: i32,
    /// Minion id to system id.
    pub by_minion: HashMap<String, i32>,
    /// Recurring schedules by id.
    pub recurring: BTreeMap<i32, Recurring>,
    /// Next recurring schedule id.
    pub next_recurring_id: i32,
    /// Images, snapshots, notifications, package profiles, Ansible paths,
    /// pinned subscriptions and XCCDF scans.
    pub local: LocalObjects,
    /// The child channel labels of the systems whose child channels were
    /// set (`system.setChildChannels`); any other system is subscribed to
    /// every child of its base channel.
    pub child_channels: HashMap<i32, Vec<String>>,
    /// The base channel label of the systems whose base channel was set
    /// (`system.setBaseChannel`; `None`: taken away); any other system's
    /// is its release's pool.
    pub base_channels: HashMap<i32, Option<String>>,
    /// Repositories, content filters, configuration channels, kickstart
    /// profiles, crypto keys, custom information keys (with the systems'
    /// values), external group maps and settings, maintenance calendars
    /// and schedules, kickstart snippets.
    pub custom: CustomContent,
    /// The systems' notes, add-on entitlements and maintenance schedules.
    pub settings: SystemSettings,
}

impl NodeData {
    /// The user with this login.
    pub fn user(&self, login: &str) -> Option<&User> {
        self.users.iter().find(|u| u.login == login)
    }

    /// The user with this login, to change.
    pub fn user_mut(&mut self, login: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.login == login)
    }

    /// The user with this id.
    pub fn user_by_id(&self, id: i32) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The erratum of this advisory name.
    pub fn erratum(&self, advisory: &str) -> Option<&Erratum> {
        self.errata.values().find(|e| e.advisory == advisory)
    }

    /// The channel with this label.
    pub fn channel(&self, label: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.label == label)
    }

    /// The channel with id `id`.
    pub fn channel_by_id(&self, id: i64) -> Option<&Channel> {
        self.channels.iter().find(|c| i64::from(c.id) == id)
    }

    /// The base channel of `system`: the one `system.setBaseChannel` set,
    /// else the pool of its OS release's product (`15.6`:
    /// `sle-product-sles15-sp6-pool-x86_64`); `None` where the node has
    /// not synced that product (`15.4`).
    pub fn base_channel(&self, system: &System) -> Option<&Channel> {
        if let Some(set) = self.base_channels.get(&system.id) {
            return set.as_deref().and_then(|label| self.channel(label));
        }
        let (_, minor) = system.release.split_once('.')?;
        self.channel(&format!("sle-product-sles15-sp{minor}-pool-x86_64"))
    }

    /// The children of the base channel labelled `base`, by label.
    pub fn children_of(&self, base: &str) -> Vec<&Channel> {
        self.channels
            .iter()
            .filter(|c| c.parent_label == base)
            .collect()
    }

    /// The child channels `system` is subscribed to, by label.
    pub fn child_channels(&self, system: &System) -> Vec<&Channel> {
        let Some(base) = self.base_channel(system) else {
            return Vec::new();
        };
        let children = self.children_of(&base.label);
        match self.child_channels.get(&system.id) {
            Some(set) => children
                .into_iter()
                .filter(|c| set.contains(&c.label))
                .collect(),
            None => children,
        }
    }

    /// The number of systems subscribed to `channel`.
    pub fn subscribers(&self, channel: &Channel) -> i32 {
        let subscribed = |s: &&System| {
            if channel.parent_label.is_empty() {
                self.base_channel(s).is_some_and(|b| b.id == channel.id)
            } else {
                self.child_channels(s).iter().any(|c| c.id == channel.id)
            }
        };
        i32::try_from(self.systems.values().filter(subscribed).count()).unwrap_or(i32::MAX)
    }

    /// Adds a system, allocating its id.
    pub fn add_system(&mut self, mut system: System) -> i32 {
        let id = self.next_system_id;
        self.next_system_id += 1;
        system.id = id;
        self.by_minion.insert(system.minion_id.clone(), id);
        self.systems.insert(id, system);
        id
    }

    /// The system group with id `id`.
    pub fn group_by_id(&self, id: i64) -> Option<&SystemGroup> {
        self.groups.values().find(|g| i64::from(g.id) == id)
    }

    /// Removes a system and its memberships.
    pub fn remove_system(&mut self, id: i32) -> Option<System> {
        let system = self.systems.remove(&id)?;
        self.by_minion.remove(&system.minion_id);
        self.child_channels.remove(&id);
        for group in self.groups.values_mut() {
            group.members.retain(|m| *m != id);
        }
        // A system's snapshots, Ansible paths and XCCDF scans go with it;
        // an image it built loses its build host (`buildServerId` 0).
        // Pinned subscriptions have no foreign key and stay. Unverified:
        // the server's cascades for snapshots, Ansible paths, scans and
        // images.
        let local = &mut self.local;
        local.snapshots.retain(|_, s| s.system_id != id);
        local.xccdf_scans.retain(|_, s| s.system_id != id);
        local.ansible_control_nodes.remove(&id);
        local.ansible_paths.retain(|_, p| p.server_id != id);
        for image in local.images.values_mut() {
            if image.build_server == Some(id) {
                image.build_server = None;
            }
        }
        // Its custom information values go too (`rhnServerCustomDataValue`
        // rows die with the server; unverified: the cascade itself).
        for key in self.custom.custom_info_keys.values_mut() {
            key.values.remove(&id);
        }
        // Its notes, add-on entitlements and schedule assignment go too
        // (`rhnServerNotes` and `rhnServerGroupMembers` rows die with the
        // server, the schedule is a column of `rhnServer`).
        self.settings.notes.remove(&id);
        self.settings.addons.remove(&id);
        self.settings.schedules.remove(&id);
        self.settings.auto_update.remove(&id);
        self.settings.locations.remove(&id);
        Some(system)
    }
}
