//! Merging the catalogs of every release into one list of overloads.
//!
//! An overload is identified by namespace, method and parameter type list
//! (after [corrections](super::corrections)). Catalogs are read oldest
//! first and a later release overwrites what an earlier one said about
//! names, result, fields, HTTP details, `deprecated` and `since`: the newest
//! wins. `releases` collects every release that has the overload.

use std::collections::{BTreeSet, HashMap};

use super::GenerateError;
use super::catalog::{RawEntry, RawParam};
use super::corrections::{
    MISSING_FIELDS, correction_for, field_correction, may_answer_nil, return_correction,
};
use crate::ids::IdInfo;
use crate::{Entry, Field, HttpVerb, Param, Release, Route, RouteClass, Type};

/// An entry before routing and id rules run, with what the catalogs
/// declared about its system-id parameters.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    /// The entry; `route` and `ids` are placeholders until assigned.
    pub entry: Entry,
    /// Names the catalogs list in `sid_params`, `minion_params` and
    /// `cert_params`, over all releases.
    pub declared_system_params: BTreeSet<String>,
}

/// Merges `catalogs` (oldest first) into drafts, sorted by namespace,
/// method, arity and parameter types.
pub(super) fn merge(catalogs: &[(Release, Vec<RawEntry>)]) -> Result<Vec<Draft>, GenerateError> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (release, entries) in catalogs {
        for raw in entries {
            let params = corrected_params(raw)?;
            let key = identity(&raw.namespace, &raw.method, &params);
            let fresh = draft(raw, params, *release)?;
            match index.get(&key) {
                Some(&i) => {
                    let old = &mut drafts[i];
                    let mut releases = std::mem::take(&mut old.entry.releases);
                    if !releases.contains(release) {
                        releases.push(*release);
                    }
                    old.declared_system_params
                        .extend(fresh.declared_system_params);
                    old.entry = Entry {
                        releases,
                        ..fresh.entry
                    };
                }
                None => {
                    index.insert(key, drafts.len());
                    drafts.push(fresh);
                }
            }
        }
    }
    drafts.sort_by_cached_key(|d| {
        let e = &d.entry;
        let types: Vec<String> = e.param_types().map(Type::to_string).collect();
        (
            e.namespace.clone(),
            e.method.clone(),
            e.params.len(),
            types.join(","),
        )
    });
    Ok(drafts)
}

/// The identity of an overload.
pub(super) fn identity(namespace: &str, method: &str, params: &[Param]) -> String {
    let types: Vec<String> = params.iter().map(|p| p.ty.to_string()).collect();
    format!("{namespace}.{method}({})", types.join(","))
}

/// The parameters of `raw`, corrected where the documentation is wrong.
pub(super) fn corrected_params(raw: &RawEntry) -> Result<Vec<Param>, GenerateError> {
    let listed: Vec<(&str, &str)> = match correction_for(raw) {
        Some(c) => c.params.to_vec(),
        None => raw
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.ty.as_str()))
            .collect(),
    };
    listed
        .into_iter()
        .map(|(name, word)| {
            Ok(Param {
                name: name.to_owned(),
                ty: catalog_type(raw, word)?,
            })
        })
        .collect()
}

fn draft(raw: &RawEntry, params: Vec<Param>, release: Release) -> Result<Draft, GenerateError> {
    let http = match raw.http.as_str() {
        "GET" => HttpVerb::Get,
        "POST" => HttpVerb::Post,
        other => {
            return Err(GenerateError::Catalog {
                entry: entry_name(raw),
                why: format!("unknown HTTP verb `{other}`"),
            });
        }
    };
    let mut result_fields: Vec<Field> = raw
        .returns_fields
        .iter()
        .map(|f| result_field(raw, f))
        .collect::<Result<_, _>>()?;
    for row in MISSING_FIELDS.iter().filter(|row| row.matches(raw)) {
        result_fields.push(Field {
            name: row.field.to_owned(),
            ty: catalog_type(raw, row.ty)?,
        });
    }
    let entry = Entry {
        namespace: raw.namespace.clone(),
        method: raw.method.clone(),
        params,
        returns: catalog_type(
            raw,
            return_correction(raw).map_or(raw.returns.as_str(), |row| row.ty),
        )?,
        returns_name: raw.returns_name.clone(),
        result_fields,
        session: raw.session,
        http,
        http_params: raw.http_params.clone(),
        releases: vec![release],
        route: Route {
            class: RouteClass::Broadcast,
            param: None,
        },
        deprecated: raw.deprecated.unwrap_or(false),
        since: raw.since_text(),
        ids: IdInfo::default(),
        may_be_nil: may_answer_nil(raw),
    };
    Ok(Draft {
        entry,
        declared_system_params: raw.declared_system_params().map(str::to_owned).collect(),
    })
}

/// A result field. Some catalog fields have name and element type swapped
/// (`{"name": "string", "type": "array<channel_labels>"}` for an array of
/// strings called `channel_labels`); those are put right, with an unknown
/// element type where the name is no type word either
/// (`{"name": "notificationType", "type": "array<type>"}`). Types the
/// server's serializer contradicts are corrected
/// ([`super::corrections::FIELD_CORRECTIONS`]).
fn result_field(raw: &RawEntry, field: &RawParam) -> Result<Field, GenerateError> {
    if let Some(row) = field_correction(raw, &field.name, &field.ty) {
        return Ok(Field {
            name: row.field.to_owned(),
            ty: catalog_type(raw, row.ty)?,
        });
    }
    if let Some(ty) = Type::from_catalog(&field.ty) {
        return Ok(Field {
            name: field.name.clone(),
            ty,
        });
    }
    let swapped = field
        .ty
        .strip_prefix("array<")
        .and_then(|w| w.strip_suffix('>'));
    match swapped {
        Some(name) if !name.is_empty() => Ok(Field {
            name: name.to_owned(),
            ty: Type::Array(Type::from_catalog(&field.name).map(Box::new)),
        }),
        _ => Err(unknown_type(raw, &field.ty)),
    }
}

fn catalog_type(raw: &RawEntry, word: &str) -> Result<Type, GenerateError> {
    Type::from_catalog(word).ok_or_else(|| unknown_type(raw, word))
}

fn unknown_type(raw: &RawEntry, word: &str) -> GenerateError {
    GenerateError::Catalog {
        entry: entry_name(raw),
        why: format!("unknown type word `{word}`"),
    }
}

fn entry_name(raw: &RawEntry) -> String {
    format!("{}.{}", raw.namespace, raw.method)
}
