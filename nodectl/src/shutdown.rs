//! Shutdown in one place: a [`Trigger`] fired once (by a signal, or a test)
//! and any number of [`Shutdown`] handles that see it.

use tokio::sync::watch;

/// Fires the shutdown.
#[derive(Debug)]
pub struct Trigger(watch::Sender<bool>);

/// Sees the shutdown. Clones share it.
#[derive(Debug, Clone)]
pub struct Shutdown(watch::Receiver<bool>);

/// A new trigger and its first handle.
pub fn channel() -> (Trigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (Trigger(tx), Shutdown(rx))
}

impl Trigger {
    /// Tells every handle to stop.
    pub fn fire(&self) {
        self.0.send_replace(true);
    }
}

impl Shutdown {
    /// A handle that never fires (for one-shot commands and tests).
    pub fn never() -> Shutdown {
        let (tx, rx) = watch::channel(false);
        // Keep the sender alive forever: the receiver then never closes.
        std::mem::forget(tx);
        Shutdown(rx)
    }

    /// Whether shutdown was asked for.
    pub fn is_fired(&self) -> bool {
        *self.0.borrow()
    }

    /// Completes once shutdown is asked for (or its trigger is dropped).
    pub async fn fired(&mut self) {
        let _ = self.0.wait_for(|fired| *fired).await;
    }

    /// Sleeps for `duration`; returns false when shutdown came first.
    pub async fn sleep(&mut self, duration: std::time::Duration) -> bool {
        tokio::select! {
            () = self.fired() => false,
            () = tokio::time::sleep(duration) => true,
        }
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        // No signal handling: wait forever rather than stop at once.
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
