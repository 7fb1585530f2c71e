//! Nodes: registration, changes, lifecycle, cordon, removal, heartbeats.

use super::{Director, DirectorError, Heartbeat, NewNode, NodePatch, Result, SCAN_LIMIT};
use crate::model::{Keys, Node, NodeState, Zone, now_ms};
use crate::store::Txn;

fn check_weight(weight: f64) -> Result<f64> {
    if weight.is_finite() && weight > 0.0 && weight <= 1e6 {
        Ok(weight)
    } else {
        Err(DirectorError::Invalid(format!(
            "invalid weight {weight}: must be a number above 0 and at most 1000000"
        )))
    }
}

fn check_url(url: &str) -> Result<()> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() > 8
        && !url.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(DirectorError::Invalid(format!(
            "invalid API URL {url:?}: expected http(s)://host[:port]/rpc/api"
        )))
    }
}

/// The host part of an URL (`https://host:port/path` -> `host`).
fn url_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or(host).to_owned()
    }
}

impl Director {
    /// Every node (removed ones included), by id.
    pub async fn list_nodes(&self) -> Result<Vec<Node>> {
        Ok(self
            .store
            .scan_prefix_json::<Node>("node/", SCAN_LIMIT)
            .await?
            .into_iter()
            .map(|(_, n)| n)
            .collect())
    }

    /// One node.
    pub async fn get_node(&self, id: &str) -> Result<Node> {
        self.store
            .get_json(Keys::node(id))
            .await?
            .ok_or_else(|| DirectorError::not_found("node", id))
    }

    /// Registers a node.
    pub async fn add_node(&self, new: NewNode) -> Result<Node> {
        if !Zone::valid_name(&new.id) {
            return Err(DirectorError::Invalid(format!(
                "invalid node id {:?}: use 1-63 characters of a-z, 0-9 and -",
                new.id
            )));
        }
        check_url(&new.api_url)?;
        let weight = check_weight(new.weight.unwrap_or(1.0))?;
        self.get_zone(&new.zone).await?;
        let state = new.state.unwrap_or(NodeState::New);
        if !matches!(
            state,
            NodeState::New | NodeState::Staged | NodeState::Active
        ) {
            return Err(DirectorError::Invalid(format!(
                "a node starts as new, staged or active, not {}",
                state.as_str()
            )));
        }
        let now = now_ms();
        let master = new.master.clone().unwrap_or_else(|| url_host(&new.api_url));
        let mut node = Node {
            id: new.id.clone(),
            number: 0,
            zone: new.zone,
            api_url: new.api_url,
            master,
            weight,
            state,
            cordoned: false,
            last_heartbeat: None,
            load: None,
            public_key: new.public_key,
            drain_deadline: None,
            created: now,
            updated: now,
        };
        let node_key = Keys::node(&node.id);
        let outcome = self
            .store
            .allocate_with(Keys::counter("node-number"), |n| {
                let mut record = node.clone();
                record.number = u32::try_from(n).unwrap_or(u32::MAX);
                Txn::new()
                    .check(&node_key, None)
                    .put_json(&node_key, &record)
                    .map(|t| t.put(Keys::node_number(record.number), record.id.as_bytes()))
            })
            .await?;
        match outcome {
            Ok(n) => node.number = u32::try_from(n).unwrap_or(u32::MAX),
            Err(_) => {
                return Err(DirectorError::Conflict(format!(
                    "node {} already exists",
                    node.id
                )));
            }
        }
        tracing::info!(node = %node.id, zone = %node.zone, state = node.state.as_str(), "node added");
        Ok(node)
    }

    /// Applies a read-modify-write to a node record.
    pub(super) async fn update_node<F>(&self, id: &str, mut change: F) -> Result<Node>
    where
        F: FnMut(&mut Node) -> Result<()>,
    {
        let mut failure = None;
        let updated = self
            .store
            .update_json::<Node, _>(Keys::node(id), |current| {
                let mut node = current?;
                match change(&mut node) {
                    Ok(()) => {
                        node.updated = now_ms();
                        failure = None;
                        Some(node)
                    }
                    Err(e) => {
                        failure = Some(e);
                        Some(node)
                    }
                }
            })
            .await?;
        if let Some(e) = failure {
            return Err(e);
        }
        updated.ok_or_else(|| DirectorError::not_found("node", id))
    }

