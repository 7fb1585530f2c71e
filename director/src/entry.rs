//! The body of the `director` binary: `director serve` runs the cluster
//! director (HTTP API and background work); the admin commands of
//! [`crate::cli`] join the same command line.
//!
//! It lives in the library so that the black-box suites can build the very
//! same entry point in their own build (`compat-tests` wraps it); the
//! binary itself is one line. Only the command line, tracing and the
//! listening socket live here; the rest is [`crate::server::run`].

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::config::ServeArgs;
use anyhow::Context as _;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;

/// The cluster director of a SUSE Manager / Uyuni cluster.
#[derive(Debug, Parser)]
#[command(name = "director", version, about)]
struct Cli {
    #[command(flatten)]
    global: crate::cli::GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Keep this enum small: one variant per entry point, each dispatching to
/// the library.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the director: the HTTP API and the cluster's background work.
    Serve(ServeArgs),
    /// Admin commands over the director's API.
    #[command(flatten)]
    Admin(crate::cli::Command),
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Admin(command) => admin(&cli.global, command),
    }
}

/// Runs one admin command against the director's API.
fn admin(global: &crate::cli::GlobalArgs, command: crate::cli::Command) -> ExitCode {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(crate::cli::run_and_report(global, command)),
        Err(e) => {
            eprintln!("director: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Tracing to standard error, filtered by `RUST_LOG` (default `info`).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}

fn serve(args: ServeArgs) -> ExitCode {
    init_tracing();
    let runtime = match crate::runtime::multi_thread() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("director: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve_async(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("director: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve_async(args: ServeArgs) -> anyhow::Result<()> {
    let config = args.load()?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr().context("listening socket")?;
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    // Black-box tests wait for this line.
    println!("director listening on {scheme}://{addr}");
    crate::server::run(config, listener, crate::server::shutdown_signal()).await?;
    Ok(())
}
