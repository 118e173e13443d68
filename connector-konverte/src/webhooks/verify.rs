//! HMAC-SHA256 signatures over `"{timestamp}.{raw body}"`, as `lib/webhooks/trigger.rb`
//! makes them.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

type HmacSha256 = Hmac<Sha256>;

/// How far a delivery's timestamp may be from now, either way (clocks drift).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The prefix of `X-Chatwoot-Signature`.
const PREFIX: &str = "sha256=";

/// Why a delivery was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The secret is empty: anyone could sign with it, so nothing verifies.
    EmptySecret,
    /// No `X-Chatwoot-Signature`.
    MissingSignature,
    /// No `X-Chatwoot-Timestamp`.
    MissingTimestamp,
    /// The signature is not `sha256=` and 64 hex digits.
    MalformedSignature(String),
    /// The timestamp is not a whole number of seconds.
    MalformedTimestamp,
    /// The signature does not match this body, timestamp and secret.
    Mismatch,
    /// Signed longer ago than the tolerance allows (a replay, or a slow clock).
    Stale {
        age_seconds: i64,
        tolerance_seconds: u64,
    },
    /// Signed further in the future than the tolerance allows (a fast clock).
    FromTheFuture {
        ahead_seconds: i64,
        tolerance_seconds: u64,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::EmptySecret => {
                f.write_str("the webhook secret is empty, so no signature can be trusted")
            }
            Rejection::MissingSignature => f.write_str("the delivery has no X-Chatwoot-Signature"),
            Rejection::MissingTimestamp => f.write_str("the delivery has no X-Chatwoot-Timestamp"),
            Rejection::MalformedSignature(why) => write!(
                f,
                "the signature is not `sha256=` followed by 64 hex digits: {why}"
            ),
            Rejection::MalformedTimestamp => {
                f.write_str("the timestamp is not a whole number of Unix seconds")
            }
            Rejection::Mismatch => {
                f.write_str("the signature does not match the body, timestamp and secret")
            }
            Rejection::Stale {
                age_seconds,
                tolerance_seconds,
            } => write!(
                f,
                "the delivery was signed {age_seconds} s ago, more than the tolerance of \
                 {tolerance_seconds} s (a replay, or a clock that is off)"
            ),
            Rejection::FromTheFuture {
                ahead_seconds,
                tolerance_seconds,
            } => write!(
                f,
                "the delivery is dated {ahead_seconds} s in the future, more than the \
                 tolerance of {tolerance_seconds} s (a clock that is off)"
            ),
        }
    }
}

