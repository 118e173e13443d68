//! The public client API (`/public/api/v1/inboxes/{inbox_identifier}/...`): the inbox, its
//! contacts by `source_id`, their conversations and messages.

use super::contacts::{contact_fields, update_contact};
use super::conversations::new_conversation;
use super::csat_survey::update_survey;
use super::*;
use crate::konverte::store::ContactInbox;

/// The inbox a public request names by its `inbox_identifier`.
struct PublicInbox {
    record: Value,
    id: u64,
    account: u64,
}

impl PublicInbox {
    fn find(st: &Store, identifier: &str) -> Result<Self, Fail> {
        let record = st
            .inboxes
            .values()
            .find(|i| get_str(i, "inbox_identifier") == identifier)
            .cloned()
            .ok_or_else(|| not_found("Inbox"))?;
        Ok(Self {
            id: get_u64(&record, "id").unwrap_or(0),
            account: get_u64(&record, "account_id").unwrap_or(0),
            record,
        })
    }

    /// The contact inbox of `source` in this inbox.
    fn contact_inbox(&self, st: &Store, source: &str) -> Result<ContactInbox, Fail> {
        st.contact_inboxes
            .iter()
            .find(|ci| ci.inbox_id == self.id && ci.source_id == source)
            .cloned()
            .ok_or_else(|| not_found("Contact"))
    }

    /// A conversation of the contact in this inbox.
    fn conversation(&self, st: &Store, ci: &ContactInbox, conv: &str) -> Result<u64, Fail> {
        seg_id(conv)
            .filter(|cv| {
                st.conversations.get(cv).is_some_and(|cv| {
                    get_u64(cv, "contact_id") == Some(ci.contact_id)
                        && get_u64(cv, "inbox_id") == Some(self.id)
                })
            })
            .ok_or_else(|| not_found("Conversation"))
    }

    fn view(&self, identifier: &str) -> Value {
        let inbox = &self.record;
        json!({
            "identifier": identifier,
            "name": inbox.get("name"),
            "timezone": inbox.get("timezone").cloned().unwrap_or(json!("UTC")),
            "working_hours": (0..7).map(|day| json!({
                "day_of_week": day,
                "open_all_day": false,
                "closed_all_day": day == 0 || day == 6,
                "open_hour": if day == 0 || day == 6 { Value::Null } else { json!(9) },
                "open_minutes": if day == 0 || day == 6 { Value::Null } else { json!(0) },
                "close_hour": if day == 0 || day == 6 { Value::Null } else { json!(17) },
                "close_minutes": if day == 0 || day == 6 { Value::Null } else { json!(0) },
            })).collect::<Vec<_>>(),
            "working_hours_enabled": inbox.get("working_hours_enabled"),
            "csat_survey_enabled": inbox.get("csat_survey_enabled"),
            "greeting_enabled": inbox.get("greeting_enabled"),
            "identity_validation_enabled": false,
        })
    }
}

fn public_contact(st: &Store, ci: &ContactInbox) -> Value {
    let contact = st.contacts.get(&ci.contact_id);
    json!({
        "id": ci.contact_id,
        "source_id": ci.source_id,
        "name": contact.and_then(|c| c.get("name")),
        "email": contact.and_then(|c| c.get("email")),
        "phone_number": contact.and_then(|c| c.get("phone_number")),
        "identifier": contact.and_then(|c| c.get("identifier")),
        "custom_attributes": contact.and_then(|c| c.get("custom_attributes")),
        "pubsub_token": ci.pubsub_token,
    })
}

impl App {
    pub(super) fn public(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        identifier: &str,
        rest: &[&str],
    ) -> Answer {
        let inbox = PublicInbox::find(st, identifier)?;
        match rest {
            [] if c.m() == "GET" => ok(&inbox.view(identifier)),
            ["contacts"] | ["contacts", _] => self.public_contacts(st, c, &inbox, rest),
            ["contacts", _, "conversations"] => self.public_conversations(st, c, &inbox, rest),
            ["contacts", _, "conversations", _, "messages", ..] => {
                self.public_messages(st, c, &inbox, rest)
            }
            _ => Err(route_not_found()),
        }
    }

    fn public_contacts(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        inbox: &PublicInbox,
        rest: &[&str],
    ) -> Answer {
        let (inbox_id, account) = (inbox.id, inbox.account);
        match (c.m(), rest) {
            ("POST", ["contacts"]) => {
                let body = c.body()?;
                let input = Input::new(&body, false);
                let fields = contact_fields(st, account, &input, None)?;
                let id = st.next_id("contact");
                let mut contact = json!({
                    "id": id,
                    "account_id": account,
                    "name": "",
                    "email": null,
                    "phone_number": null,
                    "identifier": null,
                    "thumbnail": "",
                    "additional_attributes": {},
                    "custom_attributes": {},
                    "availability_status": "offline",
                    "blocked": false,
                    "created_at": unix_now(),
                    "last_activity_at": null,
                });
                merge(&mut contact, fields);
                st.put_contact(id, contact);
                st.raise_contact_created(id);
                let ci = st.ensure_contact_inbox(id, inbox_id, None);
                self.counters.created();
                ok(&public_contact(st, &ci))
            }
            ("GET", ["contacts", source]) => {
                let ci = inbox.contact_inbox(st, source)?;
                ok(&public_contact(st, &ci))
            }
            ("PATCH" | "PUT", ["contacts", source]) => {
                let ci = inbox.contact_inbox(st, source)?;
                let body = c.body()?;
                update_contact(st, account, ci.contact_id, &body)?;
                ok(&public_contact(st, &ci))
            }
            _ => Err(route_not_found()),
        }
    }

