//! What the gateway knows about the cluster: its nodes, the identity map
//! (cached both ways) and the sessions.
//!
//! A [`Directory`] is built either from a static node list (a gateway
//! without a director: identity map and sessions then live in a local
//! store, memory or redb) or from a shared director store handed over by
//! the embedding process, whose `node/` records are read again every
//! second in the background.

mod id_blocks;
mod identity;
mod sessions;

use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use director::model::{Node, NodeState};
use director::store::{Store, StoreError};

pub use identity::{
    CachedContent, CachedIdentity, ChannelIdentity, ConfigChannelIdentity, ContentFilterIdentity,
    ErratumIdentity, GroupIdentity, IdMemo, Location, ObjectKind, PackageIdentity, PackageName,
    RepositoryIdentity, SeenContent, SeenPackage, SeenSystem, Sighting, SourcePackageIdentity,
};
pub use sessions::{Password, Sessions};

use crate::config::{GatewayConfig, StaticNode};

/// How often nodes are read again from a shared store.
const REFRESH_EVERY: Duration = Duration::from_secs(1);

/// One node as the gateway routes to it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeInfo {
    /// Node id.
    pub id: Arc<str>,
    /// Zone.
    pub zone: String,
    /// Its XML-RPC endpoint.
    pub api_url: String,
    /// Lifecycle state.
    pub state: NodeState,
    /// Client systems it reported (0 when unknown): placement prefers the
    /// emptiest.
    pub systems: u64,
    /// Takes new systems (active and not cordoned).
    pub accepts: bool,
    /// Handed out by [`Directory::followers`] to follow a change of shared
    /// data: the one way a call reaches a node that does not serve.
    pub following: bool,
    /// Serves, but lacks changes of shared data it missed while it was
    /// failed ([`director::model::Node::lacking`]): shared reads ask it
    /// last.
    pub lacking: bool,
}

impl NodeInfo {
    /// Whether the node serves traffic: active or draining (cordoned ones
    /// included). New, staged, offline, failed and removed nodes do not.
    pub fn serves(&self) -> bool {
        matches!(self.state, NodeState::Active | NodeState::Draining)
    }

    /// Whether the gateway may call the node: it serves, or it is a
    /// staged or failed node handed out to follow a change ([`Directory::followers`]).
    pub fn takes_calls(&self) -> bool {
        self.serves()
            || (self.following && matches!(self.state, NodeState::Staged | NodeState::Failed))
    }

    fn from_static(n: &StaticNode) -> NodeInfo {
        NodeInfo {
            id: Arc::from(n.id.as_str()),
            zone: n.zone.clone(),
            api_url: n.api_url.clone(),
            state: NodeState::Active,
            systems: 0,
            accepts: true,
            following: false,
            lacking: false,
        }
    }

    fn from_record(n: &Node) -> NodeInfo {
        NodeInfo {
            id: Arc::from(n.id.as_str()),
            zone: n.zone.clone(),
            api_url: n.api_url.clone(),
            state: n.state,
            systems: n.load.map_or(0, |l| l.systems),
            accepts: n.accepts(),
            following: false,
            lacking: n.lacking.is_some_and(|changes| changes > 0),
        }
    }
}

/// Where the node list comes from.
#[derive(Debug, Clone)]
enum NodeSource {
    Static,
    Store,
}

/// The cluster as the gateway sees it.
#[derive(Debug)]
pub struct Directory {
    store: Store,
    source: NodeSource,
    nodes: RwLock<Arc<Vec<NodeInfo>>>,
    identity: CachedIdentity,
    sessions: Sessions,
}

impl Directory {
    /// A directory over a static node list, with identity map and sessions
    /// in `store`.
    pub fn from_static(nodes: &[StaticNode], store: Store) -> Directory {
        let list = nodes.iter().map(NodeInfo::from_static).collect();
        Directory::new(store, NodeSource::Static, list)
    }

    /// A directory over a director's store: nodes from its `node/` records
    /// (read now, then every second by [`Directory::refresh_loop`]).
    pub async fn from_store(store: Store) -> Result<Directory, StoreError> {
        let directory = Directory::new(store, NodeSource::Store, Vec::new());
        directory.refresh().await?;
        Ok(directory)
    }

    /// The directory a configuration describes: its static node list and
    /// its local store (`memory` or `redb:<path>`).
    pub fn from_config(cfg: &GatewayConfig) -> Result<Directory, StoreError> {
        let store = match cfg.state.store.strip_prefix("redb:") {
            Some(path) => Store::open_redb(path)?,
            None => Store::memory(),
        };
        Ok(Directory::from_static(&cfg.nodes, store))
    }

    fn new(store: Store, source: NodeSource, nodes: Vec<NodeInfo>) -> Directory {
        Directory {
            identity: CachedIdentity::new(store.clone()),
            sessions: Sessions::new(store.clone()),
            store,
            source,
            nodes: RwLock::new(Arc::new(nodes)),
        }
    }

    /// The store under the identity map and sessions.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The identity map.
    pub fn identity(&self) -> &CachedIdentity {
        &self.identity
    }

