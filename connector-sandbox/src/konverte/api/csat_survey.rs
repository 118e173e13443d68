//! The public survey of a conversation (`/public/api/v1/csat_survey/{conversation_uuid}`,
//! `app/controllers/public/api/v1/csat_survey_controller.rb`): no token, the conversation's
//! UUID is the key. The survey itself is in store/csat.rs.

use super::*;

impl App {
    pub(super) fn csat_survey(&self, st: &mut Store, c: &Ctx<'_>, uuid: &str) -> Answer {
        let survey = st
            .survey_by_uuid(uuid)
            .ok_or_else(|| not_found("Resource"))?;
        match c.m() {
            "GET" => ok(&st.survey_view(&survey)),
            "PUT" | "PATCH" => {
                if !st.survey_open(&survey, unix_now()) {
                    return Err(Fail::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        json!({"error": "You cannot update the CSAT survey after 14 days"}),
                    ));
                }
                let body = c.body()?;
                let message = Input::new(&body, false).object("message")?.ok_or_else(|| {
                    bad_request("param is missing or the value is empty: message")
                })?;
                let submitted = Input::new(&message, false)
                    .object("submitted_values")?
                    .map(|values| permitted_submitted_values(&values))
                    .unwrap_or_default();
                st.answer_survey(&survey, submitted);
                ok(&st.survey_view(&survey))
            }
            _ => Err(route_not_found()),
        }
    }
}

/// `message_update_params`: `submitted_values` keeps `name`, `title`, `value` and the answer's
/// `feedback_message` and `rating`; anything else is dropped.
fn permitted_submitted_values(given: &Map<String, Value>) -> Map<String, Value> {
    let keep = |from: &Map<String, Value>, keys: &[&str]| -> Map<String, Value> {
        (from.iter())
            .filter(|(k, v)| keys.contains(&k.as_str()) && !v.is_object() && !v.is_array())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let mut values = keep(given, &["name", "title", "value"]);
    if let Some(Value::Object(answer)) = given.get("csat_survey_response") {
        values.insert(
            "csat_survey_response".into(),
            Value::Object(keep(answer, &["feedback_message", "rating"])),
        );
    }
    values
}
