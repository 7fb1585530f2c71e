//! One request to `/rhn/manager/api/...`, in the server's order:
//!
//! 1. `auth/login` (POST) is answered by [`session::login`].
//! 2. Outside `api/getVersion` and `api/systemVersion`, the cookie must name
//!    a live session: else 401 with an empty body.
//! 3. An unknown path: 404. The other verb: 405 with `Allow`.
//! 4. `auth/logout` is answered by [`session::logout`].
//! 5. Query and body merged ([`params`]); unreadable: 400 with the reason.
//! 6. The overload by key set and types ([`overload`]); none: 400
//!    `No method exists with the matching parameters`.
//! 7. The call goes through [`Gateway::call`](crate::Gateway::call), as an
//!    XML-RPC call would; the answer in the envelope ([`envelope`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use spec::HttpVerb;
use tracing::Instrument;
use xmlrpc::MethodCall;

use super::{PREFIX, RestApi, envelope, overload, params, session};

/// Paths answered without a session.
const PUBLIC: [&str; 2] = ["api/getVersion", "api/systemVersion"];

/// Answers one request below [`PREFIX`].
pub(crate) async fn call(
    State(api): State<Arc<RestApi>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let path = uri
        .path()
        .strip_prefix(PREFIX)
        .unwrap_or_default()
        .to_owned();
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let span = tracing::info_span!("rest", request_id = %request_id, path = %path);
    respond(&api, &path, method, &uri, &headers, body)
        .instrument(span)
        .await
}

async fn respond(
    api: &RestApi,
    path: &str,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            tracing::info!(status = %rejection.status(), "request body refused");
            return rejection.status().into_response();
        }
    };
    if path == "auth/login" {
        return match method {
            Method::POST => session::login(api, &body).await,
            _ => not_allowed(HttpVerb::Post),
        };
    }
    let key = if PUBLIC.contains(&path) {
        None
    } else {
        match session::current(&api.gw, headers).await {
            Ok(Some(key)) => Some(key),
            Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
            Err(e) => {
                tracing::error!(cause = %e, "session lookup failed");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
    };
    let Some(route) = api.index.get(path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let allowed = match route.verb {
        HttpVerb::Get => Method::GET,
        HttpVerb::Post => Method::POST,
    };
    if method != allowed {
        return not_allowed(route.verb);
    }
    if path == "auth/logout" {
        return session::logout(api, key.as_deref().unwrap_or_default()).await;
    }
    let query = match Query::<Vec<(String, String)>>::try_from_uri(uri) {
        Ok(Query(pairs)) => pairs,
        Err(_) => return envelope::bad_request("The query string is not valid"),
    };
    let inputs = match params::gather(query, &body) {
        Ok(inputs) => inputs,
        Err(e) => return envelope::bad_request(&e.to_string()),
    };
    drop(body);
    let Some((overload, args)) = overload::choose(route, &inputs, key.as_deref()) else {
        tracing::debug!(method = %route.full_name(), "no overload takes these parameters");
        return envelope::bad_request(overload::NO_METHOD);
    };
    let call = MethodCall {
        name: overload.entry.full_name(),
        params: args,
    };
    let answer = api.gw.call(call).await;
    if let Err(f) = &answer {
        tracing::debug!(code = f.code, "answered a fault");
    }
    envelope::answer(answer).await
}

fn not_allowed(verb: HttpVerb) -> Response {
    let allow = match verb {
        HttpVerb::Get => "GET",
        HttpVerb::Post => "POST",
    };
    (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, allow)]).into_response()
}