    /// The sessions.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// Every node known, in id order for a store, in listed order for a
    /// static list.
    pub fn nodes(&self) -> Arc<Vec<NodeInfo>> {
        self.nodes.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The node called `id`.
    pub fn node(&self, id: &str) -> Option<NodeInfo> {
        self.nodes().iter().find(|n| &*n.id == id).cloned()
    }

    /// Whether node `id` is in the cluster and serves traffic.
    pub fn serves(&self, id: &str) -> bool {
        self.nodes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|n| &*n.id == id && n.serves())
    }

    /// The nodes that serve traffic.
    pub fn serving(&self) -> Vec<NodeInfo> {
        self.nodes()
            .iter()
            .filter(|n| n.serves())
            .cloned()
            .collect()
    }

    /// The nodes that follow the changes of shared data
    /// ([`crate::route`]'s broadcasts) without serving: staged ones
    /// (prepared for the cluster, not serving yet) and failed ones (whose
    /// heartbeats stopped: the server may well be up, and comes back
    /// active when it missed none). These are marked so that such a call
    /// may reach them.
    pub fn followers(&self) -> Vec<NodeInfo> {
        self.nodes()
            .iter()
            .filter(|n| matches!(n.state, NodeState::Staged | NodeState::Failed))
            .map(|n| NodeInfo {
                following: true,
                ..n.clone()
            })
            .collect()
    }

    /// Reads the node list again from a shared store (a static list does
    /// not change).
    pub async fn refresh(&self) -> Result<(), StoreError> {
        if matches!(self.source, NodeSource::Static) {
            return Ok(());
        }
        let records = self
            .store
            .scan_prefix_json::<Node>("node/", usize::MAX)
            .await?;
        let list: Vec<NodeInfo> = records
            .iter()
            .map(|(_, n)| NodeInfo::from_record(n))
            .collect();
        let mut nodes = self.nodes.write().unwrap_or_else(|e| e.into_inner());
        if **nodes != list {
            let before: HashSet<&str> = nodes
                .iter()
                .filter(|n| n.serves())
                .map(|n| &*n.id)
                .collect();
            let after: HashSet<&str> = list.iter().filter(|n| n.serves()).map(|n| &*n.id).collect();
            if before != after {
                tracing::info!(serving = ?after, "serving nodes changed");
            }
            *nodes = Arc::new(list);
        }
        Ok(())
    }

    /// Refreshes the node list every second and purges expired sessions'
    /// passwords every minute, until `shutdown` completes.
    pub async fn refresh_loop(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        let mut tick = tokio::time::interval(REFRESH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        let mut ticks: u64 = 0;
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = tick.tick() => {}
            }
            ticks += 1;
            if let Err(e) = self.refresh().await {
                tracing::warn!(cause = %e, "reading the node list failed");
            }
            if ticks.is_multiple_of(60) {
                self.sessions
                    .purge(matches!(self.source, NodeSource::Static))
                    .await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use director::model::{Keys, now_ms};

    use super::*;

    fn record(id: &str, state: NodeState, cordoned: bool) -> Node {
        Node {
            id: id.to_owned(),
            number: 1,
            zone: "z".to_owned(),
            api_url: format!("http://{id}/rpc/api"),
            master: String::new(),
            weight: 1.0,
            state,
            cordoned,
            last_heartbeat: None,
            load: None,
            public_key: None,
            drain_deadline: None,
            state_since: None,
            seeded: None,
            misses_at_failure: None,
            follows_at_failure: None,
            lacking: None,
            cordoned_lacking: false,
            created: now_ms(),
            updated: now_ms(),
        }
    }

    #[tokio::test]
    async fn nodes_from_a_store_follow_their_state() {
        let store = Store::memory();
        for n in [
            record("a", NodeState::Active, false),
            record("b", NodeState::Draining, false),
            record("c", NodeState::Active, true),
            record("d", NodeState::Failed, false),
            record("e", NodeState::Staged, false),
        ] {
            store.put_json(Keys::node(&n.id), &n).await.unwrap();
        }
        let dir = Directory::from_store(store.clone()).await.unwrap();
        let serving: Vec<String> = dir.serving().iter().map(|n| n.id.to_string()).collect();
        assert_eq!(serving, ["a", "b", "c"]);
        assert!(!dir.node("c").unwrap().accepts);
        // A staged or failed node is called only as one handed out to
        // follow a change.
        assert!(!dir.node("e").unwrap().takes_calls());
        assert!(!dir.node("d").unwrap().takes_calls());
        let followers = dir.followers();
        let ids: Vec<&str> = followers.iter().map(|n| &*n.id).collect();
        assert_eq!(ids, ["d", "e"]);
        assert!(followers.iter().all(NodeInfo::takes_calls));
        store
            .put_json(Keys::node("d"), &record("d", NodeState::Active, false))
            .await
            .unwrap();
        dir.refresh().await.unwrap();
        assert_eq!(dir.serving().len(), 4);
    }

    #[test]
    fn a_static_list_serves_every_node() {
        let nodes = vec![StaticNode::parse_flag("n1=http://x/rpc/api").unwrap()];
        let dir = Directory::from_static(&nodes, Store::memory());
        assert_eq!(dir.serving().len(), 1);
        assert_eq!(dir.node("n1").unwrap().zone, "default");
    }
}
