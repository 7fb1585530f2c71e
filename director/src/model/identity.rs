//! The cluster identity map: cluster-wide system, action, recurring
//! schedule and system group ids.
//!
//! Nodes number their systems and actions independently, so the same local
//! id means different things on two nodes. The cluster gives each system
//! and action its own id, allocated once, that fits a signed 32-bit int
//! (clients refuse larger ones) and stays the same when the system moves.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Declares a fieldless enum with `ALL`, every variant in declaration
/// order, so that a variant cannot be added and left out of it.
macro_rules! enum_with_all {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident,)+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            /// Every kind, in declaration order.
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];
        }
    };
}

/// Cluster system ids start here, where a single server's start, so that
/// tools expecting server-like ids keep working.
pub const FIRST_CLUSTER_SYSTEM_ID: i32 = 1_000_010_000;

/// Where a cluster system id lives now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SystemIdentity {
    /// Cluster system id.
    pub cluster_id: i32,
    /// Owner node.
    pub node: String,
    /// Its id on the owner node.
    pub local_id: i32,
    /// Salt minion id, when known.
    #[serde(default)]
    pub minion_id: Option<String>,
    /// Machine id, when known.
    #[serde(default)]
    pub machine_id: Option<String>,
    /// The copies it left on nodes it moved away from: each node's local
    /// id for it, while the map knows them. A node that still lists such a
    /// copy lists a system the cluster holds elsewhere: the gateway leaves
    /// it out of fan-out listings and never binds the cluster id to it
    /// unless the director places the system back on that node.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub left: BTreeMap<String, i32>,
}

enum_with_all! {
    /// What a cluster id of an [`ObjectIdentity`] names.
    ///
    /// Besides actions and schedules, a node numbers some objects of its own
    /// that the API names by id: images, snapshots, Ansible paths, the user's
    /// notifications, stored package profiles, pinned subscriptions and
    /// XCCDF scans. Each
    /// node counts them from 1, so the same number names different objects on
    /// two nodes; the cluster gives each its own id, as for actions.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ObjectKind {
        /// A scheduled action.
        Action,
        /// A recurring action schedule (`recurring.*`, `recurringaction.*`).
        Schedule,
        /// A container or OS image (`image.*`).
        Image,
        /// A system snapshot (`system.provisioning.snapshot.*`).
        Snapshot,
        /// An Ansible playbook or inventory path of a control node (`ansible.*`).
        AnsiblePath,
        /// A notification of a user (`user.notifications.*`).
        Notification,
        /// A stored package profile (`system.*PackageProfile*`).
        PackageProfile,
        /// A subscription pinned to a system
        /// (`subscriptionmatching.pinnedsubscription.*`).
        PinnedSubscription,
        /// An OpenSCAP XCCDF scan's results (`system.scap.*`).
        XccdfScan,
    }
}

impl ObjectKind {
    /// Its position in [`ObjectKind::ALL`], for tables with one slot per
    /// kind.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The word for it in messages: `action`, `schedule`, `image`, ...
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Action => "action",
            ObjectKind::Schedule => "schedule",
            ObjectKind::Image => "image",
            ObjectKind::Snapshot => "snapshot",
            ObjectKind::AnsiblePath => "Ansible path",
            ObjectKind::Notification => "notification",
            ObjectKind::PackageProfile => "package profile",
            ObjectKind::PinnedSubscription => "pinned subscription",
            ObjectKind::XccdfScan => "XCCDF scan",
        }
    }

    /// Its name in store keys: `action`, `schedule`, `image`,
    /// `ansible-path`, ...
    pub fn slug(self) -> &'static str {
        match self {
            ObjectKind::Action => "action",
            ObjectKind::Schedule => "schedule",
            ObjectKind::Image => "image",
            ObjectKind::Snapshot => "snapshot",
            ObjectKind::AnsiblePath => "ansible-path",
            ObjectKind::Notification => "notification",
            ObjectKind::PackageProfile => "package-profile",
            ObjectKind::PinnedSubscription => "pinned-subscription",
            ObjectKind::XccdfScan => "xccdf-scan",
        }
    }
}

