//! The cluster director: zones, nodes, placement, rebalance, drain and disaster recovery.
//!
//! Not built yet: this crate holds its place in the workspace until its
//! issue is taken (see the README's roadmap). It exports nothing.
