//! Routes as data: every declared action of both APIs as a method, a path template, the kind of
//! handler that serves it when no hand-written handler does, its envelope and its paging.
//!
//! The tables restate the manifests on purpose (the sandbox depends on no connector crate); a
//! test outside this crate checks them against the registries.

pub mod konverte;
pub mod moco;

/// HTTP methods of the route tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum Method {
    GET,
    POST,
    PUT,
    PATCH,
    DELETE,
}

impl Method {
    /// The method's name, e.g. `GET`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::PATCH => "PATCH",
            Method::DELETE => "DELETE",
        }
    }
}

/// How the generic stateful tier serves a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    /// The records of the collection at the path, paged as declared.
    List,
    /// One record of the collection above the path.
    Get,
    /// A new record in the collection at the path.
    Create,
    /// Several new records (the body's list) in the collection above the path.
    BulkCreate,
    /// Merges the body into one record.
    Update,
    /// Removes one record and everything nested under it.
    Delete,
    /// A verb on a record (`.../{id}/archive`) or on a collection: merges the body into the
    /// record when there is one, else echoes it.
    Action,
    /// One document per path (settings, reports): `GET` reads it, `PUT`/`PATCH` merge into it.
    Document,
    /// A file: a small valid PDF (`.pdf` paths and MOCO) or a CSV export.
    File,
}

/// How a list pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// Everything in one answer.
    None,
    /// MOCO: `?page=N`, `X-Page`, `X-Per-Page`, `X-Total`, `Link: <...>; rel="next"`.
    LinkHeader,
    /// Konverte: `?page=N`; the total at the JSON pointer `total`, a more-flag at `has_more`.
    PageNumber {
        total: &'static str,
        has_more: &'static str,
    },
    /// Konverte messages: newest first by `?before=ID`, forward by `?after=ID`.
    Cursor,
}

/// One served route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    /// Path template as declared (MOCO: relative to `/api/v1`), with `{placeholders}`; a
    /// `?query` part is part of the declaration and ignored when matching.
    pub path: &'static str,
    pub handler: Handler,
    /// JSON pointer under which the record or list is answered (`""`: the whole body).
    pub envelope: &'static str,
    pub paging: Paging,
}

pub(crate) const fn route(
    method: Method,
    path: &'static str,
    handler: Handler,
    envelope: &'static str,
    paging: Paging,
) -> Route {
    Route {
        method,
        path,
        handler,
        envelope,
        paging,
    }
}

impl Route {
    /// The template without its query part.
    pub fn bare_path(&self) -> &'static str {
        self.path.split('?').next().unwrap_or(self.path)
    }

    /// `METHOD /template`, the key of the per-route counters.
    pub fn key(&self) -> String {
        format!("{} {}", self.method.as_str(), self.bare_path())
    }

    /// Matches `path` (already relative to the API root); the placeholder values in order, or
    /// `None`. The second value ranks matches: more literal characters win.
    fn matches(&self, path: &str) -> Option<(Vec<(&'static str, String)>, usize)> {
        let template: Vec<&'static str> = segments(self.bare_path()).collect();
        let actual: Vec<&str> = segments(path).collect();
        if template.len() != actual.len() {
            return None;
        }
        let mut params = Vec::new();
        let mut literal = 0;
        for (t, a) in template.iter().zip(&actual) {
            match (t.find('{'), t.find('}')) {
                (Some(open), Some(close)) if open < close => {
                    let (prefix, suffix) = (&t[..open], &t[close + 1..]);
                    let value = a.strip_prefix(prefix)?.strip_suffix(suffix)?;
                    if value.is_empty() {
                        return None;
                    }
                    literal += prefix.len() + suffix.len();
                    params.push((&t[open + 1..close], value.to_owned()));
                }
                _ if t == a => literal += t.len() + 1,
                _ => return None,
            }
        }
        Some((params, literal))
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// A route matched by a request, with its placeholder values.
#[derive(Debug, Clone)]
pub(crate) struct Matched {
    pub(crate) route: &'static Route,
    pub(crate) params: Vec<(&'static str, String)>,
}

/// The most specific route of `routes` for `method` and `path`.
pub(crate) fn find(routes: &'static [Route], method: &str, path: &str) -> Option<Matched> {
    routes
        .iter()
        .filter(|r| r.method.as_str() == method)
        .filter_map(|r| r.matches(path).map(|(params, rank)| (r, params, rank)))
        .max_by_key(|(_, _, rank)| *rank)
        .map(|(route, params, _)| Matched { route, params })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_literal_route_wins() {
        let m = find(moco::ROUTES, "GET", "/users/employments").map(|m| m.route.path);
        assert_eq!(m, Some("/users/employments"));
        let m = find(moco::ROUTES, "GET", "/invoices/7.pdf").map(|m| (m.route.path, m.params));
        assert_eq!(
            m,
            Some(("/invoices/{id}.pdf", vec![("id", "7".to_owned())]))
        );
        let m = find(moco::ROUTES, "GET", "/invoices/7").map(|m| m.route.path);
        assert_eq!(m, Some("/invoices/{id}"));
        assert!(find(moco::ROUTES, "GET", "/nothing/here").is_none());
    }
}
