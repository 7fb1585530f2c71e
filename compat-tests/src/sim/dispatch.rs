//! `/rpc/api`: parse, dispatch as the server does, answer.
//!
//! The order of checks follows the real server's dispatcher: the namespace
//! must exist; a first argument shaped like a session key is looked up
//! (unknown or expired: `LookupException`) before the method is; then the
//! overload is chosen by argument count and types from the spec, with the
//! server's exact faults when none fits.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use xmlrpc::{Fault, MethodCall, MethodResponse, Value};

use super::handlers::{self, Call};
use super::session::SessionError;
use super::{Node, faults};

/// `POST /rpc/api`.
pub(crate) async fn rpc(State(node): State<Arc<Node>>, body: Bytes) -> Response {
    // Large answers (50,000 systems) take milliseconds of CPU: keep them off
    // the I/O threads.
    let answer = tokio::task::spawn_blocking(move || {
        let limits = node.config().limits;
        match xmlrpc::parse_call(&body, &limits) {
            Ok(mut call) => {
                call.trim_string_params();
                match node.call(&call) {
                    Ok(value) => xmlrpc::encode_response(&value),
                    Err(fault) => xmlrpc::encode_fault(&fault),
                }
            }
            Err(err) => xmlrpc::encode_fault(&err.to_fault()),
        }
    })
    .await;
    match answer {
        Ok(xml) => ([(header::CONTENT_TYPE, "text/xml")], xml).into_response(),
        Err(_) => {
            let fault = faults::internal("the request handler failed");
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/xml")],
                xmlrpc::encode_fault(&fault),
            )
                .into_response()
        }
    }
}

/// `GET /rpc/api`: the server redirects browsers (302) to its API
/// documentation.
pub(crate) async fn redirect_to_docs() -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, "/rhn/apidoc/index.jsp")],
    )
        .into_response()
}

/// Answers one call, unpacking `system.multicall`.
pub(crate) fn call(node: &Node, call: &MethodCall) -> MethodResponse {
    if call.name == "system.multicall" {
        let calls = xmlrpc::multicall::split(&call.params)?;
        let results = calls
            .into_iter()
            .map(|inner| inner.and_then(|c| call_one(node, &c.name, &c.params)))
            .collect();
        return Ok(xmlrpc::multicall::join(results));
    }
    call_one(node, &call.name, &call.params)
}

fn call_one(node: &Node, name: &str, params: &[Value]) -> MethodResponse {
    let spec = spec::spec();
    let namespace = name.rsplit_once('.').map_or("", |(ns, _)| ns);
    let release = node.config().release;
    let Some(handler) = spec
        .namespace(namespace)
        .filter(|ns| ns.in_release(release))
    else {
        return Err(Fault::new(-1, "The specified handler cannot be found"));
    };
    let mut user = None;
    if let Some(Value::String(key)) = params.first()
        && spec::is_session_key(key)
        && handler.converts_session_key()
    {
        match node.sessions().touch(key) {
            Ok(id) => user = Some(id),
            Err(SessionError::NotFound(id)) => return Err(faults::no_session(&id)),
        }
    }
    let entry = spec
        .resolve_in(release, name, params)
        .map_err(|e| e.fault())?;
    handlers::call(
        node,
        &Call {
            entry,
            params,
            user,
        },
    )
}
