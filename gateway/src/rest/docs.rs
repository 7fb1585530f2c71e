//! `/openapi.json` (the generated document, encoded once) and Swagger UI at
//! `/docs`, from the assets vendored in `utoipa-swagger-ui`. Swagger UI is
//! served from the gateway's own origin, so "Try it out" reaches the API
//! directly and the browser keeps the cookie `auth/login` sets.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::RestApi;

/// Where the document is served.
pub const OPENAPI_PATH: &str = "/openapi.json";
/// Where Swagger UI is served.
pub const DOCS_PATH: &str = "/docs";

/// `GET /openapi.json`.
pub(crate) async fn openapi_json(State(api): State<Arc<RestApi>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        api.document.clone(),
    )
        .into_response()
}

/// Swagger UI at `/docs`, reading `/openapi.json`.
pub(crate) fn swagger_ui<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let config = Config::new([OPENAPI_PATH])
        .try_it_out_enabled(true)
        .doc_expansion("none")
        .filter(true)
        .display_operation_id(true)
        .display_request_duration(true)
        .with_credentials(true);
    SwaggerUi::new(DOCS_PATH).config(config).into()
}
