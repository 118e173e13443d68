//! A batch's progress bar on stderr: count (of a known total, with ETA), rate, and a word
//! when the client-side rate limit is what sets the pace.

use connector_core::RateLimit;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal};
use std::time::{Duration, Instant};

/// Shown only on a terminal, when not quiet, and from the second item on.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    bar: Option<ProgressBar>,
    count: u64,
    total: Option<u64>,
    limit: Option<RateLimit>,
    started: Instant,
}

impl Progress {
    /// `total`: the number of inputs when known up front (a file); `limit`: the
    /// client-side rate limit in force, if any.
    pub fn new(quiet: bool, total: Option<u64>, limit: Option<RateLimit>) -> Self {
        Progress {
            enabled: !quiet && io::stderr().is_terminal(),
            bar: None,
            count: 0,
            total,
            limit,
            started: Instant::now(),
        }
    }

    pub fn inc(&mut self) {
        self.count += 1;
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.count > 1 {
            self.bar = Some(self.start_bar());
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
            if let Some(note) = pacing_note(self.limit, self.count, self.started.elapsed()) {
                bar.set_message(note);
            } else {
                bar.set_message("");
            }
        }
    }

    fn start_bar(&self) -> ProgressBar {
        let bar = match self.total {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
        };
        let template = match self.total {
            Some(_) => {
                "{spinner} {pos}/{len} items  {per_sec}  {elapsed} elapsed, ETA {eta}  {msg}"
            }
            None => "{spinner} {pos} items  {per_sec}  {elapsed}  {msg}",
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        bar.set_position(self.count - 1);
        bar
    }

    /// Runs `f` (which prints to stderr) without tearing the bar.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// "pacing at 1.0/s (limit 120/2m)" when the items come at about the limit's rate
/// (within 80%-125% of it, after a few intervals): the client is waiting on purpose.
fn pacing_note(limit: Option<RateLimit>, done: u64, elapsed: Duration) -> Option<String> {
    let limit = limit?;
    let allowed = f64::from(limit.requests.get()) / limit.per.as_secs_f64();
    if elapsed < limit.interval() * 3 || elapsed.is_zero() {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let observed = done as f64 / elapsed.as_secs_f64();
    (observed >= allowed * 0.8 && observed <= allowed * 1.25)
        .then(|| format!("pacing at {allowed:.1}/s (limit {limit})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    fn limit(n: u32, secs: u64) -> Option<RateLimit> {
        Some(RateLimit {
            requests: NonZeroU32::new(n).unwrap(),
            per: Duration::from_secs(secs),
        })
    }

    #[test]
    fn pacing_is_named_only_at_the_limits_rate() {
        let at = pacing_note(limit(120, 120), 10, Duration::from_secs(10)).unwrap();
        assert!(at.starts_with("pacing at 1.0/s (limit 120/2m"), "{at}");
        assert_eq!(
            pacing_note(limit(120, 120), 100, Duration::from_secs(10)),
            None
        );
        assert_eq!(
            pacing_note(limit(120, 120), 2, Duration::from_secs(10)),
            None
        );
        assert_eq!(pacing_note(None, 10, Duration::from_secs(10)), None);
        assert_eq!(
            pacing_note(limit(120, 120), 1, Duration::from_secs(1)),
            None
        );
    }
}
