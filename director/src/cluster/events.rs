//! What node agents tell the director over the bus: heartbeats on plain
//! pub/sub `node.<id>.heartbeat` (a lost one is replaced by the next), and
//! database changes on the durable event stream `node.<id>.event`, read by
//! the durable consumer [`EVENT_CONSUMER`]: an event is acked only once
//! [`Director::node_event`] applied it, so none is lost while the director
//! is down or restarting.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::{Director, DirectorError, Heartbeat, NodeEvent, Result};
use crate::bus::{Directive, DirectiveConsumer};
use crate::identity::IdentityError;
use crate::model::{Client, ClientStatus, Keys, now_ms};

/// The durable consumer of node events (one director per store and bus).
const EVENT_CONSUMER: &str = "director-node-events";
/// The node events the director applies.
const EVENT_FILTER: &str = "node.*.event";
/// Pause before reopening the consumer after a failure; the event it could
/// not apply comes back first.
const RETRY: Duration = Duration::from_secs(1);

/// Subscribes to node heartbeats and opens the node-event consumer; returns
/// the listener tasks.
pub(super) async fn listen(director: Arc<Director>) -> Result<Vec<JoinHandle<()>>> {
    let mut heartbeats = director.bus.subscribe("node.*.heartbeat").await?;
    let consumer = director.bus.events(EVENT_CONSUMER, EVENT_FILTER).await?;
    let d = director.clone();
    let beats = tokio::spawn(async move {
        while let Some(msg) = heartbeats.next().await {
            match serde_json::from_slice::<Heartbeat>(&msg.payload) {
                Ok(beat) => {
                    if let Err(e) = d.heartbeat(beat).await {
                        tracing::warn!(subject = %msg.subject, cause = %e, "heartbeat refused");
                    }
                }
                Err(e) => tracing::warn!(subject = %msg.subject, cause = %e, "malformed heartbeat"),
            }
        }
    });
    let changes = tokio::spawn(consume_events(director, consumer));
    Ok(vec![beats, changes])
}

/// Applies node events in stream order, forever. A failure that may pass
/// (store, bus) drops the consumer, which hands the event back, and
/// reopens it after [`RETRY`]; an event that can never apply (malformed, an
/// unknown node) is logged and acked so it does not block the ones after.
async fn consume_events(director: Arc<Director>, consumer: Box<dyn DirectiveConsumer>) {
    let mut consumer = Some(consumer);
    loop {
        let mut current = match consumer.take() {
            Some(c) => c,
            None => match director.bus.events(EVENT_CONSUMER, EVENT_FILTER).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(consumer = EVENT_CONSUMER, cause = %e, "cannot open the node-event consumer; retrying");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            },
        };
        match apply_until_failure(&director, current.as_mut()).await {
            Ok(()) => consumer = Some(current),
            Err(e) => {
                tracing::warn!(consumer = EVENT_CONSUMER, cause = %e, "node events paused; retrying");
                drop(current);
                tokio::time::sleep(RETRY).await;
            }
        }
    }
}

/// Applies and acks events until the bus fails or an event fails in a way
/// that may pass.
async fn apply_until_failure(
    director: &Director,
    consumer: &mut dyn DirectiveConsumer,
) -> Result<()> {
    loop {
        let event = consumer.next().await?;
        if let Err(e) = apply(director, &event).await {
            if transient(&e) {
                tracing::warn!(subject = %event.subject, seq = event.seq, cause = %e, "node event not applied; handed back");
                return Err(e);
            }
            tracing::warn!(subject = %event.subject, seq = event.seq, cause = %e, "node event refused; skipped");
        }
        consumer.ack(event.seq).await?;
    }
}

async fn apply(director: &Director, event: &Directive) -> Result<()> {
    let parsed = serde_json::from_slice::<NodeEvent>(&event.payload)
        .map_err(|e| DirectorError::Invalid(format!("malformed node event: {e}")))?;
    director.node_event(parsed).await
}

/// Whether retrying may help: the store, the bus or a race, not the event.
fn transient(error: &DirectorError) -> bool {
    match error {
        DirectorError::Store(_) | DirectorError::Bus(_) => true,
        DirectorError::Identity(e) => !matches!(e, IdentityError::Exhausted { .. }),
        DirectorError::NotFound { .. } | DirectorError::Conflict(_) | DirectorError::Invalid(_) => {
            false
        }
    }
}