/// Where a cluster action, schedule or other node-numbered object id
/// ([`ObjectKind`]) lives.
///
/// One call may make the same object on several nodes: an action scheduled
/// on systems of several nodes makes one action on each of them; a
/// schedule for a system group or the organization is made on every node.
/// The client gets one id for all of them, as from one server. The first
/// node's object is `node` and `local_id`, the others are in `also`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ObjectIdentity {
    /// Cluster id.
    pub cluster_id: i32,
    /// Node that holds it.
    pub node: String,
    /// Its id on that node.
    pub local_id: i32,
    /// The same object's parts on other nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<ObjectPart>,
}

/// One node's part of an object made on several nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ObjectPart {
    /// Node that holds this part.
    pub node: String,
    /// Its id on that node.
    pub local_id: i32,
    /// The cluster id this part had before it was joined to the object
    /// ([`crate::identity::IdentityMap::join_parts`]): that id still
    /// reaches the part alone until the part is deleted or becomes the
    /// object's first ([`ObjectIdentity::remove_part`]). Never set for a
    /// system group's parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_id: Option<i32>,
}

impl ObjectPart {
    /// The local id of `node`'s part among `parts`, when it has one.
    pub fn local_on(parts: &[ObjectPart], node: &str) -> Option<i32> {
        parts.iter().find(|p| p.node == node).map(|p| p.local_id)
    }
}

/// What is left of an object when one of its parts is gone
/// ([`ObjectIdentity::remove_part`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remaining {
    /// It had no such part: nothing changed.
    NotAPart,
    /// That was its last part: the object is gone.
    Nothing,
    /// Other parts remain. `forget` is a cluster id that goes with the
    /// part: the id the removed part had before it was joined, or, when
    /// the first part went, the id of the part that takes its place (the
    /// record keeps no own id for its first part).
    Parts {
        /// See [`ObjectPart::own_id`].
        forget: Option<i32>,
    },
}

impl ObjectIdentity {
    /// Every part: (node, local id), the first node's first.
    pub fn parts(&self) -> impl Iterator<Item = (&str, i32)> {
        std::iter::once((self.node.as_str(), self.local_id))
            .chain(self.also.iter().map(|p| (p.node.as_str(), p.local_id)))
    }

    /// Takes the part `node` holds as `local_id` out (it was deleted
    /// there). When the first part goes, the next becomes the first.
    pub fn remove_part(&mut self, node: &str, local_id: i32) -> Remaining {
        if self.node == node && self.local_id == local_id {
            if self.also.is_empty() {
                return Remaining::Nothing;
            }
            let next = self.also.remove(0);
            self.node = next.node;
            self.local_id = next.local_id;
            return Remaining::Parts {
                forget: next.own_id,
            };
        }
        match self
            .also
            .iter()
            .position(|p| p.node == node && p.local_id == local_id)
        {
            Some(at) => Remaining::Parts {
                forget: self.also.remove(at).own_id,
            },
            None => Remaining::NotAPart,
        }
    }
}

/// A system group, by its cluster id.
///
/// System groups are data every node shares: `systemgroup.create` makes
/// the group on each node, and each node numbers it its own way. A group
/// is the same group on every node by its organization and name (a name
/// is unique within an organization), so the cluster id is keyed by them,
/// and each node's own id for the group is a part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupIdentity {
    /// Cluster id.
    pub cluster_id: i32,
    /// The organization the group belongs to.
    pub org_id: i32,
    /// The group's name.
    pub name: String,
    /// Each node's id for the group, as far as the cluster has seen it.
    #[serde(default)]
    pub parts: Vec<ObjectPart>,
}

impl GroupIdentity {
    /// The group's id on `node`, when known.
    pub fn local_on(&self, node: &str) -> Option<i32> {
        ObjectPart::local_on(&self.parts, node)
    }
}

