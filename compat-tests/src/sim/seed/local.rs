//! Seeding the objects each node numbers on its own.

use sha2::{Digest, Sha256};
use xmlrpc::{Struct, Value};

use super::{PACKAGE_NAMES, SeedSpec, SplitMix64};
use crate::sim::model::{Image, NodeData, Notification, PackageNevra, Snapshot, System, take_id};

/// The node-local objects: two OS images built by the node's first system
/// (which is also its Ansible control node), two snapshots of each of the
/// first three systems, and three notifications of the administrator (the
/// first read). Cheap whatever the number of systems.
///
/// Unverified: the snapshot reasons, the pillar's layout and the
/// notifications' data and details; the summaries are the server's
/// English texts (`notification.onboardingfailed`,
/// `notification.bootstraprepofailed`).
pub(super) fn seed_local(data: &mut NodeData, spec: &SeedSpec) {
    let node = &spec.name;
    let first: Vec<System> = data.systems.values().take(3).cloned().collect();
    let build_host = first.first().map(|s| s.id);
    if let Some(id) = build_host {
        data.local.ansible_control_nodes.insert(id);
    }

    let mut rng = SplitMix64::from_text(&format!("images:{node}"));
    for (name, version) in [("pos-image", "1.0.0"), ("jeos", "15.6.0")] {
        let name = format!("{node}-{name}");
        let id = take_id(&mut data.local.next_image_id);
        let checksum = hex::encode(Sha256::digest(format!("{name}-{version}").as_bytes()));
        let size = 200_000_000 + rng.below(100_000_000);
        data.local.images.insert(
            id,
            Image {
                id,
                pillar: image_pillar(&name, version, size),
                name,
                version: version.to_owned(),
                revision: id,
                arch: "x86_64-redhat-linux".to_owned(),
                external: false,
                checksum,
                build_server: build_host,
                installed_packages: 150 + rng.below(300) as i32,
            },
        );
    }

    for system in &first {
        let groups = {
            let mut names: Vec<String> = data
                .groups
                .values()
                .filter(|g| g.members.contains(&system.id))
                .map(|g| g.name.clone())
                .collect();
            names.sort();
            names
        };
        for (n, reason) in ["Initial snapshot", "Package profile changed"]
            .into_iter()
            .enumerate()
        {
            let id = take_id(&mut data.local.next_snapshot_id);
            data.local.snapshots.insert(
                id,
                Snapshot {
                    id,
                    system_id: system.id,
                    reason: reason.to_owned(),
                    created: system.created + 3600 + 86_400 * n as i64,
                    groups: groups.clone(),
                    tags: Vec::new(),
                    packages: snapshot_packages(node, id),
                },
            );
        }
    }

    let Some(admin) = data.user(&spec.user).map(|u| u.id) else {
        return;
    };
    let notifications = [
        (
            true,
            "OnboardingFailed",
            serde_json::json!({ "minionId": format!("kiosk-01.{node}.example.test") }),
            format!("Error registering minion id: kiosk-01.{node}.example.test"),
            String::new(),
        ),
        (
            false,
            "OnboardingFailed",
            serde_json::json!({ "minionId": format!("kiosk-02.{node}.example.test") }),
            format!("Error registering minion id: kiosk-02.{node}.example.test"),
            String::new(),
        ),
        (
            false,
            "CreateBootstrapRepoFailed",
            serde_json::json!({ "identifier": "SLE-15-SP6-x86_64", "details": format!("mgr-create-bootstrap-repo failed on {node}") }),
            "Error generating bootstrap repo for: SLE-15-SP6-x86_64".to_owned(),
            format!("mgr-create-bootstrap-repo failed on {node}"),
        ),
    ];
    for (n, (read, kind, data_json, summary, details)) in notifications.into_iter().enumerate() {
        let id = take_id(&mut data.local.next_notification_id);
        data.local.notifications.insert(
            id,
            Notification {
                id,
                user_id: admin,
                read,
                kind: kind.to_owned(),
                data: data_json.to_string(),
                summary,
                details,
                created: spec.now - 3600 * (3 - n as i64),
            },
        );
    }
}

/// An OS image's pillar as the server keeps it after a build: the image
/// under its name and version (sizes as strings, as `image.getPillar`
/// answers them).
fn image_pillar(name: &str, version: &str, size: u64) -> Struct {
    let entry = Struct::with_capacity(4)
        .with("arch", Value::string("x86_64"))
        .with(
            "filename",
            Value::string(format!("{name}.x86_64-{version}.xz")),
        )
        .with("size", Value::string(size.to_string()))
        .with("type", Value::string("pxe"));
    let versions = Struct::new().with(version, entry.into());
    Struct::new().with("images", Struct::new().with(name, versions.into()).into())
}

/// The packages of snapshot `id` of node `node`: three common packages
/// and one whose name names the node and the snapshot, so that no two
/// snapshots, on one node or on two, list the same packages.
fn snapshot_packages(node: &str, id: i32) -> Vec<PackageNevra> {
    let mut rng = SplitMix64::from_text(&format!("snapshot:{node}:{id}"));
    let mut names: Vec<String> = Vec::new();
    while names.len() < 3 {
        let name = PACKAGE_NAMES[rng.below(PACKAGE_NAMES.len() as u64) as usize];
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names.push(format!("{node}-snapshot-{id}"));
    let mut packages: Vec<PackageNevra> = names
        .into_iter()
        .map(|name| PackageNevra {
            name,
            epoch: String::new(),
            version: format!("{}.{}.{}", 1 + rng.below(9), rng.below(20), rng.below(5)),
            release: format!("150600.{}.1", rng.below(90)),
            arch: "x86_64".to_owned(),
        })
        .collect();
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    packages
}
