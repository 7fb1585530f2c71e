//! Fan-out as one reusable piece: call many nodes at once and gather the
//! successes and failures apart.
//!
//! Every call starts at once; a `FuturesUnordered` collects them as they
//! finish. With [`Quorum::All`] the gathering waits for every call (each is
//! bounded by its own per-call timeout in the upstream client) or for the
//! strategy's deadline, whichever comes first. With [`Quorum::First`] it
//! stops at the first success. Calls still in flight when gathering stops
//! are dropped, which cancels their HTTP requests: a node may still carry
//! out a change it had received, so only reads use `First`, and a deadline
//! shorter than the per-call timeout is only set for reads too.

use std::future::Future;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::FuturesUnordered;

/// How many answers a fan-out waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quorum {
    /// Every call finishes (or the deadline passes).
    All,
    /// The first success ends the gathering.
    First,
}

/// How to call many nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestStrategy {
    /// When to stop.
    pub quorum: Quorum,
    /// Overall deadline; calls unfinished by then count as failed with the
    /// error `on_deadline` makes.
    pub deadline: Option<Duration>,
}

impl RequestStrategy {
    /// Wait for all, bounded only by the per-call timeouts.
    pub const ALL: RequestStrategy = RequestStrategy {
        quorum: Quorum::All,
        deadline: None,
    };
}

/// What a fan-out gathered, each side in the order the targets were given.
#[derive(Debug)]
pub struct Gathered<K, T, E> {
    /// Targets that answered, with their answers.
    pub ok: Vec<(K, T)>,
    /// Targets that failed, with their errors.
    pub failed: Vec<(K, E)>,
}

/// Calls `call(target)` for every target at once and gathers the results
/// under `strategy`. `on_deadline` is the error recorded for a target whose
/// call was still in flight at the deadline; targets never reached under
/// [`Quorum::First`] are left out of both lists.
pub async fn call_many<K, T, E, F, Fut>(
    targets: Vec<K>,
    strategy: RequestStrategy,
    call: F,
    on_deadline: impl Fn() -> E,
) -> Gathered<K, T, E>
where
    K: Clone,
    F: Fn(K) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut pending: FuturesUnordered<_> = targets
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, k)| {
            let fut = call(k);
            async move { (i, fut.await) }
        })
        .collect();
    let mut slots: Vec<Option<Result<T, E>>> = (0..targets.len()).map(|_| None).collect();
    let deadline = strategy.deadline.map(|d| tokio::time::Instant::now() + d);
    loop {
        let next = match deadline {
            Some(at) => match tokio::time::timeout_at(at, pending.next()).await {
                Ok(next) => next,
                Err(_) => break,
            },
            None => pending.next().await,
        };
        let Some((i, result)) = next else { break };
        let success = result.is_ok();
        slots[i] = Some(result);
        if success && strategy.quorum == Quorum::First {
            break;
        }
    }
    let finished_early = !pending.is_empty() && strategy.quorum == Quorum::First;
    drop(pending);
    let mut gathered = Gathered {
        ok: Vec::new(),
        failed: Vec::new(),
    };
    for (k, slot) in targets.into_iter().zip(slots) {
        match slot {
            Some(Ok(t)) => gathered.ok.push((k, t)),
            Some(Err(e)) => gathered.failed.push((k, e)),
            None if finished_early => {}
            None => gathered.failed.push((k, on_deadline())),
        }
    }
    gathered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn gathers_apart_in_target_order() {
        let g = call_many(
            vec![3u64, 1, 2, 4],
            RequestStrategy::ALL,
            |k| async move {
                tokio::time::sleep(Duration::from_millis(k * 10)).await;
                if k % 2 == 0 {
                    Err(format!("e{k}"))
                } else {
                    Ok(k * 100)
                }
            },
            || "deadline".to_owned(),
        )
        .await;
        assert_eq!(g.ok, vec![(3, 300), (1, 100)]);
        assert_eq!(g.failed, vec![(2, "e2".to_owned()), (4, "e4".to_owned())]);
    }

    #[tokio::test(start_paused = true)]
    async fn deadline_and_first() {
        let slow = |k: u64| async move {
            tokio::time::sleep(Duration::from_secs(k)).await;
            Ok::<_, String>(k)
        };
        let g = call_many(
            vec![1, 5],
            RequestStrategy {
                quorum: Quorum::All,
                deadline: Some(Duration::from_secs(2)),
            },
            slow,
            || "deadline".to_owned(),
        )
        .await;
        assert_eq!(g.ok, vec![(1, 1)]);
        assert_eq!(g.failed, vec![(5, "deadline".to_owned())]);
        let g = call_many(
            vec![3, 1, 2],
            RequestStrategy {
                quorum: Quorum::First,
                deadline: None,
            },
            slow,
            || "deadline".to_owned(),
        )
        .await;
        assert_eq!(g.ok, vec![(1, 1)]);
        assert!(g.failed.is_empty());
    }
}
