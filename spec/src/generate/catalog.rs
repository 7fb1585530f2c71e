//! Reading the shared catalogs (`catalog-<release>.json`).

use std::path::Path;

use serde::Deserialize;

use super::GenerateError;
use crate::Release;

/// One parameter or result field as the catalog lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RawParam {
    /// The documented name.
    pub name: String,
    /// The catalog's type word.
    #[serde(rename = "type")]
    pub ty: String,
}

/// One catalog entry, as read (the members the generator uses).
#[derive(Debug, Clone, Deserialize)]
pub struct RawEntry {
    /// The namespace.
    pub namespace: String,
    /// The method.
    pub method: String,
    /// Documented parameters, `sessionKey` first where `session` is true.
    pub params: Vec<RawParam>,
    /// The result's type word.
    pub returns: String,
    /// The result's documented name.
    #[serde(default)]
    pub returns_name: Option<String>,
    /// Known result fields.
    #[serde(default)]
    pub returns_fields: Vec<RawParam>,
    /// Whether the first parameter is the session key.
    pub session: bool,
    /// `GET` or `POST`.
    pub http: String,
    /// HTTP API parameter keys.
    #[serde(default)]
    pub http_params: Vec<String>,
    /// The Java method's parameter names (`loggedInUser` for the session).
    #[serde(default)]
    pub java_params: Vec<String>,
    /// Parameters the catalog says carry system ids.
    #[serde(default)]
    pub sid_params: Vec<String>,
    /// Parameters the catalog says carry Salt minion ids.
    #[serde(default)]
    pub minion_params: Vec<String>,
    /// Parameters the catalog says carry system-id certificates.
    #[serde(default)]
    pub cert_params: Vec<String>,
    /// Whether the documentation marks the method deprecated.
    #[serde(default)]
    pub deprecated: Option<bool>,
    /// The API version that introduced the method (a string or a number).
    #[serde(default)]
    pub since: Option<serde_json::Value>,
}

impl RawEntry {
    /// The documented parameter names.
    pub fn param_names(&self) -> Vec<&str> {
        self.params.iter().map(|p| p.name.as_str()).collect()
    }

    /// `since` as text.
    pub fn since_text(&self) -> Option<String> {
        self.since.as_ref().map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// Every parameter name the catalog marks as carrying a system.
    pub fn declared_system_params(&self) -> impl Iterator<Item = &str> {
        self.sid_params
            .iter()
            .chain(&self.minion_params)
            .chain(&self.cert_params)
            .map(String::as_str)
    }
}

/// The catalog file of `release`.
pub fn catalog_file(release: Release) -> String {
    format!("catalog-{}.json", release.label())
}

/// Reads the catalog of `release` from `dir`.
pub fn read_catalog(dir: &Path, release: Release) -> Result<Vec<RawEntry>, GenerateError> {
    let path = dir.join(catalog_file(release));
    let text = std::fs::read_to_string(&path).map_err(|source| GenerateError::Io {
        path: path.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| GenerateError::Json { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_entry_with_optional_members_missing() {
        let json = r#"[{"namespace":"api","method":"getVersion","params":[],"returns":"string",
            "arity":0,"session":false,"http":"GET","java_params":[],"http_params":[],"since":10.8}]"#;
        let entries: Vec<RawEntry> = serde_json::from_str(json).unwrap();
        assert_eq!(entries[0].since_text().as_deref(), Some("10.8"));
        assert!(entries[0].returns_fields.is_empty());
        assert_eq!(catalog_file(Release::V5_0), "catalog-5.0.json");
    }
}
