//! The spec generator: reads the shared catalogs and writes the spec
//! document. Used by the `spec-gen` binary and by the freshness test; the
//! library itself only reads the embedded result.
//!
//! Steps, each with its facts and rules in its own module:
//! 1. [`catalog`]: read `catalog-<release>.json` for every release;
//! 2. [`corrections`]: put right parameter lists the documentation gets
//!    wrong;
//! 3. merge the releases into overloads (newest wins);
//! 4. [`id_rules`]: mark the parameters and result parts carrying ids;
//! 5. [`routing`]: give every overload its route;
//! 6. [`handlers`]: attach each namespace's Java handler class.
//!
//! Every table is checked as it is used: a correction, override or
//! namespace row that matches nothing, two override rows for one entry, an
//! entry no rule (or two rules) claims, a namespace without handler or
//! group, and an unknown type word all stop the generator with an error.

pub mod catalog;
pub mod corrections;
pub mod handlers;
pub mod id_rules;
mod merge;
pub mod routing;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::document::{Document, FORMAT, ReleaseInfo, VERSION};
use crate::{Entry, Namespace, Release};

/// Why the generator stopped.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// A catalog could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A catalog is not valid JSON of the catalog shape.
    #[error("cannot parse {}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// A catalog entry the generator cannot take in.
    #[error("catalog entry {entry}: {why}")]
    Catalog {
        /// The entry, `namespace.method`.
        entry: String,
        /// What is wrong.
        why: String,
    },
    /// A namespace a table does not cover.
    #[error("namespace `{namespace}` is missing from the {table} table")]
    UnknownNamespace {
        /// The namespace.
        namespace: String,
        /// The table.
        table: &'static str,
    },
    /// A table row that matches nothing or changes nothing.
    #[error("dead row in the {table} table: {row}")]
    DeadRow {
        /// The table.
        table: &'static str,
        /// The row, `namespace.method`.
        row: String,
    },
    /// Several rows of one table for one entry.
    #[error("{rows} rows of the {table} table name {entry}")]
    ConflictingRows {
        /// The table.
        table: &'static str,
        /// The entry.
        entry: String,
        /// How many rows.
        rows: usize,
    },
    /// Several routing rules claim one entry.
    #[error("routing rules {rules:?} all claim {entry}")]
    RuleConflict {
        /// The entry.
        entry: String,
        /// The rules' names.
        rules: Vec<&'static str>,
    },
    /// No routing rule claims an entry.
    #[error("no routing rule claims {entry}")]
    Unclaimed {
        /// The entry.
        entry: String,
    },
    /// An id parameter the rules cannot describe.
    #[error("ids of {entry}: {why}")]
    IdRule {
        /// The entry.
        entry: String,
        /// What is wrong.
        why: String,
    },
}

/// The workspace root this crate was built in.
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Where the catalogs live by default: `shared/uyuni-api` beside the
/// workspace (`../shared/uyuni-api` from its root).
pub fn default_catalog_dir() -> PathBuf {
    let root = workspace_root();
    root.parent()
        .unwrap_or(&root)
        .join("shared")
        .join("uyuni-api")
}

/// Where the spec file lives: `spec/api-spec.json` in the workspace.
pub fn default_spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("api-spec.json")
}

/// Generates the spec from the catalogs in `catalog_dir`.
pub fn generate(catalog_dir: &Path) -> Result<Document, GenerateError> {
    let mut catalogs = Vec::new();
    for release in Release::ALL {
        catalogs.push((release, catalog::read_catalog(catalog_dir, release)?));
    }
    check_corrections_used(&catalogs)?;
    let mut drafts = merge::merge(&catalogs)?;
    id_rules::assign(&mut drafts)?;
    routing::assign(&mut drafts, routing::OVERRIDES)?;
    let entries: Vec<Entry> = drafts.into_iter().map(|d| d.entry).collect();
    let releases = Release::ALL
        .into_iter()
        .map(|release| ReleaseInfo {
            release,
            catalog: catalog::catalog_file(release),
            entries: entries.iter().filter(|e| e.in_release(release)).count(),
        })
        .collect();
    Ok(Document {
        format: FORMAT.to_owned(),
        version: VERSION,
        releases,
        namespaces: namespaces(&entries)?,
        entries,
    })
}

