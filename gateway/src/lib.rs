//! The cluster gateway: one SUSE Manager XML-RPC API in front of many
//! SUSE Manager (Uyuni) nodes.
//!
//! Every client (the admin shell, XML-RPC scripts) talks to the gateway as
//! to one server. The gateway resolves each call against the API spec,
//! routes it by the entry's class ([`route`]), translates system and action
//! ids between cluster-wide and node-local ids, swaps the cluster session
//! for each node's, and merges what several nodes answer.
//!
//! A call that schedules one action on systems of several nodes makes one
//! action on each; the client gets one cluster action id for all of them,
//! which every later call reaches in full (its systems, its cancelling,
//! one line in the action listings). When such a call fails on some nodes,
//! what it scheduled on the others is cancelled.
//!
//! - [`config`]: the configuration (TOML, flags, env).
//! - [`directory`]: nodes, the identity map (moka-cached) and sessions.
//! - [`upstream`]: per-node pooled clients, circuit breakers, retries,
//!   metrics and the fan-out piece.
//! - [`route`]: one module per routing class.
//! - [`server`]: `/rpc/api`, `/metrics`, `/healthz`, TLS, shutdown;
//!   [`run`] and [`serve`].
//! - [`rest`]: the HTTP (JSON) API at `/rhn/manager/api/...`, its OpenAPI
//!   3.1 document at `/openapi.json` and Swagger UI at `/docs`.
//! - [`error`]: the gateway's errors and the one place they become faults.

pub mod carry;
pub mod config;
pub mod directory;
pub mod entry;
pub mod error;
pub mod rest;
pub mod route;
pub mod seed;
pub mod server;
pub mod shutdown;
mod state;
pub mod tls;
pub mod upstream;

pub use config::{FanoutPolicy, GatewayConfig};
pub use directory::Directory;
pub use error::GatewayError;
pub use server::{RunError, build, router, run, serve};
pub use state::Gateway;
