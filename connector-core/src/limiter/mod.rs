//! Client-side pacing, shared by every call of a connector.
//!
//! A call's pace comes from its options and the connector's quota:
//! - a fixed limit (the connector's documented quota, e.g. MOCO's 120/2m, or the options'
//!   own): evenly spaced slots (GCRA with a burst of one) on a [`Schedule`] kept in this
//!   process, in a lock file shared by the processes of the machine, or in Redis, shared by
//!   machines; keyed by backend and a hash of the credentials;
//! - no limit known: [`adaptive`] pacing, learnt from the server's 429s and `Retry-After`,
//!   per connector, identity and route family (the action's resource), in this process;
//! - `Off`: none.

mod adaptive;
mod fixed;
#[cfg(feature = "redis")]
mod redis;
mod shared_file;
mod status;

pub use status::{Pace, PacerStatus, Sharing};

use crate::error::Error;
use crate::options::{RateLimit, RateLimitChoice, RateLimitStore};
use adaptive::Controller;
use async_trait::async_trait;
use http::HeaderMap;
use sha2::{Digest, Sha256};
use status::WaitGauge;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Requests are spaced a little wider than the limit's even spacing: by 1%, and so that a
/// full window of requests spans at least 40 ms more than the window. Scheduling and network
/// jitter then cannot push one request too many into the server's window.
const SAFETY_PERMILLE: u32 = 1010;
const SAFETY_SPAN: Duration = Duration::from_millis(40);
/// A request that leaves later than its slot by more than this (a loaded machine) moves
/// the slots not yet handed out back by the excess: a sliding window counts send times, and
/// a late request followed by punctual ones would otherwise eat the margin above. Half the
/// margin, so the other half is left for the server's own jitter.
const LATE_AFTER: Duration = Duration::from_millis(20);

/// Time between two slots of `limit`, safety margin included.
pub(crate) fn spacing(limit: RateLimit) -> Duration {
    (limit.interval() * SAFETY_PERMILLE / 1000)
        .max((limit.per + SAFETY_SPAN) / limit.requests.get())
}

/// Evenly spaced slots for a fixed limit: one shared "next free slot" time.
#[async_trait]
pub(crate) trait Schedule: Send + Sync + fmt::Debug {
    /// Takes the next free slot, `spacing` after the one before; returns the wait until it.
    async fn reserve(&self, spacing: Duration) -> Result<Duration, Error>;
    /// No slot is handed out for `pause` from now (a 429's `Retry-After`).
    async fn hold(&self, pause: Duration) -> Result<(), Error>;
    /// A request left `by` after its slot: every later slot moves back by as much.
    async fn delay(&self, by: Duration) -> Result<(), Error>;
}

/// How much a request leaving `late` after its slot moves the later slots back.
pub(crate) fn lateness_to_pass_on(late: Duration) -> Duration {
    late.saturating_sub(LATE_AFTER)
}

/// The next slot, pure: `(wait, next free slot)` given the next free slot and the time now.
pub(crate) fn next_slot(free_at: u64, now: u64, spacing: u64) -> (u64, u64) {
    let slot = free_at.max(now);
    (slot - now, slot.saturating_add(spacing))
}

/// What an answer says about the pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    Success,
    Throttled {
        retry_after: Option<Duration>,
    },
    /// Anything else: no news about the pace.
    Other,
}

/// Who is paced together: backend, base URL and the credentials sent (as a hash).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Identity {
    pub(crate) backend: String,
    /// Hex of a SHA-256 over the base URL and the credential headers; never the credential.
    pub(crate) hash: String,
}

impl Identity {
    pub(crate) fn of(backend: &str, base_url: &url::Url, headers: &HeaderMap) -> Self {
        let mut h = Sha256::new();
        h.update(base_url.as_str().as_bytes());
        for (name, value) in headers.iter().filter(|(_, v)| v.is_sensitive()) {
            h.update([0]);
            h.update(name.as_str().as_bytes());
            h.update([0]);
            h.update(value.as_bytes());
        }
        Identity {
            backend: backend.to_owned(),
            hash: hex::encode(&h.finalize()[..16]),
        }
    }

