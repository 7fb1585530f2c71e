//! `/metrics`: the cluster at a glance in the Prometheus text format, for
//! scraping. Read from [`Director::status`] at each scrape (the
//! placement's in-memory loads, the node records, the missed-change counts
//! and the follow records of the nodes held to them), so it holds what
//! `director status` shows and no token or URL. Behind a token of its
//! own (`auth.metrics_token_file`): the listener is the client and node
//! agents' too, and what it shows is the admin API's.

use std::fmt::Write;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::cluster::{ClusterStatus, Director, Health, NodeStatus};
use crate::model::{Millis, NodeState, now_ms};

/// The metrics route (behind the metrics token).
pub(crate) fn routes() -> OpenApiRouter<Arc<Director>> {
    OpenApiRouter::new().routes(routes!(metrics))
}

/// The cluster's nodes, clients, moves and operations in the Prometheus
/// text format; 503 when the state store cannot be read.
#[utoipa::path(get, path = "/metrics", tag = "status",
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        (status = 503, description = "The state store cannot be read", body = String, content_type = "text/plain")))]
async fn metrics(State(director): State<Arc<Director>>) -> Response {
    match director.status().await {
        Ok(status) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            render(&status, now_ms()),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics: the cluster status could not be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the director cannot reach its state store\n",
            )
                .into_response()
        }
    }
}

/// A label value as the text format writes it.
fn escaped(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Writes one metric family's `HELP` and `TYPE` lines.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A family's name, kind and help text.
type Family<'a> = (&'a str, &'a str, &'a str);
/// A node's sample of a family at a time, if it has one.
type NodeValue = fn(&NodeStatus, Millis) -> Option<String>;

/// A node with its `node` and `zone` labels.
type Labelled<'a> = (&'a NodeStatus, String);

