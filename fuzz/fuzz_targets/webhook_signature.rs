//! Any secret, body and signature: verification never panics, a signature made with the
//! same (non-empty) secret and body always verifies, and one made for another body never does.
#![no_main]

use connector_moco::webhooks::{sign, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let split = (data[0] as usize) % data.len();
    let (secret, body) = data[1..].split_at(split.min(data.len() - 1));
    let secret = String::from_utf8_lossy(secret);
    let _ = verify(&secret, body, &String::from_utf8_lossy(body));
    let good = sign(&secret, body);
    assert_eq!(verify(&secret, body, &good), !secret.is_empty());
    let mut other = body.to_vec();
    other.push(b'x');
    assert!(!verify(&secret, &other, &good));
});
