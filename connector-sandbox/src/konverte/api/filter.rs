//! The filter payload of contacts and conversations
//! (`[{attribute_key, filter_operator, values, query_operator}]`).

use super::*;

/// Looks up `key` on a record, then in its custom and additional attributes.
fn attribute<'v>(record: &'v Value, key: &str) -> Option<&'v Value> {
    record
        .get(key)
        .or_else(|| record.get("custom_attributes").and_then(|c| c.get(key)))
        .or_else(|| record.get("additional_attributes").and_then(|c| c.get(key)))
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_lowercase(),
        Value::Null => String::new(),
        other => other.to_string().to_lowercase(),
    }
}

/// Evaluates a filter payload (`[{attribute_key, filter_operator, values, query_operator}]`).
pub(super) fn filter_matches(record: &Value, conditions: &[Value]) -> Result<bool, Fail> {
    let mut result: Option<bool> = None;
    let mut pending_operator = String::from("and");
    for condition in conditions {
        let key = condition
            .get("attribute_key")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("attribute_key", "Each filter needs an attribute_key"))?;
        let operator = condition
            .get("filter_operator")
            .and_then(Value::as_str)
            .unwrap_or("equal_to");
        let values: Vec<String> = match condition.get("values") {
            Some(Value::Array(items)) => items.iter().map(value_text).collect(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![value_text(other)],
        };
        let actual = attribute(record, key);
        let actual_texts: Vec<String> = match actual {
            Some(Value::Array(items)) => items.iter().map(value_text).collect(),
            Some(v) => vec![value_text(v)],
            None => Vec::new(),
        };
        let equal = actual_texts.iter().any(|a| values.contains(a));
        let contains = actual_texts
            .iter()
            .any(|a| values.iter().any(|v| a.contains(v.as_str())));
        let present = actual_texts.iter().any(|a| !a.is_empty());
        let hit = match operator {
            "equal_to" | "eq" => equal,
            "not_equal_to" | "not_eq" => !equal,
            "contains" => contains,
            "does_not_contain" => !contains,
            "is_present" => present,
            "is_not_present" => !present,
            other => {
                return Err(invalid(
                    "filter_operator",
                    format!("Unknown filter operator: {other}"),
                ));
            }
        };
        result = Some(match result {
            None => hit,
            Some(previous) if pending_operator == "or" => previous || hit,
            Some(previous) => previous && hit,
        });
        pending_operator = condition
            .get("query_operator")
            .and_then(Value::as_str)
            .unwrap_or("and")
            .to_lowercase();
    }
    Ok(result.unwrap_or(true))
}

pub(super) fn filter_payload(body: &Map<String, Value>) -> Result<Vec<Value>, Fail> {
    match body.get("payload") {
        Some(Value::Array(items)) => Ok(items.clone()),
        None | Some(Value::Null) => Err(blank("payload")),
        Some(_) => Err(invalid("payload", "Payload must be an array of filters")),
    }
}
