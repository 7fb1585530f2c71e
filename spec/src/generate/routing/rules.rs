//! The routing rules: namespace groups, read verbs and the rules built on
//! them. The rules are written to be disjoint; the engine still checks that
//! exactly one claims each entry.

use crate::RouteClass;

/// Where a namespace's data lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Answered by the gateway: `api`, `auth`.
    Gateway,
    /// Data each node holds for itself: its systems and what hangs off
    /// them (actions, events, groups' members, images, snapshots, keys of
    /// its minions, ...).
    PerNode,
    /// Data every node of a zone holds alike: channels, packages, errata,
    /// orgs, users, activation keys, kickstart, config channels, content
    /// management, server configuration.
    Shared,
}

/// The group of every namespace of every catalog, sorted by namespace.
pub const NAMESPACE_GROUPS: &[(&str, Group)] = &[
    ("access", Group::Shared),
    ("actionchain", Group::PerNode),
    ("activationkey", Group::Shared),
    ("admin", Group::Shared),
    ("admin.configuration", Group::Shared),
    ("admin.monitoring", Group::PerNode),
    ("admin.payg", Group::Shared),
    ("admin.ssh", Group::PerNode),
    ("ansible", Group::PerNode),
    ("api", Group::Gateway),
    ("audit", Group::PerNode),
    ("auth", Group::Gateway),
    ("channel", Group::Shared),
    ("channel.access", Group::Shared),
    ("channel.appstreams", Group::Shared),
    ("channel.org", Group::Shared),
    ("channel.software", Group::Shared),
    ("configchannel", Group::Shared),
    ("contentmanagement", Group::Shared),
    ("distchannel", Group::Shared),
    ("errata", Group::Shared),
    ("formula", Group::Shared),
    ("image", Group::PerNode),
    ("image.delta", Group::PerNode),
    ("image.profile", Group::Shared),
    ("image.store", Group::Shared),
    ("kickstart", Group::Shared),
    ("kickstart.filepreservation", Group::Shared),
    ("kickstart.keys", Group::Shared),
    ("kickstart.profile", Group::Shared),
    ("kickstart.profile.keys", Group::Shared),
    ("kickstart.profile.software", Group::Shared),
    ("kickstart.profile.system", Group::Shared),
    ("kickstart.snippet", Group::Shared),
    ("kickstart.tree", Group::Shared),
    ("maintenance", Group::Shared),
    ("org", Group::Shared),
    ("org.trusts", Group::Shared),
    ("packages", Group::Shared),
    ("packages.provider", Group::Shared),
    ("packages.search", Group::Shared),
    ("preferences.locale", Group::Shared),
    ("proxy", Group::PerNode),
    ("recurring", Group::PerNode),
    ("recurring.custom", Group::PerNode),
    ("recurring.highstate", Group::PerNode),
    ("recurring.playbook", Group::PerNode),
    ("recurringaction", Group::PerNode),
    ("saltkey", Group::PerNode),
    ("schedule", Group::PerNode),
    ("subscriptionmatching.pinnedsubscription", Group::PerNode),
    ("sync.content", Group::Shared),
    ("sync.hub", Group::Shared),
    ("sync.master", Group::Shared),
    ("sync.slave", Group::Shared),
    ("system", Group::PerNode),
    ("system.appstreams", Group::PerNode),
    ("system.config", Group::PerNode),
    // Custom info keys are org-wide definitions; values hang off systems
    // and are set through `system.setCustomValues`.
    ("system.custominfo", Group::Shared),
    ("system.monitoring", Group::PerNode),
    ("system.provisioning.powermanagement", Group::PerNode),
    ("system.provisioning.snapshot", Group::PerNode),
    ("system.scap", Group::PerNode),
    ("system.search", Group::PerNode),
    ("systemgroup", Group::PerNode),
    ("user", Group::Shared),
    ("user.external", Group::Shared),
    ("user.notifications", Group::PerNode),
    ("virtualhostmanager", Group::PerNode),
];

/// The group of `namespace`.
pub fn group_of(namespace: &str) -> Option<Group> {
    NAMESPACE_GROUPS
        .binary_search_by(|(ns, _)| (*ns).cmp(namespace))
        .ok()
        .map(|i| NAMESPACE_GROUPS[i].1)
}

