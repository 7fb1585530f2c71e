//! The HTTP (JSON) API in SUSE Manager's shape, generated from the spec,
//! with its OpenAPI 3.1 document and Swagger UI.
//!
//! | path | what |
//! |---|---|
//! | `/rhn/manager/api/<namespace as path>/<method>` | every method name of the presented release, `GET` or `POST` as the spec says ([`handler`]) |
//! | `/rhn/manager/api/auth/login`, `.../auth/logout` | the session cookie `pxt-session-cookie` ([`session`]) |
//! | `/openapi.json` | the generated OpenAPI 3.1 document ([`openapi`]) |
//! | `/docs` | Swagger UI from vendored assets ([`docs`]) |
//!
//! A call goes through [`Gateway::call`] exactly as an XML-RPC call does:
//! the same routing, id translation and cluster sessions (the cookie holds
//! the cluster session key). The pieces: the routes from the spec
//! ([`index`]), query and body merged ([`params`]), the overload by key set
//! ([`overload`]), JSON and XML-RPC values by the spec's types
//! ([`convert`], dates in [`datetime`]), and the answer envelope
//! ([`envelope`]).

mod convert;
mod datetime;
mod docs;
mod envelope;
mod handler;
mod index;
mod openapi;
mod overload;
mod params;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::routing::{any, get};
use spec::Release;

pub use docs::{DOCS_PATH, OPENAPI_PATH};
pub use session::COOKIE;

use crate::state::Gateway;

/// The prefix of every API path.
pub const PREFIX: &str = "/rhn/manager/api/";

/// What the handlers share.
#[derive(Debug)]
pub(crate) struct RestApi {
    gw: Arc<Gateway>,
    index: index::Index,
    /// `/openapi.json`, encoded once.
    document: Bytes,
    /// Whether the cookie gets `Secure` (the gateway serves TLS).
    secure_cookie: bool,
}

/// The routes of the HTTP API, `/openapi.json` and `/docs` for `gateway`.
pub fn routes<S>(gateway: Arc<Gateway>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let index = index::Index::new(gateway.release());
    let document = openapi::document(&index, gateway.release());
    let api = RestApi {
        secure_cookie: gateway.config().tls.is_some(),
        gw: gateway,
        index,
        document: Bytes::from(document.to_string()),
    };
    Router::new()
        .route(&format!("{PREFIX}{{*path}}"), any(handler::call))
        .route(OPENAPI_PATH, get(docs::openapi_json))
        .with_state(Arc::new(api))
        .merge(docs::swagger_ui())
}

/// The OpenAPI document of the HTTP API of a gateway presenting `release`.
pub fn openapi_document(release: Release) -> serde_json::Value {
    openapi::document(&index::Index::new(release), release)
}
