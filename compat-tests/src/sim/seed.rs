//! Deterministic seeded data for a simulated node.
//!
//! Systems come from the node's seed and name, so every node holds its own.
//! Channels, packages, errata, users, the organization, activation keys and system
//! groups come from the zone name alone, so every node of a zone holds the
//! same ones, as the nodes of a real cluster zone do. Each node numbers its
//! system groups, packages, source packages and errata from its own start
//! ([`first_group_id`], [`first_package_id`], [`first_custom_id`],
//! [`first_erratum_id`]), as real nodes whose histories differ do (a server
//! numbers packages and errata in the order it synced them).
//!
//! Images, snapshots and notifications ([`seed_local`]) and OpenSCAP
//! XCCDF scans ([`seed_scans`]) are numbered from 1 on every node, as
//! fresh servers number them, so the same id names different objects on
//! different nodes; their content comes from the node's name and its
//! first systems, so it differs between nodes too.

mod local;
mod scap;
mod source_packages;

use local::seed_local;
use scap::seed_scans;
use sha2::{Digest, Sha256};
use source_packages::seed_source_packages;

use super::model::{
    ActivationKey, Channel, CustomContent, DEFAULT_ORG_ID, Erratum, FIRST_SYSTEM_ID, NodeData, Org,
    Package, System, SystemGroup, SystemSettings, User,
};

/// A small, stable pseudo-random generator (SplitMix64): seeded data must
/// not change when a dependency does.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for this seed.
    pub(crate) fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// A generator seeded from text.
    pub(crate) fn from_text(text: &str) -> SplitMix64 {
        let digest = Sha256::digest(text.as_bytes());
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        SplitMix64(u64::from_le_bytes(bytes))
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// 32 lowercase hex digits.
    pub(crate) fn hex32(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }
}

/// The first system group id of the node called `name`: 10001 plus a
/// multiple of 100 taken from the name, so that nodes do not agree on
/// their groups' ids (real nodes agree only while every group was made on
/// all of them in the same order), and no node's id is a small cluster id
/// that an untranslated id could hit by chance.
pub(crate) fn first_group_id(name: &str) -> i32 {
    10_001 + 100 * SplitMix64::from_text(name).below(1000) as i32
}

/// The first package id of the node called `name`: 200001 plus a multiple
/// of 100 taken from the name. Nodes that synced the same channels apart
/// number the same packages differently, and one id may name different
/// packages on two nodes (a node holds a few hundred packages); no node's
/// id is a small cluster id that an untranslated id could hit by chance.
pub(crate) fn first_package_id(name: &str) -> i32 {
    200_001 + 100 * SplitMix64::from_text(&format!("packages:{name}")).below(1000) as i32
}

/// The first erratum id of the node called `name`: 3001 plus a multiple
/// of 100 taken from the name, so that nodes number the zone's errata
/// apart, as real nodes that synced their channels apart do.
pub(crate) fn first_erratum_id(name: &str) -> i32 {
    3_001 + 100 * SplitMix64::from_text(&format!("errata:{name}")).below(1000) as i32
}

/// The first software channel id of the node called `name`: 101 plus a
/// multiple of 10 taken from the name, so that nodes number the zone's
/// channels apart, as nodes that added them in another order do.
pub(crate) fn first_channel_id(name: &str) -> i32 {
    101 + 10 * SplitMix64::from_text(&format!("channels:{name}")).below(1000) as i32
}

/// The first repository, content filter, source package (and other
/// content) ids of the node called `name`: 1 plus a multiple of 10 taken
/// from the name (a new server's first is 1), so that nodes number what
/// they all hold apart, as nodes with another history do.
pub(crate) fn first_custom_id(what: &str, name: &str) -> i32 {
    1 + 10 * SplitMix64::from_text(&format!("{what}:{name}")).below(1000) as i32
}

/// Errata seeded per product's updates channel.
const ERRATA_PER_CHANNEL: u64 = 6;

