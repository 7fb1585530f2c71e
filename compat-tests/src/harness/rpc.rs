//! A small XML-RPC client over reqwest and the project's codec, for tests.

use xmlrpc::{Fault, Limits, MethodCall, Value};

/// Calls methods on one `/rpc/api` endpoint.
#[derive(Debug, Clone)]
pub struct RpcClient {
    http: reqwest::Client,
    url: String,
}

/// A call that failed.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// The server answered a fault.
    #[error(transparent)]
    Fault(#[from] Fault),
    /// The HTTP exchange failed.
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    /// The answer was not XML-RPC.
    #[error("bad answer: {0}")]
    Parse(#[from] xmlrpc::ParseError),
    /// The answer had an HTTP error status.
    #[error("http status {0}")]
    Status(u16),
}

impl RpcClient {
    /// A client for `url` (ending in `/rpc/api`).
    pub fn new(url: impl Into<String>) -> RpcClient {
        RpcClient {
            http: reqwest::Client::new(),
            url: url.into(),
        }
    }

    /// Calls `name` with `params`.
    pub async fn call(&self, name: &str, params: Vec<Value>) -> Result<Value, RpcError> {
        let body = xmlrpc::encode_call(&MethodCall {
            name: name.to_owned(),
            params,
        });
        self.post(body).await
    }

    /// Posts a raw body and parses the answer.
    pub async fn post(&self, body: Vec<u8>) -> Result<Value, RpcError> {
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "text/xml")
            .body(body)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(RpcError::Status(response.status().as_u16()));
        }
        let bytes = response.bytes().await?;
        Ok(xmlrpc::parse_response(&bytes, &Limits::RESPONSE)??)
    }

    /// Calls and expects a fault.
    pub async fn fault(&self, name: &str, params: Vec<Value>) -> Fault {
        match self.call(name, params).await {
            Err(RpcError::Fault(fault)) => fault,
            other => panic!("{name}: expected a fault, got {other:?}"),
        }
    }

    /// Logs in and returns the session key.
    pub async fn login(&self, user: &str, password: &str) -> Result<String, RpcError> {
        let key = self
            .call("auth.login", vec![user.into(), password.into()])
            .await?;
        Ok(key.as_str().unwrap_or_default().to_owned())
    }
}
