//! Typed models of the common Konverte resources.
//!
//! They are lenient on purpose, because installations run different versions of the
//! API: every field is an `Option`, a field whose JSON type differs from the expected
//! one (an id sent as text, a flag sent as `0`) is read as well as it can be or left
//! `None` instead of failing the whole answer, and fields a model does not name are
//! kept in `extra`, so nothing the server sent is lost.
//!
//! ```
//! use connector_konverte::models::User;
//!
//! let user: User = serde_json::from_value(serde_json::json!({
//!     "id": "7", "name": "Ada", "confirmed": true, "pubsub_token": "x"
//! })).unwrap();
//! assert_eq!(user.id, Some(7));
//! assert_eq!(user.extra["pubsub_token"], "x");
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Field readers that never fail: a value of an unexpected shape reads as `None`.
mod lenient {
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer};
    use serde_json::{Map, Value};

    fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
        Option::<Value>::deserialize(d)
    }

    /// A whole number, also from numeric text or an integral float.
    pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Ok(raw(d)?.and_then(|v| match v {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }))
    }

    /// Text; numbers and booleans are turned into their text.
    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(raw(d)?.and_then(|v| match v {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }))
    }

    /// A flag, also from `"true"`/`"false"` and `1`/`0`.
    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        Ok(raw(d)?.and_then(|v| match v {
            Value::Bool(b) => Some(b),
            Value::Number(n) => n.as_i64().map(|i| i != 0),
            Value::String(s) => match s.as_str() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        }))
    }

    /// A JSON object.
    pub fn object<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Map<String, Value>>, D::Error> {
        Ok(raw(d)?.and_then(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        }))
    }

    /// Any JSON but `null`.
    pub fn json<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
        raw(d)
    }

    /// A nested model.
    pub fn model<'de, D: Deserializer<'de>, T: DeserializeOwned>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        Ok(raw(d)?.and_then(|v| serde_json::from_value(v).ok()))
    }

    /// A list; elements of an unexpected shape are left out.
    pub fn list<'de, D: Deserializer<'de>, T: DeserializeOwned>(
        d: D,
    ) -> Result<Option<Vec<T>>, D::Error> {
        Ok(raw(d)?.and_then(|v| match v {
            Value::Array(items) => Some(
                items
                    .into_iter()
                    .filter_map(|i| serde_json::from_value(i).ok())
                    .collect(),
            ),
            _ => None,
        }))
    }
}

/// Declares a lenient model: every field optional, read with a [`lenient`] reader,
/// left out when serialized as `None`; unknown fields kept in `extra`.
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $reader:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(default, deserialize_with = $reader, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Every field the server sent that this model does not name.
            #[serde(flatten)]
            pub extra: Map<String, Value>,
        }
    };
}

model! {
    /// A user: a platform user, or the owner of the token (`profile.get`).
    pub struct User {
        id: i64 = "lenient::int",
        uid: String = "lenient::text",
        name: String = "lenient::text",
        available_name: String = "lenient::text",
        display_name: String = "lenient::text",
        email: String = "lenient::text",
        account_id: i64 = "lenient::int",
        /// `agent` or `administrator`.
        role: String = "lenient::text",
        confirmed: bool = "lenient::flag",
        custom_attributes: Map<String, Value> = "lenient::object",
        /// The accounts the user belongs to, with the role in each.
        accounts: Vec<Account> = "lenient::list",
    }
}

model! {
    /// An account (a tenant of the installation).
    pub struct Account {
        id: i64 = "lenient::int",
        name: String = "lenient::text",
        /// The user's role in the account, where the account is listed under a user.
        role: String = "lenient::text",
    }
}

model! {
    /// A contact: a person or organisation that talks to the team.
    pub struct Contact {
        id: i64 = "lenient::int",
        name: String = "lenient::text",
        email: String = "lenient::text",
        phone_number: String = "lenient::text",
        identifier: String = "lenient::text",
        thumbnail: String = "lenient::text",
        availability_status: String = "lenient::text",
        additional_attributes: Map<String, Value> = "lenient::object",
        custom_attributes: Map<String, Value> = "lenient::object",
        contact_inboxes: Vec<ContactInbox> = "lenient::list",
        created_at: Value = "lenient::json",
        last_activity_at: Value = "lenient::json",
    }
}

