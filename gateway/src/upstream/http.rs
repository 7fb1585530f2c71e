//! The XML-RPC exchange with one node over a pooled keep-alive HTTP client,
//! as a tower service: a request body in, the node's response body out.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tower::Service;

use super::UpstreamError;
use crate::config::UpstreamConfig;
use crate::tls;

/// Posts XML-RPC bodies to one node's `/rpc/api`. Clones share one client
/// (each call clones the service).
#[derive(Debug, Clone)]
pub struct HttpCall {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: reqwest::Client,
    url: reqwest::Url,
    timeout: Duration,
}

impl HttpCall {
    /// A client for the node at `api_url`: its own connection pool, the
    /// configured timeouts and TLS trust.
    pub fn new(api_url: &str, cfg: &UpstreamConfig) -> Result<HttpCall, UpstreamError> {
        let url = reqwest::Url::parse(api_url).map_err(|_| UpstreamError::BadUrl)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout())
            .pool_max_idle_per_host(256)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .http1_only()
            .redirect(reqwest::redirect::Policy::none());
        if let Some(ca) = &cfg.ca {
            for cert in tls::load_ca(ca).map_err(|e| UpstreamError::Tls(e.to_string()))? {
                builder = builder.add_root_certificate(cert);
            }
        }
        if cfg.accept_invalid_certs {
            tracing::warn!(node_url = %url, "accepting any certificate from this node");
            builder = builder.danger_accept_invalid_certs(true);
        }
        let client = builder
            .build()
            .map_err(|e| UpstreamError::Tls(e.without_url().to_string()))?;
        Ok(HttpCall {
            inner: Arc::new(Inner {
                client,
                url,
                timeout: cfg.timeout(),
            }),
        })
    }

    /// One exchange. The answer is read into one buffer sized from its
    /// `Content-Length`, so a large listing is neither copied again nor
    /// grown piecewise.
    pub async fn post(&self, body: Bytes) -> Result<Bytes, UpstreamError> {
        let mut response = self.send(body, true).await?;
        let expected = response.content_length().unwrap_or(0);
        let Some(first) = response.chunk().await.map_err(classify)? else {
            return Ok(Bytes::new());
        };
        if first.len() as u64 >= expected {
            // All of it in one piece (small answers): no copy.
            let mut rest = Vec::new();
            while let Some(more) = response.chunk().await.map_err(classify)? {
                rest.extend_from_slice(&more);
            }
            if rest.is_empty() {
                return Ok(first);
            }
            let mut all = Vec::with_capacity(first.len() + rest.len());
            all.extend_from_slice(&first);
            all.extend_from_slice(&rest);
            return Ok(Bytes::from(all));
        }
        let room = usize::try_from(expected)
            .unwrap_or(usize::MAX)
            .min(xmlrpc::Limits::RESPONSE.max_body_bytes);
        let mut all = Vec::with_capacity(room);
        all.extend_from_slice(&first);
        drop(first);
        while let Some(more) = response.chunk().await.map_err(classify)? {
            all.extend_from_slice(&more);
        }
        Ok(Bytes::from(all))
    }
}

impl HttpCall {
    /// Sends `body` and answers once the node's response headers are in
    /// with a success status; its body is still to be read: within the
    /// per-call timeout from the start when `whole`, else as
    /// [`HttpCall::open`] tells.
    async fn send(&self, body: Bytes, whole: bool) -> Result<reqwest::Response, UpstreamError> {
        let inner = &self.inner;
        let mut request = inner
            .client
            .post(inner.url.clone())
            .header("content-type", "text/xml");
        if whole {
            request = request.timeout(inner.timeout);
        }
        let response = request.body(body).send().await.map_err(classify)?;
        let status = response.status();
        if !status.is_success() {
            return Err(UpstreamError::Status(status.as_u16()));
        }
        Ok(response)
    }

    /// Sends `body` and answers once the node's response headers are in
    /// with a success status, with what is left of the per-call timeout
    /// for reading the body. The body is read as the gateway passes it on
    /// ([`super::NodeStream`]), which may wait for its own client; only
    /// the time spent waiting for the node counts against the timeout, so
    /// a client that reads a long answer slowly does not make the node
    /// look timed out.
    pub async fn open(&self, body: Bytes) -> Result<Opened, UpstreamError> {
        let started = tokio::time::Instant::now();
        let timeout = self.inner.timeout;
        let response = tokio::time::timeout(timeout, self.send(body, false))
            .await
            .map_err(|_| UpstreamError::Timeout)??;
        Ok(Opened {
            response,
            left: timeout.saturating_sub(started.elapsed()),
        })
    }
}

/// A request whose answer is read as it arrives ([`HttpCall::open`]).
#[derive(Debug, Clone)]
pub struct Streamed(pub Bytes);

/// A node's answer whose body is still to be read.
#[derive(Debug)]
pub struct Opened {
    /// The answer, its headers in.
    pub response: reqwest::Response,
    /// What is left of the per-call timeout for waiting on its body.
    pub left: Duration,
}

impl super::breaker::Settles for Streamed {
    const AT_START: bool = false;
}

impl Service<Streamed> for HttpCall {
    type Response = Opened;
    type Error = UpstreamError;
    type Future = Pin<Box<dyn Future<Output = Result<Opened, UpstreamError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), UpstreamError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, Streamed(body): Streamed) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { this.open(body).await })
    }
}

/// Sorts a reqwest error into what the gateway tells apart; never keeps
/// the URL or any body. A transport error names its innermost cause too
/// (say, "connection closed before message completed" when a node closed
/// a pooled connection as the call went out), for the administrator who
/// reads the fault.
pub(crate) fn classify(e: reqwest::Error) -> UpstreamError {
    if e.is_timeout() {
        UpstreamError::Timeout
    } else if e.is_connect() {
        UpstreamError::Connect
    } else {
        let e = e.without_url();
        let innermost = std::iter::successors(std::error::Error::source(&e), |c| c.source()).last();
        UpstreamError::Transport(match innermost {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        })
    }
}

impl Service<Bytes> for HttpCall {
    type Response = Bytes;
    type Error = UpstreamError;
    type Future = Pin<Box<dyn Future<Output = Result<Bytes, UpstreamError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), UpstreamError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, body: Bytes) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { this.post(body).await })
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;

    use super::*;

    /// A node that reads a call and closes the connection without an
    /// answer: the error names the cause, not only "error sending request".
    #[tokio::test]
    async fn a_connection_closed_mid_call_names_its_cause() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let node = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
        });
        let call = HttpCall::new(
            &format!("http://{addr}/rpc/api"),
            &UpstreamConfig::default(),
        )
        .unwrap();
        let err = call
            .post(Bytes::from_static(b"<methodCall/>"))
            .await
            .unwrap_err();
        node.await.unwrap();
        let UpstreamError::Transport(what) = &err else {
            panic!("{err:?}");
        };
        assert!(what.starts_with("error sending request: "), "{what}");
        assert!(what.contains("connection closed"), "{what}");
        assert!(!what.contains(&addr.to_string()), "{what}");
    }
}
