//! Adaptive pacing for a server whose limit nobody told us.
//!
//! [`Controller`] is a pure state machine: it is told what happened (a request sent, answered,
//! refused with 429 and maybe `Retry-After`) and when, and says how fast to send. Until the
//! first refusal nothing is paced, but the requests in flight grow from four (the default
//! concurrency) by one per success (a slow start: a server with a tiny limit sees a handful of
//! refusals, not a whole batch's).
//! The first refusal sets the rate to what the server let through: the successes within the
//! time until it takes requests again (`Retry-After`, at least a second) before the refusal,
//! over that time. (A sliding window reopens one window after the requests it holds; counting
//! the whole run instead would dilute a burst with a slow start, or with items that came
//! slowly, and settle far below the limit.) From then on:
//!
//! - a refusal goes back to the highest rate that ran a whole period without refusal, but at
//!   least [`PLATEAU`] under the rate refused; a refusal at a rate that passed (the limit is
//!   within the timing noise of it, or the server lowered it) goes [`PLATEAU`] under it, and
//!   only a second one within [`STRIKE_PERIODS`] periods of that halves the rate (noise
//!   refuses now and then, a lowered limit again and again); refusals of requests sent
//!   before a decrease change nothing;
//! - a period without refusal (the last period held a period's worth of requests) moves halfway
//!   to just under ([`PLATEAU`]) the lowest rate refused, and stays on that plateau;
//! - after [`BASE_QUIET`] calm periods on the plateau it probes [`PROBE`] above the refused
//!   rate for one period: refused, it returns to the plateau and waits twice as long before
//!   the next probe (up to [`MAX_QUIET`] periods); not refused, the server has raised its
//!   limit (or the first refusal measured it a little low), the refused rate is forgotten, and
//!   the rate grows per period by as much as the probe went over, then twice that, up to
//!   [`GROWTH`], until the next refusal. (Growing by a quarter at once would go far past a
//!   limit the probe had only just missed.)
//!
//! A period is the longest `Retry-After` the server asked for (between one second and two
//! minutes): it is the only hint of the server's window.

use std::collections::VecDeque;
use std::time::Duration;

/// Requests in flight before anything was refused.
pub(crate) const INITIAL_WINDOW: u32 = 4;
pub(crate) const MIN_PERIOD: Duration = Duration::from_secs(1);
pub(crate) const MAX_PERIOD: Duration = Duration::from_secs(120);
/// The plateau, as a share of the lowest rate refused.
pub(crate) const PLATEAU: f64 = 0.98;
/// A probe, as a multiple of the lowest rate refused.
pub(crate) const PROBE: f64 = 1.02;
/// The most growth per period once a probe has passed.
pub(crate) const GROWTH: f64 = 1.25;
/// Decrease on a second refusal soon after a step down.
pub(crate) const BACKOFF: f64 = 0.5;
/// Periods (after the server's wait) within which a second refusal halves the rate.
pub(crate) const STRIKE_PERIODS: u32 = 4;
/// Calm periods on the plateau before the first probe; doubled per refused probe.
pub(crate) const BASE_QUIET: u32 = 16;
pub(crate) const MAX_QUIET: u32 = 128;
/// Send times kept to tell whether a period passed.
const MAX_RECENT: usize = 100_000;
/// Requests per second never go below this (one per 100 s).
pub(crate) const MIN_RATE: f64 = 0.01;

/// The pacing state of one connector, identity and route family.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Controller {
    /// Requests per second; `None` until the first refusal.
    rate: Option<f64>,
    /// Requests in flight allowed while `rate` is `None`.
    window: u32,
    /// Highest rate that ran a whole period without refusal (0: none).
    good: f64,
    /// Lowest rate refused since the server last took more.
    bad: Option<f64>,
    probing: bool,
    /// Growth of the next period without refusal, once a probe has passed.
    step: f64,
    /// Calm periods on the plateau so far, and how many come before a probe.
    calm: u32,
    quiet: u32,
    period: Duration,
    /// When the rate last changed; a period is counted from here or from the end of a hold.
    changed_at: Duration,
    /// The last decrease: a refusal of a request sent before it is an echo.
    decreased_at: Option<Duration>,
    /// Until when a refusal at a rate that passed halves the rate (set by a step down).
    strike_until: Duration,
    /// Nothing is sent before this (`Retry-After`).
    hold_until: Duration,
    /// Send times since `changed_at`, within the last period.
    recent: VecDeque<Duration>,
    /// Successes since `changed_at` (unpaced: since the first send).
    succeeded: u64,
    /// Answer times of the successes while not paced, the last [`MAX_RECENT`].
    unpaced_successes: VecDeque<Duration>,
}

impl Default for Controller {
    fn default() -> Self {
        Controller {
            rate: None,
            window: INITIAL_WINDOW,
            good: 0.0,
            bad: None,
            probing: false,
            step: PROBE,
            calm: 0,
            quiet: BASE_QUIET,
            period: MIN_PERIOD,
            changed_at: Duration::ZERO,
            decreased_at: None,
            strike_until: Duration::ZERO,
            hold_until: Duration::ZERO,
            recent: VecDeque::new(),
            succeeded: 0,
            unpaced_successes: VecDeque::new(),
        }
    }
}

impl Controller {
    /// Requests per second to send at; `None`: not paced (see [`Controller::window`]).
    pub(crate) fn rate(&self) -> Option<f64> {
        self.rate
    }