/// What a node is seeded from.
#[derive(Debug, Clone)]
pub struct SeedSpec {
    /// Node name; part of every system's host name.
    pub name: String,
    /// Zone name; seeds the shared data.
    pub zone: String,
    /// Number of systems.
    pub systems: usize,
    /// Seed for the systems.
    pub seed: u64,
    /// Administrator login.
    pub user: String,
    /// Administrator password.
    pub password: String,
    /// "Now", in Unix seconds: check-in times are relative to it.
    pub now: i64,
}

const ROLES: &[&str] = &[
    "web", "db", "app", "cache", "mq", "build", "kube", "lb", "mail", "files",
];

const RELEASES: &[&str] = &["15.6", "15.5", "15.4"];

const PACKAGE_NAMES: &[&str] = &[
    "bash",
    "coreutils",
    "glibc",
    "openssl",
    "openssh",
    "curl",
    "vim",
    "zypper",
    "systemd",
    "kernel-default",
    "python3",
    "salt-minion",
    "venv-salt-minion",
    "nginx",
    "apache2",
    "postgresql16",
    "mariadb",
    "redis",
    "git",
    "rsync",
    "sudo",
    "tar",
    "gzip",
    "xz",
    "less",
    "grep",
    "sed",
    "gawk",
    "findutils",
    "procps",
    "iproute2",
    "iputils",
    "chrony",
    "cron",
    "logrotate",
    "rsyslog",
    "audit",
    "firewalld",
    "apparmor",
    "dracut",
    "grub2",
    "e2fsprogs",
    "btrfsprogs",
    "xfsprogs",
    "lvm2",
    "mdadm",
    "nfs-client",
    "cifs-utils",
    "docker",
    "podman",
];

/// Builds a node's data.
pub(crate) fn seed(spec: &SeedSpec) -> NodeData {
    let mut data = NodeData {
        next_system_id: FIRST_SYSTEM_ID,
        next_action_id: 1,
        next_user_id: 1,
        next_org_id: DEFAULT_ORG_ID + 1,
        next_group_id: first_group_id(&spec.name),
        next_recurring_id: 1,
        custom: CustomContent {
            next_repository_id: first_custom_id("repositories", &spec.name),
            next_filter_id: first_custom_id("filters", &spec.name),
            next_project_id: first_custom_id("projects", &spec.name),
            next_config_channel_id: first_custom_id("config channels", &spec.name),
            next_kickstart_script_id: first_custom_id("kickstart scripts", &spec.name),
            next_custom_info_key_id: first_custom_id("custom info keys", &spec.name),
            next_calendar_id: first_custom_id("maintenance calendars", &spec.name),
            next_schedule_id: first_custom_id("maintenance schedules", &spec.name),
            ..CustomContent::default()
        },
        settings: SystemSettings {
            next_note_id: first_custom_id("system notes", &spec.name),
            ..SystemSettings::default()
        },
        ..NodeData::default()
    };
    seed_shared(&mut data, spec);
    seed_systems(&mut data, spec);
    seed_group_members(&mut data);
    seed_local(&mut data, spec);
    seed_scans(&mut data, spec);
    data
}

