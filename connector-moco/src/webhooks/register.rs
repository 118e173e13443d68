//! Subscribing a URL to an event, without creating duplicates.

use crate::Moco;
use connector_core::Error;
use futures::TryStreamExt;
use serde_json::Value;

/// Makes sure MOCO delivers `event`s of `target` (e.g. `Activity`, `create`) to `url`,
/// and returns the web hook. A web hook whose target, event and URL all equal the given
/// ones is reused (and enabled again if it was disabled); otherwise one is created.
pub async fn ensure_webhook(
    moco: &Moco,
    target: &str,
    event: &str,
    url: &str,
) -> Result<Value, Error> {
    let hooks: Vec<Value> = moco.web_hooks().list().stream(None).try_collect().await?;
    let same = |hook: &&Value| {
        let field = |name: &str| hook.get(name).and_then(Value::as_str);
        field("target") == Some(target)
            && field("event") == Some(event)
            && field("hook") == Some(url)
    };
    let Some(existing) = hooks.iter().find(same) else {
        return moco.web_hooks().create(target, event, url).send().await;
    };
    if existing.get("disabled").and_then(Value::as_bool) != Some(true) {
        return Ok(existing.clone());
    }
    let id = existing
        .get("id")
        .and_then(Value::as_i64)
        .ok_or_else(|| Error::Decode {
            context: "web hook".into(),
            message: "the matching web hook has no numeric id".into(),
        })?;
    let enabled = moco.web_hooks().enable(id).send().await?;
    if enabled.is_object() {
        return Ok(enabled);
    }
    let mut hook = existing.clone();
    hook["disabled"] = Value::Bool(false);
    hook["disabled_at"] = Value::Null;
    Ok(hook)
}
