//! The director's entry point ([`director::entry`]) built inside the
//! black-box suites' own build, so their tests run exactly the shipped
//! binary's code with the features of that build (a separate
//! `cargo build -p director` would build it a second time with other
//! features).

fn main() -> std::process::ExitCode {
    director::entry::main()
}
