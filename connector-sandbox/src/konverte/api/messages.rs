//! A conversation's labels and messages (`conversations/labels_controller.rb`,
//! `conversations/messages_controller.rb`).

use super::contacts::find_contact;
use super::conversations::find_conversation;
use super::message_edits::blank_out_message;
use super::*;
use crate::konverte::records::{CONTENT_TYPES, MESSAGE_TYPES};

impl App {
    /// `conversations/{id}/labels` and `contacts/{id}/labels`.
    pub(super) fn labels(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        match (c.m(), rest) {
            ("GET", ["conversations", conversation, "labels"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                ok(&json!({"payload": labels_of(&st.conversations[&conversation])}))
            }
            ("POST", ["conversations", conversation, "labels"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let labels = label_list(&c.body()?)?;
                st.save_conversation(conversation, &[("labels", json!(labels))]);
                ok(&json!({"payload": labels}))
            }
            // LabelConcern on a contact: the same as on a conversation; the contact's views
            // do not show them (store/views.rs `contact_flat`).
            ("GET", ["contacts", contact, "labels"]) => {
                let contact = find_contact(st, account, contact)?;
                ok(&json!({"payload": labels_of(&st.contacts[&contact])}))
            }
            ("POST", ["contacts", contact, "labels"]) => {
                let contact = find_contact(st, account, contact)?;
                let labels = label_list(&c.body()?)?;
                if let Some(record) = st.contacts.get_mut(&contact) {
                    merge(record, json_map(json!({"labels": labels})));
                }
                ok(&json!({"payload": labels}))
            }
            // app/finders/message_finder.rb: the newest 20, 20 before `before`, or up to
            // 100 after `after`, oldest first, in {meta, payload}.
            _ => Err(route_not_found()),
        }
    }

    /// `conversations/{id}/messages`. app/finders/message_finder.rb: the newest 20, 20
    /// before `before`, or up to 100 after `after`, oldest first, in {meta, payload}.
    pub(super) fn messages(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        match (c.m(), rest) {
            ("GET", ["conversations", conversation, "messages"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let cursor =
                    |name: &str| c.query.get(name).and_then(|v| v.trim().parse::<u64>().ok());
                let id_of = |m: &&Value| get_u64(m, "id").unwrap_or(0);
                let all = st.messages_of(conversation);
                let page: Vec<Value> = match (cursor("before"), cursor("after")) {
                    (Some(before), _) => {
                        let older: Vec<&Value> = all.filter(|m| id_of(m) < before).collect();
                        older[older.len().saturating_sub(20)..]
                            .iter()
                            .map(|m| (*m).clone())
                            .collect()
                    }
                    (None, Some(after)) => all
                        .filter(|m| id_of(m) > after)
                        .take(100)
                        .cloned()
                        .collect(),
                    (None, None) => {
                        let every: Vec<&Value> = all.collect();
                        every[every.len().saturating_sub(20)..]
                            .iter()
                            .map(|m| (*m).clone())
                            .collect()
                    }
                };
                ok(&json!({"meta": st.messages_meta(conversation), "payload": page}))
            }
            ("POST", ["conversations", conversation, "messages"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let (body, files) = c.form()?;
                let input = Input::new(&body, true);
                // Neither the builder nor the model requires content (an empty message is
                // saved); content_type and content_attributes are checked as the model does.
                let content = input.str("content")?;
                if content
                    .as_ref()
                    .is_some_and(|c| c.chars().count() > MAX_CONTENT)
                {
                    return Err(invalid(
                        "content",
                        format!("Content is too long (maximum is {MAX_CONTENT} characters)"),
                    ));
                }
                let message_type = input
                    .choice("message_type", MESSAGE_TYPES)?
                    .unwrap_or_else(|| "outgoing".to_owned());
                // messages_controller.rb#create renders the builder's error as a 422.
                if message_type == "incoming" && !st.takes_incoming(conversation) {
                    return Err(Fail::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        json!({"error": INCOMING_ONLY_IN_API_INBOXES}),
                    ));
                }
                let content_type = input
                    .choice("content_type", CONTENT_TYPES)?
                    .unwrap_or_else(|| "text".to_owned());
                let content_attributes = content_attributes_of(&body);
                check_items(&content_type, &content_attributes)?;
                let private = input.bool("private")?.unwrap_or(false);
                // message_builder.rb#sender: the user for outgoing, else the contact.
                let sender = if message_type != "outgoing" {
                    let contact =
                        get_u64(&st.conversations[&conversation], "contact_id").unwrap_or(0);
                    st.contact_sender(contact)
                } else {
                    st.user_sender(CURRENT_USER)
                };
                let message = st.add_message(
                    conversation,
                    content,
                    &message_type,
                    &content_type,
                    content_attributes,
                    private,
                    sender,
                    None,
                );
                let message = self.attach(st, conversation, message, files);
                self.counters.created();
                ok(&message)
            }
            ("PATCH", ["conversations", conversation, "messages", message]) => {
                let conversation = find_conversation(st, account, conversation)?;
                self.set_message_status(st, c, conversation, message)
            }
            ("DELETE", ["conversations", conversation, "messages", message]) => {
                let conversation = find_conversation(st, account, conversation)?;
                blank_out_message(st, conversation, message)
            }
            _ => Err(route_not_found()),
        }
    }
}

/// `validates :content, length: { maximum: 150_000 }` (app/models/message.rb).
const MAX_CONTENT: usize = 150_000;

/// `MessageBuilder#content_attributes`: an object, a JSON string of one, else `{}`.
fn content_attributes_of(body: &Map<String, Value>) -> Map<String, Value> {
    match body.get("content_attributes") {
        Some(Value::Object(map)) => map.clone(),
        Some(Value::String(text)) => serde_json::from_str(text).unwrap_or_default(),
        _ => Map::new(),
    }
}

/// `ContentAttributeValidator` (app/validators/content_attribute_validator.rb): the item
/// content types need items, each an object with only the keys of its type; cards need
/// actions.
fn check_items(content_type: &str, attributes: &Map<String, Value>) -> Result<(), Fail> {
    let keys: &[&str] = match content_type {
        "input_select" => &["title", "value"],
        "cards" => &["title", "description", "media_url", "actions"],
        "form" => &[
            "type",
            "placeholder",
            "label",
            "name",
            "options",
            "default",
            "required",
            "pattern",
            "title",
            "pattern_error",
        ],
        "article" => &["title", "description", "link"],
        _ => return Ok(()),
    };
    let fail = |message: String| {
        Err(invalid(
            "content_attributes",
            format!("Content attributes {message}"),
        ))
    };
    let items = match attributes.get("items") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return fail("At least one item is required.".into()),
    };
    let Some(items) = items
        .iter()
        .map(Value::as_object)
        .collect::<Option<Vec<_>>>()
    else {
        return fail("Items should be a hash.".into());
    };
    let unknown: Vec<&str> = items
        .iter()
        .flat_map(|item| item.keys())
        .map(String::as_str)
        .filter(|k| !keys.contains(k))
        .collect();
    if !unknown.is_empty() {
        return fail(format!("contains invalid keys for items : {unknown:?}"));
    }
    if content_type == "cards" {
        let actions = items.iter().map(|item| match item.get("actions") {
            Some(Value::Array(actions)) if !actions.is_empty() => Some(actions),
            _ => None,
        });
        let Some(actions) = actions.collect::<Option<Vec<_>>>() else {
            return fail("contains items missing actions".into());
        };
        let unknown: Vec<&str> = actions
            .iter()
            .flat_map(|a| a.iter())
            .filter_map(Value::as_object)
            .flat_map(|a| a.keys())
            .map(String::as_str)
            .filter(|k| !["text", "type", "payload", "uri"].contains(k))
            .collect();
        if !unknown.is_empty() {
            return fail(format!("contains invalid keys for actions:  {unknown:?}"));
        }
    }
    Ok(())
}

/// The labels a record carries (`label_list`), `[]` when none.
fn labels_of(record: &Value) -> Value {
    record.get("labels").cloned().unwrap_or(json!([]))
}

/// `update_labels(params[:labels])`: the given titles, comma-separated ones split, each once.
fn label_list(body: &Map<String, Value>) -> Result<Vec<String>, Fail> {
    let labels = Input::new(body, true)
        .array("labels")?
        .ok_or_else(|| blank("labels"))?;
    let mut unique: Vec<String> = Vec::new();
    for label in &labels {
        let Some(label) = label.as_str() else {
            return Err(invalid("labels", "Labels must be strings"));
        };
        for part in label.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if !unique.iter().any(|u| u == part) {
                unique.push(part.to_owned());
            }
        }
    }
    Ok(unique)
}

impl App {
    /// `GET conversations/{id}/attachments` (conversations_controller.rb#attachments and its
    /// view): every attachment of the conversation's messages, newest first, each with its
    /// message's `created_at` and sender, under `payload` with `meta.total_count`.
    pub(super) fn conversation_attachments(
        &self,
        st: &Store,
        account: u64,
        conversation: &str,
    ) -> Answer {
        let conversation = find_conversation(st, account, conversation)?;
        let mut items: Vec<Value> = st
            .messages_of(conversation)
            .flat_map(|message| {
                let attachments = message["attachments"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                attachments.into_iter().map(move |mut a| {
                    a["created_at"] = message["created_at"].clone();
                    a["sender"] = message["sender"].clone();
                    a
                })
            })
            .collect();
        items.reverse();
        ok(&json!({"meta": {"total_count": items.len()}, "payload": items}))
    }

    /// Keeps a message's files (`attachments[]`) where `GET /sandbox/files/{id}` serves them,
    /// and renders each as `attachment.push_event_data` does (app/models/attachment.rb).
    pub(super) fn attach(
        &self,
        st: &mut Store,
        conversation: u64,
        mut message: Value,
        files: Vec<Upload>,
    ) -> Value {
        if files.is_empty() {
            return message;
        }
        let message_id = get_u64(&message, "id").unwrap_or(0);
        let account = message.get("account_id").cloned().unwrap_or(Value::Null);
        let attachments: Vec<Value> = files
            .into_iter()
            .map(|file| {
                let id = st.next_id("attachment");
                let file_type = file_type_of(&file.content_type);
                let extension = file.filename.rsplit_once('.').map(|(_, e)| e.to_owned());
                let size = file.data.as_ref().map_or(0, Vec::len);
                let url = self.generic.keep_file(&self.base_url, file);
                json!({
                    "id": id,
                    "message_id": message_id,
                    "file_type": file_type,
                    "account_id": account,
                    "extension": extension,
                    "data_url": url,
                    "thumb_url": if file_type == "image" { url.clone() } else { String::new() },
                    "file_size": size,
                    "width": null,
                    "height": null,
                })
            })
            .collect();
        message["attachments"] = Value::Array(attachments);
        st.messages
            .insert((conversation, message_id), message.clone());
        message
    }
}

/// `Attachment#file_type` from the content type (app/models/attachment.rb, `file_type`
/// enum): image, audio, video, else file.
fn file_type_of(content_type: &str) -> &'static str {
    match content_type.split('/').next().unwrap_or_default() {
        "image" => "image",
        "audio" => "audio",
        "video" => "video",
        _ => "file",
    }
}
