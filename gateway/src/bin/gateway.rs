//! The `gateway` binary: see [`gateway::entry`].

fn main() -> std::process::ExitCode {
    gateway::entry::main()
}
