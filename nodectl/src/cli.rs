//! The command line: `nodectl run` (the agent) and `nodectl state ...`
//! (nanostates by hand). The binary only parses, sets up logging and calls
//! [`main`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;
use crate::nanostate::{self, RunOptions, StateIndex, script::valid_env_name};
use crate::shutdown;

/// The node agent of a SUSE Manager cluster.
#[derive(Debug, Parser)]
#[command(name = "nodectl", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the agent until SIGTERM or SIGINT.
    Run {
        /// The configuration file.
        #[arg(
            long,
            env = "NODECTL_CONFIG",
            default_value = "/etc/nodectl/nodectl.toml"
        )]
        config: PathBuf,
    },
    /// Nanostates: list, check, run.
    #[command(subcommand)]
    State(StateCommand),
    /// Print the node's public key (creating the key on first use).
    PublicKey {
        /// The configuration file.
        #[arg(
            long,
            env = "NODECTL_CONFIG",
            default_value = "/etc/nodectl/nodectl.toml"
        )]
        config: PathBuf,
    },
}

/// Where states are: a configuration file, or roots given directly.
#[derive(Debug, Args)]
pub struct Roots {
    /// The configuration file (its `states` and `ssh` sections).
    #[arg(long, env = "NODECTL_CONFIG")]
    pub config: Option<PathBuf>,
    /// A directory of states (repeatable; replaces the configured roots).
    #[arg(long = "root")]
    pub roots: Vec<PathBuf>,
}

/// `nodectl state ...`.
#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List the states found under the roots (and the files that are not valid).
    List(Roots),
    /// Check state files; errors name the file, line and field.
    Check {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run a state on hosts and print the JSON report.
    Run {
        /// The state's id.
        id: String,
        /// Hosts: `local` or `[user@]host[:port]` (repeatable).
        #[arg(long = "host", default_value = "local")]
        hosts: Vec<String>,
        /// Environment for the commands, `NAME=value` (repeatable).
        #[arg(long = "env")]
        env: Vec<String>,
        /// Where the states are.
        #[command(flatten)]
        roots: Roots,
    },
}

/// Runs the command line; returns the process exit code.
pub async fn main(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run { config } => {
            let config = Config::load(&config)?;
            let id = config.node_id.clone();
            let (trigger, stop) = shutdown::channel();
            let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
            tokio::spawn(async move {
                if ready_rx.await.is_ok() {
                    println!("nodectl {id} running");
                }
            });
            tokio::spawn(async move {
                shutdown::signal().await;
                trigger.fire();
            });
            crate::agent::run(config, stop, ready_tx).await?;
            Ok(0)
        }
        Command::PublicKey { config } => {
            let config = Config::load(&config)?;
            let key = crate::keys::NodeKey::load_or_create(&config.key_file())?;
            println!("{}", key.public_key_base64());
            Ok(0)
        }
        Command::State(StateCommand::Check { files }) => {
            let mut code = 0;
            for file in files {
                match nanostate::load_file(&file) {
                    Ok(state) => println!("{}: ok ({})", file.display(), state.id),
                    Err(e) => {
                        eprintln!("{e}");
                        code = 1;
                    }
                }
            }
            Ok(code)
        }
        Command::State(StateCommand::List(roots)) => {
            let (_, roots) = resolve(roots)?;
            let index = StateIndex::scan(&roots);
            for (path, state) in index.states() {
                println!("{}\t{}\t{}", state.id, path.display(), state.description);
            }
            for problem in index.problems() {
                eprintln!("{problem}");
            }
            Ok(if index.problems().is_empty() { 0 } else { 1 })
        }
        Command::State(StateCommand::Run {
            id,
            hosts,
            env,
            roots,
        }) => {
            let (config, roots) = resolve(roots)?;
            nanostate::check_hosts(&hosts)?;
            let index = StateIndex::scan(&roots);
            let state = index.get(&id)?;
            let mut options = RunOptions::from_config(&config);
            options.env = parse_env(&env)?;
            let report = nanostate::run_state(state, &hosts, &options).await;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(if report.ok { 0 } else { 2 })
        }
    }
}

/// The configuration (or defaults for node `local`) and the state roots.
fn resolve(roots: Roots) -> anyhow::Result<(Config, Vec<PathBuf>)> {
    let config = match &roots.config {
        Some(path) => Config::load(path)?,
        None => Config::parse("node_id = \"local\"\n", std::path::Path::new("-"))?,
    };
    let dirs = if roots.roots.is_empty() {
        config.states.roots.clone()
    } else {
        roots.roots
    };
    Ok((config, dirs))
}

fn parse_env(pairs: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    pairs
        .iter()
        .map(|pair| {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--env takes NAME=value"))?;
            anyhow::ensure!(valid_env_name(name), "--env {name}: not a variable name");
            Ok((name.to_owned(), value.to_owned()))
        })
        .collect()
}
