//! One operation of the document: a route of the index with its verb,
//! its parameters (`GET`: in the query; `POST`: a JSON object body, one
//! `oneOf` alternative per overload), the envelope of its result and the
//! answers every call may give.

use serde_json::{Map, Value as Json, json};
use spec::{HttpVerb, RouteClass, Type};

use super::schema;
use crate::rest::index::{Overload, Route};

/// Paths answered without a session.
const PUBLIC: [&str; 2] = ["api.getVersion", "api.systemVersion"];

/// The operation of `route`.
pub(crate) fn operation(route: &Route) -> Json {
    let name = route.full_name();
    let mut op = Map::new();
    op.insert("tags".into(), json!([route.namespace]));
    op.insert("operationId".into(), json!(name));
    op.insert("summary".into(), json!(summary(route)));
    op.insert("description".into(), json!(description(route)));
    if route.overloads.iter().all(|o| o.entry.deprecated) {
        op.insert("deprecated".into(), json!(true));
    }
    match route.verb {
        HttpVerb::Get => {
            let parameters = query_parameters(route);
            if !parameters.is_empty() {
                op.insert("parameters".into(), Json::Array(parameters));
            }
        }
        HttpVerb::Post => {
            if let Some(body) = request_body(route) {
                op.insert("requestBody".into(), body);
            }
        }
    }
    let result = schema::any_of(
        route
            .overloads
            .iter()
            .map(|o| schema::result(o.entry))
            .collect(),
    );
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json!({
            "description": "The envelope: `{\"success\":true,\"result\":...}`, or for a fault \
                `{\"success\":false,\"message\":...}`",
            "content": {"application/json": {"schema": schema::envelope(result)}},
        }),
    );
    responses.insert(
        "400".into(),
        json!({"$ref": "#/components/responses/BadRequest"}),
    );
    if PUBLIC.contains(&name.as_str()) {
        op.insert("security".into(), json!([]));
    } else {
        responses.insert(
            "401".into(),
            json!({"$ref": "#/components/responses/Unauthorized"}),
        );
    }
    op.insert("responses".into(), Json::Object(responses));
    Json::Object(op)
}

/// `ns.method: a list of <name>` or `ns.method: <name>` where the spec
/// names the result.
fn summary(route: &Route) -> String {
    let first = route.overloads[0].entry;
    match (&first.returns, &first.returns_name) {
        (Type::Array(_), Some(name)) => format!("{}: a list of {name}", route.full_name()),
        (_, Some(name)) => format!("{}: {name}", route.full_name()),
        (_, None) => route.full_name(),
    }
}

/// The overloads, each with its keys and types, and the routing class.
fn description(route: &Route) -> String {
    let mut text = String::new();
    if route.overloads.len() > 1 {
        text.push_str("Overloads: the set of keys given chooses one.\n\n");
    }
    for o in &route.overloads {
        let keys: Vec<String> = o
            .keys
            .iter()
            .map(|&(k, i)| format!("`{k}` ({})", o.entry.params[i].ty))
            .collect();
        let keys = if keys.is_empty() {
            "no parameters".to_owned()
        } else {
            keys.join(", ")
        };
        let mut line = format!("- {keys}; returns `{}`", o.entry.returns);
        if let Some(since) = &o.entry.since {
            line.push_str(&format!("; since API {since}"));
        }
        if o.entry.deprecated {
            line.push_str("; deprecated");
        }
        text.push_str(&line);
        text.push('\n');
    }
    let class = route.overloads[0].entry.route.class;
    text.push_str(&format!("\nCluster routing: {}.", routing(class)));
    text
}

fn routing(class: RouteClass) -> &'static str {
    match class {
        RouteClass::Gateway => "answered by the gateway",
        RouteClass::System => "sent to the node owning the system",
        RouteClass::Action => "sent to the node owning the action",
        RouteClass::Fanout => "every node is asked; the answers are merged",
        RouteClass::SharedRead => "one healthy node of the zone answers",
        RouteClass::Broadcast => "applied on every node",
        RouteClass::Placement => "the node chosen for the new system",
    }
}

/// Every key of every overload with the types it takes there, in order of
/// first appearance.
fn keys(route: &Route) -> Vec<(&str, Vec<&Type>)> {
    let mut keys: Vec<(&str, Vec<&Type>)> = Vec::new();
    for o in &route.overloads {
        for &(key, i) in &o.keys {
            let ty = &o.entry.params[i].ty;
            match keys.iter_mut().find(|(k, _)| *k == key) {
                Some((_, types)) if !types.contains(&ty) => types.push(ty),
                Some(_) => {}
                None => keys.push((key, vec![ty])),
            }
        }
    }
    keys
}

fn in_every(route: &Route, key: &str) -> bool {
    route
        .overloads
        .iter()
        .all(|o| o.keys.iter().any(|(k, _)| *k == key))
}

fn query_parameters(route: &Route) -> Vec<Json> {
    keys(route)
        .into_iter()
        .map(|(key, types)| {
            let value = schema::any_of(types.iter().map(|t| schema::input(t)).collect());
            let mut p = json!({"name": key, "in": "query", "required": in_every(route, key)});
            if types.iter().any(|t| **t == Type::Struct) {
                p["content"] = json!({"application/json": {"schema": value}});
                p["description"] = json!("A JSON object");
            } else {
                if types.iter().any(|t| matches!(t, Type::Array(_))) {
                    p["style"] = json!("form");
                    p["explode"] = json!(true);
                    p["description"] = json!("An array: the key repeated, once per element");
                }
                p["schema"] = value;
            }
            p
        })
        .collect()
}

fn body_schema(o: &Overload) -> Json {
    let properties: Map<String, Json> = o
        .keys
        .iter()
        .map(|&(k, i)| (k.to_owned(), schema::input(&o.entry.params[i].ty)))
        .collect();
    let required: Vec<&str> = o.keys.iter().map(|&(k, _)| k).collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn request_body(route: &Route) -> Option<Json> {
    if route.overloads.iter().all(|o| o.keys.is_empty()) {
        return None;
    }
    let mut alternatives: Vec<Json> = route.overloads.iter().map(body_schema).collect();
    let schema = match alternatives.len() {
        1 => alternatives.remove(0),
        _ => json!({"oneOf": alternatives}),
    };
    Some(json!({
        "required": route.overloads.iter().all(|o| !o.keys.is_empty()),
        "content": {"application/json": {"schema": schema}},
    }))
}
