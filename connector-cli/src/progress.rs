//! A batch's progress bar on stderr: count (of a known total, with ETA), rate, and a word
//! when the client-side rate limiter is what sets the pace (read from the connector's
//! [`Connector::pacing`](connector_core::Connector::pacing) status, not guessed).

use connector_core::{Pace, PacerStatus, Sharing};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal};
use std::time::{Duration, Instant};

/// A pacer that held a request back within this long still sets the pace.
const RECENTLY: Duration = Duration::from_secs(2);
/// The pacing word is read again at most this often.
const NOTE_EVERY: Duration = Duration::from_millis(250);

/// Where the bar reads the limiters' status from.
type PacingSource = Box<dyn Fn() -> Vec<PacerStatus> + Send>;

/// Shown only on a terminal, when not quiet, and from the second item on.
pub struct Progress {
    enabled: bool,
    bar: Option<ProgressBar>,
    count: u64,
    total: Option<u64>,
    pacing: PacingSource,
    noted_at: Option<Instant>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("enabled", &self.enabled)
            .field("count", &self.count)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl Progress {
    /// `total`: the number of inputs when known up front (a file); `pacing`: the status of
    /// the connector's rate limiters (`move || connector.pacing()`).
    pub fn new(
        quiet: bool,
        total: Option<u64>,
        pacing: impl Fn() -> Vec<PacerStatus> + Send + 'static,
    ) -> Self {
        Progress {
            enabled: !quiet && io::stderr().is_terminal(),
            bar: None,
            count: 0,
            total,
            pacing: Box::new(pacing),
            noted_at: None,
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
            if self.noted_at.is_none_or(|at| at.elapsed() >= NOTE_EVERY) {
                self.noted_at = Some(Instant::now());
                bar.set_message(pacing_note(&(self.pacing)()).unwrap_or_default());
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

/// "pacing at 1.0/s (limit 120/2m)" or "pacing at 46.0/s (adaptive, found from 429s)" for
/// the pacer requests wait on now or did within [`RECENTLY`] (the one most wait on); `None`
/// when no pacer holds anything back, so the rate is the server's or the input's.
fn pacing_note(pacers: &[PacerStatus]) -> Option<String> {
    let pacer = pacers
        .iter()
        .filter(|p| p.is_setting_the_pace(RECENTLY))
        .filter(|p| !matches!(p.pace, Pace::Adaptive { rate: None, .. }))
        .max_by_key(|p| (p.waiting, std::cmp::Reverse(p.last_waited)))?;
    Some(match &pacer.pace {
        Pace::Fixed { limit, shared } => {
            let per_second = f64::from(limit.requests.get()) / limit.per.as_secs_f64();
            let shared = match shared {
                Sharing::Process => "",
                Sharing::Machine => ", shared on this machine",
                Sharing::Redis => ", shared through Redis",
            };
            format!("pacing at {per_second:.1}/s (limit {limit}{shared})")
        }
        Pace::Adaptive { rate, .. } => {
            format!(
                "pacing at {:.1}/s (adaptive, found from 429s)",
                rate.unwrap_or_default()
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_core::RateLimit;

    fn fixed(n: u32, secs: u64, shared: Sharing, waiting: u32, ago: Option<u64>) -> PacerStatus {
        PacerStatus {
            pace: Pace::Fixed {
                limit: RateLimit::new(n, Duration::from_secs(secs)).unwrap(),
                shared,
            },
            waiting,
            last_waited: ago.map(Duration::from_secs),
        }
    }

    fn adaptive(rate: Option<f64>, waiting: u32) -> PacerStatus {
        PacerStatus {
            pace: Pace::Adaptive {
                rate,
                throttled: rate.is_some(),
            },
            waiting,
            last_waited: None,
        }
    }

    #[test]
    fn a_fixed_limit_is_named_while_requests_wait_on_it() {
        let note = pacing_note(&[fixed(120, 120, Sharing::Process, 3, Some(0))]).unwrap();
        assert_eq!(note, "pacing at 1.0/s (limit 120/2m)");
        let note = pacing_note(&[fixed(60, 10, Sharing::Machine, 0, Some(1))]).unwrap();
        assert_eq!(
            note,
            "pacing at 6.0/s (limit 60/10s, shared on this machine)"
        );
        let note = pacing_note(&[fixed(60, 10, Sharing::Redis, 1, None)]).unwrap();
        assert!(note.ends_with("shared through Redis)"), "{note}");
    }

    #[test]
    fn nothing_is_said_when_no_request_waits_on_the_limiter() {
        assert_eq!(pacing_note(&[]), None);
        // A limit the batch never reaches (the server or the input is slower).
        assert_eq!(
            pacing_note(&[fixed(120, 120, Sharing::Process, 0, None)]),
            None
        );
        // Waited once, long ago.
        assert_eq!(
            pacing_note(&[fixed(120, 120, Sharing::Process, 0, Some(30))]),
            None
        );
        // Adaptive pacing that has not seen a 429 paces nothing.
        assert_eq!(pacing_note(&[adaptive(None, 2)]), None);
    }

    #[test]
    fn adaptive_pacing_says_it_was_found_from_429s() {
        let note = pacing_note(&[adaptive(Some(46.04), 5)]).unwrap();
        assert_eq!(note, "pacing at 46.0/s (adaptive, found from 429s)");
    }

    #[test]
    fn the_pacer_most_requests_wait_on_is_named() {
        let pacers = [
            fixed(120, 120, Sharing::Process, 0, Some(1)),
            adaptive(Some(4.5), 7),
            adaptive(Some(9.0), 1),
        ];
        assert_eq!(
            pacing_note(&pacers).unwrap(),
            "pacing at 4.5/s (adaptive, found from 429s)"
        );
    }
}
