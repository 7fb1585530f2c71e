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
