//! `placement` class: calls that create a new client system without naming
//! an existing one (`system.createSystemProfile`, `system.bootstrap`, ...).
//! A [`Placer`] picks the node: the embedding process may hand in the
//! director's, and a gateway linked to a director asks it
//! ([`DirectorPlacer`]); the default, [`FirstHealthy`], takes the node of
//! the gateway's zone that takes new systems and reported the fewest, the
//! first listed on a tie. The answer's new system id gets its cluster id.

use futures::future::BoxFuture;
use xmlrpc::Value;

use super::Ctx;
use super::system::on_node;
use crate::directory::NodeInfo;
use crate::error::GatewayError;

/// Picks the node for a new system.
pub trait Placer: Send + Sync + std::fmt::Debug {
    /// The id of the node that gets a new system in `zone` (`None`: the
    /// gateway has no zone), among `candidates` (the serving nodes).
    fn place<'a>(
        &'a self,
        zone: Option<&'a str>,
        candidates: &'a [NodeInfo],
    ) -> BoxFuture<'a, Option<String>>;
}

/// The default placer: the emptiest node of the zone that takes new
/// systems.
#[derive(Debug, Clone, Copy, Default)]
pub struct FirstHealthy;

impl Placer for FirstHealthy {
    fn place<'a>(
        &'a self,
        zone: Option<&'a str>,
        candidates: &'a [NodeInfo],
    ) -> BoxFuture<'a, Option<String>> {
        let pick = |in_zone: bool| {
            candidates
                .iter()
                .filter(|n| n.accepts && (!in_zone || zone.is_none_or(|z| n.zone == z)))
                .min_by_key(|n| n.systems)
                .map(|n| n.id.to_string())
        };
        Box::pin(std::future::ready(pick(true).or_else(|| pick(false))))
    }
}

/// The placement of a director the gateway is linked to
/// (`/gateway/v1/placement`), among the nodes the gateway can reach. When
/// the director cannot be asked, [`FirstHealthy`] places the system, so
/// that registrations go on while the director is away.
#[derive(Debug, Clone)]
pub struct DirectorPlacer(pub director::remote::DirectorLink);

impl Placer for DirectorPlacer {
    fn place<'a>(
        &'a self,
        zone: Option<&'a str>,
        candidates: &'a [NodeInfo],
    ) -> BoxFuture<'a, Option<String>> {
        Box::pin(async move {
            let ids = candidates.iter().map(|n| n.id.to_string()).collect();
            match self.0.place(zone.unwrap_or("default"), Some(ids)).await {
                Ok(node) => node,
                Err(e) => {
                    tracing::warn!(error = %e, "the director cannot place a new system: placing it here");
                    FirstHealthy.place(zone, candidates).await
                }
            }
        })
    }
}

/// Routes a `placement` class call.
pub(crate) async fn route(ctx: Ctx<'_>) -> Result<Value, GatewayError> {
    let gw = ctx.gw;
    let candidates: Vec<NodeInfo> = gw
        .directory()
        .serving()
        .into_iter()
        .filter(|n| !gw.upstreams().is_open(&n.id))
        .collect();
    let zone = gw.zone();
    let node = gw
        .placer()
        .place(zone.as_deref(), &candidates)
        .await
        .ok_or(GatewayError::NoNode("a new system"))?;
    tracing::info!(node = %node, method = %ctx.method(), "placing a new system");
    on_node(&ctx, &node, ctx.call.params.clone()).await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use director::model::NodeState;

    use super::*;

    fn node(id: &str, zone: &str, systems: u64, accepts: bool) -> NodeInfo {
        NodeInfo {
            id: Arc::from(id),
            zone: zone.to_owned(),
            api_url: String::new(),
            state: NodeState::Active,
            systems,
            accepts,
            following: false,
            lacking: false,
        }
    }

    #[tokio::test]
    async fn the_emptiest_accepting_node_of_the_zone() {
        let nodes = [
            node("a", "eu", 10, true),
            node("b", "eu", 5, false),
            node("c", "eu", 7, true),
            node("d", "us", 0, true),
        ];
        assert_eq!(
            FirstHealthy.place(Some("eu"), &nodes).await.as_deref(),
            Some("c")
        );
        assert_eq!(
            FirstHealthy.place(Some("mars"), &nodes).await.as_deref(),
            Some("d")
        );
        assert_eq!(
            FirstHealthy.place(None, &nodes[..1]).await.as_deref(),
            Some("a")
        );
        assert_eq!(FirstHealthy.place(None, &[]).await, None);
    }
}