    /// Changes a node's weight, URLs or state. A change of state must be one
    /// the lifecycle allows; draining goes through [`Director::drain`].
    pub async fn patch_node(&self, id: &str, patch: NodePatch) -> Result<Node> {
        if let Some(w) = patch.weight {
            check_weight(w)?;
        }
        if let Some(url) = &patch.api_url {
            check_url(url)?;
        }
        if patch.state == Some(NodeState::Draining) {
            return Err(DirectorError::Invalid(
                "use the drain operation to drain a node".into(),
            ));
        }
        if patch.state == Some(NodeState::Removed) {
            return Err(DirectorError::Invalid(
                "use node removal to remove a node".into(),
            ));
        }
        if let Some(NodeState::Offline) = patch.state {
            let held = self
                .placement
                .lock()
                .await
                .by_node
                .get(id)
                .copied()
                .unwrap_or(0);
            if held > 0 {
                return Err(DirectorError::Conflict(format!(
                    "node {id} still owns {held} clients: drain it first"
                )));
            }
        }
        let node = self
            .update_node(id, |node| {
                if let Some(state) = patch.state
                    && state != node.state
                {
                    if !node.state.may_become(state) {
                        return Err(DirectorError::Conflict(format!(
                            "node {id} cannot go from {} to {}",
                            node.state.as_str(),
                            state.as_str()
                        )));
                    }
                    node.state = state;
                }
                if let Some(w) = patch.weight {
                    node.weight = w;
                }
                if let Some(url) = &patch.api_url {
                    node.api_url.clone_from(url);
                }
                if let Some(master) = &patch.master {
                    node.master.clone_from(master);
                }
                Ok(())
            })
            .await?;
        tracing::info!(node = %id, state = node.state.as_str(), weight = node.weight, "node changed");
        Ok(node)
    }

    /// Cordons (`true`) or uncordons a node: a cordoned node keeps its
    /// clients and takes no new ones.
    pub async fn cordon(&self, id: &str, cordoned: bool) -> Result<Node> {
        let node = self
            .update_node(id, |node| {
                node.cordoned = cordoned;
                Ok(())
            })
            .await?;
        tracing::info!(node = %id, cordoned, "cordon changed");
        Ok(node)
    }

    /// Removes a node that holds no clients (drained, offline, failed and
    /// re-homed, or never used). Its record stays as a tombstone.
    pub async fn remove_node(&self, id: &str) -> Result<Node> {
        let held = self
            .placement
            .lock()
            .await
            .by_node
            .get(id)
            .copied()
            .unwrap_or(0);
        if held > 0 {
            return Err(DirectorError::Conflict(format!(
                "node {id} still owns {held} clients: drain it first"
            )));
        }
        let node = self
            .update_node(id, |node| {
                if node.state != NodeState::Removed && !node.state.may_become(NodeState::Removed) {
                    return Err(DirectorError::Conflict(format!(
                        "node {id} is {}: take it offline (drain) before removing it",
                        node.state.as_str()
                    )));
                }
                node.state = NodeState::Removed;
                Ok(())
            })
            .await?;
        tracing::info!(node = %id, "node removed");
        Ok(node)
    }

    /// Records a heartbeat. A failed node that beats again is active again,
    /// with no clients: it gets clients back only through a rebalance.
    pub async fn heartbeat(&self, beat: Heartbeat) -> Result<Node> {
        let now = now_ms();
        let mut recovered = false;
        let node = self
            .update_node(&beat.node, |node| {
                if node.state == NodeState::Removed {
                    return Err(DirectorError::Conflict(format!(
                        "node {} was removed",
                        node.id
                    )));
                }
                node.last_heartbeat = Some(now);
                node.load = Some(beat.load);
                if let Some(key) = &beat.public_key {
                    node.public_key = Some(key.clone());
                }
                recovered = node.state == NodeState::Failed;
                if recovered {
                    node.state = NodeState::Active;
                }
                Ok(())
            })
            .await?;
        if recovered {
            tracing::warn!(node = %node.id, "node recovered: active again, clients return only through a rebalance");
        }
        Ok(node)
    }
}

#[cfg(test)]
mod tests {
    use super::url_host;

    #[test]
    fn hosts_of_urls() {
        assert_eq!(
            url_host("https://suma1.example.com/rpc/api"),
            "suma1.example.com"
        );
        assert_eq!(url_host("http://127.0.0.1:8080/rpc/api"), "127.0.0.1");
        assert_eq!(url_host("https://u:p@h.example:443/x"), "h.example");
        assert_eq!(url_host("http://[::1]:80/rpc/api"), "[::1]");
    }
}
