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
    ])
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
    }
}
