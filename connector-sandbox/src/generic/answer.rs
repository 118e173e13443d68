//! How each API renders answers of the generic tier: errors, envelopes, pages.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::Call;
use crate::http::{Fail, empty, json};
use crate::routes::{Paging, Route};

/// Konverte pages of numbered lists hold this many records unless [`konverte_page`] says
/// otherwise (RESULTS_PER_PAGE of app/controllers/api/v1/accounts/contacts_controller.rb).
const KONVERTE_PAGE: usize = 15;

/// Records per page of the Konverte list at `path`, by the collection's name.
fn konverte_page(path: &str) -> usize {
    match path.rsplit('/').next().unwrap_or_default() {
        // RESULTS_PER_PAGE: enterprise/app/controllers/api/v1/accounts/companies_controller.rb
        "companies" => 25,
        // `.page(...)` with Kaminari's default of 25: articles_controller.rb
        "articles" => 25,
        // Limits::CATEGORIES_PER_PAGE: app/models/category.rb, lib/limits.rb
        "categories" => 1000,
        _ => KONVERTE_PAGE,
    }
}
/// Konverte message cursors answer this many messages.
const CURSOR_PAGE: usize = 20;

/// The API whose conventions an answer follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// MOCO, with its page size and, per collection, the fields its list leaves out.
    Moco {
        per_page: usize,
        list_omits: &'static [(&'static str, &'static [&'static str])],
    },
    Konverte,
}

impl Style {
    pub(crate) fn error(self, status: StatusCode, message: &str) -> Fail {
        match self {
            Style::Moco { .. } => Fail::new(status, json!({"message": message})),
            Style::Konverte => Fail::new(status, json!({"error": message})),
        }
    }

    pub(crate) fn deleted(self) -> Response {
        match self {
            Style::Moco { .. } => empty(StatusCode::NO_CONTENT),
            Style::Konverte => empty(StatusCode::OK),
        }
    }

    /// One record (or a created list) under the route's envelope.
    pub(crate) fn record(self, route: &Route, record: Value) -> Response {
        json(StatusCode::OK, &wrap(route.envelope, record))
    }

    /// A list, paged in the API's style.
    pub(crate) fn list(self, route: &Route, items: Vec<Value>, call: &Call<'_>) -> Response {
        let total = items.len();
        let page = call.query.page();
        match (self, route.paging) {
            (Style::Moco { per_page, .. }, Paging::LinkHeader) => {
                let start = (page - 1).saturating_mul(per_page);
                let slice: Vec<Value> = items.into_iter().skip(start).take(per_page).collect();
                let mut response = json(StatusCode::OK, &Value::Array(slice));
                let headers = response.headers_mut();
                for (name, value) in [
                    ("x-page", page.to_string()),
                    ("x-per-page", per_page.to_string()),
                    ("x-total", total.to_string()),
                ] {
                    if let Ok(value) = HeaderValue::from_str(&value) {
                        headers.insert(name, value);
                    }
                }
                if start.saturating_add(per_page) < total {
                    let link = format!("<{}>; rel=\"next\"", next_page(call, page + 1));
                    if let Ok(value) = HeaderValue::from_str(&link) {
                        headers.insert(header::LINK, value);
                    }
                }
                response
            }
            (
                _,
                Paging::PageNumber {
                    total: total_at,
                    has_more,
                },
            ) => {
                let per_page = konverte_page(call.path);
                let start = (page - 1).saturating_mul(per_page);
                let slice: Vec<Value> = items.into_iter().skip(start).take(per_page).collect();
                let mut body = wrap(route.envelope, Value::Array(slice));
                if route.envelope.is_empty() {
                    // A bare array (csat_survey_responses/index.json.jbuilder) has no meta.
                    return json(StatusCode::OK, &body);
                }
                let meta_at = meta_pointer(route.envelope, total_at, has_more);
                set(&mut body, &format!("{meta_at}/current_page"), json!(page));
                if !total_at.is_empty() {
                    set(&mut body, total_at, json!(total));
                } else {
                    set(&mut body, &format!("{meta_at}/count"), json!(total));
                }
                if !has_more.is_empty() {
                    set(&mut body, has_more, json!(start + per_page < total));
                }
                json(StatusCode::OK, &body)
            }
            (_, Paging::Cursor) => {
                let id_of = |v: &Value| v.get("id").and_then(Value::as_u64).unwrap_or(0);
                let before = call.query.get("before").and_then(|b| b.parse::<u64>().ok());
                let after = call.query.get("after").and_then(|a| a.parse::<u64>().ok());
                let page: Vec<Value> = if let Some(after) = after {
                    items
                        .into_iter()
                        .filter(|m| id_of(m) > after)
                        .take(100)
                        .collect()
                } else {
                    let older: Vec<Value> = items
                        .into_iter()
                        .filter(|m| before.is_none_or(|b| id_of(m) < b))
                        .collect();
                    let skip = older.len().saturating_sub(CURSOR_PAGE);
                    older.into_iter().skip(skip).collect()
                };
                let mut body = wrap(route.envelope, Value::Array(page));
                if route.envelope.starts_with("/payload") {
                    set(&mut body, "/meta", json!({}));
                }
                json(StatusCode::OK, &body)
            }
            _ => json(StatusCode::OK, &wrap(route.envelope, Value::Array(items))),
        }
    }
}

/// Where a page's `meta` goes: beside the payload (`/data/payload` → `/data/meta`).
fn meta_pointer(envelope: &str, total: &str, has_more: &str) -> String {
    let declared = if total.is_empty() { has_more } else { total };
    if let Some((meta, _)) = declared.rsplit_once('/').filter(|(m, _)| !m.is_empty()) {
        return meta.to_owned();
    }
    match envelope.rsplit_once('/') {
        Some((outer, _)) => format!("{outer}/meta"),
        None => "/meta".to_owned(),
    }
}

fn next_page(call: &Call<'_>, page: usize) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in call.query.pairs() {
        if key != "page" {
            query.append_pair(key, value);
        }
    }
    query.append_pair("page", &page.to_string());
    format!("{}{}?{}", call.base, call.path, query.finish())
}

/// `value` placed at the JSON pointer `envelope` (`""`: the value itself).
pub(crate) fn wrap(envelope: &str, value: Value) -> Value {
    let mut body = Value::Null;
    set(&mut body, envelope, value);
    body
}

/// Sets the JSON pointer `pointer` in `target`, creating objects on the way.
fn set(target: &mut Value, pointer: &str, value: Value) {
    let mut current = target;
    for part in pointer.split('/').filter(|p| !p.is_empty()) {
        if !current.is_object() {
            *current = json!({});
        }
        current = match current {
            Value::Object(map) => map.entry(part.to_owned()).or_insert(Value::Null),
            _ => return,
        };
    }
    *current = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_and_meta_go_where_declared() {
        assert_eq!(
            wrap("/data/payload", json!([])),
            json!({"data": {"payload": []}})
        );
        assert_eq!(wrap("", json!(1)), json!(1));
        assert_eq!(
            meta_pointer("/data/payload", "/data/meta/count", ""),
            "/data/meta"
        );
        assert_eq!(meta_pointer("/payload", "", ""), "/meta");
        assert_eq!(meta_pointer("/payload", "", "/meta/has_more"), "/meta");
        assert_eq!(meta_pointer("/audit_logs", "/total_entries", ""), "/meta");
    }
}
