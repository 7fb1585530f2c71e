//! The director's HTTP API as nodectl uses it: the node API (`/node/v1`,
//! node token) and node registration on the admin API (`/api/v1/nodes`,
//! admin token). Tokens are read from files and never logged nor put in
//! errors.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::config::{Config, Register, read_secret};
use crate::{Error, Result};

/// How long one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// The director's HTTP API.
#[derive(Clone)]
pub struct HttpApi {
    client: reqwest::Client,
    base: String,
    node_token: Option<String>,
    admin_token: Option<String>,
}

impl std::fmt::Debug for HttpApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpApi")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl HttpApi {
    /// The API configured in `config.director`, if any; reads the token
    /// files now.
    pub fn from_config(config: &Config) -> Result<Option<HttpApi>> {
        let link = &config.director;
        let Some(base) = &link.http_url else {
            return Ok(None);
        };
        let token = |path: &Option<std::path::PathBuf>, what| {
            path.as_deref().map(|p| read_secret(what, p)).transpose()
        };
        let client = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .build()
            .map_err(|e| Error::Director {
                url: base.clone(),
                reason: e.to_string(),
            })?;
        Ok(Some(HttpApi {
            client,
            base: base.trim_end_matches('/').to_owned(),
            node_token: token(&link.node_token_file, "node token")?,
            admin_token: token(&link.admin_token_file, "admin token")?,
        }))
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Vec<u8>) -> Result<StatusCode> {
        let url = format!("{}{path}", self.base);
        let mut request = self
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| Error::Director {
            url: url.clone(),
            // Without the URL again, and never a header.
            reason: e.without_url().to_string(),
        })?;
        Ok(response.status())
    }

    /// POSTs a JSON body to the node API; any 2xx is success.
    pub async fn node_post(&self, path: &str, body: Vec<u8>) -> Result<()> {
        let status = self.post(path, self.node_token.as_deref(), body).await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(Error::Director {
                url: format!("{}{path}", self.base),
                reason: format!("answered {status}"),
            })
        }
    }

    /// Registers node `id` (`POST /api/v1/nodes`); a node that exists
    /// already (409) is fine. Returns whether it was created now.
    pub async fn register(&self, id: &str, register: &Register, public_key: &str) -> Result<bool> {
        let mut body = json!({
            "id": id,
            "zone": register.zone,
            "api_url": register.api_url,
            "public_key": public_key,
        });
        if let Some(master) = &register.master {
            body["master"] = json!(master);
        }
        if let Some(weight) = register.weight {
            body["weight"] = json!(weight);
        }
        let body = serde_json::to_vec(&body).expect("json serializes");
        let path = "/api/v1/nodes";
        match self.post(path, self.admin_token.as_deref(), body).await? {
            StatusCode::CREATED | StatusCode::OK => Ok(true),
            StatusCode::CONFLICT => Ok(false),
            status => Err(Error::Director {
                url: format!("{}{path}", self.base),
                reason: format!("registration answered {status}"),
            }),
        }
    }
}
