//! [`Spec`]: the loaded spec, its indexes and accessors.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::document::{Document, ReleaseInfo};
use crate::resolve::beanify;
use crate::{Entry, Namespace, Release, SpecError};

/// The spec file compiled into this build.
pub(crate) const EMBEDDED: &str = include_str!("../api-spec.json");

static SPEC: LazyLock<Spec> =
    LazyLock::new(|| Spec::from_json(EMBEDDED).expect("the embedded api-spec.json loads"));

/// The spec compiled into this build, parsed once.
pub fn spec() -> &'static Spec {
    &SPEC
}

/// Every entry of every supported release, indexed for lookup.
#[derive(Debug, Clone)]
pub struct Spec {
    releases: Vec<ReleaseInfo>,
    namespaces: Vec<Namespace>,
    entries: Vec<Entry>,
    namespace_index: HashMap<String, usize>,
    /// `(namespace, method)` to indexes into `entries`, in spec order.
    method_index: HashMap<(String, String), Vec<usize>>,
}

impl Spec {
    /// Loads a spec document (see [`crate::document`]).
    pub fn from_json(json: &str) -> Result<Spec, SpecError> {
        Spec::from_document(Document::parse(json)?)
    }

    /// Indexes a parsed document, checking that every entry names a listed
    /// namespace and that routes agree with their classes.
    pub fn from_document(doc: Document) -> Result<Spec, SpecError> {
        let namespace_index: HashMap<String, usize> = doc
            .namespaces
            .iter()
            .enumerate()
            .map(|(i, ns)| (ns.name.clone(), i))
            .collect();
        let mut method_index: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, entry) in doc.entries.iter().enumerate() {
            if !namespace_index.contains_key(&entry.namespace) {
                return Err(SpecError::UnlistedNamespace {
                    entry: entry.full_name(),
                    namespace: entry.namespace.clone(),
                });
            }
            check_route(entry)?;
            method_index
                .entry((entry.namespace.clone(), entry.method.clone()))
                .or_default()
                .push(i);
        }
        Ok(Spec {
            releases: doc.releases,
            namespaces: doc.namespaces,
            entries: doc.entries,
            namespace_index,
            method_index,
        })
    }

    /// Every entry, sorted by namespace, method, arity and parameter types.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries `release` has.
    pub fn entries_in(&self, release: Release) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.in_release(release))
    }

    /// Every namespace of any release, sorted by name.
    pub fn namespaces(&self) -> &[Namespace] {
        &self.namespaces
    }

    /// The namespace called `name`, in any release.
    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.namespace_index.get(name).map(|&i| &self.namespaces[i])
    }

    /// The catalogs the spec was generated from, oldest first.
    pub fn releases(&self) -> &[ReleaseInfo] {
        &self.releases
    }

    /// All overloads of `ns.method`, any arity, any release (the method may
    /// be given in snake_case: it is beanified as the server does).
    pub fn overloads(&self, method_name: &str) -> Vec<&Entry> {
        match method_name.rsplit_once('.') {
            Some((ns, method)) => self.overloads_of(ns, &beanify(method)).collect(),
            None => Vec::new(),
        }
    }

    /// The overloads of an already split and beanified name, in spec order.
    pub(crate) fn overloads_of<'a>(
        &'a self,
        namespace: &str,
        method: &str,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        self.method_index
            .get(&(namespace.to_owned(), method.to_owned()))
            .into_iter()
            .flatten()
            .map(|&i| &self.entries[i])
    }
}

fn check_route(entry: &Entry) -> Result<(), SpecError> {
    let bad = |why: &str| SpecError::BadRoute {
        entry: entry.full_name(),
        why: why.to_owned(),
    };
    match (entry.route.class.routes_on_param(), entry.route.param) {
        (true, None) => Err(bad("a System or Action route needs a parameter")),
        (false, Some(_)) => Err(bad("only System and Action routes name a parameter")),
        (true, Some(i)) if i >= entry.params.len() => Err(bad("parameter index out of range")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_spec_loads_and_indexes() {
        let spec = spec();
        assert!(spec.entries().len() > 900);
        assert_eq!(spec.releases().len(), 4);
        assert!(spec.namespace("system.config").is_some());
        assert!(spec.namespace("nosuch").is_none());
        let overloads = spec.overloads("system.schedule_apply_errata");
        assert!(overloads.len() >= 10);
        assert!(overloads.iter().all(|e| e.method == "scheduleApplyErrata"));
        assert!(spec.overloads("nodot").is_empty());
    }

    #[test]
    fn rejects_routes_without_parameters() {
        let mut doc = Document::parse(EMBEDDED).unwrap();
        let entry = doc
            .entries
            .iter_mut()
            .find(|e| e.route.param.is_some())
            .unwrap();
        entry.route.param = None;
        assert!(matches!(
            Spec::from_document(doc),
            Err(SpecError::BadRoute { .. })
        ));
    }
}