    fn public_conversations(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        inbox: &PublicInbox,
        rest: &[&str],
    ) -> Answer {
        let (inbox_id, account) = (inbox.id, inbox.account);
        match (c.m(), rest) {
            ("GET", ["contacts", source, "conversations"]) => {
                let ci = inbox.contact_inbox(st, source)?;
                let conversations: Vec<Value> = st
                    .conversations
                    .values()
                    .filter(|cv| {
                        get_u64(cv, "contact_id") == Some(ci.contact_id)
                            && get_u64(cv, "inbox_id") == Some(inbox_id)
                    })
                    .map(|cv| st.public_conversation_view(cv))
                    .collect();
                ok(&Value::Array(conversations))
            }
            ("POST", ["contacts", source, "conversations"]) => {
                let ci = inbox.contact_inbox(st, source)?;
                let body = c.body()?;
                let custom = Input::new(&body, false)
                    .object("custom_attributes")?
                    .unwrap_or_default();
                let id = new_conversation(
                    st,
                    account,
                    inbox_id,
                    ci.contact_id,
                    &ci.source_id,
                    "open",
                    Map::new(),
                    custom,
                );
                st.raise_conversation("conversation_created", id, None);
                self.counters.created();
                ok(&st.public_conversation_view(&st.conversations[&id]))
            }
            _ => Err(route_not_found()),
        }
    }

    fn public_messages(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        inbox: &PublicInbox,
        rest: &[&str],
    ) -> Answer {
        match (c.m(), rest) {
            ("GET", ["contacts", source, "conversations", conv, "messages"]) => {
                let ci = inbox.contact_inbox(st, source)?;
                let conv = inbox.conversation(st, &ci, conv)?;
                let messages: Vec<Value> = st.messages_of(conv).map(public_message_view).collect();
                ok(&Value::Array(messages))
            }
            ("POST", ["contacts", source, "conversations", conv, "messages"]) => {
                let ci = inbox.contact_inbox(st, source)?;
                let conv = inbox.conversation(st, &ci, conv)?;
                // public messages_controller.rb#create: JSON or multipart `attachments[]`;
                // content is not required.
                let (body, files) = c.form()?;
                let input = Input::new(&body, true);
                let content = input.str("content")?;
                let echo_id = input.str("echo_id")?;
                let sender = st.contact_sender(ci.contact_id);
                let message = st.add_message(
                    conv,
                    content,
                    "incoming",
                    "text",
                    Map::new(),
                    false,
                    sender,
                    echo_id,
                );
                let message = self.attach(st, conv, message, files);
                self.counters.created();
                ok(&public_message_view(&message))
            }
            (
                "PATCH" | "PUT",
                [
                    "contacts",
                    source,
                    "conversations",
                    conv,
                    "messages",
                    message,
                ],
            ) => {
                let ci = inbox.contact_inbox(st, source)?;
                let conv = inbox.conversation(st, &ci, conv)?;
                let message = id(message, "Message")?;
                let body = c.body()?;
                // messages_controller.rb#update: the permit list applies to every message; a
                // body without `submitted_values` changes nothing.
                let submitted = body.get("submitted_values").map(permitted_submitted_values);
                // A survey message locks after 14 days, and its answer is stored as a survey
                // answer too (CsatSurveyListener#message_updated).
                if let Some(survey) = st.survey_message(conv, message) {
                    update_survey(st, &survey, submitted)?;
                    return ok(&public_message_view(&st.messages[&(conv, message)]));
                }
                let record = st
                    .messages
                    .get_mut(&(conv, message))
                    .ok_or_else(|| not_found("Message"))?;
                let Some(submitted) = submitted else {
                    return ok(&public_message_view(record));
                };
                if let Some(Value::Object(attributes)) = record.get_mut("content_attributes") {
                    attributes.insert("submitted_values".into(), submitted);
                } else {
                    merge(
                        record,
                        json_map(json!({"content_attributes": {"submitted_values": submitted}})),
                    );
                }
                ok(&public_message_view(record))
            }
            _ => Err(route_not_found()),
        }
    }
}

pub(super) fn survey_page(uuid: &str) -> Response {
    let uuid: String = uuid
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rate your conversation</title></head>\
         <body><main data-conversation-uuid=\"{uuid}\"><h1>How was your conversation?</h1>\
         <form method=\"post\"><label><input type=\"radio\" name=\"rating\" value=\"1\">1</label>\
         <label><input type=\"radio\" name=\"rating\" value=\"5\">5</label>\
         <textarea name=\"feedback_message\"></textarea><button>Send</button></form></main></body></html>\n"
    );
    let mut response = Response::new(axum::body::Body::from(html));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}
