//! The HTTP face: `/rpc/api` (POST; GET redirects to the API docs as the
//! server does), `/metrics` (Prometheus text) and `/healthz`, with a
//! request id on every request, plain or TLS, and graceful shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::future::BoxFuture;
use tokio::net::TcpListener;
use tower::Service;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tracing::Instrument;
use xmlrpc::{Fault, MethodResponse, Value};

use crate::config::GatewayConfig;
use crate::directory::Directory;
use crate::route::{DirectorPlacer, Reply};
use crate::state::Gateway;
use crate::tls::{self, TlsError, TlsListener};

/// How long in-flight requests may run on after shutdown begins.
const GRACE: Duration = Duration::from_secs(30);

/// Answers larger than this many items are encoded off the I/O threads.
const LARGE_ANSWER: usize = 1000;

/// Why the gateway could not start or serve.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The local state store could not be opened, or the director's
    /// could not be read.
    #[error("opening the state store: {0}")]
    Store(#[from] director::store::StoreError),
    /// The configuration cannot be used (the director's token or CA).
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Serving failed.
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// The gateway a configuration describes. With a director
/// (`[director]`), its nodes, identity map, sessions and placement are the
/// director's, read through its gateway API (the token from the
/// environment or the token file); the node list is read before this
/// returns, so a wrong URL or token fails here. Without one, the static
/// node list and the local store.
pub async fn build(cfg: GatewayConfig) -> Result<Gateway, RunError> {
    let metrics_token = cfg.metrics.token(|name| std::env::var(name).ok())?;
    let Some(director) = cfg.director.clone() else {
        let directory = Arc::new(Directory::from_config(&cfg)?);
        return Ok(Gateway::new(cfg, directory).with_metrics_token(metrics_token));
    };
    let link = director.link(|name| std::env::var(name).ok())?;
    if link.exposes_token() {
        tracing::warn!(director = %link.url(), "the director's gateway token, which reads and writes the shared sessions, travels unencrypted: use https");
    }
    let directory = Arc::new(Directory::from_store(link.store()).await?);
    tracing::info!(director = %link.url(), nodes = directory.nodes().len(), "linked to the director");
    Ok(Gateway::new(cfg, directory)
        .with_placer(Arc::new(DirectorPlacer(link)))
        .with_metrics_token(metrics_token))
}

/// Runs the gateway `cfg` describes ([`build`]) until `shutdown`
/// completes.
pub async fn run(
    cfg: GatewayConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    serve(Arc::new(build(cfg).await?), listener, shutdown).await
}

/// Serves `gateway` on `listener` (TLS when configured) until `shutdown`
/// completes; in-flight requests then get [`GRACE`] to finish, and the
/// changes staged nodes wait for up to 10 s to go out
/// ([`crate::route::broadcast::finish_following`]). Also keeps the
/// directory's node list fresh meanwhile.
pub async fn serve(
    gateway: Arc<Gateway>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let refresh = tokio::spawn(gateway.directory().clone().refresh_loop(stopped()));
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        let _ = stop_tx.send(true);
    });
    let app = tower::make::Shared::new(front(gateway.clone()));
    let serving = async {
        match &gateway.config().tls {
            Some(tls) => {
                let listener = TlsListener::new(listener, tls::server_config(tls)?)?;
                axum::serve(listener, app)
                    .with_graceful_shutdown(stopped())
                    .await?;
            }
            None => {
                axum::serve(listener, app)
                    .with_graceful_shutdown(stopped())
                    .await?;
            }
        }
        Ok::<(), RunError>(())
    };
    let grace = async {
        stopped().await;
        tokio::time::sleep(GRACE).await;
    };
    let result = tokio::select! {
        r = serving => r,
        () = grace => {
            tracing::warn!(grace = ?GRACE, "requests still in flight after the grace period: stopping anyway");
            Ok(())
        }
    };
    // Requests are done: what the staged nodes wait for goes out now.
    crate::route::broadcast::finish_following(&gateway, crate::route::broadcast::FOLLOW_DRAIN)
        .await;
    let _ = refresh.await;
    result
}

/// The request id header.
const X_REQUEST_ID: &str = "x-request-id";

/// Numbers requests: `x-request-id` when the client sent none.
#[derive(Debug, Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl Counter {
    /// The next number, as 16 hex digits.
    fn next(&self) -> HeaderValue {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        let mut digits = [0u8; 16];
        for (i, d) in digits.iter_mut().enumerate() {
            *d = HEX[((n >> (60 - 4 * i)) & 0xf) as usize];
        }
        HeaderValue::from_bytes(&digits).expect("hex digits are a header value")
    }
}

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        Some(RequestId::new(self.next()))
    }
}

