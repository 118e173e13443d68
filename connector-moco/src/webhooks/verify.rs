//! HMAC-SHA256 signatures of web hook bodies.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    mac
}

/// The signature MOCO sends for `body`: lower-case hex HMAC-SHA256, keyed with the
/// secret's bytes.
pub fn sign(secret: &str, body: &[u8]) -> String {
    hex::encode(mac(secret, body).finalize().into_bytes())
}

/// Whether `signature` (hex, as in `X-Moco-Signature`) is `body`'s signature under
/// `secret`. The digests are compared in constant time; a signature that is not hex
/// or not 32 bytes long is simply not valid, and so is every signature under an empty
/// secret (anyone could make those).
pub fn verify(secret: &str, body: &[u8], signature: &str) -> bool {
    if secret.is_empty() {
        return false;
    }
    let Ok(given) = hex::decode(signature) else {
        return false;
    };
    mac(secret, body).verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // The worked example of MOCO's web hook documentation.
    const SECRET: &str = "1d608b9d72219b90ff2393a1d3ee0ac0";
    const BODY: &[u8] = br#"{"id":111,"description":"a description"}"#;
    const SIGNATURE: &str = "bf027a86207ef1ca1cb76f5a536b41a14287ab1a0fd5b33bfe86924bc2f48fd1";

    #[test]
    fn an_empty_secret_verifies_nothing() {
        let forged = sign("", BODY);
        assert!(!verify("", BODY, &forged));
    }

    fn flip(s: &str, at: usize) -> String {
        let mut b = s.as_bytes().to_vec();
        b[at] = if b[at] == b'0' { b'1' } else { b'0' };
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn the_documented_example_verifies() {
        assert_eq!(sign(SECRET, BODY), SIGNATURE);
        assert!(verify(SECRET, BODY, SIGNATURE));
        assert!(verify(SECRET, BODY, &SIGNATURE.to_ascii_uppercase()));
    }

    #[test]
    fn a_one_byte_change_anywhere_fails() {
        let mut body = BODY.to_vec();
        body[5] ^= 1;
        assert!(!verify(SECRET, &body, SIGNATURE));
        assert!(!verify(&flip(SECRET, 0), BODY, SIGNATURE));
        assert!(!verify(SECRET, BODY, &flip(SIGNATURE, 63)));
        assert!(!verify(SECRET, BODY, &SIGNATURE[..62]));
        assert!(!verify(SECRET, BODY, &format!("{SIGNATURE}00")));
        assert!(!verify(SECRET, BODY, &format!("{}zz", &SIGNATURE[..62])));
        assert!(!verify(SECRET, BODY, ""));
        assert!(!verify(SECRET, BODY, &format!(" {SIGNATURE}")));
    }

    proptest! {
        #[test]
        fn sign_then_verify_round_trips(secret in ".{1,64}", body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let sig = sign(&secret, &body);
            prop_assert_eq!(sig.len(), 64);
            prop_assert!(sig.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            prop_assert!(verify(&secret, &body, &sig));
        }

        #[test]
        fn any_changed_body_fails(body in proptest::collection::vec(any::<u8>(), 1..512), at: prop::sample::Index, bit in 0u8..8) {
            let sig = sign(SECRET, &body);
            let mut changed = body.clone();
            changed[at.index(body.len())] ^= 1 << bit;
            prop_assert!(!verify(SECRET, &changed, &sig));
        }

        #[test]
        fn any_other_key_fails(secret in "[0-9a-f]{32}", other in "[0-9a-f]{32}", body in proptest::collection::vec(any::<u8>(), 0..256)) {
            prop_assume!(secret != other);
            prop_assert!(!verify(&other, &body, &sign(&secret, &body)));
        }

        #[test]
        fn any_changed_signature_fails(body in proptest::collection::vec(any::<u8>(), 0..256), at in 0usize..64, digit in 0u8..16) {
            let sig = sign(SECRET, &body);
            let replacement = char::from_digit(u32::from(digit), 16).unwrap();
            prop_assume!(sig.as_bytes()[at] != replacement as u8);
            let mut forged = sig.into_bytes();
            forged[at] = replacement as u8;
            prop_assert!(!verify(SECRET, &body, &String::from_utf8(forged).unwrap()));
        }

        #[test]
        fn garbage_signatures_never_verify_nor_panic(sig in ".{0,80}") {
            prop_assume!(sig != sign(SECRET, BODY));
            prop_assert!(!verify(SECRET, BODY, &sig));
        }
    }
}
