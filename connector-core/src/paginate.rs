//! Lists as streams: one page in memory at a time, items handed out one by one.

use crate::action::{ActionSpec, Pagination};
use crate::error::Error;
use crate::options::RequestOptions;
use crate::pipeline::HttpConnector;
use crate::request::PreparedRequest;
use futures::stream::{self, BoxStream, StreamExt};
use serde_json::{Map, Value};
use std::collections::HashSet;
use url::Url;

enum Cursor {
    First,
    Page(u64),
    Next(Url),
    /// Message-id cursors: the parameter to set and its value.
    Id(&'static str, i64),
    Done,
}

struct State<'a> {
    connector: &'a HttpConnector,
    action: &'static ActionSpec,
    input: Map<String, Value>,
    options: &'a dyn RequestOptions,
    first: Option<PreparedRequest>,
    cursor: Cursor,
    left: Option<usize>,
    seen: u64,
    previous: Option<Vec<Value>>,
    /// Link targets already fetched: a server that links back is not followed in circles.
    visited: HashSet<String>,
}

/// Streams every item of a list action, page after page, stopping after `limit`
/// items without fetching a page more than needed. For an action without
/// pagination, streams the items of its one response (or the response itself).
pub fn stream<'a>(
    connector: &'a HttpConnector,
    action: &'static ActionSpec,
    input: Map<String, Value>,
    options: &'a dyn RequestOptions,
    limit: Option<usize>,
) -> BoxStream<'a, Result<Value, Error>> {
    let state = State {
        connector,
        action,
        input,
        options,
        first: None,
        cursor: Cursor::First,
        left: limit,
        seen: 0,
        previous: None,
        visited: HashSet::new(),
    };
    stream::unfold(state, next_page)
        .flat_map(|page: Vec<Result<Value, Error>>| stream::iter(page))
        .boxed()
}

async fn next_page(mut st: State<'_>) -> Option<(Vec<Result<Value, Error>>, State<'_>)> {
    if st.left == Some(0) {
        return None;
    }
    let response = match std::mem::replace(&mut st.cursor, Cursor::Done) {
        Cursor::Done => return None,
        Cursor::First => {
            let start = match st.action.pagination {
                Pagination::PageNumber { param, .. } => match st.input.get(param) {
                    // `null` or `""` leaves the page unset, as for any optional query field.
                    Some(v) if !v.is_null() && v.as_str() != Some("") => {
                        match crate::validate::integer(param, v) {
                            Ok(n) if n >= 1 => n as u64,
                            Ok(_) => return fail(st, Error::validation(param, "pages start at 1")),
                            Err(e) => return fail(st, e),
                        }
                    }
                    _ => 1,
                },
                _ => 1,
            };
            match prepare(&st, &with_page(&st, start)) {
                Err(e) => return fail(st, e),
                Ok(first) => {
                    let r = st.connector.send_prepared(&first, st.options).await;
                    st.first = Some(first);
                    st.cursor = Cursor::Page(start);
                    r
                }
            }
        }
        Cursor::Page(n) => match prepare(&st, &with_page(&st, n)) {
            Err(e) => return fail(st, e),
            Ok(req) => {
                st.cursor = Cursor::Page(n);
                st.connector.send_prepared(&req, st.options).await
            }
        },
        Cursor::Id(param, id) => {
            let mut input = st.input.clone();
            input.insert(param.to_owned(), Value::from(id));
            match prepare(&st, &input) {
                Err(e) => return fail(st, e),
                Ok(req) => {
                    st.cursor = Cursor::Id(param, id);
                    st.connector.send_prepared(&req, st.options).await
                }
            }
        }
        Cursor::Next(url) => {
            let first = st.first.clone()?;
            st.connector.follow(&first, url, st.options).await
        }
    };
    let response = match response {
        Ok(r) => r,
        Err(e) => return fail(st, e),
    };
    let body = match response.json() {
        Ok(v) => v,
        Err(e) => return fail(st, e),
    };
    let page = match split_page(st.action, body) {
        Ok(x) => x,
        Err(e) => return fail(st, e),
    };

    let mut items = page.items;
    st.cursor = match (st.action.pagination, &st.cursor) {
        (Pagination::PageNumber { .. }, Cursor::Page(n)) => {
            if st.previous.is_none() {
                // Started at page n: the pages before it held as many items as this one.
                st.seen = (n - 1) * items.len() as u64;
            }
            let repeated = st
                .previous
                .as_ref()
                .is_some_and(|p| p == &items || same_first_id(p, &items));
            let short = st.previous.as_ref().is_some_and(|p| items.len() < p.len());
            let reached = page
                .total
                .is_some_and(|t| st.seen + items.len() as u64 >= t);
            if repeated {
                // The server ignores the page number: this page was already handed out.
                items.clear();
            }
            if items.is_empty() || repeated || short || reached || page.has_more == Some(false) {
                Cursor::Done
            } else {
                Cursor::Page(n + 1)
            }
        }
        (Pagination::LinkHeader, _) => {
            match response
                .header("link")
                .map(|h| next_link(h, &response_url(&st)))
            {
                Some(Err(e)) => {
                    // What came is handed out, then the list ends with the reason it is cut.
                    let mut out: Vec<Result<Value, Error>> = take(&mut st, items);
                    out.push(Err(e));
                    st.cursor = Cursor::Done;
                    return Some((out, st));
                }
                Some(Ok(Some(url)))
                    if st.visited.insert(url.to_string()) && !last_page(&response) =>
                {
                    Cursor::Next(url)
                }
                _ => Cursor::Done,
            }
        }
        (Pagination::Cursor { before, after, id }, current) => {
            let forward = match current {
                Cursor::Id(param, _) => *param == after,
                _ => !after.is_empty() && st.input.get(after).is_some_and(|v| !v.is_null()),
            };
            let ids = items
                .iter()
                .filter_map(|item| item.pointer(id).and_then(Value::as_i64));
            let next = if forward { ids.max() } else { ids.min() };
            let moved = match (current, next) {
                (_, None) => false,
                (Cursor::Id(_, last), Some(n)) => {
                    if forward {
                        n > *last
                    } else {
                        n < *last
                    }
                }
                _ => true,
            };
            match next {
                Some(n) if moved => Cursor::Id(if forward { after } else { before }, n),
                _ => Cursor::Done,
            }
        }
        _ => Cursor::Done,
    };
    if matches!(st.action.pagination, Pagination::PageNumber { .. }) {
        st.previous = Some(items.clone());
    }
    let out = take(&mut st, items);
    Some((out, st))
}