impl std::error::Error for Rejection {}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Chatwoot-Signature` value Chatwoot sends for `body` signed at `timestamp`
/// (Unix seconds, as text): `sha256=` + lower-case hex.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    format!(
        "{PREFIX}{}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Checks a delivery against the secret and the clock: the signature (constant-time
/// comparison of the raw body's HMAC), then that the timestamp is within `tolerance` of
/// now. `signature` is the header value (`sha256=<hex>`; the bare hex is taken too).
pub fn verify(
    secret: &str,
    signature: &str,
    timestamp: &str,
    body: &[u8],
    tolerance: Duration,
) -> Result<(), Rejection> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    verify_at(secret, signature, timestamp, body, tolerance, now)
}

/// [`verify`] with the current time given (Unix seconds).
pub fn verify_at(
    secret: &str,
    signature: &str,
    timestamp: &str,
    body: &[u8],
    tolerance: Duration,
    now: i64,
) -> Result<(), Rejection> {
    if secret.is_empty() {
        return Err(Rejection::EmptySecret);
    }
    let signature = signature.trim();
    if signature.is_empty() {
        return Err(Rejection::MissingSignature);
    }
    let timestamp = timestamp.trim();
    if timestamp.is_empty() {
        return Err(Rejection::MissingTimestamp);
    }
    let signed_at: i64 = timestamp
        .parse()
        .map_err(|_| Rejection::MalformedTimestamp)?;
    let digits = match signature.split_once('=') {
        Some((algorithm, digits)) if algorithm.eq_ignore_ascii_case("sha256") => digits,
        Some((algorithm, _)) => {
            return Err(Rejection::MalformedSignature(format!(
                "the algorithm is {algorithm:?}, not sha256"
            )));
        }
        None => signature,
    };
    if digits.len() != 64 {
        return Err(Rejection::MalformedSignature(format!(
            "{} digits",
            digits.len()
        )));
    }
    let given =
        hex::decode(digits).map_err(|_| Rejection::MalformedSignature("not hexadecimal".into()))?;
    mac(secret, timestamp, body)
        .verify_slice(&given)
        .map_err(|_| Rejection::Mismatch)?;
    let limit = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    let age = now.saturating_sub(signed_at);
    if age > limit {
        return Err(Rejection::Stale {
            age_seconds: age,
            tolerance_seconds: tolerance.as_secs(),
        });
    }
    if -age > limit {
        return Err(Rejection::FromTheFuture {
            ahead_seconds: -age,
            tolerance_seconds: tolerance.as_secs(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "wh-3fa9c1d2e8b74b0c";
    const NOW: i64 = 1_750_000_000;
    const TOLERANCE: Duration = DEFAULT_TOLERANCE;

    fn check(signature: &str, timestamp: &str, body: &[u8]) -> Result<(), Rejection> {
        verify_at(SECRET, signature, timestamp, body, TOLERANCE, NOW)
    }

    #[test]
    fn matches_openssl() {
        // printf %s '1750000000.{"event":"message_created"}' | openssl dgst -sha256 -hmac wh-3fa9c1d2e8b74b0c
        assert_eq!(
            sign(SECRET, "1750000000", br#"{"event":"message_created"}"#),
            "sha256=6c97312231907f7dd390986f9ef95f7795556dee599be84048201baf6a0ccbc5"
        );
    }

    #[test]
    fn reasons_are_specific() {
        let body = b"{}";
        let ts = NOW.to_string();
        let good = sign(SECRET, &ts, body);
        assert_eq!(check(&good, &ts, body), Ok(()));
        assert_eq!(
            check(&good[7..], &ts, body),
            Ok(()),
            "the bare hex is taken"
        );
        assert_eq!(check("", &ts, body), Err(Rejection::MissingSignature));
        assert_eq!(check(&good, " ", body), Err(Rejection::MissingTimestamp));
        assert_eq!(
            check(&good, "soon", body),
            Err(Rejection::MalformedTimestamp)
        );
        assert!(matches!(
            check("sha1=abc", &ts, body),
            Err(Rejection::MalformedSignature(_))
        ));
        assert!(matches!(
            check("sha256=abc", &ts, body),
            Err(Rejection::MalformedSignature(_))
        ));
        let not_hex = format!("sha256={}", "z".repeat(64));
        assert!(matches!(
            check(&not_hex, &ts, body),
            Err(Rejection::MalformedSignature(_))
        ));
        assert_eq!(
            verify_at("", &good, &ts, body, TOLERANCE, NOW),
            Err(Rejection::EmptySecret)
        );
        let old = (NOW - 301).to_string();
        assert_eq!(
            check(&sign(SECRET, &old, body), &old, body),
            Err(Rejection::Stale {
                age_seconds: 301,
                tolerance_seconds: 300
            })
        );
        let ahead = (NOW + 400).to_string();
        assert_eq!(
            check(&sign(SECRET, &ahead, body), &ahead, body),
            Err(Rejection::FromTheFuture {
                ahead_seconds: 400,
                tolerance_seconds: 300
            })
        );
        let edge = (NOW - 300).to_string();
        assert_eq!(check(&sign(SECRET, &edge, body), &edge, body), Ok(()));
        for r in [
            Rejection::Mismatch,
            Rejection::Stale {
                age_seconds: 9,
                tolerance_seconds: 1,
            },
        ] {
            assert!(!r.to_string().is_empty());
        }
    }

    fn timestamp() -> impl Strategy<Value = i64> {
        (NOW - 300)..=(NOW + 300)
    }

    proptest! {
        #[test]
        fn any_body_verifies(body in proptest::collection::vec(any::<u8>(), 0..1024), ts in timestamp()) {
            let ts = ts.to_string();
            let sig = sign(SECRET, &ts, &body);
            prop_assert_eq!(sig.len(), 7 + 64);
            prop_assert!(sig[7..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            prop_assert_eq!(check(&sig, &ts, &body), Ok(()));
        }

        #[test]
        fn any_changed_byte_fails(body in proptest::collection::vec(any::<u8>(), 1..512), at: prop::sample::Index, bit in 0u8..8) {
            let ts = NOW.to_string();
            let sig = sign(SECRET, &ts, &body);
            let mut changed = body.clone();
            changed[at.index(body.len())] ^= 1 << bit;
            prop_assert_eq!(check(&sig, &ts, &changed), Err(Rejection::Mismatch));
        }

        #[test]
        fn any_other_timestamp_fails(body in proptest::collection::vec(any::<u8>(), 0..256), signed in timestamp(), sent in timestamp()) {
            prop_assume!(signed != sent);
            let sig = sign(SECRET, &signed.to_string(), &body);
            prop_assert_eq!(check(&sig, &sent.to_string(), &body), Err(Rejection::Mismatch));
        }

        #[test]
        fn any_other_secret_fails(secret in ".{1,64}", body in proptest::collection::vec(any::<u8>(), 0..256)) {
            prop_assume!(secret != SECRET);
            let ts = NOW.to_string();
            prop_assert_eq!(check(&sign(&secret, &ts, &body), &ts, &body), Err(Rejection::Mismatch));
        }

        #[test]
        fn any_changed_signature_digit_fails(body in proptest::collection::vec(any::<u8>(), 0..256), at in 7usize..71, digit in 0u32..16) {
            let ts = NOW.to_string();
            let sig = sign(SECRET, &ts, &body);
            let replacement = char::from_digit(digit, 16).unwrap() as u8;
            prop_assume!(sig.as_bytes()[at] != replacement);
            let mut forged = sig.into_bytes();
            forged[at] = replacement;
            prop_assert_eq!(check(&String::from_utf8(forged).unwrap(), &ts, &body), Err(Rejection::Mismatch));
        }

        #[test]
        fn stale_timestamps_fail_even_when_signed(age in 301i64..1_000_000, body in proptest::collection::vec(any::<u8>(), 0..64)) {
            let ts = (NOW - age).to_string();
            let is_stale = matches!(check(&sign(SECRET, &ts, &body), &ts, &body), Err(Rejection::Stale { .. }));
            prop_assert!(is_stale);
        }

        #[test]
        fn garbage_never_verifies_nor_panics(sig in ".{0,90}", ts in ".{0,20}") {
            let body: &[u8] = b"[]";
            prop_assume!(sig != sign(SECRET, &ts, body));
            let refused = check(&sig, &ts, body).is_err();
            prop_assert!(refused);
        }
    }
}
