//! Where the catalogs' documentation disagrees with the Java methods the
//! server dispatches to: a table of facts, each row replacing the
//! documented parameter list of the entries it matches.
//!
//! The server dispatches on the Java signature, so the spec follows it. A
//! row matches a catalog entry by namespace, method, documented parameter
//! names and (where given) the Java parameter names the catalog extracted.
//! Rows that match no entry of any catalog stop the generator.

use super::catalog::RawEntry;

/// One correction.
#[derive(Debug, Clone, Copy)]
pub struct Correction {
    /// The namespace.
    pub namespace: &'static str,
    /// The method.
    pub method: &'static str,
    /// The documented parameter names the row applies to.
    pub doc_params: &'static [&'static str],
    /// The catalog's Java parameter names the row applies to, where the
    /// documented names alone are ambiguous.
    pub java_params: Option<&'static [&'static str]>,
    /// The parameters the Java method really takes: `(name, catalog type
    /// word)`.
    pub params: &'static [(&'static str, &'static str)],
    /// Why.
    pub reason: &'static str,
}

impl Correction {
    /// Whether the row applies to `raw`.
    pub fn matches(&self, raw: &RawEntry) -> bool {
        raw.namespace == self.namespace
            && raw.method == self.method
            && raw.param_names() == self.doc_params
            && self.java_params.is_none_or(|java| raw.java_params == java)
    }
}

/// The corrections.
pub const CORRECTIONS: &[Correction] = &[
    Correction {
        namespace: "system",
        method: "setPillar",
        doc_params: &["sessionKey", "systemId", "pillarData"],
        java_params: Some(&["loggedInUser", "systemId", "category", "pillarData"]),
        params: &[
            ("sessionKey", "string"),
            ("systemId", "int"),
            ("category", "string"),
            ("pillarData", "struct"),
        ],
        reason: "the documentation omits `category` (flagged doc_java_arity_mismatch; \
                 java_params and http_params have it)",
    },
    Correction {
        namespace: "system",
        method: "setPillar",
        doc_params: &["sessionKey", "systemId", "pillarData"],
        java_params: Some(&["loggedInUser", "minionId", "category", "pillarData"]),
        params: &[
            ("sessionKey", "string"),
            ("minionId", "string"),
            ("category", "string"),
            ("pillarData", "struct"),
        ],
        reason: "the minion-id overload is documented as a copy of the system-id one; \
                 Java takes `String minionId, String category`",
    },
    Correction {
        namespace: "system",
        method: "scheduleApplyErrata",
        doc_params: &[
            "sessionKey",
            "sids",
            "errataIds",
            "earliestOccurrence",
            "allowModules",
            "onlyRelevant",
        ],
        java_params: Some(&[
            "loggedInUser",
            "sids",
            "errataIds",
            "earliestOccurrence",
            "allowModules",
            "onlyRelevant",
            "allowVendorChange",
        ]),
        params: &[
            ("sessionKey", "string"),
            ("sids", "array<int>"),
            ("errataIds", "array<int>"),
            ("earliestOccurrence", "dateTime.iso8601"),
            ("allowModules", "boolean"),
            ("onlyRelevant", "boolean"),
            ("allowVendorChange", "boolean"),
        ],
        reason: "the documentation omits `allowVendorChange` (flagged doc_java_arity_mismatch)",
    },
    Correction {
        namespace: "system",
        method: "updatePeripheralServerInfo",
        doc_params: &[
            "sessionKey",
            "reportDbName",
            "reportDbHost",
            "reportDbPort",
            "reportDbUser",
            "reportDbPassword",
        ],
        java_params: None,
        params: &[
            ("sessionKey", "string"),
            ("sid", "int"),
            ("reportDbName", "string"),
            ("reportDbHost", "string"),
            ("reportDbPort", "int"),
            ("reportDbUser", "string"),
            ("reportDbPassword", "string"),
        ],
        reason: "the documentation omits `sid` (flagged doc_java_arity_mismatch; \
                 java_params and http_params have it)",
    },
    Correction {
        namespace: "system",
        method: "getPillar",
        doc_params: &["sessionKey", "minionId", "category"],
        java_params: None,
        params: &[
            ("sessionKey", "string"),
            ("minionId", "string"),
            ("category", "string"),
        ],
        reason: "a Salt minion id is a string; documented `int`, which makes the overload \
                 a copy of the system-id one",
    },
    Correction {
        namespace: "system",
        method: "getName",
        doc_params: &["sessionKey", "sid"],
        java_params: None,
        params: &[("sessionKey", "string"), ("sid", "int")],
        reason: "Java takes `Integer sid` (SystemHandler's API contract); documented `string`",
    },
    Correction {
        namespace: "system",
        method: "listPackagesLockStatus",
        doc_params: &["sessionKey", "sid"],
        java_params: None,
        params: &[("sessionKey", "string"), ("sid", "int")],
        reason: "Java takes `Integer sid` (SystemHandler's API contract); documented `string`",
    },
    Correction {
        namespace: "system",
        method: "setChildChannels",
        doc_params: &["sessionKey", "sidd", "channelIdsOrLabels"],
        java_params: None,
        params: &[
            ("sessionKey", "string"),
            ("sid", "int"),
            ("channelIdsOrLabels", "array<int (deprecated) or string>"),
        ],
        reason: "`sidd` is a documentation typo for `sid` (java_params and http_params say `sid`)",
    },
];