/// Hands out at most what the limit leaves, counting what was seen.
fn take(st: &mut State<'_>, items: Vec<Value>) -> Vec<Result<Value, Error>> {
    st.seen += items.len() as u64;
    let take = st.left.map_or(items.len(), |l| l.min(items.len()));
    if let Some(l) = st.left.as_mut() {
        *l -= take;
    }
    items.into_iter().take(take).map(Ok).collect()
}

fn response_url(st: &State<'_>) -> Url {
    st.first
        .as_ref()
        .map_or_else(|| st.connector.base_url().clone(), |f| f.url.clone())
}

fn prepare(st: &State<'_>, input: &Map<String, Value>) -> Result<PreparedRequest, Error> {
    st.connector
        .prepare_action(st.action, input, st.options.lenient())
}

fn with_page(st: &State<'_>, page: u64) -> Map<String, Value> {
    let mut input = st.input.clone();
    if let Pagination::PageNumber { param, .. } = st.action.pagination {
        input.insert(param.to_owned(), Value::from(page));
    }
    input
}

fn fail(mut st: State<'_>, e: Error) -> Option<(Vec<Result<Value, Error>>, State<'_>)> {
    st.cursor = Cursor::Done;
    Some((vec![Err(e)], st))
}

/// One page: its items and what the API says about the rest.
struct Page {
    items: Vec<Value>,
    total: Option<u64>,
    has_more: Option<bool>,
}

/// The items of one page (at the action's envelope) and, where the API reports them, the
/// total count and whether more pages follow.
fn split_page(action: &ActionSpec, body: Value) -> Result<Page, Error> {
    let at = |pointer: &str| {
        (!pointer.is_empty())
            .then(|| body.pointer(pointer))
            .flatten()
    };
    let (total, has_more) = match action.pagination {
        Pagination::PageNumber {
            total, has_more, ..
        } => (
            at(total).and_then(Value::as_u64),
            at(has_more).and_then(Value::as_bool),
        ),
        _ => (None, None),
    };
    let items = crate::response::unwrap_envelope(action, body)?;
    let items = match (items, action.pagination) {
        (Value::Array(v), _) => v,
        (Value::Null, p) if p.is_paged() => Vec::new(),
        (other, Pagination::None) => vec![other],
        // A body without the list is not an empty page: say so instead of stopping.
        _ => {
            return Err(Error::Decode {
                context: if action.envelope.is_empty() {
                    "response body".into()
                } else {
                    action.envelope.to_owned()
                },
                message: "expected a list of items".into(),
            });
        }
    };
    Ok(Page {
        items,
        total,
        has_more,
    })
}

