//! Seeding the source packages (`rhnPackageSource`) of a node's binary
//! packages.

use std::collections::BTreeSet;

use crate::sim::model::NodeData;

/// One source package per distinct source RPM of the node's packages, in
/// the order of the packages' ids (the order the node synced them), so
/// that every node of a zone holds the same names; ids count up from
/// `first_id`, the node's own start. A seeded package is its own source
/// RPM's only binary package, so the source RPM is named after it:
/// `bash-4.4-150400.27.3.1.src.rpm` for `bash-4.4-150400.27.3.1.x86_64`.
/// Unverified: a real server holds source packages only where they were
/// pushed or imported with the channels (a repository sync of a vendor
/// channel brings none), under the organization that owns them.
pub(super) fn seed_source_packages(data: &mut NodeData, first_id: i32) {
    let mut seen = BTreeSet::new();
    let mut id = first_id;
    for package in data.packages.values() {
        let file = format!(
            "{}-{}-{}.src.rpm",
            package.name, package.version, package.release
        );
        if seen.insert(file.clone()) {
            data.source_packages.insert(id, file);
            id += 1;
        }
    }
}
