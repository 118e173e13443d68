//! Any `Link` header: the next page is found, absent, or an error (an unusable link),
//! without a panic; a next page found is always an http(s) URL.
#![no_main]

use connector_core::{Url, paginate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else { return };
    let base = Url::parse("https://acme.mocoapp.com/api/v1/activities").unwrap();
    if let Ok(Some(next)) = paginate::next_link(header, &base) {
        assert!(matches!(next.scheme(), "http" | "https"), "{next}");
    }
});
