//! Webhook deliveries, as Chatwoot makes them. Checked against the Chatwoot source:
//! `app/listeners/webhook_listener.rb` (account webhooks and API-channel inboxes, which events
//! go where), `app/listeners/agent_bot_listener.rb` (agent bots: the conversation's assigned
//! bot and the inbox's bot, their events),
//! `app/jobs/webhook_job.rb` and `app/jobs/agent_bots/webhook_job.rb` (only agent-bot jobs are
//! retried: `retry_on RetryableError, wait: 3.seconds, attempts: 3`), `lib/webhooks/trigger.rb`
//! (headers, signature, which answers are retryable: 429 and 500 from an agent bot),
//! `app/models/agent_bot.rb` (`outgoing_url`, `secret`), `app/models/channel/api.rb`
//! (`webhook_url`, `secret`) and `app/models/concerns/webhook_secretable.rb`.
//!
//! Every delivery is a POST of the event payload with `Content-Type` and `Accept:
//! application/json` and an `X-Chatwoot-Delivery` id; with a secret it also carries
//! `X-Chatwoot-Timestamp` and `X-Chatwoot-Signature: sha256=` + hex HMAC-SHA256 of
//! `"{timestamp}.{body}"` keyed with the receiver's secret (the account webhook's, the API
//! inbox channel's or the agent bot's).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::store::{Kind, Raised, Store, get_str, get_u64};
use crate::http::{random_uuid, unix_now};
use crate::server::lock;

/// Attempts of an agent-bot delivery answered 429 or 500 (`attempts: 3`).
const BOT_ATTEMPTS: u32 = 3;
/// Pause between agent-bot attempts (`wait: 3.seconds`).
const BOT_RETRY_WAIT: Duration = Duration::from_secs(3);

/// The event a successful request raises, from its route (`METHOD /template`), for messages.
/// Conversation, contact and inbox events are raised by the handlers as the model callbacks
/// raise them (store/events.rs).
pub(crate) fn event_of(route: &str) -> Option<&'static str> {
    Some(match route {
        "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages"
        | "POST /public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations/{conversation_id}/messages" => {
            "message_created"
        }
        "PATCH /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}" => {
            "message_updated"
        }
        _ => return None,
    })
}

/// Who receives a delivery; each kind has its own secret and retry rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookReceiver {
    /// An account webhook (`/webhooks`), sent once.
    Account,
    /// An API-channel inbox's `webhook_url`, sent once.
    ApiInbox,
    /// An agent bot's `outgoing_url`, retried on 429 and 500.
    AgentBot,
}

/// One delivery the sandbox made, for tests: where, what, how often, and the last answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// The receiver's URL.
    pub url: String,
    /// The event name (`message_created`, ...).
    pub event: String,
    /// What kind of receiver it was.
    pub receiver: WebhookReceiver,
    /// Requests sent (more than one only for a retried agent-bot delivery).
    pub attempts: u32,
    /// The last answer's status; `None` when no answer came (connection failed, timeout).
    pub status: Option<u16>,
}

/// The deliveries made so far, shared by the app and the sending tasks.
pub(crate) type DeliveryLog = Arc<Mutex<Vec<WebhookDelivery>>>;

/// One signed delivery, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) url: String,
    pub(crate) event: String,
    pub(crate) receiver: WebhookReceiver,
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

/// A delivery of `body` to `url`, signed when `secret` is not empty (`request_headers`).
fn signed(
    url: &str,
    secret: &str,
    event: &str,
    receiver: WebhookReceiver,
    body: String,
) -> Delivery {
    let timestamp = unix_now();
    let mut headers = vec![("X-Chatwoot-Delivery", random_uuid())];
    if !secret.is_empty() {
        headers.push(("X-Chatwoot-Timestamp", timestamp.to_string()));
        headers.push(("X-Chatwoot-Signature", sign(secret, timestamp, &body)));
    }
    Delivery {
        url: url.to_owned(),
        event: event.to_owned(),
        receiver,
        body,
        headers,
    }
}

/// Events `webhook_listener.rb` sends to the inbox's API channel as well as to the account's
/// webhooks (`deliver_webhook_payloads`); the others go to the account's webhooks only.
fn inbox_event(event: &str) -> bool {
    matches!(
        event,
        "message_created"
            | "message_updated"
            | "conversation_created"
            | "conversation_status_changed"
            | "conversation_updated"
            | "conversation_typing_on"
            | "conversation_typing_off"
            | "webwidget_triggered"
    )
}

