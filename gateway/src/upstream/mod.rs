//! Talking to the nodes: one pooled keep-alive HTTP client per node
//! ([`http`]), behind a circuit breaker ([`breaker`], a tower layer), with
//! retries for idempotent reads, per-node metrics ([`metrics`]) and the
//! reusable fan-out piece ([`call_many`]).

pub mod breaker;
pub mod call_many;
pub mod http;
pub mod metrics;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tower::{Layer, ServiceExt};
use xmlrpc::{Limits, MethodResponse};

use self::breaker::{Breaker, BreakerLayer};
use self::http::{HttpCall, Streamed};
use self::metrics::{Metrics, NodeMetrics};
use crate::config::{BreakerConfig, UpstreamConfig};

/// Responses larger than this are parsed off the I/O threads.
pub(crate) const BLOCKING_PARSE_BYTES: usize = 64 * 1024;

/// Why a node gave no answer. Never carries URLs or bodies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    /// The call took longer than the per-call timeout.
    #[error("timed out")]
    Timeout,
    /// No connection could be made.
    #[error("unreachable")]
    Connect,
    /// The node's circuit breaker is open.
    #[error("circuit open after repeated failures")]
    CircuitOpen,
    /// The node answered an HTTP error status.
    #[error("HTTP status {0}")]
    Status(u16),
    /// The connection failed mid-exchange.
    #[error("transport error: {0}")]
    Transport(String),
    /// The node's answer is not XML-RPC.
    #[error("answer is not XML-RPC: {0}")]
    BadResponse(String),
    /// The node's URL does not parse.
    #[error("the node's API URL is not valid")]
    BadUrl,
    /// The node does not serve traffic in its lifecycle state.
    #[error("node is {0}")]
    NotServing(&'static str),
    /// The TLS setup towards the node failed.
    #[error("TLS setup failed: {0}")]
    Tls(String),
}

impl UpstreamError {
    /// Whether another attempt of an idempotent read may help.
    fn retryable(&self) -> bool {
        matches!(
            self,
            UpstreamError::Connect | UpstreamError::Transport(_) | UpstreamError::Status(502..=504)
        )
    }
}

/// One node's client: HTTP service, breaker and metrics.
#[derive(Debug)]
pub struct NodeClient {
    url: String,
    service: Breaker<HttpCall>,
    breaker: BreakerLayer,
    metrics: Arc<NodeMetrics>,
    retries: u32,
}

impl NodeClient {
    /// Sends a call (encoded) to the node and answers the node's response
    /// document unparsed. Idempotent reads that got no answer are tried
    /// again up to the configured count; faults are answers and pass
    /// through untouched.
    pub async fn exchange_encoded(
        &self,
        body: Bytes,
        idempotent: bool,
    ) -> Result<Bytes, UpstreamError> {
        self.attempts(
            idempotent,
            |started, result: &Result<Bytes, _>| {
                self.metrics.observe(started.elapsed(), result.is_err());
            },
            || self.service.clone().oneshot(body.clone()),
        )
        .await
    }

    /// Sends a call (encoded) to the node and answers as soon as the response starts:
    /// its body is read piece by piece from the [`NodeStream`]. Retries
    /// as [`NodeClient::exchange_encoded`] does, up to the response's start; the
    /// call is counted in the metrics once its body has been read.
    pub async fn open(&self, body: Bytes, idempotent: bool) -> Result<NodeStream, UpstreamError> {
        let mut started = Instant::now();
        let response = self
            .attempts(
                idempotent,
                |at, result: &Result<http::Opened, _>| match result {
                    Ok(_) => started = at,
                    Err(_) => self.metrics.observe(at.elapsed(), true),
                },
                || self.service.clone().oneshot(Streamed(body.clone())),
            )
            .await?;
        Ok(NodeStream {
            response: response.response,
            left: response.left,
            waited: started.elapsed(),
            read: 0,
            metrics: self.metrics.clone(),
            breaker: self.breaker.clone(),
            settled: false,
            judged: false,
        })
    }

