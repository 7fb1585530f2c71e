//! Routing: one call in, the answer out. Dispatches as the server does
//! (namespace, then session, then overload from the spec), then by the
//! entry's routing class, one module per class.
//!
//! | class | module | goes to |
//! |---|---|---|
//! | gateway | [`api`], [`auth`] | answered here (`api.*`, `auth.*`) |
//! | system | [`system`] | the node owning the system(s) |
//! | action | [`action`] | the node(s) holding the action(s) or recurring schedule |
//! | fanout | [`fanout`] | every node; answers merged |
//! | shared read | [`shared_read`] | one healthy node of the zone |
//! | broadcast | [`broadcast`] | every node; undone where one fails |
//! | placement | [`placement`] | the node picked for a new system |
//!
//! `system.multicall` is split and each call routed ([`multicall`]). A
//! call naming packages by id goes nowhere unless the nodes agree on what
//! the ids name ([`package_ids`]).
//!
//! Answers for the wire ([`handle_wire`], what `/rpc/api` sends) may come
//! back already encoded: a fan-out of lists is merged from the nodes' own
//! bytes ([`fanout`]). [`handle`] always answers values.

mod action;
mod api;
mod auth;
pub(crate) mod broadcast;
mod fanout;
mod group_ids;
mod list_feed;
mod list_merge;
mod list_scan;
mod list_stream;
pub mod merge;
mod multicall;
mod named_ids;
mod node_call;
mod org_ids;
mod package_ids;
mod placement;
mod recurring;
mod script_ids;
mod shared_ids;
mod shared_read;
mod system;
mod translate;

use std::sync::{Arc, Mutex};

use director::model::GatewaySession;
use spec::{Entry, RouteClass, SessionArg};
use xmlrpc::{MethodCall, MethodResponse, Value};

pub(crate) use api::VersionCache;
pub use placement::{DirectorPlacer, FirstHealthy, Placer};

use crate::error::GatewayError;
use crate::state::Gateway;

/// The session a call was made in.
#[derive(Debug)]
pub(crate) struct SessionCtx {
    /// The cluster key as the client sent it (trimmed).
    pub key: String,
    /// The session record.
    pub session: Arc<GatewaySession>,
    /// Node keys obtained during this call (logins after the session
    /// began).
    pub fresh: Mutex<Vec<(String, String)>>,
}

impl SessionCtx {
    /// The id part of the cluster key, as the server's fault shows it.
    pub(crate) fn id_part(&self) -> String {
        id_part(&self.key)
    }

    /// A copy for work that outlives the call (its node keys so far).
    pub(crate) fn detached(&self) -> SessionCtx {
        let fresh = self.fresh.lock().unwrap_or_else(|e| e.into_inner()).clone();
        SessionCtx {
            key: self.key.clone(),
            session: self.session.clone(),
            fresh: Mutex::new(fresh),
        }
    }
}

/// The text before the `x` of a key.
pub(crate) fn id_part(key: &str) -> String {
    key.split('x').next().unwrap_or_default().to_owned()
}

/// One resolved call on its way.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub gw: &'a Gateway,
    pub call: MethodCall,
    pub entry: &'static Entry,
    pub session: Option<SessionCtx>,
}

impl Ctx<'_> {
    /// The full method name as the spec has it.
    pub(crate) fn method(&self) -> String {
        self.entry.full_name()
    }
}

/// The metrics label of a routing class.
pub(crate) fn class_label(class: RouteClass) -> &'static str {
    match class {
        RouteClass::Gateway => "gateway",
        RouteClass::System => "system",
        RouteClass::Action => "action",
        RouteClass::Fanout => "fanout",
        RouteClass::SharedRead => "shared_read",
        RouteClass::Broadcast => "broadcast",
        RouteClass::Placement => "placement",
    }
}

/// An answer on its way to the client.
#[derive(Debug)]
pub enum Reply {
    /// A value or a fault, still to be encoded.
    Value(MethodResponse),
    /// The whole `<methodResponse>` document, written as it is sent.
    Encoded(axum::body::Body),
}

/// What a route answered.
#[derive(Debug)]
pub(crate) enum Routed {
    Value(Value),
    Encoded(axum::body::Body),
}

impl Routed {
    /// The answer, with an encoded body holding `turn` until it is
    /// written (or dropped); a value lets it go here.
    fn holding(self, turn: Option<tokio::sync::OwnedSemaphorePermit>) -> Routed {
        match (self, turn) {
            (Routed::Encoded(body), Some(turn)) => {
                Routed::Encoded(axum::body::Body::new(Holding { body, _turn: turn }))
            }
            (routed, _) => routed,
        }
    }
}

/// A body that holds a fan-out turn until it is done with.
struct Holding {
    body: axum::body::Body,
    _turn: tokio::sync::OwnedSemaphorePermit,
}

