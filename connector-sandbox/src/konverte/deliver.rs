//! Account webhook deliveries, signed as Chatwoot signs them (`lib/webhooks/trigger.rb`):
//! `X-Chatwoot-Signature: sha256=` + hex HMAC-SHA256 keyed with the webhook's `secret` over
//! `"{X-Chatwoot-Timestamp}.{body}"`, and an `X-Chatwoot-Delivery` id. Like the server, an
//! account webhook is sent once: Chatwoot retries only agent-bot webhooks.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::store::{Kind, Store, get_str, get_u64};
use crate::http::{random_uuid, unix_now};

/// The event a successful request raises, from its route (`METHOD /template`).
pub(crate) fn event_of(route: &str) -> Option<&'static str> {
    Some(match route {
        "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages" => {
            "message_created"
        }
        "PATCH /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}" => {
            "message_updated"
        }
        "POST /api/v1/accounts/{account_id}/conversations" => "conversation_created",
        "POST /api/v1/accounts/{account_id}/contacts" => "contact_created",
        "PUT /api/v1/accounts/{account_id}/contacts/{contact_id}" => "contact_updated",
        "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status" => {
            "conversation_status_changed"
        }
        "POST /api/v1/accounts/{account_id}/inboxes" => "inbox_created",
        "PATCH /api/v1/accounts/{account_id}/inboxes/{inbox_id}" => "inbox_updated",
        _ => return None,
    })
}

/// One signed delivery, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) url: String,
    pub(crate) body: String,
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// `sha256=` + hex HMAC-SHA256 of `"{timestamp}.{body}"` keyed with `secret`.
pub(crate) fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The deliveries of `event` about `record` to the account's webhooks subscribed to it.
pub(crate) fn deliveries(st: &Store, account: u64, event: &str, record: &Value) -> Vec<Delivery> {
    let mut payload = match record {
        Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    payload.insert("event".into(), json!(event));
    if let Some(acc) = st.accounts.get(&account) {
        payload.insert(
            "account".into(),
            json!({"id": account, "name": acc.get("name")}),
        );
    }
    let body = Value::Object(payload).to_string();
    st.records_ref(Kind::Webhook)
        .filter(|hook| get_u64(hook, "account_id") == Some(account))
        .filter(|hook| {
            hook.get("subscriptions")
                .and_then(Value::as_array)
                .is_some_and(|s| s.iter().any(|e| e.as_str() == Some(event)))
        })
        .map(|hook| {
            let timestamp = unix_now();
            let secret = get_str(hook, "secret");
            let mut headers = vec![("X-Chatwoot-Delivery", random_uuid())];
            if !secret.is_empty() {
                headers.push(("X-Chatwoot-Timestamp", timestamp.to_string()));
                headers.push(("X-Chatwoot-Signature", sign(secret, timestamp, &body)));
            }
            Delivery {
                url: get_str(hook, "url").to_owned(),
                body: body.clone(),
                headers,
            }
        })
        .collect()
}

/// Sends each delivery once in a spawned task (5 s timeout; failures are logged).
pub(crate) fn send(client: &reqwest::Client, deliveries: Vec<Delivery>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    for delivery in deliveries {
        let client = client.clone();
        runtime.spawn(async move {
            let mut request = client
                .post(&delivery.url)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .body(delivery.body);
            for (name, value) in delivery.headers {
                request = request.header(name, value);
            }
            match request.send().await {
                Ok(r) if r.status().is_success() => tracing::debug!(url = %delivery.url, "Konverte webhook delivered"),
                Ok(r) => tracing::warn!(url = %delivery.url, status = %r.status(), "Konverte webhook receiver answered with an error"),
                Err(err) => tracing::warn!(url = %delivery.url, error = %err, "Konverte webhook delivery failed"),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::sign;

    #[test]
    fn signs_timestamp_dot_body() {
        let signature = sign("key", 1, "{}");
        assert!(signature.starts_with("sha256="));
        assert_eq!(signature.len(), 7 + 64);
        assert_ne!(signature, sign("key", 2, "{}"));
        assert_ne!(signature, sign("other", 1, "{}"));
    }
}