    /// A name for files and keys: `backend-hash`, with only `[a-z0-9_-]` from the backend.
    pub(crate) fn file_stem(&self) -> String {
        let backend: String = self
            .backend
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        format!("{backend}-{}", self.hash)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Fixed(Identity, RateLimitStore),
    Adaptive(Identity, &'static str),
}

/// Every pacer of a connector (and of its siblings from `with_auth`).
#[derive(Default)]
pub(crate) struct Limiters {
    schedules: Mutex<HashMap<Key, Arc<FixedPacer>>>,
    adaptive: Mutex<HashMap<Key, Arc<AdaptivePacer>>>,
}

/// A fixed limit's schedule, with what the status shows of it.
#[derive(Debug)]
pub(crate) struct FixedPacer {
    schedule: Arc<dyn Schedule>,
    sharing: Sharing,
    /// The limit of the latest call paced by it.
    limit: Mutex<RateLimit>,
    gauge: WaitGauge,
}

impl fmt::Debug for Limiters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Limiters")
            .field("fixed", &lock(&self.schedules).len())
            .field("adaptive", &lock(&self.adaptive).len())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Limiters {
    /// The pacer of a call. `family` is the route family (the action's resource).
    pub(crate) fn pacer(
        &self,
        choice: RateLimitChoice,
        connector_default: Option<RateLimit>,
        store: &RateLimitStore,
        identity: impl FnOnce() -> Identity,
        family: &'static str,
    ) -> Result<Pacer, Error> {
        if choice == RateLimitChoice::Off {
            return Ok(Pacer::None);
        }
        match choice.resolve(connector_default) {
            Some(limit) => {
                let id = identity();
                let key = Key::Fixed(id.clone(), store.clone());
                let mut map = lock(&self.schedules);
                let pacer = match map.get(&key) {
                    Some(p) => {
                        *lock(&p.limit) = limit;
                        Arc::clone(p)
                    }
                    None => {
                        let (schedule, sharing) = open(store, &id)?;
                        let p = Arc::new(FixedPacer {
                            schedule,
                            sharing,
                            limit: Mutex::new(limit),
                            gauge: WaitGauge::default(),
                        });
                        map.insert(key, Arc::clone(&p));
                        p
                    }
                };
                Ok(Pacer::Fixed {
                    pacer,
                    spacing: spacing(limit),
                })
            }
            None if store.is_shared() => Err(Error::Config(format!(
                "the rate-limit store {store} shares a fixed limit, and this call has none: \
                 give one (e.g. --rate-limit 3000/1m)"
            ))),
            None => {
                let key = Key::Adaptive(identity(), family);
                let mut map = lock(&self.adaptive);
                Ok(Pacer::Adaptive(Arc::clone(
                    map.entry(key)
                        .or_insert_with(|| Arc::new(AdaptivePacer::default())),
                )))
            }
        }
    }

    /// Every pacer used so far, as it is now.
    pub(crate) fn status(&self) -> Vec<PacerStatus> {
        let mut all: Vec<PacerStatus> = lock(&self.schedules)
            .values()
            .map(|p| {
                let (waiting, last_waited) = p.gauge.read();
                PacerStatus {
                    pace: Pace::Fixed {
                        limit: *lock(&p.limit),
                        shared: p.sharing,
                    },
                    waiting,
                    last_waited,
                }
            })
            .collect();
        all.extend(lock(&self.adaptive).values().map(|p| p.status()));
        all
    }
}

fn local() -> (Arc<dyn Schedule>, Sharing) {
    (Arc::new(fixed::LocalSchedule::default()), Sharing::Process)
}

fn open(store: &RateLimitStore, id: &Identity) -> Result<(Arc<dyn Schedule>, Sharing), Error> {
    Ok(match store {
        RateLimitStore::Process => local(),
        RateLimitStore::Machine => {
            match shared_file::default_dir().map(|dir| shared_file::FileSchedule::open(&dir, id)) {
                Some(Ok(file)) => (Arc::new(file), Sharing::Machine),
                // Still a limit, only not shared: better than failing every call.
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "the rate limit is kept in this process only, not shared");
                    local()
                }
                None => {
                    tracing::warn!(
                        "no cache directory: the rate limit is kept in this process only, not shared"
                    );
                    local()
                }
            }
        }
        RateLimitStore::Directory(dir) => (
            Arc::new(shared_file::FileSchedule::open(dir, id)?),
            Sharing::Machine,
        ),
        #[cfg(feature = "redis")]
        RateLimitStore::Redis(url) => (
            Arc::new(redis::RedisSchedule::new(url, id)?),
            Sharing::Redis,
        ),
        #[cfg(not(feature = "redis"))]
        RateLimitStore::Redis(url) => {
            return Err(Error::Config(format!(
                "rate-limit store {url}: this build has no Redis support (turn on the `redis` feature of the connector crate)"
            )));
        }
    })
}

