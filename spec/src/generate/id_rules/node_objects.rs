//! Objects each node numbers on its own, besides actions and schedules:
//! where their ids sit in parameters and results.
//!
//! A fresh server numbers its images, snapshots, Ansible paths, user
//! notifications, stored package profiles, pinned subscriptions and
//! XCCDF scans from 1,
//! so the same number names different objects on two nodes. The spec marks
//! every place such an id travels, so that the gateway gives each object a
//! cluster id and sends a call naming one to the node that holds it.

use crate::ids::IdKind;

/// Where ids of one kind of node object travel in one namespace.
#[derive(Debug, Clone, Copy)]
pub struct NodeObjectIds {
    /// The kind.
    pub kind: IdKind,
    /// The namespace.
    pub namespace: &'static str,
    /// Parameters naming such objects (integer or array of integers).
    pub params: &'static [&'static str],
    /// When set, `params` name such objects only in these methods (in the
    /// others a same-named parameter is something else).
    pub param_methods: Option<&'static [&'static str]>,
    /// Names of returned structs (`returns_name`) whose `id` member is such
    /// an object's id, documented or not.
    pub structs: &'static [&'static str],
    /// Other integer result members carrying such ids.
    pub fields: &'static [&'static str],
    /// Methods whose integer result is the id of the object they made.
    pub whole: &'static [&'static str],
    /// Members of the `structs` holding a system id that the catalogs do
    /// not document.
    pub system_fields: &'static [&'static str],
}

/// Every place node-object ids travel.
pub const NODE_OBJECT_IDS: &[NodeObjectIds] = &[
    NodeObjectIds {
        kind: IdKind::Image,
        namespace: "image",
        params: &["imageId"],
        param_methods: None,
        structs: &["image information", "image overview information"],
        fields: &[],
        // "@return the ID of the image" (`ImageInfoHandler`).
        whole: &["importOSImage"],
        system_fields: &[],
    },
    NodeObjectIds {
        kind: IdKind::Image,
        namespace: "image.delta",
        params: &["sourceImageId", "targetImageId"],
        param_methods: None,
        structs: &[],
        fields: &["source_id", "target_id"],
        whole: &[],
        system_fields: &[],
    },
    NodeObjectIds {
        kind: IdKind::Snapshot,
        namespace: "system.provisioning.snapshot",
        params: &["snapId"],
        param_methods: None,
        structs: &["server snapshot"],
        fields: &[],
        whole: &[],
        system_fields: &[],
    },
    NodeObjectIds {
        kind: IdKind::AnsiblePath,
        namespace: "ansible",
        params: &["pathId"],
        param_methods: None,
        structs: &["ansible path"],
        fields: &[],
        whole: &[],
        // An Ansible path is `{id, type, server_id, path}`; the catalogs
        // leave the struct undocumented.
        system_fields: &["server_id"],
    },
    NodeObjectIds {
        kind: IdKind::Notification,
        namespace: "user.notifications",
        params: &["notifications"],
        param_methods: None,
        structs: &["notification"],
        fields: &[],
        whole: &[],
        system_fields: &[],
    },
    NodeObjectIds {
        kind: IdKind::PackageProfile,
        namespace: "system",
        params: &["profileId"],
        param_methods: Some(&["deletePackageProfile"]),
        structs: &["package profile"],
        fields: &[],
        whole: &[],
        system_fields: &[],
    },
    NodeObjectIds {
        kind: IdKind::PinnedSubscription,
        namespace: "subscriptionmatching.pinnedsubscription",
        // `create(subscriptionId, sid)` names the subscription to pin
        // (shared content); `delete(subscriptionId)` the pin itself.
        params: &["subscriptionId"],
        param_methods: Some(&["delete"]),
        structs: &["pinned subscription"],
        fields: &[],
        whole: &[],
        system_fields: &[],
    },
    NodeObjectIds {
        kind: IdKind::XccdfScan,
        namespace: "system.scap",
        // `deleteXccdfScan`, `getXccdfScanDetails`,
        // `getXccdfScanRuleResults`.
        params: &["xid"],
        param_methods: None,
        structs: &[],
        // `XccdfTestResultSerializer` and the scan listing name it `xid`.
        fields: &["xid"],
        whole: &[],
        system_fields: &[],
    },
];

/// The node-object kind of parameter `name` of `namespace.method`.
pub(super) fn param_kind(namespace: &str, method: &str, name: &str) -> Option<IdKind> {
    NODE_OBJECT_IDS
        .iter()
        .find(|row| {
            row.namespace == namespace
                && row.params.contains(&name)
                && row.param_methods.is_none_or(|m| m.contains(&method))
        })
        .map(|row| row.kind)
}

/// The rows of `namespace`.
pub(super) fn rows_of(namespace: &str) -> impl Iterator<Item = &'static NodeObjectIds> + '_ {
    NODE_OBJECT_IDS
        .iter()
        .filter(move |row| row.namespace == namespace)
}