impl Director {
    /// Applies a change a node agent reported. A system registered straight
    /// on a node joins the identity map and placement; one that registered
    /// after a move keeps its cluster id; a deletion on its owner deletes
    /// the client, one on a node it left only forgets the old local id. An
    /// object deleted on a node leaves the identity map
    /// ([`crate::identity::IdentityMap::forget_object_part`]).
    pub async fn node_event(&self, event: NodeEvent) -> Result<()> {
        match event {
            NodeEvent::SystemRegistered {
                node,
                local_id,
                minion_id,
                machine_id,
            } => {
                let zone = self.get_node(&node).await?.zone;
                let cluster_id = self
                    .identity
                    .system_for_local(&node, local_id, Some(&minion_id), machine_id.as_deref())
                    .await?;
                let mut loads = self.placement.lock().await;
                let now = now_ms();
                let mut client = match self
                    .store
                    .get_json::<Client>(Keys::client(&minion_id))
                    .await?
                {
                    Some(c) => c,
                    None => {
                        *loads.by_node.entry(node.clone()).or_default() += 1;
                        tracing::info!(minion = %minion_id, node = %node, cluster_id, "system registered straight on a node joins the cluster");
                        Client {
                            minion_id: minion_id.clone(),
                            fingerprint: None,
                            machine_id: machine_id.clone(),
                            zone,
                            status: ClientStatus::Onboarded,
                            owner: Some(node.clone()),
                            moving_to: None,
                            move_id: None,
                            cluster_id,
                            local_ids: Default::default(),
                            created: now,
                            updated: now,
                            last_checkin: None,
                        }
                    }
                };
                client.cluster_id = cluster_id;
                client.local_ids.insert(node.clone(), local_id);
                if client.owner.as_deref() == Some(node.as_str())
                    && client.status == ClientStatus::New
                {
                    client.status = ClientStatus::Onboarded;
                }
                client.updated = now;
                self.put_client(&client).await?;
                self.cache.invalidate(cluster_id);
                Ok(())
            }
            NodeEvent::SystemDeleted { node, local_id } => {
                let Some(cluster_id) = self.identity.system_by_local(&node, local_id).await? else {
                    // A copy a moved system left there, deleted at last.
                    let Some(cluster_id) = self.identity.forget_left_copy(&node, local_id).await?
                    else {
                        return Ok(());
                    };
                    return self.forget_local_id(cluster_id, &node, local_id).await;
                };
                let Some(client) = self.client_of_system(cluster_id).await? else {
                    return Ok(());
                };
                if client.owner.as_deref() == Some(node.as_str()) && client.move_id.is_none() {
                    self.delete_client(&client.minion_id).await?;
                } else {
                    self.forget_local_id(cluster_id, &node, local_id).await?;
                }
                Ok(())
            }
            NodeEvent::ObjectDeleted {
                node,
                kind,
                local_id,
            } => {
                if let Some(cluster_id) = self
                    .identity
                    .forget_object_part(kind, &node, local_id)
                    .await?
                {
                    tracing::debug!(kind = kind.label(), node = %node, local_id, cluster_id, "deleted object forgotten");
                }
                Ok(())
            }
            NodeEvent::ContentDeleted {
                node,
                kind,
                local_id,
            } => {
                if let Some(cluster_id) = self
                    .identity
                    .forget_content_part(kind, &node, local_id)
                    .await?
                {
                    tracing::debug!(kind = ?kind, node = %node, local_id, cluster_id, "deleted content's part forgotten");
                }
                Ok(())
            }
        }
    }