    /// Runs `attempt` once, or for idempotent reads up to the configured
    /// number of times while it fails in a way another attempt may mend;
    /// `observe` sees each attempt's start and result.
    async fn attempts<T, Fut>(
        &self,
        idempotent: bool,
        mut observe: impl FnMut(Instant, &Result<T, UpstreamError>),
        attempt: impl Fn() -> Fut,
    ) -> Result<T, UpstreamError>
    where
        Fut: Future<Output = Result<T, UpstreamError>>,
    {
        let attempts = if idempotent { 1 + self.retries } else { 1 };
        let mut tried = 0;
        loop {
            tried += 1;
            let started = Instant::now();
            let result = attempt().await;
            observe(started, &result);
            match result {
                Err(e) if tried < attempts && e.retryable() => {
                    tracing::debug!(cause = %e, attempt = tried, "retrying a read");
                    tokio::time::sleep(Duration::from_millis(25 * u64::from(tried))).await;
                }
                result => return result,
            }
        }
    }

    /// Whether the breaker refuses calls now.
    pub fn is_open(&self) -> bool {
        self.breaker.is_open()
    }
}

/// A node's answer being read ([`NodeClient::open`]). Its end or its
/// break is what the node's breaker counts; one put down before either
/// (the client went away, another node cut the answer off) counts as the
/// success it was so far, which also ends a half-open trial.
#[derive(Debug)]
pub struct NodeStream {
    response: http::Answer,
    /// What is left of the per-call timeout for waiting on the node:
    /// time the gateway spends passing what it read on does not count.
    left: Duration,
    /// Time spent waiting on the node so far (to the response's start,
    /// then for each piece): its latency in the metrics.
    waited: Duration,
    read: usize,
    metrics: Arc<NodeMetrics>,
    breaker: BreakerLayer,
    /// Whether the metrics counted the answer.
    settled: bool,
    /// Whether the breaker was told how the node did.
    judged: bool,
}

impl Drop for NodeStream {
    fn drop(&mut self) {
        if !self.judged {
            self.breaker.record_success();
        }
    }
}

impl NodeStream {
    /// Counts this answer as read whole before it could be merged (see
    /// [`NodeMetrics::read_whole`]).
    pub fn note_read_whole(&self) {
        self.metrics.read_whole();
    }

    /// Tells the breaker the node did its part: it sent faster than the
    /// gateway could pass it on, and what holds the answer up now is the
    /// gateway's own client. A half-open circuit's trial call then ends
    /// here rather than when a slow client has read it all; a break later
    /// on is still counted in the metrics, not by the breaker.
    pub fn vouch(&mut self) {
        if !std::mem::replace(&mut self.judged, true) {
            self.breaker.record_success();
        }
    }

    /// The next piece of the body; `None` at its end. A body over
    /// [`Limits::RESPONSE`] or one that breaks off is the node's failure,
    /// counted by its breaker and metrics as a call that got no answer.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, UpstreamError> {
        let waiting = tokio::time::Instant::now();
        let read = tokio::time::timeout(self.left, self.response.chunk()).await;
        let waited = waiting.elapsed();
        self.left = self.left.saturating_sub(waited);
        self.waited += waited;
        let failed = match read {
            Err(_) => UpstreamError::Timeout,
            Ok(Ok(Some(chunk))) => {
                self.read += chunk.len();
                if self.read <= Limits::RESPONSE.max_body_bytes {
                    return Ok(Some(chunk));
                }
                UpstreamError::BadResponse(format!(
                    "the answer is larger than the limit of {} bytes",
                    Limits::RESPONSE.max_body_bytes
                ))
            }
            Ok(Ok(None)) => {
                self.settle(false);
                return Ok(None);
            }
            Ok(Err(e)) => e,
        };
        self.settle(true);
        Err(failed)
    }

    /// Counts how the answer ended in the metrics and the breaker, once.
    fn settle(&mut self, failed: bool) {
        if std::mem::replace(&mut self.settled, true) {
            return;
        }
        self.metrics.observe(self.waited, failed);
        if std::mem::replace(&mut self.judged, true) {
            return;
        }
        if failed {
            self.breaker.record_failure();
        } else {
            self.breaker.record_success();
        }
    }
}

/// Parses a node's response document (off the I/O threads when large).
pub async fn parse(body: Bytes) -> Result<MethodResponse, UpstreamError> {
    let large = body.len() > BLOCKING_PARSE_BYTES;
    let parse = move || {
        xmlrpc::parse_response(&body, &Limits::RESPONSE)
            .map_err(|e| UpstreamError::BadResponse(e.to_string()))
    };
    if !large {
        return parse();
    }
    tokio::task::spawn_blocking(parse)
        .await
        .unwrap_or_else(|_| Err(UpstreamError::BadResponse("the parser failed".into())))
}

