//! Plain account-scoped (and platform) records sharing one CRUD implementation: agent bots,
//! teams, canned responses, custom attributes, custom filters, webhooks, automation rules,
//! integration hooks and help-center portals, categories and articles. What each kind
//! accepts is in [`build`](build::build); the field helpers are in `fields`.

mod build;
mod fields;

use serde_json::{Map, Value, json};

pub(crate) use build::build;

use super::store::{Input, Kind, Store, get_u64, merge, not_found};
use crate::http::Fail;
/// Integration apps the sandbox knows: id, name, description, hook type, multiple hooks.
pub(crate) const APPS: &[(&str, &str, &str, &str, bool)] = &[
    (
        "webhook",
        "Webhooks",
        "Send events to an HTTP endpoint",
        "account",
        true,
    ),
    (
        "dashboard_apps",
        "Dashboard Apps",
        "Embed an application in the conversation view",
        "account",
        true,
    ),
    (
        "slack",
        "Slack",
        "Connect conversations to a Slack channel",
        "account",
        false,
    ),
    (
        "dialogflow",
        "Dialogflow",
        "Let a Dialogflow agent answer an inbox",
        "inbox",
        true,
    ),
    (
        "google_translate",
        "Google Translate",
        "Translate messages",
        "account",
        false,
    ),
    (
        "openai",
        "OpenAI",
        "Reply suggestions and summaries",
        "account",
        false,
    ),
];

/// `Message.message_types` (app/models/message.rb); another value is a 422.
pub const MESSAGE_TYPES: &[&str] = &["incoming", "outgoing", "activity", "template"];

/// `Message.content_types`; another value is the builder's error, a 422.
pub const CONTENT_TYPES: &[&str] = &[
    "text",
    "input_text",
    "input_textarea",
    "input_email",
    "input_select",
    "cards",
    "form",
    "article",
    "incoming_email",
    "input_csat",
    "integrations",
    "sticker",
    "voice_call",
];

pub const WEBHOOK_EVENTS: &[&str] = &[
    "conversation_created",
    "conversation_status_changed",
    "conversation_updated",
    "conversation_typing_on",
    "conversation_typing_off",
    "contact_created",
    "contact_updated",
    "inbox_created",
    "inbox_updated",
    "message_created",
    "message_updated",
    "webwidget_triggered",
];

pub const AUTOMATION_EVENTS: &[&str] = &[
    "conversation_created",
    "conversation_updated",
    "message_created",
    "conversation_opened",
    "conversation_resolved",
];

/// Creates a record of `kind`; `extra` fields (e.g. `portal_id`) are set as given.
pub(crate) fn create(
    store: &mut Store,
    kind: Kind,
    account: Option<u64>,
    body: &Map<String, Value>,
    extra: Map<String, Value>,
) -> Result<Value, Fail> {
    let fields = build(store, kind, account, Input::new(body, true), None)?;
    let id = store.next_kind_id(kind);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut record = json!({"id": id});
    if matches!(kind, Kind::PlatformBot) {
        merge(
            &mut record,
            super::store::json_map(json!({"account_id": null})),
        );
    } else if let Some(account) = account {
        merge(
            &mut record,
            super::store::json_map(json!({"account_id": account})),
        );
    }
    merge(&mut record, fields);
    merge(&mut record, extra);
    merge(
        &mut record,
        super::store::json_map(json!({"created_at": now, "updated_at": now})),
    );
    store.records(kind).insert(id, record.clone());
    Ok(record)
}

/// The record `id` of `kind` if it belongs to `account` (`None`: platform records).
pub(crate) fn find(
    store: &Store,
    kind: Kind,
    account: Option<u64>,
    id: u64,
) -> Result<&Value, Fail> {
    store
        .record(kind, id)
        .filter(|r| get_u64(r, "account_id") == account)
        .ok_or_else(|| not_found(kind.label()))
}

pub(crate) fn update(
    store: &mut Store,
    kind: Kind,
    account: Option<u64>,
    id: u64,
    body: &Map<String, Value>,
) -> Result<Value, Fail> {
    let existing = find(store, kind, account, id)?.clone();
    let mut fields = build(
        store,
        kind,
        account,
        Input::new(body, false),
        Some(&existing),
    )?;
    fields.insert(
        "updated_at".to_owned(),
        json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    );
    let record = store
        .records(kind)
        .get_mut(&id)
        .ok_or_else(|| not_found(kind.label()))?;
    merge(record, fields);
    Ok(record.clone())
}

pub(crate) fn delete(
    store: &mut Store,
    kind: Kind,
    account: Option<u64>,
    id: u64,
) -> Result<Value, Fail> {
    find(store, kind, account, id)?;
    store
        .records(kind)
        .remove(&id)
        .ok_or_else(|| not_found(kind.label()))
}
