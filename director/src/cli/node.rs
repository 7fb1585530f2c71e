//! `director node ...`: list, add, change, remove, drain, cordon and
//! uncordon nodes; show and remove the gateways' follow records of one,
//! and clear the changes it missed.

use std::time::Duration;

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::json;

use super::context::Context;
use super::duration::{format_age, parse_duration};
use super::operation::report_started;
use super::render::{align_right, node_state, or_dash, table, weight};
use super::{CliError, Outcome};
use crate::cluster::{
    FollowHold, FollowRecord, FollowsForgotten, MissedCallRow, MissedCallsForgotten, NewNode,
    NodeFollows, NodePatch,
};
use crate::model::{Millis, Node, NodeState, now_ms};

/// Node commands.
#[derive(Debug, Clone, Subcommand)]
pub enum NodeCommand {
    /// List the nodes.
    List,
    /// Register a node.
    Add {
        /// Node id (`[a-z0-9-]`).
        id: String,
        /// Zone it belongs to (must exist).
        #[arg(long)]
        zone: String,
        /// Its SUSE Manager API, e.g. `https://suma1.example.com/rpc/api`.
        #[arg(long, value_name = "URL")]
        api_url: String,
        /// Host name Salt minions use as master (default: the API URL's host).
        #[arg(long, value_name = "HOST")]
        master: Option<String>,
        /// Capacity weight (> 0, default 1).
        #[arg(long, value_parser = parse_weight)]
        weight: Option<f64>,
        /// Initial state (new by default; staged or active only with
        /// --unseeded while other nodes serve).
        #[arg(long, value_parser = parse_initial_state)]
        state: Option<NodeState>,
        /// The node agent's X25519 public key (base64).
        #[arg(long, value_name = "BASE64")]
        public_key: Option<String>,
        /// Whether the node holds the shared data already.
        #[command(flatten)]
        unseeded: Unseeded,
    },
    /// Remove a node (it must be new, staged, offline or failed).
    Remove {
        /// Node id.
        id: String,
    },
    /// Change a node's weight, state, API URL or master.
    Set {
        /// Node id.
        id: String,
        /// What to change.
        #[command(flatten)]
        change: NodeChange,
        /// Whether the node holds the shared data already.
        #[command(flatten)]
        unseeded: Unseeded,
    },
    /// Move a node's clients away, then take it offline.
    Drain {
        /// Node id.
        id: String,
        /// How long the drain may take, e.g. `30m`, `2h` (default: the director's).
        #[arg(long, value_parser = parse_duration)]
        deadline: Option<Duration>,
        /// Follow the drain with a progress bar until it ends.
        #[arg(long)]
        wait: bool,
    },
    /// Keep the node's clients but give it no new ones.
    Cordon {
        /// Node id.
        id: String,
    },
    /// Let a cordoned node take new clients again.
    Uncordon {
        /// Node id.
        id: String,
    },
    /// Show the gateways' follow records of a node: the changes of shared
    /// data each gateway process queued for it while it was staged or
    /// failed, settled, and counted against it now; and the changes it
    /// missed, by method.
    Follows {
        /// Node id.
        id: String,
    },
    /// Remove a node's follow records none of whose changes counts
    /// against it (gateways killed while they followed it leave theirs).
    ForgetFollows {
        /// Node id.
        id: String,
        /// Only this gateway's record (`gw-...`); refused while changes in
        /// it count against the node.
        #[arg(long, value_name = "GATEWAY")]
        gateway: Option<String>,
    },
    /// Clear a node's missed changes by method (`node follows` lists
    /// them), once they were redone on it.
    ForgetMissed {
        /// Node id.
        id: String,
        /// Only those last counted at or before this time (milliseconds
        /// since the Unix epoch; `node follows` prints the command with the
        /// latest it showed), so that one counted since is kept.
        #[arg(long, value_name = "MS")]
        through: Option<Millis>,
    },
}

/// What `node set` changes (at least one).
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = true)]
pub struct NodeChange {
    /// New capacity weight (> 0).
    #[arg(long, value_parser = parse_weight)]
    pub weight: Option<f64>,
    /// New lifecycle state (new, staged, active, draining, offline, failed, removed).
    #[arg(long, value_parser = parse_node_state)]
    pub state: Option<NodeState>,
    /// New SUSE Manager API URL.
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// New master host name.
    #[arg(long, value_name = "HOST")]
    pub master: Option<String>,
}

