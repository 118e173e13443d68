//! Client-side rate limiters, one per distinct limit, shared by every call of a connector.

use crate::options::RateLimit;
use governor::{DefaultDirectRateLimiter, Quota};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Requests are spaced a little wider than the limit's even spacing: by 1%, and so that a
/// full window of requests spans at least 30 ms more than the window. Scheduling and network
/// jitter then cannot push one request too many into the server's window.
const SAFETY_PERMILLE: u32 = 1010;
const SAFETY_SPAN: Duration = Duration::from_millis(30);

#[derive(Default)]
pub(crate) struct Limiters {
    by_limit: Mutex<HashMap<RateLimit, Arc<DefaultDirectRateLimiter>>>,
}

impl std::fmt::Debug for Limiters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let limits: Vec<String> = self
            .by_limit
            .lock()
            .map(|m| m.keys().map(ToString::to_string).collect())
            .unwrap_or_default();
        f.debug_struct("Limiters").field("limits", &limits).finish()
    }
}

impl Limiters {
    /// The limiter for `limit`. A burst of one: requests go out evenly spaced, which
    /// keeps any window of the server's length under its quota.
    pub(crate) fn get(&self, limit: RateLimit) -> Arc<DefaultDirectRateLimiter> {
        let mut map = self.by_limit.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(map.entry(limit).or_insert_with(|| {
            let period = (limit.interval() * SAFETY_PERMILLE / 1000)
                .max((limit.per + SAFETY_SPAN) / limit.requests.get());
            let quota = Quota::with_period(period)
                .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
                .allow_burst(NonZeroU32::MIN);
            Arc::new(DefaultDirectRateLimiter::direct(quota))
        }))
    }
}
