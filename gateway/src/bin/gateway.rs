//! The `gateway` binary: see [`gateway::entry`].

/// jemalloc, configured (`.cargo/config.toml`) to hand freed pages back
/// to the system at once. A fan-out of a large listing holds every node's
/// answer for a moment (tens of megabytes); glibc's malloc keeps much of
/// that mapped afterwards, spread over per-thread arenas, so the
/// process's RSS would stay near its highest peak. Measured with
/// `cargo bench -p gateway --bench fanout`: peak RSS 2.5x the merged
/// answer, against 3.3-4.3x with glibc and 3.8x with jemalloc's
/// default ten-second decay. `_RJEM_MALLOC_CONF` overrides the setting.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    gateway::entry::main()
}