model! {
    /// A contact's presence in one inbox, with the source id conversations start from.
    pub struct ContactInbox {
        source_id: String = "lenient::text",
        inbox: Inbox = "lenient::model",
    }
}

model! {
    /// A conversation (its `id` is the number shown in the dashboard).
    pub struct Conversation {
        id: i64 = "lenient::int",
        account_id: i64 = "lenient::int",
        inbox_id: i64 = "lenient::int",
        /// `open`, `resolved`, `pending` or `snoozed`.
        status: String = "lenient::text",
        priority: String = "lenient::text",
        timestamp: Value = "lenient::json",
        contact_last_seen_at: Value = "lenient::json",
        agent_last_seen_at: Value = "lenient::json",
        unread_count: i64 = "lenient::int",
        labels: Vec<String> = "lenient::list",
        messages: Vec<Message> = "lenient::list",
        additional_attributes: Map<String, Value> = "lenient::object",
        custom_attributes: Map<String, Value> = "lenient::object",
        /// Sender, assignee and team, as the server describes them.
        meta: Value = "lenient::json",
    }
}

model! {
    /// A message in a conversation.
    pub struct Message {
        id: i64 = "lenient::int",
        content: String = "lenient::text",
        content_type: String = "lenient::text",
        content_attributes: Value = "lenient::json",
        /// A name (`incoming`, `outgoing`, ...) or its number, depending on the endpoint.
        message_type: Value = "lenient::json",
        created_at: Value = "lenient::json",
        private: bool = "lenient::flag",
        conversation_id: i64 = "lenient::int",
        inbox_id: i64 = "lenient::int",
        account_id: i64 = "lenient::int",
        attachment: Value = "lenient::json",
        attachments: Vec<Value> = "lenient::list",
        sender: Value = "lenient::json",
    }
}

model! {
    /// A team of agents.
    pub struct Team {
        id: i64 = "lenient::int",
        name: String = "lenient::text",
        description: String = "lenient::text",
        allow_auto_assign: bool = "lenient::flag",
        account_id: i64 = "lenient::int",
        /// Whether the token's user is in the team.
        is_member: bool = "lenient::flag",
    }
}

model! {
    /// An inbox: one channel (website widget, e-mail, API, ...) of an account.
    pub struct Inbox {
        id: i64 = "lenient::int",
        name: String = "lenient::text",
        channel_type: String = "lenient::text",
        website_url: String = "lenient::text",
        avatar_url: String = "lenient::text",
        widget_color: String = "lenient::text",
        website_token: String = "lenient::text",
        enable_auto_assignment: bool = "lenient::flag",
        web_widget_script: String = "lenient::text",
        welcome_title: String = "lenient::text",
        welcome_tagline: String = "lenient::text",
        greeting_enabled: bool = "lenient::flag",
        greeting_message: String = "lenient::text",
    }
}

model! {
    /// An agent bot: an automated participant that receives events at a URL.
    pub struct AgentBot {
        id: i64 = "lenient::int",
        name: String = "lenient::text",
        description: String = "lenient::text",
        /// Set for bots that belong to one account.
        account_id: i64 = "lenient::int",
        outgoing_url: String = "lenient::text",
    }
}

model! {
    /// An agent: a user as a member of one account.
    pub struct Agent {
        id: i64 = "lenient::int",
        uid: String = "lenient::text",
        name: String = "lenient::text",
        available_name: String = "lenient::text",
        display_name: String = "lenient::text",
        email: String = "lenient::text",
        account_id: i64 = "lenient::int",
        role: String = "lenient::text",
        confirmed: bool = "lenient::flag",
        /// `available`, `busy` or `offline`.
        availability_status: String = "lenient::text",
        auto_offline: bool = "lenient::flag",
        thumbnail: String = "lenient::text",
        custom_attributes: Map<String, Value> = "lenient::object",
    }
}

model! {
    /// A webhook: account events posted to a URL.
    pub struct Webhook {
        id: i64 = "lenient::int",
        url: String = "lenient::text",
        subscriptions: Vec<String> = "lenient::list",
        account_id: i64 = "lenient::int",
    }
}

