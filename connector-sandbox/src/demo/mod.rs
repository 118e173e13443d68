//! The demo data ([`SeedData::Demo`](crate::SeedData::Demo)): API requests, kept as data in
//! `konverte.json` and `moco.json` (plus the generated weeks of MOCO activities), played
//! through a sandbox's own router before it accepts connections. So the records have exactly
//! the shapes, validation and ids that requests of a client would give them.

pub(crate) mod moco;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use serde::Deserialize;
use serde_json::Value;
use tower::ServiceExt;

/// One request of the demo data.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Step {
    pub(crate) method: String,
    /// The path from the server root, e.g. `/api/v1/accounts/1/contacts`.
    pub(crate) path: String,
    #[serde(default)]
    pub(crate) body: Value,
    /// MOCO: the user the request acts as (`X-IMPERSONATE-USER-ID`).
    #[serde(default)]
    pub(crate) user: Option<u64>,
}

/// Parses a JSON list of steps, e.g. `include_str!("konverte.json")`.
pub(crate) fn steps(json: &str) -> Vec<Step> {
    serde_json::from_str(json).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the sandbox demo data is malformed");
        Vec::new()
    })
}

/// The Konverte demo: agents, a team, a second inbox, labels, contacts and conversations.
pub(crate) fn konverte() -> Vec<Step> {
    steps(include_str!("konverte.json"))
}

/// Sends each step to `router` with the header `auth`; returns a line for each step that was
/// not answered with success (empty when all went in).
pub(crate) async fn play(router: Router, auth: (&str, &str), steps: &[Step]) -> Vec<String> {
    let mut failures = Vec::new();
    for step in steps {
        let mut request = Request::builder()
            .method(step.method.as_str())
            .uri(step.path.as_str())
            .header("host", "127.0.0.1")
            .header("content-type", "application/json")
            .header(auth.0, auth.1);
        if let Some(user) = step.user {
            request = request.header("x-impersonate-user-id", user.to_string());
        }
        let body = if step.body.is_null() {
            Body::empty()
        } else {
            Body::from(step.body.to_string())
        };
        let Ok(request) = request.body(body) else {
            failures.push(format!(
                "{} {}: not a valid request",
                step.method, step.path
            ));
            continue;
        };
        let response = match router.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        if !response.status().is_success() {
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
                .await
                .unwrap_or_default();
            failures.push(format!(
                "{} {}: {status} {}",
                step.method,
                step.path,
                String::from_utf8_lossy(&body)
            ));
        }
    }
    for failure in &failures {
        tracing::error!(%failure, "sandbox demo record rejected");
    }
    failures
}
