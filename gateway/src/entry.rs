//! The body of the `gateway` binary, the cluster's XML-RPC face. It lives
//! in the library so that the black-box suites build the very same entry
//! point in their own build (`compat-tests` wraps it).
//!
//! `gateway --config FILE --listen ADDR [--node id=url ... | --director URL]`:
//! reads the configuration file (optional), applies flags and environment
//! over it, links to the director when one is named (its token in
//! `$GATEWAY_DIRECTOR_TOKEN` or `director.token_file`), binds, prints
//! `gateway listening on http(s)://ADDR/rpc/api` once it accepts
//! connections and serves until SIGINT or SIGTERM.
//!
//! `gateway [--config FILE | --node ... | --director URL] seed-node --from
//! ID --to ID`: copies the shared data a joining node lacks from a serving
//! one ([`crate::seed`]), prints what it did and exits.

use std::path::PathBuf;

use crate::config::{DirectorConfig, FanoutPolicy, GatewayConfig, StaticNode};
use anyhow::Context;
use clap::{Parser, Subcommand};
use director::model::NodeState;

/// One SUSE Manager XML-RPC API in front of many SUSE Manager nodes.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Configuration file (TOML); every setting has a default.
    #[arg(long, env = "GATEWAY_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port); overrides `listen`.
    #[arg(long, env = "GATEWAY_LISTEN")]
    listen: Option<String>,
    /// A node of the static node list, `id=url` or `id@zone=url`; repeat
    /// for more. Replaces the file's `[[nodes]]` and director when given.
    #[arg(long = "node", value_parser = StaticNode::parse_flag)]
    nodes: Vec<StaticNode>,
    /// The director to take nodes, identity map, sessions and placement
    /// from (its base URL); overrides `director.url`. Its gateway token comes
    /// from `$GATEWAY_DIRECTOR_TOKEN` or `director.token_file`. `--node`
    /// wins over it.
    #[arg(long, env = "GATEWAY_DIRECTOR_URL", value_name = "URL")]
    director: Option<String>,
    /// Fan-out policy: `strict` or `partial`; overrides `fanout.policy`.
    #[arg(long, env = "GATEWAY_FANOUT_POLICY")]
    fanout_policy: Option<FanoutPolicy>,
    /// Local state store, `memory` or `redb:<path>`; overrides `state.store`.
    #[arg(long, env = "GATEWAY_STATE_STORE")]
    state_store: Option<String>,
    /// Per-node call timeout in milliseconds; overrides `upstream.timeout_ms`.
    #[arg(long, env = "GATEWAY_TIMEOUT_MS")]
    timeout_ms: Option<u64>,
    /// A file holding the bearer token `/metrics` asks for (or
    /// `$GATEWAY_METRICS_TOKEN`); overrides `metrics.token_file`. Without
    /// either, `/metrics` is open.
    #[arg(long, value_name = "FILE")]
    metrics_token_file: Option<PathBuf>,
    /// Instead of serving: a one-off task over the same node list.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Copies the shared data a joining node lacks (system groups,
    /// configuration channels, activation keys, crypto keys, repositories,
    /// content filters, custom information keys, kickstart snippets,
    /// external group maps and settings, maintenance calendars and
    /// schedules, PAM users) from a serving node, over each node's XML-RPC
    /// API, and lists the other users it lacks. Run it while
    /// the new node is `new`, then stage it. Exits non-zero when an item
    /// failed.
    SeedNode(SeedArgs),
    /// After a drain or rebalance moved systems from one node to another:
    /// gives each system both nodes hold (the old node's copy left behind)
    /// what it was given on the old node and lacks on the new one (system
    /// groups, configuration channels, custom values, notes, add-on
    /// entitlements, maintenance schedule); with `--delete-copies`, then
    /// deletes the old copies the director confirms a move left. Exits
    /// non-zero when a system could not be carried whole or a copy's
    /// deletion failed.
    CarrySystems(CarryArgs),
}