/// The operator's word that a node holds the shared data already.
#[derive(Debug, Clone, Copy, Args)]
pub struct Unseeded {
    /// The node holds the shared data already (restored, or prepared as
    /// the others were): stage or activate it without a `gateway
    /// seed-node` run. Without it, a node other nodes serve beside goes
    /// new -> seed-node -> staged -> seed-node -> active. A failed node set
    /// active with it is taken to lack nothing it missed.
    #[arg(long)]
    pub unseeded: bool,
}

pub(crate) async fn run(ctx: &Context, command: NodeCommand) -> Result<Outcome, CliError> {
    match command {
        NodeCommand::List => {
            let answer = ctx.get(&["nodes"], &[]).await?;
            ctx.show(&answer, |nodes: &Vec<Node>| nodes_table(nodes))?;
        }
        NodeCommand::Add {
            id,
            zone,
            api_url,
            master,
            weight,
            state,
            public_key,
            unseeded,
        } => {
            let new = NewNode {
                id,
                zone,
                api_url,
                master,
                weight,
                public_key,
                state,
                unseeded: unseeded.unseeded,
            };
            let answer = ctx.call(Method::POST, &["nodes"], &[], Some(&new)).await?;
            ctx.confirm_change(
                &answer,
                &format!("node {} added to zone {}", new.id, new.zone),
            )?;
        }
        NodeCommand::Remove { id } => {
            let answer = ctx
                .call::<()>(Method::DELETE, &["nodes", &id], &[], None)
                .await?;
            ctx.confirm_change(&answer, &format!("node {id} removed"))?;
        }
        NodeCommand::Set {
            id,
            change,
            unseeded,
        } => {
            let patch = NodePatch {
                weight: change.weight,
                api_url: change.api_url,
                master: change.master,
                state: change.state,
                unseeded: unseeded.unseeded,
            };
            let answer = ctx
                .call(Method::PATCH, &["nodes", &id], &[], Some(&patch))
                .await?;
            ctx.show(&answer, |node: &Node| {
                nodes_table(std::slice::from_ref(node))
            })?;
        }
        NodeCommand::Drain { id, deadline, wait } => {
            let body = deadline.map(|d| json!({ "deadline_secs": d.as_secs() }));
            let answer = ctx
                .call(Method::POST, &["nodes", &id, "drain"], &[], body.as_ref())
                .await?;
            return report_started(ctx, answer, wait).await;
        }
        NodeCommand::Cordon { id } => {
            let answer = ctx
                .call::<()>(Method::POST, &["nodes", &id, "cordon"], &[], None)
                .await?;
            ctx.confirm_change(
                &answer,
                &format!("node {id} cordoned: it takes no new clients"),
            )?;
        }
        NodeCommand::Uncordon { id } => {
            let answer = ctx
                .call::<()>(Method::POST, &["nodes", &id, "uncordon"], &[], None)
                .await?;
            ctx.confirm_change(
                &answer,
                &format!("node {id} uncordoned: it takes new clients"),
            )?;
        }
        NodeCommand::Follows { id } => {
            let answer = ctx.get(&["nodes", &id, "follows"], &[]).await?;
            ctx.show(&answer, |follows: &NodeFollows| {
                follows_table(follows, now_ms())
            })?;
        }
        NodeCommand::ForgetFollows { id, gateway } => {
            let query: Vec<(&str, String)> = gateway.into_iter().map(|g| ("gateway", g)).collect();
            let answer = ctx
                .call::<()>(Method::DELETE, &["nodes", &id, "follows"], &query, None)
                .await?;
            ctx.show(&answer, |forgotten: &FollowsForgotten| {
                forgotten_text(&id, forgotten)
            })?;
        }
        NodeCommand::ForgetMissed { id, through } => {
            let query: Vec<(&str, String)> = through
                .into_iter()
                .map(|t| ("through", t.to_string()))
                .collect();
            let answer = ctx
                .call::<()>(
                    Method::DELETE,
                    &["nodes", &id, "missed-calls"],
                    &query,
                    None,
                )
                .await?;
            ctx.show(&answer, |forgotten: &MissedCallsForgotten| {
                forgotten_missed_text(&id, forgotten, now_ms())
            })?;
        }
    }
    Ok(Outcome::Success)
}

/// Parses a capacity weight: a finite number above zero.
pub(crate) fn parse_weight(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(w) if w.is_finite() && w > 0.0 => Ok(w),
        _ => Err(format!("{text:?}: a weight is a number above zero")),
    }
}

/// Parses a node state by its API name (`active`, `draining`, ...).
pub(crate) fn parse_node_state(text: &str) -> Result<NodeState, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
        format!("{text:?}: one of new, staged, active, draining, offline, failed, removed")
    })
}

