//! Request extractors whose rejections go through [`ApiError`]: JSON
//! bodies, query strings and path parameters.
//!
//! Parse errors are described by what was expected and where, never by
//! what was sent: a request body may carry a password, and serde's
//! messages quote the offending value.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON request body. An empty body reads as `null`, so an
/// `ApiJson<Option<T>>` makes the body optional.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge
            } else {
                ApiError::BadRequest("could not read the request body".into())
            }
        })?;
        let text: &[u8] = if body.trim_ascii().is_empty() {
            b"null"
        } else {
            &body
        };
        serde_json::from_slice(text)
            .map(ApiJson)
            .map_err(json_error)
    }
}

/// Describes a JSON parse failure without its input.
fn json_error(e: serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let at = format!("line {} column {}", e.line(), e.column());
    match e.classify() {
        Category::Syntax | Category::Io => {
            ApiError::BadRequest(format!("request body is not valid JSON ({at})"))
        }
        Category::Eof => ApiError::BadRequest(format!("request body ends too early ({at})")),
        Category::Data => {
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(&*message, |(m, _)| m);
            ApiError::Unprocessable(format!(
                "request body does not match the expected schema: {} ({at})",
                describe_data_error(message)
            ))
        }
    }
}

/// The part of a serde data error that names no input value: what kind of
/// error and what was expected. Values are quoted in serde's messages
/// (`"..."` or `` `...` ``), so the text from the first quote up to the
/// final `, expected ...` is dropped; field names in `missing field` and
/// `duplicate field` come from the schema and are kept.
pub(crate) fn describe_data_error(message: &str) -> String {
    if message.starts_with("missing field") || message.starts_with("duplicate field") {
        return message.to_owned();
    }
    let Some(quote) = message.find(['"', '`']) else {
        return message.to_owned();
    };
    let kind = message[..quote].trim_end().trim_end_matches(':');
    match message[quote..].rsplit_once(", expected ") {
        Some((_, expected)) => format!("{kind}, expected {expected}"),
        None => kind.to_owned(),
    }
}

/// A query string.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::try_from_uri(&parts.uri) {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            // Query strings travel in URLs (and so in logs): unlike bodies,
            // they carry no secrets, and their errors are shown whole.
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                let text = e.body_text();
                let text = text
                    .split_once(": ")
                    .map_or(text.as_str(), |(_, rest)| rest);
                Err(ApiError::BadRequest(format!(
                    "invalid query string: {text}"
                )))
            }
            Err(_) => Err(ApiError::BadRequest("invalid query string".into())),
        }
    }
}

/// Path parameters.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let message = match e.kind() {
                    ErrorKind::ParseErrorAtKey {
                        key, expected_type, ..
                    } => format!("invalid path parameter {key}: expected {expected_type}"),
                    ErrorKind::ParseError { expected_type, .. }
                    | ErrorKind::ParseErrorAtIndex { expected_type, .. } => {
                        format!("invalid path parameter: expected {expected_type}")
                    }
                    _ => "invalid path parameter".to_owned(),
                };
                Err(ApiError::BadRequest(message))
            }
            Err(_) => Err(ApiError::BadRequest("invalid path parameter".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::describe_data_error;

    #[test]
    fn values_are_dropped_from_data_errors() {
        assert_eq!(
            describe_data_error("invalid type: string \"hunter2\", expected u64"),
            "invalid type: string, expected u64"
        );
        assert_eq!(
            describe_data_error("unknown field `password`, expected one of `a`, `b`"),
            "unknown field, expected one of `a`, `b`"
        );
        assert_eq!(
            describe_data_error("unknown variant `hunter2, expected x`, expected `done`"),
            "unknown variant, expected `done`"
        );
        assert_eq!(
            describe_data_error("missing field `minion_id`"),
            "missing field `minion_id`"
        );
        assert_eq!(
            describe_data_error("invalid value: string \"x\""),
            "invalid value: string"
        );
    }
}
