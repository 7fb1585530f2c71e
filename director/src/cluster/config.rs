//! Tunables of the director's cluster logic.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How the director places clients and watches nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// Bounded-load slack: no node is planned above `(1 + epsilon)` times
    /// its weighted share of its zone's clients.
    pub epsilon: f64,
    /// A node whose last heartbeat is older than this is failed and its
    /// clients are re-homed (disaster recovery).
    #[serde(with = "secs")]
    pub heartbeat_timeout: Duration,
    /// How often the director checks heartbeats and move deadlines.
    #[serde(with = "secs")]
    pub tick: Duration,
    /// Moves directed at once; the rest wait their turn (rate limit).
    pub max_moves_in_flight: usize,
    /// How long a client has to finish a move before it is retried.
    #[serde(with = "secs")]
    pub move_timeout: Duration,
    /// Attempts of one move before it is reported failed.
    pub move_attempts: u32,
    /// Zone for clients that check in without one.
    pub default_zone: String,
}

impl Default for ClusterConfig {
    fn default() -> ClusterConfig {
        ClusterConfig {
            epsilon: 0.1,
            heartbeat_timeout: Duration::from_secs(30),
            tick: Duration::from_secs(1),
            max_moves_in_flight: 200,
            move_timeout: Duration::from_secs(120),
            move_attempts: 3,
            default_zone: "default".to_owned(),
        }
    }
}

mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}
