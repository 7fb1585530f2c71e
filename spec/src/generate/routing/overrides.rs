//! Routing overrides: where the rules get an entry wrong, one row with the
//! class and a one-line reason. A row applies to every overload of its
//! method. The generator fails on a row that matches no entry or agrees
//! with the rules everywhere (dead), and on two rows for one entry.

use crate::RouteClass;

/// One override.
#[derive(Debug, Clone, Copy)]
pub struct Override {
    /// The namespace.
    pub namespace: &'static str,
    /// The method.
    pub method: &'static str,
    /// The class it gets.
    pub class: RouteClass,
    /// Why.
    pub reason: &'static str,
}

const fn row(
    namespace: &'static str,
    method: &'static str,
    class: RouteClass,
    reason: &'static str,
) -> Override {
    Override {
        namespace,
        method,
        class,
        reason,
    }
}

use RouteClass::{Broadcast, Fanout, Placement, SharedRead};

/// The overrides, sorted by namespace and method.
pub const OVERRIDES: &[Override] = &[
    row(
        "activationkey",
        "listActivatedSystems",
        Fanout,
        "lists systems, which live on the node that registered them",
    ),
    row(
        "channel.software",
        "listSubscribedSystems",
        Fanout,
        "lists systems, which live on the node that registered them",
    ),
    row(
        "configchannel",
        "channelExists",
        SharedRead,
        "an existence check: a read",
    ),
    row(
        "configchannel",
        "listAssignedSystemGroups",
        Fanout,
        "lists system groups, whose system counts are each node's own",
    ),
    row(
        "configchannel",
        "listSubscribedSystems",
        Fanout,
        "lists systems, which live on the node that registered them",
    ),
    row(
        "errata",
        "applicableToChannels",
        SharedRead,
        "a read of channel data",
    ),
    row(
        "errata",
        "bugzillaFixes",
        SharedRead,
        "a read of erratum data",
    ),
    row(
        "errata",
        "listAffectedSystems",
        Fanout,
        "lists systems, which live on the node that registered them",
    ),
    row(
        "maintenance",
        "listSystemsWithSchedule",
        Fanout,
        "lists system ids, which live on the node that registered them",
    ),
    row(
        "org.trusts",
        "listSystemsAffected",
        Fanout,
        "lists systems, which live on the node that registered them",
    ),
    row(
        "org",
        "getDetails",
        Fanout,
        "an organization's systems are counted by each node for its own",
    ),
    row(
        "org",
        "listOrgs",
        Fanout,
        "an organization's systems are counted by each node for its own",
    ),
    row(
        "proxy",
        "containerConfig",
        SharedRead,
        "computes a proxy configuration archive from its arguments; changes nothing",
    ),
    row(
        "recurring.custom",
        "listAvailable",
        SharedRead,
        "lists custom Salt states, which are config channels every node holds",
    ),
    row(
        "saltkey",
        "accept",
        Broadcast,
        "a pending key is not a system yet; only the node holding it can act",
    ),
    row(
        "saltkey",
        "delete",
        Broadcast,
        "the key may still be pending; only the node holding it can act",
    ),
    row(
        "saltkey",
        "reject",
        Broadcast,
        "a pending key is not a system yet; only the node holding it can act",
    ),
    row(
        "system",
        "getSystemCurrencyMultipliers",
        SharedRead,
        "configuration values, alike on every node",
    ),
    row(
        "system.custominfo",
        "listAllKeys",
        Fanout,
        "a key's system count is each node's count of its own systems",
    ),
    row(
        "system.provisioning.powermanagement",
        "listTypes",
        SharedRead,
        "a fixed list of power management types",
    ),
    row(
        "system.scap",
        "listPolicies",
        SharedRead,
        "SCAP policies are org-wide content every node holds",
    ),
    row(
        "system.scap",
        "listScapContent",
        SharedRead,
        "SCAP content is org-wide content every node holds",
    ),
    row(
        "system.scap",
        "listTailoringFiles",
        SharedRead,
        "tailoring files are org-wide content every node holds",
    ),
    row(
        "systemgroup",
        "listAdministrators",
        SharedRead,
        "lists users, whom every node holds alike",
    ),
    row(
        "systemgroup",
        "listAssignedConfigChannels",
        SharedRead,
        "lists config channels, which every node holds alike",
    ),
    row(
        "systemgroup",
        "listAssignedFormuals",
        SharedRead,
        "lists a group's formulas, which every node holds alike",
    ),
    row(
        "user",
        "listAssignedSystemGroups",
        Fanout,
        "lists system groups, whose system counts are each node's own",
    ),
    row(
        "user",
        "listDefaultSystemGroups",
        Fanout,
        "lists system groups, whose system counts are each node's own",
    ),
    row(
        "virtualhostmanager",
        "create",
        Placement,
        "the new manager imports the hosts it finds as new systems of one node",
    ),
    row(
        "virtualhostmanager",
        "getModuleParameters",
        SharedRead,
        "a fixed description of a gatherer module",
    ),
    row(
        "virtualhostmanager",
        "listAvailableVirtualHostGathererModules",
        SharedRead,
        "a fixed list of gatherer modules",
    ),
];
