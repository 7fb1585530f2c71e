//! Following an operation (drain, rebalance, disaster recovery) until it
//! ends: polls `GET /api/v1/operations/{id}` and shows the progress on
//! standard error, as an indicatif bar on a terminal or as one line per
//! change otherwise (logs, CI, pipes).

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{AdminClient, CliError, Outcome};
use crate::model::{Operation, OperationKind, OperationState};

/// How often the command-line client asks for an operation's progress.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Polls that may fail to reach the director in a row before following
/// gives up (a director restart should not end a long drain's watch).
const MAX_POLL_FAILURES: u32 = 5;

/// Where a follower shows progress.
pub enum ProgressView {
    /// A progress bar (on a terminal).
    Bar(ProgressBar),
    /// One line per change, to a writer.
    Lines {
        /// Where the lines go.
        out: Box<dyn Write + Send>,
        /// The last progress written, to skip repeats.
        last: Option<(OperationState, u64, u64, u64)>,
    },
}

impl std::fmt::Debug for ProgressView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProgressView::Bar(_) => f.write_str("ProgressView::Bar"),
            ProgressView::Lines { last, .. } => write!(f, "ProgressView::Lines({last:?})"),
        }
    }
}

impl ProgressView {
    /// A bar on standard error when it is a terminal, else lines on it.
    pub fn for_stderr() -> ProgressView {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} {prefix} [{wide_bar}] {pos}/{len} {msg} ({elapsed})",
            )
            .expect("a valid template")
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            ProgressView::Bar(bar)
        } else {
            ProgressView::lines(Box::new(std::io::stderr()))
        }
    }

    /// One line per change, to `out`.
    pub fn lines(out: Box<dyn Write + Send>) -> ProgressView {
        ProgressView::Lines { out, last: None }
    }

    fn update(&mut self, op: &Operation) {
        match self {
            ProgressView::Bar(bar) => {
                bar.set_prefix(describe(op));
                bar.set_length(op.total);
                bar.set_position(op.done + op.failed);
                bar.set_message(format!("done {}, failed {}", op.done, op.failed));
            }
            ProgressView::Lines { out, last } => {
                let now = Some((op.state, op.total, op.done, op.failed));
                if *last != now {
                    *last = now;
                    // Progress is a courtesy: a closed stderr must not end the watch.
                    let _ = writeln!(out, "{}", progress_line(op));
                }
            }
        }
    }

    fn note(&mut self, text: &str) {
        match self {
            ProgressView::Bar(bar) => bar.println(text),
            ProgressView::Lines { out, .. } => {
                let _ = writeln!(out, "{text}");
            }
        }
    }

    fn finish(&mut self) {
        if let ProgressView::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Polls operation `id` every `poll` until it is no longer running,
/// showing progress on `view`; returns its final state. Gives up after a
/// few polls in a row that cannot reach the director, and at once on an
/// HTTP error (such as an unknown operation).
pub async fn follow_operation(
    client: &AdminClient,
    id: u64,
    poll: Duration,
    view: &mut ProgressView,
) -> Result<Operation, CliError> {
    let url = client.url(&["operations", &id.to_string()], &[]);
    let mut failures = 0;
    loop {
        match client.get::<Operation>(url.clone()).await {
            Ok(op) => {
                failures = 0;
                view.update(&op);
                if op.state != OperationState::Running {
                    view.finish();
                    return Ok(op);
                }
            }
            Err(err @ CliError::Unreachable { .. }) if failures < MAX_POLL_FAILURES => {
                failures += 1;
                view.note(&format!("{err} (retrying)"));
            }
            Err(err) => {
                view.finish();
                return Err(err);
            }
        }
        tokio::time::sleep(poll).await;
    }
}

/// The exit outcome of a finished operation.
pub(crate) fn outcome_of(op: &Operation) -> Outcome {
    match op.state {
        OperationState::Failed => Outcome::OperationFailed,
        OperationState::Done | OperationState::Running => Outcome::Success,
    }
}

/// `drain of n1 (operation 7)`.
pub(crate) fn describe(op: &Operation) -> String {
    let what = match &op.kind {
        OperationKind::Drain { node } => format!("drain of {node}"),
        OperationKind::Rebalance => "rebalance".to_owned(),
        OperationKind::DisasterRecovery { node } => format!("disaster recovery of {node}"),
    };
    format!("{what} (operation {})", op.id)
}

/// One progress line: `drain of n1 (operation 7): running, 3/10 done, 0 failed`.
pub(crate) fn progress_line(op: &Operation) -> String {
    let state = match op.state {
        OperationState::Running => "running",
        OperationState::Done => "done",
        OperationState::Failed => "failed",
    };
    format!(
        "{}: {state}, {}/{} done, {} failed",
        describe(op),
        op.done,
        op.total,
        op.failed
    )
}
