//! Outbox rows as bus events: system registrations and deletions, and
//! deletions of the objects a node numbers itself, become the director's
//! `NodeEvent` on `node.<id>.event`; every other change goes to
//! `node.<id>.change` as `{node, outbox_id, topic, payload}`. Each carries
//! the idempotency key `<node>:<outbox id>`.

use director::cluster::NodeEvent;
use serde_json::{Value, json};

use super::outbox::OutboxRow;
use crate::uplink::{Outgoing, Subjects};

/// The event for `row` of node `node`.
pub fn outgoing(node: &str, subjects: &Subjects, row: &OutboxRow) -> Outgoing {
    let key = format!("{node}:{}", row.id);
    match node_event(node, row) {
        Some(event) => Outgoing {
            subject: subjects.event.clone(),
            payload: serde_json::to_vec(&event).expect("events serialize").into(),
            key,
            node_event: Some(event),
        },
        None => {
            if row.topic.starts_with("system-") || row.topic == "object-deleted" {
                tracing::warn!(outbox_id = row.id, topic = %row.topic, "node event without its fields; sent as a change");
            }
            let change = json!({
                "node": node,
                "outbox_id": row.id,
                "topic": row.topic,
                "payload": row.payload,
            });
            Outgoing {
                subject: subjects.change.clone(),
                payload: serde_json::to_vec(&change).expect("json serializes").into(),
                key,
                node_event: None,
            }
        }
    }
}

fn node_event(node: &str, row: &OutboxRow) -> Option<NodeEvent> {
    let p = &row.payload;
    let local_id = i32::try_from(p.get("local_id")?.as_i64()?).ok()?;
    match row.topic.as_str() {
        "system-registered" => Some(NodeEvent::SystemRegistered {
            node: node.to_owned(),
            local_id,
            minion_id: p.get("minion_id")?.as_str()?.to_owned(),
            machine_id: p
                .get("machine_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }),
        "system-deleted" => Some(NodeEvent::SystemDeleted {
            node: node.to_owned(),
            local_id,
        }),
        "object-deleted" => Some(NodeEvent::ObjectDeleted {
            node: node.to_owned(),
            kind: serde_json::from_value(p.get("kind")?.clone()).ok()?,
            local_id,
        }),
        "content-deleted" => Some(NodeEvent::ContentDeleted {
            node: node.to_owned(),
            kind: serde_json::from_value(p.get("kind")?.clone()).ok()?,
            local_id,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, topic: &str, payload: Value) -> OutboxRow {
        OutboxRow {
            id,
            topic: topic.into(),
            payload,
        }
    }

    #[test]
    fn system_rows_become_director_events() {
        let s = Subjects::of("n1");
        let out = outgoing(
            "n1",
            &s,
            &row(
                7,
                "system-registered",
                json!({"local_id": 1000010001, "minion_id": "m1.example.com", "machine_id": "abc"}),
            ),
        );
        assert_eq!(
            (out.subject.as_str(), out.key.as_str()),
            ("node.n1.event", "n1:7")
        );
        let json: Value = serde_json::from_slice(&out.payload).expect("json");
        assert_eq!(
            json,
            json!({"event": "system-registered", "node": "n1", "local_id": 1000010001,
                   "minion_id": "m1.example.com", "machine_id": "abc"})
        );
        let out = outgoing("n1", &s, &row(8, "system-deleted", json!({"local_id": 5})));
        let json: Value = serde_json::from_slice(&out.payload).expect("json");
        assert_eq!(
            json,
            json!({"event": "system-deleted", "node": "n1", "local_id": 5})
        );
        let out = outgoing(
            "n1",
            &s,
            &row(
                9,
                "object-deleted",
                json!({"kind": "pinned_subscription", "local_id": 12}),
            ),
        );
        assert_eq!(
            out.node_event,
            Some(NodeEvent::ObjectDeleted {
                node: "n1".into(),
                kind: director::model::ObjectKind::PinnedSubscription,
                local_id: 12
            })
        );
        let out = outgoing(
            "n1",
            &s,
            &row(
                10,
                "content-deleted",
                json!({"kind": "erratum", "local_id": 3001}),
            ),
        );
        assert_eq!(
            out.node_event,
            Some(NodeEvent::ContentDeleted {
                node: "n1".into(),
                kind: director::model::ContentKind::Erratum,
                local_id: 3001
            })
        );
    }

    #[test]
    fn other_rows_become_changes() {
        let s = Subjects::of("n1");
        let payload = json!({"table": "rhnchannel", "op": "insert", "row": {"id": 1}});
        let out = outgoing("n1", &s, &row(9, "channel.insert", payload.clone()));
        assert_eq!(out.subject, "node.n1.change");
        assert!(out.node_event.is_none());
        let json: Value = serde_json::from_slice(&out.payload).expect("json");
        assert_eq!(json["payload"], payload);
        assert_eq!(json["outbox_id"], 9);
        // A system row missing its minion id is not lost: it goes as a change.
        let out = outgoing(
            "n1",
            &s,
            &row(10, "system-registered", json!({"local_id": 1})),
        );
        assert_eq!(out.subject, "node.n1.change");
        // Nor is the deletion of a kind this director does not know.
        let out = outgoing(
            "n1",
            &s,
            &row(
                11,
                "object-deleted",
                json!({"kind": "hologram", "local_id": 1}),
            ),
        );
        assert_eq!(out.subject, "node.n1.change");
    }
}
