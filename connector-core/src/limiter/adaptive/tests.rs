//! The controller against a simulated sliding-window server, in simulated time.

use super::*;
use proptest::prelude::*;
use std::collections::VecDeque;

const TICK: Duration = Duration::from_millis(10);
/// Time between a request leaving and its answer arriving.
const RTT: Duration = Duration::from_millis(2);

/// A sliding-window limit, as the sandbox and many servers keep it: more than `limit`
/// admitted requests within any `per` are refused, with `Retry-After` set to the whole
/// seconds until a slot frees (at least 1).
struct Server {
    limit: usize,
    per: Duration,
    admitted: VecDeque<Duration>,
    /// When set, each request reaches the server up to 4 ms late (a pseudo-random walk from
    /// this seed), as requests on a real network and a busy client do.
    jitter: Option<u64>,
}

impl Server {
    fn new(limit: usize, per: Duration) -> Self {
        Server {
            limit,
            per,
            admitted: VecDeque::new(),
            jitter: None,
        }
    }

    fn with_jitter(mut self, seed: u64) -> Self {
        self.jitter = Some(seed);
        self
    }

    fn admit(&mut self, at: Duration) -> Result<(), Duration> {
        let at = match &mut self.jitter {
            Some(state) => {
                *state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                at + Duration::from_micros((*state >> 33) % 4000)
            }
            None => at,
        };
        while self
            .admitted
            .front()
            .is_some_and(|&t| at.saturating_sub(t) >= self.per)
        {
            self.admitted.pop_front();
        }
        if self.admitted.len() < self.limit {
            self.admitted.push_back(at);
            return Ok(());
        }
        let frees = (self.admitted[0] + self.per).saturating_sub(at);
        Err(Duration::from_secs(
            frees.as_secs_f64().ceil().max(1.0) as u64
        ))
    }

    fn rate(&self) -> f64 {
        self.limit as f64 / self.per.as_secs_f64()
    }
}

/// What happened in one tick.
#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Duration,
    rate: Option<f64>,
    limit: f64,
    admitted: u32,
    refused: u32,
}

/// A client with endless work: every tick it sends what the controller allows.
struct Sim {
    ctl: Controller,
    now: Duration,
    credit: f64,
    samples: Vec<Sample>,
}

impl Sim {
    fn new() -> Self {
        Sim {
            ctl: Controller::default(),
            now: Duration::ZERO,
            credit: 0.0,
            samples: Vec::new(),
        }
    }

    fn run(&mut self, server: &mut Server, for_: Duration) {
        let end = self.now + for_;
        while self.now < end {
            let t = self.now;
            self.ctl.tick(t);
            let sends = if t < self.ctl.hold_until() {
                0
            } else {
                match (self.ctl.rate(), self.ctl.window()) {
                    (Some(r), _) => {
                        self.credit += r * TICK.as_secs_f64();
                        let n = self.credit.floor();
                        self.credit -= n;
                        n as u32
                    }
                    (None, _) => {
                        self.unpaced_round_trips(server, t);
                        0
                    }
                }
            };
            let mut sample = Sample {
                at: t,
                rate: self.ctl.rate(),
                limit: server.rate(),
                admitted: 0,
                refused: 0,
            };
            for _ in 0..sends {
                self.ctl.on_send(t);
                match server.admit(t) {
                    Ok(()) => {
                        sample.admitted += 1;
                        self.ctl.on_success(t + RTT);
                    }
                    Err(retry_after) => {
                        sample.refused += 1;
                        self.ctl.on_throttle(t + RTT, t, Some(retry_after));
                    }
                }
            }
            self.samples.push(sample);
            self.now += TICK;
        }
    }

    /// Unpaced: a full window every round trip, five round trips per tick.
    fn unpaced_round_trips(&mut self, server: &mut Server, t: Duration) {
        let mut sample = Sample {
            at: t,
            rate: None,
            limit: server.rate(),
            admitted: 0,
            refused: 0,
        };
        for trip in 0..5u32 {
            let sent_at = t + RTT * trip;
            let Some(window) = self.ctl.window() else {
                break;
            };
            for _ in 0..window {
                self.ctl.on_send(sent_at);
                match server.admit(sent_at) {
                    Ok(()) => {
                        sample.admitted += 1;
                        self.ctl.on_success(sent_at + RTT);
                    }
                    Err(retry_after) => {
                        sample.refused += 1;
                        self.ctl
                            .on_throttle(sent_at + RTT, sent_at, Some(retry_after));
                    }
                }
            }
        }
        self.samples.push(sample);
    }

    /// Admitted per second and the refused share of what was sent, in `[from, to)`.
    fn between(&self, from: Duration, to: Duration) -> (f64, f64) {
        let (mut admitted, mut refused) = (0u64, 0u64);
        for s in self.samples.iter().filter(|s| s.at >= from && s.at < to) {
            admitted += u64::from(s.admitted);
            refused += u64::from(s.refused);
        }
        let secs = (to - from).as_secs_f64();
        let sent = (admitted + refused).max(1) as f64;
        (admitted as f64 / secs, refused as f64 / sent)
    }