/// Events `agent_bot_listener.rb` has a method for (no `conversation_created`, no typing).
fn bot_event(event: &str) -> bool {
    matches!(
        event,
        "message_created"
            | "message_updated"
            | "conversation_opened"
            | "conversation_resolved"
            | "conversation_status_changed"
            | "conversation_updated"
            | "webwidget_triggered"
    )
}

/// `agent_bots_for(inbox, conversation)`: the agent bot the conversation is assigned to, then
/// the inbox's bot, each once.
fn agent_bots_for<'s>(st: &'s Store, conversation: &Value) -> Vec<&'s Value> {
    let assigned = get_u64(conversation, "assignee_agent_bot_id");
    let inbox = get_u64(conversation, "inbox_id").and_then(|i| st.inbox_bots.get(&i).copied());
    let mut ids: Vec<u64> = assigned.into_iter().chain(inbox).collect();
    ids.dedup();
    ids.into_iter().filter_map(|id| st.agent_bot(id)).collect()
}

/// The deliveries of `raised`: the account's webhooks subscribed to it, and for an event
/// about a conversation its inbox's API channel `webhook_url` and its agent bots'
/// `outgoing_url`s, each signed with its receiver's secret.
pub(crate) fn deliveries(st: &Store, raised: &Raised) -> Vec<Delivery> {
    let mut payload = raised.payload.clone();
    payload.insert("event".into(), json!(raised.event));
    let body = Value::Object(payload).to_string();
    let event = raised.event;
    let mut out: Vec<Delivery> = st
        .records_ref(Kind::Webhook)
        .filter(|hook| get_u64(hook, "account_id") == Some(raised.account))
        .filter(|hook| {
            hook.get("subscriptions")
                .and_then(Value::as_array)
                .is_some_and(|s| s.iter().any(|e| e.as_str() == Some(event)))
        })
        .map(|hook| {
            let (url, secret) = (get_str(hook, "url"), get_str(hook, "secret"));
            signed(url, secret, event, WebhookReceiver::Account, body.clone())
        })
        .collect();
    let Some(conversation) = raised.conversation.and_then(|c| st.conversations.get(&c)) else {
        return out;
    };
    let inbox = get_u64(conversation, "inbox_id").and_then(|i| st.inboxes.get(&i));
    if let Some(inbox) = inbox
        && inbox_event(event)
        && get_str(inbox, "channel_type") == "Channel::Api"
        && !get_str(inbox, "webhook_url").is_empty()
    {
        let (url, secret) = (get_str(inbox, "webhook_url"), get_str(inbox, "secret"));
        out.push(signed(
            url,
            secret,
            event,
            WebhookReceiver::ApiInbox,
            body.clone(),
        ));
    }
    if bot_event(event) {
        for bot in agent_bots_for(st, conversation) {
            // process_webhook_bot_event: a bot without an outgoing_url gets nothing.
            if get_str(bot, "outgoing_url").is_empty() {
                continue;
            }
            let (url, secret) = (get_str(bot, "outgoing_url"), get_str(bot, "secret"));
            out.push(signed(
                url,
                secret,
                event,
                WebhookReceiver::AgentBot,
                body.clone(),
            ));
        }
    }
    out
}

/// Whether Chatwoot tries an answer again: 429 and 500 from an agent bot
/// (`retryable_agent_bot_error?`); a connection error or any other status is final.
fn retryable(receiver: WebhookReceiver, status: Option<u16>) -> bool {
    receiver == WebhookReceiver::AgentBot && matches!(status, Some(429 | 500))
}

/// Sends one delivery, repeating it as Chatwoot does, and returns (attempts, last status).
async fn send_one(client: &reqwest::Client, delivery: &Delivery) -> (u32, Option<u16>) {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let mut request = client
            .post(&delivery.url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .body(delivery.body.clone());
        for (name, value) in &delivery.headers {
            request = request.header(*name, value);
        }
        let status = match request.send().await {
            Ok(r) => Some(r.status().as_u16()),
            Err(err) => {
                tracing::warn!(url = %delivery.url, error = %err, "Konverte webhook delivery failed");
                None
            }
        };
        if !retryable(delivery.receiver, status) || attempts >= BOT_ATTEMPTS {
            return (attempts, status);
        }
        tokio::time::sleep(BOT_RETRY_WAIT).await;
    }
}

