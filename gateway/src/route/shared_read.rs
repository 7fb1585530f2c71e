//! `shared_read` class: reads of data every node of a zone holds alike
//! (channels, packages, users, the organization). One healthy node of the
//! gateway's zone answers. Nodes whose circuit is closed come first, those
//! that lack changes of shared data (back from a failure, the director
//! says: [`NodeInfo::lacking`]) after the others; the starting node of
//! each such group rotates from call to call to spread the load; a node
//! that cannot be reached hands the call to the next. A node's fault is its
//! answer and is passed on, except for calls about system groups
//! ([`super::group_ids`]): a node may lack the group, so the next node is
//! asked, and the first fault is answered only when none can answer.

use std::sync::atomic::Ordering;

use xmlrpc::{MethodCall, Value};

use super::node_call::call_node;
use super::{Ctx, shared_ids, translate};
use crate::directory::NodeInfo;
use crate::error::{GatewayError, NodeFailures};

/// Routes a `shared_read` class call.
pub(crate) async fn route(ctx: Ctx<'_>) -> Result<Value, GatewayError> {
    let gw = ctx.gw;
    let serving = gw.directory().serving();
    let zone = gw.zone();
    let mut candidates: Vec<_> = serving
        .iter()
        .filter(|n| zone.as_deref().is_none_or(|z| n.zone == z))
        .cloned()
        .collect();
    if candidates.is_empty() {
        candidates = serving;
    }
    if candidates.is_empty() {
        return Err(GatewayError::NoNode("this call"));
    }
    let turn = gw.shared_read_turn().fetch_add(1, Ordering::Relaxed);
    let candidates = in_turn(candidates, turn, |id| gw.upstreams().is_open(id));
    let mut failures = NodeFailures::default();
    // A node that lacks a group the call names answers its fault only when
    // no other node can answer.
    let mut lacking = None;
    for node in &candidates {
        let answered = match shared_ids::call_for(&ctx, &node.id).await {
            Ok(call) => on(&ctx, node, call).await,
            Err(e) => Err(e),
        };
        match answered {
            Ok(value) => return Ok(value),
            Err(GatewayError::NodeUnavailable { node, source }) => {
                tracing::warn!(node = %node, cause = %source, "shared read failing over");
                failures.0.push((node, source.to_string()));
            }
            Err(GatewayError::Fault(f)) if shared_ids::involved(ctx.entry) => {
                lacking.get_or_insert(f);
            }
            Err(other) => return Err(other),
        }
    }
    match lacking {
        Some(fault) => Err(GatewayError::Fault(fault)),
        None => Err(GatewayError::Fanout(failures)),
    }
}

/// `candidates` in the order they are asked for call number `turn`: those
/// whose circuit is closed (`open` false) first, those that lack changes
/// after the others, each group rotated by `turn` so that its nodes take
/// turns leading it. A circuit is asked once per node: it may open or
/// close meanwhile.
fn in_turn(candidates: Vec<NodeInfo>, turn: usize, open: impl Fn(&str) -> bool) -> Vec<NodeInfo> {
    let mut keyed: Vec<((bool, bool), NodeInfo)> = candidates
        .into_iter()
        .map(|n| ((open(&n.id), n.lacking), n))
        .collect();
    keyed.sort_by_key(|(key, _)| *key);
    for group in keyed.chunk_by_mut(|a, b| a.0 == b.0) {
        let len = group.len();
        group.rotate_left(turn % len);
    }
    keyed.into_iter().map(|(_, n)| n).collect()
}

/// Calls `call` on `node`; the answer with its ids translated.
async fn on(ctx: &Ctx<'_>, node: &NodeInfo, call: MethodCall) -> Result<Value, GatewayError> {
    let gw = ctx.gw;
    let mut value = match call_node(gw, node, call, ctx.session.as_ref(), false).await? {
        Ok(value) => value,
        Err(fault) => {
            return Err(GatewayError::Fault(
                shared_ids::fault_from_node(ctx, &node.id, fault).await,
            ));
        }
    };
    let ids = gw.directory().identity();
    translate::result_from_node(ids, ctx.entry, &mut value, &node.id).await?;
    shared_ids::result_from_node(ctx, &node.id, &mut value).await?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use director::model::NodeState;

    use super::*;

    fn node(id: &str, lacking: bool) -> NodeInfo {
        NodeInfo {
            id: Arc::from(id),
            zone: "z".to_owned(),
            api_url: String::new(),
            state: NodeState::Active,
            systems: 0,
            accepts: !lacking,
            following: false,
            lacking,
        }
    }

    fn order(turn: usize, open: &[&str]) -> Vec<String> {
        let nodes = vec![
            node("a", false),
            node("b", true),
            node("c", false),
            node("d", false),
        ];
        in_turn(nodes, turn, |id| open.contains(&id))
            .iter()
            .map(|n| n.id.to_string())
            .collect()
    }

    #[test]
    fn healthy_nodes_take_turns_leading_and_lacking_then_open_ones_follow() {
        assert_eq!(order(0, &[]), ["a", "c", "d", "b"]);
        assert_eq!(order(1, &[]), ["c", "d", "a", "b"]);
        assert_eq!(order(2, &[]), ["d", "a", "c", "b"]);
        assert_eq!(order(3, &[]), ["a", "c", "d", "b"]);
        assert_eq!(order(0, &["a"]), ["c", "d", "b", "a"]);
        assert_eq!(order(1, &["a"]), ["d", "c", "b", "a"]);
        assert_eq!(order(1, &["b", "c"]), ["d", "a", "c", "b"]);
        assert_eq!(order(usize::MAX, &[]), ["a", "c", "d", "b"]);
    }
}
