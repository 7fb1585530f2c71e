//! Ids in structs nested in a result, which the catalogs list only as an
//! `array` or `struct` member without its members. Taken from the server's
//! serializers. A row applies to the overloads whose result has its first
//! member; a row that applies to none, or whose first member is not an
//! array or struct member, stops the generator.

use crate::ids::IdKind;

/// A row of the nested-id table.
#[derive(Debug, Clone, Copy)]
pub struct NestedIds {
    /// The namespace.
    pub namespace: &'static str,
    /// The method (every overload).
    pub method: &'static str,
    /// Member names from the result's struct (or each struct of the
    /// returned array) down to the ids.
    pub path: &'static [&'static str],
    /// The kind of id there.
    pub kind: IdKind,
    /// Where the fact comes from.
    pub reason: &'static str,
}

const DUPLICATES: &str = "a duplicate group lists its systems as `NetworkDtoSerializer` \
                          structs: `systemId`, `systemName`, `last_checkin`";
const SYSTEM_GROUPS: &str = "`SystemGroupsSerializer`: each system's `system_groups` are \
                             `SystemGroupID` structs, `id` and `name` of a group";
const SERVER_ERRATA: &str = "`system.getRelevantErrata(sids)`: each system's `errata` are \
                             the `ErrataOverview` structs of `getRelevantErrata(sid)`, with \
                             `id` and `advisory_name`";
const PROJECT_FILTERS: &str = "`ContentProjectFilterSerializer`: each of a project's filters \
                               is its `state` and the `filter`, a `ContentFilterSerializer` \
                               struct with `id` and `name`";
const RESCHEDULED: &str = "`RescheduleResultSerializer`: each rescheduled action's `id`, \
                           `prerequisite` and `affected_system_ids`";

const fn row(
    namespace: &'static str,
    method: &'static str,
    path: &'static [&'static str],
    kind: IdKind,
    reason: &'static str,
) -> NestedIds {
    NestedIds {
        namespace,
        method,
        path,
        kind,
        reason,
    }
}

/// The nested-id table.
pub const NESTED_IDS: &[NestedIds] = &[
    row(
        "contentmanagement",
        "listProjectFilters",
        &["filter", "id"],
        IdKind::ContentFilter,
        PROJECT_FILTERS,
    ),
    row(
        "system",
        "getRelevantErrata",
        &["errata", "id"],
        IdKind::Erratum,
        SERVER_ERRATA,
    ),
    row(
        "system",
        "listSystemGroupsForSystemsWithEntitlement",
        &["system_groups", "id"],
        IdKind::Group,
        SYSTEM_GROUPS,
    ),
    row(
        "system",
        "listDuplicatesByHostname",
        &["systems", "systemId"],
        IdKind::System,
        DUPLICATES,
    ),
    row(
        "system",
        "listDuplicatesByIp",
        &["systems", "systemId"],
        IdKind::System,
        DUPLICATES,
    ),
    row(
        "system",
        "listDuplicatesByMac",
        &["systems", "systemId"],
        IdKind::System,
        DUPLICATES,
    ),
    row(
        "maintenance",
        "updateSchedule",
        &["actions", "id"],
        IdKind::Action,
        RESCHEDULED,
    ),
    row(
        "maintenance",
        "updateSchedule",
        &["actions", "prerequisite"],
        IdKind::Action,
        RESCHEDULED,
    ),
    row(
        "maintenance",
        "updateSchedule",
        &["actions", "affected_system_ids"],
        IdKind::System,
        RESCHEDULED,
    ),
    row(
        "maintenance",
        "updateCalendar",
        &["actions", "id"],
        IdKind::Action,
        RESCHEDULED,
    ),
    row(
        "maintenance",
        "updateCalendar",
        &["actions", "prerequisite"],
        IdKind::Action,
        RESCHEDULED,
    ),
    row(
        "maintenance",
        "updateCalendar",
        &["actions", "affected_system_ids"],
        IdKind::System,
        RESCHEDULED,
    ),
    row(
        "maintenance",
        "refreshCalendar",
        &["actions", "id"],
        IdKind::Action,
        RESCHEDULED,
    ),
    row(
        "maintenance",
        "refreshCalendar",
        &["actions", "prerequisite"],
        IdKind::Action,
        RESCHEDULED,
    ),
    row(
        "maintenance",
        "refreshCalendar",
        &["actions", "affected_system_ids"],
        IdKind::System,
        RESCHEDULED,
    ),
    row(
        "maintenance",
        "deleteCalendar",
        &["actions", "id"],
        IdKind::Action,
        RESCHEDULED,
    ),
    row(
        "maintenance",
        "deleteCalendar",
        &["actions", "prerequisite"],
        IdKind::Action,
        RESCHEDULED,
    ),
    row(
        "maintenance",
        "deleteCalendar",
        &["actions", "affected_system_ids"],
        IdKind::System,
        RESCHEDULED,
    ),
];