/// Sends each delivery in a spawned task (5 s timeout) and records its outcome in `log`.
pub(crate) fn send(client: &reqwest::Client, deliveries: Vec<Delivery>, log: &DeliveryLog) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    for delivery in deliveries {
        let (client, log) = (client.clone(), log.clone());
        runtime.spawn(async move {
            let (attempts, status) = send_one(&client, &delivery).await;
            match status {
                Some(s) if (200..300).contains(&s) => tracing::debug!(url = %delivery.url, "Konverte webhook delivered"),
                Some(s) => tracing::warn!(url = %delivery.url, status = s, "Konverte webhook receiver answered with an error"),
                None => {}
            }
            lock(&log).push(WebhookDelivery {
                url: delivery.url,
                event: delivery.event,
                receiver: delivery.receiver,
                attempts,
                status,
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{WebhookReceiver, deliveries, retryable, sign};
    use crate::konverte::store::{Kind, Raised, Store};
    use serde_json::{Map, json};

    /// Account 1 with an API inbox 1 (webhook_url set), its bot 5 and bot 6 assigned to
    /// conversation 7, an account webhook for every event.
    fn store() -> Store {
        let mut st = Store::new(true);
        let inbox = st.inboxes.get_mut(&1).expect("inbox 1");
        inbox["webhook_url"] = json!("http://inbox.test/hook");
        for (id, url) in [
            (5, "http://inbox-bot.test/"),
            (6, "http://assigned-bot.test/"),
        ] {
            st.records(Kind::AccountBot).insert(
                id,
                json!({"id": id, "account_id": 1, "outgoing_url": url, "secret": "s"}),
            );
        }
        st.inbox_bots.insert(1, 5);
        st.records(Kind::Webhook).insert(
            1,
            json!({"id": 1, "account_id": 1, "url": "http://account.test/",
                   "subscriptions": crate::konverte::records::WEBHOOK_EVENTS}),
        );
        st.conversations.insert(
            7,
            json!({"id": 7, "account_id": 1, "inbox_id": 1, "assignee_agent_bot_id": 6}),
        );
        st
    }

    fn receivers(st: &Store, event: &'static str) -> Vec<String> {
        let raised = Raised {
            account: 1,
            event,
            conversation: Some(7),
            payload: Map::new(),
        };
        deliveries(st, &raised).into_iter().map(|d| d.url).collect()
    }

    #[test]
    fn each_event_goes_where_the_listeners_send_it() {
        let st = store();
        let all = [
            "http://account.test/",
            "http://inbox.test/hook",
            "http://assigned-bot.test/",
            "http://inbox-bot.test/",
        ];
        for event in [
            "conversation_updated",
            "conversation_status_changed",
            "message_created",
        ] {
            assert_eq!(receivers(&st, event), all, "{event}");
        }
        // webhook_listener.rb only: no agent bot hears typing or a created conversation.
        for event in ["conversation_typing_on", "conversation_created"] {
            assert_eq!(receivers(&st, event), all[..2], "{event}");
        }
        // agent_bot_listener.rb only: conversation_resolved is no webhook event.
        assert_eq!(receivers(&st, "conversation_resolved"), all[2..]);
    }

    #[test]
    fn a_bot_assigned_and_set_on_the_inbox_gets_one_delivery() {
        let mut st = store();
        st.conversations.get_mut(&7).expect("conversation")["assignee_agent_bot_id"] = json!(5);
        assert_eq!(
            receivers(&st, "conversation_updated"),
            [
                "http://account.test/",
                "http://inbox.test/hook",
                "http://inbox-bot.test/"
            ]
        );
    }

    #[test]
    fn signs_timestamp_dot_body() {
        let signature = sign("key", 1, "{}");
        assert!(signature.starts_with("sha256="));
        assert_eq!(signature.len(), 7 + 64);
        assert_ne!(signature, sign("key", 2, "{}"));
        assert_ne!(signature, sign("other", 1, "{}"));
    }

    #[test]
    fn only_agent_bots_are_retried_and_only_on_429_and_500() {
        assert!(retryable(WebhookReceiver::AgentBot, Some(429)));
        assert!(retryable(WebhookReceiver::AgentBot, Some(500)));
        for status in [None, Some(200), Some(401), Some(502), Some(503)] {
            assert!(!retryable(WebhookReceiver::AgentBot, status), "{status:?}");
        }
        for receiver in [WebhookReceiver::Account, WebhookReceiver::ApiInbox] {
            assert!(!retryable(receiver, Some(500)));
        }
    }
}
