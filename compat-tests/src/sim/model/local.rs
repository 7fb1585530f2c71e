//! The objects each node numbers on its own (images, snapshots,
//! notifications, package profiles, Ansible paths, pinned subscriptions,
//! OpenSCAP XCCDF scans): every kind from 1, as on a fresh server.

use std::collections::{BTreeMap, BTreeSet};

/// An OS image (`image.*`): numbered by each node on its own.
#[derive(Debug, Clone)]
pub struct Image {
    /// Image id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Version (tag).
    pub version: String,
    /// Build revision.
    pub revision: i32,
    /// Server architecture label, e.g. `x86_64-redhat-linux`.
    pub arch: String,
    /// Imported rather than built by a build host of this node.
    pub external: bool,
    /// SHA-256 checksum, hex; empty if unknown.
    pub checksum: String,
    /// The build host's system id, if it still exists.
    pub build_server: Option<i32>,
    /// Number of packages installed in the image.
    pub installed_packages: i32,
    /// Pillar data (`image.getPillar` / `setPillar`), kept as sent.
    pub pillar: xmlrpc::Struct,
}

/// One package of a snapshot's package list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageNevra {
    /// Name.
    pub name: String,
    /// Epoch, empty if none.
    pub epoch: String,
    /// Version.
    pub version: String,
    /// Release.
    pub release: String,
    /// Architecture label.
    pub arch: String,
}

/// A system snapshot (`system.provisioning.snapshot.*`).
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Snapshot id.
    pub id: i32,
    /// The system it is a snapshot of.
    pub system_id: i32,
    /// Why it was taken.
    pub reason: String,
    /// Taken (Unix seconds).
    pub created: i64,
    /// Names of the system groups the system was in.
    pub groups: Vec<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// Installed packages.
    pub packages: Vec<PackageNevra>,
}

/// A notification of one user (`user.notifications.*`).
#[derive(Debug, Clone)]
pub struct Notification {
    /// The user notification's id.
    pub id: i32,
    /// The user it is for.
    pub user_id: i32,
    /// Whether it was read.
    pub read: bool,
    /// Notification type, e.g. `OnboardingFailed`.
    pub kind: String,
    /// The message's data, as the server keeps it (JSON).
    pub data: String,
    /// Summary, without markup.
    pub summary: String,
    /// Details.
    pub details: String,
    /// Created (Unix seconds).
    pub created: i64,
}

/// A stored package profile (`system.*PackageProfile*`).
#[derive(Debug, Clone)]
pub struct PackageProfile {
    /// Profile id.
    pub id: i32,
    /// Name (the label it was created with).
    pub name: String,
    /// Description.
    pub description: String,
    /// Name of the base channel it was taken against.
    pub channel_name: String,
}

/// An Ansible inventory or playbook path of a control node (`ansible.*`).
#[derive(Debug, Clone)]
pub struct AnsiblePath {
    /// Path id.
    pub id: i32,
    /// `inventory` or `playbook`.
    pub kind: String,
    /// The control node's system id.
    pub server_id: i32,
    /// Absolute local path.
    pub path: String,
}

/// A pinned subscription (`subscriptionmatching.pinnedsubscription.*`).
#[derive(Debug, Clone)]
pub struct PinnedSubscription {
    /// The pin's own id.
    pub id: i32,
    /// The subscription's id.
    pub subscription_id: i32,
    /// The system's id.
    pub system_id: i32,
}

/// One rule's result in an XCCDF scan (`XccdfRuleResultDto`).
#[derive(Debug, Clone)]
pub struct XccdfRuleResult {
    /// The rule's id in the XCCDF document (the `#IDREF#` ident).
    pub idref: String,
    /// Result type label: `pass`, `fail`, `notapplicable`, ...
    pub result: String,
    /// The rule's other idents (CCE ids, ...), in the server's order.
    pub idents: Vec<String>,
}

/// An OpenSCAP XCCDF scan's results (`system.scap.*`), kept on the node of
/// the system scanned.
#[derive(Debug, Clone)]
pub struct XccdfScan {
    /// Scan (test result) id, the API's `xid`.
    pub id: i32,
    /// The system scanned.
    pub system_id: i32,
    /// The scan action's id.
    pub action_id: i32,
    /// Path of the XCCDF document on the system.
    pub path: String,
    /// OVAL files given to `oscap`, if any.
    pub ovalfiles: Option<String>,
    /// `oscap` command-line arguments.
    pub oscap_parameters: String,
    /// The XCCDF TestResult's identifier.
    pub test_result: String,
    /// The XCCDF Benchmark's identifier.
    pub benchmark: String,
    /// The Benchmark's version.
    pub benchmark_version: String,
    /// The XCCDF Profile's identifier.
    pub profile: String,
    /// The Profile's title.
    pub profile_title: String,
    /// Scan start, client time (Unix seconds).
    pub start_time: i64,
    /// Scan end, client time (Unix seconds).
    pub end_time: i64,
    /// When the server recorded the action complete (Unix seconds).
    pub completed: i64,
    /// `oscap`'s error output, empty if none.
    pub errors: String,
    /// Rule results, in the server's order (by result type).
    pub rule_results: Vec<XccdfRuleResult>,
}

/// The objects each node numbers on its own, every kind from 1 as a fresh
/// server does: the same id names different objects on different nodes.
#[derive(Debug)]
pub struct LocalObjects {
    /// Images by id.
    pub images: BTreeMap<i32, Image>,
    /// Next image id.
    pub next_image_id: i32,
    /// Snapshots by id.
    pub snapshots: BTreeMap<i32, Snapshot>,
    /// Next snapshot id.
    pub next_snapshot_id: i32,
    /// Notifications by id.
    pub notifications: BTreeMap<i32, Notification>,
    /// Next notification id.
    pub next_notification_id: i32,
    /// Package profiles by id.
    pub package_profiles: BTreeMap<i32, PackageProfile>,
    /// Next package profile id.
    pub next_package_profile_id: i32,
    /// Systems with the `ansible_control_node` entitlement.
    pub ansible_control_nodes: BTreeSet<i32>,
    /// Ansible paths by id.
    pub ansible_paths: BTreeMap<i32, AnsiblePath>,
    /// Next Ansible path id.
    pub next_ansible_path_id: i32,
    /// Pinned subscriptions by id.
    pub pinned_subscriptions: BTreeMap<i32, PinnedSubscription>,
    /// Next pinned subscription id.
    pub next_pinned_subscription_id: i32,
    /// OpenSCAP XCCDF scans by id.
    pub xccdf_scans: BTreeMap<i32, XccdfScan>,
    /// Next XCCDF scan id.
    pub next_xccdf_scan_id: i32,
}

impl Default for LocalObjects {
    fn default() -> LocalObjects {
        LocalObjects {
            images: BTreeMap::new(),
            next_image_id: 1,
            snapshots: BTreeMap::new(),
            next_snapshot_id: 1,
            notifications: BTreeMap::new(),
            next_notification_id: 1,
            package_profiles: BTreeMap::new(),
            next_package_profile_id: 1,
            ansible_control_nodes: BTreeSet::new(),
            ansible_paths: BTreeMap::new(),
            next_ansible_path_id: 1,
            pinned_subscriptions: BTreeMap::new(),
            next_pinned_subscription_id: 1,
            xccdf_scans: BTreeMap::new(),
            next_xccdf_scan_id: 1,
        }
    }
}

/// Hands out the next id of a kind: returns `*next` and advances it.
pub fn take_id(next: &mut i32) -> i32 {
    let id = *next;
    *next += 1;
    id
}
