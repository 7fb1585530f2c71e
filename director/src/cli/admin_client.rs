//! The HTTP side of the command-line client: one `reqwest` client with the
//! admin bearer token, the director's base URL and the extra TLS root, and
//! the mapping of answers to JSON or to [`CliError`].

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::cause_chain;
use super::{CliError, GlobalArgs};

/// How long one request may take, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client of the director's admin API.
#[derive(Debug, Clone)]
pub struct AdminClient {
    http: reqwest::Client,
    base: Url,
    /// `Bearer <token>`, marked sensitive so it never shows in logs.
    authorization: HeaderValue,
}

impl AdminClient {
    /// A client for the director and credentials `global` names.
    pub fn new(global: &GlobalArgs) -> Result<AdminClient, CliError> {
        let base = parse_base_url(&global.url)?;
        let token = global.admin_token()?;
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| CliError::BadToken)?;
        authorization.set_sensitive(true);

        let mut builder = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("director-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &global.ca_cert {
            let pem = std::fs::read(path).map_err(|source| CliError::CaCertRead {
                path: path.clone(),
                source,
            })?;
            let roots = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|roots| !roots.is_empty())
                .ok_or_else(|| CliError::CaCertParse {
                    path: path.clone(),
                    detail: "no CERTIFICATE block found".into(),
                })?;
            builder = builder.tls_certs_merge(roots);
        }
        let http = builder.build().map_err(|err| CliError::ClientSetup {
            detail: cause_chain(&err),
        })?;
        Ok(AdminClient {
            http,
            base,
            authorization,
        })
    }

    /// The URL of `/api/v1/<segments...>` with `query` pairs; each segment
    /// is percent-encoded, so names and minion ids cannot change the path.
    pub fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked to be a base URL in parse_base_url")
            .pop_if_empty()
            .extend(["api", "v1"])
            .extend(segments);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
        }
        url
    }

    /// `GET`, decoded into `T`.
    pub async fn get<T: DeserializeOwned>(&self, url: Url) -> Result<T, CliError> {
        let value = self.send::<()>(Method::GET, url.clone(), None).await?;
        decode(&url, value)
    }

    /// Sends a request with an optional JSON body and returns the JSON
    /// answer (`null` for an empty one, such as `204 No Content`).
    pub async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<Value, CliError> {
        let mut request = self
            .http
            .request(method, url.clone())
            .header(AUTHORIZATION, self.authorization.clone());
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|err| CliError::unreachable(&url, err))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| CliError::unreachable(&url, err))?;
        if !status.is_success() {
            return Err(http_error(status, &bytes));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes).map_err(|err| CliError::Decode {
            url: url.to_string(),
            detail: err.to_string(),
        })
    }
}

/// Decodes a JSON answer into the director's type for it.
pub(crate) fn decode<T: DeserializeOwned>(url: &Url, value: Value) -> Result<T, CliError> {
    serde_json::from_value(value).map_err(|err| CliError::Decode {
        url: url.to_string(),
        detail: err.to_string(),
    })
}

/// Checks `--url`: an absolute http(s) URL that can take a path.
fn parse_base_url(text: &str) -> Result<Url, CliError> {
    let bad = |reason: &str| CliError::BadUrl {
        url: text.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(text).map_err(|err| bad(&err.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.cannot_be_a_base() {
        return Err(bad("not a base URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials go in --token, not in the URL"));
    }
    Ok(url)
}

/// The director's `{"error": "..."}` body as a [`CliError::Http`]; the
/// status reason when the body says nothing usable.
fn http_error(status: StatusCode, body: &[u8]) -> CliError {
    let from_body = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
        .filter(|m| !m.is_empty());
    let message = from_body.unwrap_or_else(|| {
        status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_owned()
    });
    CliError::Http {
        status: status.as_u16(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(url: &str) -> AdminClient {
        AdminClient::new(&GlobalArgs::new(url, "t")).unwrap()
    }

    #[test]
    fn urls_encode_segments_and_keep_a_base_path() {
        let c = client("https://director.example:8443/admin/");
        let url = c.url(&["nodes", "a/b c"], &[("zone", "eu west".into())]);
        assert_eq!(
            url.as_str(),
            "https://director.example:8443/admin/api/v1/nodes/a%2Fb%20c?zone=eu+west"
        );
        let c = client("http://127.0.0.1:8180");
        assert_eq!(
            c.url(&["status"], &[]).as_str(),
            "http://127.0.0.1:8180/api/v1/status"
        );
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        for url in ["127.0.0.1:8180", "ftp://x", "http://user:pw@x"] {
            let err = AdminClient::new(&GlobalArgs::new(url, "t")).unwrap_err();
            assert!(matches!(err, CliError::BadUrl { .. }), "{url}: {err}");
        }
    }

    #[test]
    fn error_bodies_give_the_server_message() {
        let err = http_error(StatusCode::CONFLICT, br#"{"error":"zone eu has nodes"}"#);
        assert_eq!(err.to_string(), "zone eu has nodes (HTTP 409)");
        let err = http_error(StatusCode::BAD_GATEWAY, b"<html>oops</html>");
        assert_eq!(err.to_string(), "Bad Gateway (HTTP 502)");
    }

    #[test]
    fn a_ca_cert_that_is_not_pem_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        let mut args = GlobalArgs::new("https://x", "t");
        args.ca_cert = Some(path);
        let err = AdminClient::new(&args).unwrap_err();
        assert!(matches!(err, CliError::CaCertParse { .. }), "{err}");
    }
}