enum_with_all! {
    /// Content every node syncs and numbers on its own, whose deletion on a
    /// node the node reports ([`crate::cluster::NodeEvent::ContentDeleted`]).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ContentKind {
        /// A package ([`PackageIdentity`]).
        Package,
        /// An erratum ([`ErratumIdentity`]).
        Erratum,
        /// A software channel ([`ChannelIdentity`]).
        Channel,
        /// A software repository ([`RepositoryIdentity`]).
        Repository,
        /// A content lifecycle filter ([`ContentFilterIdentity`]).
        ContentFilter,
        /// A configuration channel ([`ConfigChannelIdentity`]).
        ConfigChannel,
        /// A source package ([`SourcePackageIdentity`]).
        SourcePackage,
    }
}

impl ContentKind {
    /// Its name in store keys: `package`, `erratum`, `channel`,
    /// `repository`, `content-filter`, `config-channel`,
    /// `source-package`.
    pub fn slug(self) -> &'static str {
        match self {
            ContentKind::Package => "package",
            ContentKind::Erratum => "erratum",
            ContentKind::Channel => "channel",
            ContentKind::Repository => "repository",
            ContentKind::ContentFilter => "content-filter",
            ContentKind::ConfigChannel => "config-channel",
            ContentKind::SourcePackage => "source-package",
        }
    }
}

/// A package as every node names it: by name, epoch, version, release and
/// architecture label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PackageName {
    /// Name.
    pub name: String,
    /// Epoch; empty when the package has none.
    #[serde(default)]
    pub epoch: String,
    /// Version (a Debian version may hold `-`).
    pub version: String,
    /// Release.
    pub release: String,
    /// Architecture label (`x86_64`, `noarch`, `amd64-deb`).
    pub arch: String,
}

impl PackageName {
    /// `name-[epoch:]version-release.arch`, as RPM writes it: the identity
    /// map's key (never parsed back: a Debian version may hold `-`).
    pub fn key(&self) -> String {
        let epoch = if self.epoch.is_empty() {
            String::new()
        } else {
            format!("{}:", self.epoch)
        };
        format!(
            "{}-{epoch}{}-{}.{}",
            self.name, self.version, self.release, self.arch
        )
    }
}

/// A package, by its cluster id.
///
/// Packages are content every node syncs, and each node numbers them as it
/// syncs them: nodes whose channels were synced apart give one package
/// different ids, and one id different packages. A package is the same
/// package on every node by its name, epoch, version, release and
/// architecture, so the cluster id is keyed by them
/// ([`PackageName::key`]), and each node's own id for the package is a
/// part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PackageIdentity {
    /// Cluster id.
    pub cluster_id: i32,
    /// The package.
    pub package: PackageName,
    /// Each node's id for the package, as far as the cluster has seen it
    /// (one per node: a node that holds the package twice, in channels of
    /// two organizations, has both ids indexed and the first as its part).
    #[serde(default)]
    pub parts: Vec<ObjectPart>,
}

impl PackageIdentity {
    /// The package's id on `node`, when known.
    pub fn local_on(&self, node: &str) -> Option<i32> {
        ObjectPart::local_on(&self.parts, node)
    }
}

/// An erratum (patch), by its cluster id.
///
/// Errata are content every node syncs with its channels, numbered as each
/// node syncs them, like packages. An erratum is the same erratum on every
/// node by its advisory name (`SUSE-SLE-Module-Basesystem-15-SP6-2024-3393`),
/// the name the API itself looks errata up by (`errata.getDetails`), so
/// the cluster id is keyed by it, and each node's own id for the erratum
/// is a part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErratumIdentity {
    /// Cluster id.
    pub cluster_id: i32,
    /// The advisory name.
    pub advisory: String,
    /// Each node's id for the erratum, as far as the cluster has seen it
    /// (one per node, as for packages).
    #[serde(default)]
    pub parts: Vec<ObjectPart>,
}

impl ErratumIdentity {
    /// The erratum's id on `node`, when known.
    pub fn local_on(&self, node: &str) -> Option<i32> {
        ObjectPart::local_on(&self.parts, node)
    }
}