impl hyper::body::Body for Holding {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<bytes::Bytes>, axum::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// Answers one parsed call (strings already trimmed), `system.multicall`
/// included. Returns the routing class label with the answer.
pub(crate) async fn handle(gw: &Gateway, call: MethodCall) -> (&'static str, MethodResponse) {
    if call.name == xmlrpc::multicall::METHOD {
        return ("multicall", multicall::route(gw, call).await);
    }
    let mut class = "unresolved";
    let answer = route_one(gw, call, &mut class)
        .await
        .map_err(|e| e.to_fault());
    (class, answer)
}

/// Answers one parsed call as [`handle`] does, for the wire: the answer
/// may come back encoded.
pub(crate) async fn handle_wire(gw: &Gateway, call: MethodCall) -> (&'static str, Reply) {
    if call.name == xmlrpc::multicall::METHOD {
        return ("multicall", Reply::Value(multicall::route(gw, call).await));
    }
    let mut class = "unresolved";
    let reply = match route_any(gw, call, &mut class, true).await {
        Ok(Routed::Value(v)) => Reply::Value(Ok(v)),
        Ok(Routed::Encoded(body)) => Reply::Encoded(body),
        Err(e) => Reply::Value(Err(e.to_fault())),
    };
    (class, reply)
}

/// Routes one call that is not a multicall.
pub(crate) async fn route_one(
    gw: &Gateway,
    call: MethodCall,
    class: &mut &'static str,
) -> Result<Value, GatewayError> {
    match route_any(gw, call, class, false).await? {
        Routed::Value(v) => Ok(v),
        // Only asked for with `wire`.
        Routed::Encoded(_) => Err(GatewayError::NoNode("this call (encoded answer)")),
    }
}

/// Routes one call that is not a multicall; with `wire`, the answer may
/// come back encoded.
async fn route_any(
    gw: &Gateway,
    call: MethodCall,
    class: &mut &'static str,
    wire: bool,
) -> Result<Routed, GatewayError> {
    let spec = spec::spec();
    let release = gw.release();
    let ns_name = call.name.rsplit_once('.').map_or("", |(ns, _)| ns);
    let namespace = spec
        .namespace(ns_name)
        .filter(|ns| ns.in_release(release))
        .ok_or(spec::LookupError::UnknownNamespace)?;
    // As the server: a key-shaped first argument is looked up before the
    // method is, so an unknown key wins over an unknown method.
    let mut session = None;
    if namespace.converts_session_key()
        && let Some(Value::String(key)) = call.params.first()
        && spec::is_session_key(key)
    {
        session = Some(lookup_session(gw, key).await?);
    }
    let resolved = match spec.resolve_call(Some(release), &call.name, &call.params) {
        Ok(resolved) => resolved,
        // Introspection answers in both forms, with and without the
        // session key, whichever the presented release has.
        Err(_) if ns_name == "api" => spec.resolve_call(None, &call.name, &call.params)?,
        Err(e) => return Err(e.into()),
    };
    let entry = resolved.entry;
    *class = class_label(entry.route.class);
    match resolved.session {
        SessionArg::UserId(_) => return Err(GatewayError::SessionNotAKey),
        SessionArg::Key if session.is_none() && entry.namespace != "auth" => {
            let key = call.params.first().and_then(Value::as_str).unwrap_or("");
            session = Some(lookup_session(gw, key).await?);
        }
        _ => {}
    }
    let ctx = Ctx {
        gw,
        call,
        entry,
        session,
    };
    if let Some(answer) = recurring::route_minion(&ctx).await? {
        return Ok(Routed::Value(answer));
    }
    // A change naming an organization by id: one organization on every
    // node, or no change.
    org_ids::check_alike(&ctx).await?;
    let value = match entry.route.class {
        RouteClass::Gateway if entry.namespace == "auth" => auth::route(ctx).await,
        RouteClass::Gateway => api::route(ctx).await,
        RouteClass::System | RouteClass::Action if wire => return system::route_wire(ctx).await,
        RouteClass::System => system::route(ctx).await,
        RouteClass::Action => action::route(ctx).await,
        RouteClass::Fanout => {
            let turn = gw.fanout_turn().await?;
            if wire {
                return Ok(match fanout::route_wire(ctx).await? {
                    // Encoded under the turn, and sent holding it: the
                    // merged answer is whole in memory until then.
                    Routed::Value(value) if turn.is_some() => {
                        let xml = crate::server::encode_answer(Ok(value)).await;
                        Routed::Encoded(axum::body::Body::from(xml)).holding(turn)
                    }
                    routed => routed.holding(turn),
                });
            }
            fanout::route(ctx).await
        }
        RouteClass::SharedRead => shared_read::route(ctx).await,
        RouteClass::Broadcast => broadcast::route(ctx).await,
        RouteClass::Placement => placement::route(ctx).await,
    };
    value.map(Routed::Value)
}

async fn lookup_session(gw: &Gateway, key: &str) -> Result<SessionCtx, GatewayError> {
    match gw.directory().sessions().lookup(key).await? {
        Some(session) => Ok(SessionCtx {
            key: key.to_owned(),
            session,
            fresh: Mutex::new(Vec::new()),
        }),
        None => Err(GatewayError::NoSession(id_part(key))),
    }
}

#[cfg(test)]
pub(crate) mod tests;