#[derive(Debug, clap::Args)]
struct CarryArgs {
    /// The node the systems were moved off (an id of the node list).
    #[arg(long, value_name = "ID")]
    from: String,
    /// The node they were moved to.
    #[arg(long, value_name = "ID")]
    to: String,
    /// Only these systems, by minion id (repeat); default: every system
    /// both nodes hold.
    #[arg(long = "minion", value_name = "MINION_ID")]
    minions: Vec<String>,
    #[command(flatten)]
    admin: AdminLogin,
    /// Only list what would be done.
    #[arg(long)]
    dry_run: bool,
    /// Also set each system's profile name and description on the new
    /// node to the old node's where they differ.
    #[arg(long)]
    update: bool,
    /// Then delete, on the old node, the copy of each system carried
    /// whole, once the director's identity map confirms the move left it
    /// and the system is settled on the new node (needs `--director`).
    #[arg(long)]
    delete_copies: bool,
}

/// The administrator a one-off task logs into both nodes as.
#[derive(Debug, clap::Args)]
struct AdminLogin {
    /// The administrator to log in as, on both nodes.
    #[arg(long, env = "GATEWAY_SEED_USER", default_value = "admin")]
    user: String,
    /// A file holding the administrator's password; without it, the
    /// password is read from `$GATEWAY_SEED_PASSWORD`.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
}

impl AdminLogin {
    /// The password: the file's first line, or `$GATEWAY_SEED_PASSWORD`.
    fn password(&self) -> anyhow::Result<zeroize::Zeroizing<String>> {
        Ok(zeroize::Zeroizing::new(match &self.password_file {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?
                .trim_end_matches(['\r', '\n'])
                .to_owned(),
            None => std::env::var("GATEWAY_SEED_PASSWORD")
                .context("no password: set $GATEWAY_SEED_PASSWORD or pass --password-file")?,
        }))
    }
}

#[derive(Debug, clap::Args)]
struct SeedArgs {
    /// The node to copy from (an id of the node list).
    #[arg(long, value_name = "ID")]
    from: String,
    /// The node to copy onto.
    #[arg(long, value_name = "ID")]
    to: String,
    #[command(flatten)]
    admin: AdminLogin,
    /// Only list what would be done.
    #[arg(long)]
    dry_run: bool,
    /// Also bring what the target holds in line with the source where it
    /// differs: group descriptions, configuration channels' names,
    /// descriptions and files, activation keys' settings, and the other
    /// shared content's settings (README: "Adding a node"). For a node
    /// back from offline, whose copies may be stale.
    #[arg(long)]
    update: bool,
    /// Also remove from the target the system groups, configuration
    /// channels and files, activation keys and other shared content the
    /// source lacks (deleted while the target was away). Never users. Try it with --dry-run
    /// first.
    #[arg(long)]
    prune: bool,
}

fn config(mut args: Args) -> anyhow::Result<(GatewayConfig, Option<Command>)> {
    let command = args.command.take();
    let mut cfg = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            GatewayConfig::from_toml_str(&text).with_context(|| path.display().to_string())?
        }
        None => GatewayConfig::default(),
    };
    if let Some(listen) = args.listen {
        cfg.listen = Some(listen);
    }
    if !args.nodes.is_empty() {
        cfg.nodes = args.nodes;
        cfg.director = None;
    } else if let Some(url) = args.director {
        match &mut cfg.director {
            Some(director) => director.url = url,
            None => cfg.director = Some(DirectorConfig::at(&url)),
        }
        cfg.nodes.clear();
    }
    if let Some(policy) = args.fanout_policy {
        cfg.fanout.policy = policy;
    }
    if let Some(store) = args.state_store {
        cfg.state.store = store;
    }
    if let Some(ms) = args.timeout_ms {
        cfg.upstream.timeout_ms = ms;
    }
    if let Some(file) = args.metrics_token_file {
        cfg.metrics.token_file = Some(file);
    }
    cfg.validate()?;
    Ok((cfg, command))
}