    /// The longest stretch, after the first refusal, with the rate above the server's limit.
    fn longest_above_limit(&self) -> Duration {
        let first = self.samples.iter().position(|s| s.refused > 0);
        let (mut longest, mut run) = (Duration::ZERO, Duration::ZERO);
        for s in self
            .samples
            .iter()
            .skip(first.unwrap_or(self.samples.len()))
        {
            if s.rate.is_some_and(|r| r > s.limit) {
                run += TICK;
                longest = longest.max(run);
            } else {
                run = Duration::ZERO;
            }
        }
        longest
    }
}

const fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn the_first_refusal_sets_the_rate_to_what_the_server_let_through() {
    let mut ctl = Controller::default();
    assert_eq!(ctl.window(), Some(INITIAL_WINDOW));
    for i in 0..50 {
        let t = Duration::from_micros(200 * i);
        ctl.on_send(t);
        ctl.on_success(t);
    }
    assert_eq!(ctl.window(), Some(INITIAL_WINDOW + 50));
    let at = Duration::from_millis(10);
    assert!(ctl.on_throttle(at, at, Some(secs(1))));
    let rate = ctl.rate().unwrap();
    assert!((47.0..50.0).contains(&rate), "{rate}");
    assert_eq!(ctl.hold_until(), at + secs(1));
    // The requests that were in flight before the decrease are refused too: no effect.
    assert!(!ctl.on_throttle(at + TICK, at - TICK, Some(secs(1))));
    assert_eq!(ctl.rate(), Some(rate));
}

#[test]
fn without_use_a_rate_does_not_grow() {
    let mut ctl = Controller::default();
    ctl.on_send(Duration::ZERO);
    ctl.on_throttle(Duration::ZERO, Duration::ZERO, None);
    let rate = ctl.rate();
    for s in 1..100 {
        ctl.tick(secs(s));
    }
    assert_eq!(ctl.rate(), rate);
}

#[test]
fn a_refused_probe_doubles_the_wait_before_the_next() {
    let mut sim = Sim::new();
    let mut server = Server::new(20, secs(1));
    sim.run(&mut server, secs(120));
    assert!(sim.ctl.quiet > BASE_QUIET, "{:?}", sim.ctl);
    let (rate, refused) = sim.between(secs(20), secs(120));
    assert!(rate >= 18.0 && refused <= 0.02, "{rate} {refused}");
}

/// The client sends `slow` requests per second (below the limit, all admitted) for
/// `for_`, then as fast as it can until refused; returns the rate the refusal sets.
fn rate_after_a_slow_start_then_a_burst(limit: usize, slow: f64, for_: Duration) -> f64 {
    let mut ctl = Controller::default();
    let mut server = Server::new(limit, secs(1));
    let gap = Duration::from_secs_f64(1.0 / slow);
    let mut t = Duration::ZERO;
    while t < for_ {
        ctl.on_send(t);
        server.admit(t).unwrap();
        ctl.on_success(t + RTT);
        t += gap;
    }
    loop {
        ctl.on_send(t);
        match server.admit(t) {
            Ok(()) => ctl.on_success(t + RTT),
            Err(retry_after) => {
                assert!(ctl.on_throttle(t + RTT, t, Some(retry_after)));
                return ctl.rate().unwrap();
            }
        }
        t += Duration::from_micros(100);
    }
}

fn window() -> impl Strategy<Value = Duration> {
    prop_oneof![Just(secs(1)), Just(secs(10))]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// An unknown sliding-window limit: after the first minute the client gets at least 90%
    /// of it, with at most 2% of its requests refused.
    #[test]
    fn settles_near_an_unknown_limit(limit in 2usize..600, per in window()) {
        let mut sim = Sim::new();
        let mut server = Server::new(limit, per);
        let warm = per * 10;
        let total = warm + per * 60;
        sim.run(&mut server, total);
        let (rate, refused) = sim.between(warm, total);
        prop_assert!(rate >= 0.9 * server.rate(), "{rate} of {}", server.rate());
        prop_assert!(refused <= 0.02, "{refused}");
    }

    /// The first refusal measures the server's window, not the client's ramp-up: items that
    /// came slowly for a while before a burst do not make it settle below the limit.
    #[test]
    fn the_first_refusal_counts_the_window_not_the_slow_start(
        limit in 20usize..600, share in 0.1f64..0.9, slow_for in 2u64..20,
    ) {
        let rate = rate_after_a_slow_start_then_a_burst(
            limit, share * limit as f64, secs(slow_for),
        );
        let limit = limit as f64;
        prop_assert!(rate >= 0.9 * limit && rate <= limit, "{rate} of {limit}");
    }

    /// Never above a limit it has seen refused for longer than one adjustment: a rate above
    /// the server's limit is refused once the window fills, and one period later it is down.
    #[test]
    fn never_above_a_refused_limit_for_longer_than_one_adjustment(
        limit in 1usize..400, per in window(),
    ) {
        let mut sim = Sim::new();
        let mut server = Server::new(limit, per);
        sim.run(&mut server, per * 40);
        let longest = sim.longest_above_limit();
        let allowed = per + sim.ctl.period() + TICK * 2;
        prop_assert!(longest <= allowed, "{longest:?} > {allowed:?}");
    }

    /// The server raises its limit: the client finds the new one.
    #[test]
    fn recovers_after_the_server_raises_its_limit(limit in 2usize..200, factor in 1.5f64..10.0) {
        let mut sim = Sim::new();
        let mut server = Server::new(limit, secs(1));
        sim.run(&mut server, secs(60));
        let raised = (limit as f64 * factor).round() as usize;
        let mut server = Server::new(raised, secs(1));
        sim.run(&mut server, secs(150));
        let (rate, _) = sim.between(secs(180), secs(210));
        prop_assert!(rate >= 0.85 * raised as f64, "{rate} of {raised}");
    }

    /// The server lowers its limit: the client follows it down, and refusals stop.
    #[test]
    fn follows_a_lowered_limit(limit in 20usize..400, factor in 2.0f64..10.0) {
        let mut sim = Sim::new();
        let mut server = Server::new(limit, secs(1));
        sim.run(&mut server, secs(40));
        let lowered = ((limit as f64 / factor).round() as usize).max(1);
        let mut server = Server::new(lowered, secs(1));
        sim.run(&mut server, secs(90));
        let (rate, refused) = sim.between(secs(70), secs(130));
        prop_assert!(rate >= 0.85 * lowered as f64, "{rate} of {lowered}");
        prop_assert!(refused <= 0.03, "{refused}");
    }
}