/// The gateway's HTTP service as it is served: `POST /rpc/api`, the path
/// every XML-RPC call takes, goes straight to its handler, without the
/// router's layers; everything else goes through [`router`]. Both number
/// requests from one counter and answer with their `x-request-id`.
#[derive(Clone)]
pub struct Front {
    gateway: Arc<Gateway>,
    router: Router,
    ids: Counter,
}

impl std::fmt::Debug for Front {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Front").finish_non_exhaustive()
    }
}

/// The service [`serve`] serves for `gateway`.
pub fn front(gateway: Arc<Gateway>) -> Front {
    let ids = Counter::default();
    Front {
        router: routes(gateway.clone(), ids.clone()),
        gateway,
        ids,
    }
}

impl Service<Request<Body>> for Front {
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Service::<Request<Body>>::poll_ready(&mut self.router, cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if request.method() != Method::POST || request.uri().path() != "/rpc/api" {
            return Box::pin(self.router.call(request));
        }
        let gw = self.gateway.clone();
        let id = match request.headers().get(X_REQUEST_ID) {
            Some(id) => id.clone(),
            None => self.ids.next(),
        };
        Box::pin(async move {
            let mut response =
                answer_rpc(gw, id.to_str().unwrap_or("-"), request.into_body()).await;
            response.headers_mut().insert(X_REQUEST_ID, id);
            Ok(response)
        })
    }
}

/// The gateway's routes, `/rpc/api` among them, each request numbered.
pub fn router(gateway: Arc<Gateway>) -> Router {
    routes(gateway, Counter::default())
}

fn routes(gateway: Arc<Gateway>, ids: Counter) -> Router {
    let limit = gateway.config().limits.max_body_bytes;
    Router::new()
        .route("/rpc/api", post(rpc).get(redirect_to_docs))
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        // The HTTP (JSON) API, `/openapi.json` and Swagger UI at `/docs`.
        .merge(crate::rest::routes(gateway.clone()))
        .layer(DefaultBodyLimit::max(limit))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(ids))
        .with_state(gateway)
}

/// `POST /rpc/api` through the router (its layers numbered the request).
async fn rpc(State(gw): State<Arc<Gateway>>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let request_id = parts
        .headers
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    answer_rpc(gw, request_id, body).await
}

/// Answers one XML-RPC request: its body read up to the configured limit,
/// parsed, routed, and the answer encoded; every step's failure is the
/// server's fault, never an HTTP error. Logs in a span named `rpc` with the
/// request id and the method.
async fn answer_rpc(gw: Arc<Gateway>, request_id: &str, body: Body) -> Response {
    let limit = gw.config().limits.max_body_bytes;
    // Parsed first, so that the span is made with the method it names
    // (its fields are written out once, as it is made).
    let (call, span) = match axum::body::to_bytes(body, limit).await {
        Err(e) => {
            let span = tracing::info_span!("rpc", request_id = %request_id);
            // The error says what went wrong (too long, broken off), never
            // what the body held.
            span.in_scope(|| tracing::info!(error = %e, limit, "request body refused"));
            let fault = Fault::new(
                -1,
                format!(
                    "redstone.xmlrpc.XmlRpcFault: The request could not be read (limit {limit} bytes)"
                ),
            );
            (Err(fault), span)
        }
        Ok(body) => match xmlrpc::parse_call(&body, &gw.config().limits.to_limits()) {
            Ok(call) => {
                let span =
                    tracing::info_span!("rpc", request_id = %request_id, method = call.name.trim());
                (Ok(call), span)
            }
            Err(e) => (
                Err(e.to_fault()),
                tracing::info_span!("rpc", request_id = %request_id),
            ),
        },
    };
    async move {
        let answer = match call {
            Ok(call) => match gw.answer(call).await {
                Reply::Value(answer) => answer,
                // A fan-out list merged from the nodes' own bytes,
                // streamed as it is written.
                Reply::Encoded(body) => {
                    return ([(header::CONTENT_TYPE, "text/xml")], body).into_response();
                }
            },
            Err(fault) => Err(fault),
        };
        if let Err(f) = &answer {
            tracing::debug!(code = f.code, "answered a fault");
        }
        let xml = encode_answer(answer).await;
        ([(header::CONTENT_TYPE, "text/xml")], xml).into_response()
    }
    .instrument(span)
    .await
}

/// Encodes an answer as [`encode`] does, a large array off the I/O
/// threads.
pub(crate) async fn encode_answer(answer: MethodResponse) -> Vec<u8> {
    if matches!(&answer, Ok(Value::Array(items)) if items.len() > LARGE_ANSWER) {
        tokio::task::spawn_blocking(move || encode(answer))
            .await
            .unwrap_or_else(|_| {
                xmlrpc::encode_fault(&Fault::new(
                    -1,
                    "redstone.xmlrpc.XmlRpcFault: unhandled internal exception: encoding failed",
                ))
            })
    } else {
        encode(answer)
    }
}