/// The row that applies to `raw`, if any.
pub fn correction_for(raw: &RawEntry) -> Option<&'static Correction> {
    CORRECTIONS.iter().find(|c| c.matches(raw))
}

/// A result member whose documented type disagrees with what the server's
/// serializer writes.
#[derive(Debug, Clone, Copy)]
pub struct FieldCorrection {
    /// The namespace.
    pub namespace: &'static str,
    /// The method.
    pub method: &'static str,
    /// The result member.
    pub field: &'static str,
    /// The type word the catalogs document (for a member whose name and
    /// element type the catalogs swapped, as they wrote it: `array<read>`).
    pub documented: &'static str,
    /// The type word of what the server sends.
    pub ty: &'static str,
    /// Why.
    pub reason: &'static str,
}

impl FieldCorrection {
    /// Whether the row applies to member `field` (documented as `ty`, the
    /// catalog's word) of `raw`'s result.
    pub fn matches(&self, raw: &RawEntry, field: &str, ty: &str) -> bool {
        raw.namespace == self.namespace
            && raw.method == self.method
            && field == self.field
            && ty == self.documented
    }
}

const NOTIFICATION: &str = "`UserNotificationsHandler.getNotifications` writes one value per \
                            member (`UserNotificationSerializer`); the documentation marks \
                            every member but `id` as an array";

/// The result member corrections.
pub const FIELD_CORRECTIONS: &[FieldCorrection] = &[
    FieldCorrection {
        namespace: "image",
        method: "listImages",
        field: "obsolete",
        documented: "string",
        ty: "boolean",
        reason: "`ImageInfoSerializer` writes `obsolete` as a boolean, as `getDetails` documents it",
    },
    FieldCorrection {
        namespace: "user.notifications",
        method: "getNotifications",
        field: "read",
        documented: "array<read>",
        ty: "boolean",
        reason: NOTIFICATION,
    },
    FieldCorrection {
        namespace: "user.notifications",
        method: "getNotifications",
        field: "message",
        documented: "array<message>",
        ty: "string",
        reason: NOTIFICATION,
    },
    FieldCorrection {
        namespace: "user.notifications",
        method: "getNotifications",
        field: "summary",
        documented: "array<summary>",
        ty: "string",
        reason: NOTIFICATION,
    },
    FieldCorrection {
        namespace: "user.notifications",
        method: "getNotifications",
        field: "details",
        documented: "array<details>",
        ty: "string",
        reason: NOTIFICATION,
    },
    FieldCorrection {
        namespace: "user.notifications",
        method: "getNotifications",
        field: "type",
        documented: "array<type>",
        ty: "string",
        reason: NOTIFICATION,
    },
    FieldCorrection {
        namespace: "user.notifications",
        method: "getNotifications",
        field: "created",
        documented: "array<created>",
        ty: "dateTime.iso8601",
        reason: NOTIFICATION,
    },
];

/// A result member the catalogs leave out, from the server's serializer.
#[derive(Debug, Clone, Copy)]
pub struct MissingField {
    /// The namespace.
    pub namespace: &'static str,
    /// The method (every overload).
    pub method: &'static str,
    /// The member.
    pub field: &'static str,
    /// Its catalog type word.
    pub ty: &'static str,
    /// Why.
    pub reason: &'static str,
}

impl MissingField {
    /// Whether the row applies to `raw`.
    pub fn matches(&self, raw: &RawEntry) -> bool {
        raw.namespace == self.namespace && raw.method == self.method
    }
}

/// The result members the catalogs leave out. A row whose method no
/// catalog has, or whose member a catalog documents, stops the generator.
pub const MISSING_FIELDS: &[MissingField] = &[MissingField {
    namespace: "contentmanagement",
    method: "listProjectFilters",
    field: "filter",
    ty: "struct",
    reason: "`ContentProjectFilterSerializer` writes `state` and `filter`, the project's \
             filter as `ContentFilterSerializer` shows it (`id`, `name`, `orgId`, \
             `criteria`); the documentation inlines the filter's members without naming it",
}];

