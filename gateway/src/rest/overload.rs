//! Which overload a request calls, as the server's `RouteFactory` picks it:
//! the overloads whose set of HTTP keys equals the set of keys supplied,
//! then those every value of which reads as its parameter's type
//! ([`super::convert`]). None left: the server's 400, [`NO_METHOD`]. Two
//! left (no overload pair of the spec allows it): the first.

use spec::Type;
use xmlrpc::Value;

use super::convert;
use super::index::{Overload, Route};
use super::params::{Input, Inputs};

/// The server's answer (400) when no overload takes the parameters.
pub(crate) const NO_METHOD: &str = "No method exists with the matching parameters";

/// The overload `inputs` call and its positional XML-RPC arguments, the
/// session key first where the entry takes one.
pub(crate) fn choose<'r>(
    route: &'r Route,
    inputs: &Inputs,
    session_key: Option<&str>,
) -> Option<(&'r Overload, Vec<Value>)> {
    route
        .overloads
        .iter()
        .filter(|o| {
            o.keys.len() == inputs.len() && o.keys.iter().all(|(k, _)| inputs.contains_key(*k))
        })
        .find_map(|o| Some((o, arguments(o, inputs, session_key)?)))
}

fn arguments(
    overload: &Overload,
    inputs: &Inputs,
    session_key: Option<&str>,
) -> Option<Vec<Value>> {
    let entry = overload.entry;
    let mut args = vec![Value::Nil; entry.params.len()];
    if entry.session {
        args[0] = Value::string(session_key.unwrap_or_default());
    }
    for &(key, i) in &overload.keys {
        args[i] = read(&entry.params[i].ty, inputs.get(key)?)?;
    }
    Some(args)
}

fn read(ty: &Type, input: &Input) -> Option<Value> {
    match input {
        Input::Body(json) => convert::to_value(ty, json, None),
        Input::Query(json, text) => convert::to_value(ty, json, Some(text)),
        Input::QueryList(items) => convert::query_array(ty, items),
    }
}

#[cfg(test)]
mod tests {
    use spec::Release;

    use super::super::index::Index;
    use super::super::params::gather;
    use super::*;

    fn call(path: &str, query: &[(&str, &str)], body: &str) -> Option<(String, Vec<Value>)> {
        let index = Index::new(Release::Master);
        let route = index.get(path).unwrap();
        let query = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let inputs = gather(query, body.as_bytes()).unwrap();
        let (o, args) = choose(route, &inputs, Some("1xkey"))?;
        let types: Vec<String> = o.entry.params.iter().map(|p| p.ty.to_string()).collect();
        Some((types.join(","), args))
    }

    #[test]
    fn the_key_set_picks_the_overload() {
        let (types, args) = call(
            "system/schedulePackageInstall",
            &[],
            r#"{"sids": [1, 2], "packageIds": [3], "earliestOccurrence": "2024-05-01T00:00:00"}"#,
        )
        .unwrap();
        assert_eq!(types, "string,array<int>,array<int>,dateTime.iso8601");
        assert_eq!(args[0], Value::string("1xkey"));
        assert_eq!(args[1], Value::Array(vec![Value::Int(1), Value::Int(2)]));
        assert_eq!(args[3], Value::DateTime("20240501T00:00:00".into()));
        let (types, _) = call(
            "system/schedulePackageInstall",
            &[("sid", "7")],
            r#"{"packageIds": [3], "earliestOccurrence": "2024-05-01T00:00:00"}"#,
        )
        .unwrap();
        assert_eq!(types, "string,int,array<int>,dateTime.iso8601");
    }

    #[test]
    fn types_and_extra_keys_rule_out() {
        assert!(call("system/getDetails", &[("sid", "abc")], "").is_none());
        assert!(call("system/getDetails", &[("sid", "1"), ("x", "1")], "").is_none());
        assert!(call("system/getDetails", &[], "").is_none());
        let (_, args) = call("system/getDetails", &[("sid", "1000010001")], "").unwrap();
        assert_eq!(args[1], Value::Int(1_000_010_001));
        let (_, args) = call("system/getDetails", &[], r#"{"sid": "12"}"#).unwrap();
        assert_eq!(args[1], Value::Int(12));
    }

    #[test]
    fn repeated_query_keys_are_arrays() {
        let (_, args) = call(
            "system/listActiveSystemsDetails",
            &[("sids", "1"), ("sids", "2")],
            "",
        )
        .unwrap();
        assert_eq!(args[1], Value::Array(vec![Value::Int(1), Value::Int(2)]));
    }
}
