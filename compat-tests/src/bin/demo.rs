//! `demo`: the demo cluster in one process (see [`compat_tests::demo`]).
//!
//! Prints where everything is, then `gateway listening on <XML-RPC URL>`
//! as its last line once ready; runs until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use compat_tests::demo::{DemoEndpoints, DemoOptions, run};

/// A SUSE Manager cluster demo: simulated nodes, the director and the
/// gateway in one process.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address of the gateway (XML-RPC at /rpc/api); port 0 picks a free one.
    #[arg(long, env = "DEMO_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Address of the director's admin API; port 0 picks a free one.
    #[arg(long, env = "DEMO_DIRECTOR_LISTEN", default_value = "127.0.0.1:0")]
    director_listen: SocketAddr,
    /// Simulated SUSE Manager nodes.
    #[arg(long, env = "DEMO_NODES", default_value_t = 3)]
    nodes: usize,
    /// Seeded client systems per node.
    #[arg(long, env = "DEMO_SYSTEMS", default_value_t = 1000)]
    systems: usize,
    /// Keep the director's state here (a temporary directory otherwise).
    #[arg(long, env = "DEMO_STATE_DIR")]
    state_dir: Option<PathBuf>,
}

fn banner(nodes: usize, systems: usize, e: &DemoEndpoints) {
    println!("SUSE Manager cluster demo: {nodes} nodes x {systems} systems");
    println!("  XML-RPC (user admin, password admin): {}", e.rpc_url);
    println!(
        "  Swagger UI of the REST API:           {}/docs",
        e.gateway_url
    );
    println!(
        "  Director admin API:                   {}/api/v1  (Swagger UI: {}/docs/)",
        e.director_url, e.director_url
    );
    println!(
        "  Director tokens: admin {}  client {}  node {}  gateway {}  metrics {}",
        e.admin_token, e.client_token, e.node_token, e.gateway_token, e.metrics_token
    );
    println!(
        "  Metrics (Prometheus): {}/metrics (gateway, no token), {}/metrics (director, metrics token)",
        e.gateway_url, e.director_url
    );
    for (id, url) in &e.nodes {
        println!("  node {id}: {url}/rpc/api");
    }
    println!("  Paste into a shell:");
    println!(
        "    python3 -c 'import xmlrpc.client as x; c=x.ServerProxy(\"{}\"); k=c.auth.login(\"admin\",\"admin\"); print(len(c.system.listSystems(k)), \"systems\")'",
        e.rpc_url
    );
    println!(
        "    DIRECTOR_URL={} DIRECTOR_ADMIN_TOKEN={} cargo run -q -p director -- status",
        e.director_url, e.admin_token
    );
    println!(
        "    GATEWAY_DIRECTOR_TOKEN={} cargo run -q -p gateway -- --director {} --listen 127.0.0.1:0   # another gateway on this cluster",
        e.gateway_token, e.director_url
    );
    // Scripts wait for this line.
    println!("gateway listening on {}", e.rpc_url);
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    let (nodes, systems) = (args.nodes, args.systems);
    let options = DemoOptions {
        listen: args.listen,
        director_listen: args.director_listen,
        nodes,
        systems,
        state_dir: args.state_dir,
    };
    run(
        options,
        |e| banner(nodes, systems, e),
        director::server::shutdown_signal(),
    )
    .await?;
    Ok(())
}
