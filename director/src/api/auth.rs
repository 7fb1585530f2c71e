//! Bearer-token authentication of the four APIs (admin, client agent, node
//! agent, gateway) and of `/metrics`, each with its own token.
//!
//! A token is kept only as its SHA-256 digest and a presented token is
//! compared digest to digest in constant time ([`subtle`]), so neither its
//! content nor its length leaks through timing. Tokens never appear in
//! `Debug` output, logs or errors.

use std::fmt;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;

/// A secret bearer token.
#[derive(Clone)]
pub struct ApiToken {
    digest: [u8; 32],
}

impl ApiToken {
    /// A token from its secret value (surrounding whitespace is not part of
    /// it). Returns `None` for an empty value: an empty token would let an
    /// empty `Authorization: Bearer` header in.
    pub fn new(secret: &str) -> Option<ApiToken> {
        let secret = secret.trim();
        if secret.is_empty() {
            return None;
        }
        Some(ApiToken {
            digest: Sha256::digest(secret.as_bytes()).into(),
        })
    }

    /// Whether `presented` is this token, in constant time.
    pub fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        bool::from(self.digest.ct_eq(&digest))
    }

    fn same_as(&self, other: &ApiToken) -> bool {
        bool::from(self.digest.ct_eq(&other.digest))
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// The tokens of the four APIs. An API without a token refuses every
/// request with 401: the admin API always needs one to serve (see
/// [`crate::server::run`]); the client, node and gateway APIs may be left
/// off.
#[derive(Clone, Default)]
pub struct ApiTokens {
    /// Admin API (`/api/v1`): operators and the `director` CLI.
    pub admin: Option<ApiToken>,
    /// Client-agent API (`/client/v1`).
    pub client: Option<ApiToken>,
    /// Node-agent API (`/node/v1`).
    pub node: Option<ApiToken>,
    /// Gateway API (`/gateway/v1`): the store and placement, for gateways
    /// running as processes of their own.
    pub gateway: Option<ApiToken>,
    /// `/metrics`, for a Prometheus scraper: it reads what the admin API's
    /// status shows, and nothing else.
    pub metrics: Option<ApiToken>,
}

impl ApiTokens {
    /// Tokens from their secret values; empty values count as absent.
    pub fn new(admin: &str, client: &str, node: &str) -> ApiTokens {
        ApiTokens {
            admin: ApiToken::new(admin),
            client: ApiToken::new(client),
            node: ApiToken::new(node),
            gateway: None,
            metrics: None,
        }
    }

    /// The same tokens with `/metrics`'s; an empty value leaves it off.
    pub fn with_metrics(mut self, metrics: &str) -> ApiTokens {
        self.metrics = ApiToken::new(metrics);
        self
    }

    /// The same tokens with the gateway API's; an empty value leaves it
    /// off.
    pub fn with_gateway(mut self, gateway: &str) -> ApiTokens {
        self.gateway = ApiToken::new(gateway);
        self
    }

    /// The names of two APIs that share one token, if any: each API must
    /// have its own, or one would open the other.
    pub fn shared_pair(&self) -> Option<(&'static str, &'static str)> {
        let named = [
            ("admin", &self.admin),
            ("client", &self.client),
            ("node", &self.node),
            ("gateway", &self.gateway),
            ("metrics", &self.metrics),
        ];
        for (i, (a, ta)) in named.iter().enumerate() {
            for (b, tb) in &named[i + 1..] {
                if let (Some(ta), Some(tb)) = (ta, tb)
                    && ta.same_as(tb)
                {
                    return Some((a, b));
                }
            }
        }
        None
    }
}

impl fmt::Debug for ApiTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |t: &Option<ApiToken>| if t.is_some() { "<redacted>" } else { "<none>" };
        f.debug_struct("ApiTokens")
            .field("admin", &shown(&self.admin))
            .field("client", &shown(&self.client))
            .field("node", &shown(&self.node))
            .field("gateway", &shown(&self.gateway))
            .field("metrics", &shown(&self.metrics))
            .finish()
    }
}

/// What one API's middleware checks requests against.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    /// `admin`, `client`, `node`, `gateway` or `metrics`: named in the 401
    /// message.
    pub(crate) api: &'static str,
    /// The API's token; `None` refuses everything.
    pub(crate) token: Option<Arc<ApiToken>>,
}

impl Guard {
    pub(crate) fn new(api: &'static str, token: Option<ApiToken>) -> Guard {
        Guard {
            api,
            token: token.map(Arc::new),
        }
    }
}

/// The bearer token of a request, if it has one.
fn bearer(req: &Request) -> Option<&str> {
    bearer_of(req.headers())
}

/// The bearer token among request `headers` (`Authorization: Bearer
/// <token>`, the scheme in any case), if there is one that is not empty.
pub fn bearer_of(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Middleware: lets a request through only with the API's bearer token.
pub(crate) async fn require_token(
    State(guard): State<Guard>,
    req: Request,
    next: Next,
) -> Response {
    let allowed = match (&guard.token, bearer(&req)) {
        (Some(token), Some(presented)) => token.matches(presented),
        _ => false,
    };
    if allowed {
        next.run(req).await
    } else {
        ApiError::Unauthorized { api: guard.api }.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_only_themselves() {
        let t = ApiToken::new(" s3cret\n").unwrap();
        assert!(t.matches("s3cret"));
        assert!(!t.matches("s3cre"));
        assert!(!t.matches(""));
        assert!(ApiToken::new("  ").is_none());
    }

    #[test]
    fn debug_never_shows_a_token() {
        let tokens = ApiTokens::new("admin-secret", "", "node-secret");
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("<none>"));
    }

    #[test]
    fn shared_tokens_are_found() {
        assert_eq!(ApiTokens::new("a", "b", "c").shared_pair(), None);
        assert_eq!(
            ApiTokens::new("a", "b", "a").shared_pair(),
            Some(("admin", "node"))
        );
        assert_eq!(
            ApiTokens::new("a", "b", "c")
                .with_gateway("b")
                .shared_pair(),
            Some(("client", "gateway"))
        );
    }
}