/// A result whose documented type disagrees with what the Java method
/// returns: every overload of the method.
#[derive(Debug, Clone, Copy)]
pub struct ReturnCorrection {
    /// The namespace.
    pub namespace: &'static str,
    /// The method.
    pub method: &'static str,
    /// The type word the catalogs document.
    pub documented: &'static str,
    /// The type word of what the server sends.
    pub ty: &'static str,
    /// Why.
    pub reason: &'static str,
}

impl ReturnCorrection {
    /// Whether the row applies to `raw`.
    pub fn matches(&self, raw: &RawEntry) -> bool {
        raw.namespace == self.namespace
            && raw.method == self.method
            && raw.returns == self.documented
    }
}

const ONE_CALENDAR: &str = "`MaintenanceHandler` returns the one `MaintenanceCalendar` it made or \
                            found, which `MaintenanceCalendarSerializer` writes as a struct; the \
                            documentation wraps it in an array";
const ONE_SCHEDULE: &str = "`MaintenanceHandler` returns the one `MaintenanceSchedule` it made or \
                            found, which `MaintenanceScheduleSerializer` writes as a struct; the \
                            documentation wraps it in an array";

const SYSTEM_COUNT: &str = "`MaintenanceHandler` returns the number of systems it assigned or \
                            retracted (`Integer`); the documentation calls it an array";

/// The results the catalogs document as another type. A row no catalog
/// entry matches stops the generator.
pub const RETURN_CORRECTIONS: &[ReturnCorrection] = &[
    ReturnCorrection {
        namespace: "maintenance",
        method: "assignScheduleToSystems",
        documented: "array<int>",
        ty: "int",
        reason: SYSTEM_COUNT,
    },
    ReturnCorrection {
        namespace: "maintenance",
        method: "retractScheduleFromSystems",
        documented: "array<int>",
        ty: "int",
        reason: SYSTEM_COUNT,
    },
    ReturnCorrection {
        namespace: "maintenance",
        method: "createCalendar",
        documented: "array<struct>",
        ty: "struct",
        reason: ONE_CALENDAR,
    },
    ReturnCorrection {
        namespace: "maintenance",
        method: "createCalendarWithUrl",
        documented: "array<struct>",
        ty: "struct",
        reason: ONE_CALENDAR,
    },
    ReturnCorrection {
        namespace: "maintenance",
        method: "createSchedule",
        documented: "array<struct>",
        ty: "struct",
        reason: ONE_SCHEDULE,
    },
    ReturnCorrection {
        namespace: "maintenance",
        method: "getCalendarDetails",
        documented: "array<struct>",
        ty: "struct",
        reason: ONE_CALENDAR,
    },
    ReturnCorrection {
        namespace: "maintenance",
        method: "getScheduleDetails",
        documented: "array<struct>",
        ty: "struct",
        reason: ONE_SCHEDULE,
    },
];

/// The corrected result type word of `raw`, where a row corrects it.
pub fn return_correction(raw: &RawEntry) -> Option<&'static ReturnCorrection> {
    RETURN_CORRECTIONS.iter().find(|row| row.matches(raw))
}

/// A method that answers nil (no value) where it finds nothing, instead of
/// a fault.
#[derive(Debug, Clone, Copy)]
pub struct NilResult {
    /// The namespace.
    pub namespace: &'static str,
    /// The method (every overload).
    pub method: &'static str,
    /// Why.
    pub reason: &'static str,
}

/// The methods that may answer nil. A row no catalog entry matches stops
/// the generator.
pub const NIL_RESULTS: &[NilResult] = &[NilResult {
    namespace: "user.external",
    method: "getExternalGroupToSystemGroupMap",
    reason: "`ExternalGroupHandler.getExternalGroupToSystemGroupMap` returns \
             `UserGroupFactory.lookupExtGroupByLabelAndOrg`, null for a name the organization \
             lacks, without a check (`getExternalGroupToRoleMap` throws instead)",
}];

/// Whether `raw` may answer nil.
pub fn may_answer_nil(raw: &RawEntry) -> bool {
    NIL_RESULTS
        .iter()
        .any(|row| raw.namespace == row.namespace && raw.method == row.method)
}

/// The name of a documented result member: `name`, or for a member whose
/// name and element type the catalog swapped (`{"name": "string", "type":
/// "array<summary>"}`), the word in the brackets.
pub fn member_name<'a>(name: &'a str, ty: &'a str) -> &'a str {
    if crate::Type::from_catalog(ty).is_some() {
        return name;
    }
    ty.strip_prefix("array<")
        .and_then(|w| w.strip_suffix('>'))
        .filter(|w| !w.is_empty())
        .unwrap_or(name)
}

/// The correction for member `name` (documented as `ty`) of `raw`'s result.
pub fn field_correction(raw: &RawEntry, name: &str, ty: &str) -> Option<&'static FieldCorrection> {
    FIELD_CORRECTIONS
        .iter()
        .find(|row| row.matches(raw, member_name(name, ty), ty))
}
