//! Any input map, for any declared action of either backend: validation answers with a
//! request or an error naming a field, and never panics.
#![no_main]

use connector_core::{Url, request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, json)) = data.split_first() else { return };
    let Ok(serde_json::Value::Object(input)) = serde_json::from_slice(json) else { return };
    let actions: Vec<_> = connector_konverte::ACTIONS
        .iter()
        .chain(connector_moco::ACTIONS.iter())
        .collect();
    let action = actions[pick as usize % actions.len()];
    let base = Url::parse("https://fuzz.example/api/v1").unwrap();
    match request::prepare(action, &base, &input) {
        Ok(req) => {
            // Whatever went into the path stayed inside its segment.
            assert_eq!(req.url.host_str(), Some("fuzz.example"));
            assert!(req.url.path().starts_with("/api/v1/"));
            let _ = format!("{req:?}");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
