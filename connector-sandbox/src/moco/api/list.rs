//! Lists: filters, `sort_by`, pages with `X-Page` / `X-Per-Page` / `X-Total` / `Link`.

use super::*;

impl App {
    pub(super) fn list(
        &self,
        res: Res,
        q: &Query,
        scope_project: Option<u64>,
        headers: &HeaderMap,
        path: &str,
    ) -> Answer {
        let filters = Filters::parse(res, q, scope_project)?;
        let sort = q.get("sort_by").map(|s| {
            let mut parts = s.split_whitespace();
            let field = parts.next().unwrap_or("id").to_owned();
            let descending = parts.next().is_some_and(|o| o.eq_ignore_ascii_case("desc"));
            (field, descending)
        });
        let page = q.page();
        let per_page = self.per_page;
        let start = (page - 1).saturating_mul(per_page);
        let (total, raws): (usize, Vec<Arc<str>>) = {
            let store = self.read();
            let table = store.table(res);
            if filters.is_empty(res) && sort.is_none() {
                let order = table.order();
                let raws = order
                    .iter()
                    .skip(start.min(order.len()))
                    .take(per_page)
                    .filter_map(|id| table.get(*id).map(|r| r.raw.clone()))
                    .collect();
                (order.len(), raws)
            } else {
                let mut matching: Vec<(u64, &Row)> = table
                    .rows()
                    .filter(|(id, row)| filters.matches(res, *id, row))
                    .collect();
                if let Some((field, descending)) = &sort {
                    match field.as_str() {
                        "id" => {}
                        "updated_at" => matching.sort_by_key(|(_, r)| r.idx.updated_ms),
                        "date" if res == Res::Activities => {
                            matching.sort_by_key(|(_, r)| r.idx.date)
                        }
                        _ => {
                            let mut keyed: Vec<(SortKey, u64, &Row)> = matching
                                .iter()
                                .map(|(id, row)| (sort_key(row, field), *id, *row))
                                .collect();
                            keyed.sort_by(|a, b| {
                                a.0.partial_cmp(&b.0)
                                    .unwrap_or(std::cmp::Ordering::Equal)
                                    .then(a.1.cmp(&b.1))
                            });
                            matching = keyed.into_iter().map(|(_, id, row)| (id, row)).collect();
                        }
                    }
                    if *descending {
                        matching.reverse();
                    }
                }
                let raws = matching
                    .iter()
                    .skip(start.min(matching.len()))
                    .take(per_page)
                    .map(|(_, r)| r.raw.clone())
                    .collect();
                (matching.len(), raws)
            }
        };
        let mut response = raw_json(StatusCode::OK, join_array(&raws));
        let h = response.headers_mut();
        for (name, value) in [
            ("x-page", page.to_string()),
            ("x-per-page", per_page.to_string()),
            ("x-total", total.to_string()),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                h.insert(name, value);
            }
        }
        if start.saturating_add(per_page) < total {
            let link = format!(
                "<{}>; rel=\"next\"",
                self.page_url(headers, path, q, page + 1)
            );
            if let Ok(value) = HeaderValue::from_str(&link) {
                h.insert(header::LINK, value);
            }
        }
        Ok(response)
    }

    /// The full URL of `page` of the current list, keeping the other query parameters.
    pub(super) fn request_origin(&self, headers: &HeaderMap) -> String {
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty())
            .map(|h| format!("http://{h}"))
            .unwrap_or_else(|| self.origin.clone())
    }

    fn page_url(&self, headers: &HeaderMap, path: &str, q: &Query, page: usize) -> String {
        let origin = self.request_origin(headers);
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in q.pairs() {
            if key != "page" {
                serializer.append_pair(key, value);
            }
        }
        serializer.append_pair("page", &page.to_string());
        format!("{origin}{path}?{}", serializer.finish())
    }
}
