//! A message's `update` and `delete` (app/controllers/api/v1/accounts/conversations/
//! messages_controller.rb): neither removes nor rewrites what was said. `update` sets only the
//! delivery status, in API-channel inboxes; `delete` keeps the message with a deletion notice.

use super::*;

/// `Message.statuses` (app/models/message.rb).
const STATUSES: &[&str] = &["sent", "delivered", "read", "failed"];

/// `I18n.t('conversations.messages.deleted')` (config/locales/en.yml).
const DELETED_CONTENT: &str = "This message was deleted";

impl App {
    /// `#update`: `ensure_api_inbox` answers 403 outside API-channel inboxes; then
    /// Messages::StatusUpdateService (app/services/messages/status_update_service.rb) sets a
    /// known status, never `read` back to `delivered`, and `external_error` (kept in
    /// `content_attributes`) only with `failed`; anything else changes nothing. The answer
    /// is the message (update.json.jbuilder).
    pub(super) fn set_message_status(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        conversation: u64,
        segment: &str,
    ) -> Answer {
        let inbox = get_u64(&st.conversations[&conversation], "inbox_id");
        let api = inbox
            .and_then(|i| st.inboxes.get(&i))
            .is_some_and(|i| get_str(i, "channel_type") == "Channel::Api");
        if !api {
            return Err(Fail::new(
                StatusCode::FORBIDDEN,
                json!({"error": "Message status update is only allowed for API inboxes"}),
            ));
        }
        let body = c.body()?;
        let message = find_message(st, conversation, segment)?;
        let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
        let status = text("status").filter(|s| STATUSES.contains(&s.as_str()));
        if let Some(status) = status
            && !(get_str(message, "status") == "read" && status == "delivered")
        {
            let error = if status == "failed" {
                text("external_error").map_or(Value::Null, Value::String)
            } else {
                Value::Null
            };
            message["status"] = json!(status);
            if !message["content_attributes"].is_object() {
                message["content_attributes"] = json!({});
            }
            message["content_attributes"]["external_error"] = error;
        }
        ok(message)
    }
}

/// `#destroy`: the content becomes the deletion notice, the content type `text`, the content
/// attributes `{deleted: true}`, the files go; the message stays and is answered
/// (destroy.json.jbuilder).
pub(super) fn blank_out_message(st: &mut Store, conversation: u64, segment: &str) -> Answer {
    let message = find_message(st, conversation, segment)?;
    message["content"] = json!(DELETED_CONTENT);
    message["content_type"] = json!("text");
    message["content_attributes"] = json!({"deleted": true});
    message["attachments"] = json!([]);
    ok(message)
}

/// `@conversation.messages.find(params[:id])`: 404 for a message of another conversation.
fn find_message<'a>(
    st: &'a mut Store,
    conversation: u64,
    segment: &str,
) -> Result<&'a mut Value, Fail> {
    let message = id(segment, "Message")?;
    st.messages
        .get_mut(&(conversation, message))
        .ok_or_else(|| not_found("Message"))
}
