//! The node agent that runs on each SUSE Manager (Uyuni) node of a cluster:
//! it registers the node with the director, heartbeats its load, captures
//! changes from the node's PostgreSQL into the director's durable event
//! stream, follows the director's directives (public and sealed) and runs
//! nanostates (small YAML state files) locally or over SSH.
//!
//! | module | what it does |
//! |---|---|
//! | [`agent`] | [`agent::run`]: everything together until shutdown |
//! | [`config`] | the TOML configuration, every field documented |
//! | [`keys`] | the node's X25519 key (file `0600`) and sealed boxes |
//! | [`uplink`] | talking to the director: bus or HTTP, registration, heartbeats |
//! | [`capture`] | outbox triggers, LISTEN/NOTIFY, publish-then-mark |
//! | [`directives`] | public and private directive subjects, lifecycle |
//! | [`nanostate`] | state files, index, local and SSH runners, reports |
//! | [`shutdown`] | one trigger, many handles; SIGTERM/SIGINT |
//! | [`cli`] | the command line behind the thin binary |
//! | [`testkit`] | throwaway PostgreSQL and sshd servers for tests |

pub mod agent;
pub mod capture;
pub mod cli;
pub mod config;
pub mod directives;
mod error;
pub mod keys;
pub mod nanostate;
pub mod shutdown;
pub mod testkit;
pub mod uplink;

pub use config::Config;
pub use error::{Error, Result};
