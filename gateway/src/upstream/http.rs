//! The XML-RPC exchange with one node over pooled keep-alive HTTP/1.1
//! connections, as a tower service: a request body in, the node's
//! response body out.
//!
//! The connections are hyper's own (its HTTP/1 client connection over a
//! rustls connector), without a general-purpose client on top: redirects
//! are never followed (a node that redirects its API is misconfigured,
//! and the call fails with its status), and the node's URL is parsed once,
//! when the client is made, not on every call. Nodes are reached
//! directly: `HTTP_PROXY`, `HTTPS_PROXY` and `ALL_PROXY` are not consulted
//! (the gateway warns at start when they are set).
//!
//! The pool ([`HttpCall`]) is the gateway's own. A connection is driven by
//! the call that uses it, from the request to the answer's last byte, and
//! then goes back to the pool; no task of its own reads or writes it. A
//! general-purpose client gives each connection a task, and every call
//! then went from the caller to that task and back, waking one and
//! parking the other twice per call (`scripts/callgrind-routed-call.sh`:
//! 124.5k instructions per routed call before, 117.6k after). An idle
//! connection the node closed is found when it is next taken, and every
//! [`REAP`] (or `upstream.idle_ms`, when shorter) by a task that closes
//! those and the ones idle longer than `upstream.idle_ms`. That limit is
//! below the nodes' own (Apache's `KeepAliveTimeout`), so that the
//! gateway lets an idle connection go before the node closes it under a
//! call being written.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::FutureExt;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper::client::conn::http1;
use hyper::header::HeaderValue;
use hyper::{Request, Response, Uri, header};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use tokio::time::Instant;
use tower::{Service, ServiceExt};

use super::UpstreamError;
use crate::config::UpstreamConfig;
use crate::tls;

/// Idle connections kept per node.
const POOL_IDLE_PER_NODE: usize = 256;
/// The longest error page (an answer with a status other than 2xx) that
/// is read out to keep its connection.
const ERROR_PAGE_BYTES: u64 = 16 * 1024;
/// The longest time between two looks over the idle connections: the
/// ones a node closed or that were idle too long are closed, rather than
/// left (half-closed) until the next call. A shorter idle limit looks
/// them over as often as it runs out, but not more often than every
/// [`REAP_MIN`].
const REAP: Duration = Duration::from_secs(5);
const REAP_MIN: Duration = Duration::from_millis(50);
/// TCP keepalive on the connections to the nodes: probes after this long
/// idle, this often, and this many unanswered before the connection is
/// given up. A pooled connection a firewall dropped is found out before a
/// call is written into it.
const KEEPALIVE: Duration = Duration::from_secs(15);
const KEEPALIVE_RETRIES: u32 = 3;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Connector = Timed<HttpsConnector<HttpConnector>>;
type Io = MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>;
/// A connection to a node, as hyper drives it.
type Driver = Pin<Box<http1::Connection<Io, Full<Bytes>>>>;

/// Posts XML-RPC bodies to one node's `/rpc/api`. Clones share one pool
/// of connections (each call clones the service).
#[derive(Debug, Clone)]
pub struct HttpCall {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    connector: Connector,
    /// The node's URL, for connecting and for the log.
    uri: Uri,
    /// What requests carry: the path (origin form) and the `Host`.
    path: Uri,
    host: HeaderValue,
    timeout: Duration,
    /// How long a connection is kept idle (`upstream.idle_ms`); zero
    /// keeps none.
    idle_limit: Duration,
    /// Idle connections, the most recently used last.
    idle: Mutex<Vec<Conn>>,
    /// Whether the reaper ([`reap`]) runs: it starts with the first call
    /// made in a runtime.
    reaping: AtomicBool,
}

/// One connection to the node: hyper's sending half and the connection
/// itself, which makes progress only while a call polls it.
struct Conn {
    sender: http1::SendRequest<Full<Bytes>>,
    /// The connection; `None` once it ended.
    driver: Option<Driver>,
    idle_since: Instant,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("idle_since", &self.idle_since)
            .finish_non_exhaustive()
    }
}

impl Conn {
    /// Whether the connection ended (the node closed it, or it broke):
    /// it is polled once, without waiting.
    fn ended(&mut self) -> bool {
        match &mut self.driver {
            Some(driver) => self.sender.is_closed() || driver.as_mut().now_or_never().is_some(),
            None => true,
        }
    }

