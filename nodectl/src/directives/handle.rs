//! What nodectl does with one directive: pick the configured nanostate for
//! its lifecycle state or kind, run it with the directive's fields (and,
//! from the private subject only, its secret environment), and say how it
//! went.

use std::sync::Arc;

use director::bus::Directive;
use serde::Serialize;

use super::parse::{Parsed, parse, unseal};
use crate::config::{Action, Config};
use crate::keys::NodeKey;
use crate::nanostate::{RunOptions, RunReport, StateIndex, run_state};

/// How a directive ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Its nanostate ran and succeeded.
    Done,
    /// Its nanostate failed, or could not be found.
    Failed,
    /// Nothing is configured for it (an unknown kind, a state without a
    /// nanostate).
    Ignored,
    /// Malformed, unreadable, or a secret on the public subject.
    Refused,
}

/// The result report, published on `node.<id>.result`.
#[derive(Debug, Clone, Serialize)]
pub struct DirectiveResult {
    /// The node.
    pub node: String,
    /// The directive's subject.
    pub subject: String,
    /// Its stream sequence.
    pub seq: u64,
    /// Its kind, when it could be read.
    pub kind: Option<String>,
    /// Its lifecycle state, for `lifecycle`.
    pub state: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Why, in a few words (never a payload).
    pub detail: String,
    /// The nanostate's report, when one ran.
    pub report: Option<RunReport>,
}

/// Handles directives for one node.
#[derive(Debug, Clone)]
pub struct Handler {
    /// The configuration (nanostates per state and kind, runners).
    pub config: Arc<Config>,
    /// The node key, for the private subject.
    pub key: NodeKey,
}

impl Handler {
    /// Handles `directive`; `sealed` when it came on the private subject.
    pub async fn handle(&self, directive: &Directive, sealed: bool) -> DirectiveResult {
        let mut result = DirectiveResult {
            node: self.config.node_id.clone(),
            subject: directive.subject.clone(),
            seq: directive.seq,
            kind: None,
            state: None,
            outcome: Outcome::Refused,
            detail: String::new(),
            report: None,
        };
        let parsed = match self.read(directive, sealed) {
            Ok(parsed) => parsed,
            Err(why) => {
                result.detail = why;
                return result;
            }
        };
        result.kind = Some(parsed.kind.clone());
        result.state = parsed.state.clone();
        if !sealed && !parsed.env.is_empty() {
            result.detail = "secrets must come sealed on the private subject".into();
            return result;
        }
        let action = match self.action(&parsed) {
            Ok(action) => action,
            Err(why) => {
                result.outcome = Outcome::Ignored;
                result.detail = why;
                return result;
            }
        };
        let index = StateIndex::scan(&self.config.states.roots);
        let state = match index.get(&action.state) {
            Ok(state) => state,
            Err(e) => {
                result.outcome = Outcome::Failed;
                result.detail = e.to_string();
                return result;
            }
        };
        let mut options = RunOptions::from_config(&self.config);
        options.env = parsed.fields.clone();
        options.env.extend(parsed.env.clone());
        let report = run_state(state, &action.hosts, &options).await;
        result.outcome = if report.ok {
            Outcome::Done
        } else {
            Outcome::Failed
        };
        result.detail = if report.ok {
            format!("state {} ran", action.state)
        } else {
            format!(
                "state {} failed: {}",
                action.state,
                report.failures().join(", ")
            )
        };
        result.report = Some(report);
        result
    }

    fn read(&self, directive: &Directive, sealed: bool) -> Result<Parsed, String> {
        if sealed {
            let plain = unseal(&self.key, &directive.payload)?;
            parse(&plain)
        } else {
            parse(&directive.payload)
        }
    }

    fn action(&self, parsed: &Parsed) -> Result<Action, String> {
        if parsed.kind == "lifecycle" {
            let Some(state) = &parsed.state else {
                return Err("lifecycle directive without a state".into());
            };
            return self
                .config
                .lifecycle
                .get(state)
                .cloned()
                .ok_or_else(|| format!("no nanostate configured for lifecycle state {state}"));
        }
        self.config
            .directives
            .get(&parsed.kind)
            .cloned()
            .ok_or_else(|| format!("no nanostate configured for directive kind {}", parsed.kind))
    }
}
