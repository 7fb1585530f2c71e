//! A circuit breaker per node, as a tower layer.
//!
//! Closed: calls pass; consecutive failures are counted and a success
//! resets the count. At `failures_to_open` the circuit opens: calls fail at
//! once with [`UpstreamError::CircuitOpen`] for `open_for`. Then it is half
//! open: one trial call passes (others still fail fast); its success closes
//! the circuit, its failure opens it again. Faults are answers, not
//! failures: only calls that got no answer count.
//!
//! A call whose answer is read as it arrives ([`Settles::AT_START`] false)
//! is not judged when its response starts: its reader reports the end
//! ([`BreakerLayer::record_success`]) or the break
//! ([`BreakerLayer::record_failure`]), so a node that starts every answer
//! and breaks off opens the circuit like one that does not answer.
//!
//! Time is `tokio::time::Instant`, so tests drive it with a paused clock.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;
use tower::{Layer, Service};

use super::UpstreamError;

/// Where a breaker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls pass; `failures` consecutive failures so far.
    Closed {
        /// Consecutive failures.
        failures: u32,
    },
    /// Calls fail fast until `until`.
    Open {
        /// When one trial call may pass.
        until: Instant,
    },
    /// One trial call is (or may be) in flight.
    HalfOpen {
        /// Whether the trial was let through already.
        trial_in_flight: bool,
    },
}

/// The shared state of one node's breaker; clones share it.
#[derive(Debug, Clone)]
pub struct BreakerLayer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    failures_to_open: u32,
    open_for: Duration,
    state: Mutex<BreakerState>,
}

impl BreakerLayer {
    /// A closed breaker that opens after `failures_to_open` consecutive
    /// failures, for `open_for`.
    pub fn new(failures_to_open: u32, open_for: Duration) -> BreakerLayer {
        BreakerLayer {
            shared: Arc::new(Shared {
                failures_to_open: failures_to_open.max(1),
                open_for,
                state: Mutex::new(BreakerState::Closed { failures: 0 }),
            }),
        }
    }

    /// The state now (an open circuit whose time is up reads as half open).
    pub fn state(&self) -> BreakerState {
        let state = *self.shared.lock();
        match state {
            BreakerState::Open { until } if Instant::now() >= until => BreakerState::HalfOpen {
                trial_in_flight: false,
            },
            other => other,
        }
    }

    /// Counts a failure the service could not see: an answer that broke
    /// off after its start was passed on.
    pub fn record_failure(&self) {
        self.shared.record(true);
    }

    /// Counts the success of a call whose answer was read after its start
    /// was passed on.
    pub fn record_success(&self) {
        self.shared.record(false);
    }

