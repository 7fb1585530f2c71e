//! A call on one node in the client's session: the cluster key is swapped
//! for the node's own key, a node without one is logged into when this
//! process still holds the password, and a node that lost its session
//! (restart, expiry) is logged into again the same way. Without the
//! password the client gets the invalid-session fault and logs in again.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use xmlrpc::{Fault, MethodCall, MethodResponse, Value};

use super::SessionCtx;
use crate::directory::NodeInfo;
use crate::error::GatewayError;
use crate::state::Gateway;
use crate::upstream::{self, NodeClient, UpstreamError};

/// The prefix of the fault a node answers for a key it does not know.
const LOOKUP_FAULT: &str =
    "com.redhat.rhn.common.hibernate.LookupException: Could not find session with id: ";

/// Whether a node's fault says it does not know the session key.
fn lost_session(fault: &Fault) -> bool {
    fault.code == -1 && fault.string.starts_with(LOOKUP_FAULT)
}

fn unavailable(node: &NodeInfo) -> impl Fn(UpstreamError) -> GatewayError + '_ {
    move |source| GatewayError::NodeUnavailable {
        node: node.id.to_string(),
        source,
    }
}

/// The cluster's node `id`; a node the cluster no longer has is
/// unavailable.
pub(crate) fn node_in_cluster(gw: &Gateway, id: &str) -> Result<NodeInfo, GatewayError> {
    gw.directory()
        .node(id)
        .ok_or_else(|| GatewayError::NodeUnavailable {
            node: id.to_owned(),
            source: UpstreamError::NotServing("not in the cluster"),
        })
}

/// Calls `call` on `node`. With a session, the first parameter (the
/// cluster key) is replaced by the node's key. A fault from the node is an
/// answer (`Ok(Err(fault))`); a node that gives no answer is an error
/// naming it.
pub(crate) async fn call_node(
    gw: &Gateway,
    node: &NodeInfo,
    call: MethodCall,
    session: Option<&SessionCtx>,
    idempotent: bool,
) -> Result<MethodResponse, GatewayError> {
    call_node_as(gw, node, call, session, idempotent, upstream::parse).await
}

/// Calls `call` on `node` as [`call_node`] does, the node's response
/// document read by `decode` (which tells a fault apart, so that a lost
/// session is noticed).
pub(crate) async fn call_node_as<T, D, Fut>(
    gw: &Gateway,
    node: &NodeInfo,
    call: MethodCall,
    session: Option<&SessionCtx>,
    idempotent: bool,
    decode: D,
) -> Result<Result<T, Fault>, GatewayError>
where
    D: Fn(Bytes) -> Fut,
    Fut: Future<Output = Result<Result<T, Fault>, UpstreamError>>,
{
    let decode = &decode;
    call_node_with(gw, node, call, session, |client, call| async move {
        decode(client.exchange_encoded(call, idempotent).await?).await
    })
    .await
}

/// Calls `call` on `node` as [`call_node`] does, the exchange made by
/// `talk` with the node's client and the call as the node is to get it,
/// encoded (a fault is told apart, so that a lost session is noticed).
pub(crate) async fn call_node_with<T, F, Fut>(
    gw: &Gateway,
    node: &NodeInfo,
    mut call: MethodCall,
    session: Option<&SessionCtx>,
    talk: F,
) -> Result<Result<T, Fault>, GatewayError>
where
    F: Fn(Arc<NodeClient>, Bytes) -> Fut,
    Fut: Future<Output = Result<Result<T, Fault>, UpstreamError>>,
{
    let Some(s) = session else {
        return send(gw, node, &call, &talk).await;
    };
    let key = node_key(gw, s, node).await?;
    set_key(&mut call, key);
    let answer = send(gw, node, &call, &talk).await?;
    match &answer {
        Err(fault) if lost_session(fault) => {
            tracing::info!(node = %node.id, "node lost the session; logging in again");
            let key = relogin(gw, s, node).await?;
            set_key(&mut call, key);
            send(gw, node, &call, &talk).await
        }
        _ => Ok(answer),
    }
}

/// Sends `call` as it is, with `talk`.
async fn send<T, F, Fut>(
    gw: &Gateway,
    node: &NodeInfo,
    call: &MethodCall,
    talk: &F,
) -> Result<Result<T, Fault>, GatewayError>
where
    F: Fn(Arc<NodeClient>, Bytes) -> Fut,
    Fut: Future<Output = Result<Result<T, Fault>, UpstreamError>>,
{
    if !node.takes_calls() {
        return Err(unavailable(node)(UpstreamError::NotServing(
            node.state.as_str(),
        )));
    }
    let client = gw
        .upstreams()
        .client(&node.id, &node.api_url)
        .map_err(unavailable(node))?;
    let body = Bytes::from(xmlrpc::encode_call(call));
    talk(client, body).await.map_err(unavailable(node))
}

fn set_key(call: &mut MethodCall, key: String) {
    if let Some(first) = call.params.first_mut() {
        *first = Value::String(key);
    }
}

/// The session's key on `node`: known, or obtained by logging in.
pub(crate) async fn node_key(
    gw: &Gateway,
    s: &SessionCtx,
    node: &NodeInfo,
) -> Result<String, GatewayError> {
    if let Some(key) = s.session.node_keys.get(&*node.id) {
        return Ok(key.clone());
    }
    let fresh = s
        .fresh
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(n, _)| *n == *node.id)
        .map(|(_, k)| k.clone());
    if let Some(key) = fresh {
        return Ok(key);
    }
    relogin(gw, s, node).await
}

/// Logs into `node` with the password this process holds for the session
/// and records the new key; without it, the invalid-session error.
async fn relogin(gw: &Gateway, s: &SessionCtx, node: &NodeInfo) -> Result<String, GatewayError> {
    let sessions = gw.directory().sessions();
    let Some(password) = sessions.password(&s.session) else {
        tracing::info!(node = %node.id, "no password held for this session: client must log in again");
        return Err(GatewayError::NoSession(s.id_part()));
    };
    let login = MethodCall {
        name: "auth.login".to_owned(),
        params: vec![
            Value::string(s.session.user.clone()),
            Value::string(password.expose()),
        ],
    };
    let talk = |client: Arc<NodeClient>, call: Bytes| async move {
        upstream::parse(client.exchange_encoded(call, false).await?).await
    };
    match send(gw, node, &login, &talk).await? {
        Ok(Value::String(key)) => {
            sessions
                .set_node_key(&s.key, &s.session, &node.id, &key)
                .await?;
            s.fresh
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((node.id.to_string(), key.clone()));
            Ok(key)
        }
        // The password no longer works there (changed, user gone): the
        // client must log in again.
        Ok(_) => Err(GatewayError::NoSession(s.id_part())),
        Err(_) => Err(GatewayError::NoSession(s.id_part())),
    }
}

/// A node's answer as a result: its fault becomes a pass-through error.
pub(crate) fn answer(response: MethodResponse) -> Result<Value, GatewayError> {
    response.map_err(GatewayError::Fault)
}
