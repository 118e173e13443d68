//! Subscribing a URL to account events, without creating duplicates.

use crate::Konverte;
use crate::models::Webhook;
use connector_core::{Connector, Error, RequestOptions};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// What [`ensure_webhook`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Ensured {
    /// A webhook with this URL and exactly these subscriptions was there already.
    Reused(Webhook),
    /// A webhook had this URL with other subscriptions; they were replaced (a URL is
    /// unique in an account, `app/models/webhook.rb`, so a second one cannot be made).
    Updated(Webhook),
    /// There was none with this URL.
    Created(Webhook),
}

impl Ensured {
    pub fn webhook(&self) -> &Webhook {
        match self {
            Ensured::Reused(w) | Ensured::Updated(w) | Ensured::Created(w) => w,
        }
    }

    /// `reused`, `updated` or `created`.
    pub fn change(&self) -> &'static str {
        match self {
            Ensured::Reused(_) => "reused",
            Ensured::Updated(_) => "updated",
            Ensured::Created(_) => "created",
        }
    }
}

fn wanted(subscriptions: &[String]) -> BTreeSet<&str> {
    subscriptions.iter().map(String::as_str).collect()
}

fn subscribed(hook: &Webhook) -> BTreeSet<&str> {
    hook.subscriptions
        .iter()
        .flatten()
        .map(crate::enums::WebhookEvent::as_str)
        .collect()
}

/// The account's webhook with this URL, if any.
async fn find(
    client: &Konverte,
    account_id: i64,
    url: &str,
    options: &dyn RequestOptions,
) -> Result<Option<Webhook>, Error> {
    let hooks = client
        .webhooks()
        .list(account_id)
        .send_with(options)
        .await?;
    Ok(hooks.into_iter().find(|h| h.url.as_deref() == Some(url)))
}

/// Makes sure the account delivers `subscriptions` (event names such as
/// `message_created`) to `url`, and returns the webhook, whose `secret` signs the
/// deliveries. The order of `subscriptions` does not matter.
pub async fn ensure_webhook(
    client: &Konverte,
    account_id: i64,
    url: &str,
    subscriptions: &[String],
    options: &dyn RequestOptions,
) -> Result<Ensured, Error> {
    let wanted = wanted(subscriptions);
    match find(client, account_id, url, options).await? {
        Some(hook) if subscribed(&hook) == wanted => Ok(Ensured::Reused(hook)),
        Some(hook) => {
            let id = hook.id.ok_or_else(|| Error::Decode {
                context: "webhook".into(),
                message: "the webhook with this URL has no numeric id".into(),
            })?;
            let updated = client
                .webhooks()
                .update(account_id, id)
                .subscriptions(wanted.iter().copied())
                .send_with(options)
                .await?;
            Ok(Ensured::Updated(updated))
        }
        None => client
            .webhooks()
            .create(account_id, url, wanted.iter().copied())
            .send_with(options)
            .await
            .map(Ensured::Created),
    }
}

/// What [`ensure_webhook`] would do, sending no change (a dry run): looks the webhooks up
/// and answers `{"change": "none"|"update"|"create", "webhook": <the match>, "request":
/// <what would be sent, described>}`. The match's secret is masked.
pub async fn planned_change(
    client: &Konverte,
    account_id: i64,
    url: &str,
    subscriptions: &[String],
    options: &dyn RequestOptions,
) -> Result<Value, Error> {
    let wanted: Vec<&str> = wanted(subscriptions).into_iter().collect();
    let existing = find(client, account_id, url, options).await?;
    let shown = |hook: &Webhook| {
        let mut value = serde_json::to_value(hook).unwrap_or(Value::Null);
        if let Some(secret) = value.get_mut("secret") {
            *secret = Value::String(connector_core::MASK.into());
        }
        value
    };
    let mut input = Map::new();
    input.insert("account_id".into(), Value::from(account_id));
    input.insert("subscriptions".into(), json!(wanted));
    let (change, id) = match &existing {
        Some(hook) if subscribed(hook).into_iter().collect::<Vec<_>>() == wanted => {
            return Ok(json!({"change": "none", "webhook": shown(hook)}));
        }
        Some(hook) => {
            input.insert("webhook_id".into(), json!(hook.id));
            ("update", "webhooks.update")
        }
        None => {
            input.insert("url".into(), Value::from(url));
            ("create", "webhooks.create")
        }
    };
    let request = client.describe(&client.prepare(id, &input)?, options)?;
    let mut plan = json!({"change": change, "request": request});
    if let Some(hook) = &existing {
        plan["webhook"] = shown(hook);
    }
    Ok(plan)
}
