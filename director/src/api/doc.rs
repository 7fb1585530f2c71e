//! The OpenAPI 3.1 document of the director's HTTP API.
//!
//! Paths and schemas come from the handlers' `#[utoipa::path]` attributes
//! (collected by `utoipa-axum` as the router is built). [`finish`] then adds
//! what follows from where a route is mounted, so the document cannot
//! disagree with the router: the bearer scheme each path prefix requires,
//! and the 401/413/422/503 answers every authenticated route may give.

use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};

use super::error::ErrorBody;

/// Security scheme of the admin API (`/api/v1`).
pub const ADMIN_SCHEME: &str = "admin_token";
/// Security scheme of the client-agent API (`/client/v1`).
pub const CLIENT_SCHEME: &str = "client_token";
/// Security scheme of the node-agent API (`/node/v1`).
pub const NODE_SCHEME: &str = "node_token";
/// Security scheme of the gateway API (`/gateway/v1`).
pub const GATEWAY_SCHEME: &str = "gateway_token";
/// Security scheme of `/metrics`.
pub const METRICS_SCHEME: &str = "metrics_token";

/// The document's fixed part: title, tags, shared schemas.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Cluster director",
        description = "The brain of a cluster of SUSE Manager / Uyuni servers: zones, nodes, \
            client placement, moves, drains and rebalances. Four APIs with their own bearer \
            tokens: admin (`/api/v1`), client agents (`/client/v1`), node agents (`/node/v1`) \
            and gateways (`/gateway/v1`). \
            Every error answers `{\"error\": \"...\"}`."
    ),
    tags(
        (name = "zones", description = "Zones: groups of nodes sharing the same data"),
        (name = "nodes", description = "Nodes and their lifecycle: cordon, drain, removal"),
        (name = "clients", description = "Managed client systems"),
        (name = "placement", description = "Where a system lives"),
        (name = "rebalance", description = "Rebalancing clients across nodes"),
        (name = "operations", description = "Drains, rebalances, disaster recoveries and their moves"),
        (name = "status", description = "The cluster at a glance; liveness"),
        (name = "client-agent", description = "API of the client agents (client token)"),
        (name = "node-agent", description = "API of the node agents (node token)"),
        (name = "gateway", description = "API of gateways running apart: the store, placement (gateway token)"),
    ),
    components(schemas(ErrorBody))
)]
pub(crate) struct ApiDoc;

/// The security scheme a path requires, by its prefix.
fn scheme_of(path: &str) -> Option<&'static str> {
    if path.starts_with("/api/v1/") {
        Some(ADMIN_SCHEME)
    } else if path.starts_with("/client/v1/") {
        Some(CLIENT_SCHEME)
    } else if path.starts_with("/node/v1/") {
        Some(NODE_SCHEME)
    } else if path.starts_with("/gateway/v1/") {
        Some(GATEWAY_SCHEME)
    } else if path == "/metrics" {
        Some(METRICS_SCHEME)
    } else {
        None
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

fn bearer(description: &str) -> SecurityScheme {
    SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(description))
            .build(),
    )
}

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorBody"))),
        )
        .into()
}

/// Adds the security schemes and the answers shared by every
/// authenticated route.
pub(crate) fn finish(api: &mut utoipa::openapi::OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(ADMIN_SCHEME, bearer("The admin token"));
    components.add_security_scheme(CLIENT_SCHEME, bearer("The client-agent token"));
    components.add_security_scheme(NODE_SCHEME, bearer("The node-agent token"));
    components.add_security_scheme(GATEWAY_SCHEME, bearer("The gateway token"));
    components.add_security_scheme(METRICS_SCHEME, bearer("The metrics token"));
    let shared = [
        (
            "Unauthorized",
            "Missing or invalid bearer token for this API",
        ),
        (
            "BadBody",
            "The request body is not JSON of the expected shape",
        ),
        ("TooLarge", "The request body exceeds the size limit"),
        (
            "Unavailable",
            "The director cannot reach its store or bus; try again later",
        ),
    ];
    for (name, description) in shared {
        components
            .responses
            .insert(name.to_owned(), error_response(description));
    }
    for (path, item) in api.paths.paths.iter_mut() {
        let Some(scheme) = scheme_of(path) else {
            continue;
        };
        for op in operations(item) {
            op.security = Some(vec![SecurityRequirement::new(scheme, Vec::<String>::new())]);
            let mut add = |status: &str, name: &str| {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
            };
            add("401", "Unauthorized");
            add("503", "Unavailable");
            if op.request_body.is_some() {
                add("413", "TooLarge");
                add("422", "BadBody");
            }
        }
    }
}
