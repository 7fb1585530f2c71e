//! The OpenAPI 3.1 document of the HTTP API, generated from the spec: a
//! path per method name of the presented release with its verb, the query
//! parameters (`GET`) or JSON body (`POST`, one `oneOf` alternative per
//! overload) with their types, the result in the envelope with the known
//! fields of returned structs, the cookie security scheme
//! `pxt-session-cookie`, and a tag per namespace. `auth/login` and
//! `auth/logout` are described as the gateway answers them.

mod operation;
mod schema;

use serde_json::{Map, Value as Json, json};
use spec::Release;

use super::PREFIX;
use super::index::Index;
use super::session::COOKIE;

/// The document for the routes of `index` (of `release`).
pub(crate) fn document(index: &Index, release: Release) -> Json {
    let mut paths = Map::new();
    let mut tags: Vec<Json> = Vec::new();
    for (path, route) in index.iter() {
        let item = match path {
            "auth/login" => json!({"post": login()}),
            "auth/logout" => json!({"get": logout()}),
            _ => {
                let verb = match route.verb {
                    spec::HttpVerb::Get => "get",
                    spec::HttpVerb::Post => "post",
                };
                json!({verb: operation::operation(route)})
            }
        };
        paths.insert(format!("{PREFIX}{path}"), item);
        if !tags.iter().any(|t| t["name"] == route.namespace) {
            tags.push(tag(route.namespace));
        }
    }
    tags.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "SUSE Manager API (cluster gateway)",
            "version": format!("{} (gateway {})", release.label(), env!("CARGO_PKG_VERSION")),
            "description": DESCRIPTION,
        },
        "tags": tags,
        "paths": paths,
        "components": components(),
        "security": [{COOKIE: []}],
    })
}

const DESCRIPTION: &str = "The SUSE Manager (Uyuni) HTTP API of a whole cluster of nodes: one \
    SUSE Manager over many, with the same sessions, routing and system ids as the XML-RPC API \
    at `/rpc/api`.\n\n\
    Log in first with `POST /rhn/manager/api/auth/login` (`{\"login\": ..., \"password\": ...}`): \
    it sets the cookie `pxt-session-cookie`, which the browser then sends with every call (in \
    Swagger UI too). The cookie's value is an XML-RPC session key and any XML-RPC session key \
    works as the cookie. Without a live session every call but `api/getVersion` and \
    `api/systemVersion` answers 401 with an empty body.\n\n\
    Parameters come from the query string and a JSON object body, merged (the body wins); query \
    values are read as JSON literals, else as strings, and a repeated key is an array. The set \
    of keys chooses the overload; when none takes them: 400 `No method exists with the matching \
    parameters`. Every answer is `200 {\"success\":true,\"result\":...}`, a fault also 200 with \
    `{\"success\":false,\"message\":...}`. Dates are ISO-8601.";

fn tag(namespace: &str) -> Json {
    let handler = spec::spec()
        .namespace(namespace)
        .map(|ns| ns.handler_simple_name().to_owned())
        .unwrap_or_default();
    json!({"name": namespace, "description": handler})
}

fn components() -> Json {
    json!({
        "securitySchemes": {
            COOKIE: {
                "type": "apiKey",
                "in": "cookie",
                "name": COOKIE,
                "description": "The session cookie set by `auth/login`. Browsers do not let a page \
                    set it by hand: call `auth/login` (Try it out) and the browser keeps and sends it.",
            },
        },
        "responses": {
            "Unauthorized": {"description": "No live session cookie (empty body)"},
            "BadRequest": {
                "description": "No overload takes the parameters given, or they could not be read",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
        },
        "schemas": {
            "LoginRequest": {
                "type": "object",
                "properties": {
                    "login": {"type": "string", "description": "The user name (`username` works too)"},
                    "password": {"type": "string"},
                    "duration": {"type": "integer", "format": "int32", "description": "Session lifetime in seconds"},
                },
                "required": ["login", "password"],
            },
            "LoginResult": {
                "type": "object",
                "properties": {
                    "success": {"type": "boolean"},
                    "message": {"type": "string"},
                },
                "required": ["success"],
            },
        },
    })
}

fn login() -> Json {
    json!({
        "tags": ["auth"],
        "operationId": "auth.login",
        "summary": "Log in: sets the session cookie",
        "description": "Logs into every node of the cluster and sets `pxt-session-cookie`.",
        "security": [],
        "requestBody": {
            "required": true,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LoginRequest"}}},
        },
        "responses": {
            "200": {
                "description": "Logged in",
                "headers": {"Set-Cookie": {"description": "`pxt-session-cookie=<key>`", "schema": {"type": "string"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LoginResult"}}},
            },
            "400": {"description": "The body is not a JSON object (empty body)"},
            "401": {
                "description": "The credentials were refused",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LoginResult"}}},
            },
        },
    })
}

fn logout() -> Json {
    json!({
        "tags": ["auth"],
        "operationId": "auth.logout",
        "summary": "Log out: ends the session and clears the cookie",
        "responses": {
            "200": {
                "description": "Logged out",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LoginResult"}}},
            },
            "401": {"$ref": "#/components/responses/Unauthorized"},
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_a_path_with_a_tag() {
        let index = Index::new(Release::Master);
        let doc = document(&index, Release::Master);
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), index.len());
        let tags: Vec<&str> = doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        for item in paths.values() {
            for op in item.as_object().unwrap().values() {
                assert!(tags.contains(&op["tags"][0].as_str().unwrap()));
            }
        }
        let get = &paths["/rhn/manager/api/system/getDetails"]["get"];
        assert_eq!(get["parameters"][0]["name"], json!("sid"));
        assert_eq!(get["parameters"][0]["schema"]["type"], json!("integer"));
        let post = &paths["/rhn/manager/api/system/schedulePackageInstall"]["post"];
        assert_eq!(
            post["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        assert_eq!(
            paths["/rhn/manager/api/api/getVersion"]["get"]["security"],
            json!([])
        );
    }
}
