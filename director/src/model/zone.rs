//! Zones: groups of nodes that hold the same shared data (channels,
//! packages, users, keys). A client lives in one zone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Zone {
    /// Name (`[a-z0-9-]`, unique).
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Labels for operators and tooling.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl Zone {
    /// Checks a zone or node name: 1-63 characters of `[a-z0-9-]`, not
    /// starting with `-`.
    pub fn valid_name(name: &str) -> bool {
        !name.is_empty()
            && name.len() <= 63
            && !name.starts_with('-')
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }
}
