//! The director's HTTP API: an axum [`Router`] over a [`Director`], with
//! its OpenAPI 3.1 document at `/openapi.json` and Swagger UI at `/docs`.
//!
//! | prefix | who | token |
//! |---|---|---|
//! | `/api/v1` | operators, the `director` CLI | admin |
//! | `/client/v1` | client agents | client |
//! | `/node/v1` | node agents (HTTP alternative to the bus) | node |
//! | `/gateway/v1` | gateways running as processes of their own: the store, placement | gateway |
//! | `/metrics` | a Prometheus scraper | metrics |
//! | `/healthz`, `/openapi.json`, `/docs` | anyone | none |
//!
//! Each API checks its own bearer token ([`auth`]); one token never opens
//! another API. Failures become responses in one place ([`error`]), and
//! request bodies are parsed by extractors that never echo them
//! ([`extract`]). One module per resource holds its handlers.

pub mod auth;
mod client_agent;
mod clients;
mod doc;
pub mod error;
pub mod extract;
mod gateway_agent;
pub mod metrics;
mod node_agent;
mod nodes;
mod operations;
mod placement;
mod rebalance;
mod status;
mod trace;
mod zones;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

pub use auth::{ApiToken, ApiTokens};
pub use client_agent::{AssignmentQuery, MoveReport};
pub use clients::{ClientQuery, DEFAULT_PAGE, MAX_PAGE};
pub use doc::{ADMIN_SCHEME, CLIENT_SCHEME, GATEWAY_SCHEME, METRICS_SCHEME, NODE_SCHEME};
pub use error::{ApiError, ErrorBody};
pub use nodes::{DrainRequest, ForgetFollows, ForgetMissed};
pub use operations::MoveQuery;
pub use placement::PlacementInfo;
pub use trace::REQUEST_ID;
pub use zones::ZoneUpdate;

use crate::cluster::Director;
use auth::{Guard, require_token};

/// Largest request body accepted by default: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// How the router treats requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouterOptions {
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub body_limit: usize,
}

impl Default for RouterOptions {
    fn default() -> RouterOptions {
        RouterOptions {
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

/// The API routes with each group behind its token, and the document.
fn routes(tokens: ApiTokens) -> (Router<Arc<Director>>, utoipa::openapi::OpenApi) {
    let admin = OpenApiRouter::new()
        .merge(zones::routes())
        .merge(nodes::routes())
        .merge(clients::routes())
        .merge(placement::routes())
        .merge(rebalance::routes())
        .merge(operations::routes())
        .merge(status::routes())
        .route_layer(from_fn_with_state(
            Guard::new("admin", tokens.admin),
            require_token,
        ));
    let client = client_agent::routes().route_layer(from_fn_with_state(
        Guard::new("client", tokens.client),
        require_token,
    ));
    let node = node_agent::routes().route_layer(from_fn_with_state(
        Guard::new("node", tokens.node),
        require_token,
    ));
    let gateway = gateway_agent::routes().route_layer(from_fn_with_state(
        Guard::new("gateway", tokens.gateway),
        require_token,
    ));
    let metrics = metrics::routes().route_layer(from_fn_with_state(
        Guard::new("metrics", tokens.metrics),
        require_token,
    ));
    let (router, mut api) = OpenApiRouter::with_openapi(doc::ApiDoc::openapi())
        .merge(admin)
        .merge(client)
        .merge(node)
        .merge(gateway)
        .merge(metrics)
        .merge(status::health_routes())
        .split_for_parts();
    doc::finish(&mut api);
    (router, api)
}

/// The OpenAPI document of the API, as served at `/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes(ApiTokens::default()).1
}

/// The whole HTTP face of `director` with default [`RouterOptions`].
pub fn router(director: Arc<Director>, tokens: ApiTokens) -> Router {
    router_with(director, tokens, RouterOptions::default())
}

/// The whole HTTP face of `director`: the three APIs, `/healthz`,
/// `/metrics`, the OpenAPI document and Swagger UI, with body limit and
/// request tracing.
pub fn router_with(director: Arc<Director>, tokens: ApiTokens, options: RouterOptions) -> Router {
    let (api_routes, api) = routes(tokens);
    let router = api_routes
        .with_state(director)
        .merge(SwaggerUi::new("/docs").url("/openapi.json", api))
        .fallback(error::no_route)
        .layer(DefaultBodyLimit::max(options.body_limit));
    trace::traced(router)
}