/// Method-name prefixes of reads (matched at a camelCase boundary:
/// `list`, `listSystems`, not `listen`).
pub const READ_PREFIXES: &[&str] = &[
    "list",
    "get",
    "find",
    "search",
    "is",
    "has",
    "lookup",
    "compare",
    "check",
    "download",
    "fetch",
    "introspect",
    "discover",
];

/// Methods of the `system` namespace that create a new client system
/// (when they name no existing system, such as a proxy to go through).
pub const PLACEMENT_METHODS: &[&str] = &[
    "createSystemProfile",
    "createSystemRecord",
    "bootstrap",
    "bootstrapWithPrivateSshKey",
    // 5.0's hub: registers a peripheral server as a new system.
    "registerPeripheralServer",
];

/// Whether `method` of `namespace` only reads: a read prefix, one
/// lower-case word followed by `List` (`saltkey.acceptedList`, not
/// `appendToSoftwareList`), or any method of a `*.search` namespace.
pub fn is_read(namespace: &str, method: &str) -> bool {
    let prefixed = READ_PREFIXES.iter().any(|prefix| {
        method.strip_prefix(prefix).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
        })
    });
    let word_list = method
        .strip_suffix("List")
        .is_some_and(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase()));
    prefixed || word_list || namespace.ends_with(".search")
}

/// What the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    /// The namespace's group.
    pub group: Group,
    /// Whether a parameter carries system ids.
    pub system_param: bool,
    /// Whether a parameter carries action ids.
    pub action_param: bool,
    /// Whether a parameter names a node object other than an action: a
    /// recurring schedule, an image, a snapshot, ... ([`IdKind::has_copies`](crate::IdKind::has_copies)).
    pub object_param: bool,
    /// Whether the method only reads.
    pub read: bool,
    /// Whether the method is a [`PLACEMENT_METHODS`] one of `system`.
    pub placement: bool,
}

impl Facts {
    fn no_ids(&self) -> bool {
        !self.system_param && !self.action_param && !self.object_param
    }

    fn plain(&self, group: Group) -> bool {
        self.group == group && self.no_ids() && !self.placement
    }
}

/// A routing rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Its name, for messages.
    pub name: &'static str,
    /// The class it gives.
    pub class: RouteClass,
    /// Whether it claims an entry with these facts.
    pub claims: fn(&Facts) -> bool,
}

/// The rules.
pub const RULES: &[Rule] = &[
    Rule {
        name: "gateway namespace",
        class: RouteClass::Gateway,
        claims: |f| f.group == Group::Gateway,
    },
    Rule {
        name: "system-id parameter",
        class: RouteClass::System,
        claims: |f| f.group != Group::Gateway && f.system_param,
    },
    Rule {
        name: "action-id parameter",
        class: RouteClass::Action,
        claims: |f| f.group != Group::Gateway && !f.system_param && f.action_param,
    },
    Rule {
        name: "node-object parameter",
        class: RouteClass::Action,
        claims: |f| {
            f.group != Group::Gateway && !f.system_param && !f.action_param && f.object_param
        },
    },
    Rule {
        name: "new client system",
        class: RouteClass::Placement,
        claims: |f| f.group != Group::Gateway && f.no_ids() && f.placement,
    },
    Rule {
        name: "per-node read",
        class: RouteClass::Fanout,
        claims: |f| f.plain(Group::PerNode) && f.read,
    },
    Rule {
        name: "per-node write",
        class: RouteClass::Broadcast,
        claims: |f| f.plain(Group::PerNode) && !f.read,
    },
    Rule {
        name: "shared read",
        class: RouteClass::SharedRead,
        claims: |f| f.plain(Group::Shared) && f.read,
    },
    Rule {
        name: "shared write",
        class: RouteClass::Broadcast,
        claims: |f| f.plain(Group::Shared) && !f.read,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_verbs_at_camel_boundaries() {
        assert!(is_read("system", "listSystems"));
        assert!(is_read("admin.payg", "list"));
        assert!(is_read("saltkey", "acceptedList"));
        assert!(is_read("packages.search", "name"));
        assert!(!is_read("system", "listen"));
        assert!(!is_read("user", "create"));
        assert!(!is_read("system", "issue"));
        assert!(!is_read(
            "kickstart.profile.software",
            "appendToSoftwareList"
        ));
        assert!(!is_read("kickstart.profile.software", "setSoftwareList"));
    }

    #[test]
    fn groups_are_sorted() {
        assert!(NAMESPACE_GROUPS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(group_of("schedule"), Some(Group::PerNode));
        assert_eq!(group_of("nosuch"), None);
    }
}
