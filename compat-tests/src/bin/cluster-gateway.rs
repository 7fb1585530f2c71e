//! The gateway's entry point ([`gateway::entry`]) built inside the
//! black-box suites' own build, so their tests run exactly the shipped
//! binary's code with the features of that build.

fn main() -> std::process::ExitCode {
    gateway::entry::main()
}
