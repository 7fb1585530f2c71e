//! The spec file, `spec/api-spec.json`: its shape, reader and writer.
//!
//! A JSON object:
//!
//! - `format`: `"suma-cluster-api-spec"`, `version`: `1`;
//! - `releases`: one `{release, catalog, entries}` per catalog read, oldest
//!   first (`entries`: how many distinct overloads that release has);
//! - `namespaces`: `{name, handler, releases}` sorted by name, `handler` the
//!   full Java class;
//! - `entries`: one object per overload, sorted by namespace, method,
//!   arity and parameter types, with the members of [`Entry`] in
//!   declaration order: `namespace`, `method`, `params` (`[{name, type}]`),
//!   `returns`, `returns_name`, `result_fields` (`[{name, type}]`),
//!   `session`, `http` (`GET`/`POST`), `http_params`, `releases`, `route`
//!   (`{class, param}`, `class` one of `gateway`, `system`, `action`,
//!   `fanout`, `shared_read`, `broadcast`, `placement`), `deprecated`,
//!   `since`, `ids` (`{params: [{index, kind, form}], result: [{kind,
//!   place}]}`), and `may_be_nil: true` for the few that may answer nil
//!   (left out otherwise).
//!
//! Types are written as [`crate::Type`] prints them. The writer puts each
//! member of an entry on its own line and each value on one line, so a
//! change to one entry shows as a few changed lines in a diff.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::{Entry, Namespace, Release, SpecError};

/// The format name the document declares.
pub const FORMAT: &str = "suma-cluster-api-spec";

/// The format version this build reads and writes.
pub const VERSION: u32 = 1;

/// One catalog the spec was generated from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseInfo {
    /// The release.
    pub release: Release,
    /// The catalog file it was read from.
    pub catalog: String,
    /// How many distinct overloads the release has.
    pub entries: usize,
}

/// A whole spec document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The catalogs read, oldest first.
    pub releases: Vec<ReleaseInfo>,
    /// The namespaces, sorted by name.
    pub namespaces: Vec<Namespace>,
    /// The entries, sorted.
    pub entries: Vec<Entry>,
}

impl Document {
    /// Parses a document, checking its format and version.
    pub fn parse(json: &str) -> Result<Document, SpecError> {
        let doc: Document = serde_json::from_str(json)?;
        if doc.format != FORMAT || doc.version != VERSION {
            return Err(SpecError::Version {
                format: doc.format,
                version: doc.version,
            });
        }
        Ok(doc)
    }

    /// Writes the document in its diff-friendly layout, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(1 << 20);
        out.push_str("{\n");
        let _ = writeln!(out, "  \"format\": {},", one_line(&self.format));
        let _ = writeln!(out, "  \"version\": {},", self.version);
        write_list(&mut out, "releases", &self.releases, |out, r| {
            out.push_str(&one_line(r));
        });
        out.push_str(",\n");
        write_list(&mut out, "namespaces", &self.namespaces, |out, ns| {
            out.push_str(&one_line(ns));
        });
        out.push_str(",\n");
        write_list(&mut out, "entries", &self.entries, write_entry);
        out.push_str("\n}\n");
        out
    }
}

fn one_line<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("spec values serialise")
}

fn write_list<T>(out: &mut String, key: &str, items: &[T], item: impl Fn(&mut String, &T)) {
    let _ = write!(out, "  \"{key}\": [");
    for (i, value) in items.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        item(out, value);
    }
    out.push_str(if items.is_empty() { "]" } else { "\n  ]" });
}

fn write_entry(out: &mut String, e: &Entry) {
    let members: [(&str, String); 14] = [
        ("namespace", one_line(&e.namespace)),
        ("method", one_line(&e.method)),
        ("params", one_line(&e.params)),
        ("returns", one_line(&e.returns)),
        ("returns_name", one_line(&e.returns_name)),
        ("result_fields", one_line(&e.result_fields)),
        ("session", one_line(&e.session)),
        ("http", one_line(&e.http)),
        ("http_params", one_line(&e.http_params)),
        ("releases", one_line(&e.releases)),
        ("route", one_line(&e.route)),
        ("deprecated", one_line(&e.deprecated)),
        ("since", one_line(&e.since)),
        ("ids", one_line(&e.ids)),
    ];
    out.push('{');
    let nil = e.may_be_nil.then(|| ("may_be_nil", one_line(&true)));
    for (i, (key, value)) in members.iter().chain(&nil).enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(out, "{sep}\n      \"{key}\": {value}");
    }
    out.push_str("\n    }");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{IdForm, IdInfo, IdKind, IdParam};
    use crate::{HttpVerb, Param, Route, RouteClass, Type};

    fn sample() -> Document {
        let entry = Entry {
            namespace: "system".into(),
            method: "getDetails".into(),
            params: vec![
                Param {
                    name: "sessionKey".into(),
                    ty: Type::String,
                },
                Param {
                    name: "sid".into(),
                    ty: Type::Int,
                },
            ],
            returns: Type::Struct,
            returns_name: Some("server details".into()),
            result_fields: vec![],
            session: true,
            http: HttpVerb::Get,
            http_params: vec!["sid".into()],
            releases: vec![Release::V5_1, Release::Master],
            route: Route {
                class: RouteClass::System,
                param: Some(1),
            },
            deprecated: false,
            since: None,
            ids: IdInfo {
                params: vec![IdParam {
                    index: 1,
                    kind: IdKind::System,
                    form: IdForm::Scalar,
                }],
                result: vec![],
            },
            may_be_nil: false,
        };
        Document {
            format: FORMAT.into(),
            version: VERSION,
            releases: vec![ReleaseInfo {
                release: Release::Master,
                catalog: "catalog-master.json".into(),
                entries: 1,
            }],
            namespaces: vec![Namespace {
                name: "system".into(),
                handler: "com.redhat.rhn.frontend.xmlrpc.system.SystemHandler".into(),
                releases: vec![Release::Master],
            }],
            entries: vec![entry],
        }
    }

    #[test]
    fn writes_what_it_reads() {
        let doc = sample();
        let json = doc.to_json();
        assert_eq!(Document::parse(&json).unwrap(), doc);
        assert!(json.contains("\n      \"route\": {\"class\":\"system\",\"param\":1},\n"));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["entries"][0]["params"][1]["type"], "int");
        assert!(!json.contains("may_be_nil"), "written only when true");
        let mut nil = sample();
        nil.entries[0].may_be_nil = true;
        let json = nil.to_json();
        assert!(
            json.contains(",\n      \"may_be_nil\": true\n    }"),
            "{json}"
        );
        assert_eq!(Document::parse(&json).unwrap(), nil);
    }

    #[test]
    fn refuses_other_versions() {
        let mut doc = sample();
        doc.version = 2;
        assert!(matches!(
            Document::parse(&doc.to_json()),
            Err(SpecError::Version { version: 2, .. })
        ));
        let empty = Document {
            entries: vec![],
            ..sample()
        };
        assert!(empty.to_json().contains("\"entries\": []"));
    }
}