/// How one call is paced.
#[derive(Debug)]
pub(crate) enum Pacer {
    None,
    Fixed {
        pacer: Arc<FixedPacer>,
        spacing: Duration,
    },
    Adaptive(Arc<AdaptivePacer>),
}

impl Pacer {
    /// Waits for this call's turn. Fails (before sending) when a shared store cannot be reached.
    pub(crate) async fn acquire(&self) -> Result<Permit, Error> {
        match self {
            Pacer::None => Ok(Permit::default()),
            Pacer::Fixed { pacer, spacing } => {
                let wait = pacer.schedule.reserve(*spacing).await?;
                let slot = Instant::now() + wait;
                if !wait.is_zero() {
                    let _waiting = pacer.gauge.begin();
                    tokio::time::sleep(wait).await;
                }
                let late = lateness_to_pass_on(slot.elapsed());
                if !late.is_zero()
                    && let Err(e) = pacer.schedule.delay(late).await
                {
                    tracing::warn!(error = %e, "could not pass a late start on to the shared rate limit");
                }
                Ok(Permit {
                    adaptive: None,
                    schedule: Some(Arc::clone(&pacer.schedule)),
                })
            }
            Pacer::Adaptive(pacer) => pacer.acquire().await,
        }
    }
}

/// One request's turn: tell it how the answer went with [`Permit::finish`]. Dropped
/// unfinished (the call was cut short), it gives its place back with no news.
#[derive(Debug, Default)]
pub(crate) struct Permit {
    adaptive: Option<(Arc<AdaptivePacer>, Duration)>,
    schedule: Option<Arc<dyn Schedule>>,
}

impl Permit {
    pub(crate) async fn finish(mut self, signal: Signal) {
        if let Some((pacer, sent_at)) = self.adaptive.take() {
            pacer.finish(sent_at, signal);
        }
        if let (
            Some(schedule),
            Signal::Throttled {
                retry_after: Some(pause),
            },
        ) = (self.schedule.take(), signal)
            && let Err(e) = schedule.hold(pause).await
        {
            tracing::warn!(error = %e, "could not pass the server's Retry-After on to the shared rate limit");
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some((pacer, sent_at)) = self.adaptive.take() {
            pacer.finish(sent_at, Signal::Other);
        }
    }
}

/// The adaptive pace of one identity and route family in this process.
#[derive(Debug)]
pub(crate) struct AdaptivePacer {
    epoch: Instant,
    state: Mutex<AdaptiveState>,
    released: Notify,
    gauge: WaitGauge,
}

#[derive(Debug, Default)]
struct AdaptiveState {
    ctl: Controller,
    in_flight: u32,
    /// The next free slot while paced, from `epoch`.
    free_at: Duration,
    /// Bumped when the rate goes down: slots taken before are given up and taken again.
    generation: u64,
}

impl Default for AdaptivePacer {
    fn default() -> Self {
        AdaptivePacer {
            epoch: Instant::now(),
            state: Mutex::new(AdaptiveState::default()),
            released: Notify::new(),
            gauge: WaitGauge::default(),
        }
    }
}

/// What [`AdaptivePacer::take`] found.
enum Turn {
    Now(Permit),
    /// Wait this long (for a slot of this generation, or for a hold to end).
    After(Duration, Option<u64>),
    /// The slow-start window is full: wait for a request to finish.
    Full,
}

impl AdaptivePacer {
    async fn acquire(self: &Arc<Self>) -> Result<Permit, Error> {
        let mut waiting = None;
        loop {
            let turn = self.take();
            if !matches!(turn, Turn::Now(_)) {
                waiting.get_or_insert_with(|| self.gauge.begin());
            }
            match turn {
                Turn::Now(permit) => return Ok(permit),
                Turn::Full => {
                    let released = self.released.notified();
                    tokio::pin!(released);
                    released.as_mut().enable();
                    if let Turn::Now(permit) = self.take() {
                        return Ok(permit);
                    }
                    released.await;
                }
                Turn::After(wait, generation) => {
                    tokio::time::sleep(wait).await;
                    let mut s = lock(&self.state);
                    let now = self.epoch.elapsed();
                    // A decrease since the slot was taken: take a slot at the new pace.
                    if generation.is_some_and(|g| g == s.generation) && now >= s.ctl.hold_until() {
                        return Ok(self.admit(&mut s, now));
                    }
                }
            }
        }
    }

