//! Web hooks: enabling and disabling them, and signed deliveries of entity events.

use super::*;

/// A pending web hook delivery.
#[derive(Debug)]
pub(super) struct Delivery {
    url: String,
    secret: String,
    target: &'static str,
    event: &'static str,
    body: Arc<str>,
}

impl App {
    /// `account/web_hooks/{id}/disable|enable`.
    pub(super) fn toggle_web_hook(&self, id: &str, action: &str) -> Answer {
        let id = id_of(id, Res::WebHooks)?;
        let disabled = action == "disable";
        let mut store = self.write();
        let row = store
            .get(Res::WebHooks, id)
            .ok_or_else(|| not_found("Web hook"))?;
        let mut map = row.value();
        let was_disabled = map.get("disabled").and_then(Value::as_bool) == Some(true);
        if was_disabled != disabled {
            let now = unix_millis();
            map.insert("disabled".into(), json!(disabled));
            map.insert(
                "disabled_at".into(),
                if disabled {
                    json!(iso_from_millis(now))
                } else {
                    Value::Null
                },
            );
            map.insert("updated_at".into(), json!(iso_from_millis(now)));
            store
                .table_mut(Res::WebHooks)
                .put(id, make_row(Res::WebHooks, &map, now));
        }
        let raw = store
            .get(Res::WebHooks, id)
            .map(|r| r.raw.to_string())
            .unwrap_or_default();
        Ok(raw_json(StatusCode::OK, raw))
    }

    /// Web hooks subscribed to (`res`'s target, `event`).
    pub(super) fn hooks_for(
        &self,
        store: &MStore,
        res: Res,
        event: &'static str,
        raw: &Arc<str>,
    ) -> Vec<Delivery> {
        let Some(target) = res.target() else {
            return Vec::new();
        };
        store
            .table(Res::WebHooks)
            .rows()
            .filter(|(_, row)| row.idx.kind.as_deref() == Some(target))
            .filter_map(|(_, row)| {
                let hook = row.value();
                let enabled = hook.get("disabled").and_then(Value::as_bool) != Some(true);
                let matches = hook.get("event").and_then(Value::as_str) == Some(event);
                (enabled && matches).then(|| Delivery {
                    url: hook
                        .get("hook")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    secret: hook
                        .get("signature_key")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    target,
                    event,
                    body: raw.clone(),
                })
            })
            .collect()
    }

    /// Sends deliveries in spawned tasks (5 s timeout; failures are logged).
    pub(super) fn deliver(&self, deliveries: Vec<Delivery>, user: Option<u64>) {
        if deliveries.is_empty() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no Tokio runtime: MOCO web hook deliveries skipped");
            return;
        };
        for delivery in deliveries {
            let client = self.hooks.clone();
            let account_url = self.origin.clone();
            let user = user.map(|u| u.to_string()).unwrap_or_default();
            runtime.spawn(async move {
                let signature = crate::sign_moco(&delivery.secret, delivery.body.as_bytes());
                let result = client
                    .post(&delivery.url)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header("X-Moco-Target", delivery.target)
                    .header("X-Moco-Event", delivery.event)
                    .header("X-Moco-Timestamp", unix_millis().to_string())
                    .header("X-Moco-User-Id", user)
                    .header("X-Moco-Account-Url", account_url)
                    .header("X-Moco-Signature", signature)
                    .body(delivery.body.to_string())
                    .send()
                    .await;
                match result {
                    Ok(response) if response.status().is_success() => {
                        tracing::debug!(url = %delivery.url, "MOCO web hook delivered");
                    }
                    Ok(response) => tracing::warn!(
                        url = %delivery.url,
                        status = %response.status(),
                        "MOCO web hook receiver answered with an error"
                    ),
                    Err(err) => {
                        tracing::warn!(url = %delivery.url, error = %err, "MOCO web hook delivery failed");
                    }
                }
            });
        }
    }
}
