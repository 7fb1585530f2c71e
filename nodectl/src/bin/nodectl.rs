//! `nodectl`: parses the command line, sets up logging (to stderr, `RUST_LOG`
//! or `info`) and runs [`nodectl::cli::main`].

use std::io::IsTerminal;

use clap::Parser;

fn main() -> std::process::ExitCode {
    match director::runtime::multi_thread() {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("nodectl: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> std::process::ExitCode {
    let cli = nodectl::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match nodectl::cli::main(cli).await {
        Ok(code) => std::process::ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("nodectl: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