model! {
    /// A canned response: a saved reply behind a short code.
    pub struct CannedResponse {
        id: i64 = "lenient::int",
        content: String = "lenient::text",
        short_code: String = "lenient::text",
        account_id: i64 = "lenient::int",
    }
}

model! {
    /// A custom attribute definition for conversations or contacts.
    pub struct CustomAttribute {
        id: i64 = "lenient::int",
        attribute_display_name: String = "lenient::text",
        /// A name (`text`, `list`, ...) or its number, depending on the endpoint.
        attribute_display_type: Value = "lenient::json",
        attribute_description: String = "lenient::text",
        attribute_key: String = "lenient::text",
        attribute_values: Value = "lenient::json",
        default_value: Value = "lenient::json",
        /// `conversation_attribute` / `contact_attribute`, or their numbers.
        attribute_model: Value = "lenient::json",
        account_id: i64 = "lenient::int",
    }
}

model! {
    /// A saved filter.
    pub struct CustomFilter {
        id: i64 = "lenient::int",
        name: String = "lenient::text",
        /// `conversation`, `contact` or `report`.
        r#type: String = "lenient::text",
        query: Map<String, Value> = "lenient::object",
        created_at: String = "lenient::text",
        updated_at: String = "lenient::text",
    }
}

model! {
    /// An automation rule: actions run when an event matches conditions.
    pub struct AutomationRule {
        id: i64 = "lenient::int",
        account_id: i64 = "lenient::int",
        name: String = "lenient::text",
        description: String = "lenient::text",
        /// `conversation_created`, `conversation_updated`, `message_created`, ...
        event_name: String = "lenient::text",
        active: bool = "lenient::flag",
        actions: Vec<Value> = "lenient::list",
        conditions: Vec<Value> = "lenient::list",
    }
}

model! {
    /// A help center portal.
    pub struct Portal {
        id: i64 = "lenient::int",
        name: String = "lenient::text",
        slug: String = "lenient::text",
        archived: bool = "lenient::flag",
        color: String = "lenient::text",
        config: Map<String, Value> = "lenient::object",
        custom_domain: String = "lenient::text",
        header_text: String = "lenient::text",
        homepage_link: String = "lenient::text",
        page_title: String = "lenient::text",
        account_id: i64 = "lenient::int",
        categories: Vec<Value> = "lenient::list",
        articles: Vec<Value> = "lenient::list",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let v = json!({"id": 3, "name": "Support", "is_member": true, "new_field": {"a": [1]}});
        let team: Team = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(team.name.as_deref(), Some("Support"));
        assert_eq!(team.extra["new_field"], json!({"a": [1]}));
        assert_eq!(serde_json::to_value(&team).unwrap(), v);
    }

    #[test]
    fn odd_types_do_not_fail_the_decode() {
        let v = json!({
            "id": "12", "confirmed": "1", "name": 42, "account_id": 5.0,
            "custom_attributes": [1, 2], "accounts": [{"id": 1, "name": "A"}, 7]
        });
        let user: User = serde_json::from_value(v).unwrap();
        assert_eq!(user.id, Some(12));
        assert_eq!(user.confirmed, Some(true));
        assert_eq!(user.name.as_deref(), Some("42"));
        assert_eq!(user.account_id, Some(5));
        assert_eq!(user.custom_attributes, None);
        assert_eq!(user.accounts.unwrap().len(), 1);
    }

    #[test]
    fn nulls_and_missing_fields_are_none() {
        let c: Conversation = serde_json::from_value(json!({"id": null, "meta": null})).unwrap();
        assert_eq!(c, Conversation::default());
        let f: CustomFilter = serde_json::from_value(json!({"type": "contact"})).unwrap();
        assert_eq!(f.r#type.as_deref(), Some("contact"));
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            json!({"type": "contact"})
        );
    }

    #[test]
    fn nested_models_read_leniently() {
        let v = json!({"id": 1, "contact_inboxes": [{"source_id": "s1", "inbox": {"id": "4", "name": "Web"}}]});
        let c: Contact = serde_json::from_value(v).unwrap();
        let ci = &c.contact_inboxes.unwrap()[0];
        assert_eq!(ci.source_id.as_deref(), Some("s1"));
        assert_eq!(ci.inbox.as_ref().unwrap().id, Some(4));
    }
}
