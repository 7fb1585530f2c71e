//! The session cookie, `pxt-session-cookie`, holding a cluster session key.
//!
//! The cookie's value *is* the key `auth.login` answers over XML-RPC, kept
//! in the same session store: a session opened over XML-RPC works as the
//! cookie and a cookie's value works as an XML-RPC session key.
//!
//! - `POST auth/login` with `{"login": ..., "password": ...}` (`username`
//!   works for `login`, as on the server; `duration` in seconds is taken as
//!   `auth.login`'s third argument) logs in over the cluster and sets the
//!   cookie: `200 {"success":true}`. Refused credentials: `401
//!   {"success":false,"message":...}`. A body that is no JSON object: 400,
//!   empty.
//! - `GET auth/logout` ends the session and clears the cookie.
//! - Every other call needs the cookie of a live session (else 401 with an
//!   empty body), except `api/getVersion` and `api/systemVersion`.
//!
//! The cookie is `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` when the
//! gateway serves TLS.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use director::store::StoreError;
use spec::Type;
use xmlrpc::{MethodCall, Value};

use super::envelope::{self, Outcome};
use super::{RestApi, convert};
use crate::state::Gateway;

/// The cookie's name, as the server's.
pub const COOKIE: &str = "pxt-session-cookie";

/// The key of the first `pxt-session-cookie` that names a live session.
pub(crate) async fn current(
    gw: &Gateway,
    headers: &HeaderMap,
) -> Result<Option<String>, StoreError> {
    for value in cookie_values(headers) {
        if spec::is_session_key(value) && gw.directory().sessions().lookup(value).await?.is_some() {
            return Ok(Some(value.to_owned()));
        }
    }
    Ok(None)
}

/// Every value of a `pxt-session-cookie` in the `Cookie` headers.
fn cookie_values(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().trim_matches('"'))
}

/// `POST auth/login`.
pub(crate) async fn login(api: &RestApi, body: &Bytes) -> Response {
    let Ok(serde_json::Value::Object(credentials)) = serde_json::from_slice(body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let text = |key: &str| convert::to_value(&Type::String, credentials.get(key)?, None);
    let (Some(user), Some(password)) =
        (text("login").or_else(|| text("username")), text("password"))
    else {
        return refused("Either the password or username is incorrect.");
    };
    let mut params = vec![user, password];
    if let Some(duration) = credentials.get("duration")
        && let Some(duration) = convert::to_value(&Type::Int, duration, None)
    {
        params.push(duration);
    }
    let call = MethodCall {
        name: "auth.login".to_owned(),
        params,
    };
    match api.gw.call(call).await {
        Ok(Value::String(key)) => {
            let mut response = envelope::json_response(StatusCode::OK, &Outcome::OK);
            if let Ok(cookie) = HeaderValue::from_str(&set_cookie(&key, api.secure_cookie)) {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Ok(_) => refused("Either the password or username is incorrect."),
        Err(fault) => refused(envelope::message(&fault.string)),
    }
}

fn refused(message: &str) -> Response {
    envelope::json_response(StatusCode::UNAUTHORIZED, &Outcome::failed(message))
}

/// `GET auth/logout` with the live session `key`.
pub(crate) async fn logout(api: &RestApi, key: &str) -> Response {
    let call = MethodCall {
        name: "auth.logout".to_owned(),
        params: vec![Value::string(key)],
    };
    let mut response = match api.gw.call(call).await {
        Ok(_) => envelope::json_response(StatusCode::OK, &Outcome::OK),
        Err(fault) => envelope::fault(&fault),
    };
    if let Ok(cookie) = HeaderValue::from_str(&clear_cookie(api.secure_cookie)) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

fn attributes(secure: bool) -> &'static str {
    if secure {
        "; Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "; Path=/; HttpOnly; SameSite=Lax"
    }
}

fn set_cookie(key: &str, secure: bool) -> String {
    format!("{COOKIE}={key}{}", attributes(secure))
}

fn clear_cookie(secure: bool) -> String {
    format!("{COOKIE}=; Max-Age=0{}", attributes(secure))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=b; pxt-session-cookie=1x2"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("pxt-session-cookie=\"3x4\""),
        );
        let values: Vec<&str> = cookie_values(&headers).collect();
        assert_eq!(values, ["1x2", "3x4"]);
    }

    #[test]
    fn cookie_attributes() {
        assert_eq!(
            set_cookie("1xab", false),
            "pxt-session-cookie=1xab; Path=/; HttpOnly; SameSite=Lax"
        );
        assert!(set_cookie("1xab", true).ends_with("; Secure"));
        assert!(clear_cookie(false).starts_with("pxt-session-cookie=; Max-Age=0"));
    }
}