fn seed_shared(data: &mut NodeData, spec: &SeedSpec) {
    let mut rng = SplitMix64::from_text(&format!("zone:{}", spec.zone));
    data.orgs.push(Org {
        id: DEFAULT_ORG_ID,
        name: format!("{} Organization", title_case(&spec.zone)),
        admin: None,
    });
    let admin_roles = [
        "satellite_admin",
        "org_admin",
        "channel_admin",
        "config_admin",
        "system_group_admin",
        "activation_key_admin",
        "image_admin",
    ];
    let add_user = |data: &mut NodeData, login: &str, password: &str, roles: &[&str]| {
        let id = data.next_user_id;
        data.next_user_id += 1;
        data.users.push(User {
            id,
            login: login.to_owned(),
            password: password.to_owned(),
            first_name: title_case(login),
            last_name: "Admin".to_owned(),
            email: format!("{login}@example.test"),
            enabled: true,
            use_pam: false,
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            assigned_groups: Vec::new(),
            default_groups: Vec::new(),
        });
    };
    add_user(data, &spec.user, &spec.password, &admin_roles);
    add_user(
        data,
        "operator",
        &format!("op-{}", rng.hex32()),
        &["system_group_admin"],
    );
    add_user(data, "auditor", &format!("au-{}", rng.hex32()), &[]);

    seed_channels(
        data,
        &mut rng,
        first_channel_id(&spec.name),
        first_package_id(&spec.name),
    );
    seed_errata(data, &spec.zone, first_erratum_id(&spec.name));
    seed_source_packages(data, first_custom_id("source packages", &spec.name));

    for (name, base) in [
        ("sles15sp6-default", "sle-product-sles15-sp6-pool-x86_64"),
        ("sles15sp5-default", "sle-product-sles15-sp5-pool-x86_64"),
        ("web-servers", "sle-product-sles15-sp6-pool-x86_64"),
    ] {
        let key = format!("1-{name}");
        data.activation_keys.insert(
            key.clone(),
            ActivationKey {
                key,
                description: format!("{} systems", title_case(name)),
                base_channel_label: base.to_owned(),
                usage_limit: None,
                entitlements: Vec::new(),
                universal_default: false,
                server_groups: Vec::new(),
                child_channels: Vec::new(),
                packages: Vec::new(),
                config_channels: Vec::new(),
                disabled: false,
                contact_method: "default".to_owned(),
            },
        );
    }
    for role in ["web", "db", "kube"] {
        let id = data.next_group_id;
        data.next_group_id += 1;
        data.groups.insert(
            format!("{role}-servers"),
            SystemGroup {
                id,
                name: format!("{role}-servers"),
                description: format!("All {role} servers"),
                members: Vec::new(),
            },
        );
    }
}

fn seed_channels(
    data: &mut NodeData,
    rng: &mut SplitMix64,
    first_channel_id: i32,
    first_package_id: i32,
) {
    let products = [("sles15-sp6", "SLES 15 SP6"), ("sles15-sp5", "SLES 15 SP5")];
    let mut channel_id = first_channel_id;
    let mut package_id = first_package_id;
    let base_time = 1_735_689_600; // 2025-01-01
    for (tag, title) in products {
        let base_label = format!("sle-product-{tag}-pool-x86_64");
        let kinds = [
            (
                base_label.clone(),
                format!("{title} Pool for x86_64"),
                String::new(),
            ),
            (
                format!("sle-product-{tag}-updates-x86_64"),
                format!("{title} Updates for x86_64"),
                base_label.clone(),
            ),
            (
                format!("sle-module-basesystem-{tag}-pool-x86_64"),
                format!("Basesystem Module {title} Pool for x86_64"),
                base_label.clone(),
            ),
        ];
        for (label, name, parent_label) in kinds {
            let mut package_ids = Vec::new();
            for pkg in PACKAGE_NAMES {
                let count = 1 + rng.below(4);
                for n in 0..count {
                    let version = format!("{}.{}.{}", 1 + rng.below(9), rng.below(20), n);
                    let last_modified = base_time + rng.below(600 * 86_400) as i64;
                    let checksum = hex::encode(Sha256::digest(
                        format!("{label}/{pkg}-{version}").as_bytes(),
                    ));
                    data.packages.insert(
                        package_id,
                        Package {
                            id: package_id,
                            name: (*pkg).to_owned(),
                            version,
                            release: format!("150600.{}.1", rng.below(90)),
                            epoch: String::new(),
                            arch: "x86_64".to_owned(),
                            checksum,
                            last_modified,
                        },
                    );
                    package_ids.push(package_id);
                    package_id += 1;
                }
            }
            data.channels.push(Channel {
                id: channel_id,
                label,
                name,
                parent_label,
                arch: "x86_64".to_owned(),
                summary: format!("{title} software"),
                last_modified: base_time + rng.below(600 * 86_400) as i64,
                package_ids,
            });
            channel_id += 1;
        }
    }
    data.channels.sort_by(|a, b| a.label.cmp(&b.label));
}