    /// Completes when the connection ends, with its error if it broke,
    /// and then drops it: a call still waiting on it learns that it
    /// ended. Never completes once it has.
    async fn end(driver: &mut Option<Driver>) -> Option<hyper::Error> {
        match driver {
            Some(running) => {
                let ended = running.as_mut().await;
                *driver = None;
                ended.err()
            }
            None => std::future::pending().await,
        }
    }
}

impl Inner {
    /// The most recently used idle connection that still serves. Each
    /// is looked at (and a closed one dropped) outside the lock, so that
    /// other calls to the node do not wait on that.
    fn take_idle(&self) -> Option<Conn> {
        loop {
            let mut conn = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop()?;
            if !conn.ended() && conn.idle_since.elapsed() < self.idle_limit {
                return Some(conn);
            }
        }
    }

    /// Puts `conn` back once its answer was read to the end, unless it
    /// ended, the pool is full or keeps no connection.
    fn put_back(&self, mut conn: Conn) {
        if self.idle_limit.is_zero() || conn.ended() {
            return;
        }
        conn.idle_since = Instant::now();
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < POOL_IDLE_PER_NODE {
            idle.push(conn);
        }
    }

    /// Closes the idle connections that ended or were idle too long; they
    /// are closed after the lock is let go.
    fn reap(&self) {
        let gone: Vec<Conn> = self
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extract_if(.., |conn| {
                conn.ended() || conn.idle_since.elapsed() >= self.idle_limit
            })
            .collect();
        drop(gone);
    }
}

/// Every `period`, closes the idle connections of `inner` that ended or
/// were idle too long, for as long as the client lives.
async fn reap(inner: Weak<Inner>, period: Duration) {
    let mut every = tokio::time::interval(period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        match inner.upgrade() {
            Some(inner) => inner.reap(),
            None => return,
        }
    }
}

/// The TLS configurations of the clients towards the nodes, made on first
/// use and shared by every node's client: reading the system's CA roots
/// and `upstream.ca` is file I/O, done once rather than per node. A
/// configuration that could not be made is tried again next time (say,
/// once `upstream.ca` is readable).
#[derive(Debug, Default)]
pub struct ClientTls {
    made: Mutex<[Option<rustls::ClientConfig>; 2]>,
}

impl ClientTls {
    /// The configuration for an `https` node, or for a plain `http` one.
    fn get(
        &self,
        cfg: &UpstreamConfig,
        https: bool,
    ) -> Result<rustls::ClientConfig, UpstreamError> {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        let slot = &mut made[usize::from(https)];
        if let Some(config) = slot {
            return Ok(config.clone());
        }
        let config =
            tls::client_config(cfg, https).map_err(|e| UpstreamError::Tls(e.to_string()))?;
        Ok(slot.insert(config).clone())
    }
}

impl HttpCall {
    /// A client for the node at `api_url` (`http` or `https`, without a
    /// user name or password): its own connection pool, the configured
    /// timeouts and TLS trust (the system's roots and `upstream.ca`, or
    /// anything with `upstream.accept_invalid_certs`), its TLS
    /// configuration made for it alone.
    pub fn new(api_url: &str, cfg: &UpstreamConfig) -> Result<HttpCall, UpstreamError> {
        Self::with_tls(api_url, cfg, &ClientTls::default())
    }

