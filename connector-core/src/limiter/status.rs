//! A read-only view of the pacers: what each paces at and whether requests wait on it.

use crate::options::RateLimit;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// One pacer of a connector (an identity, and for adaptive pacing a route family), as
/// [`HttpConnector::pacing`](crate::HttpConnector::pacing) sees it now.
#[derive(Debug, Clone, PartialEq)]
pub struct PacerStatus {
    pub pace: Pace,
    /// Requests waiting for their turn right now.
    pub waiting: u32,
    /// How long ago a request last finished waiting for its turn; `None`: none ever waited.
    pub last_waited: Option<Duration>,
}

impl PacerStatus {
    /// The pacer holds requests back now, or did within `recently`: it sets the speed.
    pub fn is_setting_the_pace(&self, recently: Duration) -> bool {
        self.waiting > 0 || self.last_waited.is_some_and(|ago| ago <= recently)
    }
}

/// What a pacer paces at.
#[derive(Debug, Clone, PartialEq)]
pub enum Pace {
    /// A fixed limit (the options' own, or the connector's documented quota).
    Fixed { limit: RateLimit, shared: Sharing },
    /// Learnt from the server's answers.
    Adaptive {
        /// Requests per second it sends at; `None`: not paced yet (nothing refused).
        rate: Option<f64>,
        /// The server has answered 429 at least once.
        throttled: bool,
    },
}

/// Who shares a fixed limit's slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// This process only.
    Process,
    /// The processes of this machine (a lock file).
    Machine,
    /// Every machine using one Redis.
    Redis,
}

/// Counts the requests waiting on a pacer and when the last wait ended.
#[derive(Debug)]
pub(crate) struct WaitGauge {
    epoch: Instant,
    waiting: AtomicU32,
    /// Microseconds from `epoch` when the last wait ended, plus one; 0: never.
    last_end: AtomicU64,
}

impl Default for WaitGauge {
    fn default() -> Self {
        WaitGauge {
            epoch: Instant::now(),
            waiting: AtomicU32::new(0),
            last_end: AtomicU64::new(0),
        }
    }
}

impl WaitGauge {
    /// A request starts waiting; it stops when the guard is dropped.
    pub(crate) fn begin(&self) -> Waiting<'_> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        Waiting(self)
    }

    /// `(waiting now, time since the last wait ended)`.
    pub(crate) fn read(&self) -> (u32, Option<Duration>) {
        let last = match self.last_end.load(Ordering::Relaxed) {
            0 => None,
            us => Some(
                self.epoch
                    .elapsed()
                    .saturating_sub(Duration::from_micros(us - 1)),
            ),
        };
        (self.waiting.load(Ordering::Relaxed), last)
    }
}

/// One request waiting on a pacer.
pub(crate) struct Waiting<'a>(&'a WaitGauge);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let g = self.0;
        let now = u64::try_from(g.epoch.elapsed().as_micros()).unwrap_or(u64::MAX - 1);
        g.last_end.fetch_max(now + 1, Ordering::Relaxed);
        g.waiting.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gauge_counts_waits_and_remembers_the_last() {
        let g = WaitGauge::default();
        assert_eq!(g.read(), (0, None));
        let a = g.begin();
        let b = g.begin();
        assert_eq!(g.read().0, 2);
        drop(a);
        let (waiting, last) = g.read();
        assert_eq!(waiting, 1);
        assert!(last.is_some_and(|ago| ago < Duration::from_secs(60)));
        drop(b);
        assert_eq!(g.read().0, 0);
    }

    #[test]
    fn a_pacer_sets_the_pace_while_or_shortly_after_requests_wait() {
        let pace = Pace::Adaptive {
            rate: Some(4.0),
            throttled: true,
        };
        let status = |waiting, last_waited| PacerStatus {
            pace: pace.clone(),
            waiting,
            last_waited,
        };
        let recently = Duration::from_secs(2);
        assert!(status(1, None).is_setting_the_pace(recently));
        assert!(status(0, Some(Duration::from_secs(1))).is_setting_the_pace(recently));
        assert!(!status(0, Some(Duration::from_secs(3))).is_setting_the_pace(recently));
        assert!(!status(0, None).is_setting_the_pace(recently));
    }
}