/// Parses the command line, serves until SIGINT or SIGTERM.
pub fn main() -> std::process::ExitCode {
    let runtime = match director::runtime::multi_thread() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("gateway: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(main_async()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gateway: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Says that the proxy variables set, if any, are not used towards the
/// nodes: the gateway reaches them directly.
fn warn_of_proxies() {
    let set: Vec<&str> = [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .into_iter()
    .filter(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
    .collect();
    if !set.is_empty() {
        tracing::warn!(
            variables = %set.join(", "),
            "proxy variables are set but not used towards the nodes: the gateway connects to them directly"
        );
    }
}

async fn main_async() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    warn_of_proxies();
    let (cfg, command) = config(Args::parse())?;
    match command {
        Some(Command::SeedNode(args)) => return seed_node(cfg, args).await,
        Some(Command::CarrySystems(args)) => return carry_systems(cfg, args).await,
        None => {}
    }
    if cfg.nodes.is_empty() && cfg.director.is_none() {
        tracing::warn!("no nodes and no director configured: every routed call will fail");
    }
    // Fail on bad TLS files before announcing readiness.
    if let Some(tls) = &cfg.tls {
        crate::tls::server_config(tls)?;
    }
    let scheme = if cfg.tls.is_some() { "https" } else { "http" };
    let policy = cfg.fanout.policy;
    let listen = cfg
        .listen
        .clone()
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let addr = listener.local_addr()?;
    // A director's node list is read here, before readiness is announced.
    let gateway = std::sync::Arc::new(crate::build(cfg).await?);
    let nodes = gateway.directory().nodes().len();
    println!("gateway listening on {scheme}://{addr}/rpc/api");
    tracing::info!(%addr, nodes, ?policy, "serving");
    crate::serve(gateway, listener, crate::shutdown::signal()).await?;
    Ok(())
}

/// `carry-systems`: logs into both nodes, carries, prints the report.
async fn carry_systems(mut cfg: GatewayConfig, args: CarryArgs) -> anyhow::Result<()> {
    let password = args.admin.password()?;
    let copies = match (&cfg.director, args.delete_copies) {
        (Some(director), true) => Some(crate::carry::Copies::new(
            director.link(|name| std::env::var(name).ok())?,
        )),
        (None, true) => anyhow::bail!(
            "--delete-copies needs the director (--director or [director]): only its identity \
             map tells a copy a move left from the system itself"
        ),
        (_, false) => None,
    };
    // The node list only: a serving gateway may hold the redb file's lock.
    cfg.state.store = "memory".to_owned();
    let gateway = crate::build(cfg).await?;
    let mode = crate::carry::Mode {
        dry_run: args.dry_run,
        update: args.update,
    };
    let report = crate::carry::between(
        &gateway,
        &args.from,
        &args.to,
        &args.admin.user,
        &password,
        mode,
        crate::carry::Scope {
            only: &args.minions,
            copies: copies.as_ref(),
        },
    )
    .await?;
    println!("{report}");
    if report.has_failures() {
        if crate::carry::copies_failed_only(&report) {
            anyhow::bail!(
                "every system was carried, but some old copies were not deleted or the director \
                 did not hear of it (see above)"
            );
        }
        anyhow::bail!(
            "some systems were not carried whole (see above): fix the causes and run it again"
        );
    }
    Ok(())
}

/// `seed-node`: logs into both nodes, copies, prints the report.
async fn seed_node(mut cfg: GatewayConfig, args: SeedArgs) -> anyhow::Result<()> {
    let password = args.admin.password()?;
    // With a director, the run is recorded there when it copied everything
    // (the director refuses to stage or activate a node never seeded). It
    // holds for the state the node was in when the run began.
    let record = match &cfg.director {
        Some(director) => {
            let link = director.link(|name| std::env::var(name).ok())?;
            let store = link.store();
            let target = store
                .get_json::<director::model::Node>(director::model::Keys::node(&args.to))
                .await
                .context("reading the node from the director")?;
            // Read after the node: a miss counted meanwhile counts against
            // this run rather than for it. The changes the gateways queued
            // for it so far (each one's count) before the misses: one
            // queued after these marks must be settled before the director
            // activates the node, and one settled as missed after them is
            // in the count.
            let follows = director::cluster::read_follows(&store, &args.to)
                .await
                .context(
                    "reading the changes the gateways queued for the node from the director",
                )?;
            let follows = director::model::marks_of(&follows);
            let misses = store
                .get_json::<u64>(director::model::Keys::node_misses(&args.to))
                .await
                .context("reading the node's missed changes from the director")?
                .unwrap_or(0);
            target.map(|node| (link, node, misses, follows))
        }
        None => None,
    };
    let changes_held = args.update || args.prune;
    match &record {
        // Broadcasts reach a serving node alongside the source: what it
        // holds may be newer than the source's listing.
        Some((_, node, ..))
            if changes_held && matches!(node.state, NodeState::Active | NodeState::Draining) =>
        {
            anyhow::bail!(
                "{id} is {state}: --update and --prune would race the changes it takes with \
                 the other nodes; drain it (a node without clients goes offline at once), then \
                 seed it as a node that joins (README: \"Adding a node\")",
                id = node.id,
                state = node.state.as_str()
            );
        }
        None if changes_held && cfg.director.is_none() => eprintln!(
            "with a static node list, nothing tells whether {} serves: run --update and \
             --prune only while no one changes shared data",
            args.to
        ),
        _ => {}
    }
    let record = record.filter(|_| !args.dry_run);
    if let Some((_, node, ..)) = &record
        && node.state == NodeState::Staged
    {
        // The director counts a run only once every gateway sends the
        // staged node each change: they read the node list every second.
        let settle = std::time::Duration::from_millis(
            u64::try_from(director::cluster::STAGED_SETTLE_MS).unwrap_or(2000),
        );
        eprintln!(
            "{} is staged: waiting {} s so that every gateway sends it each change",
            node.id,
            settle.as_secs()
        );
        tokio::time::sleep(settle).await;
    }
    // Seeding needs the node list only: a serving gateway may hold the
    // configured redb file's lock.
    cfg.state.store = "memory".to_owned();
    let gateway = crate::build(cfg).await?;
    let began = std::time::Instant::now();
    let report = crate::seed::between(
        &gateway,
        &args.from,
        &args.to,
        &args.admin.user,
        &password,
        crate::seed::Mode {
            dry_run: args.dry_run,
            update: args.update,
            prune: args.prune,
        },
    )
    .await?;
    println!("{report}");
    if report.has_failures() {
        anyhow::bail!(
            "some items were not copied whole (see above); the director does not count \
             this run: fix the causes and run it again"
        );
    }
    if let Some((link, node, misses, follows)) = record {
        if report.writes() > 0 {
            raced(&link, &args.to, &follows).await?;
        }
        let run = director::remote::SeedReport {
            from: args.from.clone(),
            since: node.since(),
            elapsed_ms: u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX),
            update: args.update,
            prune: args.prune,
            misses,
            follows,
        };
        let mark = link
            .record_seed(&args.to, &run)
            .await
            .context("everything was copied, but the director did not record the run")?;
        // The mark the director holds: a full run of the same stay stays.
        println!("{}", recorded(&node, &args.from, mark.synced()));
    }
    Ok(())
}

/// Refuses to record a run that wrote to `to` while the gateways queued
/// changes of shared data for it (since `marks`, taken as it began): it
/// read an item from the source, the item changed on every node and the
/// change reached `to`, then the run wrote its older copy over it. A
/// gateway of the marks whose record is gone now (it stopped, or the
/// record was removed) may have sent one too: refused as well. A run that
/// writes nothing cannot race.
async fn raced(
    link: &director::remote::DirectorLink,
    to: &str,
    marks: &director::model::FollowMarks,
) -> anyhow::Result<()> {
    let now = director::cluster::read_follows(&link.store(), to)
        .await
        .context("reading the changes the gateways queued for the node from the director")?;
    match race(to, marks, &now) {
        Some(why) => Err(anyhow::anyhow!(why)),
        None => Ok(()),
    }
}

/// Why a run that wrote to `to` does not count, the follow records being
/// `marks` as it began and `now` as it ends ([`raced`]).
fn race(
    to: &str,
    marks: &director::model::FollowMarks,
    now: &[(String, director::model::FollowCount)],
) -> Option<String> {
    let during = director::model::queued_since(marks, now);
    let gone: Vec<&str> = marks
        .keys()
        .filter(|gateway| !now.iter().any(|(held, _)| held == *gateway))
        .map(String::as_str)
        .collect();
    let again = "The director does not count this run: run it again (a run that writes \
                 nothing, or during which no change of shared data is made, counts)";
    if during > 0 {
        return Some(format!(
            "{during} change(s) of shared data were queued for {to} while this run wrote to \
             it: one of its writes may have put an older copy over a change {to} took \
             meanwhile (read from the source before the change). {again}"
        ));
    }
    if !gone.is_empty() {
        return Some(format!(
            "the follow records of gateway(s) {} were removed while this run wrote to {to} \
             (a gateway stopped, or `director node forget-follows`): whether they sent {to} a \
             change meanwhile, which a write of this run may have covered with an older copy, \
             is unknown. {again}",
            gone.join(", ")
        ));
    }
    None
}

/// What a recorded seed-node run (from `from`, with `--update --prune`
/// or not: `synced`) lets the operator do next with `node` (as it was
/// when the run began).
fn recorded(node: &director::model::Node, from: &str, synced: bool) -> String {
    let id = &node.id;
    let again = format!("gateway seed-node --from {from} --to {id} --update --prune");
    if node.needs_sync() && !synced {
        return format!(
            "recorded by the director, but {id} is {}: it goes on only after a run with \
             --update --prune (`{again}`)",
            node.state.as_str()
        );
    }
    match node.state {
        NodeState::New | NodeState::Offline => format!(
            "recorded by the director: {id} may be staged now (`director node set {id} --state \
             staged`); then run `{again}` and activate it"
        ),
        NodeState::Staged => format!(
            "recorded by the director: {id} may be activated now (`director node set {id} \
             --state active`)"
        ),
        other => format!("recorded by the director ({id} is {})", other.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(flags: &[&str]) -> GatewayConfig {
        let argv = std::iter::once("gateway").chain(flags.iter().copied());
        config(Args::try_parse_from(argv).unwrap()).unwrap().0
    }

    #[test]
    fn a_run_that_wrote_while_changes_were_queued_or_records_went_does_not_count() {
        let count = |queued, settled| director::model::FollowCount { queued, settled };
        let marks: director::model::FollowMarks =
            [("gw-a".to_owned(), 4), ("gw-b".to_owned(), 2)].into();
        let same = vec![
            ("gw-a".to_owned(), count(4, 3)),
            ("gw-b".to_owned(), count(2, 2)),
        ];
        // Settled meanwhile, nothing queued: it counts.
        let settled = vec![
            ("gw-a".to_owned(), count(4, 4)),
            ("gw-b".to_owned(), count(2, 2)),
        ];
        assert_eq!(race("n4", &marks, &same), None);
        assert_eq!(race("n4", &marks, &settled), None);
        let mut queued = same.clone();
        queued.push(("gw-new".to_owned(), count(1, 1)));
        let why = race("n4", &marks, &queued).unwrap();
        assert!(
            why.starts_with("1 change(s) of shared data were queued for n4 while this run wrote"),
            "{why}"
        );
        let why = race("n4", &marks, &same[..1]).unwrap();
        assert!(
            why.starts_with("the follow records of gateway(s) gw-b were removed")
                && why.ends_with("during which no change of shared data is made, counts)"),
            "{why}"
        );
    }

    #[test]
    fn a_director_flag_links_and_node_flags_win_over_it() {
        let linked = parsed(&["--director", "http://director:8180"]);
        assert_eq!(
            linked.director.map(|d| d.url),
            Some("http://director:8180".to_owned())
        );
        assert!(linked.nodes.is_empty());
        let listed = parsed(&[
            "--director",
            "http://director:8180",
            "--node",
            "n1=http://n1/rpc/api",
        ]);
        assert!(listed.director.is_none());
        assert_eq!(listed.nodes.len(), 1);
    }
}
