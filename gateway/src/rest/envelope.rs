//! The answer envelope: `200 {"success":true,"result":...}`, and for a fault
//! also 200, `{"success":false,"message":...}` with the fault's text (no
//! code), without the `redstone.xmlrpc.XmlRpcFault: ` prefix that only the
//! XML-RPC face adds.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use xmlrpc::{Fault, MethodResponse, Value};

use super::convert::JsonValue;

/// Answers larger than this many items are encoded off the I/O threads.
const LARGE_ANSWER: usize = 1000;

const XMLRPC_PREFIX: &str = "redstone.xmlrpc.XmlRpcFault: ";

#[derive(Serialize)]
struct Success<'a> {
    success: bool,
    result: JsonValue<'a>,
}

/// `{"success":false,"message":...}`, and `{"success":true}` without one
/// (the answers of `auth/login` and `auth/logout`).
#[derive(Debug, Serialize)]
pub(crate) struct Outcome<'a> {
    success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

impl<'a> Outcome<'a> {
    /// `{"success":true}`.
    pub(crate) const OK: Outcome<'static> = Outcome {
        success: true,
        message: None,
    };

    /// `{"success":false,"message":...}`.
    pub(crate) fn failed(message: &'a str) -> Outcome<'a> {
        Outcome {
            success: false,
            message: Some(message),
        }
    }
}

/// The envelope of an answer.
pub(crate) async fn answer(answer: MethodResponse) -> Response {
    match answer {
        Ok(value) if matches!(&value, Value::Array(items) if items.len() > LARGE_ANSWER) => {
            match tokio::task::spawn_blocking(move || success_body(&value)).await {
                Ok(body) => json_bytes(StatusCode::OK, body),
                Err(_) => fault(&Fault::new(
                    -1,
                    "unhandled internal exception: encoding failed",
                )),
            }
        }
        Ok(value) => json_bytes(StatusCode::OK, success_body(&value)),
        Err(f) => fault(&f),
    }
}

fn success_body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(&Success {
        success: true,
        result: JsonValue(value),
    })
    .unwrap_or_default()
}

/// The envelope of a fault.
pub(crate) fn fault(fault: &Fault) -> Response {
    json_response(StatusCode::OK, &Outcome::failed(message(&fault.string)))
}

/// A fault's text as the HTTP API shows it.
pub(crate) fn message(fault_string: &str) -> &str {
    fault_string
        .strip_prefix(XMLRPC_PREFIX)
        .unwrap_or(fault_string)
}

/// `body` as JSON with `status`.
pub(crate) fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    json_bytes(status, serde_json::to_vec(body).unwrap_or_default())
}

fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A 400 with the server's plain-text reason.
pub(crate) fn bad_request(reason: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        reason.to_owned(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    async fn body(r: Response) -> (StatusCode, String) {
        let status = r.status();
        let bytes = r.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn success_and_fault() {
        let (status, text) = body(answer(Ok(Value::Int(1))).await).await;
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::OK, r#"{"success":true,"result":1}"#)
        );
        let f = Fault::new(-208, "redstone.xmlrpc.XmlRpcFault: No such system");
        let (status, text) = body(answer(Err(f)).await).await;
        assert_eq!(
            (status, text.as_str()),
            (
                StatusCode::OK,
                r#"{"success":false,"message":"No such system"}"#
            )
        );
        let big = Value::Array((0..2000).map(Value::Int).collect());
        let (_, text) = body(answer(Ok(big)).await).await;
        assert!(text.starts_with(r#"{"success":true,"result":[0,1,"#));
    }
}
