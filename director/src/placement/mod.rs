//! Placement of client systems onto nodes: zone-aware, capacity-weighted
//! rendezvous hashing with bounded load, and the planner that turns node
//! changes into a minimal list of moves.

mod cache;
mod hrw;
mod plan;
#[cfg(test)]
mod tests;

pub use cache::PlacementCache;
pub use hrw::{hash_bytes, pair_hash, score};
pub use plan::{Mode, Move, MoveReason, Plan, PlanClient, PlanNode, Planner};