    /// Requests allowed in flight, while not paced.
    pub(crate) fn window(&self) -> Option<u32> {
        self.rate.is_none().then_some(self.window)
    }

    /// Nothing may be sent before this.
    pub(crate) fn hold_until(&self) -> Duration {
        self.hold_until
    }

    /// The lowest rate refused, while it stands.
    pub(crate) fn refused(&self) -> Option<f64> {
        self.bad
    }

    /// The server has refused a request (429) since this controller began.
    pub(crate) fn was_throttled(&self) -> bool {
        // The rate is set by the first refusal and never unset.
        self.rate.is_some()
    }

    /// The adjustment period.
    pub(crate) fn period(&self) -> Duration {
        self.period
    }

    pub(crate) fn on_send(&mut self, now: Duration) {
        if self.rate.is_some() {
            if self.recent.len() >= MAX_RECENT {
                self.recent.pop_front();
            }
            self.recent.push_back(now);
        }
    }

    pub(crate) fn on_success(&mut self, now: Duration) {
        self.succeeded += 1;
        if self.rate.is_none() {
            self.window = self.window.saturating_add(1);
            if self.unpaced_successes.len() >= MAX_RECENT {
                self.unpaced_successes.pop_front();
            }
            self.unpaced_successes.push_back(now);
        }
    }

    /// A 429 for a request sent at `sent_at`. Returns true when the rate went down (so
    /// requests already scheduled at the old rate should take new slots).
    pub(crate) fn on_throttle(
        &mut self,
        now: Duration,
        sent_at: Duration,
        retry_after: Option<Duration>,
    ) -> bool {
        let wait = retry_after.unwrap_or(Duration::ZERO);
        if let Some(ra) = retry_after {
            // The longest wait asked for is the best hint of the server's window (in a
            // sliding window that is always full, later waits are short).
            self.period = self.period.max(ra.clamp(MIN_PERIOD, MAX_PERIOD));
        }
        self.hold_until = self.hold_until.max(now + wait);
        if self.decreased_at.is_some_and(|d| sent_at < d) {
            return false;
        }
        let next = match self.rate {
            None => {
                // What the server let through within the time until it lets more through
                // (a sliding window full after a quick burst reopens one window after the
                // burst began), over that time.
                let until_open = wait.max(MIN_PERIOD);
                let from = now.saturating_sub(until_open);
                let within = self
                    .unpaced_successes
                    .iter()
                    .rev()
                    .take_while(|&&t| t > from)
                    .count();
                let admitted = (within as f64 / until_open.as_secs_f64()).max(MIN_RATE);
                self.unpaced_successes = VecDeque::new();
                self.bad = Some(admitted);
                admitted * PLATEAU
            }
            Some(r) if self.probing => {
                self.quiet = (self.quiet.saturating_mul(2)).min(MAX_QUIET);
                self.bad.unwrap_or(r) * PLATEAU
            }
            Some(r) => {
                self.bad = Some(self.bad.map_or(r, |b| b.min(r)));
                if self.good > 0.0 && self.good < r {
                    // Above what passed: back to it.
                    self.good.min(r * PLATEAU)
                } else {
                    let struck = now < self.strike_until;
                    self.strike_until = now + wait.max(self.period) + self.period * STRIKE_PERIODS;
                    self.good = 0.0;
                    if struck {
                        r * BACKOFF
                    } else {
                        // What passed (or nothing has yet) is refused once: just under it.
                        r * PLATEAU
                    }
                }
            }
        };
        self.rate = Some(next.max(MIN_RATE));
        self.probing = false;
        self.calm = 0;
        self.restart(now);
        self.decreased_at = Some(now);
        true
    }

    /// Moves the rate up when a period has passed without refusal.
    pub(crate) fn tick(&mut self, now: Duration) {
        let Some(r) = self.rate else { return };
        let start = self.changed_at.max(self.hold_until);
        if now < start + self.period {
            return;
        }
        // A rate passes once the last period alone held a period's worth of requests at it,
        // unrefused: a window of the period's length would then have seen one too many.
        // (Slots taken at an earlier, slower rate do not count towards it.)
        let from = now.saturating_sub(self.period);
        while self.recent.front().is_some_and(|&t| t < from) {
            self.recent.pop_front();
        }
        if (self.recent.len() as f64) < (r * self.period.as_secs_f64()).ceil().max(2.0) {
            if now >= start + self.period * 4 {
                // Too few requests to tell: keep the rate, and count afresh.
                self.restart(now);
            }
            return;
        }
        if self.probing {
            // The server took more than it once refused: it has raised its limit.
            self.bad = None;
            self.probing = false;
            self.quiet = BASE_QUIET;
            self.step = PROBE;
        }
        self.good = self.good.max(r);
        let next = match self.bad {
            None => {
                let next = r * self.step;
                self.step = (1.0 + (self.step - 1.0) * 2.0).min(GROWTH);
                next
            }
            Some(b) if r < b * PLATEAU * 0.999 => ((r + b) / 2.0).min(b * PLATEAU),
            Some(b) => {
                self.calm += 1;
                if self.calm >= self.quiet {
                    self.calm = 0;
                    self.probing = true;
                    b * PROBE
                } else {
                    r
                }
            }
        };
        self.rate = Some(next);
        self.restart(now);
    }

    fn restart(&mut self, now: Duration) {
        self.changed_at = now;
        self.recent.clear();
        self.succeeded = 0;
    }
}

#[cfg(test)]
mod tests;