    /// [`HttpCall::new`] with TLS configurations shared among the nodes'
    /// clients (`tls` must have been made for the same `cfg`).
    pub fn with_tls(
        api_url: &str,
        cfg: &UpstreamConfig,
        tls: &ClientTls,
    ) -> Result<HttpCall, UpstreamError> {
        // Read as a URL (what the configuration and the director hold),
        // then kept in the form requests carry. Credentials in it would
        // be neither sent nor kept out of the logs: refused.
        let url = reqwest::Url::parse(api_url).map_err(|_| UpstreamError::BadUrl)?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return Err(UpstreamError::BadUrl),
        };
        if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
            return Err(UpstreamError::BadUrl);
        }
        let uri: Uri = url.as_str().parse().map_err(|_| UpstreamError::BadUrl)?;
        let tls = tls.get(cfg, https)?;
        if https && cfg.accept_invalid_certs {
            tracing::warn!(node_url = %url, "accepting any certificate from this node");
        }
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_keepalive(Some(KEEPALIVE));
        tcp.set_keepalive_interval(Some(KEEPALIVE));
        tcp.set_keepalive_retries(Some(KEEPALIVE_RETRIES));
        // Shared out among a name's addresses, so that one that does not
        // answer leaves time for the next; [`Timed`] bounds the whole.
        tcp.set_connect_timeout(Some(cfg.connect_timeout()));
        let connector = Timed {
            inner: hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls)
                .https_or_http()
                .enable_http1()
                .wrap_connector(tcp),
            timeout: cfg.connect_timeout(),
        };
        let path = uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .parse::<Uri>()
            .map_err(|_| UpstreamError::BadUrl)?;
        let host = uri
            .authority()
            .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
            .ok_or(UpstreamError::BadUrl)?;
        let inner = Arc::new(Inner {
            connector,
            uri,
            path,
            host,
            timeout: cfg.timeout(),
            idle_limit: cfg.idle(),
            idle: Mutex::new(Vec::new()),
            reaping: AtomicBool::new(false),
        });
        let call = HttpCall { inner };
        call.start_reaping();
        Ok(call)
    }

    /// Starts the reaper in the current runtime unless it runs or there
    /// is none (a client made outside one, for a check of the
    /// configuration, starts it with its first call) or the pool keeps
    /// no connection.
    fn start_reaping(&self) {
        let inner = &self.inner;
        if inner.idle_limit.is_zero() || inner.reaping.load(Ordering::Relaxed) {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current()
            && !inner.reaping.swap(true, Ordering::Relaxed)
        {
            let period = inner.idle_limit.clamp(REAP_MIN, REAP);
            runtime.spawn(reap(Arc::downgrade(inner), period));
        }
    }

    /// Idle connections in the pool.
    #[cfg(test)]
    fn idle(&self) -> usize {
        self.inner.idle.lock().unwrap().len()
    }

    /// One exchange, within the per-call timeout from the start to the
    /// answer's end. The answer is read into one buffer sized from its
    /// `Content-Length`, so a large listing is neither copied again nor
    /// grown piecewise.
    pub async fn post(&self, body: Bytes) -> Result<Bytes, UpstreamError> {
        tokio::time::timeout(self.inner.timeout, self.post_untimed(body))
            .await
            .map_err(|_| UpstreamError::Timeout)?
    }

    async fn post_untimed(&self, body: Bytes) -> Result<Bytes, UpstreamError> {
        let mut answer = self.send(body).await?;
        let expected = answer.expected();
        let Some(first) = answer.chunk().await? else {
            return Ok(Bytes::new());
        };
        if first.len() as u64 >= expected {
            // All of it in one piece (small answers): no copy.
            let mut rest = Vec::new();
            while let Some(more) = answer.chunk().await? {
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
        while let Some(more) = answer.chunk().await? {
            all.extend_from_slice(&more);
        }
        Ok(Bytes::from(all))
    }

    /// Sends `body` and answers once the node's response headers are in
    /// with a success status; its body is still to be read. A call goes
    /// out on the most recently used idle connection, else a new one; when
    /// an idle connection turns out closed before the call was written
    /// into it (the node closed it just then), the call goes out once more
    /// on a new connection.
    async fn send(&self, body: Bytes) -> Result<Answer, UpstreamError> {
        self.start_reaping();
        let inner = &self.inner;
        let mut request = Request::post(inner.path.clone())
            .header(header::HOST, inner.host.clone())
            .header(header::CONTENT_TYPE, "text/xml")
            .body(Full::new(body))
            .map_err(|e| UpstreamError::Transport(format!("building the request: {e}")))?;
        let mut pooled = inner.take_idle();
        loop {
            let reused = pooled.is_some();
            let conn = match pooled.take() {
                Some(conn) => conn,
                None => self.connect().await?,
            };
            let (conn, sent) = exchange(conn, request).await;
            let response = match sent {
                Ok(response) => response,
                Err(Unanswered {
                    unsent: Some(unsent),
                    error,
                }) if reused => {
                    tracing::debug!(cause = %error, "a pooled connection to the node had closed: the call goes out on a new one");
                    request = unsent;
                    continue;
                }
                Err(Unanswered { error, .. }) => {
                    return Err(UpstreamError::Transport(with_cause(
                        "error sending request",
                        &error,
                    )));
                }
            };
            let status = response.status();
            let mut answer = Answer {
                body: response.into_body(),
                conn: Some(conn),
                pool: Arc::downgrade(inner),
            };
            if !status.is_success() {
                // A short error page (a proxy's 502 or 503) is read out,
                // so that its connection serves the next call and a node
                // in trouble is spared a new handshake; a longer one, or
                // one of unknown length, closes the connection with it.
                if answer
                    .body
                    .size_hint()
                    .exact()
                    .is_some_and(|length| length <= ERROR_PAGE_BYTES)
                {
                    while let Ok(Some(_)) = answer.chunk().await {}
                }
                return Err(UpstreamError::Status(status.as_u16()));
            }
            return Ok(answer);
        }
    }

    /// A new connection to the node, within the connect timeout.
    async fn connect(&self) -> Result<Conn, UpstreamError> {
        let inner = &self.inner;
        let io = match inner.connector.clone().oneshot(inner.uri.clone()).await {
            Ok(io) => io,
            Err(e) => {
                let sorted = classify_connect(&*e);
                if sorted == UpstreamError::Connect {
                    // The fault says "unreachable"; the log says why
                    // (refused, an unknown name, a certificate not
                    // trusted).
                    tracing::warn!(
                        node_url = %inner.uri,
                        cause = %with_cause("connecting", &*e),
                        "could not connect to the node"
                    );
                }
                return Err(sorted);
            }
        };
        let (sender, driver) = http1::handshake(io)
            .await
            .map_err(|e| UpstreamError::Transport(with_cause("starting HTTP", &e)))?;
        Ok(Conn {
            sender,
            driver: Some(Box::pin(driver)),
            idle_since: Instant::now(),
        })
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
        let response = tokio::time::timeout(timeout, self.send(body))
            .await
            .map_err(|_| UpstreamError::Timeout)??;
        Ok(Opened {
            response,
            left: timeout.saturating_sub(started.elapsed()),
        })
    }
}

/// Sends `request` on `conn`, polling the connection meanwhile, up to the
/// answer's headers. Answers the connection with the outcome; an error
/// hands back the request when it was not written.
async fn exchange(
    mut conn: Conn,
    request: Request<Full<Bytes>>,
) -> (Conn, Result<Response<Incoming>, Unanswered>) {
    let Conn { sender, driver, .. } = &mut conn;
    let sent = {
        let mut sending = pin!(async {
            if let Err(error) = sender.ready().await {
                return Err((error, Some(request)));
            }
            sender.try_send_request(request).await.map_err(|mut e| {
                let unsent = e.take_message();
                (e.into_error(), unsent)
            })
        });
        tokio::select! {
            biased;
            sent = sending.as_mut() => sent,
            // The connection ended: the call learns that it did, the
            // connection's error says why.
            broke = Conn::end(driver) => match (sending.await, broke) {
                (Err((_, unsent)), Some(cause)) => Err((cause, unsent)),
                (sent, _) => sent,
            },
        }
    };
    (
        conn,
        sent.map_err(|(error, unsent)| Unanswered { error, unsent }),
    )
}

/// A call that got no answer, with its request when it was not written
/// (so it may go out again).
struct Unanswered {
    error: hyper::Error,
    unsent: Option<Request<Full<Bytes>>>,
}

/// A node's answer whose headers are in and whose body is still to be
/// read, with the connection it comes on: reading the body drives the
/// connection, and once the body is read to its end the connection goes
/// back to the pool. An answer put down before its end closes it.
#[derive(Debug)]
pub struct Answer {
    body: Incoming,
    conn: Option<Conn>,
    pool: Weak<Inner>,
}

impl Answer {
    /// The body's length as its `Content-Length` gives it (0 when it
    /// gives none).
    fn expected(&self) -> u64 {
        self.body.size_hint().exact().unwrap_or(0)
    }

    /// The next piece of the body; `None` at its end. Trailers, which
    /// XML-RPC does not use, are skipped.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, UpstreamError> {
        loop {
            let frame = match &mut self.conn {
                // The connection may end first (the node closed it after
                // this answer, or it broke): the body then says which.
                Some(conn) => tokio::select! {
                    biased;
                    frame = self.body.frame() => frame,
                    _ = Conn::end(&mut conn.driver) => continue,
                },
                None => self.body.frame().await,
            };
            match frame {
                None => {
                    if let (Some(conn), Some(pool)) = (self.conn.take(), self.pool.upgrade()) {
                        pool.put_back(conn);
                    }
                    return Ok(None);
                }
                Some(Err(e)) => {
                    return Err(UpstreamError::Transport(with_cause(
                        "error reading the answer",
                        &e,
                    )));
                }
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Ok(Some(data));
                    }
                }
            }
        }
    }
}

