//! `clientd`: the client agent's command line.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use clientd::director_api::DirectorClient;
use clientd::{Agent, Config, Identity};

/// The cluster's client agent: keeps this system's Salt minion on the node
/// the director assigns.
#[derive(Debug, Parser)]
#[command(name = "clientd", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the agent (as the systemd service does).
    Run {
        /// The configuration file (TOML).
        #[arg(
            long,
            env = "CLIENTD_CONFIG",
            default_value = "/etc/clientd/clientd.toml"
        )]
        config: PathBuf,
    },
    /// Prints what the director says this client is assigned to (JSON),
    /// without checking in.
    Assignment {
        /// The configuration file (TOML).
        #[arg(
            long,
            env = "CLIENTD_CONFIG",
            default_value = "/etc/clientd/clientd.toml"
        )]
        config: PathBuf,
    },
    /// Prints this client's identity: minion id, key fingerprint, machine id.
    Identity {
        /// The configuration file (TOML).
        #[arg(
            long,
            env = "CLIENTD_CONFIG",
            default_value = "/etc/clientd/clientd.toml"
        )]
        config: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    director::runtime::multi_thread()
        .map_err(|e| anyhow::anyhow!(e))?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Plain text for journald; colours only on a terminal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match cli.command {
        Command::Run { config } => {
            let config = Config::load(&config)?;
            let agent = std::sync::Arc::new(Agent::new(config).context("starting clientd")?);
            println!("clientd {} running", agent.identity().minion_id);
            clientd::serve(agent, clientd::shutdown::signal()).await;
            tracing::info!("clientd stopped");
        }
        Command::Assignment { config } => {
            let config = Config::load(&config)?;
            let client = DirectorClient::new(&config.director)?;
            let assignment = client.assignment(&Identity::fingerprint(&config)?).await?;
            println!("{}", serde_json::to_string_pretty(&assignment)?);
        }
        Command::Identity { config } => {
            let config = Config::load(&config)?;
            let id = Identity::load(&config)?;
            println!("minion_id: {}", id.minion_id);
            println!("fingerprint: {}", id.fingerprint);
            println!("machine_id: {}", id.machine_id.as_deref().unwrap_or("-"));
        }
    }
    Ok(())
}