/// One family with a sample per node; `value` leaves a node out with
/// `None`.
fn per_node(
    out: &mut String,
    nodes: &[Labelled<'_>],
    (name, kind, help): Family<'_>,
    value: impl Fn(&NodeStatus) -> Option<String>,
) {
    family(out, name, kind, help);
    for (n, labels) in nodes {
        if let Some(v) = value(n) {
            let _ = writeln!(out, "{name}{{{labels}}} {v}");
        }
    }
}

/// One gauge family per node with a sample per `label` value: 1 for the
/// node's, 0 for the others.
fn one_hot<T: Copy + PartialEq>(
    out: &mut String,
    nodes: &[Labelled<'_>],
    (name, help): (&str, &str),
    (label, values, name_of): (&str, &[T], fn(T) -> &'static str),
    of: impl Fn(&NodeStatus) -> T,
) {
    family(out, name, "gauge", help);
    for (n, labels) in nodes {
        for &value in values {
            let on = u8::from(of(n) == value);
            let _ = writeln!(
                out,
                "{name}{{{labels},{label}=\"{}\"}} {on}",
                name_of(value)
            );
        }
    }
}

/// `status` as Prometheus text, heartbeat ages counted at `now`. Removed
/// nodes are left out.
pub fn render(status: &ClusterStatus, now: Millis) -> String {
    let mut out = String::new();
    let nodes: Vec<Labelled<'_>> = status
        .nodes
        .iter()
        .filter(|n| n.state != NodeState::Removed)
        .map(|n| {
            (
                n,
                format!("node=\"{}\",zone=\"{}\"", escaped(&n.id), escaped(&n.zone)),
            )
        })
        .collect();
    let states: Vec<NodeState> = NodeState::ALL
        .into_iter()
        .filter(|s| *s != NodeState::Removed)
        .collect();

    family(
        &mut out,
        "director_nodes",
        "gauge",
        "Nodes by lifecycle state.",
    );
    for &state in &states {
        let count = nodes.iter().filter(|(n, _)| n.state == state).count();
        let _ = writeln!(
            out,
            "director_nodes{{state=\"{}\"}} {count}",
            state.as_str()
        );
    }
    one_hot(
        &mut out,
        &nodes,
        (
            "director_node_state",
            "1 for the node's lifecycle state, 0 for the others.",
        ),
        ("state", &states, NodeState::as_str),
        |n| n.state,
    );
    one_hot(
        &mut out,
        &nodes,
        (
            "director_node_health",
            "1 for the node's health (heartbeats: healthy, late, failed, unknown), 0 for the others.",
        ),
        ("health", &Health::ALL, Health::as_str),
        |n| n.health,
    );
    let families: [(Family<'_>, NodeValue); 9] = [
        (
            (
                "director_node_heartbeat_age_seconds",
                "gauge",
                "Seconds since the node's last heartbeat (absent for a node never heard from).",
            ),
            |n, now| {
                n.last_heartbeat
                    .map(|last| ((now - last).max(0) as f64 / 1000.0).to_string())
            },
        ),
        (
            (
                "director_node_clients",
                "gauge",
                "Client systems the director places on the node.",
            ),
            |n, _| Some(n.clients.to_string()),
        ),
        (
            (
                "director_node_systems",
                "gauge",
                "Client systems the node reported in its last heartbeat.",
            ),
            |n, _| n.load.as_ref().map(|load| load.systems.to_string()),
        ),
        (
            (
                "director_node_load_average",
                "gauge",
                "The node's one-minute load average from its last heartbeat.",
            ),
            |n, _| n.load.as_ref().map(|load| load.load_avg.to_string()),
        ),
        (
            (
                "director_node_weight",
                "gauge",
                "The node's capacity weight.",
            ),
            |n, _| Some(n.weight.to_string()),
        ),
        (
            (
                "director_node_cordoned",
                "gauge",
                "1 when the node takes no new clients.",
            ),
            |n, _| Some(u8::from(n.cordoned).to_string()),
        ),
        (
            (
                "director_node_missed_changes_total",
                "counter",
                "Changes of shared data the node missed while staged or failed, as the gateways counted them.",
            ),
            |n, _| Some(n.missed_changes.to_string()),
        ),
        (
            (
                "director_node_unsettled_changes",
                "gauge",
                "Changes of shared data queued for the node, neither sent nor counted as missed, that count against it (absent when its follow records could not be read).",
            ),
            |n, _| n.unsettled_changes.map(|u| u.to_string()),
        ),
        (
            (
                "director_node_lacking_changes",
                "gauge",
                "Changes of shared data the node missed while failed and still lacks, back active.",
            ),
            |n, _| Some(n.lacking.unwrap_or(0).to_string()),
        ),
    ];
    for (family_of, value) in families {
        per_node(&mut out, &nodes, family_of, |n| value(n, now));
    }
    for (name, help, value) in [
        ("director_clients", "Client systems in all.", status.clients),
        (
            "director_moves_in_flight",
            "Client moves directed and not done.",
            status.moves_in_flight,
        ),
        (
            "director_operations_running",
            "Drains and rebalances running.",
            status.operations_running,
        ),
        (
            "director_placement_busy",
            "1 when the client counts are those of the last look: a placement change was under way.",
            u64::from(status.placement_busy),
        ),
    ] {
        family(&mut out, name, "gauge", help);
        let _ = writeln!(out, "{name} {value}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::NodeStatus;
    use crate::model::NodeLoad;

    fn node(id: &str, state: NodeState, health: Health) -> NodeStatus {
        NodeStatus {
            id: id.into(),
            zone: "eu \"west\"".into(),
            state,
            cordoned: false,
            weight: 1.5,
            clients: 7,
            health,
            last_heartbeat: None,
            load: None,
            missed_changes: 0,
            unsettled_changes: Some(0),
            lacking: None,
        }
    }

    #[test]
    fn the_status_reads_as_prometheus_text() {
        let mut n1 = node("n1", NodeState::Active, Health::Healthy);
        n1.last_heartbeat = Some(10_000);
        n1.load = Some(NodeLoad {
            systems: 7,
            load_avg: 0.25,
        });
        let mut n2 = node("n2", NodeState::Failed, Health::Failed);
        n2.missed_changes = 3;
        n2.unsettled_changes = None;
        n2.lacking = Some(2);
        n2.cordoned = true;
        let gone = node("n3", NodeState::Removed, Health::Unknown);
        let status = ClusterStatus {
            nodes: vec![n1, n2, gone],
            clients: 14,
            moves_in_flight: 2,
            operations_running: 1,
            placement_busy: true,
        };
        let text = render(&status, 12_500);
        let has = |line: &str| text.lines().any(|l| l == line);
        let labels = |id: &str| format!("node=\"{id}\",zone=\"eu \\\"west\\\"\"");
        for line in [
            "director_nodes{state=\"active\"} 1".to_owned(),
            "director_nodes{state=\"failed\"} 1".to_owned(),
            "director_nodes{state=\"staged\"} 0".to_owned(),
            format!("director_node_state{{{},state=\"active\"}} 1", labels("n1")),
            format!("director_node_state{{{},state=\"failed\"}} 0", labels("n1")),
            format!(
                "director_node_health{{{},health=\"failed\"}} 1",
                labels("n2")
            ),
            format!(
                "director_node_heartbeat_age_seconds{{{}}} 2.5",
                labels("n1")
            ),
            format!("director_node_clients{{{}}} 7", labels("n1")),
            format!("director_node_systems{{{}}} 7", labels("n1")),
            format!("director_node_load_average{{{}}} 0.25", labels("n1")),
            format!("director_node_weight{{{}}} 1.5", labels("n2")),
            format!("director_node_cordoned{{{}}} 1", labels("n2")),
            format!("director_node_missed_changes_total{{{}}} 3", labels("n2")),
            format!("director_node_unsettled_changes{{{}}} 0", labels("n1")),
            format!("director_node_lacking_changes{{{}}} 2", labels("n2")),
            "director_clients 14".to_owned(),
            "director_moves_in_flight 2".to_owned(),
            "director_operations_running 1".to_owned(),
            "director_placement_busy 1".to_owned(),
            "# TYPE director_node_missed_changes_total counter".to_owned(),
        ] {
            assert!(has(&line), "missing {line:?} in\n{text}");
        }
        // Absent rather than made up: n2's heartbeat, load and unreadable
        // follow records; removed nodes and the removed state.
        for gone in [
            format!("director_node_heartbeat_age_seconds{{{}}}", labels("n2")),
            format!("director_node_systems{{{}}}", labels("n2")),
            format!("director_node_unsettled_changes{{{}}}", labels("n2")),
            "n3".to_owned(),
            "removed".to_owned(),
        ] {
            assert!(!text.contains(&gone), "{gone:?} in\n{text}");
        }
        // Every sample belongs to a family declared before it.
        let mut declared = std::collections::HashSet::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                declared.insert(rest.split(' ').next().unwrap().to_owned());
            } else if !line.starts_with('#') {
                let name = line.split(['{', ' ']).next().unwrap();
                assert!(declared.contains(name), "{line}");
            }
        }
    }

    /// `ALL` lists every variant once, in order: a new variant fails to
    /// compile in these matches until it is given its place (and added to
    /// `ALL`).
    #[test]
    fn every_state_and_health_is_listed() {
        let state_at = |s: NodeState| match s {
            NodeState::New => 0,
            NodeState::Staged => 1,
            NodeState::Active => 2,
            NodeState::Draining => 3,
            NodeState::Offline => 4,
            NodeState::Failed => 5,
            NodeState::Removed => 6,
        };
        let health_at = |h: Health| match h {
            Health::Healthy => 0,
            Health::Late => 1,
            Health::Failed => 2,
            Health::Unknown => 3,
        };
        assert_eq!(NodeState::ALL.len(), 7);
        assert_eq!(Health::ALL.len(), 4);
        for (i, state) in NodeState::ALL.into_iter().enumerate() {
            assert_eq!(state_at(state), i);
        }
        for (i, health) in Health::ALL.into_iter().enumerate() {
            assert_eq!(health_at(health), i);
        }
    }

    #[test]
    fn state_and_health_names_are_the_api_s() {
        for state in NodeState::ALL {
            assert_eq!(
                serde_json::to_value(state).unwrap(),
                serde_json::Value::String(state.as_str().into())
            );
        }
        for health in Health::ALL {
            assert_eq!(
                serde_json::to_value(health).unwrap(),
                serde_json::Value::String(health.as_str().into())
            );
        }
    }
}