/// A request whose answer is read as it arrives ([`HttpCall::open`]).
#[derive(Debug, Clone)]
pub struct Streamed(pub Bytes);

/// A node's answer whose body is still to be read.
#[derive(Debug)]
pub struct Opened {
    /// The answer, its headers in.
    pub response: Answer,
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

/// A connector whose whole set-up of a connection (the name lookup, TCP,
/// the TLS handshake) must end within `timeout`, else it fails as timed
/// out (`upstream.connect_timeout_ms`).
#[derive(Debug, Clone)]
struct Timed<C> {
    inner: C,
    timeout: Duration,
}

impl<C> Service<Uri> for Timed<C>
where
    C: Service<Uri>,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(connected) => connected.map_err(Into::into),
                Err(_) => Err(Box::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "connecting timed out",
                )) as BoxError),
            }
        })
    }
}

/// Sorts an error of the connector into what the gateway tells apart;
/// never keeps the URL. A connection that could not be made is `Connect`
/// (refused, the name unknown, a certificate not trusted), or `Timeout`
/// when the connect timeout ran out.
fn classify_connect(e: &(dyn std::error::Error + 'static)) -> UpstreamError {
    let timed_out = std::iter::once(e).chain(causes(e)).any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
    });
    if timed_out {
        UpstreamError::Timeout
    } else {
        UpstreamError::Connect
    }
}

