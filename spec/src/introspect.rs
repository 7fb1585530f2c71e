//! Answers for the `api` namespace's introspection calls, built from the
//! spec as `ApiHandler` builds them from the handler classes.
//!
//! Differences from the real server, all forced by the catalogs: only the
//! namespaces and overloads the catalogs document are listed (the server
//! lists every public method of every registered handler); `exceptions` is
//! always an empty array (the catalogs record no `throws` clauses); and
//! members come in sorted order (the server's are in `HashMap` order).

use xmlrpc::{Struct, Value};

use crate::java::Param;
use crate::{Entry, Release, Spec};

/// `api.getApiNamespaces()`: a struct mapping each namespace `release` has
/// to its handler's class name without the package (`ApiHandler` uses
/// `StringUtil.getClassNameNoPackage`), e.g. `system.config` to
/// `ServerConfigHandler`.
pub fn namespaces(spec: &Spec, release: Release) -> Value {
    let mut out = Struct::new();
    for ns in spec.namespaces().iter().filter(|ns| ns.in_release(release)) {
        out.push(ns.name.clone(), Value::string(ns.handler_simple_name()));
    }
    Value::Struct(out)
}

/// `api.getApiNamespaceCallList(namespace)`: a struct keyed
/// `"<namespace>.<method>_<t1>_<t2>..."`, each value `{name, parameters,
/// exceptions, return}`; `None` when `release` has no such namespace.
///
/// Type words are `ApiHandler.getType`'s: `string`, `int`, `date`,
/// `boolean`, `struct`, `array`, `base64`; the logged-in user parameter
/// shows as `string`, and `long` and `double` show as `struct`, which is
/// what the server's fall-through prints for them. `exceptions` is empty:
/// the catalogs do not record the exceptions a method declares.
pub fn namespace_call_list(spec: &Spec, release: Release, namespace: &str) -> Option<Value> {
    spec.namespace(namespace)
        .filter(|ns| ns.in_release(release))?;
    let mut calls: Vec<(String, Value)> = spec
        .entries_in(release)
        .filter(|e| e.namespace == namespace)
        .map(|e| method_info(namespace, e))
        .collect();
    calls.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Struct::with_capacity(calls.len());
    for (key, info) in calls {
        out.insert(key, info);
    }
    Some(Value::Struct(out))
}

/// `api.getApiCallList()`: every namespace of `release` mapped to its
/// [`namespace_call_list`].
pub fn call_list(spec: &Spec, release: Release) -> Value {
    let mut out = Struct::new();
    for ns in spec.namespaces().iter().filter(|ns| ns.in_release(release)) {
        if let Some(calls) = namespace_call_list(spec, release, &ns.name) {
            out.push(ns.name.clone(), calls);
        }
    }
    Value::Struct(out)
}

/// The key and `method_info` struct of one overload.
fn method_info(namespace: &str, entry: &Entry) -> (String, Value) {
    let words: Vec<&'static str> = entry
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i == 0 && entry.session {
                Param::User.api_type_word()
            } else {
                Param::of(&p.ty).api_type_word()
            }
        })
        .collect();
    let mut key = format!("{namespace}.{}", entry.method);
    for word in &words {
        key.push('_');
        key.push_str(word);
    }
    let info = Struct::new()
        .with("name", Value::string(entry.method.clone()))
        .with(
            "parameters",
            Value::Array(words.iter().map(|w| Value::string(*w)).collect()),
        )
        .with("exceptions", Value::Array(Vec::new()))
        .with(
            "return",
            Value::string(Param::of(&entry.returns).api_type_word()),
        );
    (key, Value::Struct(info))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member<'a>(v: &'a Value, name: &str) -> &'a Value {
        v.as_struct().unwrap().get(name).unwrap()
    }

    #[test]
    fn namespaces_show_simple_class_names() {
        let ns = namespaces(crate::spec(), Release::Master);
        assert_eq!(
            member(&ns, "system.config").as_str(),
            Some("ServerConfigHandler")
        );
        assert!(ns.as_struct().unwrap().get("sync.master").is_none());
        let old = namespaces(crate::spec(), Release::V4_3);
        assert_eq!(member(&old, "sync.master").as_str(), Some("MasterHandler"));
    }

    #[test]
    fn call_list_keys_and_types() {
        let calls = namespace_call_list(crate::spec(), Release::Master, "system").unwrap();
        let info = member(&calls, "system.getDetails_string_int");
        assert_eq!(member(info, "name").as_str(), Some("getDetails"));
        let params: Vec<_> = member(info, "parameters")
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(params, ["string", "int"]);
        assert_eq!(member(info, "return").as_str(), Some("struct"));
        assert_eq!(member(info, "exceptions").as_array(), Some(&[][..]));
        let dated = member(&calls, "system.scheduleReboot_string_int_date");
        assert_eq!(member(dated, "return").as_str(), Some("int"));
        assert!(namespace_call_list(crate::spec(), Release::Master, "sync.master").is_none());
    }

    #[test]
    fn api_namespace_lost_its_session_after_5_0() {
        let new = namespace_call_list(crate::spec(), Release::Master, "api").unwrap();
        assert!(
            new.as_struct()
                .unwrap()
                .get("api.getApiNamespaces")
                .is_some()
        );
        let old = namespace_call_list(crate::spec(), Release::V4_3, "api").unwrap();
        assert!(
            old.as_struct()
                .unwrap()
                .get("api.getApiNamespaces_string")
                .is_some()
        );
        let all = call_list(crate::spec(), Release::V5_1);
        assert!(all.as_struct().unwrap().get("access").is_some());
    }
}
