//! What a generic list keeps of its records: those matching the query's field filters, less
//! the fields the style's list leaves out.

use serde_json::Value;

use crate::http::Query;

/// `record` without the fields `omits` names.
pub(super) fn without(record: &Value, omits: &[&str]) -> Value {
    let mut record = record.clone();
    if let Value::Object(map) = &mut record {
        for field in omits {
            map.remove(*field);
        }
    }
    record
}

/// Simple list filters: a query parameter naming a field of the records (or `X_id` naming the
/// `id` of an embedded `X`) keeps those whose value equals it (as text). Paging and sorting
/// parameters are not fields.
pub(super) fn query_matches(record: &Value, query: &Query) -> bool {
    query.pairs().iter().all(|(key, value)| {
        if matches!(
            key.as_str(),
            "page" | "per_page" | "sort_by" | "before" | "after" | "q"
        ) {
            return true;
        }
        // MOCO filters by `invoice_id` where the record embeds `invoice: {id, ...}`.
        let embedded = key
            .strip_suffix("_id")
            .and_then(|entity| record.get(entity))
            .and_then(|e| e.get("id"));
        match record.get(key).or(embedded) {
            None => true,
            Some(Value::String(s)) => s == value,
            Some(Value::Null) => value.is_empty(),
            Some(other) => serde_json::from_str::<Value>(value).ok().as_ref() == Some(other),
        }
    })
}
