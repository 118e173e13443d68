//! The Konverte section of the state file: the store and the generic tier's records.

use std::path::Path;

use serde_json::{Value, json};

use super::api::App;
use super::store::Store;
use crate::generic::Records;
use crate::server::lock;
use crate::state::{self, StateError, corrupt};

const SECTION: &str = "konverte";

/// Replaces the app's records by those of the state file; `false` when it holds none.
pub(crate) fn restore(app: &App, path: &Path) -> Result<bool, StateError> {
    let Some(mut section) = state::load_section(path, SECTION)? else {
        return Ok(false);
    };
    let bad = |e: serde_json::Error| corrupt(path, format!("{SECTION}: {e}"));
    let mut store: Store = serde_json::from_value(take(&mut section, "store")).map_err(bad)?;
    store.reindex_contacts();
    let records: Records = serde_json::from_value(take(&mut section, "generic")).map_err(bad)?;
    *lock(&app.store) = store;
    *lock(&app.generic.records) = records;
    Ok(true)
}

fn take(section: &mut Value, key: &str) -> Value {
    section.get_mut(key).map(Value::take).unwrap_or(Value::Null)
}

/// Writes the app's records to the state file.
pub(crate) fn save(app: &App, path: &Path) -> Result<(), StateError> {
    let store = serde_json::to_value(&*lock(&app.store)).unwrap_or(Value::Null);
    let records = serde_json::to_value(&*lock(&app.generic.records)).unwrap_or(Value::Null);
    state::save_section(path, SECTION, json!({"store": store, "generic": records}))
}
