//! Request counters.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::server::lock;

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
    /// Authenticated requests with a method other than `GET` (answered or not).
    pub writes: u64,
    /// Requests answered `501 not in the sandbox`.
    pub unserved: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) created: AtomicU64,
    pub(crate) throttled: AtomicU64,
    pub(crate) errors: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) unauthorized: AtomicU64,
    pub(crate) writes: AtomicU64,
    pub(crate) unserved: AtomicU64,
    /// `METHOD /template` → authenticated requests to that route.
    routes: Mutex<BTreeMap<String, u64>>,
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

    /// Counts an authenticated request to `route` (`METHOD /template`, or `METHOD PATH` when no
    /// route matched).
    pub(crate) fn routed(&self, method: &str, route: String) {
        if method != "GET" {
            Self::bump(&self.writes);
        }
        *lock(&self.routes).entry(route).or_insert(0) += 1;
    }

    pub(crate) fn unserved(&self) {
        Self::bump(&self.unserved);
    }

    /// Back to zero (after the demo data was played through the API).
    pub(crate) fn reset(&self) {
        for counter in [
            &self.requests,
            &self.created,
            &self.throttled,
            &self.errors,
            &self.dropped,
            &self.unauthorized,
            &self.writes,
            &self.unserved,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
        lock(&self.routes).clear();
    }

    pub(crate) fn route_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.routes).clone()
    }

    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            created: self.created.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            unauthorized: self.unauthorized.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            unserved: self.unserved.load(Ordering::Relaxed),
        }
    }
}
