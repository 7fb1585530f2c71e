//! The `gateway` binary: see [`gateway::entry`].

/// jemalloc, configured (`.cargo/config.toml`) to hand freed pages back
/// to the system within about a second, from a background thread. A
/// fan-out of a large listing holds node answers for a moment (tens of
/// megabytes); glibc's malloc keeps much of that mapped afterwards,
/// spread over per-thread arenas, so the process's RSS would stay near
/// its highest peak. Measured with `cargo bench -p gateway --bench
/// fanout`: peak RSS 2.7x the merged answer with a 300 ms decay, against
/// 3.3-4.3x with glibc and 3.6x with a one-second decay and no background
/// thread. Handing pages back at once (no decay) held the peak at 2.4x
/// but cost a third more CPU per listing: pages freed by one batch were
/// faulted in again by the next. `_RJEM_MALLOC_CONF` overrides the
/// setting.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    gateway::entry::main()
}