/// A software channel, by its cluster id.
///
/// Vendor channels are content every node syncs (`mgr-sync add channel`),
/// and custom channels are made on every node; each node numbers its
/// channels as it creates them, so nodes that added channels in another
/// order give one channel different ids. A channel is the same channel on
/// every node by its label, unique on a server and the name most of the
/// API looks channels up by, so the cluster id is keyed by it, and each
/// node's own id for the channel is a part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChannelIdentity {
    /// Cluster id.
    pub cluster_id: i32,
    /// The channel label.
    pub label: String,
    /// Each node's id for the channel, as far as the cluster has seen it.
    #[serde(default)]
    pub parts: Vec<ObjectPart>,
}

impl ChannelIdentity {
    /// The channel's id on `node`, when known.
    pub fn local_on(&self, node: &str) -> Option<i32> {
        ObjectPart::local_on(&self.parts, node)
    }
}

/// A software repository (content source), by its cluster id.
///
/// Repositories are made on every node (`channel.software.createRepo` is
/// broadcast), each node numbering them as it made them. A repository is
/// the same repository on every node by its label, the name the API looks
/// repositories up by (`channel.software.getRepoDetails(repoLabel)`), so
/// the cluster id is keyed by it, and each node's own id for the
/// repository is a part of it. `updateRepoLabel` renames the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RepositoryIdentity {
    /// Cluster id.
    pub cluster_id: i32,
    /// The repository label.
    pub label: String,
    /// Each node's id for the repository, as far as the cluster has seen it.
    #[serde(default)]
    pub parts: Vec<ObjectPart>,
}

/// A content lifecycle filter (`contentmanagement.createFilter`), by its
/// cluster id.
///
/// Filters are made on every node like repositories. A filter is the same
/// filter on every node by its name, unique in an organization, so the
/// cluster id is keyed by it, and each node's own id for the filter is a
/// part of it. `contentmanagement.updateFilter` may rename it; the record
/// follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContentFilterIdentity {
    /// Cluster id.
    pub cluster_id: i32,
    /// The filter name.
    pub name: String,
    /// Each node's id for the filter, as far as the cluster has seen it.
    #[serde(default)]
    pub parts: Vec<ObjectPart>,
}

/// A configuration channel (`configchannel.create`), by its cluster id.
///
/// Configuration channels are made on every node like repositories
/// (`configchannel.create` is broadcast). A configuration channel is the
/// same channel on every node by its label, unique in an organization and
/// fixed once made (`configchannel.update` changes only the name and the
/// description), so the cluster id is keyed by it, and each node's own id
/// for the channel is a part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConfigChannelIdentity {
    /// Cluster id.
    pub cluster_id: i32,
    /// The configuration channel label.
    pub label: String,
    /// Each node's id for the channel, as far as the cluster has seen it.
    #[serde(default)]
    pub parts: Vec<ObjectPart>,
}

/// A source package (`packages.listSourcePackages`), by its cluster id.
///
/// An organization's source packages are pushed to every node, and each
/// numbers them as it gets them. A source package is the same on every
/// node by its name, the source RPM's file name, unique in an
/// organization, so the cluster id is keyed by it, and each node's own id
/// for it is a part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SourcePackageIdentity {
    /// Cluster id.
    pub cluster_id: i32,
    /// The source RPM's file name.
    pub name: String,
    /// Each node's id for it, as far as the cluster has seen it.
    #[serde(default)]
    pub parts: Vec<ObjectPart>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_distinct_store_slugs_and_labels() {
        fn distinct<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> bool {
            let names: std::collections::HashSet<_> = all.iter().map(|k| name(*k)).collect();
            names.len() == all.len()
        }
        assert!(distinct(&ObjectKind::ALL, ObjectKind::slug));
        assert!(distinct(&ObjectKind::ALL, ObjectKind::label));
        assert!(distinct(&ContentKind::ALL, ContentKind::slug));
    }
}