/// The errata of each product's updates channel, alike on every node of
/// the zone but for their ids: advisory names as SUSE writes them, each
/// updating two of the channel's packages, relevant to the systems of the
/// product's OS release. Drawn from their own generator, so that the
/// channels and packages seeded before stay as they were.
fn seed_errata(data: &mut NodeData, zone: &str, first_id: i32) {
    let mut rng = SplitMix64::from_text(&format!("errata:{zone}"));
    let mut id = first_id;
    let types = [
        ("Security Advisory", "SU"),
        ("Bug Fix Advisory", "RU"),
        ("Product Enhancement Advisory", "RU"),
    ];
    for (tag, os_release, product) in [
        ("sles15-sp6", "15.6", "SLE-Product-SLES-15-SP6"),
        ("sles15-sp5", "15.5", "SLE-Product-SLES-15-SP5"),
    ] {
        let label = format!("sle-product-{tag}-updates-x86_64");
        let Some(channel) = data.channel(&label) else {
            continue;
        };
        let packages = channel.package_ids.clone();
        for _ in 0..ERRATA_PER_CHANNEL {
            let (advisory_type, kind) = types[rng.below(types.len() as u64) as usize];
            // Advisory names are unique: draw again on a clash.
            let advisory = loop {
                let number = 1000 + rng.below(4000);
                let advisory = format!("SUSE-{kind}-{product}-2025-{number}");
                if data.erratum(&advisory).is_none() {
                    break advisory;
                }
            };
            let issued = 1_735_689_600 + rng.below(600 * 86_400) as i64;
            let picked: Vec<i32> = (0..2)
                .map(|_| packages[rng.below(packages.len() as u64) as usize])
                .collect();
            let names: Vec<&str> = picked
                .iter()
                .filter_map(|p| data.packages.get(p))
                .map(|p| p.name.as_str())
                .collect();
            data.errata.insert(
                id,
                Erratum {
                    id,
                    advisory,
                    synopsis: format!("Recommended update for {}", names.join(", ")),
                    advisory_type: advisory_type.to_owned(),
                    issued,
                    updated: issued + rng.below(30 * 86_400) as i64,
                    channel_label: label.clone(),
                    os_release: os_release.to_owned(),
                    package_ids: picked,
                },
            );
            id += 1;
        }
    }
}

fn seed_systems(data: &mut NodeData, spec: &SeedSpec) {
    let mut rng = SplitMix64::new(spec.seed ^ SplitMix64::from_text(&spec.name).next_u64());
    let registered_from = 1_735_689_600; // 2025-01-01
    for n in 0..spec.systems {
        let role = ROLES[rng.below(ROLES.len() as u64) as usize];
        let hostname = format!("{role}-{n:05}.{}.example.test", spec.name);
        let created = registered_from + rng.below(500 * 86_400) as i64;
        // Most systems checked in within the last hour; one in twenty has
        // been silent for days (inactive).
        let last_checkin = if rng.below(20) == 0 {
            spec.now - 86_400 * (2 + rng.below(60) as i64)
        } else {
            spec.now - rng.below(3600) as i64
        };
        let last_boot = (created.max(last_checkin - 90 * 86_400)) + rng.below(86_400) as i64;
        let release = RELEASES[rng.below(RELEASES.len() as u64) as usize];
        data.add_system(System {
            id: 0,
            name: hostname.clone(),
            minion_id: hostname.clone(),
            hostname,
            machine_id: rng.hex32(),
            created,
            last_checkin,
            last_boot: last_boot.min(last_checkin),
            release: release.to_owned(),
            description: format!(
                "Initial Registration Parameters:\nOS: sles\nRelease: {release}\nCPU Arch: x86_64"
            ),
        });
    }
}

fn seed_group_members(data: &mut NodeData) {
    let NodeData {
        systems, groups, ..
    } = data;
    for system in systems.values() {
        let role = system.hostname.split('-').next().unwrap_or_default();
        if let Some(group) = groups.get_mut(&format!("{role}-servers")) {
            group.members.push(system.id);
        }
    }
}

fn title_case(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
