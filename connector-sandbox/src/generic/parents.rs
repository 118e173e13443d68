//! Parents of nested routes: a record created or listed under a parent that does not exist
//! is refused with 404, as the servers' `find` on the parent does.

use axum::http::StatusCode;

use super::{Call, Generic, find_id};
use crate::http::Fail;
use crate::server::lock;

/// The parents of a nested route's path: each `{placeholder}` segment with more segments after
/// it, as (collection path, id segment).
pub(super) fn parents<'p>(template: &str, path: &'p str) -> Vec<(String, &'p str)> {
    let template: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let actual: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let last = template.len().saturating_sub(1);
    template
        .iter()
        .zip(&actual)
        .enumerate()
        .filter(|(i, (t, _))| *i < last && t.starts_with('{') && t.ends_with('}'))
        .map(|(i, (_, a))| (format!("/{}", actual[..i].join("/")), *a))
        .collect()
}

impl Generic {
    /// A 404 when a parent of the path does not exist (Rails' `find` on the parent raises
    /// RecordNotFound; a non-numeric id finds nothing either). A parent the hand-written tier
    /// does not keep must be a record of this tier.
    pub(super) fn check_parents(&self, call: &Call<'_>) -> Result<(), Fail> {
        for (collection, segment) in parents(call.matched.route.bare_path(), call.path) {
            let exists = (call.owner)(&collection, segment).unwrap_or_else(|| {
                lock(&self.records)
                    .collections
                    .get(&collection)
                    .is_some_and(|c| find_id(c, segment).is_some())
            });
            if !exists {
                return Err(self
                    .style
                    .error(StatusCode::NOT_FOUND, "Resource not found"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::parents;

    #[test]
    fn parents_are_the_placeholders_before_the_last_segment() {
        assert_eq!(
            parents(
                "/projects/{project_id}/contracts/{id}",
                "/projects/4/contracts/9"
            ),
            vec![("/projects".to_owned(), "4")]
        );
        assert_eq!(
            parents("/invoices/{id}/send_email", "/invoices/x/send_email"),
            vec![("/invoices".to_owned(), "x")]
        );
        assert!(parents("/invoices/{id}.pdf", "/invoices/3.pdf").is_empty());
        assert!(parents("/units", "/units").is_empty());
    }
}
