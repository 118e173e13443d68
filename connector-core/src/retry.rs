//! The retry decision: a pure function of what happened and what the policy allows.

use crate::options::RetryPolicy;
use std::time::{Duration, SystemTime};

/// What went wrong with one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 429. The server did not process the request.
    Throttled { retry_after: Option<Duration> },
    /// 502, 503, 504: the server (or a gateway) is briefly unavailable. The request
    /// may or may not have been applied.
    Unavailable { retry_after: Option<Duration> },
    /// Any other 5xx.
    ServerError,
    /// Any other 4xx: retrying cannot help.
    ClientError,
    /// The connection failed. `maybe_sent` is false when it failed before a single
    /// byte of the request could leave (e.g. connection refused).
    Connection { maybe_sent: bool },
    /// The attempt's deadline passed; the request may have been applied.
    Timeout,
    /// Certificate or handshake failure: retrying cannot help.
    Tls,
}

impl Failure {
    /// The request may have been applied by the server.
    pub fn maybe_applied(self) -> bool {
        matches!(
            self,
            Failure::Timeout
                | Failure::Connection { maybe_sent: true }
                | Failure::Unavailable { .. }
        )
    }
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Retry { after: Duration },
    Stop,
}

/// Decides whether to try again.
///
/// - `attempts`: attempts made so far (the failed one included), from 1.
/// - `idempotent`: the action may be repeated safely.
/// - `backoff`: the exponential-with-jitter delay proposed for this retry.
/// - `remaining`: time left before the call's overall deadline, if it has one.
///
/// Rules: never beyond `max_attempts`; 429 is retried for every method (the server
/// refused it unprocessed), after `Retry-After` when given; 502/503/504, timeouts and
/// connections lost after sending are retried only for idempotent actions; a
/// connection that failed before sending is retried for every method; other 4xx, 5xx
/// and TLS failures are final; a wait longer than the time left, or a `Retry-After`
/// above `max_retry_after`, stops.
pub fn decide(
    policy: &RetryPolicy,
    attempts: u32,
    failure: Failure,
    idempotent: bool,
    backoff: Duration,
    remaining: Option<Duration>,
) -> Decision {
    if attempts >= policy.max_attempts {
        return Decision::Stop;
    }
    let wait = match failure {
        Failure::Throttled { retry_after } => match retry_after {
            Some(d) if d > policy.max_retry_after => return Decision::Stop,
            Some(d) => d,
            None => backoff,
        },
        Failure::Unavailable { retry_after } if idempotent => match retry_after {
            Some(d) if d > policy.max_retry_after => return Decision::Stop,
            Some(d) => d.max(backoff),
            None => backoff,
        },
        Failure::Connection { maybe_sent: false } => backoff,
        Failure::Connection { maybe_sent: true } | Failure::Timeout if idempotent => backoff,
        _ => return Decision::Stop,
    };
    match remaining {
        Some(left) if wait >= left => Decision::Stop,
        _ => Decision::Retry { after: wait },
    }
}

/// Reads `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(at.timestamp()).ok()?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The failure class of an HTTP status, or `None` for success.
pub fn classify_status(status: u16, retry_after: Option<Duration>) -> Option<Failure> {
    match status {
        200..=299 => None,
        // Redirects are not followed (see the transport): a final answer.
        300..=399 => Some(Failure::ClientError),
        429 => Some(Failure::Throttled { retry_after }),
        502..=504 => Some(Failure::Unavailable { retry_after }),
        500..=599 => Some(Failure::ServerError),
        _ => Some(Failure::ClientError),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    #[test]
    fn post_is_not_retried_after_a_503_but_get_is() {
        let f = Failure::Unavailable { retry_after: None };
        let b = Duration::from_millis(100);
        assert_eq!(decide(&policy(), 1, f, false, b, None), Decision::Stop);
        assert_eq!(
            decide(&policy(), 1, f, true, b, None),
            Decision::Retry { after: b }
        );
    }

    #[test]
    fn retry_after_is_honoured_for_429() {
        let f = Failure::Throttled {
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(
            decide(&policy(), 1, f, false, Duration::from_millis(1), None),
            Decision::Retry {
                after: Duration::from_secs(3)
            }
        );
        let too_long = Failure::Throttled {
            retry_after: Some(Duration::from_secs(3600)),
        };
        assert_eq!(
            decide(&policy(), 1, too_long, true, Duration::ZERO, None),
            Decision::Stop
        );
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    fn failure() -> impl Strategy<Value = Failure> {
        let after = proptest::option::of((0u64..400).prop_map(Duration::from_secs));
        prop_oneof![
            after
                .clone()
                .prop_map(|retry_after| Failure::Throttled { retry_after }),
            after.prop_map(|retry_after| Failure::Unavailable { retry_after }),
            Just(Failure::ServerError),
            Just(Failure::ClientError),
            any::<bool>().prop_map(|maybe_sent| Failure::Connection { maybe_sent }),
            Just(Failure::Timeout),
            Just(Failure::Tls),
        ]
    }

    proptest! {
        #[test]
        fn never_beyond_the_attempt_budget(
            max in 1u32..10, attempts in 1u32..20, f in failure(), idem: bool,
            backoff in 0u64..10_000, remaining in proptest::option::of(0u64..100_000),
        ) {
            let p = RetryPolicy { max_attempts: max, ..policy() };
            let d = decide(&p, attempts, f, idem, Duration::from_millis(backoff), remaining.map(Duration::from_millis));
            if attempts >= max { prop_assert_eq!(d, Decision::Stop); }
            if let (Decision::Retry { after }, Some(left)) = (d, remaining) {
                prop_assert!(after < Duration::from_millis(left));
            }
        }

        #[test]
        fn a_request_that_may_have_been_applied_is_repeated_only_when_idempotent(
            attempts in 1u32..3, f in failure(), backoff in 0u64..1000,
        ) {
            let d = decide(&policy(), attempts, f, false, Duration::from_millis(backoff), None);
            let may_repeat = matches!(f, Failure::Throttled { .. } | Failure::Connection { maybe_sent: false });
            if !may_repeat { prop_assert_eq!(d, Decision::Stop); }
        }

        #[test]
        fn final_failures_are_never_retried(attempts in 1u32..3, idem: bool, backoff in 0u64..1000) {
            for f in [Failure::ClientError, Failure::ServerError, Failure::Tls] {
                prop_assert_eq!(decide(&policy(), attempts, f, idem, Duration::from_millis(backoff), None), Decision::Stop);
            }
        }

        #[test]
        fn throttling_waits_exactly_what_the_server_asked(secs in 0u64..150, backoff in 0u64..1000, idem: bool) {
            let f = Failure::Throttled { retry_after: Some(Duration::from_secs(secs)) };
            prop_assert_eq!(
                decide(&policy(), 1, f, idem, Duration::from_millis(backoff), None),
                Decision::Retry { after: Duration::from_secs(secs) }
            );
        }
    }
}
