//! Any `Link` header: the next page is found or not, without a panic, and only ever as a URL.
#![no_main]

use connector_core::{Url, paginate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else { return };
    let base = Url::parse("https://acme.mocoapp.com/api/v1/activities").unwrap();
    if let Some(next) = paginate::next_link(header, &base) {
        assert!(!next.as_str().is_empty());
    }
});