    fn status(&self) -> PacerStatus {
        let (waiting, last_waited) = self.gauge.read();
        let s = lock(&self.state);
        PacerStatus {
            pace: Pace::Adaptive {
                rate: s.ctl.rate(),
                throttled: s.ctl.was_throttled(),
            },
            waiting,
            last_waited,
        }
    }

    fn take(self: &Arc<Self>) -> Turn {
        let mut s = lock(&self.state);
        let now = self.epoch.elapsed();
        s.ctl.tick(now);
        let hold = s.ctl.hold_until();
        match s.ctl.rate() {
            None if now < hold => Turn::After(hold - now, None),
            None if s.ctl.window().is_some_and(|w| s.in_flight >= w) => Turn::Full,
            None => Turn::Now(self.admit(&mut s, now)),
            Some(rate) => {
                let slot = s.free_at.max(now).max(hold);
                s.free_at = slot + Duration::from_secs_f64(1.0 / rate);
                if slot <= now {
                    Turn::Now(self.admit(&mut s, now))
                } else {
                    Turn::After(slot - now, Some(s.generation))
                }
            }
        }
    }

    fn admit(self: &Arc<Self>, s: &mut AdaptiveState, now: Duration) -> Permit {
        s.in_flight += 1;
        s.ctl.on_send(now);
        Permit {
            adaptive: Some((Arc::clone(self), now)),
            schedule: None,
        }
    }

