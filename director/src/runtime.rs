//! The multi-threaded tokio runtime the cluster's daemons (the director,
//! the gateway, nodectl, clientd) run on.
//!
//! It runs one worker thread per core the process may use (its CPU
//! affinity and cgroup quota), or the number `TOKIO_WORKER_THREADS` asks
//! for. The variable is read here, so that a bad value stops the daemon
//! with a message rather than tokio's panic.

/// Tokio's variable for the number of worker threads.
pub const WORKER_THREADS: &str = "TOKIO_WORKER_THREADS";

/// A multi-threaded runtime with I/O and timers, sized as the module says;
/// the error is a message for the operator.
pub fn multi_thread() -> Result<tokio::runtime::Runtime, String> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = worker_threads(std::env::var(WORKER_THREADS))? {
        builder.worker_threads(n);
    }
    builder
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// The number of worker threads `value` (of [`WORKER_THREADS`]) asks for.
fn worker_threads(value: Result<String, std::env::VarError>) -> Result<Option<usize>, String> {
    match value {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(format!(
                "{WORKER_THREADS} must be a whole number above 0, not {v:?}"
            )),
        },
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(format!("{WORKER_THREADS} must be a whole number above 0"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_threads_are_a_whole_number_above_zero() {
        use std::env::VarError;
        assert_eq!(worker_threads(Err(VarError::NotPresent)), Ok(None));
        assert_eq!(worker_threads(Ok("4".into())), Ok(Some(4)));
        assert_eq!(worker_threads(Ok(" 1\n".into())), Ok(Some(1)));
        for bad in ["0", "", "-1", "two", "1.5"] {
            let e = worker_threads(Ok(bad.into())).unwrap_err();
            assert!(e.contains("TOKIO_WORKER_THREADS"), "{e}");
        }
        let e = worker_threads(Err(VarError::NotUnicode("\u{fffd}".into()))).unwrap_err();
        assert!(e.contains("above 0"), "{e}");
    }
}