/// The error's sources, innermost last.
fn causes<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(e.source(), |c| c.source())
}

/// `what`, then the error's innermost cause (the error itself when it has
/// none).
fn with_cause(what: &str, e: &(dyn std::error::Error + 'static)) -> String {
    match causes(e).last() {
        Some(cause) => format!("{what}: {cause}"),
        None => format!("{what}: {e}"),
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
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

    /// A node that answers every call with an empty list, keeping each
    /// connection open for `per_connection` calls (without saying it
    /// will close it); counts the connections it took.
    async fn keep_alive_node(per_connection: usize) -> (String, Arc<AtomicUsize>) {
        keep_alive_node_failing(per_connection, 0).await
    }

    /// [`keep_alive_node`] whose first `failing` answers (over all its
    /// connections) are a short 503 page.
    async fn keep_alive_node_failing(
        per_connection: usize,
        failing: usize,
    ) -> (String, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let taken = Arc::new(AtomicUsize::new(0));
        let counted = taken.clone();
        let answered = Arc::new(AtomicUsize::new(0));
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let answered = answered.clone();
                tokio::spawn(async move {
                    let body: &[u8] = b"<?xml version=\"1.0\"?><methodResponse><params><param><value><array><data></data></array></value></param></params></methodResponse>";
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    let mut buf = [0u8; 4096];
                    for _ in 0..per_connection {
                        if matches!(socket.read(&mut buf).await, Ok(0) | Err(_)) {
                            return;
                        }
                        let answer = if answered.fetch_add(1, Ordering::SeqCst) < failing {
                            b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/html\r\ncontent-length: 29\r\n\r\n<h1>Service Unavailable</h1>\n".to_vec()
                        } else {
                            [head.as_bytes(), body].concat()
                        };
                        if socket.write_all(&answer).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (format!("http://{addr}/rpc/api"), taken)
    }

    /// Calls one after another go out on one connection, which waits in
    /// the pool between them.
    #[tokio::test]
    async fn calls_take_turns_on_one_pooled_connection() {
        let (url, taken) = keep_alive_node(usize::MAX).await;
        let call = HttpCall::new(&url, &UpstreamConfig::default()).unwrap();
        for _ in 0..20 {
            call.post(Bytes::from_static(b"<methodCall/>"))
                .await
                .unwrap();
        }
        assert_eq!(taken.load(Ordering::SeqCst), 1);
        assert_eq!(call.idle(), 1);
    }

    /// A node that closes every connection after one answer, as a node
    /// closes idle keep-alive connections: no call fails for it, each
    /// goes out on a new connection, and the closed ones are not kept.
    #[tokio::test]
    async fn connections_the_node_closed_are_not_used_again() {
        let (url, taken) = keep_alive_node(1).await;
        let call = HttpCall::new(&url, &UpstreamConfig::default()).unwrap();
        for _ in 0..20 {
            call.post(Bytes::from_static(b"<methodCall/>"))
                .await
                .unwrap();
        }
        assert_eq!(taken.load(Ordering::SeqCst), 20);
        // The last one closed while idle: looking the pool over drops it.
        crate::route::tests::eventually("the pool lets the closed connection go", || {
            call.inner.reap();
            std::future::ready(call.idle() == 0)
        })
        .await;
    }

    /// A connection idle for longer than `upstream.idle_ms` is let go
    /// rather than used again (before the node, whose own limit is
    /// longer, closes it under a call), even before the reaper ran.
    #[tokio::test]
    async fn a_connection_idle_past_the_limit_is_not_used_again() {
        let (url, taken) = keep_alive_node(usize::MAX).await;
        let cfg = UpstreamConfig {
            idle_ms: 10_000,
            ..UpstreamConfig::default()
        };
        let call = HttpCall::new(&url, &cfg).unwrap();
        for _ in 0..2 {
            call.post(Bytes::from_static(b"<methodCall/>"))
                .await
                .unwrap();
        }
        assert_eq!(taken.load(Ordering::SeqCst), 1);
        // Idle for 11 s as far as the pool knows; the reaper's first
        // round is 5 s away.
        for conn in call.inner.idle.lock().unwrap().iter_mut() {
            conn.idle_since = Instant::now().checked_sub(Duration::from_secs(11)).unwrap();
        }
        call.post(Bytes::from_static(b"<methodCall/>"))
            .await
            .unwrap();
        assert_eq!(taken.load(Ordering::SeqCst), 2);
    }

    /// `upstream.idle_ms = 0`: every call has a connection of its own,
    /// none is kept.
    #[tokio::test]
    async fn an_idle_limit_of_zero_keeps_no_connection() {
        let (url, taken) = keep_alive_node(usize::MAX).await;
        let cfg = UpstreamConfig {
            idle_ms: 0,
            ..UpstreamConfig::default()
        };
        let call = HttpCall::new(&url, &cfg).unwrap();
        for _ in 0..3 {
            call.post(Bytes::from_static(b"<methodCall/>"))
                .await
                .unwrap();
            assert_eq!(call.idle(), 0);
        }
        assert_eq!(taken.load(Ordering::SeqCst), 3);
    }

    /// A client made outside a runtime starts its reaper with its first
    /// call: the connection idle past the limit is closed without another
    /// call taking the pool's turn.
    #[test]
    fn a_client_made_outside_a_runtime_reaps_once_it_calls() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (url, _) = runtime.block_on(keep_alive_node(usize::MAX));
        let cfg = UpstreamConfig {
            idle_ms: 100,
            ..UpstreamConfig::default()
        };
        let call = HttpCall::new(&url, &cfg).unwrap();
        runtime.block_on(async {
            call.post(Bytes::from_static(b"<methodCall/>"))
                .await
                .unwrap();
            assert_eq!(call.idle(), 1);
            crate::route::tests::eventually("the reaper closes the idle connection", || {
                std::future::ready(call.idle() == 0)
            })
            .await;
        });
    }

    /// A short error page is read out, and its connection serves the
    /// next call.
    #[tokio::test]
    async fn a_short_error_page_keeps_its_connection() {
        let (url, taken) = keep_alive_node_failing(usize::MAX, 2).await;
        let call = HttpCall::new(&url, &UpstreamConfig::default()).unwrap();
        for _ in 0..2 {
            let failed = call.post(Bytes::from_static(b"<methodCall/>")).await;
            assert_eq!(failed, Err(UpstreamError::Status(503)));
        }
        call.post(Bytes::from_static(b"<methodCall/>"))
            .await
            .unwrap();
        assert_eq!(taken.load(Ordering::SeqCst), 1);
    }

    /// An answer that is not read to its end closes its connection: the
    /// next call goes out on a new one.
    #[tokio::test]
    async fn an_answer_put_down_early_closes_its_connection() {
        let (url, taken) = keep_alive_node(usize::MAX).await;
        let call = HttpCall::new(&url, &UpstreamConfig::default()).unwrap();
        let opened = call
            .open(Bytes::from_static(b"<methodCall/>"))
            .await
            .unwrap();
        drop(opened);
        assert_eq!(call.idle(), 0);
        call.post(Bytes::from_static(b"<methodCall/>"))
            .await
            .unwrap();
        assert_eq!(taken.load(Ordering::SeqCst), 2);
        assert_eq!(call.idle(), 1);
    }

    /// A node that answers `raw` to the first call on its first
    /// connection, then keeps that connection open.
    async fn node_answering(raw: &'static [u8]) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            tokio::io::AsyncWriteExt::write_all(&mut socket, raw)
                .await
                .unwrap();
            std::future::pending::<()>().await;
        });
        format!("http://{addr}/rpc/api")
    }

    /// A redirect is not followed: the call fails with its status.
    #[tokio::test]
    async fn a_redirect_is_the_status_it_is() {
        let url = node_answering(
            b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.test/rpc/api\r\nContent-Length: 0\r\n\r\n",
        )
        .await;
        let call = HttpCall::new(&url, &UpstreamConfig::default()).unwrap();
        let err = call.post(Bytes::from_static(b"<methodCall/>")).await;
        assert_eq!(err, Err(UpstreamError::Status(302)));
    }

    /// An answer whose body never ends times out within the per-call
    /// timeout, which covers the body too.
    #[tokio::test]
    async fn a_body_that_never_ends_times_out() {
        let url = node_answering(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<?xml").await;
        let cfg = UpstreamConfig {
            timeout_ms: 300,
            ..UpstreamConfig::default()
        };
        let call = HttpCall::new(&url, &cfg).unwrap();
        let err = call.post(Bytes::from_static(b"<methodCall/>")).await;
        assert_eq!(err, Err(UpstreamError::Timeout));
    }

    /// A node that takes the connection but never completes the TLS
    /// handshake fails as timed out after the connect timeout, not the
    /// per-call one.
    #[tokio::test]
    async fn a_handshake_that_never_ends_times_out_as_a_connect() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (_socket, _) = listener.accept().await.unwrap();
            std::future::pending::<()>().await;
        });
        let cfg = UpstreamConfig {
            connect_timeout_ms: 200,
            timeout_ms: 600_000,
            accept_invalid_certs: true,
            ..UpstreamConfig::default()
        };
        let call = HttpCall::new(&format!("https://{addr}/rpc/api"), &cfg).unwrap();
        let answer = tokio::time::timeout(
            Duration::from_secs(60),
            call.post(Bytes::from_static(b"<methodCall/>")),
        )
        .await
        .expect("the connect timeout applies to the handshake");
        assert_eq!(answer, Err(UpstreamError::Timeout));
    }

    /// The nodes' TLS configuration is made once it can be: a CA file
    /// that cannot be read fails the client, and once it is there the
    /// next client is made.
    #[test]
    fn a_tls_configuration_that_failed_is_tried_again() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("nodes-ca.pem");
        let cfg = UpstreamConfig {
            ca: Some(ca.clone()),
            ..UpstreamConfig::default()
        };
        let shared = ClientTls::default();
        let url = "https://node.test/rpc/api";
        let missing = HttpCall::with_tls(url, &cfg, &shared).unwrap_err();
        assert!(
            matches!(&missing, UpstreamError::Tls(what) if what.contains("nodes-ca.pem")),
            "{missing:?}"
        );
        let certified = rcgen::generate_simple_self_signed(vec!["node.test".to_owned()]).unwrap();
        std::fs::write(&ca, certified.cert.pem()).unwrap();
        HttpCall::with_tls(url, &cfg, &shared).unwrap();
        // Made now: later clients share it, the file is not read again.
        std::fs::remove_file(&ca).unwrap();
        HttpCall::with_tls(url, &cfg, &shared).unwrap();
    }

    /// Only absolute `http` and `https` URLs without credentials name a
    /// node.
    #[test]
    fn only_http_urls_name_a_node() {
        let cfg = UpstreamConfig::default();
        for bad in [
            "ftp://node.test/rpc/api",
            "node.test/rpc/api",
            "http://",
            "https://admin:secret@node.test/rpc/api",
            "http://admin@node.test/rpc/api",
        ] {
            assert_eq!(
                HttpCall::new(bad, &cfg).unwrap_err(),
                UpstreamError::BadUrl,
                "{bad}"
            );
        }
        assert!(HttpCall::new("http://node.test/rpc/api", &cfg).is_ok());
        assert!(HttpCall::new("https://node.test/rpc/api", &cfg).is_ok());
    }
}
