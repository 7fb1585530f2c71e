//! `director operation show ID [--wait]`, and what `node drain --wait` and
//! `rebalance apply` share: report a started operation, follow it, print
//! how it ended.

use clap::Subcommand;

use super::context::{Answer, Context};
use super::duration::{format_age, format_deadline};
use super::follow::{POLL_INTERVAL, describe, outcome_of};
use super::render::{api_name, fields, print_json, print_text};
use super::{CliError, Outcome, OutputFormat, ProgressView, follow_operation};
use crate::model::{Millis, Operation, OperationKind, OperationState, now_ms};

/// Operation commands.
#[derive(Debug, Clone, Subcommand)]
pub enum OperationCommand {
    /// Show an operation and its progress.
    Show {
        /// Operation id.
        id: u64,
        /// Follow it with a progress bar until it ends.
        #[arg(long)]
        wait: bool,
    },
}

pub(crate) async fn run(ctx: &Context, command: OperationCommand) -> Result<Outcome, CliError> {
    let OperationCommand::Show { id, wait } = command;
    let answer = ctx.get(&["operations", &id.to_string()], &[]).await?;
    if wait {
        return follow_and_report(ctx, answer.decode()?).await;
    }
    ctx.show(&answer, |op: &Operation| operation_table(op, now_ms()))?;
    Ok(Outcome::Success)
}

/// After a drain or rebalance started: with `wait`, follows it to its end
/// and prints how it ended (non-zero outcome when it failed); without,
/// prints the operation and how to follow it.
pub(crate) async fn report_started(
    ctx: &Context,
    answer: Answer,
    wait: bool,
) -> Result<Outcome, CliError> {
    let op: Operation = answer.decode()?;
    if !wait {
        ctx.show(&answer, |op: &Operation| {
            format!(
                "{} started: {} moves (follow it with `director operation show {} --wait`)",
                describe(op),
                op.total,
                op.id
            )
        })?;
        return Ok(Outcome::Success);
    }
    ctx.say(&format!("{} started: {} moves", describe(&op), op.total))?;
    follow_and_report(ctx, op).await
}

async fn follow_and_report(ctx: &Context, op: Operation) -> Result<Outcome, CliError> {
    let op = if op.state == OperationState::Running {
        let mut view = ProgressView::for_stderr();
        follow_operation(&ctx.client, op.id, POLL_INTERVAL, &mut view).await?
    } else {
        op
    };
    match ctx.output {
        OutputFormat::Json => {
            print_json(&serde_json::to_value(&op).expect("an operation serializes"))?
        }
        OutputFormat::Table => {
            print_text(&operation_summary(&op))?;
            if let Some(hint) = carry_hint(&op) {
                ctx.say(&hint)?;
            }
        }
    }
    Ok(outcome_of(&op))
}

/// What to run next after an operation that moved clients: each moved
/// system registered anew on its new node with its activation key's
/// settings, and what was set on it by hand is still on its old node's
/// copy.
pub(crate) fn carry_hint(op: &Operation) -> Option<String> {
    if op.done == 0 {
        return None;
    }
    let from = match &op.kind {
        OperationKind::Drain { node } => node.as_str(),
        OperationKind::Rebalance => "<old node>",
        // The failed node's copies are gone with it.
        OperationKind::DisasterRecovery { .. } => return None,
    };
    Some(format!(
        "moved systems registered anew with their activation keys: give them what was set \
         on them by hand with `gateway carry-systems --from {from} --to <new node>` for each \
         node that took some, then delete the old copies (README: \"After a drain or \
         rebalance\")"
    ))
}

/// How an operation stands in one sentence:
/// `drain of n1 (operation 7) done: 10 of 10 moves done, 0 failed`.
pub fn operation_summary(op: &Operation) -> String {
    let state = match op.state {
        OperationState::Running => "running",
        OperationState::Done => "done",
        OperationState::Failed => "FAILED",
    };
    format!(
        "{} {state}: {} of {} moves done, {} failed",
        describe(op),
        op.done,
        op.total,
        op.failed
    )
}

/// One operation as a field table; times relative to `now`.
pub(crate) fn operation_table(op: &Operation, now: Millis) -> String {
    fields(&[
        ("operation", describe(op)),
        ("state", api_name(&op.state)),
        ("moves", op.total.to_string()),
        ("done", op.done.to_string()),
        ("failed", op.failed.to_string()),
        ("started", format_age(Some(op.created), now)),
        ("updated", format_age(Some(op.updated), now)),
        ("deadline", format_deadline(op.deadline, now)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(state: OperationState) -> Operation {
        Operation {
            id: 7,
            kind: OperationKind::Drain { node: "n1".into() },
            state,
            total: 10,
            done: 7,
            failed: 3,
            created: 0,
            updated: 60_000,
            deadline: Some(1_800_000),
        }
    }

    #[test]
    fn summaries_say_what_how_far_and_how_it_ended() {
        assert_eq!(
            operation_summary(&op(OperationState::Failed)),
            "drain of n1 (operation 7) FAILED: 7 of 10 moves done, 3 failed"
        );
        assert_eq!(
            outcome_of(&op(OperationState::Failed)),
            Outcome::OperationFailed
        );
        assert_eq!(outcome_of(&op(OperationState::Done)), Outcome::Success);
    }

    #[test]
    fn a_drain_that_moved_clients_says_to_carry_their_settings() {
        let hint = carry_hint(&op(OperationState::Done)).unwrap();
        assert!(
            hint.contains("carry-systems --from n1 --to <new node>"),
            "{hint}"
        );
        let mut none_moved = op(OperationState::Done);
        none_moved.done = 0;
        assert_eq!(carry_hint(&none_moved), None);
        let mut recovery = op(OperationState::Done);
        recovery.kind = OperationKind::DisasterRecovery { node: "n1".into() };
        assert_eq!(carry_hint(&recovery), None, "nothing left to carry from");
    }

    #[test]
    fn operation_table_shows_progress_and_times() {
        let text = operation_table(&op(OperationState::Running), 120_000);
        for expected in [
            "drain of n1 (operation 7)",
            "running",
            "2m ago",
            "1m ago",
            "in 28m",
        ] {
            assert!(text.contains(expected), "{expected} missing from\n{text}");
        }
    }
}