    fn finish(&self, sent_at: Duration, signal: Signal) {
        let mut s = lock(&self.state);
        let now = self.epoch.elapsed();
        s.in_flight = s.in_flight.saturating_sub(1);
        match signal {
            Signal::Success => s.ctl.on_success(now),
            Signal::Throttled { retry_after } => {
                if s.ctl.on_throttle(now, sent_at, retry_after) {
                    s.generation += 1;
                    s.free_at = s.ctl.hold_until().max(now);
                    tracing::info!(
                        rate = s.ctl.rate().unwrap_or_default(),
                        refused = s.ctl.refused().unwrap_or_default(),
                        period = ?s.ctl.period(),
                        "the server refused requests (429): pacing slower"
                    );
                }
            }
            Signal::Other => {}
        }
        s.ctl.tick(now);
        drop(s);
        self.released.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_evenly_spaced_after_a_gap() {
        assert_eq!(next_slot(0, 100, 10), (0, 110));
        assert_eq!(next_slot(110, 100, 10), (10, 120));
        assert_eq!(next_slot(u64::MAX, 0, 10), (u64::MAX, u64::MAX));
    }

    #[test]
    fn identities_hash_the_credentials_and_never_show_them() {
        let url = url::Url::parse("https://acme.example/api/v1").unwrap();
        let mut headers = HeaderMap::new();
        let mut token = http::HeaderValue::from_static("Token token=secret-key-1");
        token.set_sensitive(true);
        headers.insert("authorization", token);
        headers.insert("x-impersonate-user-id", http::HeaderValue::from_static("7"));
        let a = Identity::of("moco", &url, &headers);
        assert!(!format!("{a:?}").contains("secret-key-1"));
        assert_eq!(a.hash.len(), 32);
        // Impersonating another user still uses the key's quota.
        headers.insert("x-impersonate-user-id", http::HeaderValue::from_static("8"));
        assert_eq!(Identity::of("moco", &url, &headers), a);
        let mut other = http::HeaderValue::from_static("Token token=secret-key-2");
        other.set_sensitive(true);
        headers.insert("authorization", other);
        assert_ne!(Identity::of("moco", &url, &headers), a);
        assert!(a.file_stem().starts_with("moco-"));
    }

    fn test_identity() -> Identity {
        Identity {
            backend: "moco".into(),
            hash: "0123abcd".into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_status_shows_a_fixed_limit_and_the_requests_waiting_on_it() {
        let limiters = Arc::new(Limiters::default());
        let limit = RateLimit::new(1, Duration::from_secs(10)).unwrap();
        let pacer = || {
            limiters
                .pacer(
                    RateLimitChoice::Custom(limit),
                    None,
                    &RateLimitStore::Process,
                    test_identity,
                    "activities",
                )
                .unwrap()
        };
        let first = pacer();
        let fixed = Pace::Fixed {
            limit,
            shared: Sharing::Process,
        };
        let [status] = &limiters.status()[..] else {
            panic!("{:?}", limiters.status())
        };
        assert_eq!(status.pace, fixed);
        assert_eq!((status.waiting, status.last_waited), (0, None));
        // The first slot is free: nobody waits.
        drop(first.acquire().await.unwrap());
        assert_eq!(limiters.status()[0].last_waited, None);
        // The second waits a whole spacing for its slot.
        let second = pacer();
        let waiting = tokio::spawn(async move { second.acquire().await.map(drop) });
        let mut seen = 0;
        for _ in 0..1000 {
            seen = limiters.status()[0].waiting;
            if seen == 1 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(seen, 1);
        waiting.await.unwrap().unwrap();
        let status = &limiters.status()[0];
        assert_eq!(status.waiting, 0);
        assert!(status.last_waited.is_some(), "{status:?}");
        assert!(status.is_setting_the_pace(Duration::from_secs(60)));
    }

    #[tokio::test]
    async fn the_status_shows_an_adaptive_rate_once_the_server_refused() {
        let limiters = Limiters::default();
        let pacer = limiters
            .pacer(
                RateLimitChoice::ConnectorDefault,
                None,
                &RateLimitStore::Machine,
                test_identity,
                "contacts",
            )
            .unwrap();
        let unpaced = Pace::Adaptive {
            rate: None,
            throttled: false,
        };
        assert_eq!(limiters.status()[0].pace, unpaced);
        for _ in 0..10 {
            pacer.acquire().await.unwrap().finish(Signal::Success).await;
        }
        assert_eq!(limiters.status()[0].pace, unpaced);
        assert_eq!(limiters.status()[0].last_waited, None);
        pacer
            .acquire()
            .await
            .unwrap()
            .finish(Signal::Throttled {
                retry_after: Some(Duration::from_secs(1)),
            })
            .await;
        let Pace::Adaptive { rate, throttled } = limiters.status()[0].pace.clone() else {
            panic!("{:?}", limiters.status())
        };
        assert!(throttled);
        assert!(rate.is_some_and(|r| r > 0.0), "{rate:?}");
    }

    #[tokio::test]
    async fn a_late_start_moves_the_later_slots_back() {
        assert_eq!(lateness_to_pass_on(LATE_AFTER / 2), Duration::ZERO);
        let excess = Duration::from_millis(7);
        assert_eq!(lateness_to_pass_on(LATE_AFTER + excess), excess);
        let s = fixed::LocalSchedule::default();
        let spacing = Duration::from_secs(10);
        assert!(s.reserve(spacing).await.unwrap() < Duration::from_secs(1));
        s.delay(Duration::from_secs(5)).await.unwrap();
        let wait = s.reserve(spacing).await.unwrap();
        assert!(wait > Duration::from_secs(14), "{wait:?}");
    }

    #[test]
    fn spacing_keeps_a_margin() {
        let l = RateLimit::new(60, Duration::from_secs(10)).unwrap();
        assert!(spacing(l) > l.interval());
        assert!(spacing(l) * 60 > l.per + SAFETY_SPAN - Duration::from_millis(1));
    }
}