/// Generates the spec file's text from the catalogs in `catalog_dir`.
pub fn generate_json(catalog_dir: &Path) -> Result<String, GenerateError> {
    Ok(generate(catalog_dir)?.to_json())
}

fn check_corrections_used(
    catalogs: &[(Release, Vec<catalog::RawEntry>)],
) -> Result<(), GenerateError> {
    let all = || catalogs.iter().flat_map(|(_, entries)| entries);
    for row in corrections::CORRECTIONS {
        if !all().any(|raw| row.matches(raw)) {
            return Err(GenerateError::DeadRow {
                table: "corrections",
                row: format!("{}.{}{:?}", row.namespace, row.method, row.doc_params),
            });
        }
    }
    for row in corrections::MISSING_FIELDS {
        let entries: Vec<_> = all().filter(|raw| row.matches(raw)).collect();
        let documented = entries
            .iter()
            .any(|raw| raw.returns_fields.iter().any(|f| f.name == row.field));
        if entries.is_empty() || documented {
            return Err(GenerateError::DeadRow {
                table: "missing fields",
                row: format!("{}.{} {}", row.namespace, row.method, row.field),
            });
        }
    }
    for row in corrections::RETURN_CORRECTIONS {
        if !all().any(|raw| row.matches(raw)) {
            return Err(GenerateError::DeadRow {
                table: "return corrections",
                row: format!("{}.{} {}", row.namespace, row.method, row.documented),
            });
        }
    }
    for row in corrections::NIL_RESULTS {
        if !all().any(|raw| raw.namespace == row.namespace && raw.method == row.method) {
            return Err(GenerateError::DeadRow {
                table: "nil results",
                row: format!("{}.{}", row.namespace, row.method),
            });
        }
    }
    for row in corrections::FIELD_CORRECTIONS {
        let used = all().any(|raw| {
            raw.returns_fields
                .iter()
                .any(|f| row.matches(raw, corrections::member_name(&f.name, &f.ty), &f.ty))
        });
        if !used {
            return Err(GenerateError::DeadRow {
                table: "field corrections",
                row: format!("{}.{} {}", row.namespace, row.method, row.field),
            });
        }
    }
    Ok(())
}

fn namespaces(entries: &[Entry]) -> Result<Vec<Namespace>, GenerateError> {
    let mut releases: BTreeMap<&str, Vec<Release>> = BTreeMap::new();
    for entry in entries {
        let seen = releases.entry(&entry.namespace).or_default();
        seen.extend(&entry.releases);
        seen.sort();
        seen.dedup();
    }
    for (table, names) in [
        (
            "handlers",
            handlers::HANDLERS
                .iter()
                .map(|(ns, _)| *ns)
                .collect::<Vec<_>>(),
        ),
        (
            "namespace groups",
            routing::NAMESPACE_GROUPS
                .iter()
                .map(|(ns, _)| *ns)
                .collect(),
        ),
    ] {
        if let Some(unused) = names.into_iter().find(|ns| !releases.contains_key(ns)) {
            return Err(GenerateError::DeadRow {
                table,
                row: unused.to_owned(),
            });
        }
    }
    releases
        .into_iter()
        .map(|(name, releases)| {
            let handler =
                handlers::handler_of(name).ok_or_else(|| GenerateError::UnknownNamespace {
                    namespace: name.to_owned(),
                    table: "handlers",
                })?;
            Ok(Namespace {
                name: name.to_owned(),
                handler: handler.to_owned(),
                releases,
            })
        })
        .collect()
}
