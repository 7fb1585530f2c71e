//! `uyuni-sim`: a SUSE Manager node simulator.
//!
//! Prints `uyuni-sim <name> listening on http://ADDR/rpc/api` once it
//! accepts connections; runs until SIGINT or SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use compat_tests::sim::{Node, SimConfig, run};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Release {
    #[value(name = "4.3")]
    V43,
    #[value(name = "5.0")]
    V50,
    #[value(name = "5.1")]
    V51,
    #[value(name = "master")]
    Master,
}

/// A SUSE Manager node simulator serving `/rpc/api`.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "UYUNI_SIM_LISTEN", default_value = "127.0.0.1:0")]
    listen: String,
    /// Number of client systems to seed.
    #[arg(long, env = "UYUNI_SIM_SYSTEMS", default_value_t = 1000)]
    systems: usize,
    /// Seed for the systems' data.
    #[arg(long, env = "UYUNI_SIM_SEED", default_value_t = 1)]
    seed: u64,
    /// Node name (part of every seeded host name).
    #[arg(long, env = "UYUNI_SIM_NAME", default_value = "node1")]
    name: String,
    /// Zone: nodes of one zone hold the same channels, packages, users and keys.
    #[arg(long, env = "UYUNI_SIM_ZONE", default_value = "default")]
    zone: String,
    /// Administrator login.
    #[arg(long, env = "UYUNI_SIM_USER", default_value = "admin")]
    user: String,
    /// Administrator password.
    #[arg(
        long,
        env = "UYUNI_SIM_PASSWORD",
        default_value = "admin",
        hide_env_values = true
    )]
    password: String,
    /// The release to behave as.
    #[arg(long, value_enum, default_value = "master")]
    release: Release,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = xmlrpc::Limits::REQUEST.max_body_bytes)]
    max_body_bytes: usize,
    /// Deepest struct/array nesting accepted in a request.
    #[arg(long, default_value_t = xmlrpc::Limits::REQUEST.max_depth)]
    max_depth: usize,
    /// Modelled server-side time of `auth.login`, in milliseconds (a real
    /// server takes tens of milliseconds); 0 answers at once.
    #[arg(long, env = "UYUNI_SIM_LOGIN_DELAY_MS", default_value_t = 0)]
    login_delay_ms: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    let release = match args.release {
        Release::V43 => spec::Release::V4_3,
        Release::V50 => spec::Release::V5_0,
        Release::V51 => spec::Release::V5_1,
        Release::Master => spec::Release::Master,
    };
    let config = SimConfig {
        name: args.name,
        zone: args.zone,
        systems: args.systems,
        seed: args.seed,
        user: args.user,
        password: args.password,
        release,
        limits: xmlrpc::Limits {
            max_body_bytes: args.max_body_bytes,
            max_depth: args.max_depth,
        },
        login_delay: std::time::Duration::from_millis(args.login_delay_ms),
    };
    let name = config.name.clone();
    let node = Arc::new(Node::new(config));
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!("uyuni-sim {name} listening on http://{addr}/rpc/api");
    tracing::info!(node = %name, %addr, "serving");
    run(node, listener, director::server::shutdown_signal()).await?;
    Ok(())
}
