//! The director's command-line client: admin commands (`zone`, `node`,
//! `client`, `placement`, `rebalance`, `status`, `operation`) that call the
//! admin REST API of a running director and print tables or JSON.
//!
//! The `director` binary parses [`GlobalArgs`] and a [`Command`] and calls
//! [`run`] (or [`run_and_report`], which also prints the error); everything
//! else lives here so tests drive it without a process.

mod admin_client;
mod client;
mod confirm;
mod context;
mod duration;
pub(crate) mod error;
mod follow;
mod global_args;
mod node;
mod operation;
mod placement;
mod rebalance;
mod render;
mod status;
#[cfg(test)]
mod tests;
mod zone;

use std::process::ExitCode;

use clap::Subcommand;

pub use admin_client::AdminClient;
pub use client::ClientCommand;
pub use duration::{format_age, format_deadline, format_duration, parse_duration};
pub use error::CliError;
pub use follow::{ProgressView, follow_operation};
pub use global_args::{AdminToken, DEFAULT_DIRECTOR_URL, GlobalArgs, OutputFormat};
pub use node::NodeCommand;
pub use operation::{OperationCommand, operation_summary};
pub use placement::PlacementCommand;
pub use rebalance::{RebalanceCommand, plan_table};
pub use status::status_table;
pub use zone::ZoneCommand;

use context::Context;

/// The admin commands (every subcommand of `director` but `serve`).
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Zones: groups of nodes sharing channels, users and keys.
    #[command(subcommand)]
    Zone(ZoneCommand),
    /// Nodes: the SUSE Manager servers of the cluster.
    #[command(subcommand)]
    Node(NodeCommand),
    /// Client systems (Salt minions).
    #[command(subcommand)]
    Client(ClientCommand),
    /// Which node holds a system or minion.
    #[command(subcommand)]
    Placement(PlacementCommand),
    /// Move clients so every node holds its share.
    #[command(subcommand)]
    Rebalance(RebalanceCommand),
    /// The cluster at a glance: nodes, health, clients.
    Status,
    /// Drains, rebalances and disaster recoveries.
    #[command(subcommand)]
    Operation(OperationCommand),
}

/// How an admin command ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done (exit status 0).
    Success,
    /// An operation it followed ended `failed` (exit status 3).
    OperationFailed,
}

impl Outcome {
    /// The process exit code.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::OperationFailed => ExitCode::from(3),
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        outcome.exit_code()
    }
}

/// Runs one admin command against the director `global` names.
pub async fn run(global: &GlobalArgs, command: Command) -> Result<Outcome, CliError> {
    let ctx = Context::new(global)?;
    match command {
        Command::Zone(cmd) => zone::run(&ctx, cmd).await,
        Command::Node(cmd) => node::run(&ctx, cmd).await,
        Command::Client(cmd) => client::run(&ctx, cmd).await,
        Command::Placement(cmd) => placement::run(&ctx, cmd).await,
        Command::Rebalance(cmd) => rebalance::run(&ctx, cmd).await,
        Command::Status => status::run(&ctx).await,
        Command::Operation(cmd) => operation::run(&ctx, cmd).await,
    }
}

/// [`run`], then the exit code: on error, prints `error: <what failed>` to
/// standard error and exits 1.
pub async fn run_and_report(global: &GlobalArgs, command: Command) -> ExitCode {
    match run(global, command).await {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
