//! The `director` binary: see [`director::entry`].

fn main() -> std::process::ExitCode {
    director::entry::main()
}
