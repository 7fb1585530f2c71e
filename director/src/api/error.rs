//! The one place where failures become HTTP responses.
//!
//! Every error body is `{"error": "<message>"}`. Messages say what was
//! wrong with the request in the caller's terms; failures of the store,
//! the bus or the identity map are logged with their cause and answered
//! with a generic 503, so internals never reach a caller. No message
//! carries the request body.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cluster::DirectorError;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: String,
}

/// What an API request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A director operation failed.
    #[error(transparent)]
    Director(#[from] DirectorError),
    /// No valid bearer token for the API.
    #[error("missing or invalid bearer token for the {api} API")]
    Unauthorized {
        /// `admin`, `client` or `node`.
        api: &'static str,
    },
    /// The token is valid but does not reach what the request asks.
    #[error("{0}")]
    Forbidden(String),
    /// The request is malformed (syntax, query string, path parameter).
    #[error("{0}")]
    BadRequest(String),
    /// The request body is well-formed JSON of the wrong shape.
    #[error("{0}")]
    Unprocessable(String),
    /// The request body exceeds the limit.
    #[error("request body too large")]
    TooLarge,
    /// No route matches.
    #[error("no such resource")]
    NoRoute,
}

/// What unavailable backends are told to callers, whatever the cause.
const UNAVAILABLE: &str =
    "the director cannot reach its state store or message bus; try again later";

impl ApiError {
    /// The status and the caller-facing message.
    fn parts(&self) -> (StatusCode, String) {
        match self {
            ApiError::Director(e) => match e {
                DirectorError::NotFound { .. } => (StatusCode::NOT_FOUND, e.to_string()),
                DirectorError::Conflict(m) => (StatusCode::CONFLICT, m.clone()),
                DirectorError::Invalid(m) => (StatusCode::BAD_REQUEST, m.clone()),
                DirectorError::Store(_) | DirectorError::Bus(_) | DirectorError::Identity(_) => {
                    (StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE.to_owned())
                }
            },
            ApiError::Unauthorized { .. } => (StatusCode::UNAUTHORIZED, self.to_string()),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            ApiError::Unprocessable(m) => (StatusCode::UNPROCESSABLE_ENTITY, m.clone()),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, self.to_string()),
            ApiError::NoRoute => (StatusCode::NOT_FOUND, self.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = self.parts();
        if status.is_server_error() {
            // The request span carries the request id, method and path.
            tracing::error!(status = status.as_u16(), cause = %self, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), error = %error, "request refused");
        }
        let mut response = (status, Json(ErrorBody { error })).into_response();
        if let ApiError::Unauthorized { api } = self {
            let challenge = format!("Bearer realm=\"director-{api}\"");
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

/// Fallback for paths no route matches: a JSON 404.
pub(crate) async fn no_route() -> ApiError {
    ApiError::NoRoute
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;

    #[test]
    fn backend_failures_are_generic() {
        let e = ApiError::from(DirectorError::Store(StoreError::Contention {
            key: b"client/secret-minion".to_vec(),
            attempts: 3,
        }));
        let (status, message) = e.parts();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(!message.contains("secret-minion"));
    }

    #[test]
    fn domain_errors_keep_their_message() {
        let e = ApiError::from(DirectorError::Conflict("node n1 already exists".into()));
        assert_eq!(
            e.parts(),
            (StatusCode::CONFLICT, "node n1 already exists".to_owned())
        );
    }
}