/// Parses the state a node may start in: `new`, `staged` or `active`.
pub(crate) fn parse_initial_state(text: &str) -> Result<NodeState, String> {
    match parse_node_state(text) {
        Ok(state @ (NodeState::New | NodeState::Staged | NodeState::Active)) => Ok(state),
        _ => Err(format!("{text:?}: a new node starts new, staged or active")),
    }
}

/// The nodes as a table.
pub(crate) fn nodes_table(nodes: &[Node]) -> String {
    let mut table = table(&[
        "node", "zone", "state", "cordoned", "weight", "api url", "master", "seeded",
    ]);
    for node in nodes {
        table.add_row([
            node.id.clone(),
            node.zone.clone(),
            node_state(node.state, node.lacking),
            if node.cordoned { "yes" } else { "no" }.to_owned(),
            weight(node.weight),
            node.api_url.clone(),
            or_dash(Some(&node.master).filter(|m| !m.is_empty())),
            or_dash(
                node.seeded_in_state()
                    .map(|mark| format!("from {}", mark.from)),
            ),
        ]);
    }
    align_right(&mut table, &[4]);
    table.to_string()
}

/// Follow records as a table.
fn records_table(records: &[FollowRecord]) -> String {
    let mut table = table(&["gateway", "queued", "settled", "unsettled", "counted"]);
    for r in records {
        table.add_row([
            r.gateway.clone(),
            r.queued.to_string(),
            r.settled.to_string(),
            r.queued.saturating_sub(r.settled).to_string(),
            r.counted.to_string(),
        ]);
    }
    align_right(&mut table, &[1, 2, 3, 4]);
    table.to_string()
}

/// A node's follow records and a line on what counts against it.
pub(crate) fn follows_table(follows: &NodeFollows, now: Millis) -> String {
    let id = &follows.node;
    let state = follows.state.as_str();
    let verdict = match follows.held_against {
        None => {
            let why = match follows.state {
                NodeState::Active | NodeState::Draining => "it serves: changes reach it directly",
                NodeState::Failed => "it failed before the gateways' counts were kept",
                _ => "it follows no change",
            };
            format!("nothing counts against {id} now ({state}: {why})")
        }
        Some(hold) => {
            let what = match hold {
                FollowHold::SeedRun => "they keep it from being activated",
                FollowHold::Unseeded => "they keep it from being activated until a run covers them",
                FollowHold::Failure => "they count as missed when it beats again",
            };
            format!(
                "{} change(s) queued for {id} {} are not settled yet: {what}",
                follows.counted,
                hold.since()
            )
        }
    };
    let mut text = if follows.records.is_empty() {
        format!("no follow records for {id}\n{verdict}")
    } else {
        format!("{}\n{verdict}", records_table(&follows.records))
    };
    if !follows.missed_calls.is_empty() {
        let count: u64 = follows.missed_calls.iter().map(|r| r.count).sum();
        let through = follows
            .missed_calls
            .iter()
            .map(|r| r.last)
            .max()
            .unwrap_or(0);
        text.push_str(&format!(
            "\n{id} missed {count} change(s) of shared data while it was staged or failed, by \
             method, since they were last cleared (redo on it what a seed-node run does not \
             carry, then `director node forget-missed {id} --through {through}`):\n{}",
            missed_table(&follows.missed_calls, now)
        ));
    }
    text
}

/// What `node forget-missed` did.
fn forgotten_missed_text(id: &str, forgotten: &MissedCallsForgotten, now: Millis) -> String {
    let mut text = if forgotten.cleared.is_empty() {
        format!("no missed changes of {id} cleared")
    } else {
        let count: u64 = forgotten.cleared.iter().map(|r| r.count).sum();
        format!(
            "{count} missed change(s) of {id} cleared:\n{}",
            missed_table(&forgotten.cleared, now)
        )
    };
    if !forgotten.kept.is_empty() {
        text.push_str(&format!(
            "\nkept, counted since:\n{}",
            missed_table(&forgotten.kept, now)
        ));
    }
    text
}

/// Missed changes by method as a table; times relative to `now`.
fn missed_table(rows: &[MissedCallRow], now: Millis) -> String {
    let mut table = table(&["method", "missed", "first", "last"]);
    for r in rows {
        table.add_row([
            r.method.clone(),
            r.count.to_string(),
            format_age(Some(r.first), now),
            format_age(Some(r.last), now),
        ]);
    }
    align_right(&mut table, &[1]);
    table.to_string()
}