    /// The client of cluster system `cluster_id`, if its minion is known
    /// and the director holds it.
    async fn client_of_system(&self, cluster_id: i32) -> Result<Option<Client>> {
        let identity = self.identity.system(cluster_id).await?;
        let Some(minion) = identity.and_then(|i| i.minion_id) else {
            return Ok(None);
        };
        match self.get_client(&minion).await {
            Ok(c) => Ok(Some(c)),
            Err(DirectorError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Forgets the copies moved systems left on `node` as `local_ids`,
    /// which a gateway deleted there (`gateway carry-systems
    /// --delete-copies`), as the node agent's report of each deletion
    /// will: a local id a system's cluster id is bound to on that node is
    /// the system itself and kept (its agent's report deletes it), one the
    /// map does not know is passed over.
    pub async fn copies_deleted(
        &self,
        node: &str,
        local_ids: &[i32],
    ) -> Result<crate::remote::CopiesForgotten> {
        if local_ids.len() > crate::remote::CopiesDeleted::MAX {
            return Err(DirectorError::Invalid(format!(
                "{} local ids in one request: at most {}",
                local_ids.len(),
                crate::remote::CopiesDeleted::MAX
            )));
        }
        self.get_node(node).await?;
        let mut answer = crate::remote::CopiesForgotten::default();
        for &local_id in local_ids {
            if self
                .identity
                .system_by_local(node, local_id)
                .await?
                .is_some()
            {
                answer.systems.push(local_id);
                continue;
            }
            match self.identity.forget_left_copy(node, local_id).await? {
                Some(cluster_id) => {
                    self.forget_local_id(cluster_id, node, local_id).await?;
                    answer.forgotten.insert(local_id, cluster_id);
                }
                None => answer.unknown.push(local_id),
            }
        }
        Ok(answer)
    }

    /// Forgets local id `local_id` that `node` had for cluster system
    /// `cluster_id` in its client's record (the node deleted its copy of
    /// the system: one a move left there, one of a system moving, or one
    /// held by a node that does not own it); a later id of the node's for
    /// it stays.
    async fn forget_local_id(&self, cluster_id: i32, node: &str, local_id: i32) -> Result<()> {
        tracing::info!(node = %node, cluster_id, local_id, "a node deleted its copy of a system: its local id there forgotten");
        // Under the placement lock, as every writer of a client record: a
        // move may start or end meanwhile.
        let _loads = self.placement.lock().await;
        let Some(mut client) = self.client_of_system(cluster_id).await? else {
            return Ok(());
        };
        if client.local_ids.get(node) == Some(&local_id) {
            client.local_ids.remove(node);
            client.updated = now_ms();
            self.put_client(&client).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::bus::{Bus, LocalBus};
    use crate::cluster::{ClusterConfig, NewNode};
    use crate::model::{NodeState, Zone};
    use crate::store::Store;

    async fn director(store: Store, bus: Arc<dyn Bus>) -> Arc<Director> {
        let d = Director::new(store, bus, ClusterConfig::default())
            .await
            .expect("director");
        Arc::new(d)
    }

    fn registered(node: &str, local_id: i32, minion: &str) -> bytes::Bytes {
        serde_json::to_vec(&NodeEvent::SystemRegistered {
            node: node.into(),
            local_id,
            minion_id: minion.into(),
            machine_id: None,
        })
        .expect("json")
        .into()
    }

    /// Runs `d` until `minion` is a client, then stops it.
    async fn run_until_client(d: Arc<Director>, minion: &str) {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(d.clone().run(async {
            let _ = stopped.await;
        }));
        tokio::time::timeout(Duration::from_secs(10), async {
            while d.get_client(minion).await.is_err() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{minion} never joined"));
        let _ = stop.send(());
        task.await.expect("join").expect("run");
    }

    #[tokio::test]
    async fn node_events_published_while_the_director_is_down_are_applied_in_order() {
        let (store, bus) = (Store::memory(), Arc::new(LocalBus::new()) as Arc<dyn Bus>);
        let d = director(store.clone(), bus.clone()).await;
        d.put_zone(Zone {
            name: "default".into(),
            description: String::new(),
            labels: Default::default(),
        })
        .await
        .expect("zone");
        d.add_node(NewNode {
            id: "n1".into(),
            zone: "default".into(),
            api_url: "http://suma1.example.test/rpc/api".into(),
            master: None,
            weight: None,
            public_key: None,
            state: Some(NodeState::Active),
            unseeded: false,
        })
        .await
        .expect("node");

        // Before the director runs: a malformed event and one for an unknown
        // node (both skipped, not blocking), then a good one.
        let publish = |payload, key: &'static str| {
            let bus = bus.clone();
            async move {
                bus.publish_event("node.n1.event", payload, key)
                    .await
                    .expect("publish event")
            }
        };
        publish("not json".into(), "n1:1").await;
        publish(registered("nx", 1, "lost.example.test"), "n1:2").await;
        publish(registered("n1", 3, "first.example.test"), "n1:3").await;
        run_until_client(d, "first.example.test").await;
        assert!(client_is_unknown(&store, &bus, "lost.example.test").await);

        // While it is down again; a fresh director resumes after the acked.
        publish(registered("n1", 4, "second.example.test"), "n1:4").await;
        let d = director(store.clone(), bus.clone()).await;
        run_until_client(d.clone(), "second.example.test").await;
        let c = d.get_client("second.example.test").await.expect("client");
        assert_eq!(c.local_ids.get("n1"), Some(&4));
    }

    async fn client_is_unknown(store: &Store, bus: &Arc<dyn Bus>, minion: &str) -> bool {
        let d = director(store.clone(), bus.clone()).await;
        matches!(
            d.get_client(minion).await,
            Err(DirectorError::NotFound { .. })
        )
    }
}
