//! Black-box compatibility suites and the SUSE Manager node simulator.
//!
//! [`sim`] is a SUSE Manager node simulator (binary `uyuni-sim`): it serves
//! `/rpc/api` with the real server's behaviour for the methods it models and
//! the real server's faults for the rest, so that the gateway, the tests,
//! the benchmarks and the demo cluster have nodes to run against.
//! [`harness`] starts the built binaries for black-box tests.

pub mod demo;
pub mod fleet;
pub mod harness;
pub mod sim;