/// What `node forget-follows` did.
fn forgotten_text(id: &str, forgotten: &FollowsForgotten) -> String {
    let mut text = format!(
        "{} follow record(s) of {id} removed",
        forgotten.removed.len()
    );
    for r in &forgotten.removed {
        text.push_str(&format!(
            "\n  {} (queued {}, settled {})",
            r.gateway, r.queued, r.settled
        ));
    }
    if !forgotten.kept.is_empty() {
        text.push_str(&format!(
            "\nkept, changes in them count against {id}:\n{}",
            records_table(&forgotten.kept)
        ));
    }
    if forgotten.more {
        text.push_str(match forgotten.removed.is_empty() {
            false => "\nmore records remain unread: run it again",
            true => "\nmore records remain unread, and every one read counts against the node",
        });
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_records_say_what_counts_against_the_node() {
        let record = |gateway: &str, queued, settled, counted| FollowRecord {
            gateway: gateway.into(),
            queued,
            settled,
            counted,
        };
        let mut follows = NodeFollows {
            node: "n2".into(),
            state: NodeState::Failed,
            held_against: Some(FollowHold::Failure),
            records: vec![record("gw-a", 9, 4, 2), record("gw-b", 3, 3, 0)],
            counted: 2,
            missed_calls: Vec::new(),
        };
        let text = follows_table(&follows, 0);
        let row = text.lines().find(|l| l.contains("gw-a")).unwrap();
        let cells: Vec<&str> = row
            .split(['│', '┆'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(cells, ["gw-a", "9", "4", "5", "2"]);
        assert!(
            text.ends_with(
                "2 change(s) queued for n2 since it failed are not settled yet: they count as \
                 missed when it beats again"
            ),
            "{text}"
        );
        follows.state = NodeState::Active;
        follows.held_against = None;
        follows.records.clear();
        let text = follows_table(&follows, 0);
        assert!(
            text.starts_with("no follow records for n2\nnothing counts against n2 now (active"),
            "{text}"
        );
        assert!(!text.contains("missed"), "{text}");
        // The changes it missed, by method, with what to do about them.
        follows.missed_calls = vec![
            MissedCallRow {
                method: "kickstart.profile.addScript".into(),
                count: 2,
                first: 1_000,
                last: 61_000,
            },
            MissedCallRow {
                method: "systemgroup.create".into(),
                count: 1,
                first: 121_000,
                last: 121_000,
            },
        ];
        let text = follows_table(&follows, 181_000);
        assert!(
            text.contains(
                "n2 missed 3 change(s) of shared data while it was staged or failed, by method, \
                 since they were last cleared (redo on it what a seed-node run does not carry, \
                 then `director node forget-missed n2 --through 121000`):"
            ),
            "{text}"
        );
        let row = text
            .lines()
            .find(|l| l.contains("addScript"))
            .unwrap()
            .split(['│', '┆'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>();
        assert_eq!(
            row,
            ["kickstart.profile.addScript", "2", "3m ago", "2m ago"]
        );
        let (kept, cleared) = follows.missed_calls.split_at(1);
        let text = forgotten_missed_text(
            "n2",
            &MissedCallsForgotten {
                cleared: cleared.to_vec(),
                kept: kept.to_vec(),
            },
            181_000,
        );
        assert!(
            text.starts_with("1 missed change(s) of n2 cleared:")
                && text.contains("systemgroup.create")
                && text
                    .split_once("kept, counted since:")
                    .is_some_and(|(_, kept)| kept.contains("addScript")),
            "{text}"
        );
        let none = MissedCallsForgotten {
            cleared: Vec::new(),
            kept: Vec::new(),
        };
        assert_eq!(
            forgotten_missed_text("n2", &none, 0),
            "no missed changes of n2 cleared"
        );

        let forgotten = FollowsForgotten {
            removed: vec![record("gw-b", 3, 3, 0)],
            kept: vec![record("gw-a", 9, 4, 2)],
            more: true,
        };
        let text = forgotten_text("n2", &forgotten);
        assert!(text.starts_with("1 follow record(s) of n2 removed\n  gw-b (queued 3, settled 3)\nkept, changes in them count against n2:"), "{text}");
        assert!(
            text.contains("gw-a") && text.ends_with("more records remain unread: run it again"),
            "{text}"
        );
    }

    #[test]
    fn weights_and_states_parse_or_say_why_not() {
        assert_eq!(parse_weight("2.5"), Ok(2.5));
        for bad in ["0", "-1", "x", "inf", "NaN"] {
            assert!(parse_weight(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_node_state("draining"), Ok(NodeState::Draining));
        assert!(parse_node_state("Active").unwrap_err().contains("one of"));
        assert_eq!(parse_initial_state("staged"), Ok(NodeState::Staged));
        assert!(parse_initial_state("draining").is_err());
    }
}
