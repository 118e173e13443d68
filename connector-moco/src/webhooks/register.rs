//! Subscribing a URL to an event, without creating duplicates.

use crate::Moco;
use crate::models::WebHook;
use connector_core::{Error, decode};
use futures::TryStreamExt;

/// Makes sure MOCO delivers `event`s of `target` (e.g. `Activity`, `create`) to `url`,
/// and returns the web hook. A web hook whose target, event and URL all equal the given
/// ones is reused (and enabled again if it was disabled); otherwise one is created.
pub async fn ensure_webhook(
    moco: &Moco,
    target: &str,
    event: &str,
    url: &str,
) -> Result<WebHook, Error> {
    let hooks: Vec<WebHook> = moco.web_hooks().list().stream(None).try_collect().await?;
    let same = |hook: &&WebHook| {
        hook.target.as_ref().map(|t| t.as_str()) == Some(target)
            && hook.event.as_ref().map(|e| e.as_str()) == Some(event)
            && hook.hook.as_deref() == Some(url)
    };
    let Some(existing) = hooks.iter().find(same) else {
        return moco.web_hooks().create(target, event, url).send().await;
    };
    if existing.disabled != Some(true) {
        return Ok(existing.clone());
    }
    let id = existing.id.ok_or_else(|| Error::Decode {
        context: "web hook".into(),
        message: "the matching web hook has no numeric id".into(),
    })?;
    // What enabling answers is not documented: the hook when it is one, else the match,
    // enabled. The dynamic call reads any answer (the typed one wants an object).
    let enabled = moco
        .execute_json("web_hooks.enable", serde_json::json!({ "id": id }))
        .await?;
    if enabled.is_object() {
        return decode(enabled);
    }
    Ok(WebHook {
        disabled: Some(false),
        disabled_at: None,
        ..existing.clone()
    })
}
