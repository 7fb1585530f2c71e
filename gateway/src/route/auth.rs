//! `auth.*`: one cluster session over a session on every node.
//!
//! `auth.login` logs into every serving node in parallel with the call as
//! the client made it (name, password, duration) and answers one cluster
//! key in the server's `<id>x<64 hex>` format; the node keys go to the
//! shared session store, the password stays in this process's memory. A
//! node that refuses the credentials decides: its fault (2950, exactly as
//! it answered) goes to the client and the logins that succeeded are
//! logged out again. Nodes that cannot be reached are left out; the
//! session logs into them when they come back (see `node_call`).
//! `auth.logout` ends the cluster session and logs out of every node.

use std::collections::BTreeMap;

use xmlrpc::{MethodCall, Value};

use super::node_call::call_node;
use super::{Ctx, id_part};
use crate::directory::NodeInfo;
use crate::directory::Password;
use crate::error::{GatewayError, NodeFailures};
use crate::state::Gateway;
use crate::upstream::call_many::{RequestStrategy, call_many};

/// Routes an `auth.*` call.
pub(crate) async fn route(ctx: Ctx<'_>) -> Result<Value, GatewayError> {
    match ctx.entry.method.as_str() {
        "login" => login(ctx).await,
        "logout" => logout(ctx).await,
        _ => Err(GatewayError::NoNode("this auth call")),
    }
}

async fn login(ctx: Ctx<'_>) -> Result<Value, GatewayError> {
    let gw = ctx.gw;
    let nodes = gw.directory().serving();
    if nodes.is_empty() {
        return Err(GatewayError::NoNode("auth.login"));
    }
    let call = &ctx.call;
    let gathered = call_many(
        nodes,
        RequestStrategy::ALL,
        |node: NodeInfo| async move { call_node(gw, &node, call.clone(), None, false).await },
        || GatewayError::NoNode("auth.login in time"),
    )
    .await;
    let mut keys = BTreeMap::new();
    let mut refused = None;
    for (node, answer) in gathered.ok {
        match answer {
            Ok(Value::String(key)) => {
                keys.insert(node.id.to_string(), key);
            }
            Ok(_) => {}
            Err(fault) => {
                refused.get_or_insert(fault);
            }
        }
    }
    if let Some(fault) = refused {
        log_out_of(gw, keys).await;
        return Err(GatewayError::Fault(fault));
    }
    if keys.is_empty() {
        let mut failures = NodeFailures::default();
        for (node, e) in gathered.failed {
            failures.0.push((node.id.to_string(), e.to_string()));
        }
        return Err(GatewayError::Fanout(failures));
    }
    for (node, e) in &gathered.failed {
        tracing::warn!(node = %node.id, cause = %e, "login left out a node; it is logged into when it answers again");
    }
    let user = call.params.first().and_then(Value::as_str).unwrap_or("");
    let lifetime = match call.params.get(2).and_then(Value::as_i64) {
        Some(d) if d > 0 => d,
        _ => gw.config().sessions.lifetime_secs,
    };
    let key = gw
        .directory()
        .sessions()
        .create(user, password_of(call), keys, lifetime)
        .await?;
    Ok(Value::String(key))
}

async fn logout(ctx: Ctx<'_>) -> Result<Value, GatewayError> {
    let gw = ctx.gw;
    let key = ctx
        .call
        .params
        .first()
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some(session) = gw.directory().sessions().remove(key).await? else {
        return Err(GatewayError::NoSession(id_part(key)));
    };
    log_out_of(gw, session.node_keys).await;
    Ok(Value::Int(1))
}

/// The password of an `auth.login` call, into memory that is zeroed when
/// dropped.
fn password_of(call: &MethodCall) -> Password {
    Password::new(
        call.params
            .get(1)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Logs out of the nodes' sessions, in parallel; failures only logged.
async fn log_out_of(gw: &Gateway, keys: BTreeMap<String, String>) {
    let targets: Vec<(NodeInfo, String)> = keys
        .into_iter()
        .filter_map(|(node, key)| gw.directory().node(&node).map(|n| (n, key)))
        .collect();
    let gathered = call_many(
        targets,
        RequestStrategy::ALL,
        |(node, key): (NodeInfo, String)| async move {
            let call = MethodCall {
                name: "auth.logout".to_owned(),
                params: vec![Value::String(key)],
            };
            call_node(gw, &node, call, None, false).await
        },
        || GatewayError::NoNode("auth.logout in time"),
    )
    .await;
    for ((node, _), e) in gathered.failed {
        tracing::debug!(node = %node.id, cause = %e, "node logout failed");
    }
}
