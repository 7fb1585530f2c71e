//! The director's client API (`/client/v1`), over HTTPS with rustls: check
//! in, look up the assignment, report a move's outcome.

use std::time::Duration;

use director::api::MoveReport;
use director::cluster::{Assignment, CheckIn};
use director::model::{MoveOutcome, MoveRecord};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::de::DeserializeOwned;

use crate::config::{DirectorConfig, secs};
use crate::error::{ClientdError, Result};
use crate::token::Token;

/// How long connecting to the director may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of an error answer goes into an error (the director's error
/// bodies are short JSON).
const ERROR_BODY_LIMIT: usize = 300;

/// A client of the director's client API.
#[derive(Debug, Clone)]
pub struct DirectorClient {
    http: reqwest::Client,
    /// Base URL without a trailing `/`.
    base: String,
    /// `Bearer <token>`, marked sensitive (not shown by `Debug`).
    authorization: HeaderValue,
}

impl DirectorClient {
    /// A client for the director `config` names, with the token from its
    /// token file and its extra CA certificates.
    pub fn new(config: &DirectorConfig) -> Result<DirectorClient> {
        let token = Token::read(&config.token_file)?;
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| ClientdError::Invalid {
                what: "client token",
                path: config.token_file.clone(),
                reason: "not a valid header value".into(),
            })?;
        authorization.set_sensitive(true);

        let mut builder = reqwest::Client::builder()
            .timeout(secs(config.request_timeout_secs))
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("clientd/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path).map_err(|e| ClientdError::file("CA file", path, e))?;
            let roots = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|roots| !roots.is_empty())
                .ok_or_else(|| ClientdError::Invalid {
                    what: "CA file",
                    path: path.clone(),
                    reason: "no PEM certificate in it".into(),
                })?;
            builder = builder.tls_certs_merge(roots);
        }
        let http = builder
            .build()
            .map_err(|e| ClientdError::HttpClient(cause_chain(&e)))?;
        Ok(DirectorClient {
            http,
            base: config.url.trim_end_matches('/').to_owned(),
            authorization,
        })
    }

    /// `POST /client/v1/checkin`.
    pub async fn check_in(&self, check_in: &CheckIn) -> Result<Assignment> {
        let request = self
            .http
            .post(format!("{}/client/v1/checkin", self.base))
            .json(check_in);
        self.send("check-in", request).await
    }

    /// `GET /client/v1/assignment?fingerprint=...`.
    pub async fn assignment(&self, fingerprint: &str) -> Result<Assignment> {
        let mut url =
            reqwest::Url::parse(&format!("{}/client/v1/assignment", self.base)).map_err(|e| {
                ClientdError::ConfigInvalid {
                    field: "director.url",
                    reason: e.to_string(),
                }
            })?;
        url.query_pairs_mut()
            .append_pair("fingerprint", fingerprint);
        let request = self.http.get(url);
        self.send("assignment", request).await
    }

    /// `POST /client/v1/moves/{id}/result`.
    pub async fn report_move(
        &self,
        move_id: u64,
        minion_id: &str,
        outcome: &MoveOutcome,
    ) -> Result<MoveRecord> {
        let report = MoveReport {
            minion_id: minion_id.to_owned(),
            outcome: outcome.clone(),
        };
        let request = self
            .http
            .post(format!("{}/client/v1/moves/{move_id}/result", self.base))
            .json(&report);
        self.send(&format!("move {move_id} result"), request).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        what: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<T> {
        let failed = |reason: String| ClientdError::Director {
            what: what.to_owned(),
            reason,
        };
        let response = request
            .header(AUTHORIZATION, self.authorization.clone())
            .send()
            .await
            .map_err(|e| failed(cause_chain(&e)))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            let mut body: String = body.chars().take(ERROR_BODY_LIMIT).collect();
            body = body.trim().to_owned();
            return Err(failed(if body.is_empty() {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status}: {body}")
            }));
        }
        response
            .json()
            .await
            .map_err(|e| failed(format!("unreadable answer: {}", cause_chain(&e))))
    }
}

/// An error and its causes, `: `-separated (reqwest hides the interesting
/// part, such as a certificate error, in the sources).
fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let s = e.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        source = e.source();
    }
    text
}
