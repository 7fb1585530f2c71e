//! The cluster gateway: one SUSE Manager XML-RPC and HTTP API in front of many nodes.
//!
//! Not built yet: this crate holds its place in the workspace until its
//! issue is taken (see the README's roadmap). It exports nothing.
