//! Periodic check-in: one at start, then one every interval, each interval
//! spread at random by the configured jitter so that clients started
//! together drift apart. A failed check-in is retried sooner (after at most
//! [`RETRY_CAP`]).

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::watch;

use crate::agent::Agent;
use crate::config::secs;

/// The longest wait after a failed check-in.
pub const RETRY_CAP: Duration = Duration::from_secs(30);

/// Checks in until `stop` turns true. A check-in (and the move it carries
/// out) under way when it does is finished first.
pub async fn run(agent: Arc<Agent>, mut stop: watch::Receiver<bool>) {
    let interval = secs(agent.config().director.checkin_interval_secs);
    let jitter = agent.config().director.checkin_jitter;
    loop {
        let base = match agent.check_in().await {
            Ok(_) => interval,
            Err(e) => {
                tracing::warn!(cause = %e, "check-in failed");
                interval.min(RETRY_CAP)
            }
        };
        let wait = jittered(base, jitter, &mut rand::rng());
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => return,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// `interval` scaled by a uniform factor in `[1 - jitter, 1 + jitter]`.
pub fn jittered(interval: Duration, jitter: f64, rng: &mut impl Rng) -> Duration {
    if jitter <= 0.0 {
        return interval;
    }
    let factor = rng.random_range((1.0 - jitter)..=(1.0 + jitter));
    interval.mul_f64(factor.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_in_its_band_and_spreads() {
        let mut rng = rand::rng();
        let base = Duration::from_secs(100);
        let waits: Vec<Duration> = (0..200).map(|_| jittered(base, 0.1, &mut rng)).collect();
        assert!(
            waits
                .iter()
                .all(|w| *w >= Duration::from_secs(90) && *w <= Duration::from_secs(110))
        );
        assert!(waits.iter().any(|w| *w != waits[0]));
        assert_eq!(jittered(base, 0.0, &mut rng), base);
    }
}
