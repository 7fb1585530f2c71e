//! `director placement ...`: which node holds a system (by cluster system
//! id) or a minion, and under which local system id.

use super::context::Context;
use super::render::{fields, or_dash};
use super::{CliError, Outcome};
use crate::api::PlacementInfo;
use clap::Subcommand;

/// Placement commands.
#[derive(Debug, Clone, Subcommand)]
pub enum PlacementCommand {
    /// Where a system is, by its cluster system id.
    System {
        /// Cluster system id.
        cluster_id: i32,
    },
    /// Where a minion is, by its Salt minion id.
    Minion {
        /// Salt minion id.
        minion: String,
    },
}

pub(crate) async fn run(ctx: &Context, command: PlacementCommand) -> Result<Outcome, CliError> {
    let answer = match command {
        PlacementCommand::System { cluster_id } => {
            ctx.get(&["placement", "systems", &cluster_id.to_string()], &[])
                .await?
        }
        PlacementCommand::Minion { minion } => {
            ctx.get(&["placement", "minions", &minion], &[]).await?
        }
    };
    ctx.show(&answer, placement_fields)?;
    Ok(Outcome::Success)
}

/// One placement as a field table.
pub(crate) fn placement_fields(p: &PlacementInfo) -> String {
    fields(&[
        ("minion", or_dash(p.minion_id.as_ref())),
        ("cluster id", p.cluster_id.to_string()),
        ("node", p.node.clone()),
        ("local id", or_dash(p.local_id)),
        ("moving to", or_dash(p.moving_to.as_ref())),
        ("copies left", left_copies(p)),
    ])
}

/// The copies a system left on nodes it moved away from, `node:local id`.
fn left_copies(p: &PlacementInfo) -> String {
    if p.left_copies.is_empty() {
        return "-".to_owned();
    }
    let copies: Vec<String> = p
        .left_copies
        .iter()
        .map(|(node, local)| format!("{node}:{local}"))
        .collect();
    copies.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_shows_node_and_local_id() {
        let p: PlacementInfo = serde_json::from_value(serde_json::json!({
            "minion_id": "db-3", "cluster_id": 1000042, "node": "n2",
            "local_id": 1000017, "moving_to": null
        }))
        .unwrap();
        let text = placement_fields(&p);
        let node_row = text.lines().find(|l| l.contains("node")).unwrap();
        assert!(node_row.contains("n2"), "{text}");
        assert!(text.contains("1000017") && text.contains("db-3"), "{text}");
        let row = |text: &str| {
            text.lines()
                .find(|l| l.contains("copies left"))
                .unwrap()
                .to_owned()
        };
        let value = |row: String| {
            let cell = row.split('┆').nth(1).unwrap_or_default();
            cell.trim_matches(|c: char| c == '│' || c.is_whitespace())
                .to_owned()
        };
        assert_eq!(value(row(&text)), "-", "{text}");
        let moved: PlacementInfo = serde_json::from_value(serde_json::json!({
            "minion_id": "db-3", "cluster_id": 1000042, "node": "n2",
            "local_id": 1000017, "moving_to": null,
            "left_copies": {"n1": 1000003, "n4": 1000009}
        }))
        .unwrap();
        assert_eq!(
            value(row(&placement_fields(&moved))),
            "n1:1000003, n4:1000009"
        );
    }
}