/// Two pages that start with the same record are the same page (a server that ignores
/// the page number, with fields such as timestamps that change between requests).
fn same_first_id(a: &[Value], b: &[Value]) -> bool {
    match (
        a.first().and_then(|v| v.get("id")),
        b.first().and_then(|v| v.get("id")),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// `X-Page * X-Per-Page >= X-Total`: this was the last page, whatever `Link` says.
fn last_page(response: &crate::response::Response) -> bool {
    let number = |name: &str| {
        response
            .header(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    match (number("x-page"), number("x-per-page"), number("x-total")) {
        (Some(page), Some(per), Some(total)) => page.saturating_mul(per) >= total,
        _ => false,
    }
}

/// The `rel="next"` target of a `Link` header, resolved against the request URL: `None`
/// when there is no next page, an error when there is one that cannot be followed (not a
/// URL, not http(s)), so a cut list is never reported as complete.
pub fn next_link(header: &str, base: &Url) -> Result<Option<Url>, Error> {
    let unusable = |why: String| Error::Decode {
        context: "Link header".into(),
        message: format!("the next page cannot be fetched: {why}; the list is incomplete"),
    };
    let links = match parse_link_header::parse_with_rel(header) {
        Ok(links) => links,
        Err(_) if header.contains("rel=\"next\"") || header.contains("rel=next") => {
            return Err(unusable("the header is malformed".into()));
        }
        Err(_) => return Ok(None),
    };
    let Some(next) = links.get("next") else {
        return Ok(None);
    };
    let url = base
        .join(&next.raw_uri)
        .map_err(|e| unusable(format!("{e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(unusable(format!("it is a {}: URL", url.scheme())));
    }
    Ok(Some(url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn next_link_is_found_among_others() {
        let base = Url::parse("https://x.mocoapp.com/api/v1/projects").unwrap();
        let h = r#"<https://x.mocoapp.com/api/v1/projects?page=1>; rel="prev", <https://x.mocoapp.com/api/v1/projects?page=3>; rel="next""#;
        assert_eq!(
            next_link(h, &base).unwrap().unwrap().as_str(),
            "https://x.mocoapp.com/api/v1/projects?page=3"
        );
        assert_eq!(
            next_link(r#"</api/v1/projects?page=2>; rel="next""#, &base)
                .unwrap()
                .unwrap()
                .as_str(),
            "https://x.mocoapp.com/api/v1/projects?page=2"
        );
        assert!(
            next_link(r#"<https://x/p?page=1>; rel="prev""#, &base)
                .unwrap()
                .is_none()
        );
        assert!(next_link("garbage", &base).unwrap().is_none());
        for bad in [
            r#"<file:///etc/passwd>; rel="next""#,
            r#"<http://[::1>; rel="next""#,
        ] {
            assert!(next_link(bad, &base).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn link_parsing_never_panics(h in ".{0,200}") {
            let base = Url::parse("https://x.test/a").unwrap();
            let _ = next_link(&h, &base);
        }

        #[test]
        fn a_well_formed_next_link_is_always_found(page in 1u32..100_000, prev: bool) {
            let base = Url::parse("https://x.test/api/v1/activities").unwrap();
            let mut h = format!("<https://x.test/api/v1/activities?page={page}>; rel=\"next\"");
            if prev { h = format!("<https://x.test/api/v1/activities?page=1>; rel=\"prev\", {h}"); }
            let url = next_link(&h, &base).unwrap().unwrap();
            let page_text = page.to_string();
            prop_assert_eq!(url.query_pairs().find(|(k, _)| k == "page").map(|(_, v)| v.into_owned()), Some(page_text));
        }
    }

    #[test]
    fn pages_split_at_their_envelope() {
        static PAGED: ActionSpec = ActionSpec {
            pagination: Pagination::PageNumber {
                param: "page",
                total: "/meta/count",
                has_more: "/meta/has_more",
            },
            envelope: "/payload",
            ..ActionSpec::new("contacts.list", crate::Method::Get, "/contacts")
        };
        let page = split_page(
            &PAGED,
            serde_json::json!({"meta": {"count": 31, "has_more": true}, "payload": [1, 2]}),
        )
        .unwrap();
        assert_eq!(
            (page.items.len(), page.total, page.has_more),
            (2, Some(31), Some(true))
        );
        assert!(split_page(&PAGED, serde_json::json!({"payload": 5})).is_err());
        assert!(split_page(&PAGED, serde_json::json!({"data": {"payload": []}})).is_err());
        static LINKED: ActionSpec = ActionSpec {
            pagination: Pagination::LinkHeader,
            ..ActionSpec::new("items.list", crate::Method::Get, "/items")
        };
        assert!(split_page(&LINKED, serde_json::json!({"a": 1})).is_err());
    }
}