/// Seconds a job of `items` requests takes from a cold start against an unknown limit of
/// `limit` per sliding second (bench row 5 in simulated time).
fn job_seconds(limit: usize, items: u64, seed: u64) -> f64 {
    let mut sim = Sim::new();
    let mut server = Server::new(limit, secs(1)).with_jitter(seed);
    let mut admitted = 0u64;
    while admitted < items {
        let from = sim.samples.len();
        sim.run(&mut server, secs(1));
        admitted += sim.samples[from..]
            .iter()
            .map(|s| u64::from(s.admitted))
            .sum::<u64>();
    }
    let mut over = admitted - items;
    let mut end = sim.now;
    for s in sim.samples.iter().rev() {
        if over < u64::from(s.admitted) {
            break;
        }
        over -= u64::from(s.admitted);
        end = s.at;
    }
    end.as_secs_f64()
}

#[test]
fn a_job_of_a_minute_at_the_limit_gets_nine_tenths_of_it() {
    for (limit, seed) in [5usize, 50, 500]
        .into_iter()
        .flat_map(|l| (1..=5).map(move |s| (l, s)))
    {
        let items = limit as u64 * 60;
        let took = job_seconds(limit, items, seed);
        let share = items as f64 / took / limit as f64;
        assert!(
            share >= 0.9,
            "limit {limit}/s: {items} in {took:.1} s, {share:.3} of the limit"
        );
    }
}
/// The first refusal can measure a little under the limit (answers arrive late), so a probe
/// just above that passes, and the rate grows past the limit. Back at the rate that passed,
/// the window is still full of the overshoot: those refusals are its echo, not a reason to
/// halve the rate.
#[test]
fn a_probe_that_passes_by_a_hair_does_not_halve_the_rate() {
    let mut sim = Sim::new();
    let mut server = Server::new(49, secs(1)).with_jitter(7);
    sim.run(&mut server, secs(5));
    let mut server = Server::new(50, secs(1)).with_jitter(7);
    sim.run(&mut server, secs(115));
    let lowest = sim.samples[200..]
        .iter()
        .filter_map(|s| s.rate)
        .fold(f64::INFINITY, f64::min);
    assert!(lowest >= 45.0, "the rate fell to {lowest}");
    let (rate, refused) = sim.between(secs(5), secs(120));
    assert!(rate >= 47.0 && refused <= 0.02, "{rate} {refused}");
}

/// Noise near a limit refuses now and then; a lowered limit again and again. Only a second
/// refusal soon after a step down halves the rate.
#[test]
fn a_second_refusal_soon_after_a_step_down_halves_the_rate() {
    let mut ctl = Controller::default();
    for i in 0..50 {
        let t = Duration::from_micros(100 * i);
        ctl.on_send(t);
        ctl.on_success(t);
    }
    let first = Duration::from_millis(10);
    assert!(ctl.on_throttle(first, first, Some(secs(1))));
    let settled = ctl.rate().unwrap();
    let lone = secs(30);
    assert!(ctl.on_throttle(lone, lone, Some(secs(1))));
    let under = ctl.rate().unwrap();
    assert!(
        (under - settled * PLATEAU).abs() < 1e-9,
        "{under} {settled}"
    );
    let soon = lone + secs(3);
    assert!(ctl.on_throttle(soon, soon, Some(secs(1))));
    let halved = ctl.rate().unwrap();
    assert!((halved - under * BACKOFF).abs() < 1e-9, "{halved} {under}");
    let later = soon + secs(60);
    assert!(ctl.on_throttle(later, later, Some(secs(1))));
    let again = ctl.rate().unwrap();
    assert!((again - halved * PLATEAU).abs() < 1e-9, "{again} {halved}");
}