/// The clients of every node, made on first use and remade when a node's
/// URL changes.
#[derive(Debug)]
pub struct Upstreams {
    cfg: UpstreamConfig,
    breaker: BreakerConfig,
    metrics: Arc<Metrics>,
    tls: http::ClientTls,
    clients: Mutex<HashMap<String, Arc<NodeClient>>>,
}

impl Upstreams {
    /// No clients yet.
    pub fn new(cfg: UpstreamConfig, breaker: BreakerConfig, metrics: Arc<Metrics>) -> Upstreams {
        Upstreams {
            cfg,
            breaker,
            metrics,
            tls: http::ClientTls::default(),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// The client of node `id` at `api_url`.
    pub fn client(&self, id: &str, api_url: &str) -> Result<Arc<NodeClient>, UpstreamError> {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = clients.get(id)
            && c.url == api_url
        {
            return Ok(c.clone());
        }
        let breaker = BreakerLayer::new(
            self.breaker.failures_to_open,
            Duration::from_millis(self.breaker.open_ms),
        );
        let client = Arc::new(NodeClient {
            url: api_url.to_owned(),
            service: breaker.layer(HttpCall::with_tls(api_url, &self.cfg, &self.tls)?),
            breaker,
            metrics: self.metrics.node(id),
            retries: self.cfg.read_retries,
        });
        clients.insert(id.to_owned(), client.clone());
        Ok(client)
    }

    /// Whether node `id`'s breaker refuses calls now (false for a node
    /// never called).
    pub fn is_open(&self, id: &str) -> bool {
        let clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients.get(id).is_some_and(|c| c.is_open())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A node that starts every answer and, while `break_off` is set,
    /// closes the connection halfway through it.
    async fn node(break_off: Arc<AtomicBool>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let break_off = break_off.load(Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    let body: &[u8] = b"<?xml version=\"1.0\"?><methodResponse><params><param><value><array><data></data></array></value></param></params></methodResponse>";
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = socket.write_all(head.as_bytes()).await;
                    let sent = if break_off { &body[..40] } else { body };
                    let _ = socket.write_all(sent).await;
                });
            }
        });
        format!("http://{addr}/rpc/api")
    }

    /// A node that answers a list of `pieces` bytes each, one every
    /// `pause`, with the length of `whole` pieces announced (the rest
    /// never comes).
    async fn paced_node(pieces: usize, whole: usize, pause: Duration) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    const PIECE: &[u8] = b"<value><struct></struct></value>";
                    let head = "<?xml version=\"1.0\"?><methodResponse><params><param><value><array><data>";
                    let tail = "</data></array></value></param></params></methodResponse>";
                    let length = head.len() + whole * PIECE.len() + tail.len();
                    let start = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: {length}\r\n\r\n{head}"
                    );
                    let _ = socket.write_all(start.as_bytes()).await;
                    for _ in 0..pieces {
                        tokio::time::sleep(pause).await;
                        let _ = socket.write_all(PIECE).await;
                    }
                    if pieces == whole {
                        let _ = socket.write_all(tail.as_bytes()).await;
                    }
                    // Hold the connection for whoever still waits.
                    tokio::time::sleep(Duration::from_secs(30)).await;
                });
            }
        });
        format!("http://{addr}/rpc/api")
    }

    /// Clients of nodes with a per-call timeout of `timeout_ms`.
    fn timed(timeout_ms: u64) -> Upstreams {
        let cfg = UpstreamConfig {
            timeout_ms,
            ..UpstreamConfig::default()
        };
        Upstreams::new(cfg, BreakerConfig::default(), Arc::new(Metrics::default()))
    }

    #[tokio::test]
    async fn only_the_time_spent_waiting_for_the_node_counts_against_its_timeout() {
        // A whole answer in 3 pieces 50 ms apart, read by a gateway that
        // takes 400 ms to pass each piece on: 1.2 s in all, against a
        // timeout of 300 ms.
        let url = paced_node(3, 3, Duration::from_millis(50)).await;
        let upstreams = timed(300);
        let client = upstreams.client("n1", &url).unwrap();
        let mut stream = client.open(Bytes::from_static(CALL), false).await.unwrap();
        let mut read = Vec::new();
        while let Some(piece) = stream.chunk().await.unwrap() {
            read.extend_from_slice(&piece);
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        assert!(read.ends_with(b"</methodResponse>"));

        // A node that stalls mid-answer, or trickles it, times out all the
        // same: 300 ms of waiting in all.
        for url in [
            paced_node(1, 2, Duration::ZERO).await,
            paced_node(20, 20, Duration::from_millis(40)).await,
        ] {
            let client = upstreams.client("n2", &url).unwrap();
            let stream = client.open(Bytes::from_static(CALL), false).await.unwrap();
            let began = Instant::now();
            assert_eq!(read_out(stream).await, Err(UpstreamError::Timeout));
            assert!(began.elapsed() < Duration::from_secs(5));
        }
    }

    fn upstreams(failures_to_open: u32, open_ms: u64) -> Upstreams {
        Upstreams::new(
            UpstreamConfig::default(),
            BreakerConfig {
                failures_to_open,
                open_ms,
            },
            Arc::new(Metrics::default()),
        )
    }

    /// Reads an answer to its end or its break.
    async fn read_out(mut stream: NodeStream) -> Result<(), UpstreamError> {
        while stream.chunk().await?.is_some() {}
        Ok(())
    }

    const CALL: &[u8] = b"<?xml version=\"1.0\"?><methodCall><methodName>system.listSystems</methodName></methodCall>";

    #[tokio::test]
    async fn answers_that_start_and_break_off_open_the_circuit() {
        let url = node(Arc::new(AtomicBool::new(true))).await;
        let upstreams = upstreams(2, 60_000);
        let client = upstreams.client("n1", &url).unwrap();
        for _ in 0..2 {
            let stream = client.open(Bytes::from_static(CALL), false).await.unwrap();
            assert!(read_out(stream).await.is_err());
        }
        assert!(upstreams.is_open("n1"));
        assert!(matches!(
            client.open(Bytes::from_static(CALL), false).await,
            Err(UpstreamError::CircuitOpen)
        ));
    }

    /// A node `n1` whose answers break off while the flag is set, behind
    /// a breaker that one break opens for 50 ms: broken once, and half
    /// open now (not asserted: a busy machine may take longer to look).
    async fn half_open() -> (Arc<AtomicBool>, Upstreams, Arc<NodeClient>) {
        let break_off = Arc::new(AtomicBool::new(true));
        let url = node(break_off.clone()).await;
        let upstreams = upstreams(1, 50);
        let client = upstreams.client("n1", &url).unwrap();
        let stream = client.open(Bytes::from_static(CALL), false).await.unwrap();
        assert!(read_out(stream).await.is_err());
        tokio::time::sleep(Duration::from_millis(60)).await;
        (break_off, upstreams, client)
    }

    #[tokio::test]
    async fn a_trial_answer_put_down_unread_closes_the_circuit() {
        let (break_off, upstreams, client) = half_open().await;
        break_off.store(false, Ordering::SeqCst);
        // The half-open trial: its answer starts, and is put down unread
        // (the client went away).
        let trial = client.open(Bytes::from_static(CALL), false).await.unwrap();
        assert!(
            upstreams.is_open("n1"),
            "judged only once the answer is read or put down"
        );
        drop(trial);
        assert!(!upstreams.is_open("n1"));
        let stream = client.open(Bytes::from_static(CALL), false).await.unwrap();
        read_out(stream).await.unwrap();
    }

    #[tokio::test]
    async fn a_trial_answer_vouched_for_closes_the_circuit_before_it_is_read() {
        let (_break_off, upstreams, client) = half_open().await;
        // The trial's answer is held up by the gateway's own client: the
        // node did its part, and the next call need not wait for it.
        let mut trial = client.open(Bytes::from_static(CALL), false).await.unwrap();
        assert!(upstreams.is_open("n1"));
        trial.vouch();
        assert!(!upstreams.is_open("n1"));
        // A break after that is the metrics' to count, not the breaker's.
        assert!(read_out(trial).await.is_err());
        assert!(!upstreams.is_open("n1"));
    }
}
