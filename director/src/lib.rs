//! The cluster director: the brain of a cluster of SUSE Manager (Uyuni)
//! servers that looks like one server to every client.
//!
//! The director keeps the cluster's state (zones, nodes, placement of client
//! systems, rebalance, drain and disaster-recovery plans) in a [`store`] and
//! talks to the node agents over a [`bus`]. Both come as a narrow trait with
//! interchangeable engines: redb (embedded, the default) or TiKV for the store,
//! an in-process bus (the default) or NATS with JetStream for the bus.

pub mod api;
pub mod bus;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod entry;
pub mod identity;
pub mod model;
pub mod placement;
pub mod remote;
pub mod runtime;
pub mod server;
pub mod sessions;
pub mod store;
pub mod tls;
