//! Running library code from Python: panics caught at the boundary, long
//! work off the GIL and interruptible, the CLI's exit status as a number.

use crate::SafetywashingError;
use pyo3::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How often a waiting call looks for Ctrl-C (Python's signal handlers).
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// The message of a caught panic.
fn panic_error(payload: Box<dyn std::any::Any + Send>) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    SafetywashingError::new_err(format!(
        "internal error (please report it): {}",
        safetywashing::escape::control(&what)
    ))
}

/// Run `f`, turning a panic into a [`SafetywashingError`]: the last resort
/// that keeps a Rust panic from reaching Python as one.
pub fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(panic_error(p)))
}

/// Run `work` on another thread with the GIL released, waiting for it in
/// steps of [`SIGNAL_POLL`] and running Python's signal handlers between
/// them. When one raises (Ctrl-C: `KeyboardInterrupt`), the `stop` flag
/// `work` was given is set, `work` is waited for (the library checks the
/// flag between resamples and permutation tests), and the handler's
/// exception is raised. A panic in `work` becomes a [`SafetywashingError`].
pub fn interruptible<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> PyResult<T> + Send,
) -> PyResult<T> {
    let stop = AtomicBool::new(false);
    py.detach(|| {
        std::thread::scope(|scope| {
            let (done, finished) = mpsc::channel();
            let stop = &stop;
            let worker = scope.spawn(move || {
                let result = catch_unwind(AssertUnwindSafe(|| work(stop)));
                let _ = done.send(());
                result
            });
            let mut interrupted = None;
            while let Err(mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(SIGNAL_POLL) {
                if interrupted.is_none()
                    && let Err(e) = Python::attach(|py| py.check_signals())
                {
                    stop.store(true, Ordering::Relaxed);
                    interrupted = Some(e);
                }
            }
            let result = worker
                .join()
                .unwrap_or_else(Err)
                .unwrap_or_else(|p| Err(panic_error(p)));
            match interrupted {
                Some(e) => Err(e),
                None => result,
            }
        })
    })
}

/// The number of the CLI's exit status (`ExitCode` is opaque; the CLI only
/// returns codes made with `ExitCode::from(u8)` or `SUCCESS`).
pub fn cli_status(code: ExitCode) -> PyResult<u8> {
    (0..=u8::MAX)
        .find(|&n| ExitCode::from(n) == code)
        .ok_or_else(|| SafetywashingError::new_err("the command line returned an unknown status"))
}
