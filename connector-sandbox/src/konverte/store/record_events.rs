//! Contact and inbox events, as their models' callbacks raise them: `contact_created` /
//! `contact_updated` (app/models/contact.rb, `previous_changes`) and `inbox_created` /
//! `inbox_updated` (app/models/inbox.rb, sent when the server sets `ENABLE_INBOX_EVENTS`);
//! an update that changed nothing raises nothing (app/listeners/webhook_listener.rb).

use serde_json::Value;

use super::events::{Change, changed_attributes};
use super::{Store, get_u64};

/// The `contacts` columns an update may change, in the table's order (db/schema.rb).
const CONTACT_COLUMNS: &[&str] = &[
    "name",
    "email",
    "phone_number",
    "additional_attributes",
    "identifier",
    "custom_attributes",
    "last_activity_at",
    "contact_type",
    "middle_name",
    "last_name",
    "location",
    "country_code",
    "blocked",
    "company_id",
];

/// The `inboxes` columns an update may change (db/schema.rb).
const INBOX_COLUMNS: &[&str] = &[
    "name",
    "greeting_enabled",
    "greeting_message",
    "enable_auto_assignment",
    "working_hours_enabled",
    "out_of_office_message",
    "timezone",
    "enable_email_collect",
    "csat_survey_enabled",
    "csat_config",
    "allow_messages_after_resolved",
    "auto_assignment_config",
    "lock_to_single_conversation",
    "sender_name_type",
    "business_name",
];

impl Store {
    /// Raises `contact_created` about contact `id` with its `webhook_data`.
    pub(crate) fn raise_contact_created(&mut self, id: u64) {
        self.raise_contact("contact_created", id, None);
    }

    /// Raises `contact_updated` about contact `id` with what changed between `before` and
    /// the stored contact, as `dispatch_update_event` sends `previous_changes` and the
    /// listener skips an update that changed nothing. (`updated_at` is not kept by the
    /// sandbox and so not listed.)
    pub(crate) fn raise_contact_updated(&mut self, id: u64, before: &Value) {
        let Some(after) = self.contacts.get(&id) else {
            return;
        };
        let changes = column_changes(CONTACT_COLUMNS, before, after);
        if !changes.is_empty() {
            self.raise_contact("contact_updated", id, Some(changed_attributes(&changes)));
        }
    }

    /// Raises `inbox_created` with the inbox's `webhook_data` (a server with
    /// `ENABLE_INBOX_EVENTS` set: app/models/inbox.rb#dispatch_create_event).
    pub(crate) fn raise_inbox_created(&mut self, id: u64) {
        self.raise_inbox("inbox_created", id, None);
    }

    /// Raises `inbox_updated` with what changed among the inbox's own columns (the
    /// channel's, such as `webhook_url`, are another model's); nothing when none did.
    pub(crate) fn raise_inbox_updated(&mut self, id: u64, before: &Value) {
        let Some(after) = self.inboxes.get(&id) else {
            return;
        };
        let changes = column_changes(INBOX_COLUMNS, before, after);
        if !changes.is_empty() {
            self.raise_inbox("inbox_updated", id, Some(changed_attributes(&changes)));
        }
    }

    fn raise_inbox(&mut self, event: &'static str, id: u64, changed: Option<Value>) {
        let Value::Object(mut payload) = self.inbox_webhook_data(id) else {
            return;
        };
        let account = self
            .inboxes
            .get(&id)
            .and_then(|i| get_u64(i, "account_id"))
            .unwrap_or(0);
        if let Some(changed) = changed {
            payload.insert("changed_attributes".into(), changed);
        }
        self.raise(account, event, None, payload);
    }

    fn raise_contact(&mut self, event: &'static str, id: u64, changed: Option<Value>) {
        let mut payload = match self.contact_webhook_data(id) {
            Value::Object(map) => map,
            _ => return,
        };
        let account = payload
            .get("account")
            .and_then(|a| get_u64(a, "id"))
            .unwrap_or(0);
        if let Some(changed) = changed {
            payload.insert("changed_attributes".into(), changed);
        }
        self.raise(account, event, None, payload);
    }
}

/// The `columns` whose values differ between `before` and `after`, in the columns' order.
fn column_changes(columns: &[&'static str], before: &Value, after: &Value) -> Vec<Change> {
    columns
        .iter()
        .filter(|&&key| before.get(key) != after.get(key))
        .map(|&key| Change {
            attribute: key,
            previous: before.get(key).cloned().unwrap_or(Value::Null),
            current: after.get(key).cloned().unwrap_or(Value::Null),
        })
        .collect()
}
