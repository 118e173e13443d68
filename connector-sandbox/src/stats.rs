//! Request counters.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of a sandbox's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests received (including dropped, throttled and failed ones).
    pub requests: u64,
    /// Records created by successful `POST`s (all resources).
    pub created: u64,
    /// `429` answers served (random throttling and the rate limit).
    pub throttled: u64,
    /// `5xx` answers served by fault injection.
    pub errors: u64,
    /// Connections closed without a response.
    pub dropped: u64,
    /// `401` answers served.
    pub unauthorized: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) created: AtomicU64,
    pub(crate) throttled: AtomicU64,
    pub(crate) errors: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) unauthorized: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn created(&self) {
        Self::bump(&self.created);
    }

    pub(crate) fn unauthorized(&self) {
        Self::bump(&self.unauthorized);
    }

    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            created: self.created.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            unauthorized: self.unauthorized.load(Ordering::Relaxed),
        }
    }
}
