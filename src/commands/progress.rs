//! A progress bar on stderr for long runs (bootstrap, permutations).
//!
//! It stays hidden for the first second, so quick runs print nothing, and
//! it is never drawn when stderr is not a terminal (indicatif checks), so
//! pipes and logs stay clean. Standard output is never touched.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Once;
use std::time::{Duration, Instant};

/// Show the bar only once a run has taken this long.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Counts units of work; draws a bar once the run is long enough.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: Once,
}

impl Progress {
    /// A bar for `total` units (none at all when `total` is 0); `what` says
    /// what the units are, e.g. `2 matrices × 1000 resamples`.
    pub fn new(total: u64, what: String) -> Self {
        let bar = (total > 0).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} ({msg}) · eta {eta}")
            {
                bar.set_style(style);
            }
            bar.set_message(what);
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            shown: Once::new(),
        }
    }

    /// Count `n` units done.
    pub fn inc(&self, n: u64) {
        let Some(bar) = &self.bar else { return };
        if self.started.elapsed() >= SHOW_AFTER {
            self.shown
                .call_once(|| bar.set_draw_target(ProgressDrawTarget::stderr()));
        }
        bar.inc(n);
    }

    /// Remove the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
