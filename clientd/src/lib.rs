//! The client agent: re-points a managed system's Salt minion to the node the director assigns.
//!
//! Not built yet: this crate holds its place in the workspace until its
//! issue is taken (see the README's roadmap). It exports nothing.
