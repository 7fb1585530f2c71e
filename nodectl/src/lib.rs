//! The node agent: registration, heartbeats, change capture and nanostates on each SUSE Manager node.
//!
//! Not built yet: this crate holds its place in the workspace until its
//! issue is taken (see the README's roadmap). It exports nothing.