    /// Whether calls would fail fast now.
    pub fn is_open(&self) -> bool {
        matches!(
            self.state(),
            BreakerState::Open { .. }
                | BreakerState::HalfOpen {
                    trial_in_flight: true
                }
        )
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, BreakerState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// May a call pass now? Marks the half-open trial.
    fn admit(&self) -> bool {
        let mut state = self.lock();
        match *state {
            BreakerState::Closed { .. } => true,
            BreakerState::Open { until } if Instant::now() >= until => {
                *state = BreakerState::HalfOpen {
                    trial_in_flight: true,
                };
                true
            }
            BreakerState::Open { .. } => false,
            BreakerState::HalfOpen { trial_in_flight } => {
                if trial_in_flight {
                    false
                } else {
                    *state = BreakerState::HalfOpen {
                        trial_in_flight: true,
                    };
                    true
                }
            }
        }
    }

    fn record(&self, failed: bool) {
        let mut state = self.lock();
        *state = match (*state, failed) {
            (_, false) => BreakerState::Closed { failures: 0 },
            (BreakerState::Closed { failures }, true) if failures + 1 < self.failures_to_open => {
                BreakerState::Closed {
                    failures: failures + 1,
                }
            }
            (_, true) => {
                tracing::warn!(open_for = ?self.open_for, "circuit opened");
                BreakerState::Open {
                    until: Instant::now() + self.open_for,
                }
            }
        };
    }
}

/// When a request's call is judged.
pub trait Settles {
    /// Whether a response that starts is the call's success. `false` for a
    /// request whose answer is read on afterwards: its reader reports how
    /// it ended.
    const AT_START: bool = true;
}

impl Settles for bytes::Bytes {}

/// The request of the unit tests' services.
#[cfg(test)]
impl Settles for () {}

impl<S> Layer<S> for BreakerLayer {
    type Service = Breaker<S>;
    fn layer(&self, inner: S) -> Breaker<S> {
        Breaker {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The breaker around a node's call service.
#[derive(Debug, Clone)]
pub struct Breaker<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S, R> Service<R> for Breaker<S>
where
    R: Settles,
    S: Service<R, Error = UpstreamError>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
{
    type Response = S::Response;
    type Error = UpstreamError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, UpstreamError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), UpstreamError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        if !self.shared.admit() {
            return Box::pin(std::future::ready(Err(UpstreamError::CircuitOpen)));
        }
        let shared = self.shared.clone();
        let future = self.inner.call(request);
        Box::pin(async move {
            let result = future.await;
            if result.is_err() || R::AT_START {
                shared.record(result.is_err());
            }
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use tower::ServiceExt;

    use super::*;

    /// A service that fails while `down` is set.
    fn flaky(down: Arc<AtomicBool>) -> tower::util::BoxCloneService<(), (), UpstreamError> {
        tower::util::BoxCloneService::new(tower::service_fn(move |()| {
            let down = down.load(Ordering::SeqCst);
            async move {
                if down {
                    Err(UpstreamError::Connect)
                } else {
                    Ok(())
                }
            }
        }))
    }

    #[tokio::test(start_paused = true)]
    async fn opens_half_opens_and_closes() {
        let down = Arc::new(AtomicBool::new(true));
        let layer = BreakerLayer::new(3, Duration::from_secs(10));
        let svc = layer.layer(flaky(down.clone()));
        for _ in 0..2 {
            assert!(matches!(
                svc.clone().oneshot(()).await,
                Err(UpstreamError::Connect)
            ));
        }
        assert_eq!(layer.state(), BreakerState::Closed { failures: 2 });
        assert!(svc.clone().oneshot(()).await.is_err());
        assert!(layer.is_open());
        // Open: fails fast even though the node is back.
        down.store(false, Ordering::SeqCst);
        assert!(matches!(
            svc.clone().oneshot(()).await,
            Err(UpstreamError::CircuitOpen)
        ));
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(
            layer.state(),
            BreakerState::HalfOpen {
                trial_in_flight: false
            }
        );
        assert!(!layer.is_open());
        // The trial succeeds: closed again.
        svc.clone().oneshot(()).await.unwrap();
        assert_eq!(layer.state(), BreakerState::Closed { failures: 0 });
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_trial_opens_again_and_one_success_resets_the_count() {
        let down = Arc::new(AtomicBool::new(true));
        let layer = BreakerLayer::new(2, Duration::from_secs(5));
        let svc = layer.layer(flaky(down.clone()));
        let _ = svc.clone().oneshot(()).await;
        down.store(false, Ordering::SeqCst);
        svc.clone().oneshot(()).await.unwrap();
        assert_eq!(layer.state(), BreakerState::Closed { failures: 0 });
        down.store(true, Ordering::SeqCst);
        let _ = svc.clone().oneshot(()).await;
        let _ = svc.clone().oneshot(()).await;
        assert!(layer.is_open());
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(matches!(
            svc.clone().oneshot(()).await,
            Err(UpstreamError::Connect)
        ));
        assert!(matches!(layer.state(), BreakerState::Open { .. }));
        assert!(matches!(
            svc.clone().oneshot(()).await,
            Err(UpstreamError::CircuitOpen)
        ));
    }
}
