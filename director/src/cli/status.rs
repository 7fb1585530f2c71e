//! `director status`: the cluster at a glance, one row per node and a
//! totals line.

use super::context::Context;
use super::duration::format_age;
use super::render::{align_right, api_name, node_state, table, weight};
use super::{CliError, Outcome};
use crate::cluster::ClusterStatus;
use crate::model::{Millis, NodeState, now_ms};

pub(crate) async fn run(ctx: &Context) -> Result<Outcome, CliError> {
    let answer = ctx.get(&["status"], &[]).await?;
    ctx.show(&answer, |status: &ClusterStatus| {
        status_table(status, now_ms())
    })?;
    Ok(Outcome::Success)
}

/// The status as a table (heartbeat ages relative to `now`) and a totals
/// line: nodes, active nodes, clients, moves in flight, operations running.
pub fn status_table(status: &ClusterStatus, now: Millis) -> String {
    let mut table = table(&[
        "node",
        "zone",
        "state",
        "cordoned",
        "weight",
        "clients",
        "health",
        "last heartbeat",
        "missed",
        "unsettled",
    ]);
    for node in &status.nodes {
        table.add_row([
            node.id.clone(),
            node.zone.clone(),
            node_state(node.state, node.lacking),
            if node.cordoned { "yes" } else { "no" }.to_owned(),
            weight(node.weight),
            node.clients.to_string(),
            api_name(&node.health),
            format_age(node.last_heartbeat, now),
            node.missed_changes.to_string(),
            node.unsettled_changes
                .map_or_else(|| "?".to_owned(), |n| n.to_string()),
        ]);
    }
    align_right(&mut table, &[4, 5, 8, 9]);

    let active = status
        .nodes
        .iter()
        .filter(|n| n.state == NodeState::Active)
        .count();
    // The totals stay the last line, for scripts.
    let busy = if status.placement_busy {
        "client counts are from the director's last look: a drain or rebalance is placing clients\n"
    } else {
        ""
    };
    format!(
        "{table}\n{busy}{} nodes ({active} active), {} clients, {} moves in flight, {} operations running",
        status.nodes.len(),
        status.clients,
        status.moves_in_flight,
        status.operations_running
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{Health, NodeStatus};

    fn sample_status() -> ClusterStatus {
        let node = |id: &str, state, health, clients, beat| NodeStatus {
            id: id.into(),
            zone: "eu".into(),
            state,
            cordoned: id == "n2",
            weight: if id == "n1" { 2.0 } else { 1.0 },
            clients,
            health,
            last_heartbeat: beat,
            load: None,
            missed_changes: if id == "n3" { 2 } else { 0 },
            unsettled_changes: Some(if id == "n3" { 1 } else { 0 }),
            lacking: (id == "n2").then_some(4),
        };
        ClusterStatus {
            nodes: vec![
                node("n1", NodeState::Active, Health::Healthy, 200, Some(95_000)),
                node("n2", NodeState::Active, Health::Late, 100, Some(40_000)),
                node("n3", NodeState::New, Health::Unknown, 0, None),
            ],
            clients: 300,
            moves_in_flight: 4,
            operations_running: 1,
            placement_busy: false,
        }
    }

    #[test]
    fn status_rows_show_state_health_and_heartbeat_age() {
        let text = status_table(&sample_status(), 100_000);
        let row = |id: &str| text.lines().find(|l| l.contains(id)).unwrap().to_owned();
        for (id, expected) in [
            ("n1", ["active", "no", "2", "200", "healthy", "5s ago"]),
            (
                "n2",
                ["active, lacking 4", "yes", "1", "100", "late", "1m ago"],
            ),
            ("n3", ["new", "no", "1", "0", "unknown", "never"]),
        ] {
            let row = row(id);
            for e in expected {
                assert!(row.contains(e), "{e} missing from {row}");
            }
        }
        assert!(text.contains("┆ missed ┆ unsettled │"), "{text}");
        // The last two cells: missed, unsettled.
        let missed = |line: String| {
            let cells: Vec<String> = line
                .trim_end_matches(['│', ' '])
                .rsplit(['┆', '│'])
                .take(2)
                .map(|c| c.trim().to_owned())
                .collect();
            (cells[1].clone(), cells[0].clone())
        };
        assert_eq!(missed(row("n3")), ("2".to_owned(), "1".to_owned()));
        assert_eq!(missed(row("n1")), ("0".to_owned(), "0".to_owned()));
        assert_eq!(
            text.lines().last().unwrap(),
            "3 nodes (2 active), 300 clients, 4 moves in flight, 1 operations running"
        );
        let mut busy = sample_status();
        busy.placement_busy = true;
        let busy = status_table(&busy, 100_000);
        let lines: Vec<&str> = busy.lines().rev().take(2).collect();
        assert!(lines[1].contains("last look"), "{busy}");
        assert!(lines[0].starts_with("3 nodes"), "{busy}");
    }
}
