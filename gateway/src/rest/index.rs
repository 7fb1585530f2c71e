//! The HTTP API's routes, from the spec: one per method name of the
//! presented release at `<namespace with dots as slashes>/<method>`, with
//! its verb and every overload, each overload with the HTTP key of each of
//! its parameters.
//!
//! The HTTP keys are the Java parameter names (`http_params`), which are not
//! always the documented names nor in their order (`formula.
//! getSystemFormulaData` takes `formulaName, systemId` for the documented
//! `sid, formulaName`). A key fills the parameter of the same name, else of
//! the same name in another case, else the first parameter left, in order.

use std::collections::BTreeMap;

use spec::{Entry, HttpVerb, Release};

/// One overload as the HTTP API sees it.
#[derive(Debug)]
pub(crate) struct Overload {
    /// The spec entry.
    pub entry: &'static Entry,
    /// Each HTTP key with the index of the parameter it fills.
    pub keys: Vec<(&'static str, usize)>,
}

/// One route: a method name and all its overloads.
#[derive(Debug)]
pub(crate) struct Route {
    /// The namespace, e.g. `system.config`.
    pub namespace: &'static str,
    /// The method, e.g. `listFiles`.
    pub method: &'static str,
    /// `GET` or `POST`.
    pub verb: HttpVerb,
    /// The overloads of the release, in spec order.
    pub overloads: Vec<Overload>,
}

impl Route {
    /// `namespace.method`.
    pub(crate) fn full_name(&self) -> String {
        format!("{}.{}", self.namespace, self.method)
    }
}

/// Every route of a release, by path below `/rhn/manager/api/`.
#[derive(Debug)]
pub(crate) struct Index {
    routes: BTreeMap<String, Route>,
}

impl Index {
    /// The routes of `release`.
    pub(crate) fn new(release: Release) -> Index {
        let mut routes: BTreeMap<String, Route> = BTreeMap::new();
        for entry in spec::spec().entries_in(release) {
            let Some(keys) = key_positions(entry) else {
                tracing::warn!(method = %entry.full_name(), "spec entry without usable HTTP keys: not served over HTTP");
                continue;
            };
            let path = format!("{}/{}", entry.namespace.replace('.', "/"), entry.method);
            routes
                .entry(path)
                .or_insert_with(|| Route {
                    namespace: &entry.namespace,
                    method: &entry.method,
                    verb: entry.http,
                    overloads: Vec::new(),
                })
                .overloads
                .push(Overload { entry, keys });
        }
        Index { routes }
    }

    /// The route at `path` (below `/rhn/manager/api/`).
    pub(crate) fn get(&self, path: &str) -> Option<&Route> {
        self.routes.get(path)
    }

    /// Every route with its path, sorted by path.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Route)> {
        self.routes.iter().map(|(p, r)| (p.as_str(), r))
    }

    /// How many routes.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.routes.len()
    }
}

/// Pairs each HTTP key of `entry` with a parameter index (see the module
/// documentation); `None` when the counts disagree.
fn key_positions(entry: &'static Entry) -> Option<Vec<(&'static str, usize)>> {
    let first = usize::from(entry.session);
    if entry.http_params.len() + first != entry.params.len() {
        return None;
    }
    let mut free: Vec<usize> = (first..entry.params.len()).collect();
    let mut slots: Vec<Option<usize>> = vec![None; entry.http_params.len()];
    let rules: [fn(&str, &str) -> bool; 2] = [|a, b| a == b, |a, b| a.eq_ignore_ascii_case(b)];
    for same in rules {
        for (slot, key) in slots.iter_mut().zip(&entry.http_params) {
            if slot.is_none()
                && let Some(at) = free.iter().position(|&i| same(&entry.params[i].name, key))
            {
                *slot = Some(free.remove(at));
            }
        }
    }
    let mut rest = free.into_iter();
    let mut keys = Vec::with_capacity(slots.len());
    for (slot, key) in slots.into_iter().zip(&entry.http_params) {
        keys.push((key.as_str(), slot.or_else(|| rest.next())?));
    }
    Some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route<'a>(index: &'a Index, path: &str) -> &'a Route {
        index.get(path).unwrap_or_else(|| panic!("{path}"))
    }

    #[test]
    fn routes_of_the_release() {
        let index = Index::new(Release::Master);
        let names: std::collections::HashSet<String> = spec::spec()
            .entries_in(Release::Master)
            .map(|e| e.full_name())
            .collect();
        assert_eq!(index.len(), names.len());
        let r = route(&index, "channel/software/listAllPackages");
        assert_eq!((r.namespace, r.verb), ("channel.software", HttpVerb::Get));
        assert!(index.get("system/config/listFiles").is_some());
        // 4.3-only overload of listFiles is not in master.
        assert_eq!(route(&index, "system/config/listFiles").overloads.len(), 1);
        assert_eq!(
            Index::new(Release::V4_3)
                .get("system/config/listFiles")
                .map(|r| r.overloads.len()),
            Some(1)
        );
        assert!(index.get("system/listsystems").is_none());
    }

    #[test]
    fn keys_fill_parameters_by_name_then_order() {
        let index = Index::new(Release::Master);
        let keys = |path: &str| -> Vec<(&str, &str)> {
            let o = &route(&index, path).overloads[0];
            o.keys
                .iter()
                .map(|&(k, i)| (k, o.entry.params[i].name.as_str()))
                .collect()
        };
        assert_eq!(
            keys("formula/getSystemFormulaData"),
            [("formulaName", "formulaName"), ("systemId", "sid")]
        );
        assert_eq!(
            keys("kickstart/profile/getUpdateType"),
            [("kslabel", "ksLabel")]
        );
        assert_eq!(keys("system/getDetails"), [("sid", "sid")]);
    }
}
