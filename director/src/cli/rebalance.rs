//! `director rebalance plan|apply`: the dry run per node, and applying it
//! as an operation followed to its end.

use std::collections::BTreeMap;

use clap::Subcommand;
use reqwest::Method;

use super::confirm::confirm;
use super::context::Context;
use super::operation::report_started;
use super::render::{align_right, table};
use super::{CliError, Outcome};
use crate::cluster::RebalancePlan;

/// Stranded clients named in the plan summary; the rest are counted.
const STRANDED_SHOWN: usize = 5;

/// Rebalance commands.
#[derive(Debug, Clone, Subcommand)]
pub enum RebalanceCommand {
    /// Show what a rebalance would move (changes nothing).
    Plan,
    /// Rebalance now, then follow it until it ends.
    Apply {
        /// Do not ask for confirmation (needed when not on a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
        /// Start it and return at once, without following it.
        #[arg(long)]
        no_wait: bool,
    },
}

pub(crate) async fn run(ctx: &Context, command: RebalanceCommand) -> Result<Outcome, CliError> {
    match command {
        RebalanceCommand::Plan => {
            let answer = ctx.get(&["rebalance", "plan"], &[]).await?;
            ctx.show(&answer, plan_table)?;
            Ok(Outcome::Success)
        }
        RebalanceCommand::Apply { yes, no_wait } => {
            if !yes {
                let plan: RebalancePlan = ctx.get(&["rebalance", "plan"], &[]).await?.decode()?;
                if plan.moves.is_empty() {
                    ctx.say("the cluster is balanced: nothing to move")?;
                    return Ok(Outcome::Success);
                }
                let question = format!(
                    "{}\nApply the rebalance: move {} of {} clients?",
                    plan_table(&plan),
                    plan.moves.len(),
                    plan.clients
                );
                if !confirm(question, yes, "apply the rebalance").await? {
                    ctx.say("rebalance not applied")?;
                    return Ok(Outcome::Success);
                }
            }
            let answer = ctx
                .call::<()>(Method::POST, &["rebalance"], &[], None)
                .await?;
            report_started(ctx, answer, !no_wait).await
        }
    }
}

/// The plan per node (clients before and after, cap, moves in and out) and
/// a summary line: moves, clients considered, stranded clients.
pub fn plan_table(plan: &RebalancePlan) -> String {
    let mut moves_in: BTreeMap<&str, u64> = BTreeMap::new();
    let mut moves_out: BTreeMap<&str, u64> = BTreeMap::new();
    for m in &plan.moves {
        *moves_in.entry(m.to.as_str()).or_default() += 1;
        if let Some(from) = &m.from {
            *moves_out.entry(from.as_str()).or_default() += 1;
        }
    }
    let mut table = table(&["node", "before", "after", "cap", "moves in", "moves out"]);
    for share in &plan.nodes {
        let node = share.node.as_str();
        table.add_row([
            share.node.clone(),
            share.before.to_string(),
            share.after.to_string(),
            share.cap.to_string(),
            moves_in.get(node).copied().unwrap_or(0).to_string(),
            moves_out.get(node).copied().unwrap_or(0).to_string(),
        ]);
    }
    align_right(&mut table, &[1, 2, 3, 4, 5]);

    let mut text = table.to_string();
    text.push_str(&format!(
        "\n{} moves for {} clients",
        plan.moves.len(),
        plan.clients
    ));
    if !plan.stranded.is_empty() {
        let named = plan.stranded[..plan.stranded.len().min(STRANDED_SHOWN)].join(", ");
        let more = plan.stranded.len().saturating_sub(STRANDED_SHOWN);
        text.push_str(&format!(
            "; {} stranded (no accepting node in their zone): {named}{}",
            plan.stranded.len(),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{NodeShare, PlannedMove};
    use crate::placement::MoveReason;

    fn planned(minion: &str, from: Option<&str>, to: &str) -> PlannedMove {
        PlannedMove {
            minion_id: minion.into(),
            cluster_id: 1,
            from: from.map(str::to_owned),
            to: to.into(),
            reason: MoveReason::Shed,
        }
    }

    fn share(node: &str, before: u64, after: u64, cap: u64) -> NodeShare {
        NodeShare {
            node: node.into(),
            before,
            after,
            cap,
        }
    }

    #[test]
    fn plan_table_counts_moves_per_node() {
        let plan = RebalancePlan {
            moves: vec![
                planned("a", Some("n1"), "n2"),
                planned("b", Some("n1"), "n2"),
                planned("c", None, "n1"),
            ],
            clients: 30,
            nodes: vec![share("n1", 20, 19, 16), share("n2", 10, 12, 16)],
            stranded: (0..7).map(|i| format!("s{i}")).collect(),
        };
        let text = plan_table(&plan);
        let cells = |node: &str| -> Vec<String> {
            let row = text.lines().find(|l| l.contains(node)).unwrap();
            row.split(['│', '┆'])
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect()
        };
        assert_eq!(cells("n1"), ["n1", "20", "19", "16", "1", "2"], "{text}");
        assert_eq!(cells("n2"), ["n2", "10", "12", "16", "2", "0"], "{text}");
        let summary = text.lines().last().unwrap();
        assert!(
            summary.starts_with("3 moves for 30 clients; 7 stranded"),
            "{summary}"
        );
        assert!(
            summary.ends_with("s0, s1, s2, s3, s4 and 2 more"),
            "{summary}"
        );
    }

    #[test]
    fn an_empty_plan_says_no_moves() {
        let plan = RebalancePlan {
            moves: vec![],
            clients: 0,
            nodes: vec![],
            stranded: vec![],
        };
        assert!(plan_table(&plan).ends_with("0 moves for 0 clients"));
    }
}