/// Encodes an answer. A large array is written item by item, each item
/// dropped once written, into a buffer sized from the first items, so the
/// parsed answer and the document are not both whole in memory at once.
fn encode(answer: MethodResponse) -> Vec<u8> {
    match answer {
        Ok(Value::Array(items)) if items.len() > LARGE_ANSWER => {
            let count = items.len();
            let mut out = Vec::new();
            out.extend_from_slice(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodResponse><params><param><value><array><data>",
            );
            let head = out.len();
            let mut items = items.into_iter();
            for item in items.by_ref().take(64) {
                xmlrpc::write_value(&item, &mut out);
            }
            let per_item = (out.len() - head) / 64;
            out.reserve(per_item * (count - 64) + per_item * count / 50 + 128);
            for item in items {
                xmlrpc::write_value(&item, &mut out);
            }
            out.extend_from_slice(b"</data></array></value></param></params></methodResponse>");
            out
        }
        Ok(value) => xmlrpc::encode_response(&value),
        Err(fault) => xmlrpc::encode_fault(&fault),
    }
}

/// `GET /rpc/api`: the server redirects (302) to its API documentation.
async fn redirect_to_docs() -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, "/rhn/apidoc/index.jsp")],
    )
        .into_response()
}

/// `GET /metrics`: the gateway's counters in the Prometheus text format;
/// 401 without the bearer token `metrics.token_file` sets, if set.
async fn metrics(State(gw): State<Arc<Gateway>>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = gw.metrics_token() {
        let presented = director::api::auth::bearer_of(&headers);
        if !presented.is_some_and(|presented| token.matches(presented)) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "the gateway's metrics token is needed: send it as a bearer token\n",
            )
                .into_response();
        }
    }
    let mut text = gw.metrics().render();
    let (in_flight, max) = gw.fanout_in_flight();
    for (name, help, value) in [
        (
            "gateway_fanout_in_flight",
            "Fan-out calls holding a turn now.",
            in_flight,
        ),
        (
            "gateway_fanout_max_in_flight",
            "Fan-out calls answered at once (fanout.max_in_flight; 0: no bound).",
            max,
        ),
    ] {
        crate::upstream::metrics::single(&mut text, (name, "gauge", help), value);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// `GET /healthz`: 200 while some node serves, else 503.
async fn healthz(State(gw): State<Arc<Gateway>>) -> Response {
    let serving = gw.directory().serving().len();
    let status = if serving > 0 {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, format!("serving nodes: {serving}\n")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_sixteen_hex_digits() {
        let ids = Counter(Arc::new(AtomicU64::new(0x0123_4567_89ab_cdef)));
        assert_eq!(ids.next(), "0123456789abcdef");
        assert_eq!(ids.next(), "0123456789abcdf0");
        let last = Counter(Arc::new(AtomicU64::new(u64::MAX)));
        assert_eq!(last.next(), "ffffffffffffffff");
    }

    #[test]
    fn streamed_encoding_equals_the_codecs() {
        let items: Vec<Value> = (0..3000)
            .map(|i| {
                Value::Struct(
                    xmlrpc::Struct::new()
                        .with("id", Value::Int(i))
                        .with("name", Value::string(format!("host-{i}&<>"))),
                )
            })
            .collect();
        let expected = xmlrpc::encode_response(&Value::Array(items.clone()));
        assert_eq!(encode(Ok(Value::Array(items))), expected);
    }

    #[tokio::test]
    async fn metrics_ask_for_their_token_when_one_is_set() {
        use tower::ServiceExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("metrics.token");
        std::fs::write(&file, "scrape-secret\n").unwrap();
        let mut cfg = GatewayConfig::default();
        cfg.metrics.token_file = Some(file);
        cfg.metrics.token_env = "GATEWAY_METRICS_TOKEN_UNSET_IN_TESTS".to_owned();
        let gw = Arc::new(build(cfg).await.unwrap());
        let get = async |path: &str, authorization: Option<&str>| {
            let mut request = Request::get(path);
            if let Some(value) = authorization {
                request = request.header(header::AUTHORIZATION, value);
            }
            let response = router(gw.clone())
                .oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, String::from_utf8(body.to_vec()).unwrap())
        };
        for refused in [
            None,
            Some("Bearer wrong"),
            Some("scrape-secret"),
            Some("Bearer "),
        ] {
            let (status, body) = get("/metrics", refused).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused:?}");
            assert!(!body.contains("gateway_"), "{body}");
        }
        let (status, body) = get("/metrics", Some("bearer scrape-secret")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("gateway_fanout_in_flight"), "{body}");
        // A load balancer's health check needs none.
        let (status, _) = get("/healthz", None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "no node serves");
    }
}
