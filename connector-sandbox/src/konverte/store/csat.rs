//! Customer-satisfaction surveys: the survey message a resolved conversation gets
//! (`app/services/csat_survey_service.rb`, `message_templates/template/csat_survey.rb`), the
//! public survey view of it (`public/api/v1/models/_csat_survey.json.jbuilder`) and the stored
//! answer (`app/builders/csat_surveys/response_builder.rb`).
//!
//! Chatwoot sends the survey and stores an answer in background jobs after the request; the
//! sandbox does both before it answers, so the next read sees them at once.

use serde_json::{Map, Value, json};

use super::{Store, get_str, get_u64, rails_time};
use crate::http::unix_now;

/// `conversations.templates.csat_input_message_body` (config/locales/en.yml).
const DEFAULT_SURVEY_MESSAGE: &str = "Please rate the conversation";

/// `check_csat_locked`: an answer is refused once the survey is older than this.
const ANSWER_DAYS: i64 = 14;

/// A conversation's survey message, by its store key.
pub(crate) struct Survey {
    pub(crate) conversation: u64,
    pub(crate) message: u64,
}

impl Store {
    /// `CsatSurveyService#perform` when a conversation was resolved: a survey message, unless the
    /// inbox has surveys off, the conversation already has one, or the inbox's label rules
    /// leave it out.
    pub(crate) fn send_csat_survey(&mut self, conversation: u64) {
        let Some(record) = self.conversations.get(&conversation) else {
            return;
        };
        let inbox = get_u64(record, "inbox_id").and_then(|i| self.inboxes.get(&i));
        let Some(inbox) = inbox.filter(|i| i["csat_survey_enabled"] == json!(true)) else {
            return;
        };
        let config = inbox.get("csat_config").cloned().unwrap_or(json!({}));
        let labels: Vec<&str> = (record["labels"].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .collect();
        if !survey_rules_allow(&config, &labels) || self.survey_of(conversation).is_some() {
            return;
        }
        let content = Some(get_str(&config, "message"))
            .filter(|m| !m.is_empty())
            .unwrap_or(DEFAULT_SURVEY_MESSAGE)
            .to_owned();
        let display_type = Some(get_str(&config, "display_type"))
            .filter(|d| !d.is_empty())
            .unwrap_or("emoji");
        let mut attributes = Map::new();
        attributes.insert("display_type".into(), json!(display_type));
        self.add_message(
            conversation,
            Some(content),
            "template",
            "input_csat",
            attributes,
            false,
            Value::Null,
            None,
        );
    }

    /// The survey message of the conversation `uuid` names (`find_by!(uuid:)`, then
    /// `messages.find_by!(content_type: 'input_csat')`).
    pub(crate) fn survey_by_uuid(&self, uuid: &str) -> Option<Survey> {
        let conversation = (self.conversations.values())
            .find(|c| get_str(c, "uuid") == uuid)
            .and_then(|c| get_u64(c, "id"))?;
        self.survey_of(conversation)
    }

    /// The survey that message `message` of `conversation` is, if it is one.
    pub(crate) fn survey_message(&self, conversation: u64, message: u64) -> Option<Survey> {
        let record = self.messages.get(&(conversation, message))?;
        (get_str(record, "content_type") == "input_csat").then_some(Survey {
            conversation,
            message,
        })
    }

    fn survey_of(&self, conversation: u64) -> Option<Survey> {
        (self
            .messages
            .range((conversation, 0)..=(conversation, u64::MAX)))
        .find(|(_, m)| get_str(m, "content_type") == "input_csat")
        .map(|(&(conversation, message), _)| Survey {
            conversation,
            message,
        })
    }

    /// The survey view: the message id, how to show it, the inbox, and the answer if any.
    pub(crate) fn survey_view(&self, survey: &Survey) -> Value {
        let message = &self.messages[&(survey.conversation, survey.message)];
        let inbox = get_u64(message, "inbox_id").and_then(|i| self.inboxes.get(&i));
        let account = get_u64(message, "account_id").and_then(|a| self.accounts.get(&a));
        let config = inbox.and_then(|i| i.get("csat_config"));
        let display_type = config
            .and_then(|c| c.get("display_type"))
            .cloned()
            .unwrap_or(json!("emoji"));
        json!({
            "id": survey.message,
            "csat_survey_response": self.csat_responses.get(&survey.message),
            "display_type": display_type,
            "content": config.and_then(|c| c.get("message")).cloned().unwrap_or(Value::Null),
            "inbox_avatar_url": inbox.and_then(|i| i.get("avatar_url")),
            "inbox_name": inbox.and_then(|i| i.get("name")),
            "locale": account.and_then(|a| a.get("locale")).cloned().unwrap_or(json!("en")),
            "conversation_id": survey.conversation,
            "created_at": message["created_at"].as_i64().map(rails_time),
        })
    }

    /// Whether the survey can still be answered (`check_csat_locked`: more than 14 days
    /// after it was sent, by calendar date, it cannot).
    pub(crate) fn survey_open(&self, survey: &Survey, now: i64) -> bool {
        let sent = self.messages[&(survey.conversation, survey.message)]["created_at"]
            .as_i64()
            .unwrap_or(now);
        now.div_euclid(86_400) - sent.div_euclid(86_400) <= ANSWER_DAYS
    }

    /// Stores `submitted_values` on the survey message and, when it holds a rating from 1 to 5,
    /// creates or updates the answer record (a rating outside that range fails the builder's
    /// validation in its job, so no answer is stored).
    pub(crate) fn answer_survey(&mut self, survey: &Survey, submitted: Value) {
        let answer = submitted.get("csat_survey_response");
        let rating = answer.and_then(|a| a.get("rating")).and_then(Value::as_i64);
        let feedback = answer
            .and_then(|a| a.get("feedback_message"))
            .cloned()
            .unwrap_or(Value::Null);
        let contact = self
            .conversations
            .get(&survey.conversation)
            .map(|c| (c.get("contact_id").cloned(), c.get("assignee_id").cloned()));
        let Some(message) = self
            .messages
            .get_mut(&(survey.conversation, survey.message))
        else {
            return;
        };
        let account = message.get("account_id").cloned();
        let attributes = message
            .get_mut("content_attributes")
            .and_then(Value::as_object_mut);
        if let Some(attributes) = attributes {
            attributes.insert("submitted_values".into(), submitted.clone());
        }
        let Some(rating @ 1..=5) = rating else {
            return;
        };
        let now = json!(rails_time(unix_now()));
        let (contact, assignee) = contact.unwrap_or((None, None));
        let existing = self.csat_responses.get(&survey.message).cloned();
        let mut record = match existing {
            Some(record) => record,
            None => json!({
                "id": self.next_id("csat_survey_response"),
                "account_id": account,
                "conversation_id": survey.conversation,
                "message_id": survey.message,
                "contact_id": contact,
                "assigned_agent_id": assignee,
                "csat_review_notes": null,
                "review_notes_updated_by_id": null,
                "review_notes_updated_at": null,
                "created_at": now,
            }),
        };
        record["rating"] = json!(rating);
        record["feedback_message"] = feedback;
        record["updated_at"] = now;
        self.csat_responses.insert(survey.message, record);
    }
}

/// The `submitted_values` both survey routes permit (`csat_survey_controller.rb`,
/// `inboxes/messages_controller.rb`): `name`, `title` and `value`, and the answer's
/// `feedback_message` and `rating`, in one object or a list of them; anything else is dropped.
pub(crate) fn permitted_submitted_values(given: &Value) -> Value {
    let keep = |from: &Map<String, Value>, keys: &[&str]| -> Map<String, Value> {
        (from.iter())
            .filter(|(k, v)| keys.contains(&k.as_str()) && !v.is_object() && !v.is_array())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let permit = |item: &Map<String, Value>| {
        let mut values = keep(item, &["name", "title", "value"]);
        if let Some(Value::Object(answer)) = item.get("csat_survey_response") {
            let answer = keep(answer, &["feedback_message", "rating"]);
            values.insert("csat_survey_response".into(), Value::Object(answer));
        }
        Value::Object(values)
    };
    match given {
        Value::Object(item) => permit(item),
        Value::Array(items) => (items.iter())
            .filter_map(Value::as_object)
            .map(permit)
            .collect(),
        _ => json!({}),
    }
}

/// `csat_allowed_by_survey_rules?`: with label values configured, `contains` needs one of them
/// on the conversation and `does_not_contain` none; any other operator lets every one through.
fn survey_rules_allow(config: &Value, labels: &[&str]) -> bool {
    let rules = &config["survey_rules"];
    let values: Vec<&str> = (rules["values"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    if values.is_empty() {
        return true;
    }
    match rules["operator"].as_str().unwrap_or("contains") {
        "contains" => values.iter().any(|v| labels.contains(v)),
        "does_not_contain" => !values.iter().any(|v| labels.contains(v)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_resolved_conversation(csat: bool, config: Value, labels: Value) -> Store {
        let mut st = Store::new(true);
        if let Some(inbox) = st.inboxes.get_mut(&1) {
            inbox["csat_survey_enabled"] = json!(csat);
            inbox["csat_config"] = config;
        }
        st.conversations.insert(
            7,
            json!({"id": 7, "account_id": 1, "inbox_id": 1, "status": "resolved",
                   "uuid": "u-7", "labels": labels, "contact_id": 3, "assignee_id": 2}),
        );
        st
    }

    #[test]
    fn a_resolved_conversation_gets_one_survey_only_where_surveys_are_on() {
        let mut st = store_with_resolved_conversation(true, json!({}), json!([]));
        st.send_csat_survey(7);
        st.send_csat_survey(7);
        let surveys: Vec<&Value> = (st.messages.values())
            .filter(|m| m["content_type"] == "input_csat")
            .collect();
        assert_eq!(surveys.len(), 1);
        assert_eq!(surveys[0]["message_type"], "template");
        assert_eq!(surveys[0]["content"], DEFAULT_SURVEY_MESSAGE);
        assert_eq!(surveys[0]["content_attributes"]["display_type"], "emoji");

        let mut off = store_with_resolved_conversation(false, json!({}), json!([]));
        off.send_csat_survey(7);
        assert!(off.survey_by_uuid("u-7").is_none());
    }

    #[test]
    fn label_rules_decide_which_conversations_are_surveyed() {
        let rules = |operator: &str| {
            json!({"message": "Rate us", "display_type": "star",
                   "survey_rules": {"operator": operator, "values": ["vip"]}})
        };
        for (operator, labels, surveyed) in [
            ("contains", json!(["vip"]), true),
            ("contains", json!(["bug"]), false),
            ("does_not_contain", json!(["vip"]), false),
            ("does_not_contain", json!([]), true),
        ] {
            let mut st = store_with_resolved_conversation(true, rules(operator), labels);
            st.send_csat_survey(7);
            let survey = st.survey_by_uuid("u-7");
            assert_eq!(survey.is_some(), surveyed, "{operator}");
            if let Some(survey) = survey {
                let view = st.survey_view(&survey);
                assert_eq!(view["display_type"], "star");
                assert_eq!(view["content"], "Rate us");
            }
        }
    }

    #[test]
    fn an_answer_is_stored_when_rated_1_to_5_and_updated_in_place() {
        let mut st = store_with_resolved_conversation(true, json!({}), json!([]));
        st.send_csat_survey(7);
        let survey = st.survey_by_uuid("u-7").unwrap();
        let answer = |rating: Value| json!({"csat_survey_response": {"rating": rating, "feedback_message": "ok"}});
        st.answer_survey(&survey, answer(json!(9)));
        assert_eq!(st.survey_view(&survey)["csat_survey_response"], Value::Null);
        st.answer_survey(&survey, answer(json!(4)));
        let first = st.survey_view(&survey)["csat_survey_response"].clone();
        assert_eq!(first["rating"], 4);
        assert_eq!(first["contact_id"], 3);
        assert_eq!(first["assigned_agent_id"], 2);
        st.answer_survey(&survey, answer(json!(5)));
        let second = st.survey_view(&survey)["csat_survey_response"].clone();
        assert_eq!(
            (second["id"].clone(), second["rating"].clone()),
            (first["id"].clone(), json!(5))
        );
    }

    #[test]
    fn only_the_permitted_submitted_values_are_kept() {
        let given = json!({"name": "n", "extra": 1, "value": {"nested": true},
                           "csat_survey_response": {"rating": 3, "feedback_message": "f", "id": 9}});
        assert_eq!(
            permitted_submitted_values(&given),
            json!({"name": "n", "csat_survey_response": {"rating": 3, "feedback_message": "f"}})
        );
        let form = json!([{"name": "email", "value": "a@b.test", "x": 1}, 5]);
        assert_eq!(
            permitted_submitted_values(&form),
            json!([{"name": "email", "value": "a@b.test"}])
        );
        assert_eq!(permitted_submitted_values(&json!("text")), json!({}));
    }

    #[test]
    fn a_survey_locks_after_fourteen_days() {
        let mut st = store_with_resolved_conversation(true, json!({}), json!([]));
        st.send_csat_survey(7);
        let survey = st.survey_by_uuid("u-7").unwrap();
        let sent = st.messages[&(7, survey.message)]["created_at"]
            .as_i64()
            .unwrap();
        let day = 86_400;
        let midnight = sent.div_euclid(day) * day;
        assert!(st.survey_open(&survey, midnight + 14 * day));
        assert!(!st.survey_open(&survey, midnight + 15 * day));
    }
}
